//! What can go wrong talking to the Cloud Panel, in words a user can act on.

use serde_json::Value;

use super::queueing::ordinal;

/// A failed Cloud Panel call. Never holds the token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CloudError {
    /// 401: the token was rejected.
    #[error("the Cloud Panel rejected the API token")]
    Unauthorized,
    /// 403 (or 406: the panel's address is not in the token's allowed IPs).
    #[error("the Cloud Panel refused the operation ({status}): {message}")]
    Forbidden {
        status: u16,
        kind: String,
        message: String,
    },
    /// 404.
    #[error("not found in the Cloud Panel: {message}")]
    NotFound { kind: String, message: String },
    /// 429 upstream, or the panel's own request budget for the account is spent.
    #[error("the Cloud Panel rate limit is reached; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Another 4xx: the API's own words.
    #[error("the Cloud Panel rejected the request ({status} {kind}): {message}")]
    Rejected {
        status: u16,
        kind: String,
        message: String,
        errors: Option<Value>,
    },
    /// 5xx.
    #[error("the Cloud Panel answered with an error ({status})")]
    Upstream { status: u16 },
    #[error("the Cloud Panel did not answer in time")]
    Timeout,
    /// A success status with a body that could not be read.
    #[error("the Cloud Panel's answer could not be read: {detail}")]
    Undecodable { detail: String },
    /// Connection, DNS or TLS trouble, or an unusable base URL.
    #[error("the Cloud Panel could not be reached: {detail}")]
    Network { detail: String },
    /// Not a failure: the account's request budget is spent (or earlier
    /// changes wait), so the change waits in the account's queue and is
    /// sent when the budget allows. `position` is 1 for the next to run;
    /// 0 until the queue has placed it; `queue_id` is its row in the
    /// queue once placed (what the JSON API's status address names).
    #[error("queued: {position} in line, runs in about {wait_secs} s")]
    Queued {
        position: u32,
        wait_secs: u64,
        queue_id: Option<i64>,
    },
    /// The account's queue of changes is full: nothing was sent or queued.
    #[error("the queue of changes for this cloud account is full ({waiting} waiting)")]
    QueueFull { waiting: u32, retry_after_secs: u64 },
    /// Refused by the client before anything was sent: the change is not one
    /// its page was opened for (see `AccountClient::granted`). `needed`
    /// names the permissions that allow it, separated by `, `; it is empty
    /// when none does, for a request that is not one of the API's endpoints.
    #[error("the change was refused unsent: this client was granted none of [{needed}]")]
    NotGranted { needed: String },
    /// Refused by the client before anything was sent: what the change
    /// would make (its name, its datacenter) falls outside the member's
    /// scoped role (see `AccountClient::scoped`). `field` is the request
    /// field at fault, for the form to show the message beside it.
    #[error("outside the member's scope: {message}")]
    OutOfScope {
        message: String,
        field: Option<&'static str>,
    },
    /// Not a failure: the change is of a kind the organisation holds for a
    /// second member's approval, so it was kept (never sent) as request
    /// `approval_id`, which its requester completes with a reason.
    #[error("held for approval as request {approval_id}")]
    HeldForApproval { approval_id: i64 },
}

impl CloudError {
    /// A sentence fit to show a user (no internals, no token), about a
    /// Cloud Panel account.
    pub fn user_message(&self) -> String {
        self.user_message_for("the Cloud Panel")
    }

    /// A sentence fit to show a user about an account of the API named
    /// `api` ("the Cloud Panel", "E2E Networks": see `Api::name`).
    pub fn user_message_for(&self, api: &str) -> String {
        let the_api = capitalised(api);
        match self {
            CloudError::Unauthorized => {
                format!("{the_api} rejected this account's API token. Ask an administrator to check or replace it.")
            }
            CloudError::Forbidden { status: 406, .. } => {
                format!("{the_api} does not accept API calls from this panel's address (the token is restricted to other IPs).")
            }
            CloudError::Forbidden { message, .. } if !message.is_empty() => {
                format!("{the_api} refused this operation: {message}")
            }
            CloudError::Forbidden { .. } => format!("{the_api} refused this operation."),
            CloudError::NotFound { message, .. } if !message.is_empty() => {
                format!("Not found in {api}: {message}. It may have been deleted.")
            }
            CloudError::NotFound { .. } => {
                format!("Not found in {api}. It may have been deleted.")
            }
            CloudError::RateLimited { retry_after_secs } => format!(
                "{the_api}'s request limit for this account is reached. Retry in {retry_after_secs} s."
            ),
            CloudError::Rejected { message, .. } if !message.is_empty() => {
                format!("{the_api} rejected the request: {message}")
            }
            CloudError::Rejected { status, .. } => {
                format!("{the_api} rejected the request ({status}).")
            }
            CloudError::Upstream { status } => format!(
                "{the_api} had an internal problem ({status}). Try again in a moment."
            ),
            CloudError::Timeout => {
                format!("{the_api} did not answer in time. Try again in a moment.")
            }
            CloudError::Undecodable { .. } => {
                format!("{the_api} sent an answer the panel could not read. Try again in a moment.")
            }
            CloudError::Network { .. } => {
                format!("{the_api} could not be reached. Check the account's address and the network.")
            }
            CloudError::Queued { position: 0, .. } => {
                "Queued for this cloud account: it runs as soon as the request budget allows. You can cancel it on the Queue page.".into()
            }
            CloudError::Queued {
                position,
                wait_secs,
                ..
            } => {
                let when = if *wait_secs == 0 {
                    "runs in a moment".to_owned()
                } else {
                    format!("runs in about {wait_secs} s")
                };
                format!(
                    "Queued: {} in line for this cloud account, {when}. You can cancel it on the Queue page.",
                    ordinal(*position)
                )
            }
            CloudError::QueueFull {
                waiting,
                retry_after_secs,
            } => format!(
                "The queue of changes for this cloud account is full ({waiting} waiting): nothing was sent. Try again in about {retry_after_secs} s."
            ),
            CloudError::NotGranted { needed } => not_granted_message(needed),
            CloudError::OutOfScope { message, .. } => message.clone(),
            CloudError::HeldForApproval { .. } => "This change needs a second member's approval: \
                nothing was sent. Say why on its request, and another member can approve it."
                .to_owned(),
        }
    }

