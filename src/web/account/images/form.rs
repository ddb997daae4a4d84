//! Creating an image from a server (server, name, description, how often
//! it is made and how many are kept) and editing one (name and description,
//! each behind its own flag). Every value is checked before anything is
//! sent, and the form comes back with what was typed and a message beside
//! each bad field. A change to a value the member may not change is refused
//! like any missing permission (403, audited as denied).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::FAMILY;
use super::view::schedule;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::images::{CreateImage, Frequency, Image, UpdateImage};
use crate::domain::{parse_resource_description, parse_resource_name};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{
    AccountParam, Change, Choice, Choices, Fallback, FieldErrors, Object, Upstream, among,
    api_field_errors, check_id, connect, form_problem, found, recorded,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

const FIELDS: &[&str] = &[
    "server_id",
    "name",
    "description",
    "frequency",
    "num_images",
];

/// The frequencies the API offers, as the select shows them.
pub const FREQUENCIES: &[(&str, &str)] = &[
    ("ONCE", "Once, now"),
    ("DAILY", "Every day"),
    ("WEEKLY", "Every week"),
];

/// The posted form; a field the page did not offer is absent.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    server_id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    frequency: Option<String>,
    num_images: Option<String>,
}

/// What the form shows: what was typed, or the image's current values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub server_id: String,
    pub name: String,
    pub description: String,
    pub frequency: String,
    pub num_images: String,
}

impl Values {
    fn typed(input: Input) -> Self {
        Self {
            server_id: input.server_id.unwrap_or_default(),
            name: input.name.unwrap_or_default(),
            description: input.description.unwrap_or_default(),
            frequency: input.frequency.unwrap_or_default(),
            num_images: input.num_images.unwrap_or_default(),
        }
    }

    fn of(image: &Image) -> Self {
        Self {
            server_id: image.server_id.clone().unwrap_or_default(),
            name: image.name.clone(),
            description: image.description.clone(),
            frequency: image.frequency.as_str().to_owned(),
            num_images: image.num_images.map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    /// The image's values with what the form changed; a field it did not
    /// send stays as it is.
    fn edited(image: &Image, input: Input) -> Self {
        let current = Self::of(image);
        Self {
            name: input.name.unwrap_or(current.name),
            description: input.description.unwrap_or(current.description),
            ..current
        }
    }
}

fn check_names(v: &Values, errors: &mut FieldErrors) -> (String, String) {
    let name = parse_resource_name(&v.name).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    });
    let description = parse_resource_description(&v.description).unwrap_or_else(|e| {
        errors.insert("description", e);
        String::new()
    });
    (name, description)
}

/// A creation's body, or the messages beside the fields. The server must be
/// one of those listed (when the list could be read); a daily or weekly
/// image needs how many to keep, 1 to 50.
fn check_create(v: &Values, servers: &Choices) -> Result<CreateImage, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(v, &mut errors);
    let server_id = v.server_id.trim();
    if server_id.is_empty() {
        errors.insert(
            "server_id",
            "Choose the server to make the image from.".into(),
        );
    } else if check_id(server_id).is_err()
        || (servers.problem.is_none() && !servers.items.iter().any(|c| c.id == server_id))
    {
        errors.insert("server_id", "Choose one of the listed servers.".into());
    }
    let frequency = match v.frequency.as_str() {
        "ONCE" => Frequency::Once,
        "DAILY" => Frequency::Daily,
        "WEEKLY" => Frequency::Weekly,
        _ => {
            errors.insert("frequency", "Choose how often the image is made.".into());
            Frequency::Once
        }
    };
    let num_images = if matches!(frequency, Frequency::Once) {
        None
    } else {
        match v.num_images.trim().parse::<u32>() {
            Ok(n) if (1..=50).contains(&n) => Some(n),
            _ => {
                errors.insert(
                    "num_images",
                    "Give how many images to keep: a whole number from 1 to 50.".into(),
                );
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CreateImage {
        server_id: server_id.to_owned(),
        name,
        frequency,
        num_images,
        description: (!description.is_empty()).then_some(description),
        ..CreateImage::default()
    })
}

/// Which values the member may change.
pub struct May {
    pub name: bool,
    pub description: bool,
}

/// The flag that opens the edit form: the first of the two the member
/// holds; a member with neither is refused for the name's.
fn edit_permission(ctx: &OrgCtx) -> Permission {
    if !ctx.can(perms::IMAGES_SET_NAME) && ctx.can(perms::IMAGES_SET_DESCRIPTION) {
        perms::IMAGES_SET_DESCRIPTION
    } else {
        perms::IMAGES_SET_NAME
    }
}

#[derive(Template)]
#[template(path = "images/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    /// The image being edited; `None` on the create form.
    editing: Option<&'a Image>,
    /// The edited image's schedule, in words.
    schedule: String,
    may: May,
    servers: Choices,
    frequencies: &'static [(&'static str, &'static str)],
    busy: Option<String>,
}

