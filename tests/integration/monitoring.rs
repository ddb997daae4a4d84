//! The monitoring pages against the simulator: the monitoring center and a
//! server's charts over a period, and every monitoring policy operation
//! through the panel with the audit pair it leaves, bad values beside their
//! fields with nothing sent, confirmations, and refusals flag by flag.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::block_storages::followed;
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post, sim_servers};

fn policies(app: &TestApp) -> Vec<Value> {
    app.sim_items("monitoring_policies")
}

fn policy(app: &TestApp, id: &str) -> Option<Value> {
    policies(app).into_iter().find(|p| p["id"] == id)
}

fn policy_named(app: &TestApp, name: &str) -> Value {
    policies(app)
        .into_iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("a policy named {name}"))
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn server_id(app: &TestApp, name: &str) -> String {
    sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == name)
        .map(|s| id_of(&s))
        .unwrap_or_else(|| panic!("the server {name}"))
}

fn exists(html: &str, css: &str) -> bool {
    Html::parse_document(html)
        .select(&Selector::parse(css).unwrap())
        .next()
        .is_some()
}

fn attrs(html: &str, css: &str, name: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&Selector::parse(css).unwrap())
        .filter_map(|e| e.value().attr(name).map(str::to_owned))
        .collect()
}

/// The flash messages of the page a POST redirected to.
async fn flashes(app: &TestApp, c: &reqwest::Client, response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(c, &location(&response)).await;
    text_of(&html, ".flash")
}

/// Every audit row of the organisation, to show that nothing was recorded.
async fn audit_count(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

/// The create form's fields with the reference's defaults; `overrides` replace them.
fn create_fields<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "web-alerts"),
        ("description", "Web servers"),
        ("email", "web@example.com"),
        ("agent", "on"),
        ("cpu_warning", "80"),
        ("cpu_warning_alert", "on"),
        ("cpu_critical", "95"),
        ("cpu_critical_alert", "on"),
        ("ram_warning", "90"),
        ("ram_critical", "95"),
        ("disk_warning", "80"),
        ("disk_critical", "90"),
        ("internal_ping_warning", "50"),
        ("internal_ping_critical", "100"),
        ("transfer_warning", "1000"),
        ("transfer_critical", "2000"),
        ("port_protocol", "TCP"),
        ("port", "8443"),
        ("port_alert_if", "NOT_RESPONDING"),
        ("port_email_notification", "on"),
        ("process", "postgres"),
        ("process_alert_if", "NOT_RUNNING"),
    ];
    for (key, value) in overrides {
        fields.retain(|(k, _)| k != key);
        fields.push((key, value));
    }
    fields
}

/// Creates a policy through the form; returns its id.
async fn create(app: &TestApp, c: &reqwest::Client, name: &str) -> String {
    let response = post(
        app,
        c,
        "/monitoring_policies",
        &create_fields(&[("name", name)]),
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    id_of(&policy_named(app, name))
}

/// A form's address (under the policy), its fields, and what the answer shows.
type FormCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// A forged POST: the address, its fields, and the flag it needs.
type Forged<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);

/// A forged POST answers 403 with a `denied` event for the flag.
async fn assert_refused(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    flag: &str,
) {
    let before = audit_rows(app, flag).await.len();
    let response = post(app, c, path, fields).await;
    assert_eq!(response.status().as_u16(), 403, "{path}");
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "main").contains(flag), "{path}: {html}");
    let rows = audit_rows(app, flag).await;
    assert_eq!(rows.len(), before + 1, "{path}: {rows:?}");
    assert_eq!(rows.last().unwrap().0, "denied", "{path}");
}

