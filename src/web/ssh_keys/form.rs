//! Importing an SSH public key (name, description, the key) and editing one
//! (name and description, each behind its own flag). The key is checked to
//! be an OpenSSH public key before anything is sent; the form comes back
//! with what was typed and a message beside each bad field. A change to a
//! value the member may not change is refused like any missing permission
//! (403, audited as denied).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::common::NameDescription;
use crate::cloudpanel::ssh_keys::{CreateSshKey, SshKey};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::domain::PublicKey;
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Changed, Editable, Fallback, Family, FieldErrors, Form, May, NameFlags,
    Names, Upstream, among, check_names, checked_names, connect,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

const FIELDS: &[&str] = &["name", "description", "public_key"];

const FLAGS: NameFlags = NameFlags {
    name: perms::SSH_KEYS_SET_NAME,
    description: perms::SSH_KEYS_SET_DESCRIPTION,
};

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
    pub(crate) fn typed(input: Input) -> Self {
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

/// The key to import, checked: an OpenSSH public key is always sent, so the
/// API never generates a pair (whose private key would travel back).
pub(crate) fn check_create(v: &Values) -> Result<CreateSshKey, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (name, description) = check_names(&v.name, &v.description, &mut errors);
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

/// The create page (`key` none) or the key's edit page.
fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    key: Option<&SshKey>,
    form: Form<'_, Values>,
) -> AppResult<HttpResponse> {
    let frame = FLAGS.frame(&FAMILY, ctx, up, key.map(|k| k.id.as_str()));
    render(
        form.status,
        &FormPage {
            page: &frame.page,
            v: form.v,
            errors: &form.errors,
            problem: form.problem,
            action: frame.action,
            back_href: frame.back_href,
            editing: key,
            may: frame.may,
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
    show(&ctx, &up, None, Form::fresh(&Values::default()))
}

/// An import, described for the audit log (the public key only) and the member.
pub(crate) fn create_change(body: &CreateSshKey) -> Change {
    Change::new(
        "ssh_key.create",
        json!({
            "name": body.name,
            "description": body.description,
            "public_key": body.public_key,
        }),
        "Added {name}. New servers can now be given it.",
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
        Err(errors) => return show(&ctx, &up, None, Form::invalid(&v, errors)),
    };
    let change = create_change(&body);
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
            show(
                again.0,
                again.1,
                None,
                Form::refused(again.2, errors, problem),
            )
        },
    )
    .await
}

/// The key's edit page: its name and description (the key never changes).
pub struct Edit;

impl Editable for Edit {
    type Object = SshKey;
    type Input = Input;
    type Values = Values;
    type Checked = Names;
    type Body = NameDescription;
    const FAMILY: &'static Family = &FAMILY;
    const ACTION: &'static str = "ssh_key.update";
    const WHAT: &'static str = "this SSH key";
    const FIELDS: &'static [&'static str] = FIELDS;
    const FLAGS: NameFlags = FLAGS;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<SshKey>, CloudError> {
        client.get_ssh_key(id).await
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &NameDescription,
    ) -> Result<SshKey, CloudError> {
        client.update_ssh_key(id, body).await
    }

    fn description(key: &SshKey) -> &str {
        &key.description
    }

    fn edited(key: &SshKey, input: Input) -> Values {
        Values::edited(key, input)
    }

    fn check(v: &Values) -> Result<Names, FieldErrors> {
        checked_names(&v.name, &v.description)
    }

    /// The API requires the name on every change, even when it stays.
    fn body(n: &Names, changed: Changed) -> NameDescription {
        NameDescription {
            name: Some(n.name.clone()),
            description: changed.description.then(|| n.description.clone()),
        }
    }

    fn show(
        ctx: &OrgCtx,
        up: &Upstream,
        key: &SshKey,
        form: Form<'_, Values>,
    ) -> AppResult<HttpResponse> {
        show(ctx, up, Some(key), form)
    }
}
