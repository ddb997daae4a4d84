//! The Cloud Panel roles pages against the simulator: every operation and
//! its audit pair, the permission matrix round trip, the role's users, the
//! API's built-in roles refusing forged changes, bad values beside their
//! fields, and refusals flag by flag.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::block_storages::followed;
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::private_networks::{attr, exists, field_error, flashes, rows_with};
use crate::servers::{ORG, assert_audited_pair, audit_rows, post};

fn roles(app: &TestApp) -> Vec<Value> {
    app.sim_items("roles")
}

fn role(app: &TestApp, id: &str) -> Option<Value> {
    roles(app).into_iter().find(|r| r["id"] == id)
}

fn role_named(app: &TestApp, name: &str) -> Value {
    roles(app)
        .into_iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("a role named {name}"))
}

/// The seeded user alice (her name carries the account's prefix).
fn alice(app: &TestApp) -> Value {
    app.sim_items("users")
        .into_iter()
        .find(|u| u["email"] == "alice@example.com")
        .expect("the seeded user alice")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The last path segment of a redirect (the new object's id).
fn id_in(address: &str) -> String {
    address
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

/// The matrix's ticked boxes, as `group.flag`.
fn ticked(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let boxes = Selector::parse("#cloud-role-permissions input[name=perm][checked]").unwrap();
    doc.select(&boxes)
        .filter_map(|e| e.value().attr("value").map(str::to_owned))
        .collect()
}

/// The audit details of the last event of an action with this outcome.
async fn details(app: &TestApp, action: &str, outcome: &str) -> Value {
    let raw: String = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = ? AND outcome = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(action)
    .bind(outcome)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    serde_json::from_str(&raw).unwrap()
}

/// Creates a custom role through the panel and answers its id.
async fn create_role(app: &TestApp, c: &reqwest::Client, name: &str) -> String {
    let response = post(app, c, "/cloud_roles", &[("name", name)]).await;
    assert_eq!(response.status().as_u16(), 303);
    id_in(&location(&response))
}

#[tokio::test]
async fn the_list_shows_the_accounts_roles_and_says_they_are_not_the_panels() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let admin_role = role_named(&app, "Administrator");

    let (status, html) = app.get_html(&c, &format!("{ORG}/cloud_roles")).await;

    assert_eq!(status, 200);
    let table = text_of(&html, "table#cloud-roles");
    assert!(
        table.contains("Administrator") && table.contains("Read only"),
        "{table}"
    );
    assert!(table.contains("Built-in"), "{table}");
    assert!(text_of(&html, "#cloud-roles-about").contains("API keys"));
    assert_eq!(
        attr(&html, "#cloud-roles-about a", "href").as_deref(),
        Some(format!("{ORG}/roles").as_str())
    );
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/cloud_roles?q=nowhere"))
        .await;
    assert!(text_of(&html, "main").contains("No Cloud Panel roles match this search"));
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_roles?q=read")).await;
    let table = text_of(&html, "table#cloud-roles");
    assert!(
        table.contains("Read only") && !table.contains("Administrator"),
        "{table}"
    );

    // A built-in role: clone only; its matrix shows, fixed.
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/cloud_roles/{}", id_of(&admin_role)))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#builtin-note").contains("built-in"));
    for hidden in ["#edit-cloud-role", "#delete-cloud-role"] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    assert!(exists(&html, "#clone-cloud-role"));
    assert!(exists(
        &html,
        "#cloud-role-permissions input[name=perm][disabled]"
    ));
    assert!(!exists(&html, "#cloud-role-permissions button"));
    assert_eq!(ticked(&html).len(), 99, "Administrator has every flag");

    let (status, _) = app
        .get_html(&c, &format!("{ORG}/cloud_roles/unknown-role"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_role_is_created_edited_cloned_and_deleted_with_its_audit_pairs() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, _) = app.get_html(&c, &format!("{ORG}/cloud_roles/new")).await;
    assert_eq!(status, 200);

    let id = create_role(&app, &c, "  auditors ").await;
    assert_eq!(role(&app, &id).unwrap()["name"], "auditors");
    assert_audited_pair(&app, "cloud_role.create").await;

    // Edit: the form starts on the current values; only what changed is sent.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/cloud_roles/{id}/edit"))
        .await;
    assert_eq!(attr(&html, "#name", "value").unwrap(), "auditors");
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/edit"),
        &[("name", "auditors"), ("description", "Reads the logs")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved auditors"), "{done}");
    assert_eq!(role(&app, &id).unwrap()["description"], "Reads the logs");
    assert_eq!(
        details(&app, "cloud_role.update", "requested").await,
        serde_json::json!({ "description": "Reads the logs" })
    );
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/edit"),
        &[("name", "log readers"), ("description", "Reads the logs")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(role(&app, &id).unwrap()["name"], "log readers");
    assert_audited_pair(&app, "cloud_role.update").await;
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/edit"),
        &[("name", "log readers"), ("description", "Reads the logs")],
    )
    .await;
    let (_, said) = flashes(&app, &c, response).await;
    assert!(said.contains("Nothing to save"), "{said}");
    assert_eq!(rows_with(&app, "cloud_role.update", "requested").await, 2);

    // Clone: a new name, the same permissions.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/cloud_roles/{id}/clone"))
        .await;
    assert_eq!(attr(&html, "#name", "value").unwrap(), "log readers copy");
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/clone"),
        &[("name", "log readers 2")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let copy = id_in(&location(&response));
    assert_ne!(copy, id);
    let copied = role(&app, &copy).unwrap();
    assert_eq!(copied["name"], "log readers 2");
    assert_eq!(
        copied["permissions"],
        role(&app, &id).unwrap()["permissions"]
    );
    assert_audited_pair(&app, "cloud_role.clone").await;

    // Delete: the wrong name changes nothing; the right one deletes.
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{copy}/delete"),
        &[("confirm_name", "log readers")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("log readers 2, exactly"), "{errors}");
    assert!(role(&app, &copy).is_some());
    assert_eq!(rows_with(&app, "cloud_role.delete", "requested").await, 0);
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{copy}/delete"),
        &[("confirm_name", "log readers 2")],
    )
    .await;
    assert!(location(&response).contains("/cloud_roles?account="));
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(
        done.contains("Deleting the Cloud Panel role log readers 2"),
        "{done}"
    );
    assert!(
        role(&app, &copy).is_none_or(|r| r["state"] == "REMOVING"),
        "deleted"
    );
    assert_audited_pair(&app, "cloud_role.delete").await;
}

#[tokio::test]
async fn the_matrix_round_trip_sends_and_records_only_the_changed_flag() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create_role(&app, &c, "operators").await;
    assert_eq!(
        role(&app, &id).unwrap()["permissions"]["servers"]["show"],
        true
    );

    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_roles/{id}")).await;
    let legends = {
        let doc = Html::parse_document(&html);
        let s = Selector::parse("#cloud-role-permissions fieldset.perm-group > legend").unwrap();
        doc.select(&s)
            .map(|e| e.text().collect::<String>())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        legends.len(),
        16,
        "the Cloud Panel's groups only: {legends:?}"
    );
    assert!(!exists(&html, "#perm-organisation-manage_members"));
    assert!(!exists(&html, "#perm-ssh_keys-show"));
    let before = ticked(&html);
    assert!(before.contains(&"servers.show".to_owned()));

    // Untick one box and save the rest.
    let mut fields: Vec<(&str, &str)> = before
        .iter()
        .filter(|k| *k != "servers.show")
        .map(|k| ("perm", k.as_str()))
        .collect();
    let response = post(&app, &c, &format!("/cloud_roles/{id}/permissions"), &fields).await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(
        done.contains("Saved 1 changed permission of operators"),
        "{done}"
    );

    let saved = role(&app, &id).unwrap()["permissions"].clone();
    assert_eq!(saved["servers"]["show"], false);
    assert_eq!(saved["servers"]["create"], true, "the rest stays");
    assert_audited_pair(&app, "cloud_role.permissions").await;
    assert_eq!(
        details(&app, "cloud_role.permissions", "requested").await,
        serde_json::json!({ "changed": { "servers": { "show": false } } })
    );
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_roles/{id}")).await;
    assert!(exists(&html, "#perm-servers-show:not([checked])"));
    assert_eq!(ticked(&html).len(), before.len() - 1);

    // The same boxes again: nothing is sent.
    let response = post(&app, &c, &format!("/cloud_roles/{id}/permissions"), &fields).await;
    let (_, said) = flashes(&app, &c, response).await;
    assert!(said.contains("Nothing to save"), "{said}");
    assert_eq!(
        rows_with(&app, "cloud_role.permissions", "requested").await,
        1
    );

    // Ticking it again grants it again.
    fields.push(("perm", "servers.show"));
    let response = post(&app, &c, &format!("/cloud_roles/{id}/permissions"), &fields).await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(
        role(&app, &id).unwrap()["permissions"]["servers"]["show"],
        true
    );
}

#[tokio::test]
async fn users_are_added_to_a_role_and_removed_from_it() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create_role(&app, &c, "developers").await;
    let seeded = alice(&app);
    let alice_id = id_of(&seeded);
    assert_eq!(seeded["roles"]["name"], "Read only");

    // The select offers alice, with the role she holds now.
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_roles/{id}")).await;
    let option = text_of(&html, &format!("#user_id option[value=\"{alice_id}\"]"));
    assert!(option.contains("alice (now Read only)"), "{option}");
    assert!(text_of(&html, "#users").contains("No user holds this role"));

    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/users"),
        &[("user_id", alice_id.as_str())],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Added the user to developers"), "{done}");
    assert_eq!(alice(&app)["roles"]["id"], id.as_str());
    assert_audited_pair(&app, "cloud_role.add_user").await;

    // The role's users link to the user's own page and to their place here.
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_roles/{id}")).await;
    let link = attr(&html, "#role-users a.cloud-user-link", "href").unwrap();
    assert!(
        link.starts_with(&format!("{ORG}/cloud_users/{alice_id}?account=")),
        "{link}"
    );
    assert!(!exists(
        &html,
        &format!("#user_id option[value=\"{alice_id}\"]")
    ));
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/cloud_roles/{id}/users/{alice_id}"))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "h1").contains("alice in developers"));
    let (status, _) = app
        .get_html(&c, &format!("{ORG}/cloud_roles/{id}/users/nobody"))
        .await;
    assert_eq!(status, 404);

    // Removing needs the confirm step.
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/users/{alice_id}/remove"),
        &[],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("Confirm that you want to"), "{errors}");
    assert_eq!(alice(&app)["roles"]["id"], id.as_str());
    assert_eq!(
        rows_with(&app, "cloud_role.remove_user", "requested").await,
        0
    );
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/users/{alice_id}/remove"),
        &[("confirm", "yes")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Removed the user from developers"), "{done}");
    assert!(alice(&app)["roles"].is_null());
    assert_audited_pair(&app, "cloud_role.remove_user").await;
}

