//! Adding a Cloud Panel user (name, email, password, description) and
//! editing one (email, password, description and state, each behind its own
//! flag). Values are checked before anything is sent; a refused form comes
//! back with what was typed, except the password, which is never shown
//! again, logged or audited (the audit log says only `password_set`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Acted, FAMILY};
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::access::{CreateUser, UpdateUser, User, UserStateChange};
use crate::domain::{Email, parse_resource_description};
use crate::rbac::{Permission, perms};
use crate::web::cloud::queued;
use crate::web::cloud::{
    AccountParam, Fallback, FieldErrors, Object, Upstream, api_field_errors, connect, form_problem,
    found, recorded,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

/// The Cloud Panel's limits on a user's values.
const MAX_NAME: usize = 30;
const MAX_EMAIL: usize = 128;
const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 64;

/// The API's field names are the form's.
fn form_field(api: &str) -> Option<&'static str> {
    ["name", "email", "password", "description"]
        .into_iter()
        .find(|f| *f == api)
}

/// A new user's name: the Cloud Panel puts the account's prefix before it
/// (`034b011e.ana`), so it stays short and plain.
pub fn parse_user_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("The name may have at most {MAX_NAME} characters."));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err("Use only letters, digits, dots, hyphens and underscores.".into());
    }
    Ok(name.to_owned())
}

/// An email address the Cloud Panel keeps (at most 128 characters).
pub fn parse_user_email(raw: &str) -> Result<String, String> {
    let email = Email::parse(raw).map_err(|e| {
        let mut words = e;
        if let Some(first) = words.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        format!("{words}.")
    })?;
    if email.as_str().chars().count() > MAX_EMAIL {
        return Err(format!(
            "The Cloud Panel keeps email addresses of at most {MAX_EMAIL} characters."
        ));
    }
    Ok(email.as_str().to_owned())
}

/// A password as the Cloud Panel takes it; never trimmed, never echoed.
pub fn parse_password(raw: &str) -> Result<String, String> {
    let length = raw.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&length) {
        return Err(format!(
            "The password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters; use upper and lower case letters, digits and other symbols."
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err("The password may not contain control characters.".into());
    }
    if raw.trim() != raw {
        return Err("The password may not start or end with a space.".into());
    }
    Ok(raw.to_owned())
}

/// The posted form; a field the page did not offer is absent.
#[derive(Default, Deserialize)]
pub struct Input {
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) state: Option<String>,
}

/// What the form shows: what was typed, or the user's current values. No
/// password: it is typed again after a refusal.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name: String,
    pub email: String,
    pub description: String,
    /// `ACTIVE` or `DISABLED`.
    pub state: String,
}

impl Values {
    fn of(user: &User) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            description: user.description.clone(),
            state: steady_state(user).to_owned(),
        }
    }
}

/// The state the edit form offers: a disabled user stays disabled, every
/// other user counts as active.
fn steady_state(user: &User) -> &'static str {
    if user.state.as_str() == "DISABLED" {
        "DISABLED"
    } else {
        "ACTIVE"
    }
}

/// Which values the member may change.
pub struct May {
    pub email: bool,
    pub password: bool,
    pub description: bool,
    pub state: bool,
}

impl May {
    fn all() -> Self {
        Self {
            email: true,
            password: true,
            description: true,
            state: true,
        }
    }

    /// On the edit form: the state select needs the flag of the change it
    /// offers (enable for a disabled user, disable for an active one).
    fn edit(ctx: &OrgCtx, disabled: bool) -> Self {
        Self {
            email: ctx.can(perms::USERS_SET_EMAIL),
            password: ctx.can(perms::USERS_SET_PASSWORD),
            description: ctx.can(perms::USERS_SET_DESCRIPTION),
            state: if disabled {
                ctx.can(perms::USERS_ENABLE)
            } else {
                ctx.can(perms::USERS_DISABLE)
            },
        }
    }
}

const EDIT_FLAGS: [Permission; 5] = [
    perms::USERS_SET_EMAIL,
    perms::USERS_SET_PASSWORD,
    perms::USERS_SET_DESCRIPTION,
    perms::USERS_ENABLE,
    perms::USERS_DISABLE,
];

/// The member holds one of the flags that change a user.
pub fn may_edit_any(ctx: &OrgCtx) -> bool {
    EDIT_FLAGS.iter().any(|p| ctx.can(*p))
}

/// The flag that opens the edit form: the first the member holds; a member
/// with none is refused for the email's.
fn edit_permission(ctx: &OrgCtx) -> Permission {
    edit_flag(|p| ctx.can(p))
}

/// [`edit_permission`] for a member whose flags `can` tells (the API's).
pub(crate) fn edit_flag(can: impl Fn(Permission) -> bool) -> Permission {
    EDIT_FLAGS
        .into_iter()
        .find(|p| can(*p))
        .unwrap_or(perms::USERS_SET_EMAIL)
}

