//! The usage and cost pages against the simulator: the usages of every
//! period grouped by family with totals and a chart, a wrong custom range
//! refused before anything is sent, the pricing list, and the monthly cost
//! estimate checked against the simulator's own prices.

use scraper::{Html, Selector};
use serde_json::Value;
use teampanel::simulator::Faults;

use crate::helpers::{TestApp, spawn_demo, text_of};
use crate::private_networks::{attr, field_error, rows_with};
use crate::servers::ORG;

/// The cells of every row of a table, as text.
fn rows(html: &str, css: &str) -> Vec<Vec<String>> {
    let doc = Html::parse_document(html);
    let row = Selector::parse(css).unwrap();
    let cell = Selector::parse("td, th").unwrap();
    doc.select(&row)
        .map(|r| {
            r.select(&cell)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

/// A figure as the pages print it (`1 234.5`) read back.
fn figure(text: &str) -> f64 {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a figure: {text:?}"))
}

/// An answer of the simulator itself, with the demo account's token.
async fn sim_get(app: &TestApp, path: &str) -> Value {
    let sim = app.simulator.as_ref().unwrap();
    reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url))
        .header("X-TOKEN", &app.sim_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_period_shows_the_usage_per_family_with_totals_and_a_chart() {
    // Arrange
    let app = spawn_demo().await;
    let c = app.admin().await;
    let vcores: f64 = app
        .sim_items("servers")
        .iter()
        .map(|s| s["hardware"]["vcore"].as_f64().unwrap_or(0.0))
        .sum();

    for (period, hours) in [
        ("LAST_HOUR", 1.0),
        ("LAST_24H", 24.0),
        ("LAST_7D", 168.0),
        ("LAST_30D", 720.0),
        ("LAST_365D", 8760.0),
    ] {
        // Act
        let (status, html) = app
            .get_html(&c, &format!("{ORG}/usage?period={period}"))
            .await;

        // Assert: the period is kept, each family of the payload has its
        // table, the servers' CPU total is the simulator's, and a chart.
        assert_eq!(status, 200, "{period}");
        assert_eq!(
            attr(&html, "#period option[selected]", "value").as_deref(),
            Some(period)
        );
        for family in ["Servers", "Images", "Shared storages", "Public IPs"] {
            assert!(
                text_of(&html, "main").contains(family),
                "{period}: {family}"
            );
        }
        assert!(text_of(&html, "#family-SERVERS").contains("web-01"));
        let totals = rows(&html, "#family-SERVERS tfoot tr");
        let cpu = totals
            .iter()
            .find(|r| r[1].ends_with("vCore·h"))
            .unwrap_or_else(|| panic!("{period}: a vCore total in {totals:?}"));
        assert!(
            (figure(&cpu[1]) - vcores * hours).abs() < 0.01,
            "{period}: {cpu:?} against {vcores} vCores × {hours} h"
        );
        assert!(
            html.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars""#)
        );
        assert!(html.contains(r#"aria-label="Usage in vCore-hours per family and service""#));
        assert!(!html.contains("style="), "{period}");
    }
}

#[tokio::test]
async fn a_wrong_custom_range_is_refused_beside_the_field_and_nothing_is_sent() {
    // Arrange: any request that reached the Cloud Panel would now fail loudly.
    let app = spawn_demo().await;
    let c = app.admin().await;
    let simulator = app.simulator.as_ref().unwrap();
    simulator
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();

    // Act
    let (status, html) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/usage?period=CUSTOM&start_date=2025-05-02T10:00&end_date=2025-05-01T10:00"
            ),
        )
        .await;
    let (_, garbled) = app
        .get_html(&c, &format!("{ORG}/usage?period=CUSTOM&start_date=soon"))
        .await;
    simulator.set_faults(Faults::default()).unwrap();

    // Assert: the message beside the field, what was typed kept, no call made.
    assert_eq!(status, 200);
    assert!(field_error(&html, "end_date").contains("ends before it starts"));
    assert_eq!(
        attr(&html, "#start_date", "value").as_deref(),
        Some("2025-05-02T10:00")
    );
    assert!(!text_of(&html, "main").contains("Could not load"));
    assert!(!html.contains("<svg"));
    assert!(field_error(&garbled, "start_date").contains("not a date"));
    assert!(field_error(&garbled, "end_date").contains("enter a date"));

    // A right custom range is asked for and shown.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (status, html) = app
        .get_html(
            &c,
            &format!("{ORG}/usage?period=CUSTOM&start_date={today}&end_date={today}"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#family-SERVERS").contains("db-01"));
}

#[tokio::test]
async fn the_pricing_list_is_readable() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/usage/pricing")).await;

    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "#currency"), "EUR");
    let main = text_of(&html, "main");
    for text in [
        "Servers of a fixed size",
        "Flexible servers (per part)",
        "Public IPs",
        "Shared storages",
        "Software licences",
        "server/month",
        "4 vCore · 8 GB RAM · 160 GB disk",
        "Red hat enterprise linux",
        "0.009863 per vCore",
        "730 hours",
    ] {
        assert!(main.contains(text), "{text}: {main}");
    }
    let xxl = rows(&html, "table.prices tbody tr")
        .into_iter()
        .find(|r| r[0].starts_with("XXL"))
        .expect("the XXL size");
    assert_eq!(xxl[2], "49.99 EUR");
    assert_eq!(xxl[3], "60.5 EUR");
}

#[tokio::test]
async fn the_cost_estimate_matches_the_simulators_prices_for_the_seeded_servers() {
    // Arrange: the simulator's own price list and sizes.
    let app = spawn_demo().await;
    let c = app.admin().await;
    let pricing = sim_get(&app, "/pricing").await;
    let sizes = sim_get(&app, "/servers/fixed_instance_sizes").await;
    let plans = &pricing["pricing_plans"]["server"];
    let price = |list: &Value, name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["price_net"].as_f64())
            .unwrap()
    };
    let expected: Vec<(String, f64)> = app
        .sim_items("servers")
        .iter()
        .map(|s| {
            let hw = &s["hardware"];
            let disk: f64 = hw["hdds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["size"].as_f64().unwrap())
                .sum();
            let cost = match hw["fixed_instance_size_id"]
                .as_str()
                .filter(|id| !id.is_empty())
            {
                Some(id) => {
                    let size = sizes
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|z| z["id"] == id)
                        .unwrap();
                    let size_disk: f64 = size["hardware"]["hdds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d["size"].as_f64().unwrap())
                        .sum();
                    price(&plans["fixed_servers"], size["name"].as_str().unwrap())
                        + (disk - size_disk).max(0.0) * price(&plans["flexible_sever"], "SSD")
                }
                None => {
                    hw["vcore"].as_f64().unwrap() * price(&plans["flexible_sever"], "CPU")
                        + hw["ram"].as_f64().unwrap() * price(&plans["flexible_sever"], "RAM")
                        + disk * price(&plans["flexible_sever"], "SSD")
                }
            };
            (s["name"].as_str().unwrap().to_owned(), cost)
        })
        .collect();

    // Act
    let (status, html) = app.get_html(&c, &format!("{ORG}/usage/costs")).await;

    // Assert: each server's figure, how it was computed, the total, the chart.
    assert_eq!(status, 200);
    let shown = rows(&html, "#per-server tbody tr");
    assert_eq!(shown.len(), expected.len(), "{shown:?}");
    for (name, cost) in &expected {
        let row = shown
            .iter()
            .find(|r| &r[0] == name)
            .unwrap_or_else(|| panic!("{name} in {shown:?}"));
        assert!(
            (figure(&row[1]) - cost).abs() < 0.006,
            "{name}: {row:?} against {cost}"
        );
    }
    let db = expected.iter().find(|(n, _)| n == "db-01").unwrap();
    assert!((db.1 - (4.0 * 7.2 + 8.0 * 7.2 + 280.0 * 0.072)).abs() < 1e-9);
    let lines = rows(&html, "#cost-lines tbody tr");
    let cpu = lines
        .iter()
        .find(|r| r[0] == "db-01" && r[2] == "CPU")
        .expect("db-01's CPU line");
    assert_eq!(cpu[3], "4 vCore × 0.009863 EUR/h × 730 h");
    assert_eq!(cpu[4], "28.8 EUR");
    let total: f64 = lines.iter().map(|r| figure(&r[4])).sum();
    assert!((figure(&text_of(&html, "#total")) - total).abs() < 0.05);
    assert!(html.contains(r#"aria-label="Estimated monthly cost per family, in EUR""#));
    // What the list has no price for is said, not counted as zero.
    let unpriced = text_of(&html, "#unpriced");
    for name in ["db-data", "scratch", "web-lb"] {
        assert!(unpriced.contains(name), "{name}: {unpriced}");
    }
    assert!(unpriced.contains("not priced"));
    assert!(!lines.iter().any(|r| r[0] == "db-data"));
}

#[tokio::test]
async fn a_member_sees_the_estimate_only_for_the_families_they_may_see() {
    let app = spawn_demo().await;
    let c = app
        .member_with("costs@example.org", &["usages.show", "servers.show"])
        .await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/usage/costs")).await;

    assert_eq!(status, 200);
    let left_out = text_of(&html, "#left-out");
    for family in [
        "Block storages",
        "Shared storages",
        "Public IPs",
        "Images",
        "Load balancers",
    ] {
        assert!(left_out.contains(family), "{family}: {left_out}");
    }
    assert!(!left_out.contains("Servers"));
    assert!(text_of(&html, "#per-server").contains("db-01"));
    for hidden in ["db-data", "assets", "web-golden", "web-lb"] {
        assert!(!html.contains(hidden), "{hidden}");
    }
}

#[tokio::test]
async fn a_member_without_usages_show_is_refused_on_every_page() {
    let app = spawn_demo().await;
    let c = app
        .member_with("nousage@example.org", &["servers.show"])
        .await;

    for path in ["/usage", "/usage/pricing", "/usage/costs"] {
        let response = app.get(&c, &format!("{ORG}{path}")).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "main").contains("usages.show"), "{path}");
    }
    assert_eq!(rows_with(&app, "usages.show", "denied").await, 3);
}

#[tokio::test]
async fn unreadable_answers_show_a_problem_in_the_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    app.simulator
        .as_ref()
        .unwrap()
        .set_faults(Faults {
            malformed_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();

    for path in ["/usage?period=LAST_7D", "/usage/pricing", "/usage/costs"] {
        let (status, html) = app.get_html(&c, &format!("{ORG}{path}")).await;
        assert_eq!(status, 200, "{path}");
        assert!(text_of(&html, "main").contains("Could not load"), "{path}");
        assert!(!html.contains("7A1B<html>"), "{path}");
    }
}
