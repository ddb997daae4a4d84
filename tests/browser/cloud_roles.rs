//! The Cloud Panel roles pages in the browser: a role is created, one flag
//! of its permission matrix toggled and saved, and the change is still there
//! after a reload and in the audit log.

use anyhow::{Context, bail, ensure};

use crate::harness::{Panel, mark_page, page_errors, wait_for_new_page};
use crate::webdriver::Session;

/// Creates a Cloud Panel role through the form; the browser lands on its page.
pub async fn create_cloud_role(session: &Session, panel: &Panel, name: &str) -> anyhow::Result<()> {
    session
        .goto(&panel.url(&panel.org_path("/cloud_roles")))
        .await?;
    let new_link = session.find("a#new-cloud-role").await?;
    mark_page(session).await?;
    session.click(&new_link).await?;
    wait_for_new_page(session, "the new Cloud Panel role form").await?;
    session.fill("form#cloud-role-form #name", name).await?;
    let submit = session
        .find("form#cloud-role-form button[type=submit]")
        .await?;
    mark_page(session).await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the new role's page").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("creating the Cloud Panel role failed: {errors}");
    }
    let heading = session.find("h1").await?;
    ensure!(
        session.text(&heading).await?.trim() == name,
        "after creating, the page is not the role {name}"
    );
    Ok(())
}

/// Whether the matrix box of `group.flag` is ticked on the current page.
pub async fn flag_ticked(session: &Session, group: &str, flag: &str) -> anyhow::Result<bool> {
    let checkbox = session.find(&format!("#perm-{group}-{flag}")).await?;
    session
        .property(&checkbox, "checked")
        .await?
        .as_bool()
        .context("the checkbox has no checked property")
}

/// Toggles the box of `group.flag` in the role's matrix and saves the
/// matrix. Returns the success message.
pub async fn toggle_flag_and_save(
    session: &Session,
    group: &str,
    flag: &str,
) -> anyhow::Result<String> {
    let before = session.current_path().await?;
    let label = session
        .find(&format!("label[for='perm-{group}-{flag}']"))
        .await?;
    session.click(&label).await?;
    let submit = session
        .find("form#cloud-role-permissions button[type=submit]")
        .await?;
    mark_page(session).await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the role's page after saving its permissions").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("saving the permissions failed: {errors}");
    }
    let after = session.current_path().await?;
    ensure!(
        after == before,
        "after saving, the browser is at {after}, not back at {before}"
    );
    let flash = session
        .find(".flash-success")
        .await
        .context("no success message after saving the permissions")?;
    session.text(&flash).await
}

/// Loads the current page again.
pub async fn reload(session: &Session) -> anyhow::Result<()> {
    let url = session.current_url().await?;
    mark_page(session).await?;
    session.goto(&url).await?;
    wait_for_new_page(session, "the reloaded page").await
}
