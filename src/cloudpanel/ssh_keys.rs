//! SSH keys (5).

use super::common::{IdName, NameDescription, ResourceState};
use super::de::{self, Timestamp};
use super::{AccountClient, CloudError, Fetched, ListQuery, seg};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SshKey {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    pub state: ResourceState,
    #[serde(deserialize_with = "de::vec")]
    pub servers: Vec<IdName>,
    #[serde(deserialize_with = "de::string")]
    pub md5: String,
    #[serde(deserialize_with = "de::string")]
    pub public_key: String,
    /// Only when the API generated the pair (the field is undocumented).
    // A private key: never written out by the panel's API.
    #[serde(deserialize_with = "de::opt_string", skip_serializing)]
    pub private_key: Option<String>,
    pub creation_date: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateSshKey {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Without one, the API creates a pair and returns the private key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

impl AccountClient {
    pub async fn list_ssh_keys(&self, q: &ListQuery) -> Result<Fetched<Vec<SshKey>>, CloudError> {
        self.list("/ssh_keys", &q.pairs()).await
    }

    pub async fn create_ssh_key(&self, body: &CreateSshKey) -> Result<SshKey, CloudError> {
        self.post("/ssh_keys", body).await
    }

    pub async fn get_ssh_key(&self, id: &str) -> Result<Fetched<SshKey>, CloudError> {
        self.get(&format!("/ssh_keys/{}", seg(id)), &[]).await
    }

    /// The API requires the name.
    pub async fn update_ssh_key(
        &self,
        id: &str,
        body: &NameDescription,
    ) -> Result<SshKey, CloudError> {
        self.put(&format!("/ssh_keys/{}", seg(id)), body).await
    }

    pub async fn delete_ssh_key(&self, id: &str) -> Result<SshKey, CloudError> {
        self.delete(&format!("/ssh_keys/{}", seg(id)), &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ssh_keys_with_the_odd_date_format_are_read() {
        let k: SshKey = serde_json::from_value(json!({
            "id": "K", "name": "laptop", "state": "DELETING", "servers": [{"id": "S", "name": "web"}],
            "md5": "5df9f63916ebf8528697b629022993e8", "public_key": "ssh-rsa AAAA",
            "creation_date": "30-06-2015T 14:52:35+00.00"
        }))
        .unwrap();
        assert!(k.state.is_transitional());
        assert_eq!(k.servers[0].name, "web");
        assert!(k.creation_date.parsed().is_none());
    }

    #[test]
    fn a_generated_private_key_is_never_serialised() {
        let k: SshKey = serde_json::from_value(json!({
            "id": "K", "public_key": "ssh-rsa AAAA",
            "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----"
        }))
        .unwrap();
        let written = serde_json::to_value(&k).unwrap();
        assert!(written.get("private_key").is_none());
        assert_eq!(written["public_key"], json!("ssh-rsa AAAA"));
    }
}
