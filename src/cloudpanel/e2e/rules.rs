//! How E2E's answers are read and kept: the envelope, the reset header,
//! how long each answer stays fresh and what a change outdates.

use crate::cloudpanel::CloudError;
use crate::cloudpanel::cache::{Freshness, Scope, in_tree};
use serde_json::Value;

/// The payload of an answer: `data` of the `{code, message, data, errors}`
/// envelope. An envelope whose `code` says failure is that failure, in the
/// API's own words, whatever the HTTP status was.
pub fn open_envelope(body: Value) -> Result<Value, CloudError> {
    let Value::Object(mut map) = body else {
        // Not an envelope: taken as the payload itself.
        return Ok(body);
    };
    if !map.contains_key("data") && !map.contains_key("code") {
        return Ok(Value::Object(map));
    }
    let code = map.get("code").and_then(Value::as_u64).unwrap_or(200);
    if code >= 400 {
        let status = u16::try_from(code).unwrap_or(500);
        let bytes = serde_json::to_vec(&Value::Object(map)).unwrap_or_default();
        return Err(CloudError::from_response(status, &bytes, 0));
    }
    Ok(map.remove("data").unwrap_or(Value::Null))
}

/// `RateLimit-Reset` is when the oldest counted request expires, as Unix
/// time; the budget wants the seconds until then. A small number is taken
/// as seconds already.
pub fn seconds_until(reset: u64) -> u64 {
    const EPOCH_LIKE: u64 = 1_000_000_000;
    if reset < EPOCH_LIKE {
        return reset;
    }
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    reset.saturating_sub(now)
}

/// How long an answer at `path` stays fresh: the image categories and plans
/// for hours, nodes for seconds, saved images for seconds while one is
/// being made and a minute when none is.
pub fn freshness(path: &str) -> Freshness {
    if path == "/images/" || in_tree("/images/category-list", path) {
        Freshness::Catalogue
    } else if in_tree("/images/saved-images", path) {
        Freshness::LiveUnlessSettled
    } else {
        Freshness::Live
    }
}

/// What a change at `path` outdates: any change to a node may change the
/// node list, the node and the saved images (saving one, deleting the node
/// it runs on); a change to a saved image, the saved images.
pub fn affected(path: &str) -> Vec<Scope> {
    let mut scopes = vec![Scope::Tree("/images/saved-images".into())];
    if !path.starts_with("/images/") {
        scopes.push(Scope::Tree("/nodes".into()));
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_envelope_gives_its_data_or_its_error() {
        let ok = json!({"code": 200, "message": "Success", "data": [{"id": 1}], "errors": {}});
        assert_eq!(open_envelope(ok).unwrap(), json!([{"id": 1}]));
        let refused = json!({"code": 400, "message": "The node is busy", "data": {}, "errors": {}});
        match open_envelope(refused) {
            Err(CloudError::Rejected {
                status, message, ..
            }) => {
                assert_eq!(status, 400);
                assert_eq!(message, "The node is busy");
            }
            other => panic!("{other:?}"),
        }
        let gone = json!({"code": 404, "message": "Node not found", "data": {}, "errors": {}});
        assert!(matches!(
            open_envelope(gone),
            Err(CloudError::NotFound { .. })
        ));
    }

    #[test]
    fn the_reset_header_is_read_as_unix_time() {
        let in_a_minute = u64::try_from(chrono::Utc::now().timestamp()).unwrap() + 60;
        let secs = seconds_until(in_a_minute);
        assert!((58..=60).contains(&secs), "{secs}");
        assert_eq!(seconds_until(42), 42);
        assert_eq!(seconds_until(1_400_000_000), 0);
    }

    #[test]
    fn each_path_has_its_freshness_and_changes_outdate_what_they_touch() {
        assert_eq!(freshness("/images/category-list/"), Freshness::Catalogue);
        assert_eq!(freshness("/images/"), Freshness::Catalogue);
        assert_eq!(
            freshness("/images/saved-images/"),
            Freshness::LiveUnlessSettled
        );
        assert_eq!(freshness("/nodes/"), Freshness::Live);
        assert_eq!(freshness("/nodes/42/"), Freshness::Live);
        let save = affected("/nodes/42/actions/");
        assert!(save.iter().any(|s| s.covers("/images/saved-images/")));
        assert!(save.iter().any(|s| s.covers("/nodes/")));
        assert!(save.iter().any(|s| s.covers("/nodes/42/")));
        let rename_image = affected("/images/7/");
        assert!(
            rename_image
                .iter()
                .any(|s| s.covers("/images/saved-images/"))
        );
        assert!(!rename_image.iter().any(|s| s.covers("/nodes/")));
        assert!(!rename_image.iter().any(|s| s.covers("/images/")));
    }
}
