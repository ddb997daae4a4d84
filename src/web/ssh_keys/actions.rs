//! Deleting an SSH key (typed name), and its deletion as the JSON API makes
//! it too ([`Deletable`]).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::FAMILY;
use super::list::SshKeys;
use crate::cloudpanel::ssh_keys::SshKey;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, Deletable, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object.act(&ctx, &session, SshKeys::DELETE, &FAMILY).await?;
    let key = match SshKeys::get(act.up.client(), id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if let Err(message) = check_typed_name("key's name", SshKeys::typed(&key), &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change {
        action: SshKeys::ACTION,
        details: SshKeys::details(&key),
        success: "Deleting {name}; new servers can no longer be given it.".into(),
        then: Then::List,
    };
    act.run(change, SshKeys::delete(act.up.client(), id)).await
}

impl Deletable for SshKeys {
    const DELETE: Permission = perms::SSH_KEYS_DELETE;
    const ACTION: &'static str = "ssh_key.delete";
    type Answer = SshKey;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<SshKey>, CloudError> {
        client.get_ssh_key(id).await
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<SshKey, CloudError> {
        client.delete_ssh_key(id).await
    }

    fn typed(key: &SshKey) -> &str {
        &key.name
    }

    fn details(key: &SshKey) -> Value {
        json!({ "name": key.name, "md5": key.md5 })
    }
}
