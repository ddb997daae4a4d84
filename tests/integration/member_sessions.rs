//! The member's sessions on their account page: what each shows, and
//! ending one of them (and only that one), audited.

use crate::helpers::{TestApp, location, spawn_app, text_of};

const PW: &str = "member password 1";

/// A client that says which device it is, signed in as `email`.
async fn device(app: &TestApp, email: &str, user_agent: &str) -> reqwest::Client {
    let c = teampanel::tls::client_builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap();
    let response = app.login(&c, email, PW).await;
    assert_eq!(response.status().as_u16(), 303);
    c
}

/// The public ids of the end forms on the account page, with the row text.
fn session_rows(html: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("tr[id^=session-]").unwrap();
    doc.select(&rows)
        .map(|tr| {
            let id = tr.value().attr("id").unwrap()["session-".len()..].to_owned();
            let text = tr.text().collect::<Vec<_>>().join(" ");
            (id, text.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect()
}

#[tokio::test]
async fn the_account_page_lists_each_session_with_its_device_address_and_times() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let laptop = device(&app, "ann@example.org", "Laptop Browser/1.0").await;
    device(&app, "ann@example.org", "Phone Browser/2.0").await;

    let (status, html) = app.get_html(&laptop, "/profile").await;

    assert_eq!(status, 200);
    // The header's link to this page says it is the current page.
    assert!(
        html.contains(r#"<a href="/profile" aria-current="page""#),
        "{html}"
    );
    let rows = session_rows(&html);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let laptop_row = rows
        .iter()
        .find(|(_, t)| t.contains("Laptop Browser/1.0"))
        .unwrap();
    assert!(laptop_row.1.contains("this session"), "{laptop_row:?}");
    assert!(laptop_row.1.contains("127.0.0.1"));
    assert!(laptop_row.1.contains("UTC"), "sign-in and last-seen times");
    let phone_row = rows
        .iter()
        .find(|(_, t)| t.contains("Phone Browser/2.0"))
        .unwrap();
    assert!(!phone_row.1.contains("this session"));
    // The id of a session never reaches the page, only its public reference.
    let hashes: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM sessions")
        .fetch_all(app.state.raw_db())
        .await
        .unwrap();
    assert!(hashes.iter().all(|h| !html.contains(h.as_str())));
}

#[tokio::test]
async fn ending_one_session_ends_that_one_only_and_is_audited() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    let laptop = device(&app, "ann@example.org", "Laptop Browser/1.0").await;
    let phone = device(&app, "ann@example.org", "Phone Browser/2.0").await;
    let tablet = device(&app, "ann@example.org", "Tablet Browser/3.0").await;
    let (_, html) = app.get_html(&laptop, "/profile").await;
    let (phone_id, _) = session_rows(&html)
        .into_iter()
        .find(|(_, t)| t.contains("Phone Browser/2.0"))
        .unwrap();

    let response = app
        .post_form(&laptop, &format!("/profile/sessions/{phone_id}/end"), &[])
        .await;

    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/profile");
    let response = app.get(&phone, "/profile").await;
    assert_eq!(response.status().as_u16(), 303, "the phone is signed out");
    assert!(location(&response).starts_with("/login"));
    assert_eq!(app.get(&tablet, "/profile").await.status().as_u16(), 200);
    let (status, html) = app.get_html(&laptop, "/profile").await;
    assert_eq!(status, 200);
    assert!(text_of(&html, ".flash-success").contains("signed out"));
    let rows = session_rows(&html);
    assert_eq!(rows.len(), 2);
    assert!(!rows.iter().any(|(_, t)| t.contains("Phone Browser")));
    let (target, details): (String, String) = sqlx::query_as(
        "SELECT target_id, details FROM audit_events
         WHERE action = 'auth.session_end' AND outcome = 'succeeded' AND actor_label = 'ann@example.org'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(target, phone_id);
    assert!(details.contains("Phone Browser/2.0"), "{details}");
}

#[tokio::test]
async fn another_users_session_cannot_be_ended_and_ending_ones_own_signs_out() {
    let app = spawn_app().await;
    app.create_user("ann@example.org", "Ann", false, PW).await;
    app.create_user("bob@example.org", "Bob", false, PW).await;
    let ann = device(&app, "ann@example.org", "Ann Browser").await;
    let bob = device(&app, "bob@example.org", "Bob Browser").await;
    let (_, html) = app.get_html(&bob, "/profile").await;
    let (bob_id, _) = session_rows(&html).into_iter().next().unwrap();

    let response = app
        .post_form(&ann, &format!("/profile/sessions/{bob_id}/end"), &[])
        .await;

    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(app.get(&bob, "/profile").await.status().as_u16(), 200);

    // Bob ends his own, current session: he is signed out.
    let response = app
        .post_form(&bob, &format!("/profile/sessions/{bob_id}/end"), &[])
        .await;
    assert_eq!(location(&response), "/login");
    assert_eq!(app.get(&bob, "/profile").await.status().as_u16(), 303);
    assert_eq!(app.get(&ann, "/profile").await.status().as_u16(), 200);
}
