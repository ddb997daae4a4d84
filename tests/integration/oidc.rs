//! Sign-in with the identity provider against a real certified provider
//! (`oidc-provider`, started per test), driven with redirects followed by
//! hand: accounts made and linked, refusals, memberships from groups, the
//! two-factor rule, password sign-in for admins only.

#[path = "../oidc/provider.rs"]
mod provider;

use provider::TestProvider;
use serde_json::json;
use teampanel::config::{PasswordSignIn, Settings};

use crate::helpers::{TestApp, client, location, spawn_app_with, text_of};

/// A panel signed in to by the test provider; `None` when the provider's
/// packages cannot be had (the test then returns, having said so).
async fn panel_and_provider(adjust: impl FnOnce(&mut Settings)) -> Option<(TestApp, TestProvider)> {
    let port = provider::free_port().unwrap();
    let redirect = format!("http://127.0.0.1:{port}/login/oidc/callback");
    let provider = TestProvider::start(&redirect).await.unwrap()?;
    let issuer = provider.issuer.clone();
    let app = spawn_app_with(|settings| {
        provider::configure(settings, port, &issuer);
        adjust(settings);
    })
    .await;
    Some((app, provider))
}

/// Presses "Sign in with Test ID", signs in at the provider as `account`
/// and returns the address the provider sends the browser back to.
async fn to_callback(app: &TestApp, c: &reqwest::Client, account: &str) -> String {
    let response = app.get(c, "/login/oidc?next=%2Fprofile").await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "the button redirects to the provider"
    );
    let mut next = location(&response);
    for _ in 0..12 {
        if next.starts_with(&app.address) {
            return next;
        }
        let response = c.get(&next).send().await.expect("provider GET");
        let status = response.status().as_u16();
        let url = response.url().clone();
        if status == 303 || status == 302 {
            let to = location(&response);
            next = url.join(&to).expect("a redirect").to_string();
            continue;
        }
        let html = response.text().await.unwrap();
        assert_eq!(status, 200, "provider page {url}: {html}");
        let login = c
            .post(format!("{url}/login"))
            .form(&[("login", account), ("password", "anything")])
            .send()
            .await
            .expect("provider login");
        assert_eq!(login.status().as_u16(), 303, "the provider's login form");
        next = url.join(&location(&login)).unwrap().to_string();
    }
    panic!("the provider never sent the browser back to the panel");
}