#[tokio::test]
async fn the_monitoring_center_lists_every_server_with_its_checks() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/monitoring")).await;

    assert_eq!(status, 200);
    let names = text_of(&html, "table#monitored-servers .server-name");
    for s in sim_servers(&app) {
        assert!(names.contains(s["name"].as_str().unwrap()), "{names}");
    }
    assert!(text_of(&html, "table#monitored-servers").contains("CPU: ok"));
    let web = server_id(&app, "web-01");
    assert!(html.contains(&format!("/monitoring/{web}{}", account_query(&app).await)));
    // Search, sort, and nonsense in the address.
    let (_, html) = app.get_html(&c, &format!("{ORG}/monitoring?q=db-01")).await;
    assert_eq!(
        text_of(&html, "table#monitored-servers .server-name"),
        "db-01"
    );
    let (_, html) = app.get_html(&c, &format!("{ORG}/monitoring?q=zzz")).await;
    assert!(text_of(&html, "main").contains("No monitored servers match this search"));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/monitoring?sort=-name"))
        .await;
    assert!(text_of(&html, "table#monitored-servers .server-name").starts_with("web-02"));
    let (status, _) = app
        .get_html(
            &c,
            &format!("{ORG}/monitoring?page=x&sort=%3Cb%3E&account=y"),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_servers_monitoring_page_draws_a_chart_for_each_metric() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = server_id(&app, "web-01");

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/monitoring/{web}?period=LAST_7D"))
        .await;

    assert_eq!(status, 200, "{html}");
    assert_eq!(text_of(&html, "h1"), "web-01");
    assert_eq!(
        attrs(&html, "#period option[selected]", "value"),
        ["LAST_7D"]
    );
    for metric in ["cpu", "ram", "transfer", "ping", "packet-loss"] {
        let svg = format!("#chart-{metric} svg[role=img]");
        assert!(exists(&html, &svg), "{metric}");
        let title = text_of(&html, &format!("#chart-{metric} svg > title"));
        assert!(title.contains("12 readings"), "{metric}: {title}");
        let paths = attrs(&html, &format!("#chart-{metric} path.line"), "d");
        assert!(
            !paths.is_empty() && paths.iter().all(|d| d.starts_with('M')),
            "{metric}: {paths:?}"
        );
        assert_eq!(
            attrs(&html, &format!("#chart-{metric} svg"), "aria-labelledby"),
            [format!("chart-{metric}-title")]
        );
        assert!(text_of(&html, &format!("#chart-{metric} details table")).contains("UTC"));
    }
    assert_eq!(
        attrs(&html, "#chart-transfer path.line", "d").len(),
        2,
        "in and out"
    );
    assert!(text_of(&html, "#chart-cpu .chart-legend").contains("Critical 95 %"));
    // The API sends no disk samples: said, not drawn as an empty frame.
    assert!(!exists(&html, "#chart-disk svg"));
    assert!(text_of(&html, "#chart-disk").contains("No data for this period"));
    assert!(
        text_of(&html, "#status").contains("CPU ok"),
        "{}",
        text_of(&html, "#status")
    );
    assert!(exists(&html, "#alert-counts"));
    // The server's page links here, and this page back.
    let (_, server) = app.get_html(&c, &format!("{ORG}/servers/{web}")).await;
    assert_eq!(
        attrs(&server, "#server-monitoring", "href"),
        [format!(
            "{ORG}/monitoring/{web}{}",
            account_query(&app).await
        )]
    );
    assert!(exists(&html, "#server-page"));
}

