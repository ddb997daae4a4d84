//! Saved images: a node's disk kept to create nodes from.

use crate::cloudpanel::de;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, seg};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// A saved image as the API lists it (ids and counts come as text).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SavedImage {
    #[serde(deserialize_with = "de::string")]
    pub image_id: String,
    #[serde(deserialize_with = "de::string")]
    pub template_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// "Ready", or "Creating" while it is being saved.
    #[serde(deserialize_with = "de::string")]
    pub image_state: String,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub running_vms: u32,
    /// As the API writes it: "31-10-2019 11:59:58".
    #[serde(deserialize_with = "de::string")]
    pub creation_time: String,
    #[serde(deserialize_with = "de::string")]
    pub image_size: String,
    #[serde(deserialize_with = "de::string")]
    pub os_distribution: String,
    #[serde(deserialize_with = "de::string")]
    pub distro: String,
}

impl SavedImage {
    /// Nodes can be made from it.
    pub fn is_ready(&self) -> bool {
        self.image_state.eq_ignore_ascii_case("ready")
    }

    /// Being made: the row refreshes itself and nothing is offered.
    pub fn is_transitional(&self) -> bool {
        crate::cloudpanel::de::looks_transitional(&self.image_state)
    }
}

impl AccountClient {
    pub async fn list_saved_images(&self) -> Result<Fetched<Arc<Vec<SavedImage>>>, CloudError> {
        self.list_shared("/images/saved-images/", &[]).await
    }

    pub async fn rename_saved_image(&self, image_id: &str, name: &str) -> Result<(), CloudError> {
        let body = json!({ "action_type": "rename", "name": name });
        let _: Value = self
            .post(&format!("/images/{}/", seg(image_id)), &body)
            .await?;
        Ok(())
    }

    /// Deletes a saved image; one already gone counts as deleted.
    pub async fn delete_saved_image(&self, image_id: &str) -> Result<(), CloudError> {
        let body = json!({ "action_type": "delete_image" });
        let _: Value = self
            .post(&format!("/images/{}/", seg(image_id)), &body)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_saved_image_is_read() {
        let sample = json!({
            "image_state": "Ready", "name": "test-disk-0", "running_vms": "0",
            "creation_time": "31-10-2019 11:59:58", "image_id": "2292", "vm_info": null,
            "image_size": "57 GB", "os_distribution": "test", "template_id": "3638",
            "distro": "CentOS-7.5"
        });
        let image: SavedImage = serde_json::from_value(sample).unwrap();
        assert_eq!(image.image_id, "2292");
        assert_eq!(image.running_vms, 0);
        assert!(image.is_ready());
        assert!(!image.is_transitional());
    }
}
