//! The changes to public IPs, private networks and VPNs over the JSON API:
//! each answers what the provider did, leaves the simulator changed and is
//! audited as its page audits it (requested, then succeeded, naming the
//! token); bad values are refused with their fields; a VPN's configuration
//! file is not offered; a member without the flag is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_storages::{assert_api_pair, denials, events, requested};
use crate::api_tokens::{HEADER, make_token, token_id};
use crate::block_storages::{seeded_item, server_id, sim_item, sim_item_state, wait_for_item};
use crate::helpers::{TestApp, client, spawn_demo};

const API: &str = "/api/v1/o/demo";

/// Sends `method` to the API with a JSON body (or none).
async fn send(
    app: &TestApp,
    method: Method,
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

/// The names of the servers attached to a network, upstream.
fn attached(app: &TestApp, network: &str) -> Vec<String> {
    sim_item(app, "private_networks", network).unwrap()["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_public_ip_is_reserved_named_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "dns script", "role").await;
    let token_id = token_id(&app, "dns script").await;

    // Act: reserve an address with a name.
    let (status, _, reserved) = send(
        &app,
        Method::POST,
        &format!("{API}/public_ips"),
        &token,
        Some(json!({"public_ip": {"reverse_dns": "api.example.com"}})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{reserved}");
    let id = reserved["public_ip"]["id"].as_str().unwrap().to_owned();
    assert!(reserved["public_ip"]["ip"].is_string(), "{reserved}");
    assert_eq!(
        sim_item(&app, "public_ips", &id).unwrap()["reverse_dns"],
        "api.example.com"
    );
    let details = assert_api_pair(&app, "public_ip.create", token_id).await;
    assert_eq!(
        (details["type"].as_str(), details["reverse_dns"].as_str()),
        (Some("IPV4"), Some("api.example.com"))
    );
    let path = format!("{API}/public_ips/{id}");

    // Its reverse DNS name: a bad one is refused; a good one set; empty removes it.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{path}/reverse_dns"),
        &token,
        Some(json!({"reverse_dns": "not a name"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["reverse_dns"].is_string(), "{refused}");
    assert_eq!(requested(&app, "public_ip.set_reverse_dns").await, 0);
    let (status, _, named) = send(
        &app,
        Method::POST,
        &format!("{path}/reverse_dns"),
        &token,
        Some(json!({"reverse_dns": "www.example.com"})),
    )
    .await;
    assert_eq!(status, 200, "{named}");
    assert_eq!(named["public_ip"]["reverse_dns"], "www.example.com");
    assert_eq!(
        sim_item(&app, "public_ips", &id).unwrap()["reverse_dns"],
        "www.example.com"
    );
    let details = assert_api_pair(&app, "public_ip.set_reverse_dns", token_id).await;
    assert_eq!(details["reverse_dns"], "www.example.com");
    let (status, _, removed) = send(
        &app,
        Method::POST,
        &format!("{path}/reverse_dns"),
        &token,
        Some(json!({"reverse_dns": ""})),
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert!(sim_item(&app, "public_ips", &id).unwrap()["reverse_dns"].is_null());
    assert_api_pair(&app, "public_ip.set_reverse_dns", token_id).await;

    // Delete: the verb is the confirmation.
    let ip = reserved["public_ip"]["ip"].as_str().unwrap().to_owned();
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_ne!(sim_item_state(&app, "public_ips", &id), "ACTIVE");
    let details = assert_api_pair(&app, "public_ip.delete", token_id).await;
    assert_eq!(details["ip"], ip.as_str());
}

#[tokio::test]
async fn a_private_network_is_created_edited_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "network script", "role").await;
    let token_id = token_id(&app, "network script").await;

    // Act: create.
    let (status, _, created) = send(
        &app,
        Method::POST,
        &format!("{API}/private_networks"),
        &token,
        Some(json!({"private_network": {
            "name": "frontend", "network_address": "10.1.0.0", "subnet_mask": "255.255.0.0"
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{created}");
    let id = created["private_network"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let upstream = sim_item(&app, "private_networks", &id).expect("created upstream");
    assert_eq!(
        (upstream["name"].as_str(), upstream["subnet_mask"].as_str()),
        (Some("frontend"), Some("255.255.0.0"))
    );
    assert_api_pair(&app, "private_network.create", token_id).await;
    wait_for_item(&app, "private_networks", &id, "ACTIVE").await;
    let path = format!("{API}/private_networks/{id}");

    // Edit the range alone (its own flag), the mask as a prefix length as on the page.
    let (status, _, edited) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"private_network": {"network_address": "10.2.0.0", "subnet_mask": "24"}})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let upstream = sim_item(&app, "private_networks", &id).unwrap();
    assert_eq!(
        (
            upstream["name"].as_str(),
            upstream["network_address"].as_str(),
            upstream["subnet_mask"].as_str()
        ),
        (Some("frontend"), Some("10.2.0.0"), Some("255.255.255.0"))
    );
    let details = assert_api_pair(&app, "private_network.update", token_id).await;
    assert_eq!(details["subnet_mask"], "255.255.255.0");
    assert!(details.get("name").is_none(), "{details}");
    let (status, _, refused) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"private_network": {"network_address": "10.2.0.300"}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["fields"]["network_address"].is_string(),
        "{refused}"
    );
    assert_eq!(
        events(&app, "private_network.update").await.len(),
        2,
        "nothing sent"
    );

    // Delete.
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_api_pair(&app, "private_network.delete", token_id).await;
    wait_for_item(&app, "private_networks", &id, "GONE").await;
}

#[tokio::test]
async fn servers_are_detached_from_and_attached_to_a_private_network_through_the_api() {
    // Arrange: the seeded network, web-01 among its servers.
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "wiring", "role").await;
    let token_id = token_id(&app, "wiring").await;
    let (id, _) = seeded_item(&app, "private_networks", "backend");
    let web01 = server_id(&app, "web-01");
    let path = format!("{API}/private_networks/{id}/servers");

    // Act + Assert: detach.
    let (status, _, detached) = send(
        &app,
        Method::DELETE,
        &format!("{path}/{web01}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{detached}");
    assert!(!attached(&app, &id).contains(&"web-01".to_owned()));
    let details = assert_api_pair(&app, "private_network.detach_server", token_id).await;
    assert_eq!(details["server_name"], "web-01");
    // Detached already: said, nothing sent.
    let (status, _, conflict) = send(
        &app,
        Method::DELETE,
        &format!("{path}/{web01}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert!(
        conflict["errors"][0]
            .as_str()
            .unwrap()
            .contains("not attached")
    );
    assert_eq!(events(&app, "private_network.detach_server").await.len(), 2);

    // Attach: the page's checks, then the servers are back.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"server_id": ["../servers"]})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["server_id"].is_string(), "{refused}");
    let (status, _, missing) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"server_id": []})),
    )
    .await;
    assert_eq!(
        (status, missing["missing"].as_str()),
        (422, Some("server_id"))
    );
    let (status, _, attached_now) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"server_id": [web01, web01]})),
    )
    .await;
    assert_eq!(status, 200, "{attached_now}");
    assert_eq!(attached_now["private_network"]["name"], "backend");
    assert!(
        attached_now["private_network"]["servers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == web01.as_str()),
        "{attached_now}"
    );
    assert!(attached(&app, &id).contains(&"web-01".to_owned()));
    let details = assert_api_pair(&app, "private_network.attach_servers", token_id).await;
    assert_eq!(details["server_ids"], json!([web01]));
    assert_eq!(details["server_names"], json!(["web-01"]));
}

#[tokio::test]
async fn a_vpn_is_created_edited_and_deleted_and_its_file_is_not_offered() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "vpn script", "role").await;
    let token_id = token_id(&app, "vpn script").await;

    // Create.
    let (status, _, created) = send(
        &app,
        Method::POST,
        &format!("{API}/vpns"),
        &token,
        Some(json!({"vpn": {"name": "branch", "description": "The branch office"}})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["vpn"]["id"].as_str().unwrap().to_owned();
    assert_eq!(sim_item(&app, "vpns", &id).unwrap()["name"], "branch");
    assert_api_pair(&app, "vpn.create", token_id).await;
    let path = format!("{API}/vpns/{id}");

    // The configuration file (a secret) has no address in the API.
    for method in [Method::GET, Method::POST] {
        let (status, _, _) = send(
            &app,
            method,
            &format!("{path}/configuration_file"),
            &token,
            None,
        )
        .await;
        assert_eq!(status, 404);
    }
    assert_eq!(requested(&app, "vpn.download_configuration").await, 0);

    // Edit: the description cleared, the name kept.
    let (status, _, edited) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"vpn": {"description": ""}})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let upstream = sim_item(&app, "vpns", &id).unwrap();
    assert_eq!(
        (upstream["name"].as_str(), upstream["description"].as_str()),
        (Some("branch"), Some(""))
    );
    let details = assert_api_pair(&app, "vpn.update", token_id).await;
    assert_eq!(
        details,
        json!({"description": "", "api_access_id": token_id})
    );

    // Delete.
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_ne!(sim_item_state(&app, "vpns", &id), "ACTIVE");
    let details = assert_api_pair(&app, "vpn.delete", token_id).await;
    assert_eq!(details["name"], "branch");
}

