//! Two-person approval: an Owner holds deletions (and other kinds) for a
//! second member's approval. A member's deletion is kept, never sent; they
//! say why; nobody decides on their own request; a member without the
//! kind's flag is refused; another member's approval puts the change in
//! the queue as the member who asked, and it runs once; requests expire,
//! and end with their requester's access. Every step is in the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use serde_json::Value;

use crate::block_storages::seeded_item;
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::scopes::admin_member;
use crate::servers::{account_query, audit_rows};

const APPROVALS: &str = "/o/demo/approvals";

async fn hold_deletions(app: &TestApp, owner: &reqwest::Client) {
    let saved = app
        .post_form(owner, &format!("{APPROVALS}/settings"), &[("delete", "on")])
        .await;
    assert_eq!(saved.status().as_u16(), 303);
}

/// A member deletes the block storage `name` through its page; returns the
/// request's address the panel sends them to.
async fn delete_storage(app: &TestApp, member: &reqwest::Client, name: &str) -> String {
    let (id, _) = seeded_item(app, "block_storages", name);
    let account = account_query(app).await;
    let response = app
        .post_form(
            member,
            &format!("/o/demo/block_storages/{id}/delete{account}"),
            &[("confirm_name", name)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    location(&response)
}

fn storage_exists(app: &TestApp, name: &str) -> bool {
    app.sim_items("block_storages")
        .iter()
        .any(|s| s["name"] == name)
}

async fn request_row(app: &TestApp, id: i64) -> (String, String, Option<i64>) {
    sqlx::query_as("SELECT state, reason, queue_id FROM approval_requests WHERE id = ?")
        .bind(id)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

fn id_of(address: &str) -> i64 {
    address.rsplit('/').next().unwrap().parse().unwrap()
}

/// The actors of `action`'s events, with their outcomes, oldest first.
async fn events(app: &TestApp, action: &str) -> Vec<(String, String, Value)> {
    sqlx::query_as::<_, (String, String, String)>(
        "SELECT outcome, actor_label, details FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(o, a, d)| (o, a, serde_json::from_str(&d).unwrap()))
    .collect()
}

async fn wait_until_gone(app: &TestApp, name: &str) {
    for _ in 0..200 {
        if !storage_exists(app, name) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{name} was not deleted");
}

#[tokio::test]
async fn a_held_deletion_is_asked_for_approved_by_another_member_and_runs_once_as_its_requester() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    hold_deletions(&app, &owner).await;

    // Act: Alex deletes; the deletion is held.
    let request = delete_storage(&app, &alex, "scratch").await;
    let id = id_of(&request);
    let (_, draft_page) = app.get_html(&alex, &request).await;
    let held_state = request_row(&app, id).await;
    let asked = app
        .post_form(
            &alex,
            &format!("{request}/ask"),
            &[("text", "Left over from the migration test")],
        )
        .await;
    let (_, owner_home) = app.get_html(&owner, "/o/demo/").await;
    let own = app
        .post_form(&alex, &format!("{request}/approve"), &[("text", "")])
        .await;
    let (_, owner_view) = app.get_html(&owner, &request).await;
    let approved = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "fine")])
        .await;
    wait_until_gone(&app, "scratch").await;
    let again = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "")])
        .await;
    let (_, after) = app.get_html(&owner, &request).await;

    // Assert: held, nothing sent; the page asks why.
    assert!(request.starts_with("/o/demo/approvals/"), "{request}");
    assert_eq!(held_state.0, "draft");
    assert!(draft_page.contains("Ask for approval"));
    assert!(text_of(&draft_page, "#request-facts").contains("block_storage.delete"));
    assert_eq!(asked.status().as_u16(), 303);
    // The Owner's header says one request waits for them.
    assert!(text_of(&owner_home, "#approvals-badge").contains("1 waiting for your approval"));
    // Nobody decides on their own request.
    assert_eq!(own.status().as_u16(), 403);
    assert!(owner_view.contains("Approve and run as alex@example.org"));
    assert!(owner_view.contains("Left over from the migration test"));
    assert_eq!(approved.status().as_u16(), 303);
    let (state, reason, queue_id) = request_row(&app, id).await;
    assert_eq!(
        (state.as_str(), reason.as_str()),
        ("approved", "Left over from the migration test")
    );
    assert!(queue_id.is_some());
    // Deciding twice does nothing.
    assert_eq!(again.status().as_u16(), 303);
    assert!(text_of(&after, "#request-state").contains("approved"));

    // Every step, in the chain: held and asked by Alex, the own approval
    // denied, approved by the Owner, then the deletion as Alex, once.
    let hold = events(&app, "approval.hold").await;
    assert_eq!(hold.len(), 1);
    assert_eq!(hold[0].1, "alex@example.org");
    let ask = events(&app, "approval.ask").await;
    assert_eq!(ask[0].2["reason"], "Left over from the migration test");
    let denied = events(&app, "approval.decide").await;
    assert_eq!(denied[0].0, "denied");
    assert_eq!(denied[0].1, "alex@example.org");
    let approve = events(&app, "approval.approve").await;
    assert_eq!(approve.len(), 1);
    assert_eq!(approve[0].1, teampanel::demo::ADMIN_EMAIL);
    let deletion = events(&app, "block_storage.delete").await;
    let outcomes: Vec<&str> = deletion.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        outcomes,
        ["requested", "queued", "succeeded"],
        "{deletion:?}"
    );
    assert!(deletion.iter().all(|e| e.1 == "alex@example.org"));
    assert_eq!(deletion[0].2["approval_id"], id);
    let chain = teampanel::audit::verify(app.state.raw_db()).await.unwrap();
    assert!(chain.broken.is_none(), "the audit chain holds");
}

