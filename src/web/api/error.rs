//! The API's failures, each a JSON object with `errors` (a list of
//! messages) and the status that says what went wrong, as the Engine Yard
//! Core API conventions have it; 422s add `unpermitted` or `missing`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

/// One message for every token that does not open the API (none, unknown,
/// expired, revoked, or its member gone), so a guess learns nothing.
pub const NO_TOKEN: &str = "Send a valid API token in the X-TEAMPANEL-TOKEN header or the token parameter; this one is missing, unknown, expired or revoked.";

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({ "errors": [message.into()] }),
        }
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
        HttpResponse::build(self.status).json(&self.body)
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
