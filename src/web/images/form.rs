//! Creating an image from a server (server, name, description, how often
//! it is made and how many are kept) and editing one (name and description,
//! each behind its own flag: the kit's [`Editable`]). Every value is checked
//! before anything is sent, and the form comes back with what was typed and
//! a message beside each bad field. A change to a value the member may not
//! change is refused like any missing permission (403, audited as denied).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use super::view::schedule;
use crate::cloudpanel::images::{CreateImage, Frequency, Image, UpdateImage};
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Changed, Choice, Choices, Editable, Fallback, Family, FieldErrors, Form,
    May, NameFlags, Names, Upstream, among, check_id, check_names, checked_names, connect,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

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

const FLAGS: NameFlags = NameFlags {
    name: perms::IMAGES_SET_NAME,
    description: perms::IMAGES_SET_DESCRIPTION,
};

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
    pub(crate) fn typed(input: Input) -> Self {
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

/// A creation's body, or the messages beside the fields. The server must be
/// one of those listed (when the list could be read); a daily or weekly
/// image needs how many to keep, 1 to 50.
pub(crate) fn check_create(v: &Values, servers: &Choices) -> Result<CreateImage, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(&v.name, &v.description, &mut errors);
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

/// The servers an image can be made from.
pub(crate) async fn server_choices(up: &Upstream) -> Choices {
    Choices::from(
        "the servers",
        up.client().list_servers(&ListQuery::all()).await,
        |s| Choice::of(&s.id, &s.name),
    )
}

/// The create page (`image` none) or the image's edit page.
fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    image: Option<&Image>,
    servers: Choices,
    form: Form<'_, Values>,
) -> AppResult<HttpResponse> {
    let frame = FLAGS.frame(&FAMILY, ctx, up, image.map(|i| i.id.as_str()));
    render(
        form.status,
        &FormPage {
            page: &frame.page,
            v: form.v,
            errors: &form.errors,
            problem: form.problem,
            action: frame.action,
            back_href: frame.back_href,
            editing: image,
            schedule: image.map(schedule).unwrap_or_default(),
            may: frame.may,
            servers,
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
    show(&ctx, &up, None, servers, Form::fresh(&v))
}

/// A creation, described for the audit log and the member.
pub(crate) fn create_change(body: &CreateImage, servers: &Choices) -> Change {
    Change::new(
        "image.create",
        json!({
            "server_id": body.server_id,
            "name": body.name,
            "description": body.description,
            "frequency": body.frequency.as_str(),
            "num_images": body.num_images,
        }),
        format!("Making {{name}} from {}.", servers.name_of(&body.server_id)),
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
        Err(errors) => return show(&ctx, &up, None, servers, Form::invalid(&v, errors)),
    };
    let change = create_change(&body, &servers);
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
            let form = Form::refused(again.2, errors, problem);
            show(again.0, again.1, None, servers, form)
        },
    )
    .await
}

/// The image's edit page: its name and description.
pub struct Edit;

impl Editable for Edit {
    type Object = Image;
    type Input = Input;
    type Values = Values;
    type Checked = Names;
    type Body = UpdateImage;
    const FAMILY: &'static Family = &FAMILY;
    const ACTION: &'static str = "image.update";
    const WHAT: &'static str = "this image";
    const FIELDS: &'static [&'static str] = FIELDS;
    const FLAGS: NameFlags = FLAGS;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<Image>, CloudError> {
        client.get_image(id).await
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &UpdateImage,
    ) -> Result<Image, CloudError> {
        client.update_image(id, body).await
    }

    fn description(image: &Image) -> &str {
        &image.description
    }

    fn edited(image: &Image, input: Input) -> Values {
        Values::edited(image, input)
    }

    fn check(v: &Values) -> Result<Names, FieldErrors> {
        checked_names(&v.name, &v.description)
    }

    fn body(n: &Names, changed: Changed) -> UpdateImage {
        UpdateImage {
            name: changed.name.then(|| n.name.clone()),
            description: changed.description.then(|| n.description.clone()),
            frequency: None,
        }
    }

    fn show(
        ctx: &OrgCtx,
        up: &Upstream,
        image: &Image,
        form: Form<'_, Values>,
    ) -> AppResult<HttpResponse> {
        show(ctx, up, Some(image), Choices::default(), form)
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
