//! What a delivery posts: the audit event as stored (its details already
//! redacted), and the signature a receiver checks it by.
//!
//! `X-Teampanel-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`,
//! the timestamp being `X-Teampanel-Timestamp` (Unix seconds) and the key
//! the secret exactly as the page showed it. Signing the timestamp with the
//! body lets a receiver refuse an old delivery replayed.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::audit::AuditRow;

/// The JSON body of one delivery of `event`.
pub(super) fn body(delivery_id: &str, org_slug: &str, event: &AuditRow) -> String {
    let details: Value = serde_json::from_str(&event.details).unwrap_or(Value::Null);
    json!({
        "id": delivery_id,
        "organisation": org_slug,
        "event": {
            "id": event.id,
            "at": event.at,
            "action": event.action,
            "family": event.action.split('.').next().unwrap_or_default(),
            "outcome": event.outcome,
            "actor": event.actor_label,
            "target": {
                "kind": event.target_kind,
                "id": event.target_id,
                "name": event.target_name,
            },
            "cloud_account_id": event.cloud_account_id,
            "details": details,
            "error": event.error,
        },
    })
    .to_string()
}

/// `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub(super) fn signature(secret: &str, timestamp: i64, body: &str) -> anyhow::Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| anyhow::anyhow!("the webhook secret cannot key an HMAC"))?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Worked out independently: python3 -c 'import hmac,hashlib;
        // print(hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest())'
        assert_eq!(
            signature("whsec_test", 1_700_000_000, "{}").unwrap(),
            "sha256=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_ne!(
            signature("whsec_test", 1_700_000_001, "{}").unwrap(),
            signature("whsec_test", 1_700_000_000, "{}").unwrap()
        );
    }

    #[test]
    fn the_body_carries_the_event_as_stored() {
        let event = AuditRow {
            id: 42,
            at: "2024-05-01T12:00:00.000Z".into(),
            org_id: Some(1),
            actor_id: Some(3),
            actor_label: "ada@example.org".into(),
            ip: Some("10.0.0.1".into()),
            user_agent: None,
            request_id: None,
            action: "server.power_off".into(),
            target_kind: "server".into(),
            target_id: "S1".into(),
            target_name: "web-1".into(),
            cloud_account_id: Some(2),
            details: r#"{"method":"SOFTWARE"}"#.into(),
            outcome: "succeeded".into(),
            upstream_status: None,
            error: None,
            correlation_id: None,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let v: Value = serde_json::from_str(&body("d1", "acme", &event)).unwrap();
        assert_eq!(v["id"], "d1");
        assert_eq!(v["organisation"], "acme");
        assert_eq!(v["event"]["family"], "server");
        assert_eq!(v["event"]["target"]["name"], "web-1");
        assert_eq!(v["event"]["details"]["method"], "SOFTWARE");
        // Who asked from where stays in the panel's own log.
        assert!(v["event"].get("ip").is_none());
    }
}
