//! The changes to images and SSH keys over the API: create, edit (name and
//! description), stop an image's schedule, delete. Creations are checked by
//! their pages' own functions (`images::form::check_create`,
//! `ssh_keys::form::check_create`); an edit is the edit pages' flow
//! ([`Editable`]: the same values, checks, flags per changed value and
//! audit details), shared with the private networks and VPNs.
//!
//! An SSH key is imported, never generated: its public key is required (as
//! on the page), so the provider never makes a pair whose private key would
//! travel back, and an SSH key is never written out with one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde::Serialize;

use super::act::{ApiAct, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use super::storages::{CHANGE_OR_SAME, delete_route, field_errors, typed, unchanged};
use crate::rbac::perms;
use crate::web::cloud::{Changed, Editable, Named};
use crate::web::images::actions::stopped;
use crate::web::images::form::{self as image_form, Values as ImageValues};
use crate::web::images::{FAMILY as IMAGES, list::Images};
use crate::web::ssh_keys::form::{self as key_form, Values as KeyValues};
use crate::web::ssh_keys::{FAMILY as SSH_KEYS, list::SshKeys};

// ---- the edit, shared with the networks ----

/// A family whose edit page (`Editable`) the API's `PUT /<family>/{id}`
/// shares: the body's fields are the page's, under the family's kind.
pub(super) trait Edited: Editable<Object: Serialize> {
    /// The fields the edit takes, each optional: absent, it stays.
    const BODY_FIELDS: &'static [Param];
    /// What the other value's flag ([`Editable::OTHER`]) changes, in words.
    const OTHER_WORDS: &'static str = "";
}

/// The name and description of an edit body.
pub(super) const NAME_FIELDS: [Param; 2] = [
    Param::optional(
        "name",
        Kind::Text,
        "1 to 128 characters; absent, it stays. A new name needs the family's set_name permission.",
    ),
    Param::optional(
        "description",
        Kind::Text,
        "At most 256 characters (empty clears it); absent, it stays. A new description needs \
         the family's set_description permission.",
    ),
];

pub(super) fn edit_route<F: Edited>() -> ApiRoute {
    let family = F::FAMILY;
    let other = match F::OTHER {
        Some(flag) => format!(", {flag} for {}", F::OTHER_WORDS),
        None => String::new(),
    };
    ApiRoute::org(
        Verb::Put,
        &format!("/{}/{{id}}", family.word),
        family.title,
        format!(
            "Edit a {} ({} for a new name, {} for a new description{other})",
            family.one,
            F::FLAGS.name,
            F::FLAGS.description
        ),
        None,
        |r: Route| r.to(edit::<F>),
    )
    .query(DETAIL_QUERY)
    .body(Body {
        root: Some(family.kind),
        fields: F::BODY_FIELDS,
    })
    .answers(CHANGE_OR_SAME)
}

/// `PUT /<family>/{id}`: the edit page's save (`cloud::save_edit`) for a
/// script. It opens under the first of the family's flags the member
/// holds; the body's values are the object's with what it changes (a field
/// left out stays), checked by the page's `check`; each changed value needs
/// its own flag; nothing changed is answered, not sent.
async fn edit<F: Edited>(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let kind = F::FAMILY.kind;
    let input: F::Input = typed(
        &bytes,
        &Body {
            root: Some(kind),
            fields: F::BODY_FIELDS,
        },
    )?;
    let opening = F::opening_flag(|flag| ctx.can(flag));
    let act = ApiAct::begin(&ctx, opening, query.account()?, kind, &id).await?;
    let current = F::get(act.up.client(), &id)
        .await
        .map_err(|e| read_failed(&act.up, &e))?
        .value;
    let checked = F::check(&F::edited(&current, input)).map_err(field_errors)?;
    let changed = Changed::of::<F>(&current, &checked);
    for flag in changed.flags::<F>() {
        ctx.require(flag).await?;
    }
    if !changed.any() {
        let news = format!(
            "Nothing to save: {} already has these values.",
            current.name()
        );
        return Ok(unchanged(kind, &current, &news));
    }
    let body = F::body(&checked, changed);
    act.run(
        F::ACTION,
        changed.details::<F>(&checked),
        StatusCode::OK,
        kind,
        F::update(act.up.client(), &id, &body),
    )
    .await
}

impl Edited for image_form::Edit {
    const BODY_FIELDS: &'static [Param] = &NAME_FIELDS;
}

impl Edited for key_form::Edit {
    const BODY_FIELDS: &'static [Param] = &NAME_FIELDS;
}

// ---- images ----

const IMAGE_CREATE_FIELDS: &[Param] = &[
    Param::required(
        "server_id",
        Kind::Text,
        "The server to make the image from: one of /servers.",
    ),
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::optional(
        "frequency",
        Kind::Text,
        "ONCE (the default: now), DAILY or WEEKLY.",
    ),
    Param::optional(
        "num_images",
        Kind::Integer,
        "For DAILY and WEEKLY: how many images to keep, 1 to 50.",
    ),
];

const IMAGE_CREATE: Body = Body {
    root: Some("image"),
    fields: IMAGE_CREATE_FIELDS,
};

// ---- SSH keys ----

const KEY_CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::required(
        "public_key",
        Kind::Text,
        "An OpenSSH public key (ssh-ed25519 …, ssh-rsa …); the panel never has a pair generated.",
    ),
];

