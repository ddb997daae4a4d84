//! The edit page of an object's name and description, and of any other
//! value a family lets the same page change: one flow for every family
//! ([`Editable`], [`edit_form`], [`save_edit`]), and what its create page
//! shares with it ([`Form`], [`May`], [`check_names`]).
//!
//! The page opens under the first of the family's flags the member holds
//! (the name's when none). Each changed value then needs its own flag (a
//! missing one is refused like any missing permission: 403, audited as
//! denied); a value that stays needs none, and nothing changed is said,
//! not sent. A bad value or the API's refusal shows the page again (422)
//! with what was typed and the message beside its field; a change queued
//! or an object gone meanwhile is the news of [`Act::refused`](super::Act::refused).
//! The JSON API's edit makes the same decisions with the same functions
//! ([`Editable::opening_flag`], [`Changed`]).

use std::future::Future;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::change::{Named, recorded};
use super::family::{Family, Object};
use super::form::{FieldErrors, among, api_field_errors, form_problem};
use super::{Upstream, found};
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::domain::{parse_resource_description, parse_resource_name};
use crate::rbac::Permission;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect};

/// The flags of a name and a description: one for each.
#[derive(Debug, Clone, Copy)]
pub struct NameFlags {
    pub name: Permission,
    pub description: Permission,
}

impl NameFlags {
    /// The flag a change starts with: the name's, unless the member holds
    /// only the description's (a member with neither is refused on the name's).
    pub fn first(&self, ctx: &OrgCtx) -> Permission {
        self.first_of(|flag| ctx.can(flag))
    }

    /// [`NameFlags::first`] for a member whose flags `can` tells (the API's).
    pub fn first_of(&self, can: impl Fn(Permission) -> bool) -> Permission {
        if !can(self.name) && can(self.description) {
            self.description
        } else {
            self.name
        }
    }

    /// Which of the two the member may change.
    pub fn may(&self, ctx: &OrgCtx) -> May {
        May {
            name: ctx.can(self.name),
            description: ctx.can(self.description),
        }
    }

    /// The frame of a create page (`editing` none) or of the edit page of
    /// the object `editing` names.
    pub fn frame(
        &self,
        family: &Family,
        ctx: &OrgCtx,
        up: &Upstream,
        editing: Option<&str>,
    ) -> Frame {
        let page = ctx.page.clone().with_section(family.word);
        match editing {
            Some(id) => Frame {
                page,
                action: format!("{}/edit{}", family.href(ctx, id), up.query()),
                back_href: family.page_href(ctx, up, id),
                may: self.may(ctx),
            },
            None => Frame {
                page,
                action: family.list_on(ctx, up),
                back_href: family.list_on(ctx, up),
                may: May::ALL,
            },
        }
    }
}

/// What a create or edit page is drawn in: the page in its family's
/// section, where its form posts, its back link, and what it offers.
pub struct Frame {
    pub page: PageCtx,
    pub action: String,
    pub back_href: String,
    pub may: May,
}

/// Which values a form offers: what the member may change.
pub struct May {
    pub name: bool,
    pub description: bool,
}

impl May {
    /// A create form: every value.
    pub const ALL: May = May {
        name: true,
        description: true,
    };
}

/// One rendering of a create or edit page: what it shows, its messages
/// by field, the words above it, and its status.
pub struct Form<'a, V> {
    pub v: &'a V,
    pub errors: FieldErrors,
    pub problem: Option<String>,
    pub status: StatusCode,
}

impl<'a, V> Form<'a, V> {
    /// The page as it opens.
    pub fn fresh(v: &'a V) -> Self {
        Self {
            v,
            errors: FieldErrors::new(),
            problem: None,
            status: StatusCode::OK,
        }
    }

