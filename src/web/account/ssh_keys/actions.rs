//! Deleting an SSH key (typed name).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::ssh_key_href;
use crate::cloudpanel::CloudError;
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Act, Change, Target, Then, check_id, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    check_id(&id)?;
    let act = Act::begin(&ctx, &session, &account, perms::SSH_KEYS_DELETE, |up| {
        Target {
            kind: "ssh_key",
            id: id.clone(),
            page: format!("{}{}", ssh_key_href(&ctx, &id), up.query()),
            list: up.href(&ctx, "ssh_keys"),
        }
    })
    .await?;
    let key = match act.up.client().get_ssh_key(&id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            return Ok(redirect(act.list()));
        }
        Err(e) => return act.invalid(&format!("Nothing was done. {}", e.summary())),
    };
    if let Err(message) = check_typed_name("key's name", &key.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change {
        action: "ssh_key.delete",
        details: json!({ "name": key.name, "md5": key.md5 }),
        success: "Deleting {name}; new servers can no longer be given it.".into(),
        then: Then::List,
    };
    act.run(change, act.up.client().delete_ssh_key(&id)).await
}