#[tokio::test]
async fn bad_network_values_are_refused_with_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "careless", "role").await;
    let counts =
        |app: &TestApp| ["public_ips", "private_networks", "vpns"].map(|c| app.sim_items(c).len());
    let before = counts(&app);

    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/public_ips"),
        &token,
        Some(json!({"public_ip": {"type": "IPV5", "datacenter_id": "../x"}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["fields"]["type"].is_string() && refused["fields"]["datacenter_id"].is_string(),
        "{refused}"
    );
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/private_networks"),
        &token,
        Some(json!({"private_network": {
            "name": "x", "description": "d".repeat(300), "network_address": "192.168.1.300", "subnet_mask": "255.0.255.0"
        }})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    for field in ["description", "network_address", "subnet_mask"] {
        assert!(refused["fields"][field].is_string(), "{field}: {refused}");
    }
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/vpns"),
        &token,
        Some(json!({"vpn": {"name": "x", "datacenter_id": "nowhere"}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["datacenter_id"].is_string(), "{refused}");

    assert_eq!(counts(&app), before);
    for action in ["public_ip.create", "private_network.create", "vpn.create"] {
        assert_eq!(requested(&app, action).await, 0, "{action}");
    }
}

#[tokio::test]
async fn a_token_whose_member_lacks_the_flag_cannot_change_a_networks_range_or_delete_it() {
    // Arrange: a member who may rename private networks, no more.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "namer@example.org",
            &["private_network.show", "private_network.set_name"],
        )
        .await;
    let token = make_token(&app, &member, "namer", "role").await;
    let token_id = token_id(&app, "namer").await;
    let (id, before) = seeded_item(&app, "private_networks", "backend");
    let path = format!("{API}/private_networks/{id}");

    // Act
    let (ranged, _, refused) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"private_network": {"network_address": "10.9.0.0"}})),
    )
    .await;
    let (deleted, _, _) = send(&app, Method::DELETE, &path, &token, None).await;

    // Assert
    assert_eq!(ranged, 403, "{refused}");
    assert!(
        refused["errors"][0]
            .as_str()
            .unwrap()
            .contains("private_network.set_network_info")
    );
    assert_eq!(deleted, 403);
    let after = sim_item(&app, "private_networks", &id).unwrap();
    assert_eq!(after["network_address"], before["network_address"]);
    assert_eq!(after["state"], "ACTIVE");
    for permission in ["private_network.set_network_info", "private_network.delete"] {
        assert!(
            denials(&app, permission)
                .await
                .iter()
                .any(|d| d["api_access_id"] == token_id),
            "{permission}"
        );
    }
    assert_eq!(requested(&app, "private_network.update").await, 0);
    assert_eq!(requested(&app, "private_network.delete").await, 0);

    // The name is the member's to change.
    let (status, _, renamed) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"private_network": {"name": "backend-2"}})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(
        sim_item(&app, "private_networks", &id).unwrap()["name"],
        "backend-2"
    );
    assert_api_pair(&app, "private_network.update", token_id).await;
}