    /// An object the member's scope leaves out (see `AccountClient::scoped`):
    /// answered as not found, and never as "it was deleted meanwhile".
    pub fn outside_scope(&self) -> bool {
        matches!(self, CloudError::NotFound { kind, .. } if kind == crate::cloudpanel::OUT_OF_SCOPE)
    }

    /// Not a failure: the change waits in the account's queue.
    /// (Held for approval counts: it waits too.)
    pub fn is_queued(&self) -> bool {
        matches!(
            self,
            CloudError::Queued { .. } | CloudError::HeldForApproval { .. }
        )
    }

    /// The HTTP status that came back, if any; a change the client refused
    /// unsent for its permission counts as a 403.
    pub fn status(&self) -> Option<u16> {
        match self {
            CloudError::Unauthorized => Some(401),
            CloudError::Forbidden { status, .. }
            | CloudError::Rejected { status, .. }
            | CloudError::Upstream { status } => Some(*status),
            CloudError::NotFound { .. } => Some(404),
            CloudError::RateLimited { .. } => Some(429),
            // Refused like a 403, by the panel itself: nothing went upstream.
            CloudError::NotGranted { .. } => Some(403),
            // A value the member may not choose: refused like a bad value.
            CloudError::OutOfScope { .. } => Some(422),
            CloudError::Timeout
            | CloudError::Undecodable { .. }
            | CloudError::Network { .. }
            | CloudError::Queued { .. }
            | CloudError::HeldForApproval { .. }
            | CloudError::QueueFull { .. } => None,
        }
    }

    /// The message for a page that shows the retry delay itself, as a
    /// countdown: the limit is named without its (soon stale) seconds.
    pub fn summary(&self) -> String {
        self.summary_for("the Cloud Panel")
    }

    /// [`CloudError::summary`] for an account of the API named `api`.
    pub fn summary_for(&self, api: &str) -> String {
        match self {
            CloudError::RateLimited { .. } => {
                format!(
                    "{}'s request limit for this account is reached.",
                    capitalised(api)
                )
            }
            other => other.user_message_for(api),
        }
    }

    /// Seconds to wait before retrying, when the limit is the cause.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            CloudError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Worth retrying a read: gateways and timeouts, nothing else.
    pub(crate) fn is_retryable_read(&self) -> bool {
        matches!(
            self,
            CloudError::Upstream { status: 502..=504 } | CloudError::Timeout
        )
    }

    /// Turns an error answer into a typed error; `retry_after_secs` comes from the headers.
    pub(crate) fn from_response(status: u16, body: &[u8], retry_after_secs: u64) -> CloudError {
        let (kind, message, errors) = parse_error_body(body);
        match status {
            401 => CloudError::Unauthorized,
            403 | 406 => CloudError::Forbidden {
                status,
                kind,
                message,
            },
            404 => CloudError::NotFound { kind, message },
            429 => CloudError::RateLimited { retry_after_secs },
            400..=499 => CloudError::Rejected {
                status,
                kind,
                message,
                errors,
            },
            _ => CloudError::Upstream { status },
        }
    }

    pub(crate) fn from_reqwest(e: &reqwest::Error) -> CloudError {
        if e.is_timeout() {
            return CloudError::Timeout;
        }
        if e.is_decode() {
            return CloudError::Undecodable {
                detail: "the body could not be read".into(),
            };
        }
        let what = if e.is_connect() {
            "connection failed"
        } else if e.is_builder() {
            "the request could not be built"
        } else if e.is_body() {
            "the connection broke while reading the answer"
        } else {
            "the request failed"
        };
        // The URL never holds the token (it travels in a header), but is left out anyway.
        let source = std::error::Error::source(e)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        CloudError::Network {
            detail: format!("{what}{source}"),
        }
    }
}

