//! The SSH key pages against the simulator: import, edit, delete,
//! refusals flag by flag, and keys that are not OpenSSH public keys.

use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::private_networks::{attr, exists, field_error, flashes, rows_with, sim_item};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post};

const LAPTOP_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN54LN2CXg4YvBQESGk4XOqdrBe02lCs+bJMGKp3F19G ana@laptop";

/// The seeded key `deploy-key`.
fn deploy_key(app: &TestApp) -> Value {
    app.sim_items("ssh_keys")
        .into_iter()
        .find(|k| k["name"] == "deploy-key")
        .expect("the seeded key")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_list_shows_each_key_and_searches() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let key = deploy_key(&app);

    let (status, html) = app.get_html(&c, &format!("{ORG}/ssh_keys")).await;

    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "a#new-ssh-key").trim(), "Add SSH key");
    let table = text_of(&html, "table#ssh-keys");
    assert!(table.contains("deploy-key"), "{table}");
    assert!(table.contains("ssh-ed25519"), "{table}");
    assert!(html.contains(&format!(
        "href=\"{ORG}/ssh_keys/{}{}\"",
        id_of(&key),
        account_query(&app).await
    )));
    let (_, html) = app.get_html(&c, &format!("{ORG}/ssh_keys?q=nowhere")).await;
    assert!(text_of(&html, "main").contains("No SSH keys match this search"));

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/ssh_keys/{}", id_of(&key)))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#public-key").contains("deploy@ci"));
}

