//! Tolerant decoding.
//!
//! Real Cloud Panel payloads are looser than the reference: numbers arrive as
//! strings, fields are null or missing, objects come back as `{}` where the
//! reference says null, enum values appear that it does not list, and dates
//! are not always RFC 3339. Every helper here turns such a value into the
//! field's default instead of failing, so one odd field never fails a page.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A string field: null becomes "", numbers and booleans become their text.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(value_to_string(Value::deserialize(d)?).unwrap_or_default())
}

/// An optional string field: null stays None, numbers become their text.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(value_to_string(Value::deserialize(d)?))
}

fn value_to_string(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn value_to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse::<f64>().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

fn value_to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().ok().or_else(|| {
                value_to_f64(v)
                    .map(|f| f.round() as i64)
                    .filter(|_| !t.is_empty())
            })
        }
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// A number that may arrive as a string; anything unreadable becomes 0.
pub fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(opt_u32(d)?.unwrap_or_default())
}

/// A number that may arrive as a string; anything unreadable becomes 0.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(opt_i64(d)?.unwrap_or_default())
}

/// A number that may arrive as a string; anything unreadable becomes 0.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(opt_f64(d)?.unwrap_or_default())
}

/// An optional number that may arrive as a string; unreadable becomes None.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(value_to_i64(&v).and_then(|i| u32::try_from(i).ok()))
}

/// An optional number that may arrive as a string; unreadable becomes None.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(value_to_i64(&v))
}

/// An optional number that may arrive as a string; unreadable becomes None.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(value_to_f64(&v))
}

/// A flag that may arrive as `true`, `"true"`, `1` or `"1"`; null is false.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or_default())
}

/// An optional flag, read as leniently as [`lenient_bool`].
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Bool(b) => Some(b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" | "" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// A nested object: null, a wrong type or an undecodable object becomes the default.
pub fn obj<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(decode_or_none(Value::deserialize(d)?).unwrap_or_default())
}

/// An optional nested object: null and `{}` (the list schema's "nothing") are None.
pub fn opt_obj<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    match &v {
        Value::Object(m) if m.is_empty() => Ok(None),
        Value::Array(a) if a.is_empty() => Ok(None),
        _ => Ok(decode_or_none(v)),
    }
}

/// A list: null becomes empty; a single object becomes a one-item list;
/// items that cannot be decoded are dropped, never the whole list.
pub fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(decode_items(Value::deserialize(d)?))
}

/// Decodes a list leniently (see [`vec`]), warning about dropped items.
pub fn decode_items<T: DeserializeOwned>(v: Value) -> Vec<T> {
    decode_items_ref(&v)
}

/// [`decode_items`] without taking the value.
pub fn decode_items_ref<T: DeserializeOwned>(v: &Value) -> Vec<T> {
    match v {
        Value::Array(items) => items.iter().filter_map(decode_ref).collect(),
        Value::Object(m) if !m.is_empty() => decode_ref(v).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn decode_or_none<T: DeserializeOwned>(v: Value) -> Option<T> {
    decode_ref(&v)
}

fn decode_ref<T: DeserializeOwned>(v: &Value) -> Option<T> {
    if v.is_null() {
        return None;
    }
    match T::deserialize(v) {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::warn!(error = %e, kind = std::any::type_name::<T>(), "dropped an undecodable Cloud Panel value");
            None
        }
    }
}

/// Other spellings the API uses for a field, next to the field's own name.
/// Models read them through `#[serde(alias)]`; when an object carries both,
/// the alias is dropped first, since serde would reject the duplicate.
const ALIASES: &[(&str, &str)] = &[
    ("architecture", "os_architecture"),
    ("firewall_policies", "firewall_policy"),
    ("region", "datacenter"),
    ("alerts_count", "alerts"),
    ("health_check_parse", "health_check_path_parser"),
    ("health_check_parser", "health_check_path_parser"),
    ("email_notifications", "email_notification"),
    ("core", "vcore"),
    ("flexible_sever", "flexible_server"),
    ("pice_gross", "price_gross"),
    ("name", "location"),
];

/// Prepares an answer for decoding: removes alias keys shadowed by the
/// field's own name, and keeps only one of several aliases, everywhere in the tree.
pub fn normalize(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => {
            for (alias, canonical) in ALIASES {
                if map.contains_key(*alias)
                    && (map.contains_key(*canonical)
                        || ALIASES.iter().any(|(a, c)| {
                            c == canonical && a != alias && a < alias && map.contains_key(*a)
                        }))
                {
                    map.remove(*alias);
                }
            }
            map.values_mut().for_each(normalize);
        }
        _ => {}
    }
}

