//! A Cloud Panel user's API key, shown once: asked for with a POST (never a
//! link a browser could replay or a proxy keep), answered directly with a
//! page that is not stored (`Cache-Control: no-store`), audited as a pair
//! without the key. Afterwards the panel shows only its last four
//! characters. The same page offers to keep the key as one of the
//! organisation's cloud accounts, where it is sealed like every token.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::FAMILY;
use super::actions::current;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::access::User;
use crate::cloudpanel::{CloudError, SecretToken};
use crate::rbac::perms;
use crate::web::cloud::{Act, Object, recorded};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

#[derive(Template)]
#[template(path = "cloud_users/key.html")]
struct KeyPage<'a> {
    page: &'a PageCtx,
    user_name: String,
    user_href: String,
    /// The key; shown on this page and nowhere else.
    key: String,
    regenerated: bool,
    /// Keeping the key as a cloud account, for a member who may add one.
    store: Option<Store>,
}

/// The form that posts the key to the cloud accounts page.
struct Store {
    action: String,
    name: String,
    base_url: String,
}

/// The answer page: rendered straight from the POST, never stored.
fn key_page(
    act: &Act<'_>,
    user: &User,
    key: &SecretToken,
    regenerated: bool,
) -> AppResult<HttpResponse> {
    let ctx = act.ctx;
    let store = ctx
        .can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .then(|| Store {
            action: ctx.href("cloud_accounts"),
            name: user.name.chars().take(60).collect(),
            base_url: act.up.row().base_url.clone(),
        });
    let page = ctx.page.clone().with_section(FAMILY.word);
    let mut response = render(
        StatusCode::OK,
        &KeyPage {
            page: &page,
            user_name: user.name.clone(),
            user_href: act.page().to_owned(),
            key: key.expose().to_owned(),
            regenerated,
            store,
        },
    )?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store, private"),
    );
    response
        .headers_mut()
        .insert(header::PRAGMA, header::HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// A read or change that failed: said on the user's page, nothing shown.
fn failed(act: &Act<'_>, e: &CloudError) -> AppResult<HttpResponse> {
    if matches!(e, CloudError::NotFound { .. }) {
        flash::error(
            act.session,
            "This no longer exists in the Cloud Panel: it was removed meanwhile.",
        );
        return Ok(redirect(act.list()));
    }
    flash::cloud_error(act.session, e);
    Ok(redirect(act.page()))
}

fn no_key(act: &Act<'_>, user: &User) -> AppResult<HttpResponse> {
    flash::info(
        act.session,
        format!(
            "{} has no API key: turn API access on to issue one.",
            user.name
        ),
    );
    Ok(redirect(act.page()))
}

/// Shows the user's current key once.
pub async fn show(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_MANAGE_API, &FAMILY)
        .await?;
    let user = match current(&act, id).await {
        Ok(user) => user,
        Err(response) => return Ok(response),
    };
    let event = NewEvent::new("cloud_user.api_key_show", Outcome::Requested)
        .target(FAMILY.kind, id, &user.name)
        .details(json!({ "shown_once": true }));
    let client = act.up.client();
    let answer = recorded(
        &act.up,
        event,
        async { client.get_user_api_key(id).await.map(|f| f.value) },
        |_| (id.clone(), user.name.clone()),
    )
    .await?;
    match answer {
        Ok(found) => match found.key {
            Some(key) => key_page(&act, &user, &key, false),
            None => no_key(&act, &user),
        },
        Err(e) => failed(&act, &e),
    }
}

/// Issues a new key (the old one stops working) and shows it once.
pub async fn regenerate(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    confirmation: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_MANAGE_API, &FAMILY)
        .await?;
    let user = match current(&act, id).await {
        Ok(user) => user,
        Err(response) => return Ok(response),
    };
    if !confirmation.given() {
        return act.unconfirmed(&format!("issue {} a new API key", user.name));
    }
    let event = NewEvent::new("cloud_user.api_key_regenerate", Outcome::Requested)
        .target(FAMILY.kind, id, &user.name)
        .details(
            json!({ "previous_last_four": user.api.key.as_ref().map(SecretToken::last_four) }),
        );
    let client = act.up.client();
    let answer = recorded(
        &act.up,
        event,
        client.regenerate_user_api_key(id),
        |u: &User| (u.id.clone(), u.name.clone()),
    )
    .await?;
    if let Err(e) = answer {
        return failed(&act, &e);
    }
    // The change answers the user while it is still CONFIGURING; the key is
    // read back from the user's API access, which the change took out of the cache.
    match client.get_user_api(id).await {
        Ok(api) => match api.value.key {
            Some(key) => key_page(&act, &user, &key, true),
            None => no_key(&act, &user),
        },
        Err(e) => {
            flash::error(
                &session,
                format!(
                    "A new key was issued, but it could not be read back: {} Use “Show the key once”.",
                    e.user_message()
                ),
            );
            Ok(redirect(act.page()))
        }
    }
}
