//! Importing an SSH public key (name, description, the key) and editing one
//! (name and description, each behind its own flag). The key is checked to
//! be an OpenSSH public key before anything is sent; the form comes back
//! with what was typed and a message beside each bad field. A change to a
//! value the member may not change is refused like any missing permission
//! (403, audited as denied).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::FAMILY;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::common::NameDescription;
use crate::cloudpanel::ssh_keys::{CreateSshKey, SshKey};
use crate::domain::{PublicKey, parse_resource_description, parse_resource_name};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{
    AccountParam, Change, Fallback, FieldErrors, Object, Upstream, among, api_field_errors,
    connect, form_problem, found, recorded,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

const FIELDS: &[&str] = &["name", "description", "public_key"];

/// The posted form; a field the page did not offer is absent.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    name: Option<String>,
    description: Option<String>,
    public_key: Option<String>,
}

/// What the form shows: what was typed, or the key's current values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub description: String,
    pub public_key: String,
}

impl Values {
    fn typed(input: Input) -> Self {
        Self {
            name: input.name.unwrap_or_default(),
            description: input.description.unwrap_or_default(),
            public_key: input.public_key.unwrap_or_default(),
        }
    }

    fn of(key: &SshKey) -> Self {
        Self {
            name: key.name.clone(),
            description: key.description.clone(),
            public_key: key.public_key.clone(),
        }
    }

    /// The key's values with what the form changed; a field it did not
    /// send stays as it is, and the public key never changes.
    fn edited(key: &SshKey, input: Input) -> Self {
        let current = Self::of(key);
        Self {
            name: input.name.unwrap_or(current.name),
            description: input.description.unwrap_or(current.description),
            public_key: current.public_key,
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

fn check_create(v: &Values) -> Result<CreateSshKey, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(v, &mut errors);
    let public_key = PublicKey::parse(&v.public_key)
        .map(|key| key.to_string())
        .unwrap_or_else(|e| {
            errors.insert("public_key", e);
            String::new()
        });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CreateSshKey {
        name,
        description: (!description.is_empty()).then_some(description),
        public_key: Some(public_key),
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
    if !ctx.can(perms::SSH_KEYS_SET_NAME) && ctx.can(perms::SSH_KEYS_SET_DESCRIPTION) {
        perms::SSH_KEYS_SET_DESCRIPTION
    } else {
        perms::SSH_KEYS_SET_NAME
    }
}

#[derive(Template)]
#[template(path = "ssh_keys/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    /// The key being edited; `None` on the create form.
    editing: Option<&'a SshKey>,
    may: May,
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

fn show_create(ctx: &OrgCtx, up: &Upstream, form: Form<'_>) -> AppResult<HttpResponse> {
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
            may: May {
                name: true,
                description: true,
            },
        },
    )
}

fn show_edit(ctx: &OrgCtx, up: &Upstream, key: &SshKey, form: Form<'_>) -> AppResult<HttpResponse> {
    let href = FAMILY.href(ctx, &key.id);
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
            editing: Some(key),
            may: May {
                name: ctx.can(perms::SSH_KEYS_SET_NAME),
                description: ctx.can(perms::SSH_KEYS_SET_DESCRIPTION),
            },
        },
    )
}

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SSH_KEYS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show_create(
        &ctx,
        &up,
        Form {
            v: &Values::default(),
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
    let tenant = ctx.require(perms::SSH_KEYS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = Values::typed(input.into_inner());
    let body = match check_create(&v) {
        Ok(body) => body,
        Err(errors) => {
            let form = Form {
                v: &v,
                errors: &errors,
                problem: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return show_create(&ctx, &up, form);
        }
    };
    let change = Change::new(
        "ssh_key.create",
        json!({
            "name": body.name,
            "description": body.description,
            "public_key": body.public_key,
        }),
        "Added {name}. New servers can now be given it.",
    );
    let again = (&ctx, &up, &v);
    crate::web::cloud::create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &body.name,
        up.client().create_ssh_key(&body),
        among(FIELDS),
        |errors, problem| async move {
            let form = Form {
                v: again.2,
                errors: &errors,
                problem: Some(problem),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_create(again.0, again.1, form)
        },
    )
    .await
}

/// The key, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<SshKey> {
    Ok(found(ctx, "this SSH key", up.client().get_ssh_key(id).await)?.value)
}

pub async fn edit(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, edit_permission(&ctx)).await?;
    let key = load(&ctx, &up, &object.id).await?;
    let form = Form {
        v: &Values::of(&key),
        errors: &FieldErrors::new(),
        problem: None,
        status: StatusCode::OK,
    };
    show_edit(&ctx, &up, &key, form)
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
    let key = load(&ctx, up, id).await?;
    let v = Values::edited(&key, input.into_inner());
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(&v, &mut errors);
    if !errors.is_empty() {
        let form = Form {
            v: &v,
            errors: &errors,
            problem: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return show_edit(&ctx, up, &key, form);
    }

    // Each changed value needs its own flag; a value that stays needs none.
    let name_changed = name != key.name;
    let description_changed = description != key.description;
    if name_changed {
        ctx.require(perms::SSH_KEYS_SET_NAME).await?;
    }
    if description_changed {
        ctx.require(perms::SSH_KEYS_SET_DESCRIPTION).await?;
    }
    if !(name_changed || description_changed) {
        flash::info(
            &session,
            format!("Nothing to save: {} already has these values.", key.name),
        );
        return Ok(redirect(act.page()));
    }

    // The API requires the name on every change, even when it stays.
    let body = NameDescription {
        name: Some(name.clone()),
        description: description_changed.then(|| description.clone()),
    };
    let mut details = Map::new();
    if name_changed {
        details.insert("name".into(), json!(name));
    }
    if let Some(d) = &body.description {
        details.insert("description".into(), json!(d));
    }
    let event = NewEvent::new("ssh_key.update", Outcome::Requested)
        .target("ssh_key", id, &key.name)
        .details(Value::Object(details));
    let answer = recorded(
        up,
        event,
        up.client().update_ssh_key(id, &body),
        |k: &SshKey| (k.id.clone(), k.name.clone()),
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
            show_edit(&ctx, up, &key, form)
        }
    }
}
