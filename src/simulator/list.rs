//! The common list parameters: page, per_page, sort, q, fields.

use super::errors::{ApiError, ApiResult};
use serde_json::{Map, Value};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ListParams {
    pub page: Option<usize>,
    pub per_page: Option<usize>,
    pub sort: Option<(String, bool)>,
    pub q: Option<String>,
    pub fields: Option<Vec<String>>,
}

impl ListParams {
    /// Reads the parameters from the query string; bad values answer 400.
    pub fn parse(query: &[(String, String)]) -> ApiResult<Self> {
        let mut p = ListParams::default();
        for (k, v) in query {
            match k.as_str() {
                "page" => p.page = Some(positive(k, v)?),
                "per_page" => p.per_page = Some(positive(k, v)?),
                "sort" => {
                    let (field, desc) = match v.strip_prefix('-') {
                        Some(f) => (f, true),
                        None => (v.as_str(), false),
                    };
                    if !matches!(field, "name" | "creation_date") {
                        return Err(ApiError::wrong_value("sort", &Value::String(v.clone())));
                    }
                    p.sort = Some((field.to_string(), desc));
                }
                "q" if !v.is_empty() => p.q = Some(v.to_lowercase()),
                "fields" if !v.is_empty() => {
                    let fields: Vec<String> = v
                        .split(',')
                        .map(str::trim)
                        .filter(|f| !f.is_empty())
                        .map(str::to_string)
                        .collect();
                    p.fields = Some(fields);
                }
                _ => {}
            }
        }
        Ok(p)
    }

    /// Filters, sorts, pages and projects a list of elements.
    pub fn apply(&self, mut items: Vec<Value>) -> Vec<Value> {
        if let Some(q) = &self.q {
            items.retain(|it| {
                ["name", "description"].iter().any(|k| {
                    it.get(*k)
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.to_lowercase().contains(q.as_str()))
                })
            });
        }
        if let Some((field, desc)) = &self.sort {
            let key = |v: &Value| -> String {
                let s = v.get(field.as_str()).and_then(Value::as_str).unwrap_or("");
                if field == "name" {
                    s.to_lowercase()
                } else {
                    s.to_string()
                }
            };
            // Stable: elements with equal keys keep their creation order.
            items.sort_by_key(key);
            if *desc {
                items.reverse();
            }
        }
        if self.page.is_some() || self.per_page.is_some() {
            let per = self.per_page.unwrap_or(20);
            let page = self.page.unwrap_or(1);
            items = items
                .into_iter()
                .skip((page - 1).saturating_mul(per))
                .take(per)
                .collect();
        }
        if let Some(fields) = &self.fields {
            items = items.iter().map(|it| project(it, fields)).collect();
        }
        items
    }
}

fn positive(k: &str, v: &str) -> ApiResult<usize> {
    match v.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ApiError::wrong_value(k, &Value::String(v.to_string()))),
    }
}

/// Keeps only the dotted paths given (and always `id`).
pub fn project(item: &Value, fields: &[String]) -> Value {
    let mut out = Value::Object(Map::new());
    copy_path(item, &mut out, &["id"]);
    for f in fields {
        let parts: Vec<&str> = f.split('.').collect();
        copy_path(item, &mut out, &parts);
    }
    out
}

fn copy_path(src: &Value, dst: &mut Value, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(Value::Object(dmap)) = Some(&mut *dst) else {
        return;
    };
    let Some(sv) = src.get(*first) else {
        return;
    };
    if rest.is_empty() {
        dmap.insert((*first).to_string(), sv.clone());
        return;
    }
    match sv {
        Value::Object(_) => {
            let entry = dmap
                .entry((*first).to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if entry.is_object() {
                copy_path(sv, entry, rest);
            }
        }
        Value::Array(items) => {
            // A path through an array projects every element of it.
            let entry = dmap.entry((*first).to_string()).or_insert_with(|| {
                Value::Array(items.iter().map(|_| Value::Object(Map::new())).collect())
            });
            if let Value::Array(darr) = entry {
                for (s, d) in items.iter().zip(darr.iter_mut()) {
                    copy_path(s, d, rest);
                }
            }
        }
        other => {
            dmap.insert((*first).to_string(), other.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn items() -> Vec<Value> {
        vec![
            json!({"id": "1", "name": "beta", "description": "web", "creation_date": "2024-01-02", "hardware": {"ram": 2, "vcore": 1}}),
            json!({"id": "2", "name": "Alpha", "description": "", "creation_date": "2024-01-03", "hardware": {"ram": 4, "vcore": 2}}),
            json!({"id": "3", "name": "gamma", "description": "Web db", "creation_date": "2024-01-01", "hardware": {"ram": 8, "vcore": 4}}),
        ]
    }

    #[test]
    fn sort_page_and_search() {
        let p =
            ListParams::parse(&q(&[("sort", "-name"), ("per_page", "2"), ("page", "1")])).unwrap();
        let out = p.apply(items());
        assert_eq!(
            out.iter()
                .map(|v| v["id"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["3", "1"]
        );
        let p = ListParams::parse(&q(&[("q", "WEB"), ("sort", "creation_date")])).unwrap();
        let out = p.apply(items());
        assert_eq!(
            out.iter()
                .map(|v| v["id"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["3", "1"]
        );
    }

    #[test]
    fn fields_keep_id_and_dotted_paths() {
        let p = ListParams::parse(&q(&[("fields", "name,hardware.ram")])).unwrap();
        let out = p.apply(items());
        assert_eq!(
            out[0],
            json!({"id": "1", "name": "beta", "hardware": {"ram": 2}})
        );
        let arr = project(
            &json!({"id": "x", "ips": [{"ip": "1", "id": "a"}]}),
            &["ips.ip".into()],
        );
        assert_eq!(arr, json!({"id": "x", "ips": [{"ip": "1"}]}));
    }

    #[test]
    fn bad_values_are_rejected() {
        assert_eq!(
            ListParams::parse(&q(&[("page", "0")])).unwrap_err().status,
            400
        );
        assert_eq!(
            ListParams::parse(&q(&[("sort", "size")]))
                .unwrap_err()
                .status,
            400
        );
    }
}
