//! The one path of a change to a cloud resource: the permission is checked
//! and the account opened ([`Act::begin`]); a form value that cannot be used
//! is a flash message and nothing is sent ([`Act::invalid`]); otherwise the
//! `requested` event is recorded before the call and the outcome after it,
//! with one correlation id, and the user is redirected with a flash message
//! ([`Act::run`]). No audit record, no change.

use std::future::Future;

use actix_session::Session;
use actix_web::HttpResponse;
use serde_json::Value;

use super::form::{FieldErrors, api_fields};
use super::{AccountParam, Fallback, Upstream, check_id, connect};
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::rbac::Permission;
use crate::tenant::Enqueued;
use crate::web::error::{AppError, AppResult};
use crate::web::flash::Kept;
use crate::web::org_ctx::OrgCtx;
use crate::web::{confirm, flash, redirect};

/// What the Cloud Panel answers a change with: the object, named for the
/// audit log and the flash message.
pub trait Named {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
}

/// Records `event` as requested, runs `call`, and records its outcome; the
/// success names the target as `named` reads it from the answer (id, name).
///
/// A change the account's request budget cannot take now is not refused: the
/// client parks it, it goes in the account's queue with a `queued` event, and
/// the answer is [`CloudError::Queued`] with its place in line (a full queue:
/// [`CloudError::QueueFull`], recorded `failed`). While earlier changes of the
/// account wait, a new one goes behind them rather than overtaking them.
pub async fn recorded<T>(
    up: &Upstream,
    event: NewEvent,
    call: impl Future<Output = Result<T, CloudError>>,
    named: impl FnOnce(&T) -> (String, String),
) -> AppResult<Result<T, CloudError>> {
    let action = event.action.clone();
    // A kind the organisation holds for approval: the request the client
    // would send is kept (the slot parks every change), never sent.
    if let Some(kind) = up.account.approval_needed(&event).await? {
        let parking = up.account.parking();
        parking.arm(true);
        let result = call.await;
        let parked = parking.disarm();
        return match (result, parked) {
            (Err(CloudError::Queued { .. }), Some(raw)) => {
                let approval_id = up.account.hold(kind, &event, &raw).await?;
                Ok(Err(CloudError::HeldForApproval { approval_id }))
            }
            // Refused before anything was kept (a grant, a scope): as it is.
            (other, _) => Ok(other),
        };
    }
    let behind_others = up.account.has_waiting().await?;
    let pending = up.account.request(event).await?;
    // Armed only for this call: the call is a future that has not started yet.
    let parking = up.account.parking();
    parking.arm(behind_others);
    let result = call.await;
    let parked = parking.disarm();
    match result {
        Err(CloudError::Queued { .. }) => {
            let Some(raw) = parked else {
                // A queued answer without a parked request cannot be sent later.
                let e = CloudError::Undecodable {
                    detail: "the change could not be kept for later".into(),
                };
                pending
                    .finish(
                        Outcome::Failed,
                        None,
                        Some(e.user_message_for(up.api_name())),
                    )
                    .await?;
                return Ok(Err(e));
            };
            match up.account.enqueue(pending, raw).await? {
                Enqueued::Queued {
                    id,
                    position,
                    wait_secs,
                } => {
                    tracing::info!(
                        action,
                        queue_id = id,
                        position,
                        "a change waits in the account's queue"
                    );
                    Ok(Err(CloudError::Queued {
                        position,
                        wait_secs,
                        queue_id: Some(id),
                    }))
                }
                Enqueued::Full {
                    waiting,
                    retry_after_secs,
                } => Ok(Err(CloudError::QueueFull {
                    waiting,
                    retry_after_secs,
                })),
            }
        }
        Ok(answer) => {
            let (id, name) = named(&answer);
            pending
                .finish_with_target(Outcome::Succeeded, Some((&id, &name)))
                .await?;
            Ok(Ok(answer))
        }
        Err(e) => {
            pending
                .finish(
                    Outcome::Failed,
                    e.status(),
                    Some(e.user_message_for(up.api_name())),
                )
                .await?;
            tracing::info!(action, error = %e, "a cloud change failed upstream");
            Ok(Err(e))
        }
    }
}

/// A change the account's budget could not take now waits in its queue:
/// said as news, and the user goes on to `then` (a form is not shown again
/// with the queue as its problem). `None` for any other answer.
///
/// A change held for approval goes to its request instead, where its
/// requester says why (`then` is one of the organisation's pages, so it
/// names the organisation).
pub fn queued(session: &Session, e: &CloudError, then: &str) -> Option<HttpResponse> {
    e.is_queued().then(|| {
        flash::cloud_error(session, e);
        match (
            e,
            then.strip_prefix("/o/").and_then(|r| r.split('/').next()),
        ) {
            (CloudError::HeldForApproval { approval_id }, Some(slug)) => {
                redirect(&["/o/", slug, "/approvals/", &approval_id.to_string()].concat())
            }
            _ => redirect(then),
        }
    })
}