#[derive(Template)]
#[template(path = "cloud_users/form.html")]
struct FormPage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    back_href: String,
    members_href: String,
    /// The user's name when editing; `None` on the create form.
    editing: Option<&'a str>,
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

impl<'a> Form<'a> {
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
            members_href: ctx.href("members"),
            editing: None,
            may: May::all(),
        },
    )
}

fn show_edit(ctx: &OrgCtx, up: &Upstream, user: &User, form: Form<'_>) -> AppResult<HttpResponse> {
    let href = FAMILY.href(ctx, &user.id);
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
            members_href: ctx.href("members"),
            editing: Some(&user.name),
            may: May::edit(ctx, steady_state(user) == "DISABLED"),
        },
    )
}

pub async fn new(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::USERS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let (v, errors) = (Values::default(), FieldErrors::new());
    show_create(&ctx, &up, Form::fresh(&v, &errors))
}

/// The create form's values, checked; the password comes back apart from them.
pub(crate) fn check_create(input: Input) -> (Values, Result<CreateUser, FieldErrors>) {
    let v = Values {
        name: input.name.unwrap_or_default(),
        email: input.email.unwrap_or_default(),
        description: input.description.unwrap_or_default(),
        state: String::new(),
    };
    let mut errors = FieldErrors::new();
    let name = parse_user_name(&v.name).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    });
    let email = if v.email.trim().is_empty() {
        None
    } else {
        parse_user_email(&v.email)
            .map_err(|e| errors.insert("email", e))
            .ok()
    };
    let password = parse_password(&input.password.unwrap_or_default()).unwrap_or_else(|e| {
        errors.insert("password", e);
        String::new()
    });
    let description = parse_resource_description(&v.description).unwrap_or_else(|e| {
        errors.insert("description", e);
        String::new()
    });
    if !errors.is_empty() {
        return (v, Err(errors));
    }
    let body = CreateUser {
        name,
        password,
        description: (!description.is_empty()).then_some(description),
        email,
    };
    (v, Ok(body))
}

pub async fn create(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::USERS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let (v, body) = check_create(input.into_inner());
    let body = match body {
        Ok(body) => body,
        Err(errors) => return show_create(&ctx, &up, Form::refused(&v, &errors, None)),
    };
    let event = NewEvent::new("cloud_user.create", Outcome::Requested)
        .target(FAMILY.kind, "", &body.name)
        .details(create_details(&body));
    let answer = recorded(&up, event, up.client().create_user(&body), |u: &User| {
        (u.id.clone(), u.name.clone())
    })
    .await?;
    match answer {
        Ok(user) => {
            let name = if user.name.is_empty() {
                &body.name
            } else {
                &user.name
            };
            flash::success(
                &session,
                format!(
                    "Added {name}. It can sign in to the Cloud Panel once it is active; API access starts off."
                ),
            );
            if user.id.is_empty() {
                return Ok(redirect(&FAMILY.list_on(&ctx, &up)));
            }
            Ok(redirect(&FAMILY.page_href(&ctx, &up, &user.id)))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, &FAMILY.list_on(&ctx, &up)) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, form_field);
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was created.");
            show_create(&ctx, &up, Form::refused(&v, &errors, Some(problem)))
        }
    }
}

/// What the audit log keeps of a new user: never the password, only that
/// one was set.
pub(crate) fn create_details(body: &CreateUser) -> Value {
    json!({
        "name": body.name,
        "email": body.email,
        "description": body.description,
        "password_set": true,
    })
}

/// The user, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<User> {
    Ok(found(ctx, "this user", up.client().get_user(id).await)?.value)
}

pub async fn edit(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, edit_permission(&ctx)).await?;
    let user = load(&ctx, &up, &object.id).await?;
    let (v, errors) = (Values::of(&user), FieldErrors::new());
    show_edit(&ctx, &up, &user, Form::fresh(&v, &errors))
}

/// What an edit changes, checked against the user's current values.
#[derive(Default)]
pub(crate) struct Edit {
    email: Option<String>,
    password: Option<String>,
    description: Option<String>,
    state: Option<UserStateChange>,
}

