//! The role's name forms: creating a role (the API takes only a name),
//! editing one (name and description, each behind its own flag) and
//! cloning one under a new name. Bad values come back beside their field
//! with what was typed, and nothing is sent; the API's refusal (a built-in
//! role) comes back the same way, above the form.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::FAMILY;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::access::{Role, UpdateRole};
use crate::domain::{parse_resource_description, parse_resource_name};
use crate::rbac::{Permission, perms};
use crate::web::cloud::queued;
use crate::web::cloud::{
    AccountParam, Fallback, FieldErrors, Object, Upstream, among, api_field_errors, check_id,
    connect, form_problem, found, recorded,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

const FIELDS: &[&str] = &["name", "description"];

/// The posted form; a field the page did not offer is absent.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    name: Option<String>,
    description: Option<String>,
}

/// What the form shows: what was typed, or the role's current values.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub description: String,
}

impl Values {
    fn of(role: &Role) -> Self {
        Self {
            name: role.name.clone(),
            description: role.description.clone(),
        }
    }

    /// The role's values with what the form changed; a field it did not
    /// send stays as it is.
    fn edited(role: &Role, input: Input) -> Self {
        Self {
            name: input.name.unwrap_or_else(|| role.name.clone()),
            description: input
                .description
                .unwrap_or_else(|| role.description.clone()),
        }
    }
}

/// Which of the three forms this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Edit,
    Clone,
}

/// Which values the member may change.
pub struct May {
    pub name: bool,
    pub description: bool,
}

#[derive(Template)]
#[template(path = "cloud_roles/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    mode: Mode,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    panel_roles_href: String,
    /// The role edited or cloned; `None` on the create form.
    role: Option<&'a Role>,
    may: May,
}

impl FormPage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

/// One rendering of a form: what it shows and with which status.
struct Shown<'a> {
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    status: StatusCode,
}

impl<'a> Shown<'a> {
    fn fresh(v: &'a Values, errors: &'a FieldErrors) -> Self {
        Self {
            v,
            errors,
            problem: None,
            status: StatusCode::OK,
        }
    }

    fn refused(v: &'a Values, errors: &'a FieldErrors, problem: Option<String>) -> Self {
        Self {
            v,
            errors,
            problem,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    mode: Mode,
    role: Option<&Role>,
    form: Shown<'_>,
) -> AppResult<HttpResponse> {
    let (action, back_href, may) = match (mode, role) {
        (Mode::Edit, Some(r)) => (
            format!("{}/edit{}", FAMILY.href(ctx, &r.id), up.query()),
            FAMILY.page_href(ctx, up, &r.id),
            May {
                name: ctx.can(perms::ROLES_SET_NAME),
                description: ctx.can(perms::ROLES_SET_DESCRIPTION),
            },
        ),
        (Mode::Clone, Some(r)) => (
            format!("{}/clone{}", FAMILY.href(ctx, &r.id), up.query()),
            FAMILY.page_href(ctx, up, &r.id),
            May {
                name: true,
                description: false,
            },
        ),
        _ => (
            FAMILY.list_on(ctx, up),
            FAMILY.list_on(ctx, up),
            May {
                name: true,
                description: false,
            },
        ),
    };
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        form.status,
        &FormPage {
            page: &page,
            mode,
            v: form.v,
            errors: form.errors,
            problem: form.problem,
            action,
            back_href,
            panel_roles_href: ctx.href("roles"),
            role,
            may,
        },
    )
}

/// The name, checked as the API keeps it; the error lands beside the field.
fn check_name(raw: &str, errors: &mut FieldErrors) -> String {
    parse_resource_name(raw).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    })
}

/// The role, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<Role> {
    Ok(found(ctx, "this Cloud Panel role", up.client().get_role(id).await)?.value)
}

// ---- create ----

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ROLES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let (v, errors) = (Values::default(), FieldErrors::new());
    show(&ctx, &up, Mode::Create, None, Shown::fresh(&v, &errors))
}

pub async fn create(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ROLES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = Values {
        name: input.into_inner().name.unwrap_or_default(),
        description: String::new(),
    };
    let mut errors = FieldErrors::new();
    let name = check_name(&v.name, &mut errors);
    if !errors.is_empty() {
        return show(
            &ctx,
            &up,
            Mode::Create,
            None,
            Shown::refused(&v, &errors, None),
        );
    }
    let event = NewEvent::new("cloud_role.create", Outcome::Requested)
        .target(FAMILY.kind, "", &name)
        .details(json!({ "name": name }));
    let answer = recorded(&up, event, up.client().create_role(&name), |r: &Role| {
        (r.id.clone(), r.name.clone())
    })
    .await?;
    match answer {
        Ok(role) => {
            flash::success(
                &session,
                format!(
                    "Created the Cloud Panel role {name}. Tick what its users may do, then add users."
                ),
            );
            if check_id(&role.id).is_err() {
                return Ok(redirect(&FAMILY.list_on(&ctx, &up)));
            }
            Ok(redirect(&FAMILY.page_href(&ctx, &up, &role.id)))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, &FAMILY.list_on(&ctx, &up)) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(FIELDS));
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was created.");
            show(
                &ctx,
                &up,
                Mode::Create,
                None,
                Shown::refused(&v, &errors, Some(problem)),
            )
        }
    }
}

