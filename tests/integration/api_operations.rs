//! The JSON API's operations: a script that creates a server, waits for it
//! and snapshots it through the API alone; every family's list and detail;
//! a change waiting for the budget (202 and its status address); a state
//! conflict (409); the body's conventions; another organisation's
//! addresses and accounts (404); a read-only token's change (403, audited);
//! the OpenAPI document against the route table; and the reference page.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api_tokens::{HEADER, api, audit_text, make_token, token_id};
use crate::helpers::{TestApp, client, spawn_demo, spawn_demo_configured};
use crate::queue::{SHORT, refill_budget, spawn, spend_budget};
use crate::servers::{seeded, sim_server, sim_state};

const API: &str = "/api/v1/o/demo";

/// Sends `method` to the API with a JSON body (or none).
pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = client()
        .request(method, app.url(path))
        .header(HEADER, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("a JSON answer, got {status}: {text}"));
    (status, headers, body)
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let (status, _, body) = api(app, path, Some(token)).await;
    (status, body)
}

/// Polls `path` until `check` holds of its answer (bounded).
async fn until(
    app: &TestApp,
    path: &str,
    token: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let (status, body) = get(app, path, token).await;
        if status == 200 && check(&body) {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} did not happen; last answer {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The audit events of an action, oldest first: (outcome, details, actor).
async fn events(app: &TestApp, action: &str) -> Vec<(String, Value, String)> {
    sqlx::query_as::<_, (String, String, String)>(
        "SELECT outcome, details, actor_label FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(o, d, a)| (o, serde_json::from_str(&d).unwrap_or(Value::Null), a))
    .collect()
}

#[tokio::test]
async fn a_script_creates_a_server_waits_for_it_and_snapshots_it_through_the_api_alone() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "nightly", "role").await;
    let token_id = token_id(&app, "nightly").await;

    // Act: what a script does, with nothing but the token.
    let (status, sizes) = get(
        &app,
        &format!("{API}/catalogue/fixed_instance_sizes"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{sizes}");
    let size = sizes["fixed_instance_sizes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, appliances) = get(&app, &format!("{API}/catalogue/appliances"), &token).await;
    assert_eq!(status, 200, "{appliances}");
    let appliance = appliances["appliances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "IMAGE" || a["os_family"].is_string())
        .expect("an image")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, headers, created) = send(
        &app,
        reqwest::Method::POST,
        &format!("{API}/servers"),
        &token,
        Some(json!({"server": {
            "name": "api-made-1",
            "fixed_instance_size_id": size,
            "appliance_id": appliance,
            "password": "a-long-root-password-1",
        }})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["server"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{API}/servers/{id}").as_str())
    );
    let server = until(
        &app,
        &format!("{API}/servers/{id}"),
        &token,
        "the server runs",
        |b| b["server"]["status"]["state"] == "POWERED_ON",
    )
    .await;
    let (status, _, snapshot) = send(
        &app,
        reqwest::Method::POST,
        &format!("{API}/servers/{id}/snapshots"),
        &token,
        None,
    )
    .await;

    // Assert: the server and its snapshot exist in the provider.
    assert_eq!(server["server"]["name"], "api-made-1");
    assert!(server["meta"]["age_secs"].is_number(), "{server}");
    assert_eq!(status, 200, "{snapshot}");
    assert_eq!(snapshot["server"]["id"], id.as_str());
    assert!(sim_server(&app, &id).is_some());
    let snapshots = until(
        &app,
        &format!("{API}/servers/{id}/snapshots"),
        &token,
        "the snapshot is listed",
        |b| b["snapshots"].as_array().is_some_and(|s| !s.is_empty()),
    )
    .await;
    assert!(snapshots["snapshots"][0]["id"].is_string(), "{snapshots}");

    // Assert: each change was audited as the member, naming the token by its id.
    for action in ["server.create", "server.snapshot_create"] {
        let seen = events(&app, action).await;
        let outcomes: Vec<&str> = seen.iter().map(|(o, _, _)| o.as_str()).collect();
        assert_eq!(outcomes, ["requested", "succeeded"], "{action}");
        for (_, details, actor) in &seen[..1] {
            assert_eq!(details["api_access_id"], token_id, "{action}: {details}");
            assert_eq!(actor, &app.admin_email);
        }
    }
    let audit = audit_text(&app).await;
    assert!(!audit.contains(&token), "the token is not in the audit log");
    assert!(
        !audit.contains("a-long-root-password-1"),
        "nor the password"
    );
    assert!(created["server"].get("first_password").is_none());
}

#[tokio::test]
async fn every_family_lists_and_shows_its_objects_as_its_page_does() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "reader", "read").await;
    let families = [
        ("servers", "server"),
        ("block_storages", "block_storage"),
        ("shared_storages", "shared_storage"),
        ("images", "image"),
        ("ssh_keys", "ssh_key"),
        ("public_ips", "public_ip"),
        ("private_networks", "private_network"),
        ("firewall_policies", "firewall_policy"),
        ("load_balancers", "load_balancer"),
        ("vpns", "vpn"),
        ("monitoring_policies", "monitoring_policy"),
        ("cloud_users", "cloud_user"),
        ("cloud_roles", "cloud_role"),
        ("e2e_nodes", "e2e_node"),
        ("e2e_images", "e2e_image"),
    ];
    for (word, one) in families {
        let (status, list) = get(&app, &format!("{API}/{word}?per_page=2"), &token).await;
        assert_eq!(status, 200, "{word}: {list}");
        let items = list[word]
            .as_array()
            .unwrap_or_else(|| panic!("{word}: {list}"));
        assert!(items.len() <= 2, "{word}: per_page holds");
        assert!(list["page"]["total"].as_u64().is_some(), "{word}: {list}");
        let Some(first) = items.first() else { continue };
        // Each object keeps its provider's names: E2E calls a saved image's id `image_id`.
        let field = if word == "e2e_images" {
            "image_id"
        } else {
            "id"
        };
        let id = first[field]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| first[field].to_string());
        let (status, detail) = get(&app, &format!("{API}/{word}/{id}"), &token).await;
        assert_eq!(status, 200, "{word}/{id}: {detail}");
        let key = detail
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "meta").cloned())
            .unwrap_or_default();
        assert!(
            key == one || key.ends_with(one.trim_start_matches("e2e_")),
            "{word}: {key}"
        );
        assert_eq!(detail[&key][field], first[field], "{word}");
    }
    // Search and sort are the list page's.
    let (_, all) = get(&app, &format!("{API}/servers?sort=-name"), &token).await;
    let names: Vec<&str> = all["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(names, sorted);
    let (_, found) = get(&app, &format!("{API}/servers?q=DB-01"), &token).await;
    assert_eq!(found["page"]["total"], 1, "{found}");
    let (status, bad) = get(&app, &format!("{API}/servers?sort=size"), &token).await;
    assert_eq!(status, 422);
    assert!(
        bad["errors"][0]
            .as_str()
            .unwrap()
            .contains("sort must be one of"),
        "{bad}"
    );
    let (status, _) = get(&app, &format!("{API}/servers/no-such-server"), &token).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_change_the_budget_cannot_take_answers_202_and_its_status_address_follows_it() {
    // Arrange
    let app = spawn(100, SHORT).await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "deploy", "role").await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);

    // Act
    let (status, headers, queued) = send(
        &app,
        reqwest::Method::POST,
        &format!("{API}/servers/{id}/power"),
        &token,
        Some(json!({"action": "POWER_OFF"})),
    )
    .await;

    // Assert: queued, nothing sent yet.
    assert_eq!(status, 202, "{queued}");
    let url = queued["queued"]["status_url"].as_str().unwrap().to_owned();
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(url.as_str())
    );
    assert_eq!(queued["queued"]["position"], 1);
    assert_eq!(sim_state(&app, &id), "POWERED_ON");
    let (status, waiting) = get(&app, &url, &token).await;
    assert_eq!(status, 200);
    assert_eq!(waiting["queued_change"]["state"], "queued", "{waiting}");
    assert_eq!(waiting["queued_change"]["action"], "server.power_off");
    let (_, queue) = get(&app, &format!("{API}/queue"), &token).await;
    assert_eq!(
        queue["queue"][0]["waiting"][0]["id"], queued["queued"]["id"],
        "{queue}"
    );

    // The budget refills: the change runs once and its address says so.
    refill_budget(&app);
    until(&app, &url, &token, "the queued change ran", |b| {
        b["queued_change"]["state"] == "succeeded"
    })
    .await;
    let start = Instant::now();
    while sim_state(&app, &id) != "POWERED_OFF" && start.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sim_state(&app, &id), "POWERED_OFF");
}

