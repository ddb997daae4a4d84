//! `GET /api/v1/o/{slug}/cloud_accounts`: the organisation's cloud
//! accounts the token may see, each with its request budget and how many
//! changes wait in its queue. As on the overview, Cloud Panel accounts are
//! opened under the first of its `show` flags the token holds, E2E
//! accounts under `e2e_nodes.show`; with neither, the answer is 403 under
//! `servers.show`, audited like the overview's refusal.

use actix_web::{HttpResponse, Route};
use serde_json::{Value, json};

use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::{ApiRoute, Verb};
use crate::rbac::perms;
use crate::web::org_home::cloud_panel_opener;

pub fn routes() -> Vec<ApiRoute> {
    vec![ApiRoute::org(
        Verb::Get,
        "/cloud_accounts",
        "Cloud accounts",
        "The organisation's cloud accounts, each with its request budget and waiting changes",
        None,
        |r: Route| r.to(list),
    )]
}

async fn list(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let mut flags = Vec::with_capacity(2);
    flags.extend(cloud_panel_opener(|p| ctx.can(p)));
    if ctx.can(perms::E2E_NODES_SHOW) {
        flags.push(perms::E2E_NODES_SHOW);
    }
    if flags.is_empty() {
        ctx.require(perms::SERVERS_SHOW).await?;
    }
    let mut accounts = Vec::new();
    for flag in flags {
        let tenant = ctx.require(flag).await?;
        let queues = tenant.queue_summary().await?;
        for row in tenant.accounts().await?.iter() {
            let budget = match tenant.cloud(Some(row.id)).await {
                Ok(account) => {
                    let b = account.client.budget();
                    json!({
                        "limit": b.limit,
                        "remaining": b.remaining,
                        "resets_in_secs": b.resets_in.as_secs(),
                    })
                }
                Err(e) => {
                    tracing::warn!(account_id = row.id, error = %e, "an account could not be opened for the API");
                    Value::Null
                }
            };
            let waiting = queues
                .iter()
                .find(|(id, _)| *id == row.id)
                .map_or(0, |(_, q)| q.waiting);
            accounts.push(json!({
                "id": row.id,
                "name": row.name,
                "provider": row.provider,
                "default": row.is_default,
                "budget": budget,
                "queue": { "waiting": waiting },
            }));
        }
    }
    Ok(HttpResponse::Ok().json(json!({ "cloud_accounts": accounts })))
}
