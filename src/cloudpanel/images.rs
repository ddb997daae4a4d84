//! Images (5).

use super::common::{DatacenterRef, ResourceState};
use super::de::{self, Timestamp, api_enum};
use super::servers::Hdd;
use super::{AccountClient, CloudError, Fetched, ListQuery, seg};
use serde::{Deserialize, Serialize};

api_enum!(Frequency {
    Once => "ONCE",
    Daily => "DAILY",
    Weekly => "WEEKLY",
});

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Image {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    #[serde(deserialize_with = "de::string")]
    pub os_family: String,
    #[serde(deserialize_with = "de::string")]
    pub os: String,
    #[serde(deserialize_with = "de::string")]
    pub os_version: String,
    #[serde(deserialize_with = "de::lenient_u32", alias = "architecture")]
    pub os_architecture: u32,
    #[serde(deserialize_with = "de::opt_string")]
    pub os_image_type: Option<String>,
    /// `IMAGE`, `MY_IMAGE`, `APPLICATION`, `ISO`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub min_hdd_size: u32,
    #[serde(deserialize_with = "de::vec")]
    pub licenses: Vec<serde_json::Value>,
    pub state: ResourceState,
    #[serde(deserialize_with = "de::vec")]
    pub hdds: Vec<Hdd>,
    /// The server the image was made from.
    #[serde(deserialize_with = "de::opt_string")]
    pub server_id: Option<String>,
    pub frequency: Frequency,
    #[serde(deserialize_with = "de::opt_u32")]
    pub num_images: Option<u32>,
    pub creation_date: Timestamp,
}

api_enum!(ImageSource {
    Server => "server",
    Image => "image",
    Iso => "iso",
});

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateImage {
    /// Required by the API even when the source is an image or ISO URL.
    pub server_id: String,
    pub name: String,
    pub frequency: Frequency,
    /// Required with DAILY or WEEKLY: how many images to keep (1..50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_images: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ImageSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_id: Option<String>,
    /// `os` or `app` (with an ISO source).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `PUT /images/{id}`: frequency only accepts ONCE ("remove creation policy").
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateImage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
}

impl AccountClient {
    pub async fn list_images(&self, q: &ListQuery) -> Result<Fetched<Vec<Image>>, CloudError> {
        self.list("/images", &q.pairs()).await
    }

    pub async fn create_image(&self, body: &CreateImage) -> Result<Image, CloudError> {
        self.post("/images", body).await
    }

    pub async fn get_image(&self, id: &str) -> Result<Fetched<Image>, CloudError> {
        self.get(&format!("/images/{}", seg(id)), &[]).await
    }

    pub async fn update_image(&self, id: &str, body: &UpdateImage) -> Result<Image, CloudError> {
        self.put(&format!("/images/{}", seg(id)), body).await
    }

    pub async fn delete_image(&self, id: &str) -> Result<Image, CloudError> {
        self.delete(&format!("/images/{}", seg(id)), &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn images_with_architecture_and_an_unknown_image_type_are_read() {
        let i: Image = serde_json::from_value(json!({
            "id": "I", "name": "My image 2_20150506", "architecture": 64, "os_image_type": "Personal",
            "type": "MY_IMAGE", "state": "DEPLOYING", "frequency": "WEEKLY", "num_images": "1",
            "datacenter": {"id": "D", "name": "Spain"}, "hdds": [{"id": "H", "size": 40, "is_main": true}]
        }))
        .unwrap();
        assert_eq!(i.os_architecture, 64);
        assert_eq!(i.os_image_type.as_deref(), Some("Personal"));
        assert_eq!(i.frequency, Frequency::Weekly);
        assert_eq!(i.num_images, Some(1));
        assert_eq!(i.datacenter.location, "Spain");
    }
}
