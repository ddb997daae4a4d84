//! The Cloud Panel users pages against the simulator: every operation with
//! its audit pair, refusals flag by flag, bad input beside its field with
//! nothing sent, and an API key that is shown once and never again.

use serde_json::Value;

use crate::block_storages::followed;
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::private_networks::{attr, exists, flashes, rows_with, sim_item};
use crate::servers::{ORG, account_query, assert_audited_pair, post};

/// The seeded user `<prefix>.alice` (Read only role, API access off).
fn alice(app: &TestApp) -> Value {
    app.sim_items("users")
        .into_iter()
        .find(|u| u["name"].as_str().is_some_and(|n| n.ends_with(".alice")))
        .expect("the seeded user alice")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn name_of(v: &Value) -> String {
    v["name"].as_str().unwrap().to_owned()
}

/// Every audit row's details, error and target, as one text to search.
async fn audit_text(app: &TestApp) -> String {
    sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
        "SELECT action, COALESCE(details, ''), error, target_name FROM audit_events ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(a, d, e, t)| {
        format!(
            "{a} {d} {} {}\n",
            e.unwrap_or_default(),
            t.unwrap_or_default()
        )
    })
    .collect()
}

#[tokio::test]
async fn the_list_shows_the_accounts_users_and_says_they_are_not_members() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let alice = alice(&app);

    let (status, html) = app.get_html(&c, &format!("{ORG}/cloud_users")).await;

    assert_eq!(status, 200);
    let table = text_of(&html, "table#cloud-users");
    assert!(table.contains(&name_of(&alice)), "{table}");
    assert!(table.contains("alice@example.com"), "{table}");
    assert!(table.contains("Read only"), "{table}");
    assert!(text_of(&html, "#about-cloud-users").contains("not this panel's members"));
    assert!(html.contains(&format!("href=\"{ORG}/members\"")));
    assert!(html.contains(&format!(
        "href=\"{ORG}/cloud_users/{}{}\"",
        id_of(&alice),
        account_query(&app).await
    )));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/cloud_users?q=nobody-here"))
        .await;
    assert!(text_of(&html, "main").contains("No users match this search"));

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/cloud_users/{}", id_of(&alice)))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#user-email").contains("alice@example.com"));
    assert!(text_of(&html, "#api-state").contains("off"));
}

#[tokio::test]
async fn the_tokens_own_permissions_are_shown_in_the_vocabularys_words() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/cloud_users/permissions"))
        .await;

    assert_eq!(status, 200);
    let servers = text_of(&html, "#group-servers");
    assert!(servers.contains("Servers"), "{servers}");
    assert!(servers.contains("See servers"), "{servers}");
    assert_eq!(
        attr(&html, "[data-flag='servers.show']", "data-allowed").as_deref(),
        Some("true")
    );
    assert!(exists(&html, "#group-users"));
    assert!(
        !exists(&html, "#group-organisation"),
        "the panel's own group is not the token's"
    );
}

