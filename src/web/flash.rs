//! Flash messages: set before a redirect, shown once on the next page.

use std::collections::BTreeMap;

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";
const KEPT: &str = "kept_form";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Success,
    Info,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub level: Level,
    pub message: String,
    /// Seconds until a retry may work (the Cloud Panel's request limit),
    /// shown as a countdown.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.level {
            Level::Success => "flash-success",
            Level::Info => "flash-info",
            Level::Error => "flash-error",
        }
    }

    /// Errors interrupt a screen reader; the rest wait their turn.
    pub fn role(&self) -> &'static str {
        match self.level {
            Level::Error => "alert",
            Level::Success | Level::Info => "status",
        }
    }
}

pub fn push(session: &Session, level: Level, message: impl Into<String>) {
    add(
        session,
        Flash {
            level,
            message: message.into(),
            retry_after: None,
        },
    );
}

fn add(session: &Session, flash: Flash) {
    let mut all: Vec<Flash> = session.get(KEY).ok().flatten().unwrap_or_default();
    all.push(flash);
    // A session that cannot be written loses only the message, never the action.
    let _ = session.insert(KEY, all);
}

pub fn success(session: &Session, message: impl Into<String>) {
    push(session, Level::Success, message);
}

pub fn error(session: &Session, message: impl Into<String>) {
    push(session, Level::Error, message);
}

/// A failed Cloud Panel call: its message, and a countdown when the request
/// limit was the cause. A change that waits in the account's queue is not a
/// failure: its place in line is said as information.
pub fn cloud_error(session: &Session, error: &crate::cloudpanel::CloudError) {
    cloud_error_from(session, error, "the Cloud Panel");
}

/// [`cloud_error`] for an account of the API named `api` (`Api::name`).
pub fn cloud_error_from(session: &Session, error: &crate::cloudpanel::CloudError, api: &str) {
    add(
        session,
        Flash {
            level: if error.is_queued() {
                Level::Info
            } else {
                Level::Error
            },
            message: error.summary_for(api),
            retry_after: error.retry_after_secs(),
        },
    );
}

pub fn info(session: &Session, message: impl Into<String>) {
    push(session, Level::Info, message);
}

/// Removes and returns the pending messages.
pub fn take(session: &Session) -> Vec<Flash> {
    if !session.contains_key(KEY) {
        return Vec::new();
    }
    session
        .remove_as::<Vec<Flash>>(KEY)
        .and_then(Result::ok)
        .unwrap_or_default()
}

/// A form that came back: which one, what was typed, and a message beside
/// each field the change could not use. Kept for the next page like a
/// message, so the page the user is sent back to fills the form in again
/// (the one way a form on a page answers with its errors).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Kept {
    /// The form's name on its page ("rename", "rule").
    pub form: String,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
}

impl Kept {
    /// What was typed into `form`, from its serialised fields. A field that
    /// holds a secret (a password, a token) is never kept: the session is
    /// stored, and a secret is typed again.
    pub fn typed(form: &str, fields: &impl Serialize) -> Self {
        let mut values = BTreeMap::new();
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(fields) {
            for (name, value) in map {
                if is_secret(&name) {
                    continue;
                }
                let text = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                values.insert(name, text);
            }
        }
        Self {
            form: form.to_owned(),
            values,
            errors: BTreeMap::new(),
        }
    }

    /// What a field of `form` shows: what was typed when this form came
    /// back, else `current`.
    pub fn value<'a>(&'a self, form: &str, field: &str, current: &'a str) -> &'a str {
        if self.form == form {
            self.values.get(field).map_or(current, String::as_str)
        } else {
            current
        }
    }

    /// The message beside a field of `form`.
    pub fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form)
            .then(|| self.errors.get(field).map(String::as_str))
            .flatten()
    }
}

fn is_secret(field: &str) -> bool {
    ["password", "secret", "token", "private"]
        .iter()
        .any(|word| field.contains(word))
}

/// Keeps a form for the next page.
pub fn keep(session: &Session, kept: Kept) {
    // A session that cannot be written loses only the typed values.
    let _ = session.insert(KEPT, kept);
}

/// Removes and returns the kept form, if any.
pub fn take_kept(session: &Session) -> Option<Kept> {
    if !session.contains_key(KEPT) {
        return None;
    }
    session.remove_as::<Kept>(KEPT).and_then(Result::ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Form {
        name: String,
        size: u32,
        password: String,
        csrf_token: String,
    }

    #[test]
    fn a_kept_form_keeps_what_was_typed_but_never_a_secret() {
        let kept = Kept::typed(
            "rename",
            &Form {
                name: "typed".into(),
                size: 40,
                password: "hunter2".into(),
                csrf_token: "t".into(),
            },
        );
        assert_eq!(kept.value("rename", "name", "current"), "typed");
        assert_eq!(kept.value("rename", "size", ""), "40");
        assert_eq!(kept.value("rename", "password", ""), "");
        assert_eq!(kept.value("rename", "csrf_token", ""), "");
        assert_eq!(kept.value("attach", "name", "current"), "current");
    }

    #[test]
    fn errors_belong_to_their_own_form() {
        let mut kept = Kept::typed("rename", &serde_json::json!({ "name": "" }));
        kept.errors.insert("name".into(), "Give a name.".into());
        assert_eq!(kept.error("rename", "name"), Some("Give a name."));
        assert_eq!(kept.error("attach", "name"), None);
        assert_eq!(kept.error("rename", "description"), None);
    }
}