    /// Values that cannot be used, each message beside its field (422).
    pub fn invalid(v: &'a V, errors: FieldErrors) -> Self {
        Self {
            v,
            errors,
            problem: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A refusal: the API's words beside the fields it names and `problem`
    /// above the form (422).
    pub fn refused(v: &'a V, errors: FieldErrors, problem: String) -> Self {
        Self {
            problem: Some(problem),
            ..Self::invalid(v, errors)
        }
    }
}

/// The name and description as the Cloud Panel keeps them; a bad one's
/// message lands beside its field (and its value is empty).
pub fn check_names(name: &str, description: &str, errors: &mut FieldErrors) -> (String, String) {
    let name = parse_resource_name(name).unwrap_or_else(|e| {
        errors.insert("name", e);
        String::new()
    });
    let description = parse_resource_description(description).unwrap_or_else(|e| {
        errors.insert("description", e);
        String::new()
    });
    (name, description)
}

/// A name and a description, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub name: String,
    pub description: String,
}

impl AsRef<Names> for Names {
    fn as_ref(&self) -> &Names {
        self
    }
}

/// A page of only the name and description, checked: both, or the
/// message beside each bad one.
pub fn checked_names(name: &str, description: &str) -> Result<Names, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(name, description, &mut errors);
    if errors.is_empty() {
        Ok(Names { name, description })
    } else {
        Err(errors)
    }
}

/// What an edit changes: the name, the description, and the family's
/// other value ([`Editable::OTHER`]).
#[derive(Debug, Clone, Copy)]
pub struct Changed {
    pub name: bool,
    pub description: bool,
    pub other: bool,
}

impl Changed {
    /// What an edit of `current` to the checked values changes: the one
    /// comparison of the edit page and the API's edit.
    pub fn of<F: Editable>(current: &F::Object, checked: &F::Checked) -> Self {
        let Names { name, description } = checked.as_ref();
        Self {
            name: name != current.name(),
            description: description != F::description(current),
            other: F::other_changed(current, checked),
        }
    }

    /// Whether anything changes.
    pub fn any(&self) -> bool {
        self.name || self.description || self.other
    }

    /// The flags these changes need, in order (the name's, the
    /// description's, the other value's): a value that stays needs none.
    pub fn flags<F: Editable>(&self) -> Vec<Permission> {
        [
            (self.name, Some(F::FLAGS.name)),
            (self.description, Some(F::FLAGS.description)),
            (self.other, F::OTHER),
        ]
        .into_iter()
        .filter_map(|(changed, flag)| flag.filter(|_| changed))
        .collect()
    }

    /// The audit log's details: each changed value.
    pub fn details<F: Editable>(&self, checked: &F::Checked) -> Value {
        let Names { name, description } = checked.as_ref();
        let mut details = Map::new();
        if self.name {
            details.insert("name".into(), json!(name));
        }
        if self.description {
            details.insert("description".into(), json!(description));
        }
        if self.other {
            F::other_details(checked, &mut details);
        }
        Value::Object(details)
    }
}

/// A family's edit page, declared: what the object is and how it is read
/// and saved, how the form's values are made and checked, and how the page
/// is drawn. Implemented by a unit type of the family's `form.rs`; the
/// routes are `edit_form::<Edit>` and `save_edit::<Edit>`.
pub trait Editable: 'static {
    /// The object edited, as the API reads and answers it.
    type Object: Named;
    /// The posted form; a field the page did not offer is absent (none:
    /// the object as it is).
    type Input: DeserializeOwned + Default + 'static;
    /// What the form shows.
    type Values;
    /// The values, checked: the name and description, and any other.
    type Checked: AsRef<Names>;
    /// What the update call sends.
    type Body;

    const FAMILY: &'static Family;
    /// The audit log's action: `image.update`.
    const ACTION: &'static str;
    /// The object in a failed read's words: `this image`.
    const WHAT: &'static str;
    /// The form's fields, as the API names them in a refusal.
    const FIELDS: &'static [&'static str];
    const FLAGS: NameFlags;
    /// The flag of the other value the page changes, if any (a private
    /// network's address range).
    const OTHER: Option<Permission> = None;

    fn get(
        client: &AccountClient,
        id: &str,
    ) -> impl Future<Output = Result<Fetched<Self::Object>, CloudError>>;
    fn update(
        client: &AccountClient,
        id: &str,
        body: &Self::Body,
    ) -> impl Future<Output = Result<Self::Object, CloudError>>;
    /// The object's current description (its name is [`Named::name`]).
    fn description(object: &Self::Object) -> &str;
    /// The object's values with what the form changed; a field it did not
    /// send stays as it is.
    fn edited(object: &Self::Object, input: Self::Input) -> Self::Values;
    fn check(v: &Self::Values) -> Result<Self::Checked, FieldErrors>;
    /// Whether the other value changes.
    fn other_changed(_object: &Self::Object, _checked: &Self::Checked) -> bool {
        false
    }
    fn body(checked: &Self::Checked, changed: Changed) -> Self::Body;
    /// The audit log's details of the other value, when it changes.
    fn other_details(_checked: &Self::Checked, _details: &mut Map<String, Value>) {}
    /// The flag an edit opens under: the first of the family's the member
    /// holds (`can` tells); a member with none is refused for the name's.
    fn opening_flag(can: impl Fn(Permission) -> bool) -> Permission {
        [
            Some(Self::FLAGS.name),
            Some(Self::FLAGS.description),
            Self::OTHER,
        ]
        .into_iter()
        .flatten()
        .find(|p| can(*p))
        .unwrap_or(Self::FLAGS.name)
    }

    /// The edit page of `object`.
    fn show(
        ctx: &OrgCtx,
        up: &Upstream,
        object: &Self::Object,
        form: Form<'_, Self::Values>,
    ) -> AppResult<HttpResponse>;
}

