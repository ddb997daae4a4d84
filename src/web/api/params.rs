//! A request's parameters as the route table declares them: the query's
//! and the JSON body's. Anything else is named in a 422 (`unpermitted`),
//! nested names as themselves; the first required one absent or empty is
//! a 422 (`missing`); a value of the wrong kind is a 422 saying which.

use serde_json::{Map, Value};

use super::error::ApiError;
use super::routes::{Body, Kind, Param};

/// The query's parameters, checked.
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Checks `pairs` (the token's aside) against `allowed`.
    pub fn check(pairs: Vec<(String, String)>, allowed: &[Param]) -> Result<Self, ApiError> {
        for param in allowed.iter().filter(|p| p.required) {
            let given = pairs
                .iter()
                .any(|(k, v)| k == param.name && !v.trim().is_empty());
            if !given {
                return Err(ApiError::missing(param.name));
            }
        }
        Ok(Self(pairs))
    }

    /// The parameter's value, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A positive number, or a 422 naming the parameter.
    pub fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ApiError::invalid(format!("{name} must be a positive whole number"))
                })
            })
            .transpose()
    }

    /// The cloud account named, if any.
    pub fn account(&self) -> Result<Option<i64>, ApiError> {
        self.get("account")
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::invalid("account must be a cloud account's id"))
            })
            .transpose()
    }
}

/// A JSON body's fields, checked against its declaration.
#[derive(Debug, Default)]
pub struct Fields(Map<String, Value>);

