//! Process-wide Prometheus metrics: what the panel counts while it runs.
//!
//! The recording functions are called from the request middleware, the
//! Cloud Panel client, the sign-in page and the audit log; `/metrics`
//! (in `web::metrics`) encodes them. Labels are bounded and carry no ids,
//! names or secrets: a route is its pattern (`/o/{slug}/servers/{id}`),
//! an upstream call its resource family, an account its numeric id.
//!
//! This module imports nothing from the rest of the crate, so any layer may
//! record into it without a dependency cycle.

use std::sync::{Arc, LazyLock};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The Cloud Panel's resource families (the first path segment of every
/// endpoint in the reference); any other path is counted as `other`.
const FAMILIES: &[&str] = &[
    "block_storages",
    "datacenters",
    "dvd_isos",
    "firewall_policies",
    "images",
    "load_balancers",
    "logs",
    "monitoring_center",
    "monitoring_policies",
    "ping",
    "ping_auth",
    "pricing",
    "private_networks",
    "public_ips",
    "recovery_appliances",
    "roles",
    "server_appliances",
    "servers",
    "shared_storages",
    "ssh_keys",
    "usages",
    "users",
    "vpns",
];

/// Latency buckets in seconds: a page renders in milliseconds, an upstream
/// call may take seconds.
const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Arc<str>,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabels {
    family: &'static str,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignInLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AccountLabels {
    account_id: i64,
}

/// What one process has counted since it started.
struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    upstream: Family<UpstreamLabels, Counter>,
    sign_ins: Family<SignInLabels, Counter>,
    audit_events: Counter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics {
    requests: Family::default(),
    latency: Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS)),
    upstream: Family::default(),
    sign_ins: Family::default(),
    audit_events: Counter::default(),
});

/// One answered HTTP request. `route` is the matched pattern, never the
/// path; it is shared, so counting a request copies no label.
pub fn http_request(method: &'static str, route: &Arc<str>, status: u16, seconds: f64) {
    let m = &*METRICS;
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status,
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels {
            method,
            route: route.clone(),
        })
        .observe(seconds);
}

/// The resource family of an upstream path such as `/v1/servers/ABC/status`.
/// The client labels a call with its endpoint's family from its own table
/// (the same values) and asks this only for a path the table lacks.
pub fn upstream_family(path: &str) -> &'static str {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .find_map(|segment| FAMILIES.iter().find(|f| **f == segment).copied())
        .unwrap_or("other")
}

/// One call sent to the Cloud Panel. `error` is `None` on success, else the
/// HTTP status of the refusal (`None` inside when nothing usable answered).
pub fn upstream_call(family: &'static str, error: Option<Option<u16>>) {
    let status = match error {
        None => "2xx".to_owned(),
        Some(Some(code)) => code.to_string(),
        Some(None) => "no_answer".to_owned(),
    };
    METRICS
        .upstream
        .get_or_create(&UpstreamLabels { family, status })
        .inc();
}

/// One sign-in attempt, by the outcome its audit event records: the sign-in
/// page records a throttled attempt as `denied`, a refused one as `failed`.
pub fn sign_in(audit_outcome: &str) {
    let outcome = match audit_outcome {
        "succeeded" => "succeeded",
        "denied" => "throttled",
        _ => "failed",
    };
    METRICS
        .sign_ins
        .get_or_create(&SignInLabels { outcome })
        .inc();
}

/// One event appended to the audit log.
pub fn audit_event_written() {
    METRICS.audit_events.inc();
}

/// What the Cloud Panel client knows at the moment of a scrape.
#[derive(Debug, Clone, Default)]
pub struct ClientSnapshot {
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// (account id, requests left in the current window).
    pub budgets: Vec<(i64, u32)>,
}

/// The text exposition of every metric, with the client's numbers of now.
pub fn encode(client: &ClientSnapshot) -> Result<String, std::fmt::Error> {
    let m = &*METRICS;
    let mut registry = Registry::with_prefix("teampanel");
    registry.register(
        "http_requests",
        "HTTP requests answered, by method, route pattern and status",
        m.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request, by method and route pattern",
        m.latency.clone(),
    );
    registry.register(
        "upstream_calls",
        "Calls sent to the Cloud Panel API, by resource family and status",
        m.upstream.clone(),
    );
    registry.register(
        "sign_ins",
        "Sign-in attempts, by outcome (succeeded, failed, throttled)",
        m.sign_ins.clone(),
    );
    registry.register(
        "audit_events_written",
        "Events appended to the audit log",
        m.audit_events.clone(),
    );
    let hits = Counter::<u64>::default();
    hits.inc_by(client.cache_hits);
    registry.register(
        "cache_hits",
        "Cloud Panel reads answered from a fresh cache entry",
        hits,
    );
    let misses = Counter::<u64>::default();
    misses.inc_by(client.cache_misses);
    registry.register(
        "cache_misses",
        "Cloud Panel reads that found no fresh cache entry",
        misses,
    );
    let budget = Family::<AccountLabels, Gauge>::default();
    for (account_id, remaining) in &client.budgets {
        budget
            .get_or_create(&AccountLabels {
                account_id: *account_id,
            })
            .set(i64::from(*remaining));
    }
    registry.register(
        "upstream_budget_remaining",
        "Requests the panel may still send in the current rate-limit window, by cloud account id",
        budget,
    );
    let info = Family::<VersionLabels, Gauge>::default();
    info.get_or_create(&VersionLabels {
        version: env!("CARGO_PKG_VERSION"),
    })
    .set(1);
    registry.register("build_info", "The running build's version", info);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_paths_map_to_their_family_and_never_to_an_id() {
        assert_eq!(upstream_family("/v1/servers/ABC123/status"), "servers");
        assert_eq!(upstream_family("/v1/ping_auth"), "ping_auth");
        assert_eq!(upstream_family("/servers"), "servers");
        assert_eq!(upstream_family("/v1/ABC123"), "other");
    }

    #[test]
    fn the_text_names_every_family_of_metrics() {
        upstream_call("servers", Some(Some(404)));
        sign_in("denied");
        let text = encode(&ClientSnapshot {
            budgets: vec![(7, 21)],
            ..ClientSnapshot::default()
        })
        .unwrap();
        for needle in [
            "teampanel_upstream_calls_total{family=\"servers\",status=\"404\"}",
            "teampanel_sign_ins_total{outcome=\"throttled\"}",
            "teampanel_upstream_budget_remaining{account_id=\"7\"} 21",
            "teampanel_build_info{version=",
            "# EOF",
        ] {
            assert!(text.contains(needle), "{needle} in\n{text}");
        }
    }
}
