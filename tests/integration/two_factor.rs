//! Two-factor sign-in through HTTP: enrolment, the code step of signing in,
//! replayed and recovery codes, throttling, turning it off, an
//! organisation's requirement and the instance admin's reset. Codes are
//! computed from the secret the enrolment page shows, never waited for.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::helpers::{ADMIN_EMAIL, TestApp, client, location, spawn_app, spawn_demo, text_of};

const PW: &str = "member password 1";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Waits (at most three seconds) until the clock is not about to cross a
/// 30-second step, so a code computed now is still in the server's window.
async fn clear_of_step_edge() {
    let into_step = unix_now() % 30;
    if into_step >= 28 {
        tokio::time::sleep(Duration::from_secs(31 - into_step)).await;
    }
}

/// The code for `steps` steps from now (-1, 0 or 1 are all accepted).
fn code(secret: &[u8], steps: i64) -> String {
    let at = unix_now().saturating_add_signed(steps * 30);
    teampanel::auth::totp::code_at(secret, at).unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    teampanel::db::users::by_email(app.state.raw_db(), email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Installation-wide audit events of a user as (action, outcome), oldest first.
async fn audit_of(app: &TestApp, email: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT action, outcome FROM audit_events WHERE actor_label = ? OR target_name = ? ORDER BY id",
    )
    .bind(email)
    .bind(email)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

/// Starts enrolment, reads the secret off the page, confirms it with the
/// previous step's code (so the current and next ones stay fresh for the
/// test). Returns the secret and the recovery codes shown.
async fn enrol(app: &TestApp, c: &reqwest::Client) -> (Vec<u8>, Vec<String>) {
    let response = app.post_form(c, "/profile/two-factor/start", &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/profile/two-factor");
    let (status, html) = app.get_html(c, "/profile/two-factor").await;
    assert_eq!(status, 200);
    let text = text_of(&html, "#totp-secret");
    let secret = totp_rs::Secret::try_from_base32(&text)
        .unwrap()
        .as_ref()
        .to_vec();
    clear_of_step_edge().await;
    let response = app
        .post_form(
            c,
            "/profile/two-factor/confirm",
            &[("code", &code(&secret, -1))],
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    let codes: Vec<String> = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("#recovery-codes li").unwrap())
        .map(|li| li.text().collect::<String>().trim().to_owned())
        .collect();
    (secret, codes)
}

/// A fresh client that has passed the password step.
async fn past_password(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let c = client();
    let response = app.login(&c, email, password).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/login/code");
    c
}

#[tokio::test]
async fn enrolment_shows_the_uri_the_secret_and_a_qr_code_and_one_code_turns_it_on() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let c = app.signed_in("ann@example.org", PW).await;

    let (_, html) = app.get_html(&c, "/profile").await;
    assert!(text_of(&html, "#two-factor-heading + p").contains("off"));
    app.post_form(&c, "/profile/two-factor/start", &[]).await;
    let (status, html) = app.get_html(&c, "/profile/two-factor").await;

    assert_eq!(status, 200);
    let secret_text = text_of(&html, "#totp-secret");
    assert!(secret_text.len() >= 32, "{secret_text}");
    assert!(html.contains("otpauth://totp/teampanel:ann"));
    assert!(html.contains("?secret="));
    assert!(html.contains(&secret_text));
    let svg_start = html.find("<svg").expect("an inline SVG QR code");
    let svg = &html[svg_start..html[svg_start..].find("</svg>").unwrap() + svg_start];
    assert!(!svg.contains("style"), "no inline style under the CSP");
    assert!(svg.contains("<path"));
    // The secret is sealed at rest.
    let id = user_id(&app, "ann@example.org").await;
    let (stored, enabled): (Vec<u8>, Option<i64>) = sqlx::query_as(
        "SELECT secret_ciphertext, enabled_at FROM user_two_factor WHERE user_id = ?",
    )
    .bind(id)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert!(enabled.is_none(), "not on before a code confirms it");
    let secret = totp_rs::Secret::try_from_base32(&secret_text)
        .unwrap()
        .as_ref()
        .to_vec();
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()));

    // A wrong code: the page again, with a message, still off.
    let wrong = if code(&secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let response = app
        .post_form(&c, "/profile/two-factor/confirm", &[("code", wrong)])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".flash-error").contains("does not match"));
    assert!(html.contains(&secret_text), "the same key to try again");

    clear_of_step_edge().await;
    let response = app
        .post_form(
            &c,
            "/profile/two-factor/confirm",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    let codes = text_of(&html, "#recovery-codes");
    assert_eq!(codes.split_whitespace().count(), 10, "{codes}");

    // Shown once: the hashes only are stored, and the account page says it is on.
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = ?")
            .bind(id)
            .fetch_all(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(hashes.len(), 10);
    for shown in codes.split_whitespace() {
        assert!(!hashes.iter().any(|h| h.contains(shown)));
    }
    let (_, html) = app.get_html(&c, "/profile").await;
    assert!(text_of(&html, "#two-factor-heading + p").contains("10 recovery code(s) left"));
    assert!(!html.contains(codes.split_whitespace().next().unwrap()));
    let (status, _) = app.get_html(&c, "/profile/two-factor").await;
    assert_eq!(status, 303, "the set-up page is done with");
    let actions = audit_of(&app, "ann@example.org").await;
    assert!(actions.contains(&("user.two_factor_enable".into(), "succeeded".into())));
}

#[tokio::test]
async fn sign_in_asks_for_the_code_after_the_password_and_the_half_way_state_opens_nothing() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    app.create_user("bob@example.org", "Bob", false, PW).await;
    let (secret, _) = enrol(&app, &app.signed_in("ann@example.org", PW).await).await;

    // Without a second factor, the password alone signs in.
    let bob = client();
    let response = app.login(&bob, "bob@example.org", PW).await;
    assert_eq!(location(&response), "/");

    // With one, the password leads to the code step only.
    let c = client();
    let response = app
        .post_form(
            &c,
            "/login",
            &[
                ("email", "ann@example.org"),
                ("password", PW),
                ("next", "/profile"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/login/code");
    let response = app.get(&c, "/profile").await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with("/login?next="));
    let (status, html) = app.get_html(&c, "/login/code").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"code\""));

    // A wrong code is refused and signs nobody in.
    let wrong = if code(&secret, 0) == "123456" {
        "654321"
    } else {
        "123456"
    };
    let response = app.post_form(&c, "/login/code", &[("code", wrong)]).await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(text_of(&response.text().await.unwrap(), ".flash-error").contains("wrong"));
    assert_eq!(app.get(&c, "/profile").await.status().as_u16(), 303);

    // The right code finishes signing in, and goes where the user was headed.
    clear_of_step_edge().await;
    let response = app
        .post_form(&c, "/login/code", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/profile");
    let (status, html) = app.get_html(&c, "/profile").await;
    assert_eq!(status, 200);
    assert!(html.contains("ann@example.org"));

    // Without the password step, the code form sends back to the start.
    let stranger = client();
    let response = app
        .post_form(&stranger, "/login/code", &[("code", &code(&secret, 1))])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/login");
    let actions = audit_of(&app, "ann@example.org").await;
    assert!(actions.contains(&("auth.sign_in".into(), "failed".into())));
    assert!(actions.contains(&("auth.sign_in".into(), "succeeded".into())));
}

#[tokio::test]
async fn a_code_is_accepted_once_within_its_window() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let (secret, _) = enrol(&app, &app.signed_in("ann@example.org", PW).await).await;
    clear_of_step_edge().await;
    let now_code = code(&secret, 0);

    let first = past_password(&app, "ann@example.org", PW).await;
    let response = app
        .post_form(&first, "/login/code", &[("code", &now_code)])
        .await;
    assert_eq!(location(&response), "/");

    // The same code again, still inside its 30 seconds: refused.
    let second = past_password(&app, "ann@example.org", PW).await;
    let response = app
        .post_form(&second, "/login/code", &[("code", &now_code)])
        .await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(text_of(&response.text().await.unwrap(), ".flash-error").contains("already used"));
    assert_eq!(app.get(&second, "/profile").await.status().as_u16(), 303);
    // So is the one before it; the next step's code (clock drift) still works.
    let response = app
        .post_form(&second, "/login/code", &[("code", &code(&secret, -1))])
        .await;
    assert_eq!(response.status().as_u16(), 401);
    let response = app
        .post_form(&second, "/login/code", &[("code", &code(&secret, 1))])
        .await;
    assert_eq!(location(&response), "/");
    assert_eq!(app.get(&second, "/profile").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let (_, codes) = enrol(&app, &app.signed_in("ann@example.org", PW).await).await;
    assert_eq!(codes.len(), 10);

    let first = past_password(&app, "ann@example.org", PW).await;
    // Typed loosely: upper case, spaces for dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let response = app
        .post_form(&first, "/login/code", &[("code", &typed)])
        .await;
    assert_eq!(location(&response), "/");
    let (_, html) = app.get_html(&first, "/profile").await;
    assert!(text_of(&html, ".flash-info").contains("recovery code; 9 remain"));

    let second = past_password(&app, "ann@example.org", PW).await;
    let response = app
        .post_form(&second, "/login/code", &[("code", &codes[3])])
        .await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(app.get(&second, "/profile").await.status().as_u16(), 303);
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'auth.sign_in' AND outcome = 'succeeded'
         AND target_name = 'ann@example.org'",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert!(
        details.iter().any(|d| d.contains("recovery code")),
        "{details:?}"
    );
    assert!(
        !details.iter().any(|d| d.contains(&codes[3])),
        "the code itself is never recorded"
    );
}

