//! `teampanel user create`: a user from the command line (the first
//! instance admin on a fresh install), recorded like any other change.

use serde_json::json;

use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::config::Settings;

/// Validates and stores a new user; used by the CLI and the demo.
pub async fn create_user(
    settings: &Settings,
    email: &str,
    name: &str,
    instance_admin: bool,
    password: String,
) -> anyhow::Result<i64> {
    let email = crate::domain::Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        anyhow::bail!("--name: give a name of 1 to 100 characters");
    }
    crate::auth::password::check_new(&password).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    crate::db::prepare_data_dir(&settings.data_dir)?;
    let db = crate::db::connect(&settings.database_path()).await?;
    let hash = crate::auth::password::hash(password).await?;
    let mut change = LocalChange::begin(&db).await?;
    let Some(id) =
        crate::db::users::insert(change.conn(), email.as_str(), name, &hash, instance_admin)
            .await?
    else {
        anyhow::bail!(
            "--email: a user with the email {} already exists",
            email.as_str()
        );
    };
    let ctx = AuditCtx {
        actor_label: "command line".into(),
        ..AuditCtx::default()
    };
    let event = NewEvent::new("user.create", Outcome::Succeeded)
        .target("user", id, email.as_str())
        .details(json!({ "name": name, "instance_admin": instance_admin }));
    change.commit(&ctx, event).await?;
    db.close().await;
    Ok(id)
}