#[tokio::test]
async fn conflicts_bad_bodies_and_read_only_tokens_are_refused_in_their_own_status() {
    // Arrange: simulated time at real speed, so that a server powering on
    // is still between states when the next change comes, however busy
    // the machine running the test is.
    let app = crate::helpers::spawn_demo_with(|config| {
        config.speed = 1.0;
        config.rate_limit = 100_000;
    })
    .await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "ops", "role").await;
    let reader = make_token(&app, &admin, "dashboard", "read").await;
    let reader_id = token_id(&app, "dashboard").await;
    let (off, _) = seeded(&app, "POWERED_OFF");
    let post = |path: String, token: String, body: Value| {
        let app = &app;
        async move { send(app, reqwest::Method::POST, &path, &token, Some(body)).await }
    };

    // Nested unknown fields are named; a missing root and field are named.
    let (status, _, unknown) = post(
        format!("{API}/servers"),
        token.clone(),
        json!({"server": {"name": "x", "snarfblat": 1, "scruffy_looking": 2}, "account_id": 1}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        unknown["unpermitted"],
        json!(["account_id", "scruffy_looking", "snarfblat"])
    );
    let (status, _, missing) = post(format!("{API}/servers"), token.clone(), json!({})).await;
    assert_eq!((status, missing["missing"].as_str()), (422, Some("server")));
    let (status, _, missing) = post(
        format!("{API}/servers"),
        token.clone(),
        json!({"server": {"name": "x"}}),
    )
    .await;
    assert_eq!(
        (status, missing["missing"].as_str()),
        (422, Some("appliance_id"))
    );
    // A value the create page would refuse is refused with its field.
    let (status, _, fields) = post(
        format!("{API}/servers"),
        token.clone(),
        json!({"server": {"name": "x", "appliance_id": "../etc", "hardware_mode": "huge"}}),
    )
    .await;
    assert_eq!(status, 422, "{fields}");
    assert!(fields["fields"]["hardware_mode"].is_string(), "{fields}");

    // Powering off a server that is off: the provider says so, nothing changes.
    let (status, _, refused) = post(
        format!("{API}/servers/{off}/power"),
        token.clone(),
        json!({"action": "POWER_OFF"}),
    )
    .await;
    assert!(status == 409 || status == 422, "{status}: {refused}");
    assert_eq!(sim_state(&app, &off), "POWERED_OFF");
    // A change to a server between states is a conflict (409).
    let (status, _, _) = post(
        format!("{API}/servers/{off}/power"),
        token.clone(),
        json!({"action": "POWER_ON"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, conflict) = post(
        format!("{API}/servers/{off}/power"),
        token.clone(),
        json!({"action": "REBOOT"}),
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert!(conflict["errors"][0].is_string());

    // A read-only token may not change anything: 403, audited as denied.
    let (on, _) = seeded(&app, "POWERED_ON");
    let (status, _, denied) = post(
        format!("{API}/servers/{on}/power"),
        reader.clone(),
        json!({"action": "POWER_OFF"}),
    )
    .await;
    assert_eq!(status, 403, "{denied}");
    assert!(
        denied["errors"][0].as_str().unwrap().contains("read-only"),
        "{denied}"
    );
    assert_eq!(sim_state(&app, &on), "POWERED_ON");
    let refusals: Vec<Value> = sqlx::query_scalar::<_, String>(
        "SELECT details FROM audit_events WHERE outcome = 'denied' AND action = 'servers.shutdown'",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .iter()
    .map(|d| serde_json::from_str(d).unwrap())
    .collect();
    assert!(
        refusals.iter().any(|d| d["api_access_id"] == reader_id
            && d["path"].as_str().unwrap_or_default().ends_with("/power")),
        "{refusals:?}"
    );
}

#[tokio::test]
async fn another_organisations_addresses_and_accounts_are_not_found() {
    // Arrange: a second organisation with a cloud account of its own; the
    // walk sends every route once, more than a token's default minute.
    let app = spawn_demo_configured(
        |s| s.api_rate_limit = 10_000,
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
        },
    )
    .await;
    let admin = app.admin().await;
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(&app.admin_email)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    let other = crate::rows::create_org(app.state.raw_db(), "Other", "other", admin_id)
        .await
        .unwrap();
    let base_url = app.simulator.as_ref().unwrap().base_url.clone();
    let added = app
        .post_form(
            &admin,
            "/o/other/cloud_accounts",
            &[
                ("name", "theirs"),
                ("token", app.sim_token.as_str()),
                ("base_url", base_url.as_str()),
            ],
        )
        .await;
    assert!(added.status().is_redirection(), "{}", added.status());
    let theirs = crate::rows::accounts(app.state.raw_db(), other.id)
        .await
        .unwrap()[0]
        .id;
    let token = make_token(&app, &admin, "demo only", "role").await;
    let (on, _) = seeded(&app, "POWERED_ON");
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();

    // Act + Assert: every route of the other organisation's is 404.
    for route in teampanel::web::api::all_routes() {
        if !route.needs_token {
            continue;
        }
        let path = route
            .path
            .replace("{slug}", "other")
            .replace("{id}", &on)
            .replace("{snapshot_id}", "1")
            .replace("{action}", "power_on");
        let method = reqwest::Method::from_bytes(route.verb.as_str().as_bytes()).unwrap();
        let (status, _, body) = send(&app, method, &path, &token, Some(json!({}))).await;
        assert_eq!(status, 404, "{} {path}: {body}", route.verb.as_str());
    }
    // And its account, named inside the token's own organisation.
    let (status, _) = get(&app, &format!("{API}/servers?account={theirs}"), &token).await;
    assert_eq!(status, 404);
    let (status, _, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("{API}/servers/{on}/power?account={theirs}"),
        &token,
        Some(json!({"action": "POWER_OFF"})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(sim_state(&app, &on), "POWERED_ON");
    let requested: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE id > ? AND outcome = 'requested'",
    )
    .bind(before)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(requested, 0, "nothing was asked of any provider");
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_as_the_table_declares_it() {
    let app = spawn_demo().await;
    let response = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    let doc: utoipa::openapi::OpenApi =
        serde_json::from_str(&text).expect("a valid OpenAPI document");
    let raw: Value = serde_json::from_str(&text).unwrap();
    assert!(
        raw["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        raw["openapi"]
    );
    let routes = teampanel::web::api::all_routes();
    assert!(routes.len() > 40, "{} routes", routes.len());
    for route in &routes {
        let method = route.verb.as_str().to_lowercase();
        let op = &raw["paths"][&route.path][&method];
        assert!(op.is_object(), "{method} {} is documented", route.path);
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .map(|p| p.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        for name in route.path_params() {
            assert!(params.contains(&name), "{} declares {name}", route.path);
        }
        for param in route.query {
            assert!(
                params.contains(&param.name),
                "{} declares {}",
                route.path,
                param.name
            );
        }
        assert_eq!(
            route.body.is_some(),
            op["requestBody"].is_object(),
            "{}",
            route.path
        );
        if route.needs_token {
            assert!(
                op["responses"]["401"].is_object() && op["security"].is_array(),
                "{}",
                route.path
            );
        }
    }
    assert_eq!(
        doc.paths
            .paths
            .values()
            .map(|item| {
                let v = serde_json::to_value(item).unwrap();
                v.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| ["get", "post", "put", "delete"].contains(&k.as_str()))
                    .count()
            })
            .sum::<usize>(),
        routes.len(),
        "no route documented that the table lacks"
    );

    // The reference page shows the same routes to a signed-in member.
    let admin = app.admin().await;
    let (status, html) = app.get_html(&admin, "/profile/api").await;
    assert_eq!(status, 200);
    for route in &routes {
        assert!(html.contains(&route.path), "{} on the page", route.path);
    }
    let (_, profile) = app.get_html(&admin, "/profile").await;
    assert!(profile.contains("href=\"/profile/api\""));
}

#[tokio::test]
async fn a_waiting_change_is_cancelled_through_the_api_once() {
    // Arrange: a window long enough that the change keeps waiting.
    let app = spawn(100, Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "canceller", "role").await;
    let id_of_token = token_id(&app, "canceller").await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);
    let (status, _, queued) = send(
        &app,
        reqwest::Method::POST,
        &format!("{API}/servers/{id}/power"),
        &token,
        Some(json!({"action": "REBOOT"})),
    )
    .await;
    assert_eq!(status, 202, "{queued}");
    let url = queued["queued"]["status_url"].as_str().unwrap().to_owned();

    // Act
    let (status, _, cancelled) = send(&app, reqwest::Method::DELETE, &url, &token, None).await;
    let (again, _, conflict) = send(&app, reqwest::Method::DELETE, &url, &token, None).await;

    // Assert
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["queued_change"]["state"], "cancelled");
    assert_eq!(again, 409, "{conflict}");
    let (_, now) = get(&app, &url, &token).await;
    assert_eq!(now["queued_change"]["state"], "cancelled");
    let seen = events(&app, "server.reboot").await;
    let outcomes: Vec<&str> = seen.iter().map(|(o, _, _)| o.as_str()).collect();
    assert_eq!(outcomes, ["requested", "queued", "cancelled"]);
    assert_eq!(seen[2].1["api_access_id"], id_of_token, "{:?}", seen[2]);
    assert_eq!(sim_state(&app, &id), "POWERED_ON", "nothing was sent");
}

#[tokio::test]
async fn the_accounts_logs_usage_prices_and_monitoring_are_read_with_their_periods() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "reports", "read").await;

    let (status, logs) = get(&app, &format!("{API}/logs?period=LAST_7D"), &token).await;
    assert_eq!(status, 200, "{logs}");
    assert!(
        logs["logs"].is_array() && logs["meta"]["age_secs"].is_number(),
        "{logs}"
    );
    if let Some(id) = logs["logs"][0]["id"].as_str() {
        let (status, one) = get(&app, &format!("{API}/logs/{id}"), &token).await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one["log"]["id"], id);
    }
    let (status, bad) = get(
        &app,
        &format!("{API}/logs?period=CUSTOM&start_date=yesterday"),
        &token,
    )
    .await;
    assert_eq!(status, 422, "{bad}");
    assert!(
        bad["fields"].as_object().is_some_and(|f| !f.is_empty()),
        "{bad}"
    );
    let (status, usage) = get(&app, &format!("{API}/usage?period=LAST_30D"), &token).await;
    assert_eq!(status, 200, "{usage}");
    let (status, pricing) = get(&app, &format!("{API}/pricing"), &token).await;
    assert_eq!(status, 200, "{pricing}");
    let (status, center) = get(&app, &format!("{API}/monitoring"), &token).await;
    assert_eq!(status, 200, "{center}");
    let id = center["servers"][0]["id"]
        .as_str()
        .expect("a monitored server")
        .to_owned();
    let (status, server) = get(
        &app,
        &format!("{API}/monitoring/{id}?period=LAST_24H"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{server}");
    assert!(server["monitoring"].is_object(), "{server}");
    let (status, unknown) = get(&app, &format!("{API}/pricing?period=LAST_24H"), &token).await;
    assert_eq!(status, 422);
    assert_eq!(unknown["unpermitted"], json!(["period"]));
}
