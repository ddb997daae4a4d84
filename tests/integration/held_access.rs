//! Two-person approval of changes to the panel's own tables: who has
//! access (a member's role, an invitation) and a cloud account's token.
//! Held, the change is not made; another member with the kind's flag
//! approves and it is made, as the member who asked, after their role is
//! checked again; a requester who lost the permission meanwhile gets a
//! failed event and nothing changes. No token reaches a request's details
//! or the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use serde_json::Value;
use teampanel::rbac::BuiltinRole;

use crate::audit_accounts::{TOKEN, TOKEN_2, account_id, add_account, member, org, simulator};
use crate::helpers::{TestApp, client, location, spawn_app, spawn_demo, text_of};
use crate::scopes::admin_member;

const APPROVALS: &str = "/o/demo/approvals";

async fn hold(app: &TestApp, owner: &reqwest::Client, slug: &str, kind: &str) {
    let saved = app
        .post_form(
            owner,
            &format!("/o/{slug}/approvals/settings"),
            &[(kind, "on")],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
}

async fn role_of(app: &TestApp, user_id: i64) -> String {
    sqlx::query_scalar(
        "SELECT r.name FROM memberships m JOIN roles r ON r.id = m.role_id WHERE m.user_id = ?",
    )
    .bind(user_id)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap()
}

async fn role_id(app: &TestApp, builtin: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT r.id FROM roles r JOIN organisations o ON o.id = r.org_id
         WHERE o.slug = 'demo' AND r.builtin = ?",
    )
    .bind(builtin)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap()
}

/// `action`'s events: outcome, actor, details, error; oldest first.
async fn events(app: &TestApp, action: &str) -> Vec<(String, String, Value, Option<String>)> {
    sqlx::query_as::<_, (String, String, String, Option<String>)>(
        "SELECT outcome, actor_label, details, error FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(o, a, d, e)| (o, a, serde_json::from_str(&d).unwrap(), e))
    .collect()
}

async fn ask(app: &TestApp, member: &reqwest::Client, request: &str, why: &str) {
    let asked = app
        .post_form(member, &format!("{request}/ask"), &[("text", why)])
        .await;
    assert_eq!(asked.status().as_u16(), 303);
}

#[tokio::test]
async fn a_held_role_change_is_made_only_when_another_member_approves_it() {
    // Arrange: the Owner holds access changes; Alex (an Admin) and Bea (a Viewer).
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    let (bea, _) = admin_member(&app, "bea@example.org").await;
    let viewer = role_id(&app, "viewer").await.to_string();
    hold(&app, &owner, "demo", "panel_access").await;

    // Act: Alex makes Bea a Viewer; it is held.
    let changed = app
        .post_form(
            &alex,
            &format!("/o/demo/members/{bea}/role"),
            &[("role_id", &viewer)],
        )
        .await;
    let request = location(&changed);
    let role_while_held = role_of(&app, bea).await;
    let (_, draft) = app.get_html(&alex, &request).await;
    ask(&app, &alex, &request, "Bea moved to the audit team").await;
    let own = app
        .post_form(&alex, &format!("{request}/approve"), &[("text", "")])
        .await;
    let (_, owner_home) = app.get_html(&owner, "/o/demo/").await;
    let approved = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "agreed")])
        .await;
    let (_, after) = app.get_html(&owner, &request).await;

    // Assert: nothing changed until the Owner approved; then Bea is a Viewer.
    assert_eq!(changed.status().as_u16(), 303);
    assert!(request.starts_with(&format!("{APPROVALS}/")), "{request}");
    assert_eq!(role_while_held, "Admin");
    assert!(draft.contains("Ask for approval"));
    assert!(text_of(&draft, "#request-facts").contains("member.change_role"));
    assert!(!text_of(&draft, "#request-facts").contains("cloud account"));
    assert_eq!(
        own.status().as_u16(),
        403,
        "nobody approves their own request"
    );
    assert!(text_of(&owner_home, "#approvals-badge").contains("1 waiting"));
    assert_eq!(approved.status().as_u16(), 303);
    assert_eq!(role_of(&app, bea).await, "Viewer");
    assert!(text_of(&after, "#request-state").contains("approved"));
    // The chain: held and asked by Alex, approved by the Owner, the change by Alex.
    assert_eq!(events(&app, "approval.hold").await[0].1, "alex@example.org");
    assert_eq!(
        events(&app, "approval.approve").await[0].1,
        teampanel::demo::ADMIN_EMAIL
    );
    let change = events(&app, "member.change_role").await;
    assert_eq!(change.len(), 1, "{change:?}");
    assert_eq!(change[0].0, "succeeded");
    assert_eq!(change[0].1, "alex@example.org");
    assert_eq!(change[0].2["to"], "Viewer");
    assert_eq!(change[0].2["approved_by"], teampanel::demo::ADMIN_EMAIL);
    let chain = teampanel::audit::verify(app.state.raw_db()).await.unwrap();
    assert!(chain.broken.is_none());
}