#[tokio::test]
async fn a_member_without_the_approve_flag_cannot_decide_and_a_rejection_sends_nothing() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    let viewer = app
        .member_with("vera@example.org", &["block_storages.show"])
        .await;
    hold_deletions(&app, &owner).await;
    let request = delete_storage(&app, &alex, "scratch").await;
    app.post_form(&alex, &format!("{request}/ask"), &[("text", "cleanup")])
        .await;

    // Act
    let refused = app
        .post_form(&viewer, &format!("{request}/approve"), &[("text", "")])
        .await;
    let refused_status = refused.status().as_u16();
    let refused_page = refused.text().await.unwrap();
    let rejected = app
        .post_form(&owner, &format!("{request}/reject"), &[("text", "keep it")])
        .await;

    // Assert
    assert_eq!(refused_status, 403);
    assert!(
        refused_page.contains("Approve deletions"),
        "the flag is named"
    );
    assert_eq!(rejected.status().as_u16(), 303);
    let (state, _, queue_id) = request_row(&app, id_of(&request)).await;
    assert_eq!((state.as_str(), queue_id), ("rejected", None));
    assert!(storage_exists(&app, "scratch"));
    assert!(audit_rows(&app, "block_storage.delete").await.is_empty());
    let reject = events(&app, "approval.reject").await;
    assert_eq!(reject[0].2["note"], "keep it");
    let denied = events(&app, "approval.decide").await;
    assert_eq!(denied[0].1, "vera@example.org");
}

#[tokio::test]
async fn requests_expire_and_end_with_their_requesters_access() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (alex_id, alex) = admin_member(&app, "alex@example.org").await;
    hold_deletions(&app, &owner).await;
    let first = id_of(&delete_storage(&app, &alex, "scratch").await);
    app.post_form(
        &alex,
        &format!("{APPROVALS}/{first}/ask"),
        &[("text", "old")],
    )
    .await;
    let second = id_of(&delete_storage(&app, &alex, "backups").await);
    let past = teampanel::db::now_unix() - 1;

    // Act: the first passes its time limit; then Alex's access ends.
    sqlx::query("UPDATE approval_requests SET expires_at = ? WHERE id = ?")
        .bind(past)
        .bind(first)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let expired = app.state.door.expire_approvals(past + 1).await.unwrap();
    let late = app
        .post_form(
            &owner,
            &format!("{APPROVALS}/{first}/approve"),
            &[("text", "")],
        )
        .await;
    sqlx::query("UPDATE memberships SET expires_at = ? WHERE user_id = ?")
        .bind(past)
        .bind(alex_id)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    app.state.door.end_expired_access(past + 1).await.unwrap();

    // Assert
    assert_eq!(expired, 1);
    assert_eq!(request_row(&app, first).await.0, "expired");
    assert_eq!(late.status().as_u16(), 303);
    assert_eq!(request_row(&app, second).await.0, "cancelled");
    let expire = events(&app, "approval.expire").await;
    assert_eq!(expire[0].1, "approval time limit");
    let cancel = events(&app, "approval.cancel").await;
    assert_eq!(cancel[0].1, "access expiry");
    assert!(storage_exists(&app, "scratch") && storage_exists(&app, "backups"));
}

