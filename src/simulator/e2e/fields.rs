//! Reading request bodies: the checks several endpoints share, with the
//! texts MyAccount's validation answers in (Django REST framework's).

use super::envelope::{E2eError, E2eResult, Problems};
use serde_json::{Map, Value};

pub const REQUIRED: &str = "This field is required.";
const MAX_NAME: usize = 64;

/// The body as an object; anything else is a 400 for the whole request.
pub fn object(body: &Value) -> E2eResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| E2eError::bad_request("The request body must be a JSON object"))
}

/// A field that is present and not null.
pub fn given<'a>(b: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    b.get(key).filter(|v| !v.is_null())
}

/// A required non-empty string; a problem is recorded when it is not one.
pub fn required_str<'a>(b: &'a Map<String, Value>, key: &str, p: &mut Problems) -> Option<&'a str> {
    match given(b, key) {
        None => {
            p.add(key, REQUIRED);
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            p.add(key, "This field may not be blank.");
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            p.add(key, "Not a valid string.");
            None
        }
    }
}

/// An optional boolean, false when absent.
pub fn opt_bool(b: &Map<String, Value>, key: &str, p: &mut Problems) -> bool {
    match given(b, key) {
        None => false,
        Some(Value::Bool(v)) => *v,
        Some(_) => {
            p.add(key, "Must be a valid boolean.");
            false
        }
    }
}

/// An id given as an integer or as a string of digits (the listings show
/// ids as strings, so clients send either).
pub fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A node or saved-image name: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn name(v: Option<&Value>) -> Result<String, String> {
    let s = match v {
        None | Some(Value::Null) => return Err(REQUIRED.into()),
        Some(Value::String(s)) => s,
        Some(_) => return Err("Not a valid string.".into()),
    };
    if s.is_empty() {
        return Err("This field may not be blank.".into());
    }
    if s.chars().count() > MAX_NAME {
        return Err(format!(
            "Ensure this field has no more than {MAX_NAME} characters."
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("Only letters, digits, '-', '_' and '.' are allowed.".into());
    }
    Ok(s.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_checked() {
        assert_eq!(name(Some(&json!("web-1.a_b"))).unwrap(), "web-1.a_b");
        assert!(name(None).is_err());
        assert!(name(Some(&json!(""))).is_err());
        assert!(name(Some(&json!("has space"))).is_err());
        assert!(name(Some(&json!("x".repeat(65)))).is_err());
        assert!(name(Some(&json!(7))).is_err());
    }

    #[test]
    fn ids_come_as_numbers_or_digit_strings() {
        assert_eq!(id_of(&json!(3638)), Some(3638));
        assert_eq!(id_of(&json!("3638")), Some(3638));
        assert_eq!(id_of(&json!("x")), None);
        assert_eq!(id_of(&json!(-1)), None);
    }
}
