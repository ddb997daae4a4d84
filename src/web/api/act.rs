//! The API's way to a cloud account and its one way to change something
//! there. Opening is the pages' (`Tenant::cloud` through the handle the
//! permission check gave); a change is the pages' audited path
//! ([`recorded`]: `requested` before the call, the outcome after, queued
//! when the budget is spent), answered in JSON: the object (200, 201 for a
//! creation), 202 with a status address for a queued change, or the
//! failure in the status that says whose it is ([`ApiError::cloud`]).
//! Every event of a change made with a token names the token's id.

use std::future::Future;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::DETAIL_QUERY;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::{CloudError, Fetched};
use crate::rbac::Permission;
use crate::tenant::{OpenError, Tenant};
use crate::web::cloud::{Named, Upstream, check_id, recorded};

/// Where a queued change's state is read: `GET` answers it as `queued`.
pub fn status_url(slug: &str, queue_id: i64) -> String {
    format!("/api/v1/o/{slug}/queue/{queue_id}")
}

impl ApiCtx {
    /// Checks `permission` and opens the account `account` names (the
    /// default one of the permission's provider when none): another
    /// organisation's account is not found, like an unknown one.
    pub async fn open(
        &self,
        permission: Permission,
        account: Option<i64>,
    ) -> Result<Upstream, ApiError> {
        let tenant = self.require(permission).await?;
        open_on(&tenant, account).await
    }

    /// An id of the path, checked like the pages check theirs.
    pub fn object_id(&self, name: &str) -> Result<String, ApiError> {
        let id = self.path(name);
        check_id(id).map_err(|_| ApiError::not_found())?;
        Ok(id.to_owned())
    }
}

pub async fn open_on(tenant: &Tenant<'_>, account: Option<i64>) -> Result<Upstream, ApiError> {
    match tenant.cloud(account).await {
        Ok(account) => Ok(Upstream { account }),
        Err(OpenError::NotFound) => Err(ApiError::not_found()),
        Err(OpenError::NoAccount { of }) => Err(ApiError::conflict(format!(
            "This organisation has no {} account yet.",
            of.title()
        ))),
        Err(OpenError::OtherProvider { is, wanted }) => Err(ApiError::invalid(format!(
            "account is an {is} account; this route acts on {wanted} accounts"
        ))),
        Err(OpenError::UnknownProvider(kind)) => Err(ApiError::conflict(format!(
            "This cloud account is of a kind ({kind}) this panel cannot open."
        ))),
        Err(OpenError::Failed(e)) => Err(e.into()),
    }
}

/// How old a read's answer is and why it is not fresh, beside the value.
pub fn meta<T>(up: &Upstream, fetched: &Fetched<T>) -> Value {
    let age = (chrono::Utc::now() - fetched.fetched_at)
        .num_seconds()
        .max(0);
    json!({
        "account": up.row().id,
        "fetched_at": fetched.fetched_at.to_rfc3339(),
        "age_secs": age,
        "stale": fetched.stale,
        "stale_reason": fetched
            .stale_reason
            .as_ref()
            .map(|r| r.describe_for(up.api_name())),
    })
}

/// A read's failure with nothing known to show.
pub fn read_failed(up: &Upstream, e: &CloudError) -> ApiError {
    ApiError::cloud(e, up.api_name())
}

/// A change under way: the flag is checked, the account open, and the
/// object it acts on named for the audit log.
pub struct ApiAct<'a> {
    ctx: &'a ApiCtx,
    pub up: Upstream,
    kind: &'static str,
    id: String,
}

impl<'a> ApiAct<'a> {
    /// Checks `permission`, opens the account, and names the target
    /// (`id` empty for a creation).
    pub async fn begin(
        ctx: &'a ApiCtx,
        permission: Permission,
        account: Option<i64>,
        kind: &'static str,
        id: &str,
    ) -> Result<Self, ApiError> {
        let up = ctx.open(permission, account).await?;
        Ok(Self {
            ctx,
            up,
            kind,
            id: id.to_owned(),
        })
    }

