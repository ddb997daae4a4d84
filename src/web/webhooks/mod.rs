//! `/o/{slug}/webhooks`: the endpoints an organisation's audit events are
//! posted to, signed (see [`crate::tenant::WebhookSender`]). Everything
//! here needs `organisation.manage_webhooks`. The list holds the add form;
//! an endpoint's page its edit form, the rotate and delete buttons and the
//! delivery log with a Redeliver button per delivery. A secret is shown
//! once, in the answer that made it; no page waits for a receiver.

mod form;
mod view;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{NewEvent, Outcome};
use crate::config::Secret;
use crate::rbac::perms;
use crate::tenant::{FamilyChoice, Redelivery, Tenant, WEBHOOK_FAMILY_GROUPS, WebhookEndpoint};
use crate::web::confirm::{self, ConfirmStep, Confirmation, TypedName};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::routing::org_routes;
use crate::web::{flash, redirect, render};
use form::{EndpointForm, URL_NOT_ALLOWED};
use view::{DeliveryView, EndpointView, OutcomeChoice, outcome_choices};

org_routes! {
    "/webhooks" {
        GET  "" => list,
        POST "" => create,
        GET  "/{webhook_id}" => detail,
        POST "/{webhook_id}" => update,
        POST "/{webhook_id}/rotate" => rotate,
        POST "/{webhook_id}/delete" => delete,
        POST "/{webhook_id}/deliveries/{delivery_id}/redeliver" => redeliver,
    }
}

const SECTION: &str = "webhooks";

/// What both pages draw of the form and the allow-list.
struct FormFrame<'a> {
    groups: &'static [(&'static str, &'static [FamilyChoice])],
    outcomes: Vec<OutcomeChoice>,
    allowed_urls: &'a [String],
    may_set_any_url: bool,
}

impl<'a> FormFrame<'a> {
    fn new(state: &'a AppState, ctx: &OrgCtx) -> Self {
        Self {
            groups: &WEBHOOK_FAMILY_GROUPS,
            outcomes: outcome_choices(),
            allowed_urls: &state.settings.allowed_webhook_urls,
            may_set_any_url: ctx.user.is_instance_admin,
        }
    }
}

#[derive(Template)]
#[template(path = "webhooks/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    endpoints: Vec<EndpointView>,
    form: EndpointForm,
    frame: FormFrame<'a>,
}

#[derive(Template)]
#[template(path = "webhooks/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    endpoint: EndpointView,
    form: EndpointForm,
    frame: FormFrame<'a>,
    deliveries: Vec<DeliveryView>,
    /// The secret just made: shown in this one answer only.
    secret: Option<Secret>,
    rotate: ConfirmStep,
}

async fn list_page(
    state: &AppState,
    ctx: &OrgCtx,
    tenant: &Tenant<'_>,
    status: StatusCode,
    form: EndpointForm,
) -> AppResult<HttpResponse> {
    let endpoints = tenant
        .webhook_endpoints()
        .await?
        .iter()
        .map(EndpointView::new)
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        status,
        &ListPage {
            page: &page,
            org_name: &ctx.org().name,
            endpoints,
            form,
            frame: FormFrame::new(state, ctx),
        },
    )
}

async fn detail_page(
    state: &AppState,
    ctx: &OrgCtx,
    tenant: &Tenant<'_>,
    status: StatusCode,
    endpoint: &WebhookEndpoint,
    form: Option<EndpointForm>,
    secret: Option<Secret>,
) -> AppResult<HttpResponse> {
    let deliveries = tenant
        .webhook_deliveries(endpoint.id)
        .await?
        .iter()
        .map(DeliveryView::new)
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        status,
        &DetailPage {
            page: &page,
            endpoint: EndpointView::new(endpoint),
            form: form.unwrap_or_else(|| EndpointForm::of(endpoint)),
            frame: FormFrame::new(state, ctx),
            deliveries,
            secret,
            rotate: ConfirmStep {
                action: ctx.href(&format!("webhooks/{}/rotate", endpoint.id)),
                verb: "Rotate the secret",
                subject: endpoint.name.clone(),
                button: format!("Yes, give “{}” a new secret", endpoint.name),
                consequence: "Deliveries are signed with the new secret at once; a receiver \
                              still checking with the old one refuses them until it is given the new one."
                    .to_owned(),
            },
        },
    )
}

/// The endpoint named by the path, in this organisation; another's is the 404 page.
async fn load(ctx: &OrgCtx, tenant: &Tenant<'_>, id: i64) -> AppResult<WebhookEndpoint> {
    tenant
        .webhook_endpoint(id)
        .await?
        .ok_or_else(|| AppError::NotFound.in_page(&ctx.page))
}

async fn list(state: web::Data<AppState>, ctx: OrgCtx) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    list_page(&state, &ctx, &tenant, StatusCode::OK, EndpointForm::fresh()).await
}