#[tokio::test]
async fn a_custom_period_is_checked_before_anything_is_asked() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = server_id(&app, "web-01");

    let (status, html) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/monitoring/{web}?period=CUSTOM&start_date=2024-05-02T10:00&end_date=2024-05-01T10:00"
            ),
        )
        .await;

    assert_eq!(status, 422);
    assert!(text_of(&html, "#end_date-error").contains("ends before it starts"));
    assert_eq!(
        attrs(&html, "#end_date", "aria-invalid"),
        ["true".to_owned()]
    );
    assert_eq!(attrs(&html, "#start_date", "value"), ["2024-05-02T10:00"]);
    assert!(text_of(&html, "#error-summary").contains("nothing was asked"));
    assert!(!exists(&html, "svg"), "nothing was fetched, nothing drawn");
    let (status, html) = app
        .get_html(
            &c,
            &format!("{ORG}/monitoring/{web}?period=CUSTOM&start_date=yesterday&end_date="),
        )
        .await;
    assert_eq!(status, 422);
    assert!(exists(&html, "#start_date-error") && exists(&html, "#end_date-error"));
    // A good custom range is drawn.
    let (status, html) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/monitoring/{web}?period=CUSTOM&start_date=2024-05-01T00:00&end_date=2024-05-01T12:00"
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert!(exists(&html, "#chart-cpu svg"));
    // An unknown server is the page's own 404.
    let (status, _) = app
        .get_html(&c, &format!("{ORG}/monitoring/nope-404?period=LAST_HOUR"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_policy_is_created_with_its_thresholds_port_and_process_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app
        .get_html(&c, &format!("{ORG}/monitoring_policies/new"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(attrs(&form, "#cpu_warning", "value"), ["90"]);

    let response = post(&app, &c, "/monitoring_policies", &create_fields(&[])).await;

    assert_eq!(response.status().as_u16(), 303);
    let created = policy_named(&app, "web-alerts");
    let id = id_of(&created);
    assert_eq!(
        location(&response),
        format!(
            "{ORG}/monitoring_policies/{id}{}",
            account_query(&app).await
        )
    );
    assert_eq!(created["email"], "web@example.com");
    assert_eq!(created["agent"], true);
    assert_eq!(created["thresholds"]["cpu"]["warning"]["value"], 80);
    assert_eq!(created["thresholds"]["cpu"]["warning"]["alert"], true);
    assert_eq!(created["thresholds"]["ram"]["warning"]["alert"], false);
    assert_eq!(created["ports"][0]["port"], 8443);
    assert_eq!(created["processes"][0]["process"], "postgres");
    assert_eq!(created["processes"][0]["email_notification"], false);
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(text_of(&html, ".flash-success").contains("Created web-alerts"));
    assert!(text_of(&html, "#port-table").contains("TCP 8443"));
    assert_audited_pair(&app, "monitoring_policy.create").await;
    let (_, list) = app
        .get_html(&c, &format!("{ORG}/monitoring_policies"))
        .await;
    assert!(text_of(&list, "table#monitoring-policies .policy-name").contains("web-alerts"));
    let (_, list) = app
        .get_html(&c, &format!("{ORG}/monitoring_policies?q=ops%40example"))
        .await;
    assert_eq!(
        text_of(&list, "table#monitoring-policies .policy-name"),
        "Production"
    );
}

#[tokio::test]
async fn bad_values_on_the_create_form_are_refused_beside_their_fields() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = (policies(&app).len(), audit_count(&app).await);

    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("name", "")], "#name-error"),
        (&[("email", "not-an-address")], "#email-error"),
        (&[("description", &"d".repeat(257))], "#description-error"),
        (&[("cpu_warning", "96")], "#cpu_warning-error"),
        (
            &[("ram_warning", "95"), ("ram_critical", "90")],
            "#ram_critical-error",
        ),
        (&[("transfer_critical", "lots")], "#transfer_critical-error"),
        (&[("port", "70000")], "#port-error"),
        (&[("port_protocol", "ICMP")], "#port-error"),
        (&[("agent", "")], "#process-error"),
        (&[("process", &"p".repeat(51))], "#process-error"),
    ];
    for (overrides, error) in cases {
        let response = post(&app, &c, "/monitoring_policies", &create_fields(overrides)).await;
        assert_eq!(response.status().as_u16(), 422, "{error}");
        let html = response.text().await.unwrap();
        assert!(exists(&html, error), "{error}: {}", text_of(&html, "main"));
        assert!(exists(&html, "#error-summary"), "{error}");
        assert_eq!(
            attrs(&html, "#email", "value").len(),
            1,
            "the form comes back"
        );
    }
    // What was typed comes back.
    let response = post(
        &app,
        &c,
        "/monitoring_policies",
        &create_fields(&[("email", "nope"), ("name", "kept name")]),
    )
    .await;
    let html = response.text().await.unwrap();
    assert_eq!(attrs(&html, "#name", "value"), ["kept name"]);
    assert_eq!(attrs(&html, "#email", "value"), ["nope"]);
    assert_eq!(attrs(&html, "#email", "aria-describedby"), ["email-error"]);

    assert_eq!(
        (policies(&app).len(), audit_count(&app).await),
        before,
        "nothing sent"
    );
}

