//! The organisation's overview as a dashboard, against the demo simulator:
//! counts and transitions per family, only the cards a member's role
//! allows, the audit tail, the budget and health of each cloud account,
//! and a page that still answers when the Cloud Panel does not.

use scraper::{Html, Selector};
use teampanel::simulator::Faults;

use crate::helpers::{TestApp, location, spawn_demo_with, text_of};
use crate::servers::{ORG, post, seeded};

const TRANSITIONAL: [&str; 7] = [
    "DEPLOYING",
    "POWERING_ON",
    "POWERING_OFF",
    "REBOOTING",
    "CONFIGURING",
    "REMOVING",
    "CREATING",
];

/// The demo at real speed, so the seeded work in progress stays in progress.
async fn demo() -> TestApp {
    spawn_demo_with(|config| config.rate_limit = 100_000).await
}

/// (label, count, in transition, note) of every family card.
fn family_cards(html: &str) -> Vec<(String, Option<usize>, usize, String)> {
    let doc = Html::parse_document(html);
    let card = Selector::parse("section.family-card").unwrap();
    let h = Selector::parse("h3").unwrap();
    let count = Selector::parse("[data-count]").unwrap();
    let busy = Selector::parse("[data-busy]").unwrap();
    let note = Selector::parse("p.small").unwrap();
    doc.select(&card)
        .map(|c| {
            let attr = |s: &Selector, name: &str| {
                c.select(s)
                    .next()
                    .and_then(|e| e.value().attr(name))
                    .and_then(|v| v.parse::<usize>().ok())
            };
            (
                c.select(&h)
                    .next()
                    .map(|e| e.text().collect())
                    .unwrap_or_default(),
                attr(&count, "data-count"),
                attr(&busy, "data-busy").unwrap_or(0),
                c.select(&note)
                    .last()
                    .map(|e| e.text().collect())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn in_transition(app: &TestApp, collection: &str) -> (usize, usize) {
    let items = app.sim_items(collection);
    let busy = items
        .iter()
        .filter(|i| {
            let state = i["status"]["state"]
                .as_str()
                .or_else(|| i["state"].as_str())
                .unwrap_or_default();
            TRANSITIONAL.contains(&state)
        })
        .count();
    (items.len(), busy)
}

#[tokio::test]
async fn an_owner_sees_counts_transitions_alerts_the_audit_tail_and_the_budget() {
    // Arrange: a change, so the audit log has something recent.
    let app = demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/rename"),
        &[("name", "renamed-for-dashboard"), ("description", "")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303, "{}", location(&response));

    // Act
    let (status, html) = app.get_html(&c, &format!("{ORG}/")).await;

    // Assert: every family, with the simulator's counts and transitions.
    assert_eq!(status, 200);
    let cards = family_cards(&html);
    assert_eq!(cards.len(), 10, "{cards:?}");
    for (label, collection) in [
        ("Servers", "servers"),
        ("Block storages", "block_storages"),
        ("VPNs", "vpns"),
        ("Shared storages", "shared_storages"),
    ] {
        let (count, busy) = in_transition(&app, collection);
        let card = cards.iter().find(|c| c.0 == label).expect(label);
        assert_eq!(card.1, Some(count), "{label}: {card:?}");
        assert_eq!(card.2, busy, "{label}: {card:?}");
        assert!(card.3.starts_with("As of"), "{label}: {card:?}");
    }
    assert!(
        cards.iter().map(|c| c.2).sum::<usize>() >= 1,
        "the demo has work in progress: {cards:?}"
    );
    // The monitoring center (the simulator's servers have no alerts).
    assert!(text_of(&html, "#alerts").contains("No open alerts on the"));
    // The audit tail, newest first, each linked to the audit log.
    let tail = text_of(&html, "#audit-tail");
    assert!(tail.contains("server.rename"), "{tail}");
    assert!(tail.contains("renamed-for-dashboard"), "{tail}");
    assert!(html.contains(&format!("{ORG}/audit?target={id}")));
    // The account's budget and health.
    let account = text_of(&html, "section.account-card");
    assert!(account.contains("requests left this minute"), "{account}");
    // The health line comes from the counts just read: no `/ping` of its own.
    assert!(
        account.contains("The API answered the counts above at"),
        "{account}"
    );
    // What the overview showed before stays: the role and the sections.
    assert!(text_of(&html, "main").contains("Your role here: Owner"));
    assert!(text_of(&html, "#sections").contains("Usage & cost"));
}

#[tokio::test]
async fn a_member_without_flags_sees_no_cloud_cards() {
    let app = demo().await;
    let c = app.member_with("nothing@example.org", &[]).await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/")).await;

    assert_eq!(status, 200);
    assert!(family_cards(&html).is_empty());
    for card in ["#alerts", "#audit-tail", "section.account-card"] {
        assert!(text_of(&html, card).is_empty(), "{card}");
    }
    assert!(text_of(&html, "main").contains("Your role here"));
}

#[tokio::test]
async fn a_member_sees_only_the_cards_of_their_flags() {
    let app = demo().await;
    let servers_only = app
        .member_with("servers@example.org", &["servers.show"])
        .await;
    let watcher = app
        .member_with(
            "watcher@example.org",
            &["monitoring_center.show", "organisation.view_audit"],
        )
        .await;

    let (status, html) = app.get_html(&servers_only, &format!("{ORG}/")).await;
    assert_eq!(status, 200);
    let cards = family_cards(&html);
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_eq!(cards[0].0, "Servers");
    assert!(text_of(&html, "#alerts").is_empty());
    assert!(text_of(&html, "#audit-tail").is_empty());
    assert!(!text_of(&html, "section.account-card").is_empty());

    let (status, html) = app.get_html(&watcher, &format!("{ORG}/")).await;
    assert_eq!(status, 200);
    assert!(family_cards(&html).is_empty());
    assert!(text_of(&html, "#alerts").contains("monitored server"));
    assert!(text_of(&html, "#audit-tail").contains("Latest changes"));
}

#[tokio::test]
async fn the_dashboard_answers_when_the_cloud_panel_fails() {
    // Arrange: every answer of the Cloud Panel is an error.
    let app = demo().await;
    let c = app.admin().await;
    app.simulator
        .as_ref()
        .unwrap()
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();

    // Act
    let (status, html) = app.get_html(&c, &format!("{ORG}/")).await;

    // Assert: the page, with each card's own problem.
    assert_eq!(status, 200);
    let cards = family_cards(&html);
    assert_eq!(cards.len(), 10, "{cards:?}");
    for card in &cards {
        assert_eq!(card.1, None, "{card:?}");
        assert!(
            card.3.starts_with("Could not load") || card.3.starts_with("Not read now"),
            "{card:?}"
        );
    }
    assert!(
        text_of(&html, "#alerts").contains("monitoring center")
            || text_of(&html, "#alerts").contains("Not read now")
    );
    let account = text_of(&html, "section.account-card");
    assert!(
        account.contains("The API did not answer") || account.contains("Not checked now"),
        "{account}"
    );
    assert!(text_of(&html, "#audit-tail").contains("Latest changes"));
}

#[tokio::test]
async fn each_cloud_account_has_its_budget_and_health_and_the_counts_follow_the_chosen_one() {
    // Arrange: a second account on the same simulator.
    const TOKEN_B: &str = "dashboard-second-token-5e21";
    let app = spawn_demo_with(|config| {
        config.rate_limit = 100_000;
        config.tokens.push(TOKEN_B.to_owned());
    })
    .await;
    let c = app.admin().await;
    let base_url = app.simulator.as_ref().unwrap().base_url.clone();
    let response = app
        .post_form(
            &c,
            &format!("{ORG}/cloud_accounts"),
            &[
                ("name", "Second"),
                ("token", TOKEN_B),
                ("base_url", &base_url),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303, "{}", location(&response));
    let second: i64 = sqlx::query_scalar("SELECT id FROM cloud_accounts WHERE name = 'Second'")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();

    // Act
    let (status, html) = app.get_html(&c, &format!("{ORG}/?account={second}")).await;

    // Assert: two Cloud Panel account cards, each answered by the API, and
    // the demo's E2E account with its hourly budget; the counts are B's.
    assert_eq!(status, 200);
    let doc = Html::parse_document(&html);
    let cards: Vec<String> = doc
        .select(&Selector::parse("section.account-card").unwrap())
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(cards.len(), 3, "{cards:?}");
    let (cloud_panel, e2e): (Vec<&String>, Vec<&String>) =
        cards.iter().partition(|c| c.contains("IONOS Cloud Panel"));
    assert_eq!(cloud_panel.len(), 2, "{cards:?}");
    for card in &cloud_panel {
        assert!(card.contains("requests left this minute"), "{card}");
        assert!(card.contains("The API answered"), "{card}");
    }
    assert!(e2e[0].contains("requests left this hour"), "{}", e2e[0]);
    assert!(
        e2e[0].contains("E2E Networks answered 3 nodes"),
        "{}",
        e2e[0]
    );
    assert!(text_of(&html, "#resources-h").contains("Second"));
    assert!(text_of(&html, &format!("#account-{second}")).contains("(shown above)"));
}

#[tokio::test]
async fn the_token_check_asks_the_cloud_panel_and_says_what_it_answered() {
    let app = demo().await;
    let c = app.admin().await;
    let (_, html) = app.get_html(&c, &format!("{ORG}/")).await;
    let doc = Html::parse_document(&html);
    let form = Selector::parse("section.account-card form").unwrap();
    let action = doc
        .select(&form)
        .next()
        .and_then(|f| f.value().attr("action"))
        .expect("a token check on the account's card")
        .to_owned();
    let path = action.trim_start_matches(ORG).to_owned();

    // Accepted.
    let response = post(&app, &c, &path, &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(
        text_of(&html, ".flash-success").contains("accepted the token"),
        "{html}"
    );

    // The Cloud Panel failing: said, not an error page.
    app.simulator
        .as_ref()
        .unwrap()
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let response = post(&app, &c, &path, &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    let (status, html) = app.get_html(&c, &location(&response)).await;
    assert_eq!(status, 200);
    assert!(!text_of(&html, ".flash-error").is_empty(), "{html}");

    // A member without any cloud flag is refused; another organisation's
    // account id is not found.
    let nobody = app.member_with("no-cloud@example.org", &[]).await;
    assert_eq!(post(&app, &nobody, &path, &[]).await.status().as_u16(), 403);
    let response = post(&app, &c, "/cloud_accounts/999999/check", &[]).await;
    assert_eq!(response.status().as_u16(), 404);
}
