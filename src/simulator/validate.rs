//! Typed readers for request bodies: each answers the API's 400 body on bad input.

use super::errors::{ApiError, ApiResult, num};
use serde_json::Value;

/// A present, non-null value; empty strings count as missing, as the API's
/// "missing or empty" message says.
fn present<'a>(b: &'a Value, k: &str) -> Option<&'a Value> {
    match b.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    }
}

pub fn req_str(b: &Value, k: &str, max: usize) -> ApiResult<String> {
    opt_str(b, k, max)?.ok_or_else(|| ApiError::required(k))
}

pub fn opt_str(b: &Value, k: &str, max: usize) -> ApiResult<Option<String>> {
    match present(b, k) {
        None => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

/// A string that may be sent empty on purpose (e.g. a blank description clears it).
pub fn opt_str_allow_empty(b: &Value, k: &str, max: usize) -> ApiResult<Option<String>> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

pub fn req_len_str(b: &Value, k: &str, min: usize, max: usize) -> ApiResult<String> {
    opt_len_str(b, k, min, max)?.ok_or_else(|| ApiError::required(k))
}

pub fn opt_len_str(b: &Value, k: &str, min: usize, max: usize) -> ApiResult<Option<String>> {
    match opt_str(b, k, max)? {
        Some(s) if s.chars().count() < min => Err(ApiError::wrong_value(k, &Value::String(s))),
        other => Ok(other),
    }
}

/// A number; strings holding a number are accepted, as the real API is lenient there.
pub fn opt_num(b: &Value, k: &str, min: f64, max: f64) -> ApiResult<Option<f64>> {
    let Some(v) = present(b, k) else {
        return Ok(None);
    };
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() && n >= min && n <= max => Ok(Some(n)),
        _ => Err(ApiError::wrong_value(k, v)),
    }
}

pub fn req_num(b: &Value, k: &str, min: f64, max: f64) -> ApiResult<f64> {
    opt_num(b, k, min, max)?.ok_or_else(|| ApiError::required(k))
}

pub fn opt_int(b: &Value, k: &str, min: i64, max: i64) -> ApiResult<Option<i64>> {
    match opt_num(b, k, min as f64, max as f64)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 => Ok(Some(n as i64)),
        Some(n) => Err(ApiError::wrong_value(k, &num(n))),
    }
}

pub fn req_int(b: &Value, k: &str, min: i64, max: i64) -> ApiResult<i64> {
    opt_int(b, k, min, max)?.ok_or_else(|| ApiError::required(k))
}

/// A value must be a multiple of `step` (sizes); the API reports this as a tariff violation.
pub fn check_step(prefix: &str, v: f64, step: f64) -> ApiResult<()> {
    let r = (v / step).round() * step;
    if (r - v).abs() > 1e-9 {
        return Err(ApiError::tariff_step(prefix, v, step));
    }
    Ok(())
}

pub fn opt_bool(b: &Value, k: &str) -> ApiResult<Option<bool>> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(x)) => Ok(Some(*x)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

pub fn req_bool(b: &Value, k: &str) -> ApiResult<bool> {
    opt_bool(b, k)?.ok_or_else(|| ApiError::required(k))
}

pub fn opt_enum(b: &Value, k: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
    match present(b, k) {
        None => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

pub fn req_enum(b: &Value, k: &str, allowed: &[&str]) -> ApiResult<String> {
    opt_enum(b, k, allowed)?.ok_or_else(|| ApiError::required(k))
}

/// A required, non-empty array.
pub fn req_array<'a>(b: &'a Value, k: &str) -> ApiResult<&'a Vec<Value>> {
    match present(b, k) {
        None => Err(ApiError::required(k)),
        Some(Value::Array(a)) if a.is_empty() => Err(ApiError::required(k)),
        Some(Value::Array(a)) => Ok(a),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

/// A required key holding an array, which may be empty.
pub fn req_array_maybe_empty<'a>(b: &'a Value, k: &str) -> ApiResult<&'a Vec<Value>> {
    match b.get(k) {
        None | Some(Value::Null) => Err(ApiError::required(k)),
        Some(Value::Array(a)) => Ok(a),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

/// A required, non-empty array of strings (ids, IPs).
pub fn req_str_list(b: &Value, k: &str) -> ApiResult<Vec<String>> {
    let a = req_array(b, k)?;
    a.iter()
        .map(|v| match v {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            other => Err(ApiError::wrong_value(k, other)),
        })
        .collect()
}

pub fn opt_str_list(b: &Value, k: &str) -> ApiResult<Option<Vec<String>>> {
    match present(b, k) {
        None => Ok(None),
        Some(_) => req_str_list(b, k).map(Some),
    }
}

pub fn req_obj<'a>(b: &'a Value, k: &str) -> ApiResult<&'a Value> {
    match present(b, k) {
        None => Err(ApiError::required(k)),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(v) => Err(ApiError::wrong_value(k, v)),
    }
}

pub fn is_ipv4(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

pub fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// A dotted IPv4 netmask with contiguous ones (255.255.255.0), or a prefix length (24).
pub fn is_netmask(s: &str) -> bool {
    if let Ok(n) = s.parse::<u8>() {
        return n <= 32;
    }
    match s.parse::<std::net::Ipv4Addr>() {
        Ok(m) => {
            let bits = u32::from(m);
            bits.leading_ones() + bits.trailing_zeros() == 32
        }
        Err(_) => false,
    }
}

/// A host name for reverse DNS: labels of letters, digits and hyphens.
pub fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_and_empty_strings_are_required_errors() {
        let b = json!({"name": ""});
        let e = req_str(&b, "name", 128).unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(e.body()["Errors"]["required"], "name");
        assert_eq!(
            req_str(&json!({}), "x", 5).unwrap_err().kind,
            "INVALID_PARAMETERS"
        );
    }

    #[test]
    fn ranges_enums_and_steps() {
        let b = json!({"n": 17, "s": "5", "e": "B", "f": 1.5});
        assert_eq!(req_int(&b, "n", 1, 16).unwrap_err().status, 400);
        assert_eq!(req_int(&b, "s", 1, 16).unwrap(), 5);
        assert!(req_int(&b, "f", 1, 16).is_err());
        assert!(req_enum(&b, "e", &["A"]).is_err());
        assert_eq!(req_enum(&b, "e", &["A", "B"]).unwrap(), "B");
        let e = check_step("ngcs.vm.hdd.size", 30.0, 20.0).unwrap_err();
        assert_eq!(e.message, "Wrong step 30 - 20.00");
        assert!(check_step("x", 40.0, 20.0).is_ok());
    }

    #[test]
    fn network_helpers() {
        assert!(is_netmask("255.255.255.0"));
        assert!(!is_netmask("255.0.255.0"));
        assert!(is_ipv4("10.0.0.1"));
        assert!(!is_ipv4("10.0.0"));
        assert!(is_hostname("www.example.com"));
        assert!(!is_hostname("bad host"));
    }
}