#[tokio::test]
async fn a_user_is_added_edited_and_deleted_with_its_audit_pairs_and_no_password_kept() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = app.sim_items("users").len();
    let password = "Sup3r-Secret-pw";
    let (status, _) = app.get_html(&c, &format!("{ORG}/cloud_users/new")).await;
    assert_eq!(status, 200);

    let response = post(
        &app,
        &c,
        "/cloud_users",
        &[
            ("name", "bob"),
            ("email", "bob@example.com"),
            ("password", password),
            ("description", "Ops"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let id = location(&response)
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let bob = sim_item(&app, "users", &id).expect("created");
    assert!(name_of(&bob).ends_with(".bob"));
    assert_eq!(bob["email"], "bob@example.com");
    assert_eq!(app.sim_items("users").len(), before + 1);
    assert_audited_pair(&app, "cloud_user.create").await;
    let audit = audit_text(&app).await;
    assert!(audit.contains("\"password_set\":true"), "{audit}");
    assert!(!audit.contains(password), "the password is never audited");

    // Edit: each field, the password never shown again.
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/cloud_users/{id}/edit"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(attr(&html, "#email", "value").unwrap(), "bob@example.com");
    assert_eq!(attr(&html, "#password", "value"), None);
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/edit"),
        &[
            ("email", "robert@example.com"),
            ("description", "Operations"),
            ("password", "An0ther-Secret"),
            ("state", "DISABLED"),
        ],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved"), "{done}");
    let bob = sim_item(&app, "users", &id).unwrap();
    assert_eq!(bob["email"], "robert@example.com");
    assert_eq!(bob["description"], "Operations");
    assert_audited_pair(&app, "cloud_user.update").await;
    let audit = audit_text(&app).await;
    assert!(!audit.contains("An0ther-Secret"), "{audit}");
    assert!(audit.contains("\"state\":\"DISABLE\""), "{audit}");

    // Unchanged values send nothing (an empty password keeps it).
    crate::private_networks::wait_for(&app, "users", &id, "DISABLED").await;
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/edit"),
        &[
            ("email", "robert@example.com"),
            ("description", "Operations"),
            ("password", ""),
        ],
    )
    .await;
    let (_, said) = flashes(&app, &c, response).await;
    assert!(said.contains("Nothing to save"), "{said}");
    assert_eq!(rows_with(&app, "cloud_user.update", "requested").await, 1);

    // Delete: the wrong name changes nothing; the right one deletes.
    let name = name_of(&bob);
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/delete"),
        &[("confirm_name", "bob")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains(&format!("{name}, exactly")), "{errors}");
    assert_eq!(rows_with(&app, "cloud_user.delete", "requested").await, 0);
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/delete"),
        &[("confirm_name", name.as_str())],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/cloud_users{}", account_query(&app).await)
    );
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Deleting"), "{done}");
    assert_audited_pair(&app, "cloud_user.delete").await;
}

#[tokio::test]
async fn bad_values_are_refused_beside_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = app.sim_items("users").len();

    for (fields, field, says) in [
        (
            vec![("name", ""), ("password", "Good-pass-1")],
            "name",
            "Enter a name",
        ),
        (
            vec![("name", "two words"), ("password", "Good-pass-1")],
            "name",
            "only letters",
        ),
        (
            vec![("name", "carol"), ("password", "short")],
            "password",
            "8 to 64",
        ),
        (
            vec![
                ("name", "carol"),
                ("password", "Good-pass-1"),
                ("email", "not-an-email"),
            ],
            "email",
            "not an email address",
        ),
        (
            vec![
                ("name", "carol"),
                ("password", "Good-pass-1"),
                ("description", &"d".repeat(300)),
            ],
            "description",
            "at most 256",
        ),
    ] {
        let response = post(&app, &c, "/cloud_users", &fields).await;
        assert_eq!(response.status().as_u16(), 422, "{field}");
        let html = response.text().await.unwrap();
        let error = text_of(&html, &format!("#{field}-error"));
        assert!(error.contains(says), "{field}: {error}");
        assert!(!html.contains("Good-pass-1"), "the password is not echoed");
        if field != "name" {
            assert_eq!(attr(&html, "#name", "value").as_deref(), Some("carol"));
        }
    }
    assert_eq!(app.sim_items("users").len(), before);
    assert_eq!(rows_with(&app, "cloud_user.create", "requested").await, 0);

    // The edit form too.
    let alice = alice(&app);
    let id = id_of(&alice);
    for (fields, field) in [
        (vec![("email", "nope")], "email"),
        (vec![("email", "")], "email"),
        (vec![("password", "tiny")], "password"),
        (vec![("state", "ASLEEP")], "state"),
    ] {
        let response = post(&app, &c, &format!("/cloud_users/{id}/edit"), &fields).await;
        assert_eq!(response.status().as_u16(), 422, "{field}");
        let html = response.text().await.unwrap();
        assert!(exists(&html, &format!("#{field}-error")), "{field}");
    }
    assert_eq!(rows_with(&app, "cloud_user.update", "requested").await, 0);
    assert_eq!(crate::cloud_users::alice(&app), alice);
}