// ---- edit ----

/// The flag that opens the edit form: the first of the two the member
/// holds; a member with neither is refused for the name's.
fn edit_permission(ctx: &OrgCtx) -> Permission {
    if !ctx.can(perms::ROLES_SET_NAME) && ctx.can(perms::ROLES_SET_DESCRIPTION) {
        perms::ROLES_SET_DESCRIPTION
    } else {
        perms::ROLES_SET_NAME
    }
}

pub async fn edit(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, edit_permission(&ctx)).await?;
    let role = load(&ctx, &up, &object.id).await?;
    let (v, errors) = (Values::of(&role), FieldErrors::new());
    show(
        &ctx,
        &up,
        Mode::Edit,
        Some(&role),
        Shown::fresh(&v, &errors),
    )
}

pub async fn update(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let id = object.id.as_str();
    let act = object
        .act(&ctx, &session, edit_permission(&ctx), &FAMILY)
        .await?;
    let up = &act.up;
    let role = load(&ctx, up, id).await?;
    let v = Values::edited(&role, input.into_inner());
    let mut errors = FieldErrors::new();
    let name = check_name(&v.name, &mut errors);
    let description = parse_resource_description(&v.description).unwrap_or_else(|e| {
        errors.insert("description", e);
        String::new()
    });
    if !errors.is_empty() {
        let form = Shown::refused(&v, &errors, None);
        return show(&ctx, up, Mode::Edit, Some(&role), form);
    }

    // Each changed value needs its own flag; a value that stays needs none.
    let name_changed = name != role.name;
    let description_changed = description != role.description;
    if name_changed {
        ctx.require(perms::ROLES_SET_NAME).await?;
    }
    if description_changed {
        ctx.require(perms::ROLES_SET_DESCRIPTION).await?;
    }
    let page = act.page();
    if !(name_changed || description_changed) {
        flash::info(
            &session,
            format!("Nothing to save: {} already has these values.", role.name),
        );
        return Ok(redirect(page));
    }

    // Only what changed is sent (the API takes each field on its own).
    let body = UpdateRole {
        name: name_changed.then(|| name.clone()),
        description: description_changed.then(|| description.clone()),
        state: None,
    };
    let mut details = Map::new();
    if let Some(n) = &body.name {
        details.insert("name".into(), json!(n));
    }
    if let Some(d) = &body.description {
        details.insert("description".into(), json!(d));
    }
    let event = NewEvent::new("cloud_role.update", Outcome::Requested)
        .target(FAMILY.kind, id, &role.name)
        .details(Value::Object(details));
    let answer = recorded(up, event, up.client().update_role(id, &body), |r: &Role| {
        (r.id.clone(), r.name.clone())
    })
    .await?;
    match answer {
        Ok(saved) => {
            let shown = if saved.name.is_empty() {
                if name.is_empty() { role.name } else { name }
            } else {
                saved.name
            };
            flash::success(&session, format!("Saved {shown}."));
            Ok(redirect(page))
        }
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            Ok(redirect(act.list()))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, page) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(FIELDS));
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was changed.");
            let form = Shown::refused(&v, &errors, Some(problem));
            show(&ctx, up, Mode::Edit, Some(&role), form)
        }
    }
}

// ---- clone ----

pub async fn clone_form(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, perms::ROLES_CLONE).await?;
    let role = load(&ctx, &up, &object.id).await?;
    let v = Values {
        name: format!("{} copy", role.name),
        description: String::new(),
    };
    let errors = FieldErrors::new();
    show(
        &ctx,
        &up,
        Mode::Clone,
        Some(&role),
        Shown::fresh(&v, &errors),
    )
}

pub async fn clone(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let id = object.id.as_str();
    let act = object
        .act(&ctx, &session, perms::ROLES_CLONE, &FAMILY)
        .await?;
    let up = &act.up;
    let role = load(&ctx, up, id).await?;
    let v = Values {
        name: input.into_inner().name.unwrap_or_default(),
        description: String::new(),
    };
    let mut errors = FieldErrors::new();
    let name = check_name(&v.name, &mut errors);
    if errors.is_empty() && name == role.name {
        errors.insert("name", "The copy needs a name of its own.".into());
    }
    if !errors.is_empty() {
        let form = Shown::refused(&v, &errors, None);
        return show(&ctx, up, Mode::Clone, Some(&role), form);
    }
    let event = NewEvent::new("cloud_role.clone", Outcome::Requested)
        .target(FAMILY.kind, id, &role.name)
        .details(json!({ "name": name, "from": role.name }));
    let answer = recorded(up, event, up.client().clone_role(id, &name), |r: &Role| {
        (r.id.clone(), r.name.clone())
    })
    .await?;
    match answer {
        Ok(copy) => {
            flash::success(
                &session,
                format!(
                    "Created {name} from {} with the same permissions.",
                    role.name
                ),
            );
            if check_id(&copy.id).is_err() {
                return Ok(redirect(act.list()));
            }
            Ok(redirect(&FAMILY.page_href(&ctx, up, &copy.id)))
        }
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            Ok(redirect(act.list()))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, act.list()) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(&["name"]));
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was created.");
            let form = Shown::refused(&v, &errors, Some(problem));
            show(&ctx, up, Mode::Clone, Some(&role), form)
        }
    }
}