/// The flag that opens the edit page: see [`Editable::opening_flag`].
fn opening_flag<F: Editable>(ctx: &OrgCtx) -> Permission {
    F::opening_flag(|p| ctx.can(p))
}

/// The object, or the page's own 404 / the API's problem.
async fn load<F: Editable>(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<F::Object> {
    Ok(found(ctx, F::WHAT, F::get(up.client(), id).await)?.value)
}

/// `GET /o/{slug}/<family>/{id}/edit`: the form with the object's values.
pub async fn edit_form<F: Editable>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, opening_flag::<F>(&ctx)).await?;
    let current = load::<F>(&ctx, &up, &object.id).await?;
    let v = F::edited(&current, F::Input::default());
    F::show(&ctx, &up, &current, Form::fresh(&v))
}

/// `POST /o/{slug}/<family>/{id}/edit`: checks, requires each changed
/// value's flag, sends only what the family's body takes, and records the
/// change with what changed.
pub async fn save_edit<F: Editable>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    input: web::Form<F::Input>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, opening_flag::<F>(&ctx), F::FAMILY)
        .await?;
    let (id, up) = (object.id.as_str(), &act.up);
    let current = load::<F>(&ctx, up, id).await?;
    let v = F::edited(&current, input.into_inner());
    let checked = match F::check(&v) {
        Ok(checked) => checked,
        Err(errors) => return F::show(&ctx, up, &current, Form::invalid(&v, errors)),
    };

    // Each changed value needs its own flag; a value that stays needs none.
    let changed = Changed::of::<F>(&current, &checked);
    for flag in changed.flags::<F>() {
        ctx.require(flag).await?;
    }
    if !changed.any() {
        flash::info(
            &session,
            format!(
                "Nothing to save: {} already has these values.",
                current.name()
            ),
        );
        return Ok(redirect(act.page()));
    }

    let body = F::body(&checked, changed);
    let event = NewEvent::new(F::ACTION, Outcome::Requested)
        .target(F::FAMILY.kind, id, current.name())
        .details(changed.details::<F>(&checked));
    let answer = recorded(up, event, F::update(up.client(), id, &body), |o| {
        (o.id().to_owned(), o.name().to_owned())
    })
    .await?;
    match answer {
        Ok(saved) => {
            let shown = if saved.name().is_empty() {
                checked.as_ref().name.as_str()
            } else {
                saved.name()
            };
            flash::success(&session, format!("Saved {shown}."));
            Ok(redirect(act.page()))
        }
        // Waiting in the account's queue (news, not a problem with the
        // form), or gone meanwhile (the list).
        Err(e) if e.is_queued() || matches!(e, CloudError::NotFound { .. }) => act.refused(&e),
        Err(e) => {
            let errors = api_field_errors(&e, among(F::FIELDS));
            let problem = form_problem(&e, !errors.is_empty(), "Nothing was changed.");
            F::show(&ctx, up, &current, Form::refused(&v, errors, problem))
        }
    }
}