#[tokio::test]
async fn an_approval_interrupted_before_its_call_is_abandoned_never_sent_twice() {
    // Arrange: the queue's worker stopped, as in a panel killed right after
    // the approval committed.
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    hold_deletions(&app, &owner).await;
    let request = delete_storage(&app, &alex, "scratch").await;
    app.post_form(&alex, &format!("{request}/ask"), &[("text", "cleanup")])
        .await;
    app.state.door.stop_queue();

    // Act: approved, then the change is taken by a worker that dies
    // mid-call (left `running`); the next start recovers the queue.
    app.post_form(&owner, &format!("{request}/approve"), &[("text", "")])
        .await;
    let (_, _, queue_id) = request_row(&app, id_of(&request)).await;
    sqlx::query("UPDATE change_queue SET state = 'running' WHERE id = ?")
        .bind(queue_id.unwrap())
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let recovered = app.state.door.recover_queue().await.unwrap();
    let twice = app
        .post_form(&owner, &format!("{request}/approve"), &[("text", "")])
        .await;

    // Assert: abandoned and audited, not sent, not sendable again.
    assert_eq!(recovered, 1);
    let state: String = sqlx::query_scalar("SELECT state FROM change_queue WHERE id = ?")
        .bind(queue_id.unwrap())
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(state, "abandoned");
    assert_eq!(twice.status().as_u16(), 303);
    let outcomes: Vec<String> = events(&app, "block_storage.delete")
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(outcomes, ["requested", "queued", "abandoned"]);
    assert!(storage_exists(&app, "scratch"));
}

#[tokio::test]
async fn only_an_owner_chooses_and_a_rule_open_to_everyone_is_held_while_others_run() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    let (policy, _) = seeded_item(&app, "firewall_policies", "web");
    let account = account_query(&app).await;
    let add = |source: &'static str, port: &'static str| {
        let (app, alex, policy, account) = (&app, &alex, policy.clone(), account.clone());
        async move {
            app.post_form(
                alex,
                &format!("/o/demo/firewall_policies/{policy}/rules{account}"),
                &[
                    ("rule_protocol", "TCP"),
                    ("rule_port", port),
                    ("rule_action", "allow"),
                    ("rule_source", source),
                    ("rule_description", ""),
                ],
            )
            .await
        }
    };

    // Act
    let by_admin = app
        .post_form(
            &alex,
            &format!("{APPROVALS}/settings"),
            &[("firewall_open", "on")],
        )
        .await;
    let saved = app
        .post_form(
            &owner,
            &format!("{APPROVALS}/settings"),
            &[("firewall_open", "on")],
        )
        .await;
    let open = add("0.0.0.0", "8080").await;
    let narrow = add("10.1.0.0/16", "8081").await;

    // Assert
    assert_eq!(by_admin.status().as_u16(), 403);
    assert_eq!(saved.status().as_u16(), 303);
    let settings = events(&app, "approval.settings").await;
    assert_eq!(settings.last().unwrap().2["kinds"][0], "firewall_open");
    assert!(
        location(&open).starts_with("/o/demo/approvals/"),
        "{}",
        location(&open)
    );
    assert!(
        !location(&narrow).contains("approvals"),
        "{}",
        location(&narrow)
    );
    let ports: Vec<i64> = app
        .sim_items("firewall_policies")
        .into_iter()
        .find(|p| p["id"] == policy.as_str())
        .unwrap()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["port_from"].as_i64())
        .collect();
    assert!(ports.contains(&8081) && !ports.contains(&8080), "{ports:?}");
}

#[tokio::test]
async fn a_held_deletion_through_the_api_answers_202_with_its_request() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    hold_deletions(&app, &owner).await;
    let token = crate::api_tokens::make_token(&app, &alex, "cleanup script", "role").await;
    let (id, _) = seeded_item(&app, "block_storages", "scratch");

    // Act
    let (status, _, body) = crate::api_operations::send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/o/demo/block_storages/{id}"),
        &token,
        None,
    )
    .await;

    // Assert
    assert_eq!(status, 202, "{body}");
    let held = &body["held_for_approval"];
    assert_eq!(held["state"], "draft");
    let request = held["id"].as_i64().unwrap();
    assert_eq!(held["page"], format!("/o/demo/approvals/{request}"));
    assert_eq!(request_row(&app, request).await.0, "draft");
    assert!(storage_exists(&app, "scratch"));
    let hold = events(&app, "approval.hold").await;
    assert_eq!(hold[0].1, "alex@example.org");
    assert!(hold[0].2["change"]["api_access_id"].is_number());
}

