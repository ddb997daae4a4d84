//! Flash messages: set before a redirect, shown once on the next page.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";

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
    add(
        session,
        Flash {
            level: if error.is_queued() {
                Level::Info
            } else {
                Level::Error
            },
            message: error.summary(),
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