/// A URL outside the allow-list is recorded before the form comes back.
async fn record_refused_url(
    tenant: &Tenant<'_>,
    action: &str,
    form: &EndpointForm,
) -> AppResult<()> {
    tenant
        .record_attempt(
            NewEvent::new(action, Outcome::Failed)
                .target("webhook", "", &form.name)
                .details(json!({ "url": form.url }))
                .error(URL_NOT_ALLOWED),
        )
        .await?;
    Ok(())
}

/// Adds an endpoint and answers with its page, showing the secret once.
async fn create(
    state: web::Data<AppState>,
    ctx: OrgCtx,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    let mut form = EndpointForm::posted(&body, false);
    let checked = match form::check(&state, &ctx, &mut form, None) {
        Ok(checked) => checked,
        Err(refusal) => {
            if refusal.url_not_allowed {
                record_refused_url(&tenant, "webhook.create", &form).await?;
            }
            return list_page(
                &state,
                &ctx,
                &tenant,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
            )
            .await;
        }
    };
    let (id, secret) = tenant.create_webhook(&checked.input()).await?;
    let endpoint = load(&ctx, &tenant, id).await?;
    detail_page(
        &state,
        &ctx,
        &tenant,
        StatusCode::OK,
        &endpoint,
        None,
        Some(secret),
    )
    .await
}

async fn detail(
    state: web::Data<AppState>,
    ctx: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    let endpoint = load(&ctx, &tenant, path.into_inner().1).await?;
    detail_page(&state, &ctx, &tenant, StatusCode::OK, &endpoint, None, None).await
}

/// Saves the edit form; a bad field shows the page again with its message.
async fn update(
    state: web::Data<AppState>,
    session: Session,
    ctx: OrgCtx,
    path: web::Path<(String, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    let endpoint = load(&ctx, &tenant, path.into_inner().1).await?;
    let mut form = EndpointForm::posted(&body, true);
    let checked = match form::check(&state, &ctx, &mut form, Some(&endpoint)) {
        Ok(checked) => checked,
        Err(refusal) => {
            if refusal.url_not_allowed {
                record_refused_url(&tenant, "webhook.update", &form).await?;
            }
            return detail_page(
                &state,
                &ctx,
                &tenant,
                StatusCode::UNPROCESSABLE_ENTITY,
                &endpoint,
                Some(form),
                None,
            )
            .await;
        }
    };
    if !tenant.update_webhook(endpoint.id, &checked.input()).await? {
        return Err(AppError::NotFound.in_page(&ctx.page));
    }
    flash::success(
        &session,
        format!("The endpoint “{}” was saved.", checked.name.as_str()),
    );
    Ok(redirect(&ctx.href(&format!("webhooks/{}", endpoint.id))))
}

/// A new secret, shown once in the answer; the old one stops at once.
async fn rotate(
    state: web::Data<AppState>,
    session: Session,
    ctx: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    let endpoint = load(&ctx, &tenant, path.into_inner().1).await?;
    if !form.given() {
        confirm::refuse(
            &session,
            &format!("give the endpoint “{}” a new secret", endpoint.name),
        );
        return Ok(redirect(&ctx.href(&format!("webhooks/{}", endpoint.id))));
    }
    let Some(secret) = tenant.rotate_webhook_secret(endpoint.id).await? else {
        return Err(AppError::NotFound.in_page(&ctx.page));
    };
    detail_page(
        &state,
        &ctx,
        &tenant,
        StatusCode::OK,
        &endpoint,
        None,
        Some(secret),
    )
    .await
}

/// Deletes the endpoint and its delivery log, once its name is typed.
async fn delete(
    session: Session,
    ctx: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    let endpoint = load(&ctx, &tenant, path.into_inner().1).await?;
    if form.confirm_name.trim() != endpoint.name {
        flash::error(
            &session,
            format!(
                "Type “{}” to delete this endpoint. Nothing was changed.",
                endpoint.name
            ),
        );
        return Ok(redirect(&ctx.href(&format!("webhooks/{}", endpoint.id))));
    }
    let Some(deleted) = tenant.delete_webhook(endpoint.id).await? else {
        return Err(AppError::NotFound.in_page(&ctx.page));
    };
    flash::success(
        &session,
        format!(
            "The endpoint “{}” was deleted with its delivery log; nothing more is sent to it.",
            deleted.name
        ),
    );
    Ok(redirect(&ctx.href("webhooks")))
}

/// Asks for one more attempt now; the worker sends it, not this request.
async fn redeliver(
    session: Session,
    ctx: OrgCtx,
    path: web::Path<(String, i64, i64)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ORGANISATION_MANAGE_WEBHOOKS).await?;
    let (_, endpoint_id, delivery_id) = path.into_inner();
    match tenant.redeliver_webhook(endpoint_id, delivery_id).await? {
        Redelivery::Queued => flash::success(
            &session,
            "Redelivery asked: the panel makes a new attempt within a second. Reload this page to see it.",
        ),
        Redelivery::UnderWay => flash::info(
            &session,
            "An attempt of this delivery is under way: its outcome comes first. Nothing was changed.",
        ),
        Redelivery::NotFound => return Err(AppError::NotFound.in_page(&ctx.page)),
    }
    Ok(redirect(&ctx.href(&format!("webhooks/{endpoint_id}"))))
}
