//! The API's error body and the errors the simulator answers with.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

/// One error answer: an HTTP status and the API's `{Type, Message, Errors}` body.
///
/// The reference mixes `Type` and `type`; the capitalised form is the majority
/// and the one used here for every error.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: String,
    pub message: String,
    pub errors: Value,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, kind: &str, message: impl Into<String>, errors: Value) -> Self {
        ApiError {
            status,
            kind: kind.to_string(),
            message: message.into(),
            errors,
        }
    }

    pub fn body(&self) -> Value {
        json!({ "Type": self.kind, "Message": self.message, "Errors": self.errors })
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// A required field is missing or empty.
    pub fn required(field: &str) -> Self {
        Self::new(
            400,
            "INVALID_PARAMETERS",
            format!("Required field(s) {field} missing or empty. "),
            json!({ "required": field }),
        )
    }

    /// A field has a value of the wrong type, outside its range or enum, or names an unknown element.
    pub fn wrong_value(field: &str, value: &Value) -> Self {
        Self::new(
            400,
            "INVALID_PARAMETERS",
            format!("Wrong value Field(s) {field}"),
            json!({ field: value }),
        )
    }

    /// A 400 with a message of its own and no details.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_PARAMETERS", message, Value::Null)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "VALIDATION_ERROR", message, Value::Null)
    }

    /// A quota or step limit of the account's tariff.
    pub fn tariff_too_high(prefix: &str, desired: impl Into<Value>, limit: u32) -> Self {
        let desired = desired.into();
        Self::new(
            400,
            "TECHNICAL_TARIFF_VIOLATION",
            format!("Too high {desired} > {limit}.00"),
            json!({ "prefix": prefix, "desired": desired, "required": format!("{limit}.00") }),
        )
    }

    pub fn tariff_step(prefix: &str, desired: f64, step: f64) -> Self {
        Self::new(
            400,
            "TECHNICAL_TARIFF_VIOLATION",
            format!("Wrong step {} - {step:.2}", num(desired)),
            json!({ "prefix": prefix, "desired": num(desired), "required": format!("{step:.2}"), "step": true }),
        )
    }

    pub fn not_found(kind: &str, message: &str) -> Self {
        Self::new(404, kind, message, Value::Null)
    }

    /// The element is in a state that forbids the operation.
    pub fn invalid_state(
        element_type: &str,
        id: &str,
        state: &str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(
            403,
            "INVALID_STATE",
            message,
            json!({ "element_type": element_type, "id": id, "state": state }),
        )
    }

    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::new(403, "NOT_ALLOWED_ERROR", message, Value::Null)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            401,
            "UNAUTHORIZED",
            "The Token you are using is not valid",
            Value::Null,
        )
    }

    pub fn too_many_requests() -> Self {
        Self::new(
            429,
            "TOO_MANY_REQUESTS",
            "The maximum number of requests per minute has been exceeded",
            Value::Null,
        )
    }

    /// No route has this path: distinct from the resource-level `*_NOT_FOUND` types.
    pub fn route_not_found(path: &str) -> Self {
        Self::new(
            404,
            "NOT_FOUND",
            "The requested resource does not exist",
            json!({ "path": path }),
        )
    }

    pub fn method_not_allowed(method: &str, allowed: &[&str]) -> Self {
        Self::new(
            405,
            "METHOD_NOT_ALLOWED",
            format!("Method {method} is not allowed on this resource"),
            json!({ "allowed": allowed }),
        )
    }

    pub fn internal() -> Self {
        Self::new(500, "INTERNAL_ERROR", "Internal error", Value::Null)
    }
}

/// A whole number prints without a fraction (30, not 30.0), as in the reference's messages.
pub fn num(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}