impl Edit {
    /// The flags the changed values need, in the form's order: a value
    /// that stays needs none.
    pub(crate) fn flags(&self) -> Vec<Permission> {
        let state = match self.state {
            Some(UserStateChange::Active) => Some(perms::USERS_ENABLE),
            Some(UserStateChange::Disable) => Some(perms::USERS_DISABLE),
            None => None,
        };
        [
            self.email.as_ref().map(|_| perms::USERS_SET_EMAIL),
            self.password.as_ref().map(|_| perms::USERS_SET_PASSWORD),
            self.description
                .as_ref()
                .map(|_| perms::USERS_SET_DESCRIPTION),
            state,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether the state changes (enable or disable).
    pub(crate) fn changes_state(&self) -> bool {
        self.state.is_some()
    }

    /// What the audit log keeps: the changed values, never the password
    /// (`password_set`); empty when nothing changes.
    pub(crate) fn details(&self) -> Map<String, Value> {
        let mut details = Map::new();
        if let Some(email) = &self.email {
            details.insert("email".into(), json!(email));
        }
        if let Some(description) = &self.description {
            details.insert("description".into(), json!(description));
        }
        if self.password.is_some() {
            details.insert("password_set".into(), json!(true));
        }
        if let Some(state) = self.state {
            details.insert("state".into(), json!(state));
        }
        details
    }

    /// What the update sends.
    pub(crate) fn body(self) -> UpdateUser {
        UpdateUser {
            description: self.description,
            email: self.email,
            password: self.password,
            state: self.state,
        }
    }
}

pub(crate) fn check_edit(user: &User, input: Input) -> (Values, Result<Edit, FieldErrors>) {
    let current = Values::of(user);
    let v = Values {
        name: current.name.clone(),
        email: input.email.unwrap_or_else(|| current.email.clone()),
        description: input
            .description
            .unwrap_or_else(|| current.description.clone()),
        state: input.state.unwrap_or_else(|| current.state.clone()),
    };
    let mut errors = FieldErrors::new();
    let mut edit = Edit::default();
    if v.email.trim() != current.email {
        if v.email.trim().is_empty() {
            errors.insert(
                "email",
                "The Cloud Panel cannot remove an email address; enter another one.".into(),
            );
        } else {
            match parse_user_email(&v.email) {
                Ok(email) => edit.email = Some(email),
                Err(e) => {
                    errors.insert("email", e);
                }
            }
        }
    }
    match parse_resource_description(&v.description) {
        Ok(d) if d != current.description => edit.description = Some(d),
        Ok(_) => {}
        Err(e) => {
            errors.insert("description", e);
        }
    }
    // An empty password field keeps the password.
    match input.password.as_deref() {
        None | Some("") => {}
        Some(raw) => match parse_password(raw) {
            Ok(p) => edit.password = Some(p),
            Err(e) => {
                errors.insert("password", e);
            }
        },
    }
    match v.state.as_str() {
        s if s == current.state => {}
        "ACTIVE" => edit.state = Some(UserStateChange::Active),
        "DISABLED" => edit.state = Some(UserStateChange::Disable),
        _ => {
            errors.insert("state", "Choose active or disabled.".into());
        }
    }
    if errors.is_empty() {
        (v, Ok(edit))
    } else {
        (v, Err(errors))
    }
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
    let user = load(&ctx, up, id).await?;
    let (v, edit) = check_edit(&user, input.into_inner());
    let edit = match edit {
        Ok(edit) => edit,
        Err(errors) => return show_edit(&ctx, up, &user, Form::refused(&v, &errors, None)),
    };

    // Each changed value needs its own flag; a value that stays needs none.
    for flag in edit.flags() {
        ctx.require(flag).await?;
    }
    if !edit.changes_state() {
        ctx.require(edit_permission(&ctx)).await?;
    }
    let page = act.page();
    let details = edit.details();
    if details.is_empty() {
        flash::info(
            &session,
            format!("Nothing to save: {} already has these values.", user.name),
        );
        return Ok(redirect(page));
    }
    let body = edit.body();
    let event = NewEvent::new("cloud_user.update", Outcome::Requested)
        .target(FAMILY.kind, id, &user.name)
        .details(Value::Object(details));
    let answer = recorded(up, event, up.client().update_user(id, &body), |u: &User| {
        let acted = Acted::of(u);
        (acted.id, acted.name)
    })
    .await?;
    match answer {
        Ok(_) => {
            flash::success(&session, format!("Saved {}.", user.name));
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
            let errors = api_field_errors(&e, form_field);
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was changed.");
            show_edit(&ctx, up, &user, Form::refused(&v, &errors, Some(problem)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_and_plain() {
        assert_eq!(parse_user_name(" ana.ops ").unwrap(), "ana.ops");
        assert!(parse_user_name("").unwrap_err().contains("Enter a name"));
        assert!(
            parse_user_name("ana ops")
                .unwrap_err()
                .contains("only letters")
        );
        assert!(parse_user_name(&"a".repeat(31)).unwrap_err().contains("30"));
    }

    #[test]
    fn passwords_have_the_cloud_panels_length_and_are_kept_as_typed() {
        assert_eq!(parse_password("Secret-pass-1").unwrap(), "Secret-pass-1");
        assert!(parse_password("short").unwrap_err().contains("8 to 64"));
        assert!(parse_password(&"x".repeat(65)).is_err());
        assert!(
            parse_password(" spaced-out ")
                .unwrap_err()
                .contains("space")
        );
    }

    #[test]
    fn emails_are_checked() {
        assert_eq!(parse_user_email(" a@b.example ").unwrap(), "a@b.example");
        assert!(parse_user_email("nobody").unwrap_err().ends_with('.'));
    }
}
