//! The changes to server parts over the JSON API: hardware and disks,
//! reinstall, IPs with their firewall policy and load balancers, private
//! networks, the DVD and cloning, each checked where it lands (the
//! simulator's state, the answer and the audit log, naming the token), and
//! the reads a script needs for them; refused for a token whose role lacks
//! the card's flag.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_operations::send;
use crate::api_tokens::{api, audit_text, make_token, token_id};
use crate::helpers::{TestApp, spawn_demo};
use crate::servers::{audit_rows, sim_server, sim_servers, wait_for_state};

pub(crate) const API: &str = "/api/v1/o/demo";

/// The latest change `action`, as the audit log has it: `requested` (naming
/// the token by its id) then `succeeded`, with one correlation id. The
/// request's target id and details, and the outcome's target name.
pub(crate) async fn audited(app: &TestApp, action: &str, token: i64) -> (String, Value, String) {
    let rows: Vec<(String, Option<String>, String, String, String)> = sqlx::query_as(
        "SELECT outcome, correlation_id, target_id, target_name, details FROM audit_events \
         WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert!(rows.len() >= 2, "{action}: {rows:?}");
    let (requested, outcome) = (&rows[rows.len() - 2], &rows[rows.len() - 1]);
    assert_eq!(
        (requested.0.as_str(), outcome.0.as_str()),
        ("requested", "succeeded"),
        "{action}: {rows:?}"
    );
    assert!(
        requested.1.is_some() && requested.1 == outcome.1,
        "{action}: one correlation id"
    );
    let details: Value = serde_json::from_str(&requested.4).unwrap();
    assert_eq!(details["api_access_id"], token, "{action}: {details}");
    (requested.2.clone(), details, outcome.3.clone())
}

/// A token with the admin's role, and its id.
pub(crate) async fn admin_token(app: &TestApp, name: &str) -> (String, i64) {
    let admin = app.admin().await;
    let token = make_token(app, &admin, name, "role").await;
    (token, token_id(app, name).await)
}

/// The `denied` events of `flag` naming the token.
pub(crate) async fn denials(app: &TestApp, flag: &str, token: i64) -> usize {
    sqlx::query_scalar::<_, String>(
        "SELECT details FROM audit_events WHERE outcome = 'denied' AND action = ?",
    )
    .bind(flag)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .iter()
    .filter(|d| serde_json::from_str::<Value>(d).unwrap()["api_access_id"] == token)
    .count()
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn server_named(app: &TestApp, name: &str) -> Value {
    sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("the seeded server {name}"))
}

fn sim_named(app: &TestApp, collection: &str, name: &str) -> Value {
    app.sim_items(collection)
        .into_iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("the seeded {collection} {name}"))
}

