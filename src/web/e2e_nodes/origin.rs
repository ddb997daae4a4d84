//! Which OS image a node or a saved image came from. E2E names a node's
//! image by its slug (`Ubuntu-22.04-Distro`) and a saved image's by its
//! distro (`Ubuntu-22.04`), while plans are asked for by the category
//! list's four values: the one whose `category-version` (or `os-version`)
//! the slug or distro starts with is its image.

use crate::cloudpanel::e2e::ImageChoice;

/// Lower case, spaces as hyphens: how slugs and distros write a name.
fn normalised(text: &str) -> String {
    text.trim().to_lowercase().replace(' ', "-")
}

/// The image `slug_or_distro` was made from, if one of `choices` fits; the
/// longest fit wins (`Ubuntu-22.04` over `Ubuntu-2`).
pub fn image_of<'a>(choices: &'a [ImageChoice], slug_or_distro: &str) -> Option<&'a ImageChoice> {
    let wanted = normalised(slug_or_distro);
    if wanted.is_empty() {
        return None;
    }
    let fits = |prefix: &str| {
        !prefix.is_empty()
            && (wanted == prefix
                || wanted
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('-')))
    };
    choices
        .iter()
        .filter_map(|c| {
            [&c.category, &c.os]
                .into_iter()
                .filter(|name| !name.is_empty())
                .map(|name| normalised(&format!("{name}-{}", c.version)))
                .filter(|prefix| fits(prefix))
                .map(|prefix| (prefix.len(), c))
                .max_by_key(|(len, _)| *len)
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(os: &str, category: &str, version: &str) -> ImageChoice {
        ImageChoice {
            display_category: "Linux Virtual Node".into(),
            category: category.into(),
            os: os.into(),
            version: version.into(),
        }
    }

    #[test]
    fn slugs_and_distros_find_their_image() {
        let choices = [
            choice("Ubuntu", "Ubuntu", "22.04"),
            choice("Ubuntu", "Ubuntu", "2"),
            choice("Windows Server", "Windows Server", "2022"),
            choice("CentOS", "CentOS", "Stream-9"),
        ];
        let of = |s: &str| image_of(&choices, s).map(ImageChoice::label);
        assert_eq!(of("Ubuntu-22.04-Distro").as_deref(), Some("Ubuntu 22.04"));
        assert_eq!(of("Ubuntu-22.04").as_deref(), Some("Ubuntu 22.04"));
        assert_eq!(
            of("Windows-Server-2022").as_deref(),
            Some("Windows Server 2022")
        );
        assert_eq!(
            of("CentOS-Stream-9-Distro").as_deref(),
            Some("CentOS Stream-9")
        );
        assert_eq!(of("Ubuntu-22.040"), None);
        assert_eq!(of("Debian-12"), None);
        assert_eq!(of(""), None);
    }
}
