//! Block storages (8) and shared storages (11, with `/shared_storages/access`).

use super::common::{DatacenterRef, IdName, NameDescription, ResourceState};
use super::de::{self, Timestamp};
use super::{AccountClient, CloudError, Fetched, ListQuery, seg};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct BlockStorage {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    /// GB.
    #[serde(deserialize_with = "de::lenient_u32")]
    pub size: u32,
    pub state: ResourceState,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    pub creation_date: Timestamp,
    /// At most one attached server.
    #[serde(deserialize_with = "de::opt_obj")]
    pub server: Option<IdName>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateBlockStorage {
    pub name: String,
    /// GB, 20..500 in steps of 10.
    pub size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
    /// Attach on creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
}

/// Rename, re-describe or resize (block and shared storages).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateStorage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

impl From<NameDescription> for UpdateStorage {
    fn from(n: NameDescription) -> Self {
        UpdateStorage {
            name: n.name,
            description: n.description,
            size: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ServerIdBody<'a> {
    server_id: &'a str,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SharedStorage {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    /// GB.
    #[serde(deserialize_with = "de::lenient_u32")]
    pub size: u32,
    /// Percent used.
    #[serde(deserialize_with = "de::lenient_f64")]
    pub size_used: f64,
    pub state: ResourceState,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    /// For Windows, e.g. `\\vid50995.nas1.lan\vid50995`.
    #[serde(deserialize_with = "de::string")]
    pub cifs_path: String,
    /// For UNIX, e.g. `vid50995.nas1.lan/:vid50995`.
    #[serde(deserialize_with = "de::string")]
    pub nfs_path: String,
    pub creation_date: Timestamp,
    #[serde(deserialize_with = "de::vec")]
    pub servers: Vec<SharedStorageServer>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SharedStorageServer {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// `R` or `RW`.
    #[serde(deserialize_with = "de::string")]
    pub rights: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateSharedStorage {
    pub name: String,
    /// GB, 50..2000 in steps of 50.
    pub size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
}

/// A server to attach and its rights (`R` or `RW`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SharedStorageGrant {
    pub id: String,
    pub rights: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct GrantsBody<'a> {
    servers: &'a [SharedStorageGrant],
}

/// The credentials for reaching shared storages, per datacenter.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SharedStorageAccess {
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    pub state: ResourceState,
    /// Base64.
    // A Kerberos keytab (keys): never written out by the panel's API.
    #[serde(deserialize_with = "de::string", skip_serializing)]
    pub kerberos_content_file: String,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub needs_password_reset: bool,
    #[serde(deserialize_with = "de::string")]
    pub user_domain: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct PasswordBody<'a> {
    password: &'a str,
}

fn bs_path(id: &str) -> String {
    format!("/block_storages/{}", seg(id))
}

fn ss_path(id: &str) -> String {
    format!("/shared_storages/{}", seg(id))
}

impl AccountClient {
    // ---- block storages ----

    pub async fn list_block_storages(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<BlockStorage>>, CloudError> {
        self.list("/block_storages", &q.pairs()).await
    }

    pub async fn create_block_storage(
        &self,
        body: &CreateBlockStorage,
    ) -> Result<BlockStorage, CloudError> {
        self.post("/block_storages", body).await
    }

    pub async fn get_block_storage(&self, id: &str) -> Result<Fetched<BlockStorage>, CloudError> {
        self.get(&bs_path(id), &[]).await
    }

    pub async fn update_block_storage(
        &self,
        id: &str,
        body: &UpdateStorage,
    ) -> Result<BlockStorage, CloudError> {
        self.put(&bs_path(id), body).await
    }

    pub async fn delete_block_storage(&self, id: &str) -> Result<BlockStorage, CloudError> {
        self.delete(&bs_path(id), &[]).await
    }

    pub async fn get_block_storage_server(&self, id: &str) -> Result<Fetched<IdName>, CloudError> {
        self.get(&format!("{}/server", bs_path(id)), &[]).await
    }

    pub async fn attach_block_storage(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<BlockStorage, CloudError> {
        self.post(
            &format!("{}/server", bs_path(id)),
            &ServerIdBody { server_id },
        )
        .await
    }

    pub async fn detach_block_storage(&self, id: &str) -> Result<BlockStorage, CloudError> {
        self.delete(&format!("{}/server", bs_path(id)), &[]).await
    }

    // ---- shared storages ----

    pub async fn list_shared_storages(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<SharedStorage>>, CloudError> {
        self.list("/shared_storages", &q.pairs()).await
    }

    pub async fn create_shared_storage(
        &self,
        body: &CreateSharedStorage,
    ) -> Result<SharedStorage, CloudError> {
        self.post("/shared_storages", body).await
    }

    pub async fn get_shared_storage(&self, id: &str) -> Result<Fetched<SharedStorage>, CloudError> {
        self.get(&ss_path(id), &[]).await
    }

    pub async fn update_shared_storage(
        &self,
        id: &str,
        body: &UpdateStorage,
    ) -> Result<SharedStorage, CloudError> {
        self.put(&ss_path(id), body).await
    }

    pub async fn delete_shared_storage(&self, id: &str) -> Result<SharedStorage, CloudError> {
        self.delete(&ss_path(id), &[]).await
    }

    pub async fn list_shared_storage_servers(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<SharedStorageServer>>, CloudError> {
        self.list(&format!("{}/servers", ss_path(id)), &[]).await
    }

    pub async fn attach_shared_storage_servers(
        &self,
        id: &str,
        servers: &[SharedStorageGrant],
    ) -> Result<SharedStorage, CloudError> {
        self.post(&format!("{}/servers", ss_path(id)), &GrantsBody { servers })
            .await
    }

    pub async fn get_shared_storage_server(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<Fetched<SharedStorageServer>, CloudError> {
        self.get(&format!("{}/servers/{}", ss_path(id), seg(server_id)), &[])
            .await
    }

    pub async fn detach_shared_storage_server(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<SharedStorage, CloudError> {
        self.delete(&format!("{}/servers/{}", ss_path(id), seg(server_id)), &[])
            .await
    }

    pub async fn get_shared_storage_access(
        &self,
    ) -> Result<Fetched<Vec<SharedStorageAccess>>, CloudError> {
        self.list("/shared_storages/access", &[]).await
    }

    /// Changes the password for reaching shared storages.
    pub async fn set_shared_storage_access_password(
        &self,
        password: &str,
    ) -> Result<Vec<SharedStorageAccess>, CloudError> {
        self.put_list(
            "/shared_storages/access",
            &PasswordBody { password },
            "access",
        )
        .await
    }
}

// What each deletion takes with it, for the audit log: the same whether
// it is made on the object's page, by the JSON API or in a bulk run.

impl BlockStorage {
    /// The server it was attached to.
    pub fn delete_details(&self) -> serde_json::Value {
        match self.server.as_ref().filter(|s| !s.id.is_empty()) {
            Some(server) => serde_json::json!({
                "detached_server_id": server.id,
                "detached_server_name": server.name,
            }),
            None => serde_json::Value::Null,
        }
    }
}

impl SharedStorage {
    /// The servers that had access.
    pub fn delete_details(&self) -> serde_json::Value {
        let losing: Vec<_> = self
            .servers
            .iter()
            .map(|s| serde_json::json!({ "id": s.id, "name": s.name, "rights": s.rights }))
            .collect();
        serde_json::json!({ "servers_losing_access": losing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn storages_from_the_reference_are_read() {
        let s: SharedStorage = serde_json::from_value(json!({
            "id": "6AD2F180B7B666539EF75A02FE227084", "size": "200", "state": "ACTIVE", "size_used": "0.00",
            "cifs_path": "\\\\vid50995.nas1.lan\\vid50995", "nfs_path": "vid50995.nas1.lan/:vid50995",
            "servers": [{"id": "S", "name": "web", "rights": "RW"}], "creation_date": "2015-05-06T08:33:25+00:00"
        }))
        .unwrap();
        assert_eq!(s.size, 200);
        assert_eq!(s.servers[0].rights, "RW");
        let b: BlockStorage = serde_json::from_value(
            json!({"id": "B", "size": 40, "server": null, "state": "CONFIGURING"}),
        )
        .unwrap();
        assert_eq!(b.server, None);
        assert!(b.state.is_transitional());
        let a: SharedStorageAccess = serde_json::from_value(
            json!({"state": "ACTIVE", "needs_password_reset": 0, "user_domain": "nas2\\uid183564"}),
        )
        .unwrap();
        assert!(!a.needs_password_reset);
    }

    #[test]
    fn the_kerberos_keytab_is_never_serialised() {
        let a: SharedStorageAccess = serde_json::from_value(json!({
            "state": "ACTIVE", "kerberos_content_file": "BQIAAABSAAIACERFVjEuTEFO",
            "needs_password_reset": 0, "user_domain": "nas2\\uid183564"
        }))
        .unwrap();
        let written = serde_json::to_value(&a).unwrap();
        assert!(written.get("kerberos_content_file").is_none());
        assert_eq!(written["user_domain"], json!("nas2\\uid183564"));
    }
}