#[tokio::test]
async fn a_key_is_added_edited_and_deleted_with_its_audit_pairs() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let keys_before = app.sim_items("ssh_keys").len();
    let (status, _) = app.get_html(&c, &format!("{ORG}/ssh_keys/new")).await;
    assert_eq!(status, 200);

    let pasted = format!("  {LAPTOP_KEY}\n");
    let response = post(
        &app,
        &c,
        "/ssh_keys",
        &[
            ("name", "ana-laptop"),
            ("description", "Ana's laptop"),
            ("public_key", pasted.as_str()),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    let id = page
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let key = sim_item(&app, "ssh_keys", &id).unwrap();
    assert_eq!(key["name"], "ana-laptop");
    assert_eq!(key["public_key"], LAPTOP_KEY);
    assert_eq!(app.sim_items("ssh_keys").len(), keys_before + 1);
    assert_audited_pair(&app, "ssh_key.create").await;

    // Edit: the form starts on the current values.
    let (_, html) = app.get_html(&c, &format!("{ORG}/ssh_keys/{id}/edit")).await;
    assert_eq!(attr(&html, "#name", "value").unwrap(), "ana-laptop");
    let response = post(
        &app,
        &c,
        &format!("/ssh_keys/{id}/edit"),
        &[("name", "ana-work"), ("description", "")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved ana-work"), "{done}");
    let key = sim_item(&app, "ssh_keys", &id).unwrap();
    assert_eq!(
        (key["name"].as_str(), key["description"].as_str()),
        (Some("ana-work"), Some(""))
    );
    assert_audited_pair(&app, "ssh_key.update").await;

    // Unchanged values send nothing.
    let response = post(
        &app,
        &c,
        &format!("/ssh_keys/{id}/edit"),
        &[("name", "ana-work"), ("description", "")],
    )
    .await;
    let (_, said) = flashes(&app, &c, response).await;
    assert!(said.contains("Nothing to save"), "{said}");
    assert_eq!(rows_with(&app, "ssh_key.update", "requested").await, 1);

    // Delete: the wrong name changes nothing; the right one deletes.
    let response = post(
        &app,
        &c,
        &format!("/ssh_keys/{id}/delete"),
        &[("confirm_name", "ana-laptop")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("ana-work, exactly"), "{errors}");
    assert_eq!(sim_item(&app, "ssh_keys", &id).unwrap()["state"], "ACTIVE");
    assert_eq!(rows_with(&app, "ssh_key.delete", "requested").await, 0);
    let response = post(
        &app,
        &c,
        &format!("/ssh_keys/{id}/delete"),
        &[("confirm_name", "ana-work")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/ssh_keys{}", account_query(&app).await)
    );
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Deleting ana-work"), "{done}");
    assert_audited_pair(&app, "ssh_key.delete").await;
}

#[tokio::test]
async fn a_member_who_may_only_look_sees_no_forms_and_changes_nothing() {
    let app = spawn_demo().await;
    let keys_before = app.sim_items("ssh_keys").len();
    let key = deploy_key(&app);
    let id = id_of(&key);
    let viewer = app
        .member_with("viewer@example.org", &["ssh_keys.show"])
        .await;

    let (status, html) = app.get_html(&viewer, &format!("{ORG}/ssh_keys/{id}")).await;
    assert_eq!(status, 200);
    for hidden in ["#delete-ssh-key", "#edit-ssh-key"] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    let (_, html) = app.get_html(&viewer, &format!("{ORG}/ssh_keys")).await;
    assert!(!exists(&html, "#new-ssh-key"));

    for (path, fields, flag) in [
        (
            format!("/ssh_keys/{id}/delete"),
            vec![("confirm_name", "deploy-key")],
            "ssh_keys.delete",
        ),
        (
            format!("/ssh_keys/{id}/edit"),
            vec![("name", "mine")],
            "ssh_keys.set_name",
        ),
        (
            "/ssh_keys".to_owned(),
            vec![("name", "mine"), ("public_key", LAPTOP_KEY)],
            "ssh_keys.create",
        ),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert_eq!(rows_with(&app, flag, "denied").await, 1, "{flag}");
    }
    for action in ["ssh_key.delete", "ssh_key.update", "ssh_key.create"] {
        assert_eq!(rows_with(&app, action, "requested").await, 0, "{action}");
    }
    assert_eq!(deploy_key(&app), key, "nothing changed");
    assert_eq!(app.sim_items("ssh_keys").len(), keys_before);
}

#[tokio::test]
async fn a_member_who_may_describe_may_not_rename() {
    let app = spawn_demo().await;
    let key = deploy_key(&app);
    let id = id_of(&key);
    let describer = app
        .member_with(
            "describer@example.org",
            &["ssh_keys.show", "ssh_keys.set_description"],
        )
        .await;

    let (status, html) = app
        .get_html(&describer, &format!("{ORG}/ssh_keys/{id}/edit"))
        .await;
    assert_eq!(status, 200);
    assert!(!exists(&html, "#name"));
    let response = post(
        &app,
        &describer,
        &format!("/ssh_keys/{id}/edit"),
        &[("name", "renamed"), ("description", "x")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(deploy_key(&app)["description"], key["description"]);

    let response = post(
        &app,
        &describer,
        &format!("/ssh_keys/{id}/edit"),
        &[("description", "CI and releases")],
    )
    .await;
    let (errors, done) = flashes(&app, &describer, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved deploy-key"), "{done}");
    assert_eq!(deploy_key(&app)["description"], "CI and releases");
    assert_audited_pair(&app, "ssh_key.update").await;
}

#[tokio::test]
async fn a_key_that_is_not_an_openssh_public_key_is_refused_before_sending() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let keys_before = app.sim_items("ssh_keys").len();

    for (public_key, says) in [
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "never the private key",
        ),
        ("hello there", "starts with its type"),
        ("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIN54LN2CXg4Y", "damaged"),
        ("", "Paste the public key"),
    ] {
        let response = post(
            &app,
            &c,
            "/ssh_keys",
            &[
                ("name", ""),
                ("description", "laptop"),
                ("public_key", public_key),
            ],
        )
        .await;
        assert_eq!(response.status().as_u16(), 422, "{public_key}");
        let html = response.text().await.unwrap();
        assert!(exists(&html, "#error-summary"));
        assert!(field_error(&html, "name").contains("Enter a name"));
        assert!(
            field_error(&html, "public_key").contains(says),
            "{public_key}"
        );
        assert_eq!(attr(&html, "#description", "value").unwrap(), "laptop");
    }

    let id = id_of(&deploy_key(&app));
    let response = post(&app, &c, &format!("/ssh_keys/{id}/edit"), &[("name", "")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "name").contains("Enter a name"));
    // A refused edit comes back with what was typed.
    let long = "x".repeat(257);
    let response = post(
        &app,
        &c,
        &format!("/ssh_keys/{id}/edit"),
        &[("name", "typed-name"), ("description", &long)],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "description").contains("at most 256"));
    assert_eq!(attr(&html, "#name", "value").unwrap(), "typed-name");
    assert_eq!(attr(&html, "#description", "value").unwrap(), long);

    assert_eq!(app.sim_items("ssh_keys").len(), keys_before);
    assert!(audit_rows(&app, "ssh_key.create").await.is_empty());
    assert!(audit_rows(&app, "ssh_key.update").await.is_empty());
    assert_eq!(deploy_key(&app)["name"], "deploy-key");
}