#[tokio::test]
async fn a_request_is_asked_for_and_approved_through_the_api() {
    // Arrange: Alex's deletion is held; both members script.
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    hold_deletions(&app, &owner).await;
    let alex_token = crate::api_tokens::make_token(&app, &alex, "alex", "role").await;
    let owner_token = crate::api_tokens::make_token(&app, &owner, "owner", "role").await;
    let id = id_of(&delete_storage(&app, &alex, "scratch").await);
    let send = |method: reqwest::Method, path: String, token: String, body: Option<Value>| {
        let app = &app;
        async move { crate::api_operations::send(app, method, &path, &token, body).await }
    };
    let base = format!("/api/v1/o/demo/approvals/{id}");

    // Act
    let (no_reason, _, missing) = send(
        reqwest::Method::POST,
        format!("{base}/ask"),
        alex_token.clone(),
        Some(serde_json::json!({})),
    )
    .await;
    let (asked, _, asked_body) = send(
        reqwest::Method::POST,
        format!("{base}/ask"),
        alex_token.clone(),
        Some(serde_json::json!({ "reason": "cleanup" })),
    )
    .await;
    let (own, _, _) = send(
        reqwest::Method::POST,
        format!("{base}/approve"),
        alex_token.clone(),
        None,
    )
    .await;
    let (approved, _, approved_body) = send(
        reqwest::Method::POST,
        format!("{base}/approve"),
        owner_token.clone(),
        Some(serde_json::json!({ "note": "ok" })),
    )
    .await;
    let (late, _, _) = send(
        reqwest::Method::POST,
        format!("{base}/reject"),
        owner_token.clone(),
        None,
    )
    .await;
    wait_until_gone(&app, "scratch").await;

    // Assert
    assert_eq!(no_reason, 422, "{missing}");
    assert_eq!(asked, 200, "{asked_body}");
    assert_eq!(asked_body["approval"]["state"], "pending");
    assert_eq!(asked_body["approval"]["reason"], "cleanup");
    assert_eq!(own, 403);
    assert_eq!(approved, 200, "{approved_body}");
    assert_eq!(approved_body["approval"]["state"], "approved");
    assert!(approved_body["approval"]["queue_id"].is_number());
    assert_eq!(late, 409);
}

#[tokio::test]
async fn a_member_limited_to_a_prefix_sees_only_the_requests_and_events_about_objects_inside_it() {
    // Arrange: Alex asks to delete two storages; Sam's role is limited to
    // names starting with "scr".
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (_, alex) = admin_member(&app, "alex@example.org").await;
    let (sam_id, sam) = admin_member(&app, "sam@example.org").await;
    crate::scopes::set_scope(&app, &owner, sam_id, &[("name_prefix", "scr")]).await;
    hold_deletions(&app, &owner).await;
    let inside = delete_storage(&app, &alex, "scratch").await;
    let outside = delete_storage(&app, &alex, "db-data").await;
    for request in [&inside, &outside] {
        let asked = app
            .post_form(&alex, &format!("{request}/ask"), &[("text", "clean-up")])
            .await;
        assert_eq!(asked.status().as_u16(), 303);
    }

    // Act
    let (_, list) = app.get_html(&sam, APPROVALS).await;
    let (inside_status, _) = app.get_html(&sam, &inside).await;
    let (outside_status, outside_page) = app.get_html(&sam, &outside).await;
    let rejected = app
        .post_form(&sam, &format!("{outside}/reject"), &[("text", "no")])
        .await;
    let (_, owner_list) = app.get_html(&owner, APPROVALS).await;
    let (audit_status, audit) = app.get_html(&sam, "/o/demo/audit").await;
    let (_, owner_audit) = app.get_html(&owner, "/o/demo/audit").await;

    // Assert: the list names only the object inside the scope; the other
    // request is not found, cannot be decided, and stays pending.
    let open = text_of(&list, "#approvals-open");
    assert!(open.contains("scratch"), "{open}");
    assert!(!list.contains("db-data"), "{list}");
    assert_eq!(inside_status, 200);
    assert_eq!(outside_status, 404);
    assert!(!outside_page.contains("db-data"));
    assert_eq!(rejected.status().as_u16(), 404);
    assert_eq!(request_row(&app, id_of(&outside)).await.0, "pending");
    assert!(text_of(&owner_list, "#approvals-open").contains("db-data"));
    // The audit log too: Sam reads the events about "scratch", not those
    // about "db-data", which the Owner reads.
    assert_eq!(audit_status, 200);
    assert!(audit.contains("scratch"), "{audit}");
    assert!(!audit.contains("db-data"), "{audit}");
    assert!(owner_audit.contains("db-data"));
}