/// A whole sign-in: the panel's answer to the provider's return.
async fn sign_in(app: &TestApp, c: &reqwest::Client, account: &str) -> reqwest::Response {
    let back = to_callback(app, c, account).await;
    c.get(&back).send().await.expect("callback")
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT action, outcome, error FROM audit_events ORDER BY id")
        .fetch_all(app.state.raw_db())
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> Option<i64> {
    teampanel::db::users::by_email(app.state.raw_db(), email)
        .await
        .unwrap()
        .map(|u| u.id)
}

#[tokio::test]
async fn oidc_first_sign_in_creates_the_user_and_a_password_user_is_linked_by_verified_email() {
    let Some((app, provider)) = panel_and_provider(|_| {}).await else {
        return;
    };
    let (status, html) = app.get_html(&client(), "/login").await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#oidc-button").contains("Sign in with Test ID"));

    // A first sign-in with a verified address makes the user.
    let c = client();
    let response = sign_in(&app, &c, "newbie").await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/profile");
    let (status, _) = app.get_html(&c, "/profile").await;
    assert_eq!(status, 200, "signed in");
    let user = teampanel::db::users::by_email(app.state.raw_db(), "newbie@example.org")
        .await
        .unwrap()
        .expect("the user was created");
    assert_eq!(
        user.password_hash,
        teampanel::db::oidc_identities::NO_PASSWORD
    );
    assert!(
        !teampanel::auth::password::verify(String::new(), Some(user.password_hash.clone()))
            .await
            .unwrap()
    );
    // Its password does not work.
    let response = app
        .login(&client(), "newbie@example.org", "!oidc: no password")
        .await;
    assert_eq!(response.status().as_u16(), 401);

    // An existing password user is linked through a verified address.
    let pat = app
        .create_user("pat@example.org", "Pat", false, "pat password 1")
        .await;
    provider
        .set_account(json!({"id": "pat-at-idp", "email": "pat@example.org", "email_verified": true, "name": "Pat"}))
        .await
        .unwrap();
    let response = sign_in(&app, &client(), "pat-at-idp").await;
    assert_eq!(response.status().as_u16(), 303);
    let linked = teampanel::db::oidc_identities::user_for(
        app.state.raw_db(),
        &provider.issuer,
        "pat-at-idp",
    )
    .await
    .unwrap();
    assert_eq!(linked, Some(pat));
    let actions = audit_actions(&app).await;
    assert!(
        actions
            .iter()
            .any(|(a, o, _)| a == "user.create" && o == "succeeded")
    );
    assert!(
        actions
            .iter()
            .any(|(a, o, _)| a == "user.oidc_link" && o == "succeeded")
    );

    // Later sign-ins follow the link, whatever the address becomes.
    provider
        .set_account(
            json!({"id": "pat-at-idp", "email": "pat.new@example.org", "email_verified": false}),
        )
        .await
        .unwrap();
    let response = sign_in(&app, &client(), "pat-at-idp").await;
    assert_eq!(response.status().as_u16(), 303);

    // No secret reaches the audit log.
    let details: Vec<(String,)> = sqlx::query_as("SELECT details FROM audit_events")
        .fetch_all(app.state.raw_db())
        .await
        .unwrap();
    assert!(
        details
            .iter()
            .all(|(d,)| !d.contains(provider::CLIENT_SECRET))
    );
}

#[tokio::test]
async fn oidc_refusals_are_clear_pages_and_create_nothing() {
    let Some((app, mut provider)) = panel_and_provider(|settings| {
        if let Some(oidc) = settings.oidc.as_mut() {
            oidc.allowed_domains = vec!["example.org".into()];
        }
    })
    .await
    else {
        return;
    };
    // An address the provider has not verified.
    app.create_user("uma@example.org", "Uma", false, "uma password 1")
        .await;
    provider
        .set_account(json!({"id": "uma", "email": "uma@example.org", "email_verified": false}))
        .await
        .unwrap();
    let response = sign_in(&app, &client(), "uma").await;
    assert_eq!(response.status().as_u16(), 403);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("has not verified"),
        "{html}"
    );
    let linked =
        teampanel::db::oidc_identities::user_for(app.state.raw_db(), &provider.issuer, "uma")
            .await
            .unwrap();
    assert_eq!(linked, None, "an unverified address links nothing");

    // A domain that is not allowed.
    provider
        .set_account(json!({"id": "olga", "email": "olga@elsewhere.test", "email_verified": true}))
        .await
        .unwrap();
    let response = sign_in(&app, &client(), "olga").await;
    assert_eq!(response.status().as_u16(), 403);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("example.org"),
        "{html}"
    );
    assert_eq!(user_id(&app, "olga@elsewhere.test").await, None);

    // A tampered state.
    let c = client();
    let back = to_callback(&app, &c, "newbie").await;
    let tampered = back.replace("state=", "state=x");
    let response = c.get(&tampered).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("state does not match"),
        "{html}"
    );
    // ... and the genuine return is now spent too.
    let response = c.get(&back).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);

    // A replayed code.
    let c = client();
    let back = to_callback(&app, &c, "newbie").await;
    assert_eq!(c.get(&back).send().await.unwrap().status().as_u16(), 303);
    let response = c.get(&back).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("already used"),
        "{html}"
    );
    // Replayed in a fresh sign-in's session: the provider refuses the code.
    let c2 = client();
    let fresh = app.get(&c2, "/login/oidc").await;
    let fresh_state = url::Url::parse(&location(&fresh))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut replay = url::Url::parse(&back).unwrap();
    let pairs: Vec<(String, String)> = replay
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                fresh_state.clone()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    replay.query_pairs_mut().clear().extend_pairs(pairs);
    let response = c2.get(replay.as_str()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("refused"),
        "{html}"
    );

    // A token for another audience, and an expired one.
    for (tamper, words) in [("audience", "another application"), ("expired", "expired")] {
        let id = format!("tampered-{tamper}");
        provider
            .set_account(json!({"id": id, "email": format!("{id}@example.org"), "email_verified": true, "tamper": tamper}))
            .await
            .unwrap();
        let response = sign_in(&app, &client(), &id).await;
        assert_eq!(response.status().as_u16(), 400, "{tamper}");
        let html = response.text().await.unwrap();
        assert!(
            text_of(&html, "#error-summary").contains(words),
            "{tamper}: {html}"
        );
        assert_eq!(user_id(&app, &format!("{id}@example.org")).await, None);
    }

    // A provider that is down when the person comes back.
    let c = client();
    let back = to_callback(&app, &c, "newbie").await;
    provider.stop();
    let response = c.get(&back).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 502);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("could not be reached"),
        "{html}"
    );
    // Password sign-in still works.
    let response = app
        .login(&client(), &app.admin_email, &app.admin_password)
        .await;
    assert_eq!(response.status().as_u16(), 303);

    let actions = audit_actions(&app).await;
    assert!(
        actions
            .iter()
            .filter(|(a, o, _)| a == "auth.sign_in" && o == "failed")
            .count()
            >= 6,
        "{actions:?}"
    );
    // Only the one sign-in that went through made a user.
    assert_eq!(
        actions
            .iter()
            .filter(|(a, _, _)| a == "user.create")
            .count(),
        1
    );
}

