//! One token for a whole team: pages never answer an error for the request
//! budget, detail pages are drawn from their lists, and what members look
//! at is kept fresh within what the budget leaves.

use std::time::Duration;

use crate::helpers::spawn_demo_configured as spawn;
use crate::helpers::text_of as text;

const ORG: &str = "/o/demo";

#[tokio::test]
async fn detail_pages_of_a_listed_family_cost_no_call_of_their_own() {
    let app = spawn(|_| {}, |c| c.rate_limit = 100_000).await;
    let admin = app.admin().await;
    let (status, _) = app.get_html(&admin, &format!("{ORG}/vpns")).await;
    assert_eq!(status, 200);
    let vpns = app.sim_items("vpns");
    assert!(!vpns.is_empty(), "the demo has VPNs");
    let before = app.state.cloud.counters();

    for vpn in &vpns {
        let id = vpn["id"].as_str().expect("an id");
        let (status, html) = app.get_html(&admin, &format!("{ORG}/vpns/{id}")).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(text(&html, "h1"), vpn["name"].as_str().expect("a name"));
    }

    let after = app.state.cloud.counters();
    assert_eq!(
        after.details_from_lists - before.details_from_lists,
        vpns.len() as u64
    );
    assert_eq!(
        after.upstream_calls, before.upstream_calls,
        "every VPN's page came from the list"
    );
}

#[tokio::test]
async fn with_the_budget_spent_a_page_never_read_shows_its_frame_and_when_it_fills_in() {
    // The API allows 4 a minute: after the first read, the panel keeps the
    // last 3 for changes, so no read may go.
    let app = spawn(|s| s.budget_wait = Duration::ZERO, |c| c.rate_limit = 4).await;
    let admin = app.admin().await;
    let (status, _) = app.get_html(&admin, &format!("{ORG}/servers")).await;
    assert_eq!(status, 200);

    // A list never read: its frame, a card saying it is loading, status 200.
    let (status, html) = app.get_html(&admin, &format!("{ORG}/vpns")).await;
    assert_eq!(status, 200, "{html}");
    assert!(text(&html, "main").contains("Loading the VPNs"), "{html}");
    assert!(html.contains("data-fill-in"), "{html}");
    assert!(text(&html, "main").contains("Refresh"));

    // A detail page never read: the panel's layout, status 200, and when it fills in.
    let (status, html) = app
        .get_html(&admin, &format!("{ORG}/firewall_policies/NEVERSEEN0000"))
        .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(text(&html, "h1"), "Loading");
    assert!(text(&html, "main").contains("fills in"), "{html}");
    assert!(html.contains("data-fill-in"));

    // A server the list showed is drawn from it, budget or not.
    let server = app.sim_items("servers").remove(0);
    let id = server["id"].as_str().expect("an id");
    let (status, html) = app.get_html(&admin, &format!("{ORG}/servers/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(text(&html, "h1"), server["name"].as_str().expect("a name"));
}

#[tokio::test]
async fn what_a_member_looked_at_is_refreshed_in_the_background() {
    let app = spawn(
        |s| s.cache_ttl = Duration::from_millis(300),
        |c| c.rate_limit = 100_000,
    )
    .await;
    let admin = app.admin().await;
    let (status, _) = app.get_html(&admin, &format!("{ORG}/servers")).await;
    assert_eq!(status, 200);
    let before = app.state.cloud.counters();

    // Nobody asks again; the refresher renews the list once it is out of date.
    let mut refreshed = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        refreshed = app.state.cloud.counters().refreshes - before.refreshes;
        if refreshed >= 2 {
            break;
        }
    }
    assert!(refreshed >= 2, "refreshes: {refreshed}");
    let (status, html) = app.get_html(&admin, &format!("{ORG}/servers")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("data-stale-notice"), "{html}");
}

/// The overview on a cold cache reads each family it shows once, and the
/// monitoring center; the account card's health line is the time of those
/// answers, not a `/ping` of its own. The E2E account's card costs one read
/// of its nodes, which its nodes page then shows without a call.
#[tokio::test]
async fn a_cold_overview_costs_one_call_per_family_it_shows() {
    let app = spawn(|_| {}, |_| {}).await;
    let admin = app.admin().await;
    let before = app.state.cloud.counters().upstream_calls;

    let (status, html) = app.get_html(&admin, &format!("{ORG}/")).await;

    assert_eq!(status, 200, "{html}");
    let calls = app.state.cloud.counters().upstream_calls - before;
    let doc = scraper::Html::parse_document(&html);
    let cards = doc
        .select(&scraper::Selector::parse("section.family-card").expect("a selector"))
        .count();
    assert!(cards >= 10, "the family cards: {cards}");
    // Each family card, plus the monitoring center's alerts, plus the demo's
    // E2E account's card reading its node list once (on E2E's own budget).
    assert_eq!(calls, cards as u64 + 2, "{}", text(&html, "main"));
    assert!(
        text(&html, "section.account-card").contains("The API answered the counts above at"),
        "{}",
        text(&html, "section.account-card")
    );
}
