//! Users (13, with current_user_permissions) and roles (12).

use super::common::{Empty, IdName, IdsBody, ResourceState};
use super::de::{self, Timestamp};
use super::{AccountClient, CloudError, Fetched, ListQuery, SecretToken, seg};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A user's API key: kept as a [`SecretToken`] so it never lands in a log.
fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretToken>, D::Error> {
    Ok(de::opt_string(d)?
        .filter(|s| !s.is_empty())
        .map(SecretToken::new))
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct User {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Examples carry an account prefix (`034b011e.user`).
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    #[serde(deserialize_with = "de::string")]
    pub email: String,
    /// ACTIVE or DISABLED, and CREATING, CONFIGURING, REMOVING in between.
    pub state: ResourceState,
    pub creation_date: Timestamp,
    #[serde(deserialize_with = "de::obj")]
    pub api: UserApi,
    /// "Role that the user belongs to": one object despite the plural key.
    #[serde(deserialize_with = "de::opt_obj")]
    pub roles: Option<IdName>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct UserApi {
    #[serde(deserialize_with = "de::lenient_bool")]
    pub active: bool,
    /// Null while API access is disabled.
    // A credential: never written out by the panel's API.
    #[serde(deserialize_with = "secret", skip_serializing)]
    pub key: Option<SecretToken>,
    /// Empty means any address may use the key.
    #[serde(deserialize_with = "de::strings")]
    pub allowed_ips: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiKey {
    // A credential: never written out by the panel's API.
    #[serde(deserialize_with = "secret", skip_serializing)]
    pub key: Option<SecretToken>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateUser {
    pub name: String,
    pub password: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Enable with `ACTIVE`, disable with `DISABLE` (answers say `DISABLED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UserStateChange {
    #[serde(rename = "ACTIVE")]
    Active,
    #[serde(rename = "DISABLE")]
    Disable,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<UserStateChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
struct ActiveBody {
    active: bool,
}

/// The permission matrix: group (`servers`, `images`, ...) → flag (`show`, `create`, ...) → allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Permissions(pub BTreeMap<String, BTreeMap<String, bool>>);

impl Permissions {
    pub fn allows(&self, group: &str, flag: &str) -> bool {
        self.0
            .get(group)
            .and_then(|g| g.get(flag))
            .copied()
            .unwrap_or(false)
    }

    pub fn set(&mut self, group: &str, flag: &str, allowed: bool) {
        self.0
            .entry(group.to_string())
            .or_default()
            .insert(flag.to_string(), allowed);
    }

    pub fn flag_count(&self) -> usize {
        self.0.values().map(BTreeMap::len).sum()
    }
}

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(groups) = Value::deserialize(d)? else {
            return Ok(Permissions::default());
        };
        let mut out = BTreeMap::new();
        for (group, flags) in groups {
            let Value::Object(flags) = flags else {
                continue;
            };
            let flags = flags
                .into_iter()
                .filter_map(|(k, v)| {
                    let b = match v {
                        Value::Bool(b) => b,
                        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1"),
                        _ => return None,
                    };
                    Some((k, b))
                })
                .collect();
            out.insert(group, flags);
        }
        Ok(Permissions(out))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Role {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Null right after creation.
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    pub state: ResourceState,
    /// A built-in role.
    #[serde(deserialize_with = "de::lenient_bool")]
    pub default: bool,
    pub creation_date: Timestamp,
    #[serde(deserialize_with = "de::vec")]
    pub users: Vec<IdName>,
    pub permissions: Permissions,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateRole {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<UserStateChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct NameBody<'a> {
    name: &'a str,
}

fn user_path(id: &str) -> String {
    format!("/users/{}", seg(id))
}

fn role_path(id: &str) -> String {
    format!("/roles/{}", seg(id))
}

impl AccountClient {
    // ---- users ----

    pub async fn list_users(&self, q: &ListQuery) -> Result<Fetched<Vec<User>>, CloudError> {
        self.list("/users", &q.pairs()).await
    }

    pub async fn create_user(&self, body: &CreateUser) -> Result<User, CloudError> {
        self.post("/users", body).await
    }

    pub async fn get_user(&self, id: &str) -> Result<Fetched<User>, CloudError> {
        self.get(&user_path(id), &[]).await
    }

    pub async fn update_user(&self, id: &str, body: &UpdateUser) -> Result<User, CloudError> {
        self.put(&user_path(id), body).await
    }

    pub async fn delete_user(&self, id: &str) -> Result<User, CloudError> {
        self.delete(&user_path(id), &[]).await
    }

    pub async fn get_user_api(&self, id: &str) -> Result<Fetched<UserApi>, CloudError> {
        self.get(&format!("{}/api", user_path(id)), &[]).await
    }

    /// Enables or disables API access for the user.
    pub async fn set_user_api_active(&self, id: &str, active: bool) -> Result<User, CloudError> {
        self.put(&format!("{}/api", user_path(id)), &ActiveBody { active })
            .await
    }

    pub async fn get_user_api_key(&self, id: &str) -> Result<Fetched<ApiKey>, CloudError> {
        self.get(&format!("{}/api/key", user_path(id)), &[]).await
    }

    /// Issues a new key; the old one stops working.
    pub async fn regenerate_user_api_key(&self, id: &str) -> Result<User, CloudError> {
        self.put(&format!("{}/api/key", user_path(id)), &Empty {})
            .await
    }

    pub async fn list_user_api_ips(&self, id: &str) -> Result<Fetched<Vec<String>>, CloudError> {
        self.list(&format!("{}/api/ips", user_path(id)), &[]).await
    }

    pub async fn add_user_api_ips(&self, id: &str, ips: &[String]) -> Result<User, CloudError> {
        let body = IdsBody {
            ips: Some(ips),
            ..IdsBody::default()
        };
        self.post(&format!("{}/api/ips", user_path(id)), &body)
            .await
    }

    pub async fn remove_user_api_ip(&self, id: &str, ip: &str) -> Result<User, CloudError> {
        self.delete(&format!("{}/api/ips/{}", user_path(id), seg(ip)), &[])
            .await
    }

    /// What the token's own user may do.
    pub async fn get_current_user_permissions(&self) -> Result<Fetched<Permissions>, CloudError> {
        self.get("/users/current_user_permissions", &[]).await
    }

    // ---- roles ----

    pub async fn list_roles(&self, q: &ListQuery) -> Result<Fetched<Vec<Role>>, CloudError> {
        self.list("/roles", &q.pairs()).await
    }

    pub async fn create_role(&self, name: &str) -> Result<Role, CloudError> {
        self.post("/roles", &NameBody { name }).await
    }

    pub async fn get_role(&self, id: &str) -> Result<Fetched<Role>, CloudError> {
        self.get(&role_path(id), &[]).await
    }

    pub async fn update_role(&self, id: &str, body: &UpdateRole) -> Result<Role, CloudError> {
        self.put(&role_path(id), body).await
    }

    pub async fn delete_role(&self, id: &str) -> Result<Role, CloudError> {
        self.delete(&role_path(id), &[]).await
    }

    pub async fn get_role_permissions(&self, id: &str) -> Result<Fetched<Permissions>, CloudError> {
        self.get(&format!("{}/permissions", role_path(id)), &[])
            .await
    }

    /// Merges the given flags into the role's permissions (the body is undocumented;
    /// a partial matrix is what the reference's example suggests).
    pub async fn update_role_permissions(
        &self,
        id: &str,
        permissions: &Permissions,
    ) -> Result<Permissions, CloudError> {
        let v: Value = self
            .put(&format!("{}/permissions", role_path(id)), permissions)
            .await?;
        // Some answers are the role, some the bare permissions.
        let perms = v.get("permissions").unwrap_or(&v);
        Permissions::deserialize(perms).map_err(|e| CloudError::Undecodable {
            detail: e.to_string(),
        })
    }

    pub async fn list_role_users(&self, id: &str) -> Result<Fetched<Vec<IdName>>, CloudError> {
        self.list(&format!("{}/users", role_path(id)), &[]).await
    }

    pub async fn add_role_users(&self, id: &str, user_ids: &[String]) -> Result<Role, CloudError> {
        let body = IdsBody {
            users: Some(user_ids),
            ..IdsBody::default()
        };
        self.post(&format!("{}/users", role_path(id)), &body).await
    }

    pub async fn get_role_user(
        &self,
        id: &str,
        user_id: &str,
    ) -> Result<Fetched<IdName>, CloudError> {
        self.get(&format!("{}/users/{}", role_path(id), seg(user_id)), &[])
            .await
    }

    pub async fn remove_role_user(&self, id: &str, user_id: &str) -> Result<Role, CloudError> {
        self.delete(&format!("{}/users/{}", role_path(id), seg(user_id)), &[])
            .await
    }

    /// Answers the copy.
    pub async fn clone_role(&self, id: &str, name: &str) -> Result<Role, CloudError> {
        self.post(&format!("{}/clone", role_path(id)), &NameBody { name })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_users_api_key_is_kept_secret() {
        let u: User = serde_json::from_value(json!({
            "id": "U", "name": "034b011e.user", "state": "DISABLED",
            "api": {"active": true, "key": "0123456789abcdef", "allowed_ips": ["1.2.3.4"]},
            "roles": {"id": "R", "name": "Administrator"}
        }))
        .unwrap();
        assert_eq!(
            u.api.key.as_ref().map(SecretToken::expose),
            Some("0123456789abcdef")
        );
        assert!(!format!("{u:?}").contains("0123456789abcdef"));
        assert_eq!(u.roles.map(|r| r.name), Some("Administrator".into()));
        let fresh: User = serde_json::from_value(
            json!({"api": {"active": false, "key": null, "allowed_ips": []}}),
        )
        .unwrap();
        assert_eq!(fresh.api.key, None);
    }

    #[test]
    fn permissions_are_read_leniently_and_queried() {
        let p: Permissions = serde_json::from_value(json!({
            "servers": {"show": true, "delete": false, "start": "true", "odd": {"x": 1}},
            "images": {"show": 1},
            "broken": "yes"
        }))
        .unwrap();
        assert!(p.allows("servers", "show"));
        assert!(p.allows("servers", "start"));
        assert!(!p.allows("servers", "delete"));
        assert!(p.allows("images", "show"));
        assert!(!p.allows("vpn", "show"));
        assert_eq!(p.flag_count(), 4);
        assert_eq!(
            serde_json::to_value(&p).unwrap()["images"],
            json!({"show": true})
        );
    }

    #[test]
    fn disabling_uses_the_input_spelling() {
        let body = UpdateUser {
            state: Some(UserStateChange::Disable),
            ..UpdateUser::default()
        };
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({"state": "DISABLE"})
        );
    }

    #[test]
    fn permissions_are_written_back_as_nested_flags() {
        let p: Permissions = serde_json::from_value(json!({
            "servers": {"show": true, "start": "1", "delete": 0, "odd": null},
            "images": {},
            "broken": "yes"
        }))
        .unwrap();
        let written = serde_json::to_value(&p).unwrap();
        assert_eq!(
            written,
            json!({"servers": {"show": true, "start": true, "delete": false}, "images": {}})
        );
        let again: Permissions = serde_json::from_value(written).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn a_users_api_key_is_never_serialised() {
        let u: User = serde_json::from_value(json!({
            "id": "U", "name": "034b011e.user", "state": "ACTIVE", "creation_date": "2015-05-07 09:47:34",
            "api": {"active": true, "key": "0123456789abcdef", "allowed_ips": ["1.2.3.4"]},
            "roles": {"id": "R", "name": "Administrator"}
        }))
        .unwrap();
        let written = serde_json::to_value(&u).unwrap();
        assert!(!written.to_string().contains("0123456789abcdef"));
        assert_eq!(
            written["api"],
            json!({"active": true, "allowed_ips": ["1.2.3.4"]})
        );
        assert_eq!(
            written["roles"],
            json!({"id": "R", "name": "Administrator"})
        );
        let key: ApiKey = serde_json::from_value(json!({"key": "0123456789abcdef"})).unwrap();
        assert_eq!(serde_json::to_value(&key).unwrap(), json!({}));
    }
}
