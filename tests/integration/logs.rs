//! The Cloud Panel logs pages against the simulator: a change made through
//! the panel is listed and linked to its audit events, its page shows every
//! field, a custom range is checked before anything is sent, and refusals.

use scraper::{Html, Selector};
use teampanel::simulator::Faults;

use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::private_networks::{attr, field_error, rows_with};
use crate::servers::{ORG, post, seeded};

/// Renames a seeded server through the panel; its id.
async fn rename_a_server(app: &TestApp, c: &reqwest::Client) -> String {
    let (id, _) = seeded(app, "POWERED_ON");
    let response = post(
        app,
        c,
        &format!("/servers/{id}/rename"),
        &[("name", "renamed-for-logs"), ("description", "")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303, "{}", location(&response));
    id
}

/// The list's row of a resource: (log page address, audit link if any).
fn row_of(html: &str, resource: &str) -> Option<(String, Option<String>)> {
    let doc = Html::parse_document(html);
    let rows = Selector::parse("table#logs tbody tr").unwrap();
    let log = Selector::parse("a.log-link").unwrap();
    let audit = Selector::parse("a.audit-link").unwrap();
    doc.select(&rows)
        .find(|r| r.text().collect::<String>().contains(resource))
        .map(|r| {
            let href = |s: &Selector| {
                r.select(s)
                    .next()
                    .and_then(|a| a.value().attr("href"))
                    .map(str::to_owned)
            };
            (href(&log).unwrap_or_default(), href(&audit))
        })
}

#[tokio::test]
async fn a_change_made_here_is_listed_and_linked_to_its_audit_events() {
    // Arrange: a server renamed through the panel.
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = rename_a_server(&app, &c).await;

    // Act: the last hour's logs.
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/logs?period=LAST_HOUR"))
        .await;

    // Assert: the rename is there, with its audit link; the period is kept.
    assert_eq!(status, 200);
    assert_eq!(
        attr(&html, "#period option[selected]", "value").as_deref(),
        Some("LAST_HOUR")
    );
    let (log_href, audit_href) = row_of(&html, "renamed-for-logs").expect("the rename is listed");
    let audit_href = audit_href.expect("an audit link");
    assert!(
        audit_href.starts_with(&format!("{ORG}/audit?target={id}&from=")),
        "{audit_href}"
    );
    let (status, audit_page) = app.get_html(&c, &audit_href).await;
    assert_eq!(status, 200);
    assert!(text_of(&audit_page, "main").contains("server.rename"));

    // Act: the log's own page.
    let (status, html) = app.get_html(&c, &log_href).await;

    // Assert: its fields, and the same audit link.
    assert_eq!(status, 200);
    let main = text_of(&html, "main");
    for field in ["MODIFY", "VM", "renamed-for-logs", id.as_str(), "COMPLETED"] {
        assert!(main.contains(field), "{field}: {main}");
    }
    assert_eq!(
        attr(&html, "#audit-link", "href").as_deref(),
        Some(audit_href.as_str())
    );
}

#[tokio::test]
async fn a_custom_range_that_ends_before_it_starts_is_refused_beside_the_field() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    // Any request that reached the Cloud Panel would now fail loudly.
    let simulator = app.simulator.as_ref().unwrap();
    simulator
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();

    let (status, html) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/logs?period=CUSTOM&start_date=2025-05-02T10:00&end_date=2025-05-01T10:00"
            ),
        )
        .await;

    simulator.set_faults(Faults::default()).unwrap();
    assert!(status == 200 || status == 422, "{status}");
    assert!(field_error(&html, "end_date").contains("ends before it starts"));
    assert!(
        !text_of(&html, "main").contains("Could not load"),
        "no call"
    );
    assert_eq!(
        attr(&html, "#period option[selected]", "value").as_deref(),
        Some("CUSTOM")
    );
    assert_eq!(
        attr(&html, "#start_date", "value").as_deref(),
        Some("2025-05-02T10:00")
    );
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/logs?period=CUSTOM&start_date=soon"))
        .await;
    assert!(field_error(&html, "start_date").contains("not a date"));
    assert!(field_error(&html, "end_date").contains("enter a date"));
}

#[tokio::test]
async fn a_custom_range_and_nonsense_in_the_address_still_show_the_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    rename_a_server(&app, &c).await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();

    let (status, html) = app
        .get_html(
            &c,
            &format!("{ORG}/logs?period=CUSTOM&start_date={today}&end_date={today}"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(row_of(&html, "renamed-for-logs").is_some());

    for query in [
        "period=NEVER&page=abc&sort=%3Cscript%3E",
        "page=-4&account=x&q=%00",
        "period=last_7d&start_date=garbage&q=renamed&sort=-name&page=99999999999",
    ] {
        let (status, html) = app.get_html(&c, &format!("{ORG}/logs?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert!(!html.contains("<script>"), "{query}");
    }
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/logs?period=LAST_24H&q=renamed-for"))
        .await;
    assert!(row_of(&html, "renamed-for-logs").is_some());
}

#[tokio::test]
async fn a_member_without_logs_show_is_refused_and_it_is_recorded() {
    let app = spawn_demo().await;
    let c = app
        .member_with("nologs@example.org", &["servers.show"])
        .await;

    for path in ["/logs", "/logs/ABCDEF0123456789"] {
        let response = app.get(&c, &format!("{ORG}{path}")).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "main").contains("logs.show"), "{path}");
    }
    assert_eq!(rows_with(&app, "logs.show", "denied").await, 2);
}

#[tokio::test]
async fn a_member_who_may_not_read_the_audit_log_sees_no_audit_links() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    rename_a_server(&app, &admin).await;
    let c = app.member_with("logs@example.org", &["logs.show"]).await;

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/logs?period=LAST_HOUR"))
        .await;

    assert_eq!(status, 200);
    let (log_href, audit) = row_of(&html, "renamed-for-logs").expect("listed");
    assert!(audit.is_none());
    assert!(!html.contains("/audit?"));
    let (status, html) = app.get_html(&c, &log_href).await;
    assert_eq!(status, 200);
    assert!(attr(&html, "#audit-link", "href").is_none());
    assert!(text_of(&html, "#audit").contains("may not read the audit log"));
    assert_eq!(
        rows_with(&app, "organisation.view_audit", "denied").await,
        0
    );
}

#[tokio::test]
async fn an_unknown_log_is_not_found_in_the_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    for id in ["ABCDEF0123456789ABCDEF0123456789", "not..an%2Fid"] {
        let (status, html) = app.get_html(&c, &format!("{ORG}/logs/{id}")).await;
        assert_eq!(status, 404, "{id}");
        assert!(html.contains("<main"), "{id}: in the page");
    }
}