/// The object a change acts on, and where the user goes afterwards.
pub struct Target {
    /// The audit log's target type: `server`, `block_storage`, ...
    pub kind: &'static str,
    /// Empty for a creation.
    pub id: String,
    /// The object's page on the account acted on (the list for a creation).
    pub page: String,
    /// The list of the account acted on: where to go when the object is gone.
    pub list: String,
}

/// One change, described for the audit log and the user.
pub struct Change {
    pub action: &'static str,
    /// Redacted request details (never a password or a token).
    pub details: Value,
    /// The flash message on success; `{name}` is replaced by the object's name.
    pub success: String,
    /// Where to go on success; the object's page unless said.
    pub then: Then,
}

/// Where a successful change leads.
pub enum Then {
    /// The object's page.
    Page,
    /// The list (after a deletion).
    List,
    /// The page of the object the answer names (after a creation).
    Created(fn(&OrgCtx, &Upstream, &str) -> String),
}

impl Change {
    pub fn new(action: &'static str, details: Value, success: impl Into<String>) -> Self {
        Self {
            action,
            details,
            success: success.into(),
            then: Then::Page,
        }
    }

    pub fn then(mut self, then: Then) -> Self {
        self.then = then;
        self
    }
}

/// A change under way: the permission is checked and the account the
/// form's address names is open (the organisation's default when it names
/// none, never another tab's choice).
pub struct Act<'a> {
    pub ctx: &'a OrgCtx,
    pub session: &'a Session,
    pub up: Upstream,
    pub target: Target,
    /// What was typed into the form, kept for the page when the change
    /// cannot go ahead (a bad value, a refusal, a full queue).
    kept: Option<Kept>,
}

impl<'a> Act<'a> {
    /// Checks the permission and opens the account; `target` builds the
    /// object's addresses on that account.
    pub async fn begin(
        ctx: &'a OrgCtx,
        session: &'a Session,
        account: &AccountParam,
        permission: Permission,
        target: impl FnOnce(&Upstream) -> Target,
    ) -> AppResult<Self> {
        let tenant = ctx.require(permission).await?;
        let up = connect(ctx, &tenant, session, account, Fallback::Default).await?;
        let target = target(&up);
        if !target.id.is_empty() {
            check_id(&target.id)?;
        }
        Ok(Self {
            ctx,
            session,
            up,
            target,
            kept: None,
        })
    }

    /// Keeps what was typed into the page's form `form` for the page the
    /// user is sent back to, should the change not go ahead. Secrets are
    /// never kept (see [`Kept::typed`]).
    pub fn keeping(mut self, form: &str, fields: &impl serde::Serialize) -> Self {
        self.kept = Some(Kept::typed(form, fields));
        self
    }

    /// Sends the user back to the object's page with the form as typed,
    /// each message in `errors` beside its field.
    fn back(&self, errors: std::collections::BTreeMap<String, String>) -> HttpResponse {
        if let Some(kept) = &self.kept {
            let mut kept = kept.clone();
            kept.errors = errors;
            flash::keep(self.session, kept);
        }
        redirect(&self.target.page)
    }

    /// Records the request, runs it, records the outcome, and answers with
    /// a flash message and a redirect. Upstream errors become plain words.
    pub async fn run<T: Named>(
        &self,
        change: Change,
        call: impl Future<Output = Result<T, CloudError>>,
    ) -> AppResult<HttpResponse> {
        let event = NewEvent::new(change.action, Outcome::Requested)
            .target(self.target.kind, &self.target.id, "")
            .details(change.details);
        let answer = recorded(&self.up, event, call, |object: &T| {
            (object.id().to_owned(), object.name().to_owned())
        })
        .await?;
        match answer {
            Ok(object) => {
                let name = if object.name().is_empty() {
                    "It".to_owned()
                } else {
                    object.name().to_owned()
                };
                flash::success(self.session, change.success.replace("{name}", &name));
                let then = match change.then {
                    Then::Page => self.target.page.clone(),
                    Then::List => self.target.list.clone(),
                    Then::Created(page) if !object.id().is_empty() => {
                        page(self.ctx, &self.up, object.id())
                    }
                    Then::Created(_) => self.target.list.clone(),
                };
                Ok(redirect(&then))
            }
            Err(e) => self.refused(&e),
        }
    }