#[tokio::test]
async fn api_access_and_its_allowed_addresses_are_managed_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = id_of(&alice(&app));

    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api"),
        &[("active", "true")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("API access is on"), "{done}");
    assert_eq!(alice(&app)["api"]["active"], true);
    assert_audited_pair(&app, "cloud_user.api_enable").await;

    // Bad addresses: back on the page, beside the field, typed text kept, nothing sent.
    for typed in ["10.0.0.0/8", "300.1.2.3", "   "] {
        let response = post(
            &app,
            &c,
            &format!("/cloud_users/{id}/api/ips"),
            &[("ips", typed)],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(
            text_of(&html, "#ips-error").contains("Nothing was sent"),
            "{typed}"
        );
        assert_eq!(
            attr(&html, "#ips", "aria-describedby").as_deref(),
            Some("ips-error")
        );
        assert_eq!(attr(&html, "#ips", "value").as_deref(), Some(typed));
    }
    assert_eq!(
        rows_with(&app, "cloud_user.api_ips_add", "requested").await,
        0
    );

    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api/ips"),
        &[("ips", "203.0.113.7, 2001:db8::1")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(
        alice(&app)["api"]["allowed_ips"],
        serde_json::json!(["203.0.113.7", "2001:db8::1"])
    );
    assert_audited_pair(&app, "cloud_user.api_ips_add").await;

    // An address already allowed is said beside the field, as typed, not sent again.
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api/ips"),
        &[("ips", "198.51.100.1, 203.0.113.7")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, "#ips-error").contains("203.0.113.7 is already allowed"));
    assert_eq!(
        attr(&html, "#ips", "value").as_deref(),
        Some("198.51.100.1, 203.0.113.7")
    );
    assert!(text_of(&html, ".flash-error").contains("beside the fields"));
    // Kept for the one page it came back to.
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_users/{id}")).await;
    assert_eq!(attr(&html, "#ips", "value").as_deref(), Some(""));
    assert!(!exists(&html, "#ips-error"));
    assert_eq!(
        rows_with(&app, "cloud_user.api_ips_add", "requested").await,
        1
    );

    // Removing takes the confirm step.
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api/ips/remove"),
        &[("ip", "203.0.113.7")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(
        errors.contains("Confirm that you want to remove 203.0.113.7"),
        "{errors}"
    );
    assert_eq!(
        rows_with(&app, "cloud_user.api_ips_remove", "requested").await,
        0
    );
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api/ips/remove"),
        &[("ip", "203.0.113.7"), ("confirm", "yes")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("203.0.113.7 is no longer"), "{done}");
    assert_eq!(
        alice(&app)["api"]["allowed_ips"],
        serde_json::json!(["2001:db8::1"])
    );
    assert_audited_pair(&app, "cloud_user.api_ips_remove").await;

    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api"),
        &[("active", "false")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("API access is off"), "{done}");
    assert_eq!(alice(&app)["api"]["active"], false);
    assert_audited_pair(&app, "cloud_user.api_disable").await;
}

#[tokio::test]
async fn a_key_is_shown_once_and_never_again() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = id_of(&alice(&app));
    post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api"),
        &[("active", "true")],
    )
    .await;
    let key = alice(&app)["api"]["key"]
        .as_str()
        .expect("a key")
        .to_owned();

    // Shown: a POST answered with the page itself, not stored.
    let response = post(&app, &c, &format!("/cloud_users/{id}/api/key"), &[]).await;
    assert_eq!(response.status().as_u16(), 200);
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cache.contains("no-store"), "{cache}");
    let html = response.text().await.unwrap();
    assert_eq!(text_of(&html, "#api-key"), key);
    assert!(
        exists(&html, "form#store-key"),
        "offered as a cloud account"
    );
    assert_eq!(
        attr(&html, "form#store-key", "action").as_deref(),
        Some(format!("{ORG}/cloud_accounts").as_str())
    );
    assert_audited_pair(&app, "cloud_user.api_key_show").await;

    // Regenerated: only with the confirm step; the new key is shown once.
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api/key/regenerate"),
        &[],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(
        errors.contains("Confirm that you want to issue"),
        "{errors}"
    );
    assert_eq!(
        rows_with(&app, "cloud_user.api_key_regenerate", "requested").await,
        0
    );
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/api/key/regenerate"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let html = response.text().await.unwrap();
    let new_key = alice(&app)["api"]["key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, key);
    assert_eq!(text_of(&html, "#api-key"), new_key);
    assert_audited_pair(&app, "cloud_user.api_key_regenerate").await;

    // Never again: not in the audit log, nor on any later page, where only
    // the last four characters appear.
    let audit = audit_text(&app).await;
    for k in [&key, &new_key] {
        assert!(
            !audit.contains(k.as_str()),
            "a key in the audit log: {audit}"
        );
    }
    for path in [
        format!("{ORG}/cloud_users/{id}"),
        format!("{ORG}/cloud_users"),
        format!("{ORG}/audit"),
    ] {
        let (status, html) = app.get_html(&c, &path).await;
        assert_eq!(status, 200, "{path}");
        for k in [&key, &new_key] {
            assert!(!html.contains(k.as_str()), "{path} shows a key");
        }
    }
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_users/{id}")).await;
    let last_four: String = new_key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(text_of(&html, "#key-hint"), format!("…{last_four}"));
}