impl Fields {
    /// Reads `bytes` (JSON whatever the content type; empty is `{}`).
    pub fn parse(bytes: &[u8], spec: &Body) -> Result<Self, ApiError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| ApiError::invalid("The body must be JSON text (UTF-8)."))?;
        let value: Value = if text.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(text)
                .map_err(|e| ApiError::invalid(format!("The body is not JSON: {e}.")))?
        };
        let Value::Object(mut top) = value else {
            return Err(ApiError::invalid("The body must be a JSON object."));
        };
        let mut unpermitted = Vec::new();
        let fields = match spec.root {
            Some(root) => {
                unpermitted.extend(top.keys().filter(|k| *k != root).cloned());
                match top.remove(root) {
                    Some(Value::Object(inner)) => inner,
                    Some(Value::Null) | None => Map::new(),
                    Some(_) => {
                        return Err(ApiError::invalid(format!("{root} must be a JSON object")));
                    }
                }
            }
            None => top,
        };
        unpermitted.extend(
            fields
                .keys()
                .filter(|k| !spec.fields.iter().any(|p| p.name == k.as_str()))
                .cloned(),
        );
        if !unpermitted.is_empty() {
            return Err(ApiError::unpermitted(unpermitted));
        }
        if let Some(root) = spec.root
            && fields.is_empty()
            && spec.fields.iter().any(|p| p.required)
        {
            return Err(ApiError::missing(root));
        }
        for param in spec.fields {
            let value = fields.get(param.name);
            if param.required && value.is_none_or(is_empty) {
                return Err(ApiError::missing(param.name));
            }
            // Each object of a list is a body of its own fields.
            if let (Kind::Objects(item), Some(Value::Array(items))) = (param.kind, value) {
                let spec = Body {
                    root: None,
                    fields: item,
                };
                for object in items.iter().filter(|o| o.is_object()) {
                    Self::parse(object.to_string().as_bytes(), &spec)?;
                }
            }
            if let Some(value) = value
                && !value.is_null()
                && !fits(value, param.kind)
            {
                return Err(ApiError::invalid(format!(
                    "{} must be {}",
                    param.name,
                    match param.kind {
                        Kind::Text => "text",
                        Kind::Integer => "a whole number",
                        Kind::Boolean => "true or false",
                        Kind::Texts => "a list of texts",
                        Kind::Objects(_) => "a list of objects",
                    }
                )));
            }
        }
        Ok(Self(fields))
    }

    /// A text field, trimmed; empty when absent. A number is taken as its digits.
    pub fn text(&self, name: &str) -> String {
        match self.0.get(name) {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    /// Whether the body sent the field with a value (not null): for edits,
    /// where a field left out keeps what the object has.
    pub fn has(&self, name: &str) -> bool {
        self.0.get(name).is_some_and(|v| !v.is_null())
    }

    /// A text field, trimmed, when the body sent it (not null): for edits.
    pub fn sent(&self, name: &str) -> Option<String> {
        self.has(name).then(|| self.text(name))
    }

    /// A text field exactly as sent, untrimmed (a password is taken as
    /// typed, so its own check sees spaces); `None` when absent or null.
    pub fn untrimmed(&self, name: &str) -> Option<String> {
        match self.0.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A list of objects' fields, each checked by [`Self::parse`] already.
    pub fn objects(&self, name: &str) -> Vec<Fields> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_object().cloned().map(Fields))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        self.0.get(name).and_then(Value::as_bool)
    }

    pub fn texts(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn fits(value: &Value, kind: Kind) -> bool {
    match kind {
        Kind::Text => value.is_string() || value.is_number(),
        Kind::Integer => {
            value.is_u64()
                || value.is_i64()
                || value
                    .as_str()
                    .is_some_and(|s| s.trim().parse::<i64>().is_ok())
        }
        Kind::Boolean => value.is_boolean(),
        Kind::Texts => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Kind::Objects(_) => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_object)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: Body = Body {
        root: Some("environment"),
        fields: &[
            Param::required("name", Kind::Text, ""),
            Param::optional("keys", Kind::Texts, ""),
        ],
    };

    fn body(value: Value) -> Result<Fields, ApiError> {
        Fields::parse(value.to_string().as_bytes(), &SPEC)
    }

    #[test]
    fn nested_unknown_fields_are_named_as_the_conventions_show() {
        let err = body(json!({
            "environment": {"name": "stefan", "snarfblat": "dinglehopper", "scruffy_looking": "nerf_herder"}
        }))
        .unwrap_err();
        let (status, answer) = err.parts();
        assert_eq!(status, 422);
        assert_eq!(
            answer["unpermitted"],
            json!(["scruffy_looking", "snarfblat"])
        );
        assert_eq!(
            answer["errors"][0],
            "found unpermitted parameters: scruffy_looking, snarfblat"
        );
    }

    #[test]
    fn an_empty_body_misses_its_root_and_then_its_first_required_field() {
        let (_, answer) = Fields::parse(b"", &SPEC).unwrap_err().parts();
        assert_eq!(answer["missing"], "environment");
        let (_, answer) = body(json!({"environment": {"keys": ["a"]}}))
            .unwrap_err()
            .parts();
        assert_eq!(answer["missing"], "name");
        let (_, answer) = body(json!({"environment": {"name": "  "}}))
            .unwrap_err()
            .parts();
        assert_eq!(answer["missing"], "name");
    }

    #[test]
    fn each_object_of_a_list_is_checked_as_a_body_of_its_own() {
        const RULE: &[Param] = &[
            Param::required("port", Kind::Integer, ""),
            Param::optional("source", Kind::Text, ""),
        ];
        const LIST: Body = Body {
            root: None,
            fields: &[Param::required("rules", Kind::Objects(RULE), "")],
        };
        let parse = |v: Value| Fields::parse(v.to_string().as_bytes(), &LIST);
        let fields = parse(json!({"rules": [{"port": 22}, {"port": "80", "source": "0.0.0.0"}]}))
            .unwrap_or_default();
        let rules = fields.objects("rules");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].text("source"), "0.0.0.0");
        assert!(rules[0].has("port") && !rules[0].has("source"));
        let (_, answer) = parse(json!({"rules": [{"port": 22, "snarfblat": 1}]}))
            .unwrap_err()
            .parts();
        assert_eq!(answer["unpermitted"], json!(["snarfblat"]));
        let (_, answer) = parse(json!({"rules": [{"source": "x"}]}))
            .unwrap_err()
            .parts();
        assert_eq!(answer["missing"], "port");
        let (_, answer) = parse(json!({"rules": ["22"]})).unwrap_err().parts();
        assert_eq!(answer["errors"][0], "rules must be a list of objects");
    }

    #[test]
    fn values_of_the_wrong_kind_and_bodies_that_are_not_json_are_422s() {
        let (status, answer) = body(json!({"environment": {"name": "x", "keys": "a"}}))
            .unwrap_err()
            .parts();
        assert_eq!(status, 422);
        assert_eq!(answer["errors"][0], "keys must be a list of texts");
        let (status, _) = Fields::parse(b"{not json", &SPEC).unwrap_err().parts();
        assert_eq!(status, 422);
        let fields =
            body(json!({"environment": {"name": " web ", "keys": ["a", " "]}})).unwrap_or_default();
        assert_eq!(fields.text("name"), "web");
        assert_eq!(fields.texts("keys"), ["a"]);
    }
}