#[tokio::test]
async fn an_approved_invitation_shows_its_link_to_the_member_who_asked_only() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    let operator = role_id(&app, "operator").await.to_string();
    hold(&app, &owner, "demo", "panel_access").await;

    // Act
    let invited = app
        .post_form(
            &alex,
            "/o/demo/members/invite",
            &[("email", "carol@example.org"), ("role_id", &operator)],
        )
        .await;
    let request = location(&invited);
    let invitations_while_held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    ask(&app, &alex, &request, "Carol joins on Monday").await;
    let approved = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "")])
        .await;
    let (_, alex_view) = app.get_html(&alex, &request).await;
    let (_, owner_view) = app.get_html(&owner, &request).await;
    let link = text_of(&alex_view, "#invite-link");
    let token = link
        .split("/invite/")
        .nth(1)
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let (accept_status, accept_page) = app.get_html(&client(), &format!("/invite/{token}")).await;

    // Assert: no invitation until approved; the link works and only Alex sees it.
    assert!(request.starts_with(&format!("{APPROVALS}/")), "{request}");
    assert_eq!(invitations_while_held, 0);
    assert_eq!(approved.status().as_u16(), 303);
    assert!(!token.is_empty(), "{link}");
    assert!(!owner_view.contains(&token));
    assert_eq!(accept_status, 200);
    assert!(accept_page.contains("Operator"));
    // The token is in no event and no request's details.
    let invite = events(&app, "member.invite").await;
    assert_eq!(invite.len(), 1);
    assert_eq!(invite[0].1, "alex@example.org");
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT details FROM audit_events UNION ALL SELECT details FROM approval_requests",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert!(details.iter().all(|d| !d.contains(&token)));
}

#[tokio::test]
async fn a_requester_who_lost_the_permission_meanwhile_changes_nothing() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (alex_id, alex) = admin_member(&app, "alex@example.org").await;
    let (bea, _) = admin_member(&app, "bea@example.org").await;
    let viewer = role_id(&app, "viewer").await;
    hold(&app, &owner, "demo", "panel_access").await;
    let changed = app
        .post_form(
            &alex,
            &format!("/o/demo/members/{bea}/remove"),
            &[("confirm", "yes")],
        )
        .await;
    let request = location(&changed);
    ask(&app, &alex, &request, "Bea left").await;

    // Act: Alex becomes a Viewer (directly in the database, so that the
    // hold does not apply), then the Owner approves.
    sqlx::query("UPDATE memberships SET role_id = ? WHERE user_id = ?")
        .bind(viewer)
        .bind(alex_id)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let approved = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "")])
        .await;
    let message = app.get_html(&owner, &request).await.1;

    // Assert: Bea is still a member; the removal failed, in Alex's name, with why.
    assert_eq!(approved.status().as_u16(), 303);
    assert_eq!(role_of(&app, bea).await, "Admin");
    assert!(message.contains("could not be made"), "{message}");
    let removal = events(&app, "member.remove").await;
    assert_eq!(removal.len(), 1, "{removal:?}");
    assert_eq!(removal[0].0, "failed");
    assert_eq!(removal[0].1, "alex@example.org");
    assert!(
        removal[0]
            .3
            .as_deref()
            .is_some_and(|e| e.contains("no longer has organisation.manage_members")),
        "{removal:?}"
    );
}

#[tokio::test]
async fn a_held_token_replacement_keeps_the_old_token_until_approved_and_shows_no_secret() {
    // Arrange: an organisation with a Cloud Panel account, an Admin and its Owner.
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let owner = app.admin().await;
    let added = add_account(&app, &owner, "acme", "prod", TOKEN, &sim.base_url).await;
    assert_eq!(added.status().as_u16(), 303);
    let id = account_id(&app, &acme, "prod").await;
    let dana = member(&app, &acme, "dana@example.org", BuiltinRole::Admin).await;
    hold(&app, &owner, "acme", "account_token").await;
    let last_four = || async {
        sqlx::query_scalar::<_, String>("SELECT token_last4 FROM cloud_accounts WHERE id = ?")
            .bind(id)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap()
    };
    let before = last_four().await;

    // Act
    let replaced = app
        .post_form(
            &dana,
            &format!("/o/acme/cloud_accounts/{id}/token"),
            &[("token", TOKEN_2), ("base_url", &sim.base_url)],
        )
        .await;
    let request = location(&replaced);
    let while_held = last_four().await;
    let (_, draft) = app.get_html(&dana, &request).await;
    ask(
        &app,
        &dana,
        &request,
        "The old token leaked in a screenshot",
    )
    .await;
    let approved = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "")])
        .await;
    let (_, accounts) = app.get_html(&owner, "/o/acme/cloud_accounts").await;

    // Assert
    assert_eq!(replaced.status().as_u16(), 303);
    assert!(request.starts_with("/o/acme/approvals/"), "{request}");
    assert_eq!(while_held, before);
    assert!(text_of(&draft, "#request-facts").contains(&format!("cloud account {id}")));
    assert_eq!(approved.status().as_u16(), 303);
    assert_eq!(last_four().await, &TOKEN_2[TOKEN_2.len() - 4..]);
    assert!(accounts.contains(&TOKEN_2[TOKEN_2.len() - 4..]));
    let replace = events(&app, "cloud_account.replace_token").await;
    assert_eq!(replace.len(), 1, "{replace:?}");
    assert_eq!(
        (replace[0].0.as_str(), replace[0].1.as_str()),
        ("succeeded", "dana@example.org")
    );
    // Neither token is in any event, request or page.
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT details FROM audit_events UNION ALL SELECT details FROM approval_requests",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    for secret in [TOKEN, TOKEN_2] {
        assert!(stored.iter().all(|d| !d.contains(secret)));
        assert!(!draft.contains(secret) && !accounts.contains(secret));
    }
}
