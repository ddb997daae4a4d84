//! The Cloud Panel users list: search, sort and pages computed in the panel
//! over one cached upstream list.
//!
//! Its page is the common one, but not the common layout: the words of its
//! create link ("Add user") and of its counts are its own, and it says whose
//! users these are between the toolbar and the notices.

use super::FAMILY;
use super::view::UserRow;
use crate::cloudpanel::access::User;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, StateBadge, Upstream, account_query};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    CloudUsers,
    UserRow,
    "cloud_users/list.html",
    "cloud_users/row.html"
);

impl ListTemplate<'_> {
    /// What this account's token may do, on the account shown.
    fn permissions_href(&self) -> String {
        format!(
            "{}/permissions{}",
            self.list_href,
            account_query(self.account_id)
        )
    }

    /// The panel's own members, whom these users are not.
    fn members_href(&self) -> String {
        format!("/o/{}/members", self.page.org_slug())
    }
}

pub struct CloudUsers;

impl Listed for CloudUsers {
    type Item = User;
    const FAMILY: &'static Family = &FAMILY;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("email", "Email (A–Z)"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<User>>, CloudError> {
        client.list_users(&ListQuery::all()).await
    }

    fn id(user: &User) -> &str {
        &user.id
    }

    fn matches(user: &User, q: &str) -> bool {
        [&user.name, &user.description, &user.email, &user.id]
            .iter()
            .any(|field| field.to_lowercase().contains(q))
            || user
                .roles
                .as_ref()
                .is_some_and(|r| r.name.to_lowercase().contains(q))
            || user.api.allowed_ips.iter().any(|ip| ip.contains(q))
    }

    fn sort(users: &mut Vec<&User>, key: &str) {
        match key {
            "-name" => users.sort_by_cached_key(|u| std::cmp::Reverse(u.name.to_lowercase())),
            "email" => {
                users.sort_by_cached_key(|u| (u.email.to_lowercase(), u.name.to_lowercase()))
            }
            "-created" => {
                users.sort_by_cached_key(|u| std::cmp::Reverse(u.creation_date.to_string()))
            }
            "created" => users.sort_by_cached_key(|u| u.creation_date.to_string()),
            _ => users.sort_by_cached_key(|u| u.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, user: &User) -> UserRow {
        UserRow::new(user, ctx, up)
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> UserRow {
        let gone = User {
            id: id.to_owned(),
            name: "(removed)".into(),
            ..User::default()
        };
        UserRow {
            badge: StateBadge::removed(),
            ..UserRow::new(&gone, ctx, up)
        }
    }
}