    /// [`Self::begin`] on the object the path's `{id}` names, on the
    /// account `?account=` names (the route's query is `DETAIL_QUERY`);
    /// with the id.
    pub async fn on_path(
        ctx: &'a ApiCtx,
        permission: Permission,
        kind: &'static str,
    ) -> Result<(Self, String), ApiError> {
        Self::on_path_checked(ctx, permission, kind, |ctx| ctx.object_id("id")).await
    }

    /// [`Self::on_path`] with the family's own id check (E2E's are numbers).
    pub async fn on_path_checked(
        ctx: &'a ApiCtx,
        permission: Permission,
        kind: &'static str,
        id: impl FnOnce(&ApiCtx) -> Result<String, ApiError>,
    ) -> Result<(Self, String), ApiError> {
        let query = ctx.query(DETAIL_QUERY)?;
        let id = id(ctx)?;
        let act = Self::begin(ctx, permission, query.account()?, kind, &id).await?;
        Ok((act, id))
    }

    /// A provider's failure in this account's words, for `map_err`.
    pub fn failed(&self) -> impl Fn(CloudError) -> ApiError + use<> {
        let api = self.up.api_name();
        move |e| ApiError::cloud(&e, api)
    }

    /// Records the request (naming the token), sends it, records the
    /// outcome, and answers with the object under `key` (`201` when
    /// `status` says so), or 202 when it waits in the account's queue.
    pub async fn run<T: Named + Serialize>(
        &self,
        action: &'static str,
        details: Value,
        status: StatusCode,
        key: &str,
        call: impl Future<Output = Result<T, CloudError>>,
    ) -> Result<HttpResponse, ApiError> {
        let event = NewEvent::new(action, Outcome::Requested)
            .target(self.kind, &self.id, "")
            .details(self.with_token(details));
        let answer = recorded(&self.up, event, call, |object: &T| {
            (object.id().to_owned(), object.name().to_owned())
        })
        .await?;
        match answer {
            Ok(object) => {
                let mut response = HttpResponse::build(status);
                if status == StatusCode::CREATED && !object.id().is_empty() {
                    response.insert_header((
                        actix_web::http::header::LOCATION,
                        format!("{}/{}", self.ctx.req.path(), object.id()),
                    ));
                }
                Ok(response.json(json!({ key: object })))
            }
            Err(e) => self.refused(&e),
        }
    }

    /// A change that did not go ahead upstream: queued is 202 with where
    /// to follow it; anything else the failure's status.
    fn refused(&self, e: &CloudError) -> Result<HttpResponse, ApiError> {
        if let CloudError::Queued {
            position,
            wait_secs,
            queue_id: Some(queue_id),
        } = e
        {
            let url = status_url(self.ctx.slug(), *queue_id);
            return Ok(HttpResponse::Accepted()
                .insert_header((actix_web::http::header::LOCATION, url.clone()))
                .json(json!({
                    "queued": {
                        "id": queue_id,
                        "position": position,
                        "wait_secs": wait_secs,
                        "status_url": url,
                        "message": e.user_message_for(self.up.api_name()),
                    }
                })));
        }
        if let CloudError::HeldForApproval { approval_id } = e {
            let url = format!("/o/{}/approvals/{approval_id}", self.ctx.slug());
            return Ok(HttpResponse::Accepted().json(json!({
                "held_for_approval": {
                    "id": approval_id,
                    "state": "draft",
                    "page": url,
                    "message": e.user_message_for(self.up.api_name()),
                }
            })));
        }
        Err(ApiError::cloud(e, self.up.api_name()))
    }

    /// The event's details, naming the token the change came with (not
    /// `api_token_id`: keys naming a token are redacted).
    fn with_token(&self, details: Value) -> Value {
        let id = Value::from(self.ctx.token.id);
        match details {
            Value::Object(mut map) => {
                map.insert("api_access_id".into(), id);
                Value::Object(map)
            }
            Value::Null => json!({ "api_access_id": id }),
            other => json!({ "value": other, "api_access_id": id }),
        }
    }
}
