//! `/metrics`: refused without the bearer token, Prometheus text with it,
//! and no label that holds an id, a slug or a name.

use std::collections::BTreeSet;

use teampanel::config::{Secret, Settings};

use crate::helpers::{TestApp, client};

const METRICS_TOKEN: &str = "scrape-token-9f8e7d6c5b4a";

/// The demo (panel, simulator, organisation `demo` with one account), with
/// the metrics endpoint on.
async fn demo_with_metrics() -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(data_dir.path(), "127.0.0.1:0".parse().unwrap());
    settings.metrics_token = Some(Secret::new(METRICS_TOKEN.into()));
    let demo = teampanel::demo::prepare_with(settings.clone(), |config| {
        config.speed = 50.0;
        config.rate_limit = 100_000;
    })
    .await
    .unwrap();
    let address = format!("http://127.0.0.1:{}", demo.app.port());
    let state = demo.app.state();
    tokio::spawn(demo.app.run_until_stopped());
    TestApp {
        address,
        admin_email: teampanel::demo::ADMIN_EMAIL.to_owned(),
        admin_password: demo.password,
        simulator: Some(demo.simulator),
        sim_token: demo.token,
        e2e_simulator: Some(demo.e2e_simulator),
        e2e_token: demo.e2e_token,
        state,
        settings,
        data_dir,
    }
}

async fn scrape(app: &TestApp, authorization: Option<&str>) -> (u16, String) {
    let mut request = client().get(app.url("/metrics"));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// One sample of the text format.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
}

/// Parses the Prometheus/OpenMetrics text exposition strictly enough to
/// catch a malformed line; returns the samples.
fn parse(text: &str) -> Vec<Sample> {
    assert!(text.ends_with("# EOF\n"), "the exposition ends with # EOF");
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let kind = comment.split(' ').next().unwrap();
            assert!(matches!(kind, "HELP" | "TYPE" | "UNIT" | "EOF"), "{line}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert!(value.parse::<f64>().is_ok(), "value of {line}");
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}"));
                let labels = body
                    .split("\",")
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) =
                            pair.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
                        (key.to_owned(), value.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name, labels)
            }
            None => (series, Vec::new()),
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        samples.push(Sample {
            name: name.to_owned(),
            labels,
        });
    }
    samples
}

#[tokio::test]
async fn metrics_are_refused_without_the_token_and_off_without_the_setting() {
    let app = demo_with_metrics().await;
    for authorization in [None, Some("Bearer wrong"), Some(METRICS_TOKEN)] {
        let (status, body) = scrape(&app, authorization).await;
        assert_eq!(status, 401, "{authorization:?}");
        assert!(!body.contains("teampanel_"), "{authorization:?}");
    }

    let off = crate::helpers::spawn_app().await;
    let (status, _) = scrape(&off, Some(&format!("Bearer {METRICS_TOKEN}"))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn metrics_parse_and_label_routes_by_pattern_never_by_id() {
    let app = demo_with_metrics().await;
    let admin = app.admin().await;
    let servers = app.sim_items("servers");
    let server_id = servers[0]["id"].as_str().unwrap().to_owned();
    for path in [
        "/o/demo/servers".to_owned(),
        format!("/o/demo/servers/{server_id}"),
        "/no/such/page/12345".to_owned(),
    ] {
        let status = app.get(&admin, &path).await.status().as_u16();
        assert!(status < 500, "{path}: {status}");
    }
    let _ = app
        .login(&client(), "nobody@example.org", "wrong password")
        .await;

    let (status, text) = scrape(&app, Some(&format!("Bearer {METRICS_TOKEN}"))).await;

    assert_eq!(status, 200);
    let samples = parse(&text);
    let names: BTreeSet<&str> = samples.iter().map(|s| s.name.as_str()).collect();
    for name in [
        "teampanel_http_requests_total",
        "teampanel_http_request_duration_seconds_bucket",
        "teampanel_upstream_calls_total",
        "teampanel_cache_hits_total",
        "teampanel_cache_misses_total",
        "teampanel_upstream_budget_remaining",
        "teampanel_sign_ins_total",
        "teampanel_audit_events_written_total",
        "teampanel_build_info",
    ] {
        assert!(names.contains(name), "{name} missing from\n{text}");
    }
    let routes: BTreeSet<&str> = samples
        .iter()
        .flat_map(|s| &s.labels)
        .filter(|(key, _)| key == "route")
        .map(|(_, value)| value.as_str())
        .collect();
    assert!(routes.contains("/o/{slug}/servers"), "{routes:?}");
    assert!(routes.contains("unmatched"), "{routes:?}");
    for sample in &samples {
        for (key, value) in &sample.labels {
            for leak in [
                server_id.as_str(),
                "/o/demo",
                "12345",
                METRICS_TOKEN,
                "Demo",
            ] {
                assert!(!value.contains(leak), "{key}={value} holds {leak}");
            }
        }
    }
    assert!(
        samples
            .iter()
            .any(|s| s.name == "teampanel_upstream_calls_total"
                && s.labels.contains(&("family".into(), "servers".into()))),
        "{text}"
    );
    assert!(
        samples.iter().any(|s| s.name == "teampanel_sign_ins_total"
            && s.labels.contains(&("outcome".into(), "failed".into()))),
        "{text}"
    );
    eprintln!("metrics series in this scrape: {}", samples.len());
}