fn hdds(app: &TestApp, id: &str) -> Vec<Value> {
    sim_server(app, id).unwrap()["hardware"]["hdds"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .map(|a| a.iter().map(|i| s(&i["id"])).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_servers_disks_ips_and_networks_are_read_on_their_own() {
    // Arrange
    let app = spawn_demo().await;
    let (token, _) = admin_token(&app, "reader").await;
    let server = server_named(&app, "web-01");
    let id = s(&server["id"]);

    // Act
    let (_, _, disks) = api(&app, &format!("{API}/servers/{id}/hdds"), Some(&token)).await;
    let (_, _, addresses) = api(&app, &format!("{API}/servers/{id}/ips"), Some(&token)).await;
    let (_, _, networks) = api(
        &app,
        &format!("{API}/servers/{id}/private_networks"),
        Some(&token),
    )
    .await;
    let (_, _, isos) = api(&app, &format!("{API}/catalogue/dvd_isos"), Some(&token)).await;
    let (missing, _, _) = api(&app, &format!("{API}/servers/nope/hdds"), Some(&token)).await;

    // Assert: what the provider holds, with how old it is.
    assert_eq!(
        ids(&disks["hdds"]),
        ids(&server["hardware"]["hdds"]),
        "{disks}"
    );
    assert!(disks["meta"]["age_secs"].is_number(), "{disks}");
    assert_eq!(ids(&addresses["ips"]), ids(&server["ips"]), "{addresses}");
    assert_eq!(
        addresses["ips"][0]["firewall_policy"]["name"], server["ips"][0]["firewall_policy"]["name"],
        "{addresses}"
    );
    assert_eq!(
        ids(&networks["private_networks"]),
        ids(&server["private_networks"]),
        "{networks}"
    );
    assert!(
        isos["dvd_isos"].as_array().is_some_and(|a| !a.is_empty()),
        "{isos}"
    );
    assert_eq!(missing, 404);
}

#[tokio::test]
async fn hardware_and_disks_change_through_the_api() {
    // Arrange: the stopped server "staging".
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "sizer").await;
    let id = s(&server_named(&app, "staging")["id"]);
    let before = hdds(&app, &id).len();
    let url = |rest: &str| format!("{API}/servers/{id}{rest}");

    // Act + Assert: custom hardware.
    let (status, _, resized) = send(
        &app,
        Method::PUT,
        &url("/hardware"),
        &token,
        Some(json!({"hardware": {"vcore": 2, "cores_per_processor": 1, "ram": "2"}})),
    )
    .await;
    assert_eq!(status, 200, "{resized}");
    assert_eq!(resized["server"]["id"], id.as_str());
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let hardware = &sim_server(&app, &id).unwrap()["hardware"];
    assert_eq!(hardware["vcore"], 2, "{hardware}");
    assert_eq!(hardware["ram"].as_f64(), Some(2.0), "{hardware}");
    let (target, details, named) = audited(&app, "server.resize", token_id).await;
    assert_eq!((target.as_str(), named.as_str()), (id.as_str(), "staging"));
    assert_eq!(details["vcore"], 2);

    // A disk: added, resized, removed.
    let (status, _, added) = send(
        &app,
        Method::POST,
        &url("/hdds"),
        &token,
        Some(json!({"hdd": {"size": 60}})),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let disks = hdds(&app, &id);
    assert_eq!(disks.len(), before + 1);
    let disk = s(&disks.iter().find(|h| h["size"] == 60).unwrap()["id"]);
    assert_eq!(
        audited(&app, "server.hdd_add", token_id).await.1["size"],
        60
    );
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _, grown) = send(
        &app,
        Method::PUT,
        &url(&format!("/hdds/{disk}")),
        &token,
        Some(json!({"hdd": {"size": 80}})),
    )
    .await;
    assert_eq!(status, 200, "{grown}");
    let size = |app: &TestApp| {
        hdds(app, &id)
            .into_iter()
            .find(|h| s(&h["id"]) == disk)
            .map(|h| h["size"].clone())
    };
    assert_eq!(size(&app), Some(json!(80)));
    let (_, details, _) = audited(&app, "server.hdd_resize", token_id).await;
    assert_eq!(
        (s(&details["hdd_id"]), details["size"].clone()),
        (disk.clone(), json!(80))
    );
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _, removed) = send(
        &app,
        Method::DELETE,
        &url(&format!("/hdds/{disk}")),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(size(&app), None);
    assert_eq!(hdds(&app, &id).len(), before);
    audited(&app, "server.hdd_remove", token_id).await;

    // A size the card refuses is refused beside its field; nothing is recorded.
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &url("/hdds"),
        &token,
        Some(json!({"hdd": {"size": 30}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        s(&refused["fields"]["size"]).contains("steps of 20"),
        "{refused}"
    );
    let (status, _, refused) = send(
        &app,
        Method::PUT,
        &url("/hardware"),
        &token,
        Some(json!({"hardware": {"vcore": 2, "cores_per_processor": 1, "ram": "1.3"}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        s(&refused["errors"][0]).contains("steps of 0.5"),
        "{refused}"
    );
    assert_eq!(hdds(&app, &id).len(), before);
    assert_eq!(audit_rows(&app, "server.hdd_add").await.len(), 2);
    assert_eq!(audit_rows(&app, "server.resize").await.len(), 2);
}

#[tokio::test]
async fn reinstalling_through_the_api_never_records_the_password() {
    // Arrange: the stopped server "staging" runs Debian; Ubuntu is in the catalogue.
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "installer").await;
    let id = s(&server_named(&app, "staging")["id"]);
    let (_, _, catalogue) = api(&app, &format!("{API}/catalogue/appliances"), Some(&token)).await;
    let ubuntu = catalogue["appliances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "ubuntu2204-64std")
        .map(|a| s(&a["id"]))
        .expect("Ubuntu in the catalogue");

    // Act: first with a password the card refuses, then with a good one.
    let path = format!("{API}/servers/{id}/image");
    let (refused, _, said) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"image_id": ubuntu, "password": "short"})),
    )
    .await;
    let (status, _, answer) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"image_id": ubuntu, "password": " N3w-root-pass"})),
    )
    .await;

    // Assert
    assert_eq!(refused, 422, "{said}");
    assert!(
        s(&said["errors"][0]).contains("8 to 64 characters"),
        "{said}"
    );
    assert_eq!(status, 200, "{answer}");
    let after = sim_server(&app, &id).unwrap();
    assert_eq!(after["image"]["id"], ubuntu.as_str(), "{after}");
    assert_eq!(after["first_password"], " N3w-root-pass", "sent as typed");
    let (_, details, _) = audited(&app, "server.reinstall", token_id).await;
    assert_eq!(details["image_id"], ubuntu.as_str());
    assert_eq!(details["password_set"], true);
    assert_eq!(audit_rows(&app, "server.reinstall").await.len(), 2);
    assert!(!audit_text(&app).await.contains("N3w-root-pass"));
    assert!(!answer.to_string().contains("N3w-root-pass"));
}

