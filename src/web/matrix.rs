//! The permission matrix, one component for both role editors: the panel's
//! own roles (every group of the vocabulary) and the Cloud Panel account's
//! roles (only the groups the Cloud Panel itself knows). Each group is a
//! fieldset with its title; each flag a checkbox with its title and the
//! sentence that explains it. A ticked box posts `perm=group.flag`.
//!
//! Template: `templates/partials/permission_matrix.html`, with a [`Matrix`]
//! named `matrix` in scope, inside the editor's form.

use crate::rbac::{Group, Source, VOCABULARY};

/// The form field each ticked box posts.
pub const FIELD: &str = "perm";

/// Which groups of the vocabulary a matrix shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The panel's roles: the Cloud Panel's groups and the panel's own.
    Panel,
    /// A Cloud Panel role: only the groups the Cloud Panel knows.
    CloudPanel,
}

impl Scope {
    fn shows(self, group: &Group) -> bool {
        match self {
            Scope::Panel => true,
            Scope::CloudPanel => group.source == Source::CloudPanel,
        }
    }

    /// The groups of the vocabulary this scope shows, in order.
    pub fn groups(self) -> impl Iterator<Item = &'static Group> {
        VOCABULARY.iter().filter(move |g| self.shows(g))
    }
}

/// One checkbox.
#[derive(Debug, Clone)]
pub struct MatrixFlag {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub checked: bool,
}

/// One fieldset.
#[derive(Debug, Clone)]
pub struct MatrixGroup {
    pub name: &'static str,
    pub title: &'static str,
    /// Where a group not of the Cloud Panel's own model comes from, said
    /// under its title on the panel's editor, where every kind meets; empty
    /// for the Cloud Panel's.
    pub note: &'static str,
    pub flags: Vec<MatrixFlag>,
}

/// What the template shows.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub groups: Vec<MatrixGroup>,
    /// False: the boxes are shown disabled (a built-in role, or no right to change it).
    pub editable: bool,
    /// How many boxes are ticked, and how many there are.
    pub granted: usize,
    pub total: usize,
}

impl Matrix {
    /// The matrix of `scope`, each box ticked as `checked(group, flag)` says.
    pub fn new(scope: Scope, editable: bool, checked: impl Fn(&str, &str) -> bool) -> Self {
        let groups: Vec<MatrixGroup> = scope
            .groups()
            .map(|g| MatrixGroup {
                name: g.name,
                title: g.title,
                note: match g.source {
                    Source::CloudPanel => "",
                    Source::Panel => "Added by teampanel; not part of the Cloud Panel's own roles.",
                    Source::E2e => "For E2E Networks accounts: their nodes and saved images.",
                },
                flags: g
                    .flags
                    .iter()
                    .map(|f| MatrixFlag {
                        name: f.name,
                        title: f.title,
                        description: f.description,
                        checked: checked(g.name, f.name),
                    })
                    .collect(),
            })
            .collect();
        let flags = || groups.iter().flat_map(|g| g.flags.iter());
        let granted = flags().filter(|f| f.checked).count();
        let total = flags().count();
        Self {
            groups,
            editable,
            granted,
            total,
        }
    }
}

/// The form fields of a matrix form, in order: `(name, value)` pairs, so an
/// editor can pick its own fields beside the repeated [`FIELD`].
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cloud_panel_scope_leaves_out_the_panels_own_groups() {
        let all = Matrix::new(Scope::Panel, true, |_, _| false);
        let cloud = Matrix::new(Scope::CloudPanel, true, |_, _| false);
        assert!(all.groups.iter().any(|g| g.name == "organisation"));
        assert!(cloud.groups.iter().all(|g| g.note.is_empty()));
        assert_eq!(cloud.groups.len(), 16);
        assert_eq!(cloud.total, 99);
        assert!(all.total > cloud.total);
    }

    #[test]
    fn the_count_follows_the_ticked_boxes() {
        let m = Matrix::new(Scope::CloudPanel, false, |g, f| {
            g == "servers" && (f == "show" || f == "start")
        });
        assert_eq!(m.granted, 2);
        let servers = &m.groups[0];
        assert!(
            servers
                .flags
                .iter()
                .find(|f| f.name == "show")
                .unwrap()
                .checked
        );
        assert!(
            !servers
                .flags
                .iter()
                .find(|f| f.name == "delete")
                .unwrap()
                .checked
        );
    }
}
