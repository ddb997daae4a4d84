//! The walking skeleton from the outside: sign-in, sessions, CSRF, headers,
//! throttling, configuration errors and the panel's own error pages.

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, client, location, spawn_app, spawn_app_with, text_of,
};

#[tokio::test]
async fn sign_in_with_the_right_password_opens_the_panel() {
    let app = spawn_app().await;
    let c = client();

    let response = app.login(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("teampanel_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "not secure without an https public URL: {cookie}"
    );
    let (status, html) = app.get_html(&c, "/").await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "h1").contains("Welcome, Ada Admin"));
}

/// The session cookie is signed: a session id changed in the browser, or
/// one sent without the signature, signs nobody in, while the cookie as
/// the panel set it does.
#[tokio::test]
async fn an_altered_or_unsigned_session_cookie_signs_nobody_in() {
    let app = spawn_app().await;
    let response = app.login(&client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303);
    let set = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("teampanel_session="))
        .expect("a session cookie");
    let value = set.split(';').next().unwrap_or_default().to_owned();
    // The signature (44 characters of base64), then the session id; the
    // cookie carries them percent-encoded.
    let decoded = value
        .replace("%2F", "/")
        .replace("%2B", "+")
        .replace("%3D", "=");
    let (signature, id) = decoded.split_at(44);
    assert_eq!(id.len(), 64, "{value}");
    let flipped = |c: char| if c == 'a' { 'b' } else { 'a' };
    let mut altered_id = id.to_owned();
    let last = altered_id.pop().map(flipped).unwrap_or('a');
    altered_id.push(last);

    let raw = teampanel::tls::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let with_cookie = |cookie: String| {
        raw.get(app.url("/profile"))
            .header("cookie", format!("teampanel_session={cookie}"))
            .send()
    };
    let ok = with_cookie(value.clone()).await.unwrap();
    assert_eq!(
        ok.status().as_u16(),
        200,
        "the cookie as set opens the panel"
    );
    for forged in [
        format!("{signature}{altered_id}"),
        id.to_owned(),
        format!("{signature}{}", "A".repeat(64)),
    ] {
        let response = with_cookie(forged.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), 303, "{forged}");
        assert_eq!(location(&response), "/login?next=%2Fprofile", "{forged}");
    }
}

#[tokio::test]
async fn sign_in_with_a_wrong_password_is_refused_and_keeps_the_email() {
    let app = spawn_app().await;
    let c = client();

    let response = app.login(&c, ADMIN_EMAIL, "wrong password").await;

    assert_eq!(response.status().as_u16(), 401);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".flash-error").contains("The email or password is wrong"));
    assert!(html.contains(&format!("value=\"{ADMIN_EMAIL}\"")));
    assert!(
        !html.contains("wrong password"),
        "the password is never echoed"
    );
    let response = app.get(&c, "/").await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/login?next=%2F");
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    let response = app
        .login(&client(), "nobody@example.org", "whatever pw")
        .await;
    assert_eq!(response.status().as_u16(), 401);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".flash-error").contains("The email or password is wrong"));
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_their_session() {
    let app = spawn_app().await;
    let id = app
        .create_user("bob@example.org", "Bob", false, "bob password 1")
        .await;
    let bob = app.signed_in("bob@example.org", "bob password 1").await;

    teampanel::db::users::set_disabled(app.state.raw_db(), id, true)
        .await
        .unwrap();

    assert_eq!(
        app.get(&bob, "/").await.status().as_u16(),
        303,
        "the open session ends"
    );
    let response = app
        .login(&client(), "bob@example.org", "bob password 1")
        .await;
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = spawn_app().await;
    let c = app.admin().await;

    let response = app.post_form(&c, "/logout", &[]).await;

    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/login");
    let response = app.get(&c, "/profile").await;
    assert_eq!(location(&response), "/login?next=%2Fprofile");
}