#[tokio::test]
async fn ips_their_firewall_policy_and_load_balancers_change_through_the_api() {
    // Arrange: web-01's IP is under "web" and behind web-lb; db-01's is behind none.
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "networker").await;
    let web = server_named(&app, "web-01");
    let (web_id, web_ip) = (s(&web["id"]), s(&web["ips"][0]["id"]));
    let db = server_named(&app, "db-01");
    let (db_id, db_ip) = (s(&db["id"]), s(&db["ips"][0]["id"]));
    let linux = s(&sim_named(&app, "firewall_policies", "Linux")["id"]);
    let lb = s(&sim_named(&app, "load_balancers", "web-lb")["id"]);
    let ip_of = |app: &TestApp, server: &str, ip: &str| {
        sim_server(app, server).unwrap()["ips"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| s(&i["id"]) == ip)
            .cloned()
    };

    // Act + Assert: web-01's IP goes under Linux.
    let (status, _, moved) = send(
        &app,
        Method::POST,
        &format!("{API}/servers/{web_id}/ips/{web_ip}/firewall"),
        &token,
        Some(json!({"firewall_policy_id": linux})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        ip_of(&app, &web_id, &web_ip).unwrap()["firewall_policy"]["name"],
        "Linux"
    );
    let (target, details, _) = audited(&app, "server.ip_firewall_policy", token_id).await;
    assert_eq!(target, web_id);
    assert_eq!(details["firewall_policy_id"], linux.as_str());
    // A policy's choice is needed: there is no "none".
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/servers/{web_id}/ips/{web_ip}/firewall"),
        &token,
        Some(json!({"firewall_policy_id": "../x"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["fields"]["firewall_policy_id"].is_string(),
        "{refused}"
    );

    // db-01's IP goes behind web-lb, then leaves it.
    let lbs = format!("{API}/servers/{db_id}/ips/{db_ip}/load_balancers");
    let (status, _, attached) = send(
        &app,
        Method::POST,
        &lbs,
        &token,
        Some(json!({"load_balancer_id": lb})),
    )
    .await;
    assert_eq!(status, 200, "{attached}");
    assert_eq!(
        ids(&ip_of(&app, &db_id, &db_ip).unwrap()["load_balancers"]),
        std::slice::from_ref(&lb)
    );
    audited(&app, "server.ip_load_balancer_add", token_id).await;
    let (status, _, detached) =
        send(&app, Method::DELETE, &format!("{lbs}/{lb}"), &token, None).await;
    assert_eq!(status, 200, "{detached}");
    assert_eq!(
        ip_of(&app, &db_id, &db_ip).unwrap()["load_balancers"],
        json!([])
    );
    let (_, details, _) = audited(&app, "server.ip_load_balancer_remove", token_id).await;
    assert_eq!(details["load_balancer_id"], lb.as_str());

    // An IP is added to db-01, then released into the account.
    wait_for_state(&app, &db_id, "POWERED_ON").await;
    let count = |app: &TestApp| {
        sim_server(app, &db_id).unwrap()["ips"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count(&app);
    let (status, _, added) = send(
        &app,
        Method::POST,
        &format!("{API}/servers/{db_id}/ips"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(count(&app), before + 1);
    assert_eq!(
        audited(&app, "server.ip_add", token_id).await.1["type"],
        "IPV4"
    );
    let new_ip = s(&sim_server(&app, &db_id).unwrap()["ips"][before]["id"]);
    wait_for_state(&app, &db_id, "POWERED_ON").await;
    let (status, _, removed) = send(
        &app,
        Method::DELETE,
        &format!("{API}/servers/{db_id}/ips/{new_ip}?keep_ip=true"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(count(&app), before);
    let (_, details, _) = audited(&app, "server.ip_remove", token_id).await;
    assert_eq!(
        (s(&details["ip_id"]), details["keep_ip"].clone()),
        (new_ip, json!(true))
    );
}

#[tokio::test]
async fn networks_the_dvd_and_a_clone_go_through_the_api() {
    // Arrange: the stopped server "staging" is in no private network.
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "builder").await;
    let id = s(&server_named(&app, "staging")["id"]);
    let backend = s(&sim_named(&app, "private_networks", "backend")["id"]);
    let (_, _, isos) = api(&app, &format!("{API}/catalogue/dvd_isos"), Some(&token)).await;
    let iso = s(&isos["dvd_isos"][0]["id"]);
    let url = |rest: &str| format!("{API}/servers/{id}{rest}");

    // Act + Assert: into the network and out again.
    let (status, _, joined) = send(
        &app,
        Method::POST,
        &url("/private_networks"),
        &token,
        Some(json!({"private_network_id": backend})),
    )
    .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(
        ids(&sim_server(&app, &id).unwrap()["private_networks"]),
        std::slice::from_ref(&backend)
    );
    audited(&app, "server.private_network_attach", token_id).await;
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _, left) = send(
        &app,
        Method::DELETE,
        &url(&format!("/private_networks/{backend}")),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{left}");
    assert_eq!(
        sim_server(&app, &id).unwrap()["private_networks"],
        json!([])
    );
    audited(&app, "server.private_network_detach", token_id).await;

    // A DVD loaded and ejected.
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _, loaded) = send(
        &app,
        Method::POST,
        &url("/dvd"),
        &token,
        Some(json!({"iso_id": iso})),
    )
    .await;
    assert_eq!(status, 200, "{loaded}");
    assert_eq!(sim_server(&app, &id).unwrap()["dvd"]["id"], iso.as_str());
    assert_eq!(
        audited(&app, "server.dvd_load", token_id).await.1["iso_id"],
        iso.as_str()
    );
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _, ejected) = send(&app, Method::POST, &url("/dvd/eject"), &token, None).await;
    assert_eq!(status, 200, "{ejected}");
    assert!(sim_server(&app, &id).unwrap()["dvd"].is_null());
    audited(&app, "server.dvd_eject", token_id).await;

    // A copy: 201, its address, and the audit log names the source.
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, headers, copy) = send(
        &app,
        Method::POST,
        &url("/clone"),
        &token,
        Some(json!({"name": "the-copy"})),
    )
    .await;
    assert_eq!(status, 201, "{copy}");
    let copy_id = s(&copy["server"]["id"]);
    assert_ne!(copy_id, id);
    assert_eq!(sim_server(&app, &copy_id).unwrap()["name"], "the-copy");
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{API}/servers/{copy_id}").as_str())
    );
    let (target, details, named) = audited(&app, "server.clone", token_id).await;
    assert_eq!((target, named), (id.clone(), String::new()));
    assert_eq!(details["name"], "the-copy");
}

#[tokio::test]
async fn a_token_whose_role_lacks_the_cards_flag_is_refused_and_nothing_changes() {
    // Arrange: a member who may look at servers only.
    let app = spawn_demo().await;
    let viewer = app
        .member_with("viewer@example.org", &["servers.show"])
        .await;
    let token = make_token(&app, &viewer, "look only", "role").await;
    let viewer_token = token_id(&app, "look only").await;
    let id = s(&server_named(&app, "staging")["id"]);
    let before = hdds(&app, &id);

    // Act
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/servers/{id}/hdds"),
        &token,
        Some(json!({"hdd": {"size": 40}})),
    )
    .await;
    let (read, _, _) = api(&app, &format!("{API}/servers/{id}/hdds"), Some(&token)).await;

    // Assert: 403 naming the flag, audited as denied; the disks are as they were.
    assert_eq!(status, 403, "{refused}");
    assert!(
        s(&refused["errors"][0]).contains("servers.resize"),
        "{refused}"
    );
    assert_eq!(denials(&app, "servers.resize", viewer_token).await, 1);
    assert_eq!(hdds(&app, &id), before);
    assert!(audit_rows(&app, "server.hdd_add").await.is_empty());
    assert_eq!(read, 200, "reading stays allowed");
}