#[tokio::test]
async fn oidc_a_provider_down_at_start_up_leaves_password_sign_in_working() {
    let port = provider::free_port().unwrap();
    let app = spawn_app_with(|settings| {
        // Nothing listens there.
        let dead = format!("http://127.0.0.1:{}", provider::free_port().unwrap());
        provider::configure(settings, port, &dead);
    })
    .await;
    let (status, html) = app.get_html(&client(), "/login").await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#oidc-button").contains("Test ID"));
    let response = app.get(&client(), "/login/oidc").await;
    assert_eq!(response.status().as_u16(), 503);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("not available"),
        "{html}"
    );
    let response = app
        .login(&client(), &app.admin_email, &app.admin_password)
        .await;
    assert_eq!(response.status().as_u16(), 303);
}

async fn org_with_owner(app: &TestApp, slug: &str) -> i64 {
    let owner = user_id(app, &app.admin_email).await.unwrap();
    let mut conn = app.state.raw_db().acquire().await.unwrap();
    teampanel::db::orgs::create_organisation_with_owner(&mut conn, slug, slug, owner)
        .await
        .unwrap()
        .id
}

async fn membership(app: &TestApp, org_id: i64, user: i64) -> Option<(String, bool)> {
    sqlx::query_as(
        "SELECT r.name, m.granted_by_group = 1 FROM memberships m JOIN roles r ON r.id = m.role_id
         WHERE m.org_id = ? AND m.user_id = ?",
    )
    .bind(org_id)
    .bind(user)
    .fetch_optional(app.state.raw_db())
    .await
    .unwrap()
}