    /// The answer to a change that did not go ahead upstream: queued, it is
    /// news on the object's page; gone meanwhile, the list; otherwise the
    /// error on the object's page, with the form as typed and the API's
    /// words beside the fields it names.
    ///
    /// An object the member's scope leaves out is not found, as another
    /// organisation's: nothing about it is said.
    pub fn refused(&self, e: &CloudError) -> AppResult<HttpResponse> {
        if e.outside_scope() {
            return Err(AppError::NotFound.in_page(&self.ctx.page));
        }
        if let Some(response) = queued(self.session, e, &self.target.page) {
            return Ok(response);
        }
        if matches!(e, CloudError::NotFound { .. }) && !self.target.id.is_empty() {
            flash::error(
                self.session,
                format!(
                    "This no longer exists in {}: it was removed meanwhile.",
                    self.up.api_name()
                ),
            );
            return Ok(redirect(&self.target.list));
        }
        flash::cloud_error_from(self.session, e, self.up.api_name());
        let errors = match &self.kept {
            Some(kept) => api_fields(e)
                .into_iter()
                .filter_map(|api| kept.values.get_key_value(api))
                .map(|(field, _)| (field.clone(), e.user_message_for(self.up.api_name())))
                .collect(),
            None => Default::default(),
        };
        Ok(self.back(errors))
    }

    /// A form value that cannot be used: said in a flash message, nothing
    /// sent, the form kept as typed.
    pub fn invalid(&self, message: &str) -> AppResult<HttpResponse> {
        flash::error(self.session, message.to_owned());
        Ok(self.back(Default::default()))
    }

    /// Form values that cannot be used, each said beside its field and
    /// summed up above the page; nothing sent, the form kept as typed.
    pub fn invalid_fields(&self, errors: FieldErrors) -> AppResult<HttpResponse> {
        flash::error(
            self.session,
            "Some values cannot be used; see the messages beside the fields. Nothing was changed.",
        );
        Ok(self.back(
            errors
                .into_iter()
                .map(|(field, message)| (field.to_owned(), message))
                .collect(),
        ))
    }

    /// A read the change depends on (the name to check, what the change
    /// takes with it) failed: said in a flash message, nothing sent.
    pub fn unreadable(&self, what: &str, e: &CloudError) -> AppResult<HttpResponse> {
        if e.outside_scope() {
            return Err(AppError::NotFound.in_page(&self.ctx.page));
        }
        if matches!(e, CloudError::NotFound { .. }) && !self.target.id.is_empty() {
            flash::error(
                self.session,
                format!(
                    "This no longer exists in {}: it was removed meanwhile.",
                    self.up.api_name()
                ),
            );
            return Ok(redirect(&self.target.list));
        }
        self.invalid(&format!(
            "Nothing was changed: the panel could not read the {what} ({}).",
            e.user_message_for(self.up.api_name())
        ))
    }

    /// A destructive POST without its confirm step: nothing sent.
    pub fn unconfirmed(&self, what: &str) -> AppResult<HttpResponse> {
        self.invalid(&confirm::refusal(what))
    }

    /// The object's page on the account acted on.
    pub fn page(&self) -> &str {
        &self.target.page
    }

    /// The list on the account acted on.
    pub fn list(&self) -> &str {
        &self.target.list
    }
}

/// A creation from a page of its own, on the account `up`: recorded like
/// every change ([`recorded`]). Created, the member goes to the new object's
/// page (the list when the answer names none) with `change.success`, its
/// `{name}` the new object's name, else `typed_name`. Queued, to the list
/// with the news. Refused, `show` renders the form again with what was
/// typed, the API's words beside the fields it names (`form_field` maps
/// the API's names to the form's) and the summary above.
#[allow(clippy::too_many_arguments)]
pub async fn create<T: Named, Fut>(
    ctx: &OrgCtx,
    session: &Session,
    up: &Upstream,
    family: &super::Family,
    change: Change,
    typed_name: &str,
    call: impl Future<Output = Result<T, CloudError>>,
    form_field: impl Fn(&str) -> Option<&'static str>,
    show: impl FnOnce(FieldErrors, String) -> Fut,
) -> AppResult<HttpResponse>
where
    Fut: Future<Output = AppResult<HttpResponse>>,
{
    let event = NewEvent::new(change.action, Outcome::Requested)
        .target(family.kind, "", typed_name)
        .details(change.details);
    let answer = recorded(up, event, call, |object: &T| {
        (object.id().to_owned(), object.name().to_owned())
    })
    .await?;
    let list = family.list_on(ctx, up);
    match answer {
        Ok(object) => {
            let name = if object.name().is_empty() {
                typed_name
            } else {
                object.name()
            };
            flash::success(session, change.success.replace("{name}", name));
            if object.id().is_empty() {
                return Ok(redirect(&list));
            }
            Ok(redirect(&family.page_href(ctx, up, object.id())))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(session, &e, &list) {
                return Ok(queued);
            }
            let api = up.api_name();
            let fields = super::api_field_errors_from(&e, form_field, api);
            let problem =
                super::form_problem_from(&e, !fields.is_empty(), "Nothing was created.", api);
            show(fields, problem).await
        }
    }
}
