//! E2E Networks accounts: added through the accounts page with what that
//! kind needs (checked with its API, sealed, nothing stored when refused),
//! shown on the overview with their own budget, and kept apart from the
//! Cloud Panel's pages.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use teampanel::simulator::e2e::{E2eSimConfig, RunningE2eSimulator, spawn_e2e};

use crate::helpers::{ADMIN_EMAIL, TestApp, location, spawn_app_with, spawn_demo, text_of};

const TOKEN: &str = "e2e-Sekr3t-bearer-Zq81mXv0Lk2Jh7Gf4";
const KEY: &str = "e2e-Sekr3t-key-Pw9Rt3Yu6Io1";

async fn e2e_sim() -> RunningE2eSimulator {
    let config = E2eSimConfig::demo(vec![(TOKEN.into(), KEY.into())]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    spawn_e2e(config, listener).await.expect("simulator")
}

async fn app_with_org(sim: &RunningE2eSimulator) -> (TestApp, reqwest::Client) {
    let url = sim.base_url.clone();
    let app = spawn_app_with(|s| s.allowed_base_urls.push(url)).await;
    let owner = teampanel::db::users::by_email(app.state.raw_db(), ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap()
        .id;
    crate::rows::create_org(app.state.raw_db(), "Acme", "acme", owner)
        .await
        .unwrap();
    let admin = app.admin().await;
    (app, admin)
}

async fn add_e2e(
    app: &TestApp,
    client: &reqwest::Client,
    sim: &RunningE2eSimulator,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("provider", "e2e"),
        ("name", "india"),
        ("token", TOKEN),
        ("api_key", KEY),
        ("project_id", "10101"),
        ("location", "Delhi"),
        ("base_url", sim.base_url.as_str()),
    ];
    for (k, v) in fields {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    app.post_form(client, "/o/acme/cloud_accounts", &form).await
}

#[tokio::test]
async fn an_e2e_account_is_checked_sealed_and_listed_with_its_kind() {
    let sim = e2e_sim().await;
    let (app, admin) = app_with_org(&sim).await;

    // Each bad field says so beside itself; nothing is stored.
    let response = add_e2e(
        &app,
        &admin,
        &sim,
        &[
            ("project_id", "12ab"),
            ("api_key", ""),
            ("location", "Delhi&x=1"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    let errors = text_of(&html, "#add-e2e-account .field-error");
    assert!(errors.contains("project id is a number"), "{errors}");
    assert!(errors.contains("Enter the API key."), "{errors}");
    assert!(errors.contains("The location is a place name"), "{errors}");
    assert!(!html.contains(KEY) && !html.contains(TOKEN));
    assert!(
        crate::rows::accounts(app.state.raw_db(), 1)
            .await
            .unwrap()
            .is_empty()
    );

    // A key the API does not take: refused by E2E Networks, nothing stored.
    let response = add_e2e(&app, &admin, &sim, &[("api_key", "not-the-key-0000")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("E2E Networks did not accept this token and API key (401)"),
        "{}",
        text_of(&html, "#error-summary")
    );
    assert!(
        crate::rows::accounts(app.state.raw_db(), 1)
            .await
            .unwrap()
            .is_empty()
    );

    let response = add_e2e(&app, &admin, &sim, &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/o/acme/cloud_accounts");
    let rows = crate::rows::accounts(app.state.raw_db(), 1).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].provider, "e2e");
    assert_eq!(rows[0].project_id, "10101");
    assert_eq!(rows[0].location, "Delhi");
    // Neither secret is in the database file in the clear.
    let raw: Vec<u8> = sqlx::query_scalar("SELECT token_ciphertext FROM cloud_accounts")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(!raw.contains(KEY) && !raw.contains(TOKEN));
    let (_, page) = app.get_html(&admin, "/o/acme/cloud_accounts").await;
    let row = text_of(&page, &format!("#account-{}", rows[0].id));
    assert!(
        row.contains("E2E Networks") && row.contains("project 10101"),
        "{row}"
    );
    assert!(!page.contains(KEY) && !page.contains(TOKEN));
    let audit: String = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'cloud_account.create' AND outcome = 'succeeded'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert!(
        audit.contains("\"provider\":\"e2e\"") && !audit.contains(KEY),
        "{audit}"
    );

    // Replacing its keys asks for both again; a wrong key changes nothing.
    let id = rows[0].id;
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{id}/token"),
            &[
                ("token", TOKEN),
                ("api_key", "wrong-key-wrong-key"),
                ("project_id", "10101"),
                ("location", "Delhi"),
                ("base_url", sim.base_url.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{id}/token"),
            &[
                ("token", TOKEN),
                ("api_key", KEY),
                ("project_id", "20202"),
                ("location", "Mumbai"),
                ("base_url", sim.base_url.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let row = crate::rows::account(app.state.raw_db(), 1, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.project_id.as_str(), row.location.as_str()),
        ("20202", "Mumbai")
    );
}

#[tokio::test]
async fn the_overview_shows_each_provider_s_budget_and_pages_keep_them_apart() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let accounts = crate::rows::accounts(app.state.raw_db(), 1).await.unwrap();
    let e2e = accounts
        .iter()
        .find(|a| a.provider == "e2e")
        .expect("the demo's E2E account");
    let cloud = accounts
        .iter()
        .find(|a| a.provider == "cloudpanel")
        .expect("the demo's Cloud Panel account");

    let (status, html) = app.get_html(&admin, "/o/demo/").await;
    assert_eq!(status, 200);
    let card = text_of(&html, &format!("#account-{}", e2e.id));
    assert!(card.contains("E2E Networks"), "{card}");
    assert!(card.contains("requests left this hour"), "{card}");
    assert!(card.contains("E2E Networks answered 3 nodes"), "{card}");
    let cp_card = text_of(&html, &format!("#account-{}", cloud.id));
    assert!(
        cp_card.contains("IONOS Cloud Panel") && cp_card.contains("this minute"),
        "{cp_card}"
    );

    // A Cloud Panel page named with the E2E account refuses it, in words.
    let (status, html) = app
        .get_html(&admin, &format!("/o/demo/servers?account={}", e2e.id))
        .await;
    assert_eq!(status, 400);
    assert!(
        html.contains("is an E2E Networks account"),
        "{}",
        text_of(&html, "main")
    );
    // Without a name, each page opens its own provider's default.
    let (status, _) = app.get_html(&admin, "/o/demo/servers").await;
    assert_eq!(status, 200);

    // The overview's check asks E2E Networks for an E2E account.
    let response = app
        .post_form(
            &admin,
            &format!("/o/demo/cloud_accounts/{}/check", e2e.id),
            &[],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&admin, "/o/demo/").await;
    assert!(
        html.contains("E2E Networks accepted the token and API key of “E2E (simulator)”"),
        "{}",
        text_of(&html, ".flash")
    );
}
