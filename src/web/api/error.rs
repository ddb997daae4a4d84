//! The API's failures, each a JSON object with `errors` (a list of
//! messages) and the status that says what went wrong, as the Engine Yard
//! Core API conventions have it; 422s add `unpermitted` or `missing`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

use crate::cloudpanel::CloudError;

/// One message for every token that does not open the API (none, unknown,
/// expired, revoked, or its member gone), so a guess learns nothing.
pub const NO_TOKEN: &str = "Send a valid API token in the X-TEAMPANEL-TOKEN header or the token parameter; this one is missing, unknown, expired or revoked.";

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    /// Seconds to wait before trying again (`Retry-After`), when known.
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({ "errors": [message.into()] }),
            retry_after: None,
        }
    }

    /// A failure the API's caller may retry after `secs`.
    fn later(status: StatusCode, message: impl Into<String>, secs: u64) -> Self {
        Self {
            retry_after: Some(secs),
            ..Self::new(status, message)
        }
    }

    /// A cloud provider's failure (`api` is its name in a sentence), in
    /// the status that says whose it is: the object is gone (404), it is in
    /// a state that does not allow the change (409), the provider refused
    /// the values (422), the budget or the queue is full for now (503 with
    /// `Retry-After`), the provider failed (502) or did not answer (504).
    /// A queued change is not a failure: see `act::ApiAct::run`.
    pub fn cloud(e: &CloudError, api: &str) -> Self {
        let message = e.user_message_for(api);
        match e {
            CloudError::NotFound { .. } => Self::not_found(),
            CloudError::Forbidden { kind, .. } if kind == "INVALID_STATE" => {
                Self::conflict(message)
            }
            CloudError::Rejected { status: 409, .. } => Self::conflict(message),
            CloudError::Rejected { errors, .. } => {
                let mut err = Self::invalid(message);
                if let Some(fields) = errors {
                    err.body["fields"] = fields.clone();
                }
                err
            }
            CloudError::NotGranted { .. } => Self::forbidden(message),
            CloudError::OutOfScope { field, .. } => {
                let mut err = Self::invalid(message.clone());
                if let Some(field) = field {
                    err.body["fields"] = serde_json::json!({ *field: [message] });
                }
                err
            }
            CloudError::RateLimited { retry_after_secs }
            | CloudError::QueueFull {
                retry_after_secs, ..
            } => Self::later(
                StatusCode::SERVICE_UNAVAILABLE,
                message,
                (*retry_after_secs).max(1),
            ),
            // Answered 202 by the change's route (`act::ApiAct::run`);
            // anywhere else it is a conflict with the organisation's rules.
            CloudError::HeldForApproval { .. } => Self::conflict(message),
            CloudError::Queued { wait_secs, .. } => Self::later(
                StatusCode::SERVICE_UNAVAILABLE,
                message,
                (*wait_secs).max(1),
            ),
            CloudError::Timeout => Self::new(StatusCode::GATEWAY_TIMEOUT, message),
            CloudError::Unauthorized
            | CloudError::Forbidden { .. }
            | CloudError::Upstream { .. }
            | CloudError::Undecodable { .. }
            | CloudError::Network { .. } => Self::new(StatusCode::BAD_GATEWAY, message),
        }
    }

    /// The status and body, for tests.
    #[cfg(test)]
    pub fn parts(&self) -> (u16, Value) {
        (self.status.as_u16(), self.body.clone())
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, NO_TOKEN)
    }

    /// Another organisation's address or object, or one that does not exist: one answer.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found.")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "API rate limit exceeded: wait until X-RateLimit-Reset (Unix time).",
        )
    }

    /// Parameters the endpoint does not take, all of them named.
    pub fn unpermitted(names: Vec<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "errors": [format!("found unpermitted parameters: {}", names.join(", "))],
                "unpermitted": names,
            }),
            retry_after: None,
        }
    }

    /// The first required parameter missing or empty.
    pub fn missing(name: &str) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "errors": [format!("param is missing or the value is empty: {name}")],
                "missing": name,
            }),
            retry_after: None,
        }
    }

    /// Values the endpoint cannot use, each message with its field: `errors`
    /// says them all (`name: …`), `fields` maps each field to its message.
    pub fn fields(problems: impl IntoIterator<Item = (String, String)>) -> Self {
        let problems: Vec<(String, String)> = problems.into_iter().collect();
        let errors: Vec<String> = problems.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let fields: serde_json::Map<String, Value> = problems
            .into_iter()
            .map(|(f, m)| (f, Value::String(m)))
            .collect();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({ "errors": errors, "fields": fields }),
            retry_after: None,
        }
    }

    /// A parameter with a value the endpoint cannot use.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "API answer {}", self.status)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut answer = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            answer.insert_header((actix_web::http::header::RETRY_AFTER, secs));
        }
        answer.json(&self.body)
    }
}

/// The pages' errors, from the code the API shares with them (the audited
/// change path): each in the API's own shape.
impl From<crate::web::error::AppError> for ApiError {
    fn from(e: crate::web::error::AppError) -> Self {
        use crate::web::error::AppError;
        match e {
            AppError::NotFound => Self::not_found(),
            AppError::Forbidden(message) => Self::forbidden(message),
            AppError::BadRequest(message) => Self::invalid(message),
            AppError::TooManyRequests {
                message,
                retry_after_secs,
            }
            | AppError::Pending {
                message,
                retry_after_secs,
            } => Self::later(
                StatusCode::SERVICE_UNAVAILABLE,
                message,
                retry_after_secs.max(1),
            ),
            AppError::Upstream(message) => Self::new(StatusCode::BAD_GATEWAY, message),
            held @ AppError::HeldForApproval { .. } => Self::conflict(held.to_string()),
            AppError::InPage { inner, .. } => Self::from(*inner),
            AppError::Internal(e) => Self::from(e),
            other @ (AppError::CsrfRejected
            | AppError::SignInRequired { .. }
            | AppError::TwoFactorRequired) => Self::from(anyhow::anyhow!("{other}")),
        }
    }
}

/// A failure of the panel itself: logged with its cause, answered in plain words.
impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        tracing::error!(error = ?e, "an API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The panel could not answer; the X-Request-Id header names this request in its log.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_422_names_the_parameters_as_the_conventions_do() {
        let e = ApiError::unpermitted(vec!["snarfblat".into(), "scruffy".into()]);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body["unpermitted"], json!(["snarfblat", "scruffy"]));
        assert_eq!(
            e.body["errors"][0],
            "found unpermitted parameters: snarfblat, scruffy"
        );
        let e = ApiError::missing("page");
        assert_eq!(e.body["missing"], "page");
        assert_eq!(
            e.body["errors"][0],
            "param is missing or the value is empty: page"
        );
    }
}