#[tokio::test]
async fn codes_are_throttled_like_passwords() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let (secret, _) = enrol(&app, &app.signed_in("ann@example.org", PW).await).await;
    // The account's budget is 5 codes a minute, as for passwords (enrolment's code was one).
    let c = past_password(&app, "ann@example.org", PW).await;
    let wrong = if code(&secret, 0) == "000000" {
        "999999"
    } else {
        "000000"
    };
    let mut refused = Vec::new();
    for _ in 0..6 {
        let response = app.post_form(&c, "/login/code", &[("code", wrong)]).await;
        refused.push(response.status().as_u16());
        if refused.last() == Some(&429) {
            break;
        }
    }
    assert_eq!(refused.last(), Some(&429), "{refused:?}");
    assert_eq!(refused[0], 401, "{refused:?}");

    // Even the right code now waits.
    clear_of_step_edge().await;
    let response = app
        .post_form(&c, "/login/code", &[("code", &code(&secret, 0))])
        .await;

    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert!(text_of(&response.text().await.unwrap(), ".flash-error").contains("Too many attempts"));
    assert_eq!(app.get(&c, "/profile").await.status().as_u16(), 303);
}

#[tokio::test]
async fn turning_it_off_takes_a_code_or_a_recovery_code() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let c = app.signed_in("ann@example.org", PW).await;
    let (_, codes) = enrol(&app, &c).await;
    let id = user_id(&app, "ann@example.org").await;

    let response = app
        .post_form(&c, "/profile/two-factor/disable", &[("code", "not-a-code")])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "#two-factor-error").contains("stays on"));
    assert!(
        teampanel::db::two_factor::is_enabled(app.state.raw_db(), id)
            .await
            .unwrap()
    );

    let response = app
        .post_form(&c, "/profile/two-factor/disable", &[("code", &codes[0])])
        .await;
    assert_eq!(location(&response), "/profile");
    assert!(
        !teampanel::db::two_factor::is_enabled(app.state.raw_db(), id)
            .await
            .unwrap()
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM two_factor_recovery_codes")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(left, 0, "the recovery codes go with it");
    // The password alone signs in again.
    assert_eq!(
        location(&app.login(&client(), "ann@example.org", PW).await),
        "/"
    );
    let actions = audit_of(&app, "ann@example.org").await;
    assert!(actions.contains(&("user.two_factor_disable".into(), "failed".into())));
    assert!(actions.contains(&("user.two_factor_disable".into(), "succeeded".into())));
}

