//! E2E Networks over the API: nodes and saved images are listed and read
//! by the families' list reads (see [`super::families`]); here are the
//! node changes a script needs: the simple actions of the node page, each
//! under its own flag (`e2e_nodes::actions::SIMPLE`), and deletion.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route};
use serde_json::json;

use super::act::ApiAct;
use super::door::ApiCtx;
use super::error::ApiError;
use super::families::DETAIL_QUERY;
use super::routes::{ApiRoute, Verb};
use crate::cloudpanel::CloudError;
use crate::rbac::perms;
use crate::web::e2e_nodes::actions::simple;
use crate::web::e2e_nodes::{Acted, FAMILY, is_numeric_id};

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Post,
            "/e2e_nodes/{id}/actions/{action}",
            FAMILY.title,
            "Power on, power off or reboot a node, turn its backups on or off, lock or unlock it \
             (action: power_on, power_off, reboot, enable_backups, disable_backups, lock_vm, unlock_vm)",
            None,
            |r: Route| r.to(action),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Delete,
            "/e2e_nodes/{id}",
            FAMILY.title,
            "Delete a node",
            Some(perms::E2E_NODES_DELETE),
            |r: Route| r.to(delete),
        )
        .query(DETAIL_QUERY),
    ]
}

/// A node's id: E2E's are numbers.
fn node_id(ctx: &ApiCtx) -> Result<String, ApiError> {
    let id = ctx.path("id");
    if is_numeric_id(id) {
        Ok(id.to_owned())
    } else {
        Err(ApiError::not_found())
    }
}

/// The node's name for the audit log, from the (cached) node: a change is
/// never held up for it.
async fn node_name(act: &ApiAct<'_>, id: &str) -> String {
    act.up
        .client()
        .get_node(id)
        .await
        .map(|fetched| fetched.value.name)
        .unwrap_or_default()
}

async fn action(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let key = ctx.path("action");
    let Some(simple) = simple(key) else {
        return Err(ApiError::invalid(format!(
            "“{key}” is not an action the panel offers for nodes"
        )));
    };
    let id = node_id(&ctx)?;
    let act = ApiAct::begin(&ctx, simple.flag, query.account()?, FAMILY.kind, &id).await?;
    let name = node_name(&act, &id).await;
    let call = async {
        act.up
            .client()
            .node_action(&id, simple.action, None)
            .await?;
        Ok::<_, CloudError>(Acted::new(&id, &name))
    };
    act.run(
        simple.audit,
        json!({ "type": simple.action.key() }),
        StatusCode::OK,
        "e2e_node",
        call,
    )
    .await
}

async fn delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = node_id(&ctx)?;
    let act = ApiAct::begin(
        &ctx,
        perms::E2E_NODES_DELETE,
        query.account()?,
        FAMILY.kind,
        &id,
    )
    .await?;
    let node = act
        .up
        .client()
        .get_node(&id)
        .await
        .map_err(|e| ApiError::cloud(&e, act.up.api_name()))?
        .value;
    let call = async {
        act.up.client().delete_node(&id).await?;
        Ok::<_, CloudError>(Acted::new(&id, &node.name))
    };
    act.run(
        "e2e_node.delete",
        json!({
            "plan": node.plan,
            "public_ip_address": node.public_ip_address,
            "billing_type": node.billing_type,
        }),
        StatusCode::OK,
        "e2e_node",
        call,
    )
    .await
}
