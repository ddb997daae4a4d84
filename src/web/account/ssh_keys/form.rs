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
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ssh_key_href;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::common::NameDescription;
use crate::cloudpanel::ssh_keys::{CreateSshKey, SshKey};
use crate::domain::{parse_resource_description, parse_resource_name};
use crate::rbac::{Permission, perms};
use crate::web::cloud::queued;
use crate::web::cloud::{
    AccountParam, Fallback, FieldErrors, Upstream, among, api_field_errors, check_id, connect,
    form_problem, found, recorded,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

const FIELDS: &[&str] = &["name", "description", "public_key"];

/// The Cloud Panel keeps public keys of at most this many characters.
const MAX_KEY_LEN: usize = 256;

/// The key types OpenSSH writes in a public key file.
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

/// An OpenSSH public key as one line: `TYPE BASE64 [COMMENT]`, where the
/// decoded key names the same type. Answers the key with single spaces.
pub fn parse_public_key(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Paste the public key, the one line of the .pub file.".into());
    }
    if raw.contains(['\n', '\r']) {
        return Err("The public key is one line; paste only the .pub file's line.".into());
    }
    if raw.starts_with("-----") || raw.contains("PRIVATE KEY") {
        return Err(
            "This is not a public key. Paste the .pub file's line, never the private key.".into(),
        );
    }
    let mut parts = raw.split_whitespace();
    let (kind, blob) = (parts.next().unwrap_or_default(), parts.next());
    let comment = parts.collect::<Vec<_>>().join(" ");
    if !KEY_TYPES.contains(&kind) {
        return Err(
            "This does not look like an OpenSSH public key: it starts with its type, such as ssh-ed25519 or ecdsa-sha2-nistp256."
                .into(),
        );
    }
    let decoded = blob
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_default();
    let named = decoded
        .get(..4)
        .map(|len| u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize)
        .and_then(|len| decoded.get(4..4 + len));
    if named != Some(kind.as_bytes()) {
        return Err(
            "The key after its type is damaged or incomplete; copy the whole line again.".into(),
        );
    }
    let key = match (blob, comment.is_empty()) {
        (Some(b), true) => format!("{kind} {b}"),
        (Some(b), false) => format!("{kind} {b} {comment}"),
        (None, _) => String::new(),
    };
    if key.chars().count() > MAX_KEY_LEN {
        return Err(format!(
            "The Cloud Panel keeps keys of at most {MAX_KEY_LEN} characters; this one has {}. Use an Ed25519 or ECDSA key, or a shorter comment.",
            key.chars().count()
        ));
    }
    Ok(key)
}

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
    let public_key = parse_public_key(&v.public_key).unwrap_or_else(|e| {
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
    let page = ctx.page.clone().with_section("ssh_keys");
    render(
        form.status,
        &FormPage {
            page: &page,
            v: form.v,
            errors: form.errors,
            problem: form.problem,
            action: up.href(ctx, "ssh_keys"),
            back_href: up.href(ctx, "ssh_keys"),
            editing: None,
            may: May {
                name: true,
                description: true,
            },
        },
    )
}

fn show_edit(ctx: &OrgCtx, up: &Upstream, key: &SshKey, form: Form<'_>) -> AppResult<HttpResponse> {
    let href = ssh_key_href(ctx, &key.id);
    let page = ctx.page.clone().with_section("ssh_keys");
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
    let event = NewEvent::new("ssh_key.create", Outcome::Requested)
        .target("ssh_key", "", &body.name)
        .details(json!({
            "name": body.name,
            "description": body.description,
            "public_key": body.public_key,
        }));
    let answer = recorded(
        &up,
        event,
        up.client().create_ssh_key(&body),
        |k: &SshKey| (k.id.clone(), k.name.clone()),
    )
    .await?;
    match answer {
        Ok(key) => {
            let name = if key.name.is_empty() {
                body.name.clone()
            } else {
                key.name.clone()
            };
            flash::success(
                &session,
                format!("Added {name}. New servers can now be given it."),
            );
            if key.id.is_empty() {
                return Ok(redirect(&up.href(&ctx, "ssh_keys")));
            }
            Ok(redirect(&format!(
                "{}{}",
                ssh_key_href(&ctx, &key.id),
                up.query()
            )))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, &up.href(&ctx, "ssh_keys")) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(FIELDS));
            let form = Form {
                v: &v,
                problem: Some(form_problem(&e, !errors.is_empty(), "Nothing was created.")),
                errors: &errors,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_create(&ctx, &up, form)
        }
    }
}

/// The key, or the page's own 404 / Cloud Panel problem.
async fn load(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<SshKey> {
    Ok(found(ctx, "this SSH key", up.client().get_ssh_key(id).await)?.value)
}

pub async fn edit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let tenant = ctx.require(edit_permission(&ctx)).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let key = load(&ctx, &up, id).await?;
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
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
    input: web::Form<Input>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let tenant = ctx.require(edit_permission(&ctx)).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let key = load(&ctx, &up, id).await?;
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
        return show_edit(&ctx, &up, &key, form);
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
    let page = format!("{}{}", ssh_key_href(&ctx, id), up.query());
    if !(name_changed || description_changed) {
        flash::info(
            &session,
            format!("Nothing to save: {} already has these values.", key.name),
        );
        return Ok(redirect(&page));
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
        &up,
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
            Ok(redirect(&page))
        }
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            Ok(redirect(&up.href(&ctx, "ssh_keys")))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, &page) {
                return Ok(queued);
            }
            let errors = api_field_errors(&e, among(FIELDS));
            let form = Form {
                v: &v,
                problem: Some(form_problem(&e, !errors.is_empty(), "Nothing was changed.")),
                errors: &errors,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            show_edit(&ctx, &up, &key, form)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@ci";

    #[test]
    fn an_openssh_public_key_is_taken_with_its_comment() {
        assert_eq!(
            parse_public_key(&format!("  {ED25519}\n")).unwrap(),
            ED25519
        );
        let bare =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        assert_eq!(parse_public_key(bare).unwrap(), bare);
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for (raw, says) in [
            ("", "Paste the public key"),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "never the private key",
            ),
            ("hello world", "starts with its type"),
            (
                "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
                "damaged",
            ),
            ("ssh-ed25519 not-base64!", "damaged"),
            ("ssh-ed25519", "damaged"),
            ("ssh-ed25519 AAAA\nssh-ed25519 AAAA", "one line"),
        ] {
            let e = parse_public_key(raw).unwrap_err();
            assert!(e.contains(says), "{raw}: {e}");
        }
        let long = format!("{ED25519} {}", "c".repeat(200));
        assert!(parse_public_key(&long).unwrap_err().contains("at most 256"));
    }
}
