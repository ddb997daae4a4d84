//! The Cloud Panel client: its error handling, budget, cache and single-flight
//! against a small stub server, and its contract with the simulator.

use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use teampanel::cloudpanel::common::{ServerState, ServerType};
use teampanel::cloudpanel::servers::{
    AddHdds, AddServerIp, CloneServer, CreateHardware, CreateServer, NewHdd, PowerMethod,
    ServerAction, UpdateServer,
};
use teampanel::cloudpanel::{
    AccountClient, AccountKey, ClientSettings, CloudError, CloudPanel, ListQuery, StaleReason,
};
use teampanel::simulator::{RunningSimulator, SimConfig, spawn};

// ------------------------------------------------------------------ stub

/// Requests seen per "METHOD path".
#[derive(Default)]
struct Hits(Mutex<HashMap<String, usize>>);

impl Hits {
    fn bump(&self, key: &str) -> usize {
        let mut m = self.0.lock().unwrap();
        let n = m.entry(key.to_string()).or_default();
        *n += 1;
        *n
    }

    fn get(&self, key: &str) -> usize {
        self.0.lock().unwrap().get(key).copied().unwrap_or(0)
    }
}

const ONE_SERVER: &str = r#"[{"id":"A","name":"web-01","status":{"state":"POWERED_ON","percent":null},"hardware":{"vcore":"2","ram":4,"hdds":[{"id":"H","size":"40","is_main":true}]},"unknown":1}]"#;

