//! The SSH keys list: search, sort and pages computed in the panel over one
//! cached upstream list; rows in a transition refresh themselves.

use super::FAMILY;
use super::view::KeyRow;
use crate::cloudpanel::ssh_keys::SshKey;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(SshKeys, KeyRow, "ssh_keys/list.html", "ssh_keys/row.html");

pub struct SshKeys;

impl Listed for SshKeys {
    type Item = SshKey;
    const FAMILY: &'static Family = &FAMILY;
    /// Keys are added, not created.
    const NEW_LABEL: Option<&'static str> = Some("Add SSH key");
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<SshKey>>, CloudError> {
        client.list_ssh_keys(&ListQuery::all()).await
    }

    fn id(key: &SshKey) -> &str {
        &key.id
    }

    fn matches(key: &SshKey, q: &str) -> bool {
        [
            &key.name,
            &key.description,
            &key.id,
            &key.md5,
            &key.public_key,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || key
                .servers
                .iter()
                .any(|s| s.name.to_lowercase().contains(q))
    }

    fn sort(keys: &mut Vec<&SshKey>, key: &str) {
        match key {
            "-name" => keys.sort_by_cached_key(|k| std::cmp::Reverse(k.name.to_lowercase())),
            "-created" => {
                keys.sort_by_cached_key(|k| std::cmp::Reverse(k.creation_date.to_string()))
            }
            "created" => keys.sort_by_cached_key(|k| k.creation_date.to_string()),
            _ => keys.sort_by_cached_key(|k| k.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, key: &SshKey) -> KeyRow {
        KeyRow::new(key, ctx, up)
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> KeyRow {
        KeyRow::removed(id, ctx, up)
    }
}
