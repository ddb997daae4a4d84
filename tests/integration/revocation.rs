//! Revocation: sessions, users and memberships are cached between requests,
//! yet signing out everywhere, disabling a user, changing a role and
//! removing a member take effect on the very next request. And the sign-in
//! queue: when every password check is busy and the queue is full, a
//! sign-in is answered 429 in the panel's own page.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use teampanel::rbac::BuiltinRole;

use crate::helpers::{TestApp, client, location, spawn_app};

const PW: &str = "member password 1";
const MEMBER: &str = "mia@example.org";

/// An app with the organisation `alpha` (its Owner the instance admin) and
/// one member, `MEMBER`, holding `role`.
async fn alpha_with_member(role: BuiltinRole) -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    let db = app.state.raw_db();
    let owner = teampanel::db::users::by_email(db, &app.admin_email)
        .await
        .unwrap()
        .unwrap();
    let org = crate::rows::create_org(db, "Alpha", "alpha", owner.id)
        .await
        .unwrap();
    let role = crate::rows::builtin_role(db, org.id, role)
        .await
        .unwrap()
        .unwrap();
    let member = app.create_user(MEMBER, "Mia", false, PW).await;
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(member)
        .bind(org.id)
        .bind(role.id)
        .execute(db)
        .await
        .unwrap();
    (app, org.id, member)
}

/// Requests `path` twice, so that whatever a page caches is cached; both must answer `status`.
async fn warm(app: &TestApp, client: &reqwest::Client, path: &str, status: u16) {
    for _ in 0..2 {
        assert_eq!(
            app.get(client, path).await.status().as_u16(),
            status,
            "{path}"
        );
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_the_other_sessions_at_their_next_request() {
    let (app, _, _) = alpha_with_member(BuiltinRole::Viewer).await;
    let one = app.signed_in(MEMBER, PW).await;
    let two = app.signed_in(MEMBER, PW).await;
    warm(&app, &one, "/o/alpha/", 200).await;
    warm(&app, &two, "/o/alpha/", 200).await;

    let response = app
        .post_form(&one, "/profile/sessions/end-all", &[("confirm", "yes")])
        .await;
    assert_eq!(response.status().as_u16(), 303);

    let response = app.get(&two, "/o/alpha/").await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with("/login"));
    let response = app.get(&one, "/profile").await;
    assert_eq!(response.status().as_u16(), 303);
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_at_their_next_request() {
    let (app, _, member) = alpha_with_member(BuiltinRole::Viewer).await;
    let mia = app.signed_in(MEMBER, PW).await;
    warm(&app, &mia, "/o/alpha/", 200).await;
    warm(&app, &mia, "/profile", 200).await;

    let admin = app.admin().await;
    let response = app
        .post_form(
            &admin,
            &format!("/admin/users/{member}/disable"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    let response = app.get(&mia, "/o/alpha/").await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn a_changed_role_applies_at_the_next_request() {
    let (app, org_id, member) = alpha_with_member(BuiltinRole::Operator).await;
    let mia = app.signed_in(MEMBER, PW).await;
    // Operators read the audit log; Viewers do not.
    warm(&app, &mia, "/o/alpha/audit", 200).await;

    let viewer = crate::rows::builtin_role(app.state.raw_db(), org_id, BuiltinRole::Viewer)
        .await
        .unwrap()
        .unwrap();
    let owner = app.admin().await;
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{member}/role"),
            &[("role_id", &viewer.id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    let (status, page) = app.get_html(&mia, "/o/alpha/audit").await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("organisation.view_audit"), "{page}");

    // And back: the permission returns at once too.
    let operator = crate::rows::builtin_role(app.state.raw_db(), org_id, BuiltinRole::Operator)
        .await
        .unwrap()
        .unwrap();
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{member}/role"),
            &[("role_id", &operator.id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.get(&mia, "/o/alpha/audit").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_removed_member_loses_the_organisation_at_the_next_request() {
    let (app, _, member) = alpha_with_member(BuiltinRole::Viewer).await;
    let mia = app.signed_in(MEMBER, PW).await;
    warm(&app, &mia, "/o/alpha/", 200).await;
    let (_, home) = app.get_html(&mia, "/profile").await;
    assert!(home.contains("/o/alpha"), "the switcher lists Alpha");

    let owner = app.admin().await;
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{member}/remove"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    assert_eq!(app.get(&mia, "/o/alpha/").await.status().as_u16(), 404);
    let (status, home) = app.get_html(&mia, "/profile").await;
    assert_eq!(status, 200);
    assert!(
        !home.contains("/o/alpha"),
        "the switcher no longer lists Alpha"
    );
}

#[tokio::test]
async fn a_change_written_straight_to_the_database_applies_at_the_next_request() {
    // The command line and the tests write without the pages' code paths.
    let (app, org_id, member) = alpha_with_member(BuiltinRole::Viewer).await;
    let mia = app.signed_in(MEMBER, PW).await;
    warm(&app, &mia, "/o/alpha/", 200).await;
    sqlx::query("DELETE FROM memberships WHERE org_id = ? AND user_id = ?")
        .bind(org_id)
        .bind(member)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(app.get(&mia, "/o/alpha/").await.status().as_u16(), 404);
}

#[tokio::test]
async fn a_full_sign_in_queue_answers_429_and_keeps_the_email() {
    let app = spawn_app().await;
    let c = client();
    // Take every slot, with no room to wait.
    app.state.hasher.set_queue(0);
    let mut held = Vec::new();
    while let Ok(slot) = app.state.hasher.occupy().await {
        held.push(slot);
    }
    assert!(!held.is_empty());

    let response = app.login(&c, &app.admin_email, &app.admin_password).await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Too many people are signing in"), "{page}");
    assert!(page.contains(&app.admin_email), "the email is kept");

    // Slots free again: signing in works.
    drop(held);
    let response = app.login(&c, &app.admin_email, &app.admin_password).await;
    assert_eq!(response.status().as_u16(), 303);
}