const KEY_CREATE: Body = Body {
    root: Some("ssh_key"),
    fields: KEY_CREATE_FIELDS,
};

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Post,
            "/images",
            IMAGES.title,
            "Make an image of a server, once or on a schedule",
            Some(perms::IMAGES_CREATE),
            |r: Route| r.to(image_create),
        )
        .query(DETAIL_QUERY)
        .body(IMAGE_CREATE)
        .answers(CREATE),
        edit_route::<image_form::Edit>(),
        ApiRoute::org(
            Verb::Post,
            "/images/{id}/frequency",
            IMAGES.title,
            "Stop making an image on a schedule (its frequency becomes ONCE; the images made \
             so far stay)",
            Some(perms::IMAGES_DISABLE_AUTOMATIC_CREATION),
            |r: Route| r.to(stop_schedule),
        )
        .query(DETAIL_QUERY)
        .answers(CHANGE_OR_SAME),
        delete_route::<Images>(),
        ApiRoute::org(
            Verb::Post,
            "/ssh_keys",
            SSH_KEYS.title,
            "Add an SSH public key",
            Some(perms::SSH_KEYS_CREATE),
            |r: Route| r.to(key_create),
        )
        .query(DETAIL_QUERY)
        .body(KEY_CREATE)
        .answers(CREATE),
        edit_route::<key_form::Edit>(),
        delete_route::<SshKeys>(),
    ]
}

/// `POST /images`: the create page's checks; the server must be one of the
/// account's (when they can be read).
async fn image_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let mut values = ImageValues::typed(typed(&bytes, &IMAGE_CREATE)?);
    // The create page's frequency starts on ONCE.
    if values.frequency.is_empty() {
        "ONCE".clone_into(&mut values.frequency);
    }
    let act = ApiAct::begin(
        &ctx,
        perms::IMAGES_CREATE,
        query.account()?,
        IMAGES.kind,
        "",
    )
    .await?;
    let servers = image_form::server_choices(&act.up).await;
    let body = image_form::check_create(&values, &servers).map_err(field_errors)?;
    let change = image_form::create_change(&body, &servers);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        IMAGES.kind,
        act.up.client().create_image(&body),
    )
    .await
}

/// `POST /images/{id}/frequency`: no new images from now on.
async fn stop_schedule(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let act = ApiAct::begin(
        &ctx,
        perms::IMAGES_DISABLE_AUTOMATIC_CREATION,
        query.account()?,
        IMAGES.kind,
        &id,
    )
    .await?;
    let image = act
        .up
        .client()
        .get_image(&id)
        .await
        .map_err(|e| read_failed(&act.up, &e))?
        .value;
    let (body, change) = match stopped(&image) {
        Ok(planned) => planned,
        Err(news) => return Ok(unchanged(IMAGES.kind, &image, &news)),
    };
    act.run(
        change.action,
        change.details,
        StatusCode::OK,
        IMAGES.kind,
        act.up.client().update_image(&id, &body),
    )
    .await
}

/// `POST /ssh_keys`: the key is checked to be an OpenSSH public key, as the
/// page checks it.
async fn key_create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let values = KeyValues::typed(typed(&bytes, &KEY_CREATE)?);
    let act = ApiAct::begin(
        &ctx,
        perms::SSH_KEYS_CREATE,
        query.account()?,
        SSH_KEYS.kind,
        "",
    )
    .await?;
    let body = key_form::check_create(&values).map_err(field_errors)?;
    let change = key_form::create_change(&body);
    act.run(
        change.action,
        change.details,
        StatusCode::CREATED,
        SSH_KEYS.kind,
        act.up.client().create_ssh_key(&body),
    )
    .await
}