impl FormPage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

struct Form<'a> {
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    status: StatusCode,
}

/// The servers an image can be made from.
async fn server_choices(up: &Upstream) -> Choices {
    Choices::from(
        "the servers",
        up.client().list_servers(&ListQuery::all()).await,
        |s| Choice::of(&s.id, &s.name),
    )
}

fn show_create(
    ctx: &OrgCtx,
    up: &Upstream,
    servers: Choices,
    form: Form<'_>,
) -> AppResult<HttpResponse> {
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        form.status,
        &FormPage {
            page: &page,
            v: form.v,
            errors: form.errors,
            problem: form.problem,
            action: FAMILY.list_on(ctx, up),
            back_href: FAMILY.list_on(ctx, up),
            editing: None,
            schedule: String::new(),
            may: May {
                name: true,
                description: true,
            },
            servers,
            frequencies: FREQUENCIES,
            busy: None,
        },
    )
}

fn show_edit(
    ctx: &OrgCtx,
    up: &Upstream,
    image: &Image,
    form: Form<'_>,
) -> AppResult<HttpResponse> {
    let href = FAMILY.href(ctx, &image.id);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        form.status,
        &FormPage {
            page: &page,
            v: form.v,
            errors: form.errors,
            problem: form.problem,
            action: format!("{href}/edit{}", up.query()),
            back_href: format!("{href}{}", up.query()),
            editing: Some(image),
            schedule: schedule(image),
            may: May {
                name: ctx.can(perms::IMAGES_SET_NAME),
                description: ctx.can(perms::IMAGES_SET_DESCRIPTION),
            },
            servers: Choices::default(),
            frequencies: FREQUENCIES,
            // The API renames and describes an image while it is being made.
            busy: None,
        },
    )
}

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::IMAGES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let servers = server_choices(&up).await;
    let v = Values {
        frequency: "ONCE".into(),
        ..Values::default()
    };
    show_create(
        &ctx,
        &up,
        servers,
        Form {
            v: &v,
            errors: &FieldErrors::new(),
            problem: None,
            status: StatusCode::OK,
        },
    )
}

pub async fn create(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::IMAGES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = Values::typed(input.into_inner());
    let servers = server_choices(&up).await;
    let body = match check_create(&v, &servers) {
        Ok(body) => body,
        Err(errors) => {
            let form = Form {
                v: &v,
                errors: &errors,
                problem: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return show_create(&ctx, &up, servers, form);
        }
    };
    let change = Change::new(
        "image.create",
        json!({
            "server_id": body.server_id,
            "name": body.name,
            "description": body.description,
            "frequency": body.frequency.as_str(),
            "num_images": body.num_images,
        }),
        format!("Making {{name}} from {}.", servers.name_of(&body.server_id)),
    );
    let again = (&ctx, &up, &v);
    crate::web::cloud::create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &body.name,
        up.client().create_image(&body),
        among(FIELDS),
        |errors, problem| async move {
            let form = Form {
                v: again.2,
                errors: &errors,
                problem: Some(problem),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_create(again.0, again.1, servers, form)
        },
    )
    .await
}

/// The image, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<Image> {
    Ok(found(ctx, "this image", up.client().get_image(id).await)?.value)
}