/// "the Cloud Panel" → "The Cloud Panel".
pub fn capitalised(api: &str) -> String {
    let mut chars = api.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a member reads when the client refused a change for its permission:
/// which permission the change needs, and that nothing was sent.
fn not_granted_message(needed: &str) -> String {
    let quoted: Vec<String> = needed
        .split(", ")
        .filter(|key| !key.is_empty())
        .map(|key| format!("“{key}”"))
        .collect();
    let needs = match quoted.as_slice() {
        [] => {
            return "This change is not one the panel knows how to make, so no permission allows it; nothing was sent.".into();
        }
        [one] => format!("the permission {one}"),
        [rest @ .., last] => format!("one of the permissions {} or {last}", rest.join(", ")),
    };
    format!("This change needs {needs}, which this page was not opened with; nothing was sent.")
}

/// Reads `{Type, Message, Errors}` in either casing (the reference uses both).
fn parse_error_body(body: &[u8]) -> (String, String, Option<Value>) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        let text: String = text.trim().chars().take(200).collect();
        return (String::new(), text, None);
    };
    let mut kind = String::new();
    let mut message = String::new();
    let mut errors = None;
    for (k, v) in map {
        match k.to_ascii_lowercase().as_str() {
            "type" => kind = v.as_str().unwrap_or_default().to_string(),
            "message" => message = v.as_str().unwrap_or_default().to_string(),
            "errors" if !v.is_null() => errors = Some(v),
            _ => {}
        }
    }
    (kind, message, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capitalised_and_lower_case_error_bodies_are_read() {
        let e = CloudError::from_response(
            404,
            br#"{"Type":"SERVER_NOT_FOUND","Message":"Server not found","Errors":null}"#,
            0,
        );
        assert_eq!(
            e,
            CloudError::NotFound {
                kind: "SERVER_NOT_FOUND".into(),
                message: "Server not found".into()
            }
        );
        let e = CloudError::from_response(
            400,
            br#"{"type":"INVALID_PARAMETERS","message":"Bad","errors":{"required":"name"}}"#,
            0,
        );
        assert_eq!(
            e,
            CloudError::Rejected {
                status: 400,
                kind: "INVALID_PARAMETERS".into(),
                message: "Bad".into(),
                errors: Some(json!({"required": "name"}))
            }
        );
        assert!(e.user_message().contains("Bad"));
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(
            CloudError::from_response(401, b"", 0),
            CloudError::Unauthorized
        );
        assert_eq!(
            CloudError::from_response(429, b"", 17),
            CloudError::RateLimited {
                retry_after_secs: 17
            }
        );
        assert_eq!(
            CloudError::from_response(503, b"<html>", 0),
            CloudError::Upstream { status: 503 }
        );
        assert!(matches!(
            CloudError::from_response(406, b"", 0),
            CloudError::Forbidden { status: 406, .. }
        ));
        assert!(
            CloudError::from_response(406, b"", 0)
                .user_message()
                .contains("address")
        );
    }

    #[test]
    fn only_gateway_errors_and_timeouts_are_retried() {
        assert!(CloudError::Upstream { status: 503 }.is_retryable_read());
        assert!(CloudError::Timeout.is_retryable_read());
        assert!(!CloudError::Upstream { status: 500 }.is_retryable_read());
        assert!(
            !CloudError::RateLimited {
                retry_after_secs: 1
            }
            .is_retryable_read()
        );
    }

    #[test]
    fn a_queued_change_says_its_place_in_line() {
        let m = CloudError::Queued {
            position: 2,
            wait_secs: 20,
            queue_id: Some(7),
        }
        .user_message();
        assert_eq!(
            m,
            "Queued: 2nd in line for this cloud account, runs in about 20 s. You can cancel it on the Queue page."
        );
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
        let full = CloudError::QueueFull {
            waiting: 100,
            retry_after_secs: 7,
        };
        assert!(
            full.user_message()
                .contains("full (100 waiting): nothing was sent")
        );
        assert_eq!(full.status(), None);
    }

    #[test]
    fn a_refused_change_names_the_permission_it_needs() {
        let one = CloudError::NotGranted {
            needed: "servers.shutdown".into(),
        };
        assert_eq!(
            one.user_message(),
            "This change needs the permission “servers.shutdown”, which this page was not opened with; nothing was sent."
        );
        assert_eq!(one.status(), Some(403));
        let several = CloudError::NotGranted {
            needed: "servers.start, servers.restart, servers.shutdown".into(),
        };
        assert_eq!(
            several.user_message(),
            "This change needs one of the permissions “servers.start”, “servers.restart” or “servers.shutdown”, which this page was not opened with; nothing was sent."
        );
        let unknown = CloudError::NotGranted {
            needed: String::new(),
        };
        assert!(unknown.user_message().contains("nothing was sent"));
        assert!(!unknown.is_retryable_read());
    }

    #[test]
    fn the_retry_delay_is_in_the_user_message() {
        let m = CloudError::RateLimited {
            retry_after_secs: 42,
        }
        .user_message();
        assert!(m.contains("42 s"), "{m}");
    }
}