/// A list of strings where items may be numbers (e.g. allowed IPs).
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().filter_map(value_to_string).collect(),
        Value::String(s) if !s.is_empty() => vec![s],
        _ => Vec::new(),
    })
}

/// A date as the API sent it: parsed when it can be read, otherwise kept as text.
///
/// The reference shows `2015-05-04T06:32:15+00:00`, `2015-04-06T23:48:38Z`,
/// `2015-05-07 09:47:34`, `30-06-2015T 14:52:35+00.00` and even month 19.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timestamp {
    At(DateTime<Utc>),
    Text(String),
}

impl Default for Timestamp {
    fn default() -> Self {
        Timestamp::Text(String::new())
    }
}

impl Timestamp {
    pub fn parse(raw: &str) -> Timestamp {
        let t = raw.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Timestamp::At(dt.with_timezone(&Utc));
        }
        for f in [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S%.f",
        ] {
            if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
                return Timestamp::At(n.and_utc());
            }
        }
        for f in ["%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z"] {
            if let Ok(dt) = DateTime::parse_from_str(t, f) {
                return Timestamp::At(dt.with_timezone(&Utc));
            }
        }
        Timestamp::Text(raw.to_string())
    }

    /// The instant, when the text could be read.
    pub fn parsed(&self) -> Option<DateTime<Utc>> {
        match self {
            Timestamp::At(dt) => Some(*dt),
            Timestamp::Text(_) => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Timestamp::Text(s) if s.is_empty())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::At(dt) => write!(f, "{}", dt.format("%Y-%m-%d %H:%M:%S UTC")),
            Timestamp::Text(s) => f.write_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Timestamp::parse(&s),
            Value::Number(n) => n
                .as_i64()
                .and_then(|secs| DateTime::from_timestamp(secs, 0))
                .map_or_else(|| Timestamp::Text(n.to_string()), Timestamp::At),
            _ => Timestamp::default(),
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Timestamp::At(dt) => s.serialize_str(&dt.to_rfc3339()),
            Timestamp::Text(t) => s.serialize_str(t),
        }
    }
}

/// An enumeration of the API that keeps values it does not know as `Other`.
///
/// Matching is exact first, then case-insensitive; serialising writes the
/// API's spelling back.
macro_rules! api_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
            /// A value the reference does not list, kept as sent.
            Other(String),
        }

        impl $name {
            /// The API's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }

            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)+
                    other => {
                        $(if other.trim().eq_ignore_ascii_case($text) {
                            return Self::$variant;
                        })+
                        Self::Other(other.to_string())
                    }
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(match <serde_json::Value as serde::Deserialize>::deserialize(d)? {
                    serde_json::Value::String(s) => Self::parse(&s),
                    serde_json::Value::Null => Self::default(),
                    other => Self::Other(other.to_string()),
                })
            }
        }
    };
}
pub(crate) use api_enum;

