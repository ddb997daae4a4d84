//! The nodes list: search, sort and pages computed in the panel over one
//! cached upstream list (read a page of 100 at a time), which every
//! refreshing row shares too.

use std::sync::Arc;

use super::FAMILY;
use super::view::NodeRow;
use crate::cloudpanel::e2e::Node;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::tenant::BulkFamily;
use crate::web::cloud::{BulkCard, Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    Nodes,
    NodeRow,
    "e2e_nodes/list.html",
    "e2e_nodes/row.html",
    "e2e_nodes/status.html"
);

pub struct Nodes;

impl Listed for Nodes {
    type Item = Node;
    const FAMILY: &'static Family = &FAMILY;
    const NEW_LABEL: Option<&'static str> = Some("Create node");
    const BULK: Option<BulkFamily> = Some(BulkFamily::E2eNodes);
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<Node>>, CloudError> {
        // The list is shared with every reader; the page needs its own copy.
        Ok(client.list_nodes().await?.map(Arc::unwrap_or_clone))
    }

    fn id(node: &Node) -> &str {
        &node.id
    }

    fn matches(node: &Node, q: &str) -> bool {
        [
            &node.name,
            &node.id,
            &node.public_ip_address,
            &node.private_ip_address,
            &node.plan,
            &node.image,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
    }

    fn sort(nodes: &mut Vec<&Node>, key: &str) {
        match key {
            "-name" => nodes.sort_by_cached_key(|n| std::cmp::Reverse(n.name.to_lowercase())),
            "state" => {
                nodes.sort_by_cached_key(|n| (n.status.to_lowercase(), n.name.to_lowercase()))
            }
            "-created" => nodes.sort_by_cached_key(|n| std::cmp::Reverse(n.created_at.clone())),
            "created" => nodes.sort_by_cached_key(|n| n.created_at.clone()),
            _ => nodes.sort_by_cached_key(|n| n.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, node: &Node) -> NodeRow {
        NodeRow::new(node, FAMILY.href(ctx, &node.id), up.query())
            .selectable(BulkCard::offered(ctx, BulkFamily::E2eNodes))
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> NodeRow {
        NodeRow::removed(id, FAMILY.href(ctx, id), up.query())
            .selectable(BulkCard::offered(ctx, BulkFamily::E2eNodes))
    }
}