#[tokio::test]
async fn a_built_in_role_refuses_forged_changes_with_the_apis_words() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let builtin = role_named(&app, "Read only");
    let id = id_of(&builtin);

    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/edit"),
        &[("name", "Read mostly"), ("description", "")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, ".flash-error").contains("not allowed in a default role"),
        "{html}"
    );
    assert_eq!(attr(&html, "#name", "value").unwrap(), "Read mostly");

    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/permissions"),
        &[("perm", "servers.show")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("not allowed in a default role"), "{errors}");

    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/delete"),
        &[("confirm_name", "Read only")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("not allowed in a default role"), "{errors}");

    assert_eq!(role(&app, &id).unwrap(), builtin, "nothing changed");
    for action in [
        "cloud_role.update",
        "cloud_role.permissions",
        "cloud_role.delete",
    ] {
        let rows = audit_rows(&app, action).await;
        let outcomes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(outcomes, ["requested", "failed"], "{action}");
    }
}

#[tokio::test]
async fn bad_values_are_refused_beside_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create_role(&app, &c, "testers").await;
    let roles_before = roles(&app).len();
    let long = "x".repeat(129);

    for (path, fields, field, says) in [
        (
            "/cloud_roles".to_owned(),
            vec![("name", "  ")],
            "name",
            "Enter a name",
        ),
        (
            "/cloud_roles".to_owned(),
            vec![("name", long.as_str())],
            "name",
            "at most 128",
        ),
        (
            format!("/cloud_roles/{id}/edit"),
            vec![("name", "")],
            "name",
            "Enter a name",
        ),
        (
            format!("/cloud_roles/{id}/edit"),
            vec![
                ("name", "testers"),
                ("description", long.repeat(2).as_str()),
            ],
            "description",
            "at most 256",
        ),
        (
            format!("/cloud_roles/{id}/clone"),
            vec![("name", "")],
            "name",
            "Enter a name",
        ),
        (
            format!("/cloud_roles/{id}/clone"),
            vec![("name", "testers")],
            "name",
            "a name of its own",
        ),
    ] {
        let response = post(&app, &c, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 422, "{path}");
        let html = response.text().await.unwrap();
        let message = field_error(&html, field);
        assert!(message.contains(says), "{path}: {message}");
        if field == "name" {
            assert_eq!(
                attr(&html, "#name", "value").unwrap_or_default(),
                fields[0].1,
                "what was typed is kept"
            );
        }
    }

    // The role's page forms: back on the page, the message beside the form.
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/users"),
        &[("user_id", "")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(field_error(&html, "user_id").contains("Choose the user"));
    assert!(text_of(&html, ".flash-error").contains("beside the fields"));

    // An unknown permission: the matrix comes back with the boxes as ticked.
    let before = ticked(&app.get_html(&c, &format!("{ORG}/cloud_roles/{id}")).await.1);
    let response = post(
        &app,
        &c,
        &format!("/cloud_roles/{id}/permissions"),
        &[
            ("perm", "logs.show"),
            ("perm", "organisation.manage_members"),
        ],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, "#error-summary").contains("organisation.manage_members"));
    assert_eq!(ticked(&html), ["logs.show"]);
    // Kept for the one page it came back to: then the role's own boxes again.
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_roles/{id}")).await;
    assert!(!exists(&html, "#error-summary"));
    assert_eq!(ticked(&html), before);

    assert_eq!(roles(&app).len(), roles_before);
    assert_eq!(role(&app, &id).unwrap()["name"], "testers");
    for action in [
        "cloud_role.update",
        "cloud_role.clone",
        "cloud_role.permissions",
        "cloud_role.add_user",
    ] {
        assert_eq!(rows_with(&app, action, "requested").await, 0, "{action}");
    }
    assert_eq!(rows_with(&app, "cloud_role.create", "requested").await, 1);
}