#[tokio::test]
async fn oidc_groups_grant_memberships_and_their_removal_removes_them() {
    let Some((app, provider)) = panel_and_provider(|_| {}).await else {
        return;
    };
    let acme = org_with_owner(&app, "acme").await;
    let beta = org_with_owner(&app, "beta").await;
    provider
        .set_account(json!({
            "id": "gina", "email": "gina@example.org", "email_verified": true,
            "groups": ["staff", "teampanel:acme:Operator", "teampanel:nowhere:Viewer"],
        }))
        .await
        .unwrap();
    let c = client();
    assert_eq!(sign_in(&app, &c, "gina").await.status().as_u16(), 303);
    let gina = user_id(&app, "gina@example.org").await.unwrap();
    assert_eq!(
        membership(&app, acme, gina).await,
        Some(("Operator".into(), true))
    );
    let (status, _) = app.get_html(&c, "/o/acme/").await;
    assert_eq!(status, 200, "the granted membership opens the organisation");

    // An Owner adds Gina to beta by hand.
    let viewer: i64 =
        sqlx::query_scalar("SELECT id FROM roles WHERE org_id = ? AND builtin = 'viewer'")
            .bind(beta)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(gina)
        .bind(beta)
        .bind(viewer)
        .execute(app.state.raw_db())
        .await
        .unwrap();

    // The group changes role, then goes.
    provider
        .set_account(json!({"id": "gina", "email": "gina@example.org", "email_verified": true, "groups": ["teampanel:acme:Viewer"]}))
        .await
        .unwrap();
    assert_eq!(
        sign_in(&app, &client(), "gina").await.status().as_u16(),
        303
    );
    assert_eq!(
        membership(&app, acme, gina).await,
        Some(("Viewer".into(), true))
    );
    provider
        .set_account(json!({"id": "gina", "email": "gina@example.org", "email_verified": true, "groups": []}))
        .await
        .unwrap();
    assert_eq!(
        sign_in(&app, &client(), "gina").await.status().as_u16(),
        303
    );
    assert_eq!(
        membership(&app, acme, gina).await,
        None,
        "removed with its group"
    );
    assert_eq!(
        membership(&app, beta, gina).await,
        Some(("Viewer".into(), false)),
        "a membership made by hand stays"
    );
    let (status, _) = app.get_html(&c, "/o/acme/").await;
    assert_eq!(status, 404, "the old session no longer opens acme");

    let events: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT action, org_id FROM audit_events WHERE action LIKE 'member.group_%' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(
        events,
        vec![
            ("member.group_grant".into(), Some(acme)),
            ("member.group_role".into(), Some(acme)),
            ("member.group_remove".into(), Some(acme)),
        ]
    );
}

#[tokio::test]
async fn oidc_an_organisation_requiring_two_factor_takes_the_providers_second_factor_only() {
    let Some((app, provider)) = panel_and_provider(|_| {}).await else {
        return;
    };
    let acme = org_with_owner(&app, "acme").await;
    sqlx::query("UPDATE organisations SET require_two_factor = 1 WHERE id = ?")
        .bind(acme)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    for (id, amr) in [("tom", json!(["pwd"])), ("mia", json!(["pwd", "otp"]))] {
        provider
            .set_account(json!({
                "id": id, "email": format!("{id}@example.org"), "email_verified": true,
                "groups": ["teampanel:acme:Viewer"], "amr": amr,
            }))
            .await
            .unwrap();
    }
    // One factor at the provider: sent to set up TOTP, as today.
    let tom = client();
    assert_eq!(sign_in(&app, &tom, "tom").await.status().as_u16(), 303);
    let response = app.get(&tom, "/o/acme/").await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/profile/two-factor");

    // A second factor at the provider: the organisation opens.
    let mia = client();
    assert_eq!(sign_in(&app, &mia, "mia").await.status().as_u16(), 303);
    let (status, _) = app.get_html(&mia, "/o/acme/").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn oidc_password_sign_in_can_be_kept_for_instance_admins() {
    let Some((app, _provider)) = panel_and_provider(|settings| {
        settings.password_sign_in = PasswordSignIn::AdminsOnly;
    })
    .await
    else {
        return;
    };
    app.create_user("pia@example.org", "Pia", false, "pia password 1")
        .await;
    let response = app
        .login(&client(), "pia@example.org", "pia password 1")
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, "#error-summary").contains("Sign in with Test ID"),
        "{html}"
    );
    let (_, html) = app.get_html(&client(), "/login").await;
    assert!(text_of(&html, "#password-admins-only").contains("instance admins"));
    let response = app
        .login(&client(), &app.admin_email, &app.admin_password)
        .await;
    assert_eq!(response.status().as_u16(), 303);
}
