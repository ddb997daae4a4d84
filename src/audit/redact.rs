//! Keeping secrets out of the log: every event's details lose the keys
//! that name a secret before they are hashed and stored.

use serde_json::Value;

/// Whether a JSON key names something secret; such keys never reach the log.
fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "token",
        "password",
        "passwd",
        "passphrase",
        "secret",
        "credential",
        "authorization",
        "cookie",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // `key`, `api_key`, `apiKey`, `master-key`, `privatekey`; not `keys` (lists of ids).
    lower.ends_with("key")
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "key")
}

/// Drops every object key that names a secret, at any depth. A yes/no
/// under such a key (`password_set`) says only whether one was given, and stays.
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, v)| v.is_boolean() || !is_secret_key(k))
                .map(|(k, v)| (k, redact(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let details = serde_json::json!({
            "name": "prod",
            "api_token": "t0ps3cret",
            "apiKey": "k",
            "nested": {"password": "p", "keep": 1, "client_secret": "s", "ssh_keys": [1, 2]},
            "list": [{"Authorization": "Bearer x", "id": 5}],
            "password_set": true,
        });
        let redacted = redact(details);
        let text = redacted.to_string();
        for secret in ["t0ps3cret", "\"k\"", "\"p\"", "\"s\"", "Bearer"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(redacted["name"], "prod");
        assert_eq!(redacted["nested"]["keep"], 1);
        assert_eq!(redacted["nested"]["ssh_keys"], serde_json::json!([1, 2]));
        assert_eq!(redacted["list"][0]["id"], 5);
        assert_eq!(
            redacted["password_set"], true,
            "whether one was set is no secret"
        );
    }
}
