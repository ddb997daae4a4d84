//! "What this account's token may do": the permissions of the Cloud Panel
//! user whose key is this cloud account's token
//! (`GET /users/current_user_permissions`), by group, in the vocabulary's
//! words. What the panel lets a member do is capped by this: a flag the
//! token lacks is refused by the Cloud Panel whatever the member's role says.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::cloudpanel::access::Permissions;
use crate::rbac::{Source, VOCABULARY, perms};
use crate::tenant::AccountList;
use crate::web::cloud::{AccountParam, Loaded, open_switchable};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One flag as the page shows it.
pub struct FlagView {
    pub title: String,
    /// The API's `group.flag`.
    pub key: String,
    pub allowed: bool,
}

/// One group: its title and its flags, the allowed ones first.
pub struct GroupView {
    pub title: String,
    pub name: String,
    pub allowed: usize,
    pub flags: Vec<FlagView>,
}

/// The Cloud Panel's groups in the vocabulary's order and words, then any
/// group or flag the vocabulary does not know, by its API name.
pub fn groups(granted: &Permissions) -> Vec<GroupView> {
    let mut out = Vec::new();
    for group in VOCABULARY.iter().filter(|g| g.source == Source::CloudPanel) {
        let mut flags: Vec<FlagView> = group
            .flags
            .iter()
            .map(|f| FlagView {
                title: f.title.to_owned(),
                key: format!("{}.{}", group.name, f.name),
                allowed: granted.allows(group.name, f.name),
            })
            .collect();
        if let Some(given) = granted.0.get(group.name) {
            for (flag, allowed) in given {
                if !group.flags.iter().any(|f| f.name == flag) {
                    flags.push(FlagView {
                        title: flag.replace('_', " "),
                        key: format!("{}.{flag}", group.name),
                        allowed: *allowed,
                    });
                }
            }
        }
        out.push(view(group.title, group.name, flags));
    }
    for (name, given) in &granted.0 {
        if VOCABULARY.iter().any(|g| g.name == name) {
            continue;
        }
        let flags = given
            .iter()
            .map(|(flag, allowed)| FlagView {
                title: flag.replace('_', " "),
                key: format!("{name}.{flag}"),
                allowed: *allowed,
            })
            .collect();
        out.push(view(name, name, flags));
    }
    out
}

fn view(title: &str, name: &str, mut flags: Vec<FlagView>) -> GroupView {
    flags.sort_by_key(|f| !f.allowed);
    GroupView {
        title: title.to_owned(),
        name: name.to_owned(),
        allowed: flags.iter().filter(|f| f.allowed).count(),
        flags,
    }
}

#[derive(Template)]
#[template(path = "cloud_users/permissions.html")]
struct PermissionsPage<'a> {
    page: &'a PageCtx,
    groups: Vec<GroupView>,
    account_name: String,
    list_href: String,
    members_href: String,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let (up, accounts) = open_switchable(&ctx, &session, perms::USERS_SHOW, &account).await?;
    let loaded = Loaded::from(
        "what this account's token may do",
        up.client().get_current_user_permissions().await,
    );
    let page = ctx.page.clone().with_section(super::FAMILY.word);
    render(
        StatusCode::OK,
        &PermissionsPage {
            page: &page,
            groups: if loaded.problem.is_some() {
                Vec::new()
            } else {
                groups(&loaded.items)
            },
            account_name: up.row().name.clone(),
            list_href: ctx.href("cloud_users/permissions"),
            members_href: ctx.href("members"),
            accounts,
            account_id: up.row().id,
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_carry_the_vocabularys_words_and_unknown_flags_keep_theirs() {
        let mut p = Permissions::default();
        p.set("servers", "show", true);
        p.set("servers", "teleport", true);
        p.set("quantum", "entangle", false);
        let groups = groups(&p);
        let servers = groups.iter().find(|g| g.name == "servers").unwrap();
        assert_eq!(servers.title, "Servers");
        assert_eq!(servers.allowed, 2);
        assert_eq!(servers.flags[0].title, "See servers");
        assert!(servers.flags.iter().any(|f| f.key == "servers.teleport"));
        let odd = groups.iter().find(|g| g.name == "quantum").unwrap();
        assert_eq!(odd.allowed, 0);
        assert!(!groups.iter().any(|g| g.name == "organisation"));
    }
}
