//! The Cloud Panel API simulator, driven over HTTP as a client would.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use teampanel::simulator::{Faults, RunningSimulator, Seed, SimConfig, spawn};

const TOKEN: &str = "token-a";
const OTHER: &str = "token-b";
const DUMMY: &str = "0123456789ABCDEF0123456789ABCDEF";

async fn start(config: SimConfig) -> RunningSimulator {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    spawn(config, listener).await.unwrap()
}

/// Demo seed, a limit high enough not to matter, transitions 200 times faster.
async fn fast() -> RunningSimulator {
    let mut c = SimConfig::demo(vec![TOKEN.into(), OTHER.into()]);
    c.rate_limit = 100_000;
    c.speed = 200.0;
    start(c).await
}

fn client() -> Client {
    teampanel::tls::client_builder().build().unwrap()
}

struct Api {
    sim: RunningSimulator,
    http: Client,
}

impl Api {
    async fn new(sim: RunningSimulator) -> Self {
        Api {
            sim,
            http: client(),
        }
    }

    async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.sim.base_url, path))
            .header("X-TOKEN", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_as(TOKEN, method, path, body).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// Polls a server until `done` holds for its status, returning every state seen.
    async fn watch_server(
        &self,
        id: &str,
        done: impl Fn(StatusCode, &Value) -> bool,
    ) -> Vec<String> {
        let mut seen = Vec::new();
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let (s, v) = self.get(&format!("/servers/{id}")).await;
            let state = if s == StatusCode::NOT_FOUND {
                "404".to_string()
            } else {
                v["status"]["state"].as_str().unwrap().to_string()
            };
            if seen.last() != Some(&state) {
                seen.push(state);
            }
            if done(s, &v) || Instant::now() > until {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn ubuntu() -> String {
    // Catalogue ids are stable; find it through the API in the tests that need more.
    "ubuntu2204-64std".to_string()
}

async fn appliance_id(api: &Api, name: &str) -> String {
    let (_, list) = api.get(&format!("/server_appliances?q={name}")).await;
    list[0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_endpoint_of_the_reference_is_routed() {
    let api = Api::new(fast().await).await;
    let tsv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        // A copy of the reference's endpoint list, so a clone tests on its own.
        "/tests/data/endpoints.tsv"
    ))
    .unwrap();
    let mut count = 0;
    for line in tsv.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (method, pattern, success) = (cols[0], cols[1], cols[2]);
        let path: String = pattern
            .split('/')
            .map(|seg| if seg.starts_with('{') { DUMMY } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let body = if method == "GET" || method == "DELETE" {
            None
        } else {
            Some(json!({}))
        };
        let (status, v) = api
            .call(Method::from_bytes(method.as_bytes()).unwrap(), &path, body)
            .await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {pattern}");
        assert!(
            status != StatusCode::NOT_FOUND
                || (v["Type"] != "NOT_FOUND" && v["Type"].as_str().unwrap().ends_with("NOT_FOUND")),
            "{method} {pattern}: route-level 404 {v}"
        );
        assert!(
            v.is_object() || v.is_array(),
            "{method} {pattern}: body {v}"
        );
        if !pattern.contains('{') && method == "GET" && !["/logs", "/usages"].contains(&pattern) {
            assert_eq!(status.as_u16().to_string(), success, "{method} {pattern}");
        }
        count += 1;
    }
    assert_eq!(count, 175);
    assert_eq!(teampanel::simulator::endpoints().len(), 175);
}

#[tokio::test]
async fn route_level_errors_are_distinct_from_missing_elements() {
    let api = Api::new(fast().await).await;
    let (s, v) = api.get("/nothing/here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["Type"], "NOT_FOUND");
    let (s, v) = api.get(&format!("/servers/{DUMMY}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        v,
        json!({"Type": "SERVER_NOT_FOUND", "Message": "Server not found", "Errors": null})
    );
    let (s, v) = api.call(Method::PATCH, "/servers", None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["Type"], "METHOD_NOT_ALLOWED");
    let (s, _) = api
        .call(Method::POST, &format!("/servers/{DUMMY}"), Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    // Literal segments win over ids.
    let (s, v) = api.get("/servers/fixed_instance_sizes").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["M", "L", "XL", "XXL"]
    );
}

#[tokio::test]
async fn bad_requests_get_the_api_error_body() {
    let api = Api::new(fast().await).await;
    let (s, v) = api.call(Method::POST, "/servers", Some(json!({}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v,
        json!({"Type": "INVALID_PARAMETERS", "Message": "Required field(s) name missing or empty. ", "Errors": {"required": "name"}})
    );

    let img = appliance_id(&api, &ubuntu()).await;
    let body = json!({"name": "x", "appliance_id": img, "hardware": {"vcore": 17, "cores_per_processor": 1, "ram": 1, "hdds": [{"size": 40, "is_main": true}]}});
    let (s, v) = api.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["Errors"], json!({"vcore": 17}));

    let body = json!({"name": "x", "appliance_id": img, "hardware": {"vcore": 1, "cores_per_processor": 1, "ram": 1, "hdds": [{"size": 30, "is_main": true}]}});
    let (s, v) = api.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["Type"], "TECHNICAL_TARIFF_VIOLATION");
    assert_eq!(v["Message"], "Wrong step 30 - 20.00");

    let (_, servers) = api.get("/servers").await;
    let id = servers[0]["id"].as_str().unwrap();
    let (s, v) = api
        .call(
            Method::PUT,
            &format!("/servers/{id}/status/action"),
            Some(json!({"action": "JUMP"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["Type"], "VALIDATION_ERROR");
    assert_eq!(
        v["Message"],
        "Invalid action. Valid actions are POWER_ON, POWER_OFF and REBOOT."
    );

    let (s, v) = api
        .call(Method::POST, "/public_ips", Some(json!({"type": "IPV6"})))
        .await;
    assert_eq!(
        (s, v["Message"].as_str().unwrap()),
        (StatusCode::BAD_REQUEST, "Invalid type. Only IPV4 allowed")
    );

    let resp = api
        .http
        .post(format!("{}/ssh_keys", api.sim.base_url))
        .header("X-TOKEN", TOKEN)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["Type"],
        "INVALID_PARAMETERS"
    );
}

#[tokio::test]
async fn unknown_or_missing_tokens_get_401() {
    let api = Api::new(fast().await).await;
    let (s, v) = api.call_as("nope", Method::GET, "/servers", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        v,
        json!({"Type": "UNAUTHORIZED", "Message": "The Token you are using is not valid", "Errors": null})
    );
    let resp = api
        .http
        .get(format!("{}/ping_auth", api.sim.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (s, v) = api.get("/ping_auth").await;
    assert_eq!((s, v), (StatusCode::OK, json!(["PONG"])));
}

#[tokio::test]
async fn the_26th_request_in_a_minute_gets_429() {
    let sim = start(SimConfig::demo(vec![TOKEN.into()])).await;
    let http = client();
    let url = format!("{}/ping", sim.base_url);
    // A bad token does not spend the real token's budget.
    let r = http
        .get(&url)
        .header("X-TOKEN", "bad")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for i in 1..=25u32 {
        let r = http
            .get(&url)
            .header("X-TOKEN", TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "request {i}");
        assert_eq!(r.headers()["X-Rate-Limit-Limit"], "25");
        assert_eq!(
            r.headers()["X-Rate-Limit-Remaining"].to_str().unwrap(),
            (25 - i).to_string()
        );
    }
    let r = http
        .get(&url)
        .header("X-TOKEN", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["X-Rate-Limit-Remaining"], "0");
    let reset: u64 = r.headers()["X-Rate-Limit-Reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&reset), "reset {reset}");
    assert_eq!(
        r.json::<Value>().await.unwrap()["Type"],
        "TOO_MANY_REQUESTS"
    );
}

#[tokio::test]
async fn a_server_deploys_powers_off_and_is_removed() {
    let api = Api::new(fast().await).await;
    let img = appliance_id(&api, &ubuntu()).await;
    let body = json!({"name": "new-one", "appliance_id": img, "hardware": {"fixed_instance_size_id": "8C626C1A7005D0D1F527143C413D461E"}});
    let (s, v) = api.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(v["status"], json!({"state": "DEPLOYING", "percent": 20}));
    assert_eq!(v["hardware"]["hdds"][0]["size"], 40);
    assert_eq!(v["ips"].as_array().unwrap().len(), 1);
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let seen = api
        .watch_server(&id, |_, v| v["status"]["state"] == "POWERED_ON")
        .await;
    assert_eq!(seen.first().map(String::as_str), Some("DEPLOYING"));
    assert_eq!(seen.last().map(String::as_str), Some("POWERED_ON"));

    let (s, v) = api
        .call(
            Method::PUT,
            &format!("/servers/{id}/status/action"),
            Some(json!({"action": "POWER_OFF", "method": "SOFTWARE"})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(
        v["status"],
        json!({"state": "POWERING_OFF", "percent": null})
    );
    let seen = api
        .watch_server(&id, |_, v| v["status"]["state"] == "POWERED_OFF")
        .await;
    assert_eq!(seen.last().map(String::as_str), Some("POWERED_OFF"));

    let ip = v["ips"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = api
        .call(Method::DELETE, &format!("/servers/{id}?keep_ip=true"), None)
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(v["status"]["state"], "REMOVING");
    let seen = api
        .watch_server(&id, |s, _| s == StatusCode::NOT_FOUND)
        .await;
    assert_eq!(seen.last().map(String::as_str), Some("404"));
    let (s, v) = api.get(&format!("/public_ips/{ip}")).await;
    assert_eq!(s, StatusCode::OK, "keep_ip keeps the address");
    assert_eq!(v["assigned_to"], Value::Null);
}

#[tokio::test]
async fn relations_show_on_both_sides() {
    let api = Api::new(fast().await).await;
    let (_, servers) = api.get("/servers?q=staging").await;
    let server = &servers[0];
    let (sid, ip) = (
        server["id"].as_str().unwrap(),
        server["ips"][0]["id"].as_str().unwrap(),
    );
    let (s, fw) = api
        .call(
            Method::POST,
            "/firewall_policies",
            Some(json!({"name": "db", "rules": [{"protocol": "TCP", "port": "5432"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(fw["rules"][0]["action"], "accept");
    let fid = fw["id"].as_str().unwrap();
    let (s, v) = api
        .call(
            Method::PUT,
            &format!("/servers/{sid}/ips/{ip}/firewall_policy"),
            Some(json!({"id": fid})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(
        v["ips"][0]["firewall_policy"],
        json!({"id": fid, "name": "db"})
    );
    let (_, ips) = api
        .get(&format!("/firewall_policies/{fid}/server_ips"))
        .await;
    assert_eq!(
        ips,
        json!([{"id": ip, "ip": server["ips"][0]["ip"], "server_name": "staging"}])
    );

    // A block storage is attached to one server at most.
    let (_, blocks) = api.get("/block_storages?q=db-data").await;
    let bid = blocks[0]["id"].as_str().unwrap();
    assert_eq!(blocks[0]["server"]["name"], "db-01");
    let (s, v) = api
        .call(
            Method::POST,
            &format!("/block_storages/{bid}/server"),
            Some(json!({"server_id": sid})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Roles list their users; users show their role.
    let (_, roles) = api.get("/roles?q=read").await;
    assert_eq!(roles[0]["users"].as_array().unwrap().len(), 1);
    let uid = roles[0]["users"][0]["id"].as_str().unwrap();
    let (_, user) = api.get(&format!("/users/{uid}")).await;
    assert_eq!(user["roles"]["name"], "Read only");

    // Shared storages list servers with their rights.
    let (_, shared) = api.get("/shared_storages").await;
    let rights: Vec<&str> = shared[0]["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rights"].as_str().unwrap())
        .collect();
    assert_eq!(rights, ["RW", "R"]);
}

#[tokio::test]
async fn list_parameters_page_sort_search_and_project() {
    let api = Api::new(fast().await).await;
    let (_, v) = api.get("/servers?sort=name&fields=name").await;
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["build-runner", "db-01", "staging", "web-01", "web-02"]
    );
    assert_eq!(
        v[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "name"]
    );
    let (_, v) = api
        .get("/servers?sort=-name&per_page=2&page=2&fields=name")
        .await;
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["staging", "db-01"]);
    let (_, v) = api
        .get("/servers?q=PUBLIC%20WEB&fields=hardware.ram,name")
        .await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(
        v[0]["hardware"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["ram"]
    );
    let (s, v) = api.get("/servers?sort=size").await;
    assert_eq!(
        (s, v["Type"].as_str().unwrap()),
        (StatusCode::BAD_REQUEST, "INVALID_PARAMETERS")
    );
}

#[tokio::test]
async fn each_token_is_its_own_account() {
    let api = Api::new(fast().await).await;
    let (s, key) = api
        .call(Method::POST, "/ssh_keys", Some(json!({"name": "mine"})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = key["id"].as_str().unwrap();
    let (s, v) = api
        .call_as(OTHER, Method::GET, &format!("/ssh_keys/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["Message"], "SSH Key not found");
    let (_, mine) = api.get("/ssh_keys").await;
    let (_, theirs) = api.call_as(OTHER, Method::GET, "/ssh_keys", None).await;
    assert_eq!(
        mine.as_array().unwrap().len(),
        theirs.as_array().unwrap().len() + 1
    );
}

#[tokio::test]
async fn an_empty_seed_has_only_the_catalogue_and_the_owner() {
    let mut c = SimConfig::demo(vec![TOKEN.into()]);
    c.seed = Seed::Empty;
    let api = Api::new(start(c).await).await;
    assert_eq!(api.get("/servers").await.1, json!([]));
    let (_, users) = api.get("/users").await;
    assert_eq!(users[0]["api"]["key"], TOKEN);
    let (_, dcs) = api.get("/datacenters").await;
    assert!(dcs.as_array().unwrap().len() >= 2);
    let (s, v) = api.get("/servers/baremetal_models/nope").await;
    assert_eq!(
        (s, v["Type"].as_str().unwrap()),
        (StatusCode::NOT_FOUND, "BAREMETAL_METAL_NOT_FOUND")
    );
}

#[tokio::test]
async fn faults_error_malformed_and_hang() {
    let api = Api::new(fast().await).await;
    api.sim
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let (s, v) = api.get("/servers").await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(v["Type"], "INTERNAL_ERROR");

    api.sim
        .set_faults(Faults {
            malformed_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let r = api
        .http
        .get(format!("{}/servers", api.sim.base_url))
        .header("X-TOKEN", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());

    // The control endpoint answers loopback clients.
    let ctl = format!("http://{}/__sim/faults", api.sim.addr);
    let r = api
        .http
        .post(&ctl)
        .json(&json!({"hang_rate": 1.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(api.sim.faults().hang_rate, 1.0);
    let quick = teampanel::tls::client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = quick
        .get(format!("{}/servers", api.sim.base_url))
        .header("X-TOKEN", TOKEN)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");

    let r = api
        .http
        .post(&ctl)
        .json(&json!({"error_rate": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = api.http.post(&ctl).json(&json!({})).send().await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"latency_ms": 0, "error_rate": 0.0, "force_429": false, "malformed_rate": 0.0, "hang_rate": 0.0})
    );
    assert_eq!(api.get("/ping").await.0, StatusCode::OK);

    api.sim
        .set_faults(Faults {
            force_429: true,
            ..Faults::default()
        })
        .unwrap();
    assert_eq!(api.get("/ping").await.0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn bad_configurations_are_refused() {
    let listener = || std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = SimConfig::demo(vec![TOKEN.into()]);
    c.speed = 0.0;
    assert!(
        spawn(c, listener())
            .await
            .unwrap_err()
            .to_string()
            .contains("speed")
    );
    let mut c = SimConfig::demo(vec![TOKEN.into()]);
    c.faults.error_rate = 1.5;
    assert!(spawn(c, listener()).await.is_err());
    assert!(spawn(SimConfig::demo(vec![]), listener()).await.is_err());
}

#[tokio::test]
async fn sub_resources_answer_their_documented_statuses() {
    // Ten times real speed: a DVD change keeps the server busy for 0.6 s,
    // ample for the second request to meet it busy even on a loaded machine;
    // the steps that need the server idle wait for it (bounded).
    let mut config = SimConfig::demo(vec![TOKEN.into(), OTHER.into()]);
    config.rate_limit = 100_000;
    config.speed = 10.0;
    let api = Api::new(start(config).await).await;
    let (_, servers) = api.get("/servers?q=db-01").await;
    let sid = servers[0]["id"].as_str().unwrap().to_string();
    let ip = servers[0]["ips"][0]["id"].as_str().unwrap().to_string();
    let hdd = servers[0]["hardware"]["hdds"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, lbs) = api.get("/load_balancers").await;
    let lb = lbs[0]["id"].as_str().unwrap().to_string();
    let (_, isos) = api.get("/dvd_isos").await;
    let iso = isos[0]["id"].as_str().unwrap().to_string();

    let steps: Vec<(Method, String, Option<Value>, u16)> = vec![
        (
            Method::GET,
            format!("/servers/{sid}/hardware/hdds/{hdd}"),
            None,
            200,
        ),
        (
            Method::POST,
            format!("/servers/{sid}/ips/{ip}/load_balancers"),
            Some(json!({"load_balancer_id": lb})),
            202,
        ),
        (
            Method::GET,
            format!("/servers/{sid}/ips/{ip}/load_balancers"),
            None,
            200,
        ),
        (
            Method::GET,
            format!("/load_balancers/{lb}/server_ips/{ip}"),
            None,
            200,
        ),
        (
            Method::DELETE,
            format!("/servers/{sid}/ips/{ip}/load_balancers/{lb}"),
            None,
            202,
        ),
        (
            Method::POST,
            format!("/servers/{sid}/ips"),
            Some(json!({"type_ip": "IPV4"})),
            201,
        ),
        (
            Method::PUT,
            format!("/servers/{sid}"),
            Some(json!({"name": "db-01", "description": "renamed"})),
            200,
        ),
        (
            Method::GET,
            format!("/servers/{sid}/private_networks"),
            None,
            200,
        ),
        (
            Method::PUT,
            format!("/servers/{sid}/dvd"),
            Some(json!({"id": iso})),
            202,
        ),
        (
            Method::PUT,
            format!("/servers/{sid}/dvd"),
            Some(json!({"id": iso})),
            403,
        ),
        (
            Method::POST,
            "/roles".into(),
            Some(json!({"name": "ops"})),
            201,
        ),
        (
            Method::POST,
            "/monitoring_policies".into(),
            Some(
                json!({"name": "x", "agent": false, "email": "a@b.c", "ports": [], "processes": [],
            "thresholds": {"cpu": {"warning": {"alert": true, "value": 90}, "critical": {"alert": true, "value": 95}}}}),
            ),
            400,
        ),
        (
            Method::POST,
            "/block_storages".into(),
            Some(json!({"name": "b", "size": 25})),
            400,
        ),
        (
            Method::POST,
            "/block_storages".into(),
            Some(json!({"name": "b", "size": 30})),
            201,
        ),
        (
            Method::POST,
            "/shared_storages".into(),
            Some(json!({"name": "s", "size": 100})),
            202,
        ),
        (
            Method::POST,
            "/private_networks".into(),
            Some(json!({"name": "p", "network_address": "10.1.0.0", "subnet_mask": "255.255.0.0"})),
            202,
        ),
        (
            Method::POST,
            "/vpns".into(),
            Some(json!({"name": "v"})),
            202,
        ),
        (Method::POST, "/users".into(), Some(json!({})), 400),
        (Method::GET, "/logs?period=LAST_HOUR".into(), None, 200),
        (Method::GET, "/usages?period=LAST_24H".into(), None, 200),
        (Method::GET, "/logs".into(), None, 400),
        (
            Method::GET,
            format!("/monitoring_center/{sid}?period=LAST_7D"),
            None,
            200,
        ),
        (
            Method::GET,
            "/users/current_user_permissions".into(),
            None,
            200,
        ),
        (Method::GET, "/shared_storages/access".into(), None, 200),
        (
            Method::PUT,
            "/shared_storages/access".into(),
            Some(json!({"password": "Secret-Pass-1"})),
            202,
        ),
    ];
    let dvd = format!("/servers/{sid}/dvd");
    for (m, path, body, want) in steps {
        if path == dvd && want == 202 {
            // The IP added before keeps the server configuring for a moment.
            for _ in 0..100 {
                let (_, server) = api.get(&format!("/servers/{sid}")).await;
                if server["status"]["state"] == "POWERED_ON" {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        let (s, v) = api.call(m.clone(), &path, body).await;
        assert_eq!(s.as_u16(), want, "{m} {path}: {v}");
    }
    let (_, v) = api.get(&format!("/servers/{sid}")).await;
    assert_eq!(v["ips"].as_array().unwrap().len(), 2);
    // The last change's CONFIGURING can already be over on a busy machine;
    // either way the server is not in another state.
    let state = v["status"]["state"].as_str().unwrap_or_default();
    assert!(matches!(state, "CONFIGURING" | "POWERED_ON"), "{state}");
    assert_eq!(v["dvd"]["id"], iso.as_str());
    let (_, logs) = api.get("/logs?period=LAST_HOUR&per_page=1").await;
    assert_eq!(logs[0]["action"], "MODIFY");
    assert_eq!(logs[0]["type"], "SHAREDSTORAGE");
    let (_, logs) = api
        .get("/logs?period=LAST_HOUR&q=v&sort=-creation_date")
        .await;
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .any(|l| l["action"] == "CREATE" && l["type"] == "VPN")
    );
}

/// The E2E client's endpoint table and the E2E simulator's routes are the
/// same list, so neither can grow an endpoint the other lacks.
#[test]
fn the_e2e_simulator_serves_exactly_the_client_s_endpoints() {
    let mut served: Vec<(&str, &str)> = teampanel::simulator::e2e::endpoints();
    let mut sent: Vec<(&str, &str)> = teampanel::cloudpanel::e2e::endpoints::ENDPOINTS
        .iter()
        .map(|e| (e.method, e.path))
        .collect();
    served.sort_unstable();
    sent.sort_unstable();
    assert_eq!(served, sent);
    assert_eq!(sent.len(), 10);
}
