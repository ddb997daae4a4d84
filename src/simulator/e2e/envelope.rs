//! The envelope every E2E answer travels in, and the errors the simulator
//! answers with.
//!
//! MyAccount wraps success and failure alike in
//! `{"code", "message", "data", "errors"}` and sends the same status in the
//! HTTP line, so one type serves both directions.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A failed request: its status, the envelope's `message` and `errors`.
#[derive(Debug, Clone, PartialEq)]
pub struct E2eError {
    pub status: u16,
    pub message: String,
    pub errors: Value,
}

pub type E2eResult<T> = Result<T, E2eError>;

impl E2eError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        E2eError {
            status,
            message: message.into(),
            errors: json!({}),
        }
    }

    /// A 400 about the request as a whole (wrong state, unknown image...).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// A 400 about one field: `errors` names it, `message` repeats its text
    /// so that a client showing only `message` still says what is wrong.
    pub fn field(field: &str, text: impl Into<String>) -> Self {
        let mut p = Problems::default();
        p.add(field, text);
        p.into_error()
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    /// The reference's 429 body: `id` carries the machine-readable reason.
    pub fn too_many_requests() -> Self {
        E2eError {
            status: 429,
            message: "API Rate limit exceeded.".into(),
            errors: json!({"id": "too_many_requests"}),
        }
    }

    pub fn internal() -> Self {
        Self::new(500, "Internal server error")
    }

    pub fn route_not_found() -> Self {
        Self::new(404, "Not found.")
    }

    pub fn body(&self) -> Value {
        envelope(self.status, &self.message, json!({}), self.errors.clone())
    }
}

/// Field errors gathered while validating a body, so that one answer lists them all.
#[derive(Debug, Default)]
pub struct Problems(BTreeMap<String, Vec<String>>);

impl Problems {
    pub fn add(&mut self, field: &str, text: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_default()
            .push(text.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Ok when nothing was found wrong.
    pub fn check(self) -> E2eResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    fn into_error(self) -> E2eError {
        let message = self
            .0
            .iter()
            .next()
            .and_then(|(f, texts)| texts.first().map(|t| format!("{f}: {t}")))
            .unwrap_or_else(|| "Invalid request".into());
        E2eError {
            status: 400,
            message,
            errors: json!(self.0),
        }
    }
}

/// A successful answer's payload, with the keys some lists add beside `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub data: Value,
    pub extra: Map<String, Value>,
}

impl From<Value> for Reply {
    fn from(data: Value) -> Self {
        Reply {
            data,
            extra: Map::new(),
        }
    }
}

impl Reply {
    pub fn body(self) -> Value {
        let mut v = envelope(200, "Success", self.data, json!({}));
        if let Value::Object(m) = &mut v {
            m.extend(self.extra);
        }
        v
    }
}

pub fn envelope(code: u16, message: &str, data: Value, errors: Value) -> Value {
    json!({"code": code, "message": message, "data": data, "errors": errors})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_listed_and_summarised() {
        let mut p = Problems::default();
        p.add("name", "This field is required.");
        p.add("plan", "Unknown plan.");
        let e = p.check().unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(e.message, "name: This field is required.");
        assert_eq!(e.errors["plan"], json!(["Unknown plan."]));
        assert_eq!(e.body()["data"], json!({}));
    }
}