#[tokio::test]
async fn a_password_change_revokes_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    let laptop = app.admin().await;
    let phone = app.admin().await;
    let new_password = "a brand new password";

    let response = app
        .post_form(
            &laptop,
            "/profile/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;

    assert_eq!(response.status().as_u16(), 303);
    let (status, html) = app.get_html(&laptop, "/profile").await;
    assert_eq!(status, 200, "this session goes on");
    assert!(text_of(&html, ".flash-success").contains("Password changed"));
    assert_eq!(
        app.get(&phone, "/profile").await.status().as_u16(),
        303,
        "the other session ended"
    );
    assert_eq!(
        app.login(&client(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        app.login(&client(), ADMIN_EMAIL, new_password)
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test]
async fn a_weak_new_password_is_refused_with_a_message() {
    let app = spawn_app().await;
    let c = app.admin().await;
    let response = app
        .post_form(
            &c,
            "/profile/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".flash-error").contains("at least 10 characters"));
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let one = app.admin().await;
    let two = app.admin().await;

    // Without the confirm step nothing ends.
    let response = app.post_form(&one, "/profile/sessions/end-all", &[]).await;
    assert_eq!(location(&response), "/profile");
    let (_, html) = app.get_html(&one, "/profile").await;
    assert!(html.contains("Confirm that you want to sign out everywhere. Nothing was changed."));
    assert_eq!(app.get(&two, "/profile").await.status().as_u16(), 200);

    let response = app
        .post_form(&one, "/profile/sessions/end-all", &[("confirm", "yes")])
        .await;

    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.get(&one, "/profile").await.status().as_u16(), 303);
    assert_eq!(app.get(&two, "/profile").await.status().as_u16(), 303);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

async fn password_hash(app: &crate::helpers::TestApp) -> String {
    teampanel::db::users::by_email(app.state.raw_db(), ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap()
        .password_hash
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let c = app.admin().await;
    let before = password_hash(&app).await;
    let form = [
        ("current_password", ADMIN_PASSWORD),
        ("new_password", "attacker password"),
        ("confirm_password", "attacker password"),
    ];

    let missing = c
        .post(app.url("/profile/password"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let mut with_wrong: Vec<(&str, &str)> = form.to_vec();
    with_wrong.push(("csrf_token", "not-the-token"));
    let wrong = c
        .post(app.url("/profile/password"))
        .form(&with_wrong)
        .send()
        .await
        .unwrap();

    for response in [missing, wrong] {
        assert_eq!(response.status().as_u16(), 403);
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "h1").contains("Form expired"));
        assert!(html.contains("nothing") && html.contains("was changed"));
    }
    assert_eq!(password_hash(&app).await, before);
}

#[tokio::test]
async fn a_post_from_another_origin_is_refused_even_with_the_token() {
    let app = spawn_app().await;
    let c = app.admin().await;
    let token = app.csrf(&c).await;

    let response = c
        .post(app.url("/profile/sessions/end-all"))
        .header("Origin", "https://evil.example")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        app.get(&c, "/profile").await.status().as_u16(),
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn a_trusted_origin_is_accepted() {
    let app =
        spawn_app_with(|s| s.trusted_origins = vec!["https://panel.example.org".into()]).await;
    let c = client();
    let token = app.csrf(&c).await;
    let response = c
        .post(app.url("/login"))
        .header("Origin", "https://panel.example.org")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/login", "/nowhere", "/healthz", "/static/app.css"] {
        let response = app.get(&client(), path).await;
        let h = response.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
        assert!(h.get("permissions-policy").is_some(), "{path}");
        assert!(h.get("x-request-id").is_some(), "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
}

#[tokio::test]
async fn an_https_public_url_turns_on_hsts_and_secure_cookies() {
    let app =
        spawn_app_with(|s| s.public_url = Some("https://panel.example.org".parse().unwrap())).await;
    let c = client();
    let token = app.csrf(&c).await;
    let response = c
        .post(app.url("/login"))
        .header("Origin", "https://panel.example.org")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_some()
    );
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-teampanel="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled() {
    let app = spawn_app_with(|s| s.login_attempts_per_account = 3).await;
    let c = client();
    for _ in 0..3 {
        assert_eq!(
            app.login(&c, ADMIN_EMAIL, "wrong password")
                .await
                .status()
                .as_u16(),
            401
        );
    }

    let response = app.login(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".flash-error").contains("Too many sign-in attempts. Try again in"));
}

#[tokio::test]
async fn an_unknown_page_gets_the_panels_404_page() {
    let app = spawn_app().await;
    let c = app.admin().await;
    let (status, html) = app.get_html(&c, "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(text_of(&html, "h1").contains("Page not found"));
    assert!(
        text_of(&html, ".user-menu").contains("Ada Admin"),
        "the 404 page is in the panel's layout"
    );
}

/// Routes are registered nested by path (src/web/routing.rs): an address
/// inside a scope that no route of it matches, or a method no route takes,
/// still gets the panel's own 404 page.
#[tokio::test]
async fn unknown_addresses_inside_an_area_get_the_panels_404_page() {
    let app = crate::helpers::spawn_demo().await;
    let c = app.admin().await;
    for path in [
        "/login/",
        "/admin/nothing-here",
        "/profile/sessions",
        "/o/demo/servers/abc/def/ghi",
        "/o/demo/no-such-area",
        "/o/demo/usage/nothing",
    ] {
        let (status, html) = app.get_html(&c, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(text_of(&html, "h1").contains("Page not found"), "{path}");
    }
    // A method no route takes (unsafe ones meet the CSRF check first).
    let response = c
        .request(reqwest::Method::OPTIONS, format!("{}/profile", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404, "OPTIONS /profile");
}

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = spawn_app().await;
    let response = app.get(&client(), "/healthz").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = spawn_app().await;
    for (next, expected) in [
        ("/profile", "/profile"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
    ] {
        let c = client();
        let token = app.csrf(&c).await;
        let response = c
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), expected, "next={next}");
    }
}

#[test]
fn a_bad_setting_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_teampanel"))
        .arg("serve")
        .env("TEAMPANEL_DATA_DIR", dir.path())
        .env("TEAMPANEL_BIND", "not-an-address")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TEAMPANEL_BIND") && stderr.contains("not-an-address"),
        "{stderr}"
    );
}

#[test]
fn user_create_reads_the_password_from_stdin_and_refuses_duplicates() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let run = |password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_teampanel"))
            .args([
                "user",
                "create",
                "--email",
                "first@example.org",
                "--name",
                "First Admin",
                "--instance-admin",
                "--password-stdin",
            ])
            .env("TEAMPANEL_DATA_DIR", dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };

    let weak = run("short\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 10 characters"));
    let created = run("first admin password\n");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(String::from_utf8_lossy(&created.stdout).contains("created user"));
    let again = run("first admin password\n");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