#[tokio::test]
async fn a_users_role_is_changed_from_the_accounts_roles() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let alice = alice(&app);
    let id = id_of(&alice);
    let admin_role = app
        .sim_items("roles")
        .into_iter()
        .find(|r| r["name"] != "Read only")
        .expect("another role");
    let role_id = id_of(&admin_role);

    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_users/{id}")).await;
    assert!(exists(
        &html,
        &format!("#role-id option[value='{role_id}']")
    ));
    assert!(text_of(&html, "#role-id option[selected]").contains("Read only"));

    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/role"),
        &[("role_id", "")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("Choose a role"), "{errors}");
    let response = post(
        &app,
        &c,
        &format!("/cloud_users/{id}/role"),
        &[("role_id", role_id.as_str())],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("new role"), "{done}");
    assert_audited_pair(&app, "cloud_user.change_role").await;
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_users/{id}")).await;
    assert!(text_of(&html, "#user-role").contains(admin_role["name"].as_str().unwrap()));
}

#[tokio::test]
async fn a_member_without_the_flag_is_refused_and_nothing_changes() {
    let app = spawn_demo().await;
    let alice = alice(&app);
    let id = id_of(&alice);
    let name = name_of(&alice);
    let users_before = app.sim_items("users");
    let viewer = app.member_with("viewer@example.org", &["users.show"]).await;

    let (status, html) = app
        .get_html(&viewer, &format!("{ORG}/cloud_users/{id}"))
        .await;
    assert_eq!(status, 200);
    for hidden in [
        "#edit-cloud-user",
        "#delete-cloud-user",
        "#change-role",
        "#toggle-api",
        "#add-ips",
        "#show-key",
    ] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    let (_, html) = app.get_html(&viewer, &format!("{ORG}/cloud_users")).await;
    assert!(!exists(&html, "#new-cloud-user"));

    for (path, fields, flag) in [
        (
            "/cloud_users".to_owned(),
            vec![("name", "eve"), ("password", "Good-pass-1")],
            "users.create",
        ),
        (
            format!("/cloud_users/{id}/edit"),
            vec![("email", "eve@example.com")],
            "users.set_email",
        ),
        (
            format!("/cloud_users/{id}/delete"),
            vec![("confirm_name", name.as_str())],
            "users.delete",
        ),
        (
            format!("/cloud_users/{id}/role"),
            vec![("role_id", "R")],
            "users.change_role",
        ),
        (
            format!("/cloud_users/{id}/api"),
            vec![("active", "true")],
            "users.manage_api",
        ),
        (
            format!("/cloud_users/{id}/api/ips"),
            vec![("ips", "203.0.113.7")],
            "users.manage_api",
        ),
        (
            format!("/cloud_users/{id}/api/ips/remove"),
            vec![("ip", "203.0.113.7"), ("confirm", "yes")],
            "users.manage_api",
        ),
        (
            format!("/cloud_users/{id}/api/key"),
            vec![],
            "users.manage_api",
        ),
        (
            format!("/cloud_users/{id}/api/key/regenerate"),
            vec![("confirm", "yes")],
            "users.manage_api",
        ),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert!(rows_with(&app, flag, "denied").await >= 1, "{flag}");
    }
    let requested = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'cloud_user.%'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(requested, 0);
    assert_eq!(app.sim_items("users"), users_before, "nothing changed");

    // A member who may only describe may not change the email.
    let describer = app
        .member_with(
            "describer@example.org",
            &["users.show", "users.set_description"],
        )
        .await;
    let (status, html) = app
        .get_html(&describer, &format!("{ORG}/cloud_users/{id}/edit"))
        .await;
    assert_eq!(status, 200);
    assert!(!exists(&html, "#email") && !exists(&html, "#password") && !exists(&html, "#state"));
    let response = post(
        &app,
        &describer,
        &format!("/cloud_users/{id}/edit"),
        &[("email", "eve@example.com"), ("description", "x")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        crate::cloud_users::alice(&app)["email"],
        "alice@example.com"
    );
    let response = post(
        &app,
        &describer,
        &format!("/cloud_users/{id}/edit"),
        &[("description", "Developer, backend")],
    )
    .await;
    let (errors, _) = flashes(&app, &describer, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(
        crate::cloud_users::alice(&app)["description"],
        "Developer, backend"
    );
    assert_audited_pair(&app, "cloud_user.update").await;
}

#[tokio::test]
async fn a_shown_key_is_kept_as_a_sealed_cloud_account_from_its_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    // The account's own user: its key is the token the panel already uses.
    let own = app
        .sim_items("users")
        .into_iter()
        .find(|u| u["name"].as_str().is_some_and(|n| n.ends_with(".api")))
        .expect("the account's own user");
    let id = id_of(&own);
    let key = own["api"]["key"].as_str().unwrap().to_owned();

    let response = post(&app, &c, &format!("/cloud_users/{id}/api/key"), &[]).await;
    let html = response.text().await.unwrap();
    let base_url = attr(&html, "form#store-key input[name='base_url']", "value").unwrap();
    let response = app
        .post_form(
            &c,
            &format!("{ORG}/cloud_accounts"),
            &[
                ("name", "from-key"),
                ("token", key.as_str()),
                ("base_url", base_url.as_str()),
            ],
        )
        .await;

    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&c, &format!("{ORG}/cloud_accounts")).await;
    assert!(html.contains("from-key"));
    assert!(
        !html.contains(&key),
        "the accounts page shows only the last four"
    );
    let stored: (String, Vec<u8>) = sqlx::query_as(
        "SELECT token_last4, token_ciphertext FROM cloud_accounts WHERE name = 'from-key'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert!(key.ends_with(&stored.0));
    assert!(
        !String::from_utf8_lossy(&stored.1).contains(&key),
        "sealed, not stored in the clear"
    );
    assert!(!audit_text(&app).await.contains(&key));
}
