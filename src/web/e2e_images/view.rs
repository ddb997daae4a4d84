//! What the saved image templates show, computed once from E2E's answer.

use crate::cloudpanel::e2e::SavedImage;
use crate::web::cloud::StateBadge;

/// An image's state as a badge: "Ready", or "Creating" while it is saved.
pub fn badge(image: &SavedImage) -> StateBadge {
    let label = if image.image_state.trim().is_empty() {
        "Unknown".to_owned()
    } else {
        image.image_state.trim().to_owned()
    };
    let transitional = image.is_transitional();
    StateBadge {
        state: label.clone(),
        label,
        class: if transitional {
            "busy"
        } else if image.is_ready() {
            "ok"
        } else {
            ""
        },
        percent: None,
        transitional,
    }
}

/// E2E writes `31-10-2019 11:59:58`: as `2019-10-31 11:59:58` it reads and
/// sorts as every other time of the panel. Anything else stays as it came.
pub fn created(raw: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(raw.trim(), "%d-%m-%Y %H:%M:%S")
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| raw.trim().to_owned())
}

/// One row of the list (also the fragment a refreshing row fetches, and the
/// detail page's status).
#[derive(Debug, Clone)]
pub struct ImageRow {
    pub id: String,
    pub name: String,
    pub badge: StateBadge,
    pub distro: String,
    pub size: String,
    pub running_vms: u32,
    pub created: String,
    /// The image's address, without the account query.
    pub href: String,
    /// `?account=ID`: appended to every address built on `href`.
    pub query: String,
}

impl ImageRow {
    pub fn new(image: &SavedImage, href: String, query: String) -> Self {
        Self {
            id: image.image_id.clone(),
            name: image.name.clone(),
            badge: badge(image),
            distro: image.distro.clone(),
            size: image.image_size.clone(),
            running_vms: image.running_vms,
            created: created(&image.creation_time),
            href,
            query,
        }
    }

    /// An image that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, href: String, query: String) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            badge: StateBadge::removed(),
            distro: String::new(),
            size: String::new(),
            running_vms: 0,
            created: String::new(),
            href,
            query,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e2e_times_read_as_the_panels() {
        assert_eq!(created("31-10-2019 11:59:58"), "2019-10-31 11:59:58");
        assert_eq!(created("soon"), "soon");
    }

    #[test]
    fn a_creating_image_refreshes_itself() {
        let image = |state: &str| SavedImage {
            image_state: state.into(),
            ..SavedImage::default()
        };
        let b = badge(&image("Creating"));
        assert!(b.transitional && b.class == "busy");
        let b = badge(&image("Ready"));
        assert!(!b.transitional && b.class == "ok");
        assert_eq!(badge(&image("")).label, "Unknown");
    }
}