#[tokio::test]
async fn every_policy_operation_reaches_the_cloud_panel_and_is_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create(&app, &c, "ops").await;
    let base = format!("/monitoring_policies/{id}");

    // Name, description and e-mail.
    let response = post(
        &app,
        &c,
        &format!("{base}/settings"),
        &[
            ("name", "ops-renamed"),
            ("description", "for tests"),
            ("email", "oncall@example.com"),
        ],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Saved: ops-renamed")
    );
    let p = policy(&app, &id).unwrap();
    assert_eq!(
        (&p["name"], &p["description"], &p["email"]),
        (
            &Value::from("ops-renamed"),
            &Value::from("for tests"),
            &Value::from("oncall@example.com")
        )
    );
    assert_audited_pair(&app, "monitoring_policy.update").await;

    // Thresholds and the agent.
    let mut fields = create_fields(&[("disk_warning", "70"), ("disk_critical_alert", "on")]);
    fields.retain(|(k, _)| k.contains("_warning") || k.contains("_critical"));
    let response = post(&app, &c, &format!("{base}/thresholds"), &fields).await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Saved the thresholds of ops-renamed")
    );
    let p = policy(&app, &id).unwrap();
    assert_eq!(p["thresholds"]["disk"]["warning"]["value"], 70);
    assert_eq!(p["thresholds"]["disk"]["critical"]["alert"], true);
    assert_eq!(p["agent"], false, "the unticked agent box");
    assert_audited_pair(&app, "monitoring_policy.thresholds").await;
    let again = create_fields(&[("disk_warning", "70"), ("disk_critical_alert", "on")]);
    post(&app, &c, &format!("{base}/thresholds"), &again).await;
    assert_eq!(policy(&app, &id).unwrap()["agent"], true);

    // Ports: add, change, remove.
    let response = post(
        &app,
        &c,
        &format!("{base}/ports"),
        &[
            ("protocol", "UDP"),
            ("port", "53"),
            ("alert_if", "RESPONDING"),
        ],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("UDP 53 is watched by ops-renamed")
    );
    assert_audited_pair(&app, "monitoring_policy.port_add").await;
    let port = policy(&app, &id).unwrap()["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["port"] == 53)
        .cloned()
        .unwrap();
    assert_eq!(port["email_notification"], false);
    let port_id = id_of(&port);
    let response = post(
        &app,
        &c,
        &format!("{base}/ports/{port_id}"),
        &[("alert_if", "NOT_RESPONDING"), ("email_notification", "on")],
    )
    .await;
    assert!(flashes(&app, &c, response).await.contains("Saved UDP 53"));
    let port = policy(&app, &id).unwrap()["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == port_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        (&port["alert_if"], &port["email_notification"]),
        (&Value::from("NOT_RESPONDING"), &Value::from(true))
    );
    assert_audited_pair(&app, "monitoring_policy.port_update").await;
    let response = post(
        &app,
        &c,
        &format!("{base}/ports/{port_id}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("no longer watched")
    );
    assert!(
        !policy(&app, &id).unwrap()["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == port_id.as_str())
    );
    assert_audited_pair(&app, "monitoring_policy.port_remove").await;

    // Processes: add, change, remove.
    let response = post(
        &app,
        &c,
        &format!("{base}/processes"),
        &[
            ("process", "redis"),
            ("alert_if", "NOT_RUNNING"),
            ("email_notification", "on"),
        ],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("redis is watched by ops-renamed")
    );
    assert_audited_pair(&app, "monitoring_policy.process_add").await;
    let process_id = policy(&app, &id).unwrap()["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["process"] == "redis")
        .map(id_of)
        .unwrap();
    let response = post(
        &app,
        &c,
        &format!("{base}/processes/{process_id}"),
        &[("alert_if", "RUNNING")],
    )
    .await;
    assert!(flashes(&app, &c, response).await.contains("Saved redis"));
    let p = policy(&app, &id).unwrap();
    let process = p["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == process_id.as_str())
        .unwrap();
    assert_eq!(
        (&process["alert_if"], &process["email_notification"]),
        (&Value::from("RUNNING"), &Value::from(false))
    );
    assert_audited_pair(&app, "monitoring_policy.process_update").await;
    let response = post(
        &app,
        &c,
        &format!("{base}/processes/{process_id}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("no longer watched")
    );
    assert_audited_pair(&app, "monitoring_policy.process_remove").await;

    // Servers: the select offers only those not attached; attach, detach.
    let web2 = server_id(&app, "web-02");
    let (_, html) = app.get_html(&c, &format!("{ORG}{base}")).await;
    assert!(attrs(&html, "#attach-servers input[name=server]", "value").contains(&web2));
    let response = post(&app, &c, &format!("{base}/servers"), &[("server", &web2)]).await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Attached 1 server to ops-renamed")
    );
    assert!(
        policy(&app, &id).unwrap()["servers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == web2.as_str())
    );
    assert_audited_pair(&app, "monitoring_policy.servers_attach").await;
    let (_, html) = app.get_html(&c, &format!("{ORG}{base}")).await;
    assert!(!attrs(&html, "#attach-servers input[name=server]", "value").contains(&web2));
    assert!(text_of(&html, "#server-table").contains("web-02"));
    let response = post(
        &app,
        &c,
        &format!("{base}/servers/{web2}/remove"),
        &[("confirm", "yes")],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("no longer watched")
    );
    assert!(
        policy(&app, &id).unwrap()["servers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_audited_pair(&app, "monitoring_policy.server_detach").await;

    // Clone: a new policy with the same settings.
    let response = post(&app, &c, &format!("{base}/clone"), &[("name", "ops-copy")]).await;
    let copy = policy_named(&app, "ops-copy");
    assert_eq!(
        location(&response),
        format!(
            "{ORG}/monitoring_policies/{}{}",
            id_of(&copy),
            account_query(&app).await
        )
    );
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Created ops-copy, a copy of ops-renamed")
    );
    assert_eq!(copy["email"], "oncall@example.com");
    assert_eq!(copy["thresholds"]["disk"]["warning"]["value"], 70);
    assert_audited_pair(&app, "monitoring_policy.clone").await;

    // Delete, once the name is typed.
    let response = post(
        &app,
        &c,
        &format!("{base}/delete"),
        &[("confirm_name", "ops-renamed")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/monitoring_policies{}", account_query(&app).await)
    );
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Deleting ops-renamed")
    );
    assert_audited_pair(&app, "monitoring_policy.delete").await;
}

#[tokio::test]
async fn bad_values_on_the_policy_page_are_refused_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create(&app, &c, "strict").await;
    let base = format!("/monitoring_policies/{id}");
    let before = (policy(&app, &id).unwrap(), audit_count(&app).await);

    let forms: &[FormCase] = &[
        (
            "settings",
            &[("name", ""), ("email", "x@y.z")],
            "#settings-name-error",
        ),
        (
            "settings",
            &[("name", "ok"), ("email", "nobody")],
            "#settings-email-error",
        ),
        ("thresholds", &[("cpu_warning", "0")], "#cpu_warning-error"),
        (
            "ports",
            &[
                ("protocol", "TCP"),
                ("port", "0"),
                ("alert_if", "RESPONDING"),
            ],
            "#add-port-port-error",
        ),
        (
            "processes",
            &[("process", ""), ("alert_if", "RUNNING")],
            "#add-process-process-error",
        ),
        ("clone", &[("name", "")], "#clone-name-error"),
    ];
    for (form, fields, error) in forms {
        // Back on the policy's page: the message beside the field, said above too.
        let response = post(&app, &c, &format!("{base}/{form}"), fields).await;
        let html = followed(&app, &c, &response).await;
        assert!(exists(&html, error), "{form}: {}", text_of(&html, "main"));
        assert!(
            text_of(&html, ".flash-error").contains("beside the fields"),
            "{form}"
        );
    }
    let response = post(
        &app,
        &c,
        &format!("{base}/settings"),
        &[("email", "nobody")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert_eq!(
        attrs(&html, "#settings-email", "value"),
        ["nobody"],
        "what was typed comes back"
    );
    assert_eq!(
        attrs(&html, "#settings-email", "aria-describedby"),
        ["settings-email-error"]
    );
    // The thresholds come back as typed, each message beside its level.
    let mut fields = create_fields(&[
        ("cpu_warning", "0"),
        ("disk_warning", "70"),
        ("ram_warning_alert", "on"),
    ]);
    fields.retain(|(k, _)| {
        (k.contains("_warning") || k.contains("_critical")) && *k != "cpu_warning_alert"
    });
    let response = post(&app, &c, &format!("{base}/thresholds"), &fields).await;
    let html = followed(&app, &c, &response).await;
    assert_eq!(attrs(&html, "#cpu_warning", "value"), ["0"]);
    assert_eq!(
        attrs(&html, "#cpu_warning", "aria-describedby"),
        ["cpu_warning-error"]
    );
    assert_eq!(attrs(&html, "#disk_warning", "value"), ["70"]);
    assert!(exists(&html, "input[name=ram_warning_alert][checked]"));
    assert!(!exists(&html, "input[name=cpu_warning_alert][checked]"));
    assert!(!exists(&html, "#agent[checked]"), "the agent as typed");
    // Once shown, the page is the policy's own again.
    let (_, html) = app.get_html(&c, &format!("{ORG}{base}")).await;
    assert_eq!(attrs(&html, "#cpu_warning", "value"), ["80"]);
    assert!(!exists(&html, "#cpu_warning-error"));

    // Refusals said in a flash message, nothing sent.
    let refused: &[FormCase] = &[
        ("delete", &[("confirm_name", "Strict")], "exactly"),
        ("ports/x1/delete", &[], "Confirm that you want to"),
        (
            "processes/x1/delete",
            &[("confirm", "no")],
            "Confirm that you want to",
        ),
        ("servers/x1/remove", &[], "Confirm that you want to"),
        ("servers", &[], "Tick at least one server"),
        (
            "ports/x1",
            &[("alert_if", "SOMETIMES")],
            "Choose when to alert",
        ),
    ];
    for (path, fields, message) in refused {
        let response = post(&app, &c, &format!("{base}/{path}"), fields).await;
        let flash = flashes(&app, &c, response).await;
        assert!(flash.contains(message), "{path}: {flash}");
    }
    assert_eq!(
        (policy(&app, &id).unwrap(), audit_count(&app).await),
        before
    );

    // Processes need the agent: said before sending.
    let response = post(
        &app,
        &c,
        &format!("{base}/thresholds"),
        &create_fields(&[("agent", "")]),
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = post(
        &app,
        &c,
        &format!("{base}/processes"),
        &[("process", "cron"), ("alert_if", "RUNNING")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, "#add-process-process-error").contains("agent"));
    assert_eq!(attrs(&html, "#add-process-process", "value"), ["cron"]);
    assert_eq!(
        attrs(&html, "#add-process-alert option[selected]", "value"),
        ["RUNNING"]
    );
}

#[tokio::test]
async fn each_change_needs_its_own_flag() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let id = create(&app, &admin, "guarded").await;
    let web2 = server_id(&app, "web-02");
    let base = format!("/monitoring_policies/{id}");
    let viewer = app
        .member_with(
            "viewer@example.org",
            &["monitoring_policies.show", "monitoring_center.show"],
        )
        .await;

    // The page shows the policy but no form the member may not use.
    let (status, html) = app.get_html(&viewer, &format!("{ORG}{base}")).await;
    assert_eq!(status, 200);
    assert!(exists(&html, "#threshold-table"));
    for form in [
        "#settings-form",
        "#thresholds-form",
        "#add-port",
        "#add-process",
        "#attach-servers",
        "#clone-form",
        "#delete-policy",
    ] {
        assert!(!exists(&html, form), "{form}");
    }
    let (_, list) = app
        .get_html(&viewer, &format!("{ORG}/monitoring_policies"))
        .await;
    assert!(!exists(&list, "#new-monitoring-policy"));

    let forged: &[Forged] = &[
        (
            "/monitoring_policies".into(),
            create_fields(&[]),
            "monitoring_policies.create",
        ),
        (
            format!("{base}/settings"),
            vec![("name", "x")],
            "monitoring_policies.set_name",
        ),
        (
            format!("{base}/settings"),
            vec![("description", "x")],
            "monitoring_policies.set_description",
        ),
        (
            format!("{base}/settings"),
            vec![("email", "a@b.c")],
            "monitoring_policies.set_email",
        ),
        (
            format!("{base}/thresholds"),
            create_fields(&[]),
            "monitoring_policies.modify_resources",
        ),
        (
            format!("{base}/ports"),
            vec![("port", "1")],
            "monitoring_policies.manage_ports",
        ),
        (
            format!("{base}/ports/x1"),
            vec![],
            "monitoring_policies.manage_ports",
        ),
        (
            format!("{base}/ports/x1/delete"),
            vec![("confirm", "yes")],
            "monitoring_policies.manage_ports",
        ),
        (
            format!("{base}/processes"),
            vec![("process", "x")],
            "monitoring_policies.manage_processes",
        ),
        (
            format!("{base}/processes/x1"),
            vec![],
            "monitoring_policies.manage_processes",
        ),
        (
            format!("{base}/processes/x1/delete"),
            vec![("confirm", "yes")],
            "monitoring_policies.manage_processes",
        ),
        (
            format!("{base}/servers"),
            vec![("server", &web2)],
            "monitoring_policies.manage_attached_servers",
        ),
        (
            format!("{base}/servers/{web2}/remove"),
            vec![("confirm", "yes")],
            "monitoring_policies.manage_attached_servers",
        ),
        (
            format!("{base}/clone"),
            vec![("name", "copy")],
            "monitoring_policies.clone",
        ),
        (
            format!("{base}/delete"),
            vec![("confirm_name", "guarded")],
            "monitoring_policies.delete",
        ),
    ];
    let before = policy(&app, &id).unwrap();
    for (path, fields, flag) in forged {
        assert_refused(&app, &viewer, path, fields, flag).await;
    }
    assert_eq!(policy(&app, &id).unwrap(), before);

    // With only the name flag, a form that also sends the e-mail is refused.
    let namer = app
        .member_with(
            "namer@example.org",
            &["monitoring_policies.show", "monitoring_policies.set_name"],
        )
        .await;
    let (_, html) = app.get_html(&namer, &format!("{ORG}{base}")).await;
    assert!(exists(&html, "#settings-name") && !exists(&html, "#settings-email"));
    assert_refused(
        &app,
        &namer,
        &format!("{base}/settings"),
        &[("name", "n"), ("email", "a@b.c")],
        "monitoring_policies.set_email",
    )
    .await;

    // Without monitoring_center.show there is no monitoring, and no link to it.
    let outsider = app
        .member_with("outsider@example.org", &["servers.show"])
        .await;
    let (status, _) = app.get_html(&outsider, &format!("{ORG}/monitoring")).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .get_html(&outsider, &format!("{ORG}/monitoring/{web2}"))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .get_html(&outsider, &format!("{ORG}/monitoring_policies"))
        .await;
    assert_eq!(status, 403);
    let (_, server) = app
        .get_html(&outsider, &format!("{ORG}/servers/{web2}"))
        .await;
    assert!(!exists(&server, "#server-monitoring"));
}

#[tokio::test]
async fn each_card_of_a_policy_reloads_from_its_own_read() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create(&app, &c, "cards").await;
    let base = format!("/monitoring_policies/{id}");
    let web2 = server_id(&app, "web-02");
    let response = post(&app, &c, &format!("{base}/servers"), &[("server", &web2)]).await;
    assert_eq!(response.status().as_u16(), 303);

    // The policy's page links each card's reload and each attached server.
    let (_, html) = app.get_html(&c, &format!("{ORG}{base}")).await;
    for card in ["ports", "processes", "servers"] {
        assert!(
            attrs(&html, ".card-reload a", "href")
                .iter()
                .any(|h| h.contains(&format!("{base}/cards/{card}"))),
            "{card}"
        );
    }
    assert!(
        attrs(&html, "#servers a", "href")
            .iter()
            .any(|h| h.contains(&format!("{base}/servers/{web2}")))
    );

    let (status, ports) = app.get_html(&c, &format!("{ORG}{base}/cards/ports")).await;
    assert_eq!(status, 200);
    assert!(
        text_of(&ports, "#card-table").contains("TCP 8443"),
        "{ports}"
    );
    let (status, processes) = app
        .get_html(&c, &format!("{ORG}{base}/cards/processes"))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&processes, "#card-table").contains("postgres"));
    let (status, servers) = app
        .get_html(&c, &format!("{ORG}{base}/cards/servers"))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&servers, "#card-list").contains("web-02"));
    let (status, _) = app
        .get_html(&c, &format!("{ORG}{base}/cards/thresholds"))
        .await;
    assert_eq!(status, 404);

    // One attached server; one that is not attached is the page's 404.
    let (status, server) = app
        .get_html(&c, &format!("{ORG}{base}/servers/{web2}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(text_of(&server, "h1"), "web-02");
    assert!(exists(&server, "#server-monitoring"));
    let other = server_id(&app, "web-01");
    let (status, _) = app
        .get_html(&c, &format!("{ORG}{base}/servers/{other}"))
        .await;
    assert_eq!(status, 404);

    // Without monitoring_policies.show, none of it.
    let outsider = app
        .member_with("cards-outsider@example.org", &["servers.show"])
        .await;
    for path in [
        format!("{base}/cards/ports"),
        format!("{base}/servers/{web2}"),
    ] {
        let (status, _) = app.get_html(&outsider, &format!("{ORG}{path}")).await;
        assert_eq!(status, 403, "{path}");
    }
}