#[tokio::test]
async fn each_change_needs_its_own_flag() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create_role(&app, &c, "guarded").await;
    let before = role(&app, &id).unwrap();
    let alice_id = id_of(&alice(&app));
    let viewer = app.member_with("viewer@example.org", &["roles.show"]).await;

    let (status, html) = app
        .get_html(&viewer, &format!("{ORG}/cloud_roles/{id}"))
        .await;
    assert_eq!(status, 200);
    for hidden in [
        "#edit-cloud-role",
        "#clone-cloud-role",
        "#delete-cloud-role",
        "#add-role-user",
        "#cloud-role-permissions button",
    ] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    assert!(exists(
        &html,
        "#cloud-role-permissions input[name=perm][disabled]"
    ));
    let (_, html) = app.get_html(&viewer, &format!("{ORG}/cloud_roles")).await;
    assert!(!exists(&html, "#new-cloud-role"));

    for (path, fields, flag) in [
        (
            "/cloud_roles".to_owned(),
            vec![("name", "mine")],
            "roles.create",
        ),
        (
            format!("/cloud_roles/{id}/edit"),
            vec![("name", "mine")],
            "roles.set_name",
        ),
        (
            format!("/cloud_roles/{id}/clone"),
            vec![("name", "mine")],
            "roles.clone",
        ),
        (
            format!("/cloud_roles/{id}/delete"),
            vec![("confirm_name", "guarded")],
            "roles.delete",
        ),
        (
            format!("/cloud_roles/{id}/permissions"),
            vec![("perm", "servers.show")],
            "roles.modify",
        ),
        (
            format!("/cloud_roles/{id}/users"),
            vec![("user_id", alice_id.as_str())],
            "roles.manage_users",
        ),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert!(rows_with(&app, flag, "denied").await >= 1, "{flag}");
    }
    assert_eq!(role(&app, &id).unwrap(), before, "nothing changed");

    // A member who may describe may not rename.
    let describer = app
        .member_with(
            "describer@example.org",
            &["roles.show", "roles.set_description"],
        )
        .await;
    let (_, html) = app
        .get_html(&describer, &format!("{ORG}/cloud_roles/{id}/edit"))
        .await;
    assert!(!exists(&html, "#name"));
    let response = post(
        &app,
        &describer,
        &format!("/cloud_roles/{id}/edit"),
        &[("name", "renamed"), ("description", "x")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    let response = post(
        &app,
        &describer,
        &format!("/cloud_roles/{id}/edit"),
        &[("description", "Guarded role")],
    )
    .await;
    let (errors, _) = flashes(&app, &describer, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(role(&app, &id).unwrap()["description"], "Guarded role");

    // Without roles.show the pages are refused.
    let stranger = app
        .member_with("stranger@example.org", &["servers.show"])
        .await;
    for path in [
        format!("{ORG}/cloud_roles"),
        format!("{ORG}/cloud_roles/{id}"),
    ] {
        let (status, _) = app.get_html(&stranger, &path).await;
        assert_eq!(status, 403, "{path}");
    }
}