/// Whether an unknown state looks like work in progress (a word in `...ING`,
/// e.g. `MIGRATING`, `RESTORING_SNAPSHOT`). `Running` (E2E's node that is
/// up) is where a node rests, not a transition.
pub(crate) fn looks_transitional(s: &str) -> bool {
    const RESTING: [&str; 1] = ["RUNNING"];
    s.trim()
        .to_ascii_uppercase()
        .split(['_', ' ', '-'])
        .any(|w| w.len() > 4 && w.ends_with("ING") && !RESTING.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Sample {
        #[serde(deserialize_with = "string")]
        name: String,
        #[serde(deserialize_with = "lenient_u32")]
        size: u32,
        #[serde(deserialize_with = "lenient_f64")]
        ram: f64,
        #[serde(deserialize_with = "opt_u32")]
        percent: Option<u32>,
        #[serde(deserialize_with = "lenient_bool")]
        main: bool,
        #[serde(deserialize_with = "vec")]
        items: Vec<Item>,
        #[serde(deserialize_with = "opt_obj")]
        dvd: Option<Item>,
        created: Timestamp,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Item {
        #[serde(deserialize_with = "string")]
        id: String,
        #[serde(deserialize_with = "lenient_u32")]
        size: u32,
    }

    #[test]
    fn numbers_as_strings_nulls_and_extra_keys_are_read() {
        let s: Sample = serde_json::from_value(json!({
            "name": null, "size": "40", "ram": "0.5", "percent": "20", "main": "true",
            "items": [{"id": 7, "size": "20"}], "dvd": {}, "created": "2015-05-07 09:47:34",
            "unexpected": {"x": 1}
        }))
        .unwrap();
        assert_eq!(s.name, "");
        assert_eq!(s.size, 40);
        assert!((s.ram - 0.5).abs() < f64::EPSILON);
        assert_eq!(s.percent, Some(20));
        assert!(s.main);
        assert_eq!(
            s.items,
            vec![Item {
                id: "7".into(),
                size: 20
            }]
        );
        assert_eq!(s.dvd, None);
        assert_eq!(
            s.created.parsed().map(|d| d.to_rfc3339()),
            Some("2015-05-07T09:47:34+00:00".into())
        );
    }

    #[test]
    fn missing_fields_and_garbage_become_defaults() {
        let s: Sample =
            serde_json::from_value(json!({"size": "lots", "percent": null, "items": null}))
                .unwrap();
        assert_eq!(s, Sample::default());
    }

    #[test]
    fn one_bad_item_does_not_fail_the_list() {
        let items: Vec<Item> =
            decode_items(json!([{"id": "a", "size": 20}, "garbage", 12, {"id": "b"}]));
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].id, "b");
    }

    #[test]
    fn a_single_object_where_a_list_is_expected_becomes_one_item() {
        // baremetal_models gives `hdds` as one object.
        let items: Vec<Item> = decode_items(json!({"id": "x", "size": 800}));
        assert_eq!(
            items,
            vec![Item {
                id: "x".into(),
                size: 800
            }]
        );
    }

    #[test]
    fn shadowed_aliases_are_dropped_before_decoding() {
        let mut v = json!([{"architecture": 32, "os_architecture": 64,
            "datacenter": {"id": "D", "name": "x", "location": "Spain"},
            "lb": {"health_check_parse": "a", "health_check_parser": "b"}}]);
        normalize(&mut v);
        assert_eq!(
            v,
            json!([{"os_architecture": 64, "datacenter": {"id": "D", "location": "Spain"},
                "lb": {"health_check_parse": "a"}}])
        );
    }

    #[test]
    fn dates_from_the_reference_are_parsed_or_kept() {
        assert!(
            Timestamp::parse("2015-05-04T06:32:15+00:00")
                .parsed()
                .is_some()
        );
        assert!(Timestamp::parse("2015-04-06T23:48:38Z").parsed().is_some());
        assert!(Timestamp::parse("2015-05-07 09:47:34").parsed().is_some());
        let odd = Timestamp::parse("30-06-2015T 14:52:35+00.00");
        assert_eq!(odd, Timestamp::Text("30-06-2015T 14:52:35+00.00".into()));
        assert_eq!(odd.to_string(), "30-06-2015T 14:52:35+00.00");
        assert!(Timestamp::parse("2015-19-05T00:05:00Z").parsed().is_none());
    }

    api_enum!(Colour { Red => "RED", DarkBlue => "DARK_BLUE" });

    #[test]
    fn enums_keep_unknown_values_and_ignore_case() {
        let c: Vec<Colour> =
            serde_json::from_value(json!(["RED", "dark_blue", "GREEN", null, 3])).unwrap();
        assert_eq!(c[0], Colour::Red);
        assert_eq!(c[1], Colour::DarkBlue);
        assert_eq!(c[2], Colour::Other("GREEN".into()));
        assert_eq!(c[2].as_str(), "GREEN");
        assert_eq!(c[3], Colour::Other(String::new()));
        assert_eq!(c[4], Colour::Other("3".into()));
        assert_eq!(
            serde_json::to_value(Colour::DarkBlue).unwrap(),
            json!("DARK_BLUE")
        );
    }

    #[test]
    fn timestamps_are_written_back_as_rfc3339_or_as_sent() {
        let read: Vec<Timestamp> = serde_json::from_value(json!([
            "2015-05-07 09:47:34",
            "2015-04-06T23:48:38Z",
            1430984854,
            "30-06-2015T 14:52:35+00.00",
            null
        ]))
        .unwrap();
        let written = serde_json::to_value(&read).unwrap();
        assert_eq!(
            written,
            json!([
                "2015-05-07T09:47:34+00:00",
                "2015-04-06T23:48:38+00:00",
                "2015-05-07T07:47:34+00:00",
                "30-06-2015T 14:52:35+00.00",
                ""
            ])
        );
        let again: Vec<Timestamp> = serde_json::from_value(written).unwrap();
        assert_eq!(again, read);
    }
}