#[tokio::test]
async fn an_owner_can_require_two_factor_and_members_without_it_are_sent_to_set_it_up() {
    let app = spawn_demo().await;
    let org = teampanel::db::orgs::by_slug(app.state.raw_db(), "demo")
        .await
        .unwrap()
        .unwrap();
    let member = app
        .member_with(
            "mia@example.org",
            &["organisation.manage_members", "servers.show"],
        )
        .await;
    let owner = app.admin().await;
    assert_eq!(
        app.get(&member, "/o/demo/servers").await.status().as_u16(),
        200
    );

    // An Owner without a second factor would lock themselves out: refused.
    let response = app
        .post_form(&owner, "/o/demo/members/two-factor", &[("require", "yes")])
        .await;
    assert_eq!(location(&response), "/o/demo/members");
    let (_, html) = app.get_html(&owner, "/o/demo/members").await;
    assert!(text_of(&html, ".flash-error").contains("for yourself first"));
    assert!(text_of(&html, "#two-factor-heading + p").contains("not required"));

    // A member who manages members, but is no Owner, may not change it.
    let response = app
        .post_form(&member, "/o/demo/members/two-factor", &[("require", "yes")])
        .await;
    assert_eq!(response.status().as_u16(), 403);

    enrol(&app, &owner).await;
    let response = app
        .post_form(&owner, "/o/demo/members/two-factor", &[("require", "yes")])
        .await;
    assert_eq!(location(&response), "/o/demo/members");
    let (status, html) = app.get_html(&owner, "/o/demo/members").await;
    assert_eq!(status, 200, "the Owner has a second factor");
    assert!(text_of(&html, "#two-factor-heading + p").contains("required"));
    let events = crate::rows::audit_events(app.state.raw_db(), org.id)
        .await
        .unwrap();
    assert!(events.contains(&(
        "organisation.require_two_factor".into(),
        "succeeded".into(),
        org.name.clone()
    )));

    // The member without one is sent to set it up, from any page of the organisation.
    for path in ["/o/demo/", "/o/demo/servers", "/o/demo/members"] {
        let response = app.get(&member, path).await;
        assert_eq!(response.status().as_u16(), 303, "{path}");
        assert_eq!(location(&response), "/profile/two-factor");
    }
    let response = app
        .post_form(&member, "/o/demo/members/two-factor", &[("require", "no")])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/profile/two-factor");
    let (status, html) = app.get_html(&member, "/profile/two-factor").await;
    assert_eq!(status, 200);
    assert!(text_of(&html, ".flash-info").contains("requires two-factor sign-in"));

    // Once enrolled, the organisation opens again.
    enrol(&app, &member).await;
    assert_eq!(
        app.get(&member, "/o/demo/servers").await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn an_instance_admin_resets_a_lost_second_factor_and_it_is_audited() {
    let app = spawn_app().await;
    let id = app.create_user("ann@example.org", "Ann", false, PW).await;
    let ann = app.signed_in("ann@example.org", PW).await;
    enrol(&app, &ann).await;
    let admin = app.admin().await;
    let (_, html) = app.get_html(&admin, "/admin").await;
    assert!(text_of(&html, &format!("#user-{id}")).contains("two-factor"));

    // Unconfirmed: nothing happens.
    let path = format!("/admin/users/{id}/two-factor/reset");
    app.post_form(&admin, &path, &[]).await;
    assert!(
        teampanel::db::two_factor::is_enabled(app.state.raw_db(), id)
            .await
            .unwrap()
    );

    let response = app.post_form(&admin, &path, &[("confirm", "yes")]).await;

    assert_eq!(location(&response), "/admin");
    let (_, html) = app.get_html(&admin, "/admin").await;
    assert!(text_of(&html, ".flash-success").contains("was reset"));
    assert!(
        !teampanel::db::two_factor::is_enabled(app.state.raw_db(), id)
            .await
            .unwrap()
    );
    assert_eq!(
        app.get(&ann, "/profile").await.status().as_u16(),
        303,
        "their sessions end with the reset"
    );
    assert_eq!(
        location(&app.login(&client(), "ann@example.org", PW).await),
        "/"
    );
    let (actor, outcome): (String, String) = sqlx::query_as(
        "SELECT actor_label, outcome FROM audit_events WHERE action = 'user.two_factor_reset'
         AND target_name = 'ann@example.org'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), outcome.as_str()),
        (ADMIN_EMAIL, "succeeded")
    );
    // Not an admin: refused.
    let ann = app.signed_in("ann@example.org", PW).await;
    let response = app.post_form(&ann, &path, &[("confirm", "yes")]).await;
    assert_eq!(response.status().as_u16(), 403);
}