async fn stub_handler(req: HttpRequest, hits: web::Data<Hits>) -> HttpResponse {
    let key = format!("{} {}", req.method(), req.path());
    let n = hits.bump(&key);
    let token = req
        .headers()
        .get("X-TOKEN")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if token != "good" {
        return HttpResponse::Unauthorized()
            .content_type("application/json")
            .body(r#"{"type":"UNAUTHORIZED","message":"The Token you are using is not valid","errors":null}"#);
    }
    let json = |status: u16, body: &str| {
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .content_type("application/json")
            .body(body.to_string())
    };
    match key.as_str() {
        "GET /v1/servers" => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            json(200, ONE_SERVER)
        }
        "GET /v1/servers/limited" => HttpResponse::TooManyRequests()
            .insert_header(("X-Rate-Limit-Limit", "25"))
            .insert_header(("X-Rate-Limit-Remaining", "0"))
            .insert_header(("X-Rate-Limit-Reset", "17"))
            .content_type("application/json")
            .body(r#"{"Type":"TOO_MANY_REQUESTS","Message":"Too many requests","Errors":null}"#),
        "GET /v1/servers/malformed" => json(200, "<html>oops"),
        "GET /v1/servers/hang" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            json(200, "{}")
        }
        "GET /v1/servers/flaky" if n <= 2 => json(503, "<html>busy</html>"),
        "GET /v1/servers/flaky" => json(200, r#"{"id":"flaky","name":"ok now"}"#),
        "GET /v1/servers/broken" => {
            json(500, r#"{"Type":"INTERNAL","Message":"boom","Errors":null}"#)
        }
        "PUT /v1/servers/flaky" => json(503, "busy"),
        "PUT /v1/servers/A" => json(200, r#"{"id":"A","name":"renamed"}"#),
        "GET /v1/servers/missing" => json(
            404,
            r#"{"Type":"SERVER_NOT_FOUND","Message":"Server not found","Errors":null}"#,
        ),
        "PUT /v1/servers/A/status/action" => json(
            400,
            r#"{"type":"VALIDATION_ERROR","message":"Invalid action. Valid actions are POWER_ON, POWER_OFF and REBOOT.","errors":null}"#,
        ),
        "GET /v1/ping_auth" => json(200, r#"["PONG"]"#),
        _ => json(
            404,
            r#"{"Type":"NOT_FOUND","Message":"no route","Errors":null}"#,
        ),
    }
}

struct Stub {
    base_url: String,
    hits: web::Data<Hits>,
    handle: actix_web::dev::ServerHandle,
}

impl Stub {
    async fn start() -> Stub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = web::Data::new(Hits::default());
        let data = hits.clone();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .default_service(web::to(stub_handler))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Stub {
            base_url: format!("http://{addr}/v1"),
            hits,
            handle,
        }
    }

    fn client(&self, settings: ClientSettings, token: &str) -> (CloudPanel, AccountClient) {
        let panel = CloudPanel::new(settings).unwrap();
        let client = panel.account(AccountKey::new(1, self.base_url.clone(), token));
        (panel, client)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        let h = self.handle.clone();
        tokio::spawn(async move { h.stop(false).await });
    }
}

fn quick() -> ClientSettings {
    ClientSettings {
        timeout: Duration::from_millis(500),
        retry_backoff: Duration::from_millis(10),
        ..ClientSettings::default()
    }
}

#[tokio::test]
async fn twenty_identical_concurrent_reads_make_one_upstream_call() {
    let stub = Stub::start().await;
    let (panel, client) = stub.client(quick(), "good");

    let reads = (0..20).map(|_| {
        let c = client.clone();
        async move { c.list_servers(&ListQuery::all()).await }
    });
    let results = futures_util::future::join_all(reads).await;

    for r in &results {
        let f = r.as_ref().unwrap();
        assert_eq!(f.value[0].name, "web-01");
        assert_eq!(f.value[0].hardware.vcore, 2);
        assert_eq!(f.value[0].hardware.hdds[0].size, 40);
    }
    assert_eq!(stub.hits.get("GET /v1/servers"), 1);
    let c = panel.counters();
    assert_eq!(c.upstream_calls, 1);
    assert_eq!(c.coalesced_waits, 19);

    // A later read within the cache's lifetime does not go upstream either.
    let again = client.list_servers(&ListQuery::all()).await.unwrap();
    assert!(again.from_cache && !again.stale);
    assert_eq!(panel.counters().cache_hits, 1);
    assert_eq!(stub.hits.get("GET /v1/servers"), 1);
}

#[tokio::test]
async fn a_429_becomes_rate_limited_with_the_reset_and_spends_the_budget() {
    let stub = Stub::start().await;
    let (panel, client) = stub.client(quick(), "good");

    let err = client.get_server("limited").await.unwrap_err();

    assert_eq!(
        err,
        CloudError::RateLimited {
            retry_after_secs: 17
        }
    );
    assert!(err.user_message().contains("17 s"));
    assert_eq!(panel.counters().upstream_429, 1);
    // The budget is now empty: a change is refused without asking the API.
    let before = panel.counters().upstream_calls;
    let refused = client
        .update_server(
            "A",
            &UpdateServer {
                name: "x".into(),
                description: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, CloudError::RateLimited { retry_after_secs } if (16..=17).contains(&retry_after_secs))
    );
    assert_eq!(panel.counters().upstream_calls, before);
    assert_eq!(stub.hits.get("PUT /v1/servers/A"), 0);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_undecodable() {
    let stub = Stub::start().await;
    let (_, client) = stub.client(quick(), "good");
    let err = client.get_server("malformed").await.unwrap_err();
    assert!(matches!(err, CloudError::Undecodable { .. }), "{err:?}");
}

#[tokio::test]
async fn a_hanging_answer_times_out_and_is_retried_twice() {
    let stub = Stub::start().await;
    let settings = ClientSettings {
        timeout: Duration::from_millis(200),
        details_from_lists: false,
        ..quick()
    };
    let (panel, client) = stub.client(settings, "good");
    let started = Instant::now();

    let err = client.get_server("hang").await.unwrap_err();

    assert_eq!(err, CloudError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(panel.counters().retries, 2);
    assert_eq!(stub.hits.get("GET /v1/servers/hang"), 3);
}

#[tokio::test]
async fn a_rejected_token_is_unauthorized_without_leaking_it() {
    let stub = Stub::start().await;
    let (panel, client) = stub.client(quick(), "wrong-token-1234");

    let err = client.ping_auth().await.unwrap_err();

    assert_eq!(err, CloudError::Unauthorized);
    assert!(!format!("{err:?} {err} {client:?} {panel:?}").contains("wrong-token"));
    let good = stub.client(quick(), "good").0;
    good.verify_token(&stub.base_url, &"good".into())
        .await
        .unwrap();
    assert!(
        good.verify_token(&stub.base_url, &"bad".into())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn gateway_errors_are_retried_for_reads_but_never_for_changes() {
    let stub = Stub::start().await;
    let (panel, client) = stub.client(quick(), "good");

    let read = client.get_server("flaky").await.unwrap();
    assert_eq!(read.value.name, "ok now");
    assert_eq!(stub.hits.get("GET /v1/servers/flaky"), 3);
    assert_eq!(panel.counters().retries, 2);

    let write = client
        .update_server(
            "flaky",
            &UpdateServer {
                name: "x".into(),
                description: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(write, CloudError::Upstream { status: 503 });
    assert_eq!(stub.hits.get("PUT /v1/servers/flaky"), 1);

    // A 500 is not a gateway problem: no retry.
    assert_eq!(
        client.get_server("broken").await.unwrap_err(),
        CloudError::Upstream { status: 500 }
    );
    assert_eq!(stub.hits.get("GET /v1/servers/broken"), 1);
}

#[tokio::test]
async fn api_errors_keep_the_apis_own_message() {
    let stub = Stub::start().await;
    let (_, client) = stub.client(quick(), "good");

    let missing = client.get_server("missing").await.unwrap_err();
    assert_eq!(
        missing,
        CloudError::NotFound {
            kind: "SERVER_NOT_FOUND".into(),
            message: "Server not found".into()
        }
    );
    let rejected = client
        .server_action("A", &ServerAction::power_on())
        .await
        .unwrap_err();
    match &rejected {
        CloudError::Rejected {
            status,
            kind,
            message,
            ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(kind, "VALIDATION_ERROR");
            assert!(message.starts_with("Invalid action"));
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(rejected.user_message().contains("Invalid action"));
}

#[tokio::test]
async fn with_the_budget_spent_reads_come_from_the_cache_with_their_age() {
    let stub = Stub::start().await;
    let settings = ClientSettings {
        cache_ttl: Duration::from_millis(50),
        default_rate_limit: 4,
        reserve_for_writes: 3,
        ..quick()
    };
    let (panel, client) = stub.client(settings, "good");

    let first = client.list_servers(&ListQuery::all()).await.unwrap();
    assert!(!first.from_cache);
    tokio::time::sleep(Duration::from_millis(80)).await;
    let second = client.list_servers(&ListQuery::all()).await.unwrap();

    assert!(second.from_cache && second.stale);
    assert!(
        matches!(second.stale_reason, Some(StaleReason::RateLimited { retry_after_secs }) if retry_after_secs > 0)
    );
    assert!(second.age() >= Duration::from_millis(80));
    assert!(
        second
            .freshness()
            .unwrap_or_default()
            .contains("rate budget spent")
    );
    assert_eq!(second.value[0].name, "web-01");
    assert_eq!(stub.hits.get("GET /v1/servers"), 1);
    // Never read by itself, the server is drawn from the list's last answer, with its age.
    let server = client.get_server("A").await.unwrap();
    assert!(server.stale && server.age() >= Duration::from_millis(80));
    assert_eq!(server.value.name, "web-01");
    assert_eq!(stub.hits.get("GET /v1/servers/A"), 0);
    // Not in the list and never read: the read fails with the wait.
    assert!(matches!(
        client.get_server("B").await,
        Err(CloudError::RateLimited { .. })
    ));
    // The reserve still lets a change through, and the change invalidates the list.
    let renamed = client
        .update_server(
            "A",
            &UpdateServer {
                name: "renamed".into(),
                description: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "renamed");
    // The list the change made doubtful is the last known state, marked as updating.
    let after = client.list_servers(&ListQuery::all()).await.unwrap();
    assert!(after.stale && after.updating);
    assert_eq!(after.value[0].name, "web-01");
    assert_eq!(panel.counters().stale_served, 5);
    assert_eq!(panel.budget(1).map(|b| b.remaining), Some(2));
}

// ------------------------------------------------------------- simulator

const TOKEN: &str = "contract-token";

async fn simulator() -> (RunningSimulator, CloudPanel, AccountClient) {
    let mut config = SimConfig::demo(vec![TOKEN.into()]);
    config.rate_limit = 100_000;
    config.speed = 200.0;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sim = spawn(config, listener).await.unwrap();
    let panel = CloudPanel::new(ClientSettings {
        cache_ttl: Duration::ZERO,
        // Each endpoint by itself: details are not drawn from lists here.
        details_from_lists: false,
        ..ClientSettings::default()
    })
    .unwrap();
    let client = panel.account(AccountKey::new(7, sim.base_url.clone(), TOKEN));
    (sim, panel, client)
}

/// Polls until the server is in a steady state; returns it.
async fn steady(client: &AccountClient, id: &str) -> teampanel::cloudpanel::servers::Server {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let s = client.get_server(id).await.unwrap().value;
        if !s.is_transitional() || Instant::now() > until {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn contract_catalogue_and_ping() {
    let (_sim, _panel, c) = simulator().await;

    assert_eq!(c.ping().await.unwrap().value, "PONG");
    c.ping_auth().await.unwrap();
    let sizes = c.list_fixed_instance_sizes().await.unwrap().value;
    let m = sizes.iter().find(|s| s.name == "M").unwrap();
    assert_eq!(m.hardware.vcore, 1);
    assert_eq!(
        c.get_fixed_instance_size(&m.id).await.unwrap().value.name,
        "M"
    );
    let models = c.list_baremetal_models().await.unwrap().value;
    assert!(!models.is_empty());
    assert_eq!(
        c.get_baremetal_model(&models[0].id).await.unwrap().value.id,
        models[0].id
    );
    let apps = c
        .list_server_appliances(&ListQuery::search("ubuntu2204-64std"))
        .await
        .unwrap()
        .value;
    assert_eq!(apps[0].name, "ubuntu2204-64std");
    assert_eq!(
        c.get_server_appliance(&apps[0].id)
            .await
            .unwrap()
            .value
            .os_family,
        apps[0].os_family
    );
    let rescue = c
        .list_recovery_appliances(&ListQuery::all())
        .await
        .unwrap()
        .value;
    assert!(!rescue.is_empty());
    assert_eq!(
        c.get_recovery_appliance(&rescue[0].id)
            .await
            .unwrap()
            .value
            .name,
        rescue[0].name
    );
    let isos = c.list_dvd_isos(&ListQuery::all()).await.unwrap().value;
    assert_eq!(
        c.get_dvd_iso(&isos[0].id).await.unwrap().value.name,
        isos[0].name
    );
    let dcs = c.list_datacenters(&ListQuery::all()).await.unwrap().value;
    assert!(dcs.iter().any(|d| d.default));
    assert_eq!(
        c.get_datacenter(&dcs[0].id)
            .await
            .unwrap()
            .value
            .country_code,
        dcs[0].country_code
    );
    let pricing = c.get_pricing().await.unwrap().value;
    assert!(!pricing.currency.is_empty());
    assert!(!pricing.pricing_plans.server.fixed_servers.is_empty());
    let missing = c.get_fixed_instance_size("NOPE").await.unwrap_err();
    assert!(
        matches!(missing, CloudError::NotFound { .. }),
        "{missing:?}"
    );
}

#[tokio::test]
async fn contract_server_lifecycle() {
    let (_sim, panel, c) = simulator().await;
    let demo = c.list_servers(&ListQuery::all()).await.unwrap().value;
    assert!(demo.iter().any(|s| s.name == "web-01"));
    let searched = c
        .list_servers(&ListQuery::search("db-01"))
        .await
        .unwrap()
        .value;
    assert_eq!(searched.len(), 1);
    let app = c
        .list_server_appliances(&ListQuery::search("ubuntu2204-64std"))
        .await
        .unwrap()
        .value[0]
        .id
        .clone();
    let size = c
        .list_fixed_instance_sizes()
        .await
        .unwrap()
        .value
        .into_iter()
        .find(|s| s.name == "M")
        .unwrap();

    // Create.
    let created = c
        .create_server(&CreateServer::new(
            "contract-1",
            &app,
            CreateHardware::fixed(&size.id),
        ))
        .await
        .unwrap();
    assert_eq!(created.name, "contract-1");
    assert_eq!(created.status.state, ServerState::Deploying);
    let id = created.id.clone();
    let s = steady(&c, &id).await;
    assert_eq!(s.status.state, ServerState::PoweredOn);
    assert_eq!(s.server_type, ServerType::Cloud);
    assert_eq!(
        s.hardware.fixed_instance_size_id.as_deref(),
        Some(size.id.as_str())
    );

    // Rename.
    let renamed = c
        .update_server(
            &id,
            &UpdateServer {
                name: "contract-2".into(),
                description: "renamed".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "contract-2");
    assert_eq!(
        c.get_server(&id).await.unwrap().value.description,
        "renamed"
    );

    // Hardware and disks.
    let hw = c.get_server_hardware(&id).await.unwrap().value;
    assert_eq!(hw.vcore, 1);
    let hdds = c.list_server_hdds(&id).await.unwrap().value;
    assert_eq!(hdds.len(), 1);
    assert!(hdds[0].is_main);
    assert_eq!(
        c.get_server_hdd(&id, &hdds[0].id).await.unwrap().value.size,
        hdds[0].size
    );
    let with_disk = c
        .add_server_hdds(
            &id,
            &AddHdds {
                hdds: vec![NewHdd::extra(20)],
            },
        )
        .await
        .unwrap();
    assert_eq!(with_disk.hardware.hdds.len(), 2);
    let extra = with_disk
        .hardware
        .hdds
        .iter()
        .find(|h| !h.is_main)
        .unwrap()
        .id
        .clone();
    steady(&c, &id).await;
    c.resize_server_hdd(&id, &extra, 60).await.unwrap();
    steady(&c, &id).await;
    assert_eq!(c.get_server_hdd(&id, &extra).await.unwrap().value.size, 60);
    c.delete_server_hdd(&id, &extra).await.unwrap();
    steady(&c, &id).await;
    assert_eq!(c.list_server_hdds(&id).await.unwrap().value.len(), 1);

    // Resize to L, then reinstall.
    let large = c
        .list_fixed_instance_sizes()
        .await
        .unwrap()
        .value
        .into_iter()
        .find(|s| s.name == "L")
        .unwrap();
    let resize = teampanel::cloudpanel::servers::UpdateHardware {
        fixed_instance_size_id: Some(large.id.clone()),
        ..Default::default()
    };
    c.update_server_hardware(&id, &resize).await.unwrap();
    let resized = steady(&c, &id).await;
    assert_eq!(resized.hardware.vcore, large.hardware.vcore);
    assert!((resized.hardware.ram - large.hardware.ram).abs() < f64::EPSILON);

    // Image.
    assert_eq!(c.get_server_image(&id).await.unwrap().value.id, app);
    let debian = c
        .list_server_appliances(&ListQuery::search("debian12-64std"))
        .await
        .unwrap()
        .value[0]
        .id
        .clone();
    let reinstall = teampanel::cloudpanel::servers::ReinstallImage {
        id: debian.clone(),
        password: Some("Contract-Pass-123".into()),
        ..Default::default()
    };
    let deploying = c.reinstall_server_image(&id, &reinstall).await.unwrap();
    assert_eq!(deploying.status.state, ServerState::Deploying);
    steady(&c, &id).await;
    assert_eq!(c.get_server_image(&id).await.unwrap().value.id, debian);

    // Status and power.
    assert_eq!(
        c.get_server_status(&id).await.unwrap().value.state,
        ServerState::PoweredOn
    );
    let off = c
        .server_action(&id, &ServerAction::power_off(PowerMethod::Software))
        .await
        .unwrap();
    assert!(off.is_transitional(), "{:?}", off.status);
    assert_eq!(steady(&c, &id).await.status.state, ServerState::PoweredOff);
    c.server_action(&id, &ServerAction::power_on())
        .await
        .unwrap();
    assert_eq!(steady(&c, &id).await.status.state, ServerState::PoweredOn);

    // Clone, then delete both.
    let clone = c
        .clone_server(
            &id,
            &CloneServer {
                name: "contract-clone".into(),
                datacenter_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(clone.name, "contract-clone");
    assert_ne!(clone.id, id);
    steady(&c, &clone.id).await;
    let removing = c.delete_server(&clone.id, false).await.unwrap();
    assert_eq!(removing.status.state, ServerState::Removing);
    c.delete_server(&id, true).await.unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while c.get_server(&id).await.is_ok() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(matches!(
        c.get_server(&id).await,
        Err(CloudError::NotFound { .. })
    ));
    assert!(panel.counters().upstream_calls > 20);
    assert_eq!(panel.counters().upstream_429, 0);
}

#[tokio::test]
async fn contract_server_ips_networks_dvd_and_snapshots() {
    let (_sim, _panel, c) = simulator().await;
    let servers = c
        .list_servers(&ListQuery::search("web-01"))
        .await
        .unwrap()
        .value;
    let id = servers[0].id.clone();
    steady(&c, &id).await;

    // IPs, their firewall policy and load balancers.
    let ips = c.list_server_ips(&id).await.unwrap().value;
    assert!(!ips.is_empty());
    let with_ip = c.add_server_ip(&id, &AddServerIp::default()).await.unwrap();
    assert_eq!(with_ip.ips.len(), ips.len() + 1);
    let new_ip = with_ip
        .ips
        .iter()
        .find(|i| !ips.iter().any(|o| o.id == i.id))
        .unwrap()
        .clone();
    steady(&c, &id).await;
    assert_eq!(
        c.get_server_ip(&id, &new_ip.id).await.unwrap().value.ip,
        new_ip.ip
    );
    let fw = c
        .list_firewall_policies(&ListQuery::search("web"))
        .await
        .unwrap()
        .value[0]
        .clone();
    c.set_server_ip_firewall_policy(&id, &new_ip.id, &fw.id)
        .await
        .unwrap();
    steady(&c, &id).await;
    assert_eq!(
        c.get_server_ip_firewall_policy(&id, &new_ip.id)
            .await
            .unwrap()
            .value
            .id,
        fw.id
    );
    let lb = c
        .list_load_balancers(&ListQuery::all())
        .await
        .unwrap()
        .value[0]
        .clone();
    c.add_server_ip_load_balancer(&id, &new_ip.id, &lb.id)
        .await
        .unwrap();
    steady(&c, &id).await;
    let lbs = c
        .list_server_ip_load_balancers(&id, &new_ip.id)
        .await
        .unwrap()
        .value;
    assert_eq!(
        lbs.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        vec![lb.id.as_str()]
    );
    c.remove_server_ip_load_balancer(&id, &new_ip.id, &lb.id)
        .await
        .unwrap();
    steady(&c, &id).await;
    assert!(
        c.list_server_ip_load_balancers(&id, &new_ip.id)
            .await
            .unwrap()
            .value
            .is_empty()
    );
    c.delete_server_ip(&id, &new_ip.id, false).await.unwrap();
    steady(&c, &id).await;
    assert_eq!(c.list_server_ips(&id).await.unwrap().value.len(), ips.len());

    // DVD.
    let iso = c.list_dvd_isos(&ListQuery::all()).await.unwrap().value[0].clone();
    c.load_server_dvd(&id, &iso.id).await.unwrap();
    steady(&c, &id).await;
    assert_eq!(c.get_server_dvd(&id).await.unwrap().value.id, iso.id);
    c.eject_server_dvd(&id).await.unwrap();
    steady(&c, &id).await;
    assert_eq!(c.get_server(&id).await.unwrap().value.dvd, None);

    // Private networks.
    let pn = c
        .create_private_network(&teampanel::cloudpanel::networks::CreatePrivateNetwork {
            name: "contract-net".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    wait_pn(&c, &pn.id).await;
    c.add_server_private_network(&id, &pn.id).await.unwrap();
    steady(&c, &id).await;
    assert!(
        c.list_server_private_networks(&id)
            .await
            .unwrap()
            .value
            .iter()
            .any(|p| p.id == pn.id)
    );
    assert_eq!(
        c.get_server_private_network(&id, &pn.id)
            .await
            .unwrap()
            .value
            .id,
        pn.id
    );
    c.remove_server_private_network(&id, &pn.id).await.unwrap();
    steady(&c, &id).await;
    assert!(
        !c.list_server_private_networks(&id)
            .await
            .unwrap()
            .value
            .iter()
            .any(|p| p.id == pn.id)
    );

    // Snapshots.
    let snap = c.create_server_snapshot(&id).await.unwrap();
    let snap_id = snap.snapshot.map(|s| s.id).unwrap_or_default();
    steady(&c, &id).await;
    let snaps = c.list_server_snapshots(&id).await.unwrap().value;
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0].id, snap_id);
    c.restore_server_snapshot(&id, &snap_id).await.unwrap();
    steady(&c, &id).await;
    c.delete_server_snapshot(&id, &snap_id).await.unwrap();
    steady(&c, &id).await;
    assert!(c.list_server_snapshots(&id).await.unwrap().value.is_empty());
}

async fn wait_pn(c: &AccountClient, id: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    while c
        .get_private_network(id)
        .await
        .unwrap()
        .value
        .state
        .is_transitional()
        && Instant::now() < until
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `read` until `steady` holds (transitions end quickly at speed 200).
async fn settle<T, F, Fut>(read: F, steady: impl Fn(&T) -> bool) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<teampanel::cloudpanel::Fetched<T>, CloudError>>,
{
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let v = read().await.unwrap().value;
        if steady(&v) || Instant::now() > until {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn contract_storages_images_and_ssh_keys() {
    use teampanel::cloudpanel::common::NameDescription;
    use teampanel::cloudpanel::images::{CreateImage, Frequency, UpdateImage};
    use teampanel::cloudpanel::ssh_keys::CreateSshKey;
    use teampanel::cloudpanel::storages::{
        CreateBlockStorage, CreateSharedStorage, SharedStorageGrant, UpdateStorage,
    };
    let (_sim, _panel, c) = simulator().await;
    let server = c
        .list_servers(&ListQuery::search("web-02"))
        .await
        .unwrap()
        .value[0]
        .clone();
    steady(&c, &server.id).await;

    // Block storage: create, rename and resize, attach, detach, delete.
    let bs = c
        .create_block_storage(&CreateBlockStorage {
            name: "contract-bs".into(),
            size: 40,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(bs.size, 40);
    settle(
        || c.get_block_storage(&bs.id),
        |b| !b.state.is_transitional(),
    )
    .await;
    let upd = UpdateStorage {
        name: Some("contract-bs2".into()),
        size: Some(60),
        description: None,
    };
    c.update_block_storage(&bs.id, &upd).await.unwrap();
    let b = settle(
        || c.get_block_storage(&bs.id),
        |b| !b.state.is_transitional(),
    )
    .await;
    assert_eq!((b.name.as_str(), b.size), ("contract-bs2", 60));
    c.attach_block_storage(&bs.id, &server.id).await.unwrap();
    settle(
        || c.get_block_storage(&bs.id),
        |b| !b.state.is_transitional(),
    )
    .await;
    assert_eq!(
        c.get_block_storage_server(&bs.id).await.unwrap().value.id,
        server.id
    );
    c.detach_block_storage(&bs.id).await.unwrap();
    let b = settle(
        || c.get_block_storage(&bs.id),
        |b| !b.state.is_transitional(),
    )
    .await;
    assert_eq!(b.server, None);
    assert!(
        c.list_block_storages(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|x| x.id == bs.id)
    );
    c.delete_block_storage(&bs.id).await.unwrap();

    // Shared storage with a server and the access credentials.
    let ss = c
        .create_shared_storage(&CreateSharedStorage {
            name: "contract-ss".into(),
            size: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    settle(
        || c.get_shared_storage(&ss.id),
        |s| !s.state.is_transitional(),
    )
    .await;
    c.update_shared_storage(
        &ss.id,
        &UpdateStorage::from(NameDescription::name("contract-ss2")),
    )
    .await
    .unwrap();
    settle(
        || c.get_shared_storage(&ss.id),
        |s| !s.state.is_transitional(),
    )
    .await;
    let grant = SharedStorageGrant {
        id: server.id.clone(),
        rights: "RW".into(),
    };
    c.attach_shared_storage_servers(&ss.id, &[grant])
        .await
        .unwrap();
    settle(
        || c.get_shared_storage(&ss.id),
        |s| !s.state.is_transitional(),
    )
    .await;
    assert_eq!(
        c.list_shared_storage_servers(&ss.id).await.unwrap().value[0].rights,
        "RW"
    );
    assert_eq!(
        c.get_shared_storage_server(&ss.id, &server.id)
            .await
            .unwrap()
            .value
            .id,
        server.id
    );
    c.detach_shared_storage_server(&ss.id, &server.id)
        .await
        .unwrap();
    let s = settle(
        || c.get_shared_storage(&ss.id),
        |s| !s.state.is_transitional(),
    )
    .await;
    assert_eq!(s.name, "contract-ss2");
    assert!(s.servers.is_empty());
    assert!(
        c.list_shared_storages(&ListQuery::all())
            .await
            .unwrap()
            .value
            .len()
            >= 2
    );
    let access = c.get_shared_storage_access().await.unwrap().value;
    assert!(!access.is_empty());
    let changed = c
        .set_shared_storage_access_password("Contract-Pass-123")
        .await
        .unwrap();
    assert_eq!(changed.len(), access.len());
    c.delete_shared_storage(&ss.id).await.unwrap();

    // Images.
    let image = c
        .create_image(&CreateImage {
            server_id: server.id.clone(),
            name: "contract-image".into(),
            frequency: Frequency::Once,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(image.name.starts_with("contract-image"));
    settle(|| c.get_image(&image.id), |i| !i.state.is_transitional()).await;
    let upd = UpdateImage {
        description: Some("golden".into()),
        ..Default::default()
    };
    assert_eq!(
        c.update_image(&image.id, &upd).await.unwrap().description,
        "golden"
    );
    assert!(
        c.list_images(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|i| i.id == image.id)
    );
    c.delete_image(&image.id).await.unwrap();

    // SSH keys.
    let key = c
        .create_ssh_key(&CreateSshKey {
            name: "contract-key".into(),
            description: None,
            public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host".into()),
        })
        .await
        .unwrap();
    assert_eq!(key.name, "contract-key");
    c.update_ssh_key(&key.id, &NameDescription::new("contract-key2", "laptop"))
        .await
        .unwrap();
    let k = c.get_ssh_key(&key.id).await.unwrap().value;
    assert_eq!(
        (k.name.as_str(), k.description.as_str()),
        ("contract-key2", "laptop")
    );
    assert!(
        c.list_ssh_keys(&ListQuery::all())
            .await
            .unwrap()
            .value
            .len()
            >= 2
    );
    c.delete_ssh_key(&key.id).await.unwrap();
}

#[tokio::test]
async fn contract_networks() {
    use teampanel::cloudpanel::common::NameDescription;
    use teampanel::cloudpanel::networks::*;
    let (_sim, _panel, c) = simulator().await;
    let server = c
        .list_servers(&ListQuery::search("web-02"))
        .await
        .unwrap()
        .value[0]
        .clone();
    let server = steady(&c, &server.id).await;

    // Firewall policy with rules and a server IP.
    let fw = c
        .create_firewall_policy(&CreateFirewallPolicy {
            name: "contract-fw".into(),
            description: Some("test".into()),
            rules: vec![NewFirewallRule::ports(Protocol::Tcp, 8080, 8080)],
        })
        .await
        .unwrap();
    assert_eq!(fw.rules[0].port_from, Some(8080));
    settle(
        || c.get_firewall_policy(&fw.id),
        |f| !f.state.is_transitional(),
    )
    .await;
    c.update_firewall_policy(&fw.id, &NameDescription::name("contract-fw2"))
        .await
        .unwrap();
    c.add_firewall_policy_rules(&fw.id, &[NewFirewallRule::ports(Protocol::Udp, 53, 53)])
        .await
        .unwrap();
    let f = settle(
        || c.get_firewall_policy(&fw.id),
        |f| !f.state.is_transitional(),
    )
    .await;
    assert_eq!(f.name, "contract-fw2");
    let rules = c.list_firewall_policy_rules(&fw.id).await.unwrap().value;
    assert_eq!(rules.len(), 2);
    let udp = rules.iter().find(|r| r.protocol == Protocol::Udp).unwrap();
    assert_eq!(
        c.get_firewall_policy_rule(&fw.id, &udp.id)
            .await
            .unwrap()
            .value
            .port_to,
        Some(53)
    );
    c.delete_firewall_policy_rule(&fw.id, &udp.id)
        .await
        .unwrap();
    settle(
        || c.get_firewall_policy(&fw.id),
        |f| !f.state.is_transitional(),
    )
    .await;
    let ip = server.ips[0].clone();
    c.add_firewall_policy_server_ips(&fw.id, std::slice::from_ref(&ip.id))
        .await
        .unwrap();
    settle(
        || c.get_firewall_policy(&fw.id),
        |f| !f.state.is_transitional(),
    )
    .await;
    let ips = c
        .list_firewall_policy_server_ips(&fw.id)
        .await
        .unwrap()
        .value;
    assert_eq!(ips[0].ip, ip.ip);
    assert_eq!(
        c.get_firewall_policy_server_ip(&fw.id, &ip.id)
            .await
            .unwrap()
            .value
            .server_name,
        server.name
    );
    assert!(
        c.list_firewall_policies(&ListQuery::all())
            .await
            .unwrap()
            .value
            .len()
            >= 2
    );

    // Load balancer with rules and a server IP.
    let lb = c
        .create_load_balancer(&CreateLoadBalancer {
            name: "contract-lb".into(),
            health_check_test: HealthCheckTest::Tcp,
            health_check_interval: 40,
            persistence: true,
            persistence_time: 1200,
            method: BalancingMethod::RoundRobin,
            rules: vec![NewLbRule {
                protocol: Protocol::Tcp,
                port_balancer: 80,
                port_server: 8080,
                source: None,
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(lb.rules[0].port_server, 8080);
    settle(
        || c.get_load_balancer(&lb.id),
        |l| !l.state.is_transitional(),
    )
    .await;
    let upd = UpdateLoadBalancer {
        method: Some(BalancingMethod::LeastConnections),
        ..Default::default()
    };
    c.update_load_balancer(&lb.id, &upd).await.unwrap();
    let extra = NewLbRule {
        protocol: Protocol::Tcp,
        port_balancer: 443,
        port_server: 8443,
        source: None,
    };
    c.add_load_balancer_rules(&lb.id, &[extra]).await.unwrap();
    let l = settle(
        || c.get_load_balancer(&lb.id),
        |l| !l.state.is_transitional(),
    )
    .await;
    assert_eq!(l.method, BalancingMethod::LeastConnections);
    let rules = c.list_load_balancer_rules(&lb.id).await.unwrap().value;
    let r443 = rules.iter().find(|r| r.port_balancer == 443).unwrap();
    assert_eq!(
        c.get_load_balancer_rule(&lb.id, &r443.id)
            .await
            .unwrap()
            .value
            .port_server,
        8443
    );
    c.delete_load_balancer_rule(&lb.id, &r443.id).await.unwrap();
    settle(
        || c.get_load_balancer(&lb.id),
        |l| !l.state.is_transitional(),
    )
    .await;
    c.add_load_balancer_server_ips(&lb.id, std::slice::from_ref(&ip.id))
        .await
        .unwrap();
    settle(
        || c.get_load_balancer(&lb.id),
        |l| !l.state.is_transitional(),
    )
    .await;
    assert_eq!(
        c.list_load_balancer_server_ips(&lb.id).await.unwrap().value[0].id,
        ip.id
    );
    assert_eq!(
        c.get_load_balancer_server_ip(&lb.id, &ip.id)
            .await
            .unwrap()
            .value
            .ip,
        ip.ip
    );
    c.remove_load_balancer_server_ip(&lb.id, &ip.id)
        .await
        .unwrap();
    settle(
        || c.get_load_balancer(&lb.id),
        |l| !l.state.is_transitional(),
    )
    .await;
    assert!(
        c.list_load_balancers(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|x| x.id == lb.id)
    );
    c.delete_load_balancer(&lb.id).await.unwrap();

    // Public IP.
    let pip = c
        .create_public_ip(&CreatePublicIp::default())
        .await
        .unwrap();
    assert!(!pip.ip.is_empty());
    c.set_public_ip_reverse_dns(&pip.id, "contract.example.com")
        .await
        .unwrap();
    let p = settle(|| c.get_public_ip(&pip.id), |p| !p.state.is_transitional()).await;
    assert_eq!(p.reverse_dns.as_deref(), Some("contract.example.com"));
    assert!(
        c.list_public_ips(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|x| x.id == pip.id)
    );
    c.delete_public_ip(&pip.id).await.unwrap();

    // Private network and its servers.
    let pn = c
        .create_private_network(&CreatePrivateNetwork {
            name: "contract-pn".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    wait_pn(&c, &pn.id).await;
    let upd = UpdatePrivateNetwork {
        name: "contract-pn2".into(),
        description: Some("d".into()),
        ..Default::default()
    };
    c.update_private_network(&pn.id, &upd).await.unwrap();
    wait_pn(&c, &pn.id).await;
    let attached = c
        .add_private_network_servers(&pn.id, std::slice::from_ref(&server.id))
        .await
        .unwrap();
    assert!(attached.iter().any(|s| s.id == server.id));
    wait_pn(&c, &pn.id).await;
    assert_eq!(
        c.list_private_network_servers(&pn.id).await.unwrap().value[0].id,
        server.id
    );
    assert_eq!(
        c.get_private_network_server(&pn.id, &server.id)
            .await
            .unwrap()
            .value
            .name,
        server.name
    );
    c.remove_private_network_server(&pn.id, &server.id)
        .await
        .unwrap();
    wait_pn(&c, &pn.id).await;
    assert_eq!(
        c.get_private_network(&pn.id).await.unwrap().value.name,
        "contract-pn2"
    );
    assert!(
        c.list_private_networks(&ListQuery::all())
            .await
            .unwrap()
            .value
            .len()
            >= 2
    );
    c.delete_private_network(&pn.id).await.unwrap();

    // VPN and its configuration file.
    let vpn = c
        .create_vpn(&CreateVpn {
            name: "contract-vpn".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    settle(|| c.get_vpn(&vpn.id), |v| !v.state.is_transitional()).await;
    c.update_vpn(&vpn.id, &NameDescription::new("contract-vpn2", "office"))
        .await
        .unwrap();
    assert_eq!(
        c.get_vpn(&vpn.id).await.unwrap().value.name,
        "contract-vpn2"
    );
    let conf = c.download_vpn_configuration_file(&vpn.id).await.unwrap();
    assert!(conf.bytes().is_some_and(|b| !b.is_empty()));
    assert!(
        c.list_vpns(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|x| x.id == vpn.id)
    );
    c.delete_vpn(&vpn.id).await.unwrap();
    c.delete_firewall_policy(&fw.id).await.unwrap();
}

#[tokio::test]
async fn contract_monitoring_users_roles_logs_and_usages() {
    use teampanel::cloudpanel::access::{
        CreateUser, Permissions, UpdateRole, UpdateUser, UserStateChange,
    };
    use teampanel::cloudpanel::common::NameDescription;
    use teampanel::cloudpanel::monitoring::*;
    use teampanel::cloudpanel::{Period, TimeRange};
    let (_sim, _panel, c) = simulator().await;
    let server = c
        .list_servers(&ListQuery::search("web-02"))
        .await
        .unwrap()
        .value[0]
        .clone();
    steady(&c, &server.id).await;

    // Monitoring center.
    let monitored = c
        .list_monitoring_center(&ListQuery::all())
        .await
        .unwrap()
        .value;
    assert!(!monitored.is_empty());
    let data = c
        .get_server_monitoring(&monitored[0].id, &TimeRange::last(Period::LastHour))
        .await
        .unwrap()
        .value;
    assert_eq!(data.id, monitored[0].id);

    // Monitoring policy with ports, processes and servers.
    let mp = c
        .create_monitoring_policy(&CreateMonitoringPolicy {
            name: "contract-mp".into(),
            description: None,
            email: "ops@example.com".into(),
            agent: true,
            thresholds: Thresholds::defaults(),
            ports: vec![NewPortAlert {
                protocol: "TCP".into(),
                port: 22,
                alert_if: "NOT_RESPONDING".into(),
                email_notification: true,
            }],
            processes: vec![],
        })
        .await
        .unwrap();
    assert_eq!(mp.thresholds.cpu.critical.value, 95);
    assert_eq!(mp.ports[0].port, 22);
    let ready = || async {
        settle(
            || c.get_monitoring_policy(&mp.id),
            |m| !m.state.is_transitional(),
        )
        .await
    };
    ready().await;
    let upd = UpdateMonitoringPolicy::from(NameDescription::name("contract-mp2"));
    c.update_monitoring_policy(&mp.id, &upd).await.unwrap();
    ready().await;
    let port80 = NewPortAlert {
        protocol: "TCP".into(),
        port: 80,
        alert_if: "RESPONDING".into(),
        email_notification: false,
    };
    c.add_monitoring_policy_ports(&mp.id, std::slice::from_ref(&port80))
        .await
        .unwrap();
    ready().await;
    let ports = c.list_monitoring_policy_ports(&mp.id).await.unwrap().value;
    let p80 = ports.iter().find(|p| p.port == 80).unwrap().clone();
    let changed = NewPortAlert {
        alert_if: "NOT_RESPONDING".into(),
        ..port80
    };
    c.update_monitoring_policy_port(&mp.id, &p80.id, &changed)
        .await
        .unwrap();
    ready().await;
    assert_eq!(
        c.get_monitoring_policy_port(&mp.id, &p80.id)
            .await
            .unwrap()
            .value
            .alert_if,
        "NOT_RESPONDING"
    );
    c.delete_monitoring_policy_port(&mp.id, &p80.id)
        .await
        .unwrap();
    ready().await;
    let nginx = NewProcessAlert {
        process: "nginx".into(),
        alert_if: "NOT_RUNNING".into(),
        email_notification: true,
    };
    let procs = c
        .add_monitoring_policy_processes(&mp.id, std::slice::from_ref(&nginx))
        .await
        .unwrap();
    assert_eq!(procs[0].process, "nginx");
    ready().await;
    let pid = c
        .list_monitoring_policy_processes(&mp.id)
        .await
        .unwrap()
        .value[0]
        .id
        .clone();
    let running = NewProcessAlert {
        alert_if: "RUNNING".into(),
        ..nginx
    };
    c.update_monitoring_policy_process(&mp.id, &pid, &running)
        .await
        .unwrap();
    ready().await;
    assert_eq!(
        c.get_monitoring_policy_process(&mp.id, &pid)
            .await
            .unwrap()
            .value
            .alert_if,
        "RUNNING"
    );
    c.delete_monitoring_policy_process(&mp.id, &pid)
        .await
        .unwrap();
    ready().await;
    c.add_monitoring_policy_servers(&mp.id, std::slice::from_ref(&server.id))
        .await
        .unwrap();
    ready().await;
    assert_eq!(
        c.list_monitoring_policy_servers(&mp.id)
            .await
            .unwrap()
            .value[0]
            .id,
        server.id
    );
    assert_eq!(
        c.get_monitoring_policy_server(&mp.id, &server.id)
            .await
            .unwrap()
            .value
            .name,
        server.name
    );
    c.remove_monitoring_policy_server(&mp.id, &server.id)
        .await
        .unwrap();
    let m = ready().await;
    assert_eq!(m.name, "contract-mp2");
    assert!(m.servers.is_empty() && m.processes.is_empty() && m.ports.len() == 1);
    assert!(
        c.list_monitoring_policies(&ListQuery::all())
            .await
            .unwrap()
            .value
            .len()
            >= 2
    );
    c.delete_monitoring_policy(&mp.id).await.unwrap();

    // Users and their API access.
    let perms = c.get_current_user_permissions().await.unwrap().value;
    assert!(perms.allows("servers", "show"));
    let user = c
        .create_user(&CreateUser {
            name: "carol".into(),
            password: "Contract-Pass-9".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(user.name.ends_with("carol"));
    assert!(!user.api.active);
    let u = settle(|| c.get_user(&user.id), |u| !u.state.is_transitional()).await;
    assert_eq!(u.id, user.id);
    let upd = UpdateUser {
        email: Some("carol@example.com".into()),
        ..Default::default()
    };
    assert_eq!(
        c.update_user(&user.id, &upd).await.unwrap().email,
        "carol@example.com"
    );
    settle(|| c.get_user(&user.id), |u| !u.state.is_transitional()).await;
    c.set_user_api_active(&user.id, true).await.unwrap();
    assert!(c.get_user_api(&user.id).await.unwrap().value.active);
    let key = c
        .get_user_api_key(&user.id)
        .await
        .unwrap()
        .value
        .key
        .unwrap();
    c.regenerate_user_api_key(&user.id).await.unwrap();
    settle(|| c.get_user(&user.id), |u| !u.state.is_transitional()).await;
    let new_key = c
        .get_user_api_key(&user.id)
        .await
        .unwrap()
        .value
        .key
        .unwrap();
    assert_ne!(key.expose(), new_key.expose());
    c.add_user_api_ips(&user.id, &["192.0.2.10".to_string()])
        .await
        .unwrap();
    assert_eq!(
        c.list_user_api_ips(&user.id).await.unwrap().value,
        vec!["192.0.2.10"]
    );
    c.remove_user_api_ip(&user.id, "192.0.2.10").await.unwrap();
    assert!(
        c.list_user_api_ips(&user.id)
            .await
            .unwrap()
            .value
            .is_empty()
    );
    assert!(
        c.list_users(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|x| x.id == user.id)
    );

    // Roles.
    let role = c.create_role("contract-role").await.unwrap();
    assert_eq!(role.name, "contract-role");
    let upd = UpdateRole {
        description: Some("test role".into()),
        ..Default::default()
    };
    c.update_role(&role.id, &upd).await.unwrap();
    settle(|| c.get_role(&role.id), |r| !r.state.is_transitional()).await;
    let mut grant = Permissions::default();
    grant.set("servers", "show", true);
    grant.set("servers", "delete", false);
    let merged = c.update_role_permissions(&role.id, &grant).await.unwrap();
    assert!(merged.allows("servers", "show"));
    assert!(
        !c.get_role_permissions(&role.id)
            .await
            .unwrap()
            .value
            .allows("servers", "delete")
    );
    c.add_role_users(&role.id, std::slice::from_ref(&user.id))
        .await
        .unwrap();
    settle(|| c.get_role(&role.id), |r| !r.state.is_transitional()).await;
    assert_eq!(
        c.list_role_users(&role.id).await.unwrap().value[0].id,
        user.id
    );
    assert_eq!(
        c.get_role_user(&role.id, &user.id).await.unwrap().value.id,
        user.id
    );
    c.remove_role_user(&role.id, &user.id).await.unwrap();
    settle(|| c.get_role(&role.id), |r| !r.state.is_transitional()).await;
    let copy = c.clone_role(&role.id, "contract-role-copy").await.unwrap();
    assert_eq!(copy.name, "contract-role-copy");
    assert!(
        c.list_roles(&ListQuery::all())
            .await
            .unwrap()
            .value
            .iter()
            .any(|r| r.id == copy.id)
    );
    c.delete_role(&copy.id).await.unwrap();
    c.delete_role(&role.id).await.unwrap();
    let disable = UpdateUser {
        state: Some(UserStateChange::Disable),
        ..Default::default()
    };
    c.update_user(&user.id, &disable).await.unwrap();
    c.delete_user(&user.id).await.unwrap();

    // Logs and usages.
    let logs = c
        .list_logs(&TimeRange::last(Period::Last24h), &ListQuery::all())
        .await
        .unwrap()
        .value;
    assert!(!logs.is_empty());
    assert_eq!(c.get_log(&logs[0].id).await.unwrap().value.id, logs[0].id);
    let usages = c
        .get_usages(&TimeRange::last(Period::Last30d), &ListQuery::all())
        .await
        .unwrap()
        .value;
    assert!(
        usages.0.contains_key("SERVERS"),
        "{:?}",
        usages.0.keys().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn against_a_tight_rate_limit_reads_leave_room_for_changes_and_no_429_comes_back() {
    let mut config = SimConfig::demo(vec![TOKEN.into()]);
    config.rate_limit = 6;
    let sim = spawn(config, std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .await
        .unwrap();
    let panel = CloudPanel::new(ClientSettings::default()).unwrap();
    let c = panel.account(AccountKey::new(9, sim.base_url.clone(), TOKEN));

    let servers = c.list_servers(&ListQuery::all()).await.unwrap().value;
    let id = servers
        .iter()
        .find(|s| s.name == "web-01")
        .unwrap()
        .id
        .clone();
    // Drawn from the list: no request of its own.
    assert!(c.get_server(&id).await.unwrap().from_cache);
    c.list_datacenters(&ListQuery::all()).await.unwrap();
    c.list_images(&ListQuery::all()).await.unwrap();
    let refused = c.list_ssh_keys(&ListQuery::all()).await.unwrap_err();
    assert!(
        matches!(refused, CloudError::RateLimited { retry_after_secs } if retry_after_secs <= 60)
    );
    // The cached list is still there, and fresh.
    assert!(c.list_servers(&ListQuery::all()).await.unwrap().from_cache);

    for n in 0..3 {
        let body = UpdateServer {
            name: format!("web-01-{n}"),
            description: String::new(),
        };
        assert_eq!(
            c.update_server(&id, &body).await.unwrap().name,
            format!("web-01-{n}")
        );
    }
    let body = UpdateServer {
        name: "one too many".into(),
        description: String::new(),
    };
    assert!(matches!(
        c.update_server(&id, &body).await,
        Err(CloudError::RateLimited { .. })
    ));
    // The change made the list doubtful: with no budget left it is the last
    // known state, marked as updating.
    let list = c.list_servers(&ListQuery::all()).await.unwrap();
    assert!(list.stale && list.updating);

    let counters = panel.counters();
    assert_eq!(counters.upstream_calls, 6);
    assert_eq!(counters.upstream_429, 0);
    assert_eq!(
        panel.budget(9).map(|b| (b.limit, b.remaining)),
        Some((6, 0))
    );
}

// ------------------------------------------------------------- details from lists

#[tokio::test]
async fn a_detail_is_drawn_from_its_fresh_list_with_nothing_sent() {
    let stub = Stub::start().await;
    let (panel, client) = stub.client(quick(), "good");
    let list = client.list_servers(&ListQuery::all()).await.unwrap();
    assert_eq!(list.value.len(), 1);

    let server = client.get_server("A").await.unwrap();

    assert_eq!(server.value.name, "web-01");
    assert!((server.value.hardware.ram - 4.0).abs() < f64::EPSILON);
    assert!(server.from_cache && !server.stale);
    assert_eq!(stub.hits.get("GET /v1/servers/A"), 0);
    assert_eq!(stub.hits.get("GET /v1/servers"), 1);
    assert_eq!(panel.counters().details_from_lists, 1);
}

#[tokio::test]
async fn a_cold_detail_reads_its_list_once_and_an_unlisted_one_is_read_by_itself() {
    let stub = Stub::start().await;
    let (_panel, client) = stub.client(quick(), "good");

    // Nothing known: the list is read (one request for the whole family).
    let server = client.get_server("A").await.unwrap();
    assert_eq!(server.value.name, "web-01");
    assert_eq!(stub.hits.get("GET /v1/servers"), 1);
    assert_eq!(stub.hits.get("GET /v1/servers/A"), 0);

    // An object the fresh list does not hold is asked for by itself.
    let flaky = client.get_server("flaky").await.unwrap();
    assert_eq!(flaky.value.name, "ok now");
    assert_eq!(stub.hits.get("GET /v1/servers"), 1);
    assert_eq!(stub.hits.get("GET /v1/servers/flaky"), 3);
}

#[tokio::test]
async fn a_change_to_an_object_is_never_hidden_by_its_list() {
    let stub = Stub::start().await;
    let (_panel, client) = stub.client(quick(), "good");
    client.list_servers(&ListQuery::all()).await.unwrap();
    client
        .update_server(
            "A",
            &UpdateServer {
                name: "renamed".into(),
                description: String::new(),
            },
        )
        .await
        .unwrap();

    // The change made the list doubtful: the list is read again, not served.
    let server = client.get_server("A").await.unwrap();
    assert!(!server.updating);
    assert_eq!(stub.hits.get("GET /v1/servers"), 2);
}