pub async fn edit(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, edit_permission(&ctx)).await?;
    let image = load(&ctx, &up, &object.id).await?;
    let form = Form {
        v: &Values::of(&image),
        errors: &FieldErrors::new(),
        problem: None,
        status: StatusCode::OK,
    };
    show_edit(&ctx, &up, &image, form)
}

pub async fn update(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, edit_permission(&ctx), &FAMILY)
        .await?;
    let up = &act.up;
    let image = load(&ctx, up, id).await?;
    let v = Values::edited(&image, input.into_inner());
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(&v, &mut errors);
    if !errors.is_empty() {
        let form = Form {
            v: &v,
            errors: &errors,
            problem: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return show_edit(&ctx, up, &image, form);
    }

    // Each changed value needs its own flag; a value that stays needs none.
    let name_changed = name != image.name;
    let description_changed = description != image.description;
    if name_changed {
        ctx.require(perms::IMAGES_SET_NAME).await?;
    }
    if description_changed {
        ctx.require(perms::IMAGES_SET_DESCRIPTION).await?;
    }
    if !(name_changed || description_changed) {
        flash::info(
            &session,
            format!("Nothing to save: {} already has these values.", image.name),
        );
        return Ok(redirect(act.page()));
    }

    let body = UpdateImage {
        name: name_changed.then(|| name.clone()),
        description: description_changed.then(|| description.clone()),
        frequency: None,
    };
    let mut details = Map::new();
    if let Some(n) = &body.name {
        details.insert("name".into(), json!(n));
    }
    if let Some(d) = &body.description {
        details.insert("description".into(), json!(d));
    }
    let event = NewEvent::new("image.update", Outcome::Requested)
        .target("image", id, &image.name)
        .details(Value::Object(details));
    let answer = recorded(
        up,
        event,
        up.client().update_image(id, &body),
        |i: &Image| (i.id.clone(), i.name.clone()),
    )
    .await?;
    match answer {
        Ok(saved) => {
            let shown = if saved.name.is_empty() {
                name
            } else {
                saved.name
            };
            flash::success(&session, format!("Saved {shown}."));
            Ok(redirect(act.page()))
        }
        // Gone meanwhile, or waiting in the account's queue: not a problem
        // with the form.
        Err(e) if e.is_queued() || matches!(e, CloudError::NotFound { .. }) => Ok(act.refused(&e)),
        Err(e) => {
            let errors = api_field_errors(&e, among(FIELDS));
            let form = Form {
                v: &v,
                problem: Some(form_problem(&e, !errors.is_empty(), "Nothing was changed.")),
                errors: &errors,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_edit(&ctx, up, &image, form)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers() -> Choices {
        Choices {
            items: vec![Choice::of("S1", "web-1")],
            problem: None,
        }
    }

    #[test]
    fn a_scheduled_image_needs_how_many_to_keep() {
        let v = Values {
            server_id: "S1".into(),
            name: "nightly".into(),
            frequency: "DAILY".into(),
            num_images: "0".into(),
            ..Values::default()
        };
        let errors = check_create(&v, &servers()).unwrap_err();
        assert!(errors.contains_key("num_images"));
        let ok = check_create(
            &Values {
                num_images: "7".into(),
                ..v.clone()
            },
            &servers(),
        )
        .unwrap();
        assert_eq!((ok.frequency, ok.num_images), (Frequency::Daily, Some(7)));
        let once = check_create(
            &Values {
                frequency: "ONCE".into(),
                ..v
            },
            &servers(),
        )
        .unwrap();
        assert_eq!(once.num_images, None);
    }

    #[test]
    fn the_server_must_be_one_of_the_listed() {
        let v = Values {
            server_id: "elsewhere".into(),
            name: "x".into(),
            frequency: "ONCE".into(),
            ..Values::default()
        };
        let errors = check_create(&v, &servers()).unwrap_err();
        assert!(errors.contains_key("server_id"));
    }
}
