//! The state machine through [`routes::dispatch`] (no network), and one real
//! server answering over HTTP.

use super::catalogue::Catalogue;
use super::routes::{self, PREFIX};
use super::state::Account;
use super::*;
use serde_json::{Value, json};

const PLAN: &str = "C2-4vCPU-12RAM-100DISK-C2.12GB-Ubuntu-22.04-Delhi";
const IMAGE: &str = "Ubuntu-22.04-Distro";

struct Fake {
    acct: Account,
    cat: Catalogue,
}

impl Fake {
    fn new() -> Self {
        Fake {
            acct: Account::new("key"),
            cat: Catalogue::new(),
        }
    }

    /// (status, envelope) of one request at simulated second `now`.
    fn call(&mut self, method: &str, path: &str, body: Value, now: f64) -> (u16, Value) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        routes::dispatch(
            &mut self.acct,
            &self.cat,
            method,
            &format!("{PREFIX}{path}"),
            query,
            &body,
            now,
        )
    }

    fn ok(&mut self, method: &str, path: &str, body: Value, now: f64) -> Value {
        let (s, v) = self.call(method, path, body, now);
        assert_eq!(
            (s, v["code"].as_u64()),
            (200, Some(200)),
            "{method} {path}: {v}"
        );
        assert_eq!(v["message"], "Success");
        v["data"].clone()
    }

    fn fails(&mut self, method: &str, path: &str, body: Value, now: f64, status: u16) -> Value {
        let (s, v) = self.call(method, path, body, now);
        assert_eq!(s, status, "{method} {path}: {v}");
        assert_eq!(v["code"], status);
        v
    }

    /// Creates one node and returns its id.
    fn node(&mut self, name: &str, now: f64) -> u64 {
        let d = self.ok(
            "POST",
            "/nodes/",
            json!({"name": name, "region": "ncr", "plan": PLAN, "image": IMAGE}),
            now,
        );
        d["node_create_response"][0]["id"].as_u64().unwrap()
    }

    fn status(&mut self, id: u64, now: f64) -> String {
        self.ok("GET", &format!("/nodes/{id}/"), Value::Null, now)["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn act(&mut self, id: u64, body: Value, now: f64) -> (u16, Value) {
        self.call("POST", &format!("/nodes/{id}/actions/"), body, now)
    }
}

#[test]
fn a_new_node_is_creating_then_running() {
    let mut f = Fake::new();
    let d = f.ok(
        "POST",
        "/nodes/",
        json!({"name": "app", "region": "ncr", "plan": PLAN, "image": IMAGE,
               "ssh_keys": ["ssh-ed25519 AAAA a@b"], "backups": true, "number_of_instances": 2, "label": "Default"}),
        0.0,
    );
    assert_eq!(d["total_number_of_node_created"], 2);
    let n = &d["node_create_response"][0];
    assert_eq!(n["name"], "app-1");
    assert_eq!(d["node_create_response"][1]["name"], "app-2");
    assert_eq!(
        (n["status"].clone(), n["vcpus"].clone(), n["memory"].clone()),
        (json!("Creating"), json!("4"), json!("12.00 GB"))
    );
    assert_eq!(
        (
            n["disk"].clone(),
            n["backup"].clone(),
            n["billing_type"].clone()
        ),
        (json!("100 GB"), json!(true), json!("hourly_billing"))
    );
    assert!(n["created_at"].as_str().unwrap().ends_with('Z'));
    let id = n["id"].as_u64().unwrap();
    assert_eq!(d["node_create_response"][1]["id"].as_u64(), Some(id + 1));
    assert_eq!(f.status(id, 19.9), "Creating");
    assert_eq!(f.status(id, 20.0), "Running");
}

#[test]
fn create_validates_every_field() {
    let mut f = Fake::new();
    let v = f.fails(
        "POST",
        "/nodes/",
        json!({"name": "bad name", "plan": "nope", "image": "Plan9-Distro", "number_of_instances": 6, "ssh_keys": "k"}),
        0.0,
        400,
    );
    for field in [
        "name",
        "region",
        "plan",
        "image",
        "number_of_instances",
        "ssh_keys",
    ] {
        assert!(v["errors"][field].is_array(), "{field}: {v}");
    }
    let v = f.fails(
        "POST",
        "/nodes/",
        json!({"name": "a", "region": "ncr", "plan": PLAN, "image": IMAGE, "cn_id": 999}),
        0.0,
        400,
    );
    assert!(v["errors"]["cn_id"].is_array());
    let v = f.fails(
        "POST",
        "/nodes/",
        json!({"name": "a", "region": "ncr", "plan": PLAN, "image": "x",
        "is_saved_image": true, "saved_image_template_id": 1}),
        0.0,
        400,
    );
    assert!(v["errors"]["saved_image_template_id"].is_array());
    let v = f.fails("POST", "/nodes/", json!([1]), 0.0, 400);
    assert_eq!(v["data"], json!({}));
    assert!(f.acct.nodes.is_empty());
}

#[test]
fn power_actions_follow_the_state_rules() {
    let mut f = Fake::new();
    let id = f.node("box", 0.0);
    let (s, v) = f.act(id, json!({"type": "power_off"}), 1.0);
    assert_eq!(
        (s, v["message"].clone()),
        (
            400,
            json!("Cannot power off a node that is Creating: the node must be Running")
        )
    );
    let t = 20.0;
    assert_eq!(f.act(id, json!({"type": "power_on"}), t).0, 400);
    let (s, v) = f.act(id, json!({"type": "power_off"}), t);
    assert_eq!(s, 200);
    assert_eq!(v["data"]["status"], "in_progress");
    assert_eq!(v["data"]["action_type"], "power_off");
    assert_eq!(v["data"]["resource_id"], id.to_string());
    assert_eq!(f.status(id, t + 1.0), "Powering off");
    assert_eq!(f.status(id, t + 5.0), "Powered off");
    assert_eq!(f.act(id, json!({"type": "reboot"}), t + 5.0).0, 400);
    assert_eq!(f.act(id, json!({"type": "power_on"}), t + 5.0).0, 200);
    assert_eq!(f.status(id, t + 6.0), "Powering on");
    assert_eq!(f.status(id, t + 10.0), "Running");
    assert_eq!(f.act(id, json!({"type": "reboot"}), t + 10.0).0, 200);
    assert_eq!(f.status(id, t + 11.0), "Rebooting");
    assert_eq!(f.act(id, json!({"type": "power_off"}), t + 11.0).0, 400);
    assert_eq!(f.status(id, t + 18.0), "Running");

    let (s, v) = f.act(id, json!({"type": "rename", "name": "renamed"}), t + 18.0);
    assert_eq!((s, v["data"]["status"].clone()), (200, json!("done")));
    assert_eq!(
        f.act(id, json!({"type": "rename", "name": "no spaces"}), t + 18.0)
            .0,
        400
    );
    assert_eq!(f.act(id, json!({"type": "explode"}), t + 18.0).0, 400);
    assert_eq!(f.act(id, json!({}), t + 18.0).0, 400);
    assert_eq!(f.act(id, json!({"type": "lock_vm"}), t + 18.0).0, 200);
    let (s, v) = f.act(id, json!({"type": "reboot"}), t + 18.0);
    assert_eq!(
        (s, v["message"].clone()),
        (400, json!("The node is locked"))
    );
    assert_eq!(
        f.fails(
            "DELETE",
            &format!("/nodes/{id}/"),
            Value::Null,
            t + 18.0,
            400
        )["message"],
        "The node is locked"
    );
    assert_eq!(f.act(id, json!({"type": "unlock_vm"}), t + 18.0).0, 200);
    assert_eq!(
        f.act(id, json!({"type": "enable_backups"}), t + 18.0).0,
        200
    );
    let n = f.ok("GET", &format!("/nodes/{id}"), Value::Null, t + 18.0);
    assert_eq!(
        (
            n["name"].clone(),
            n["backup"].clone(),
            n["is_locked"].clone()
        ),
        (json!("renamed"), json!(true), json!(false))
    );
    assert_eq!(f.act(id, json!({"type": "reinstall"}), t + 18.0).0, 200);
    assert_eq!(f.status(id, t + 19.0), "Creating");
    assert_eq!(
        f.fails(
            "DELETE",
            &format!("/nodes/{id}/"),
            Value::Null,
            t + 19.0,
            400
        )["message"],
        "The node is busy"
    );
    assert_eq!(f.status(id, t + 38.0), "Running");
    assert_eq!(
        f.ok("DELETE", &format!("/nodes/{id}/"), Value::Null, t + 38.0),
        json!({})
    );
    let v = f.fails(
        "DELETE",
        &format!("/nodes/{id}/"),
        Value::Null,
        t + 38.0,
        404,
    );
    assert_eq!(v["message"], "Node not found");
    assert_eq!(f.act(id, json!({"type": "power_on"}), t + 38.0).0, 404);
}

#[test]
fn saving_an_image_then_using_renaming_and_deleting_it() {
    let mut f = Fake::new();
    let id = f.node("golden", 0.0);
    assert_eq!(
        f.act(id, json!({"type": "save_images", "name": "img"}), 20.0)
            .0,
        400
    );
    f.act(id, json!({"type": "power_off"}), 20.0);
    assert_eq!(f.act(id, json!({"type": "save_images"}), 25.0).0, 400);
    assert_eq!(
        f.act(id, json!({"type": "save_images", "name": "img-1"}), 25.0)
            .0,
        200
    );
    assert_eq!(f.status(id, 26.0), "Saving image");
    let imgs = f.ok("GET", "/images/saved-images/", Value::Null, 26.0);
    let img = imgs[0].clone();
    assert_eq!(
        (
            img["image_state"].clone(),
            img["name"].clone(),
            img["distro"].clone()
        ),
        (json!("Creating"), json!("img-1"), json!("Ubuntu-22.04"))
    );
    assert_eq!(
        (
            img["running_vms"].clone(),
            img["vm_info"].clone(),
            img["image_size"].clone()
        ),
        (json!("0"), Value::Null, json!("45 GB"))
    );
    assert!(img["image_id"].is_string() && img["template_id"].is_string());
    let image_id = img["image_id"].as_str().unwrap().to_string();
    let template = img["template_id"].clone();
    let from_saved = json!({"name": "clone", "region": "ncr", "plan": PLAN, "image": "img-1",
                            "is_saved_image": true, "saved_image_template_id": template});
    let v = f.fails("POST", "/nodes/", from_saved.clone(), 26.0, 400);
    assert!(v["errors"]["saved_image_template_id"].is_array());
    assert_eq!(
        f.fails(
            "POST",
            &format!("/images/{image_id}/"),
            json!({"action_type": "delete_image"}),
            26.0,
            400
        )["message"],
        "The image is still being created"
    );

    assert_eq!(f.status(id, 40.0), "Powered off");
    assert_eq!(
        f.ok("GET", "/images/saved-images", Value::Null, 40.0)[0]["image_state"],
        "Ready"
    );
    let clone = f.ok("POST", "/nodes/", from_saved, 40.0)["node_create_response"][0].clone();
    assert_eq!(clone["image"], "img-1");
    assert_eq!(
        f.ok("GET", "/images/saved-images/", Value::Null, 40.0)[0]["running_vms"],
        "1"
    );
    let v = f.fails(
        "POST",
        &format!("/images/{image_id}/"),
        json!({"action_type": "delete_image"}),
        40.0,
        400,
    );
    assert_eq!(v["message"], "The image is in use by 1 nodes");

    let rename = |name: &str| json!({"action_type": "rename", "name": name});
    assert_eq!(
        f.ok(
            "POST",
            &format!("/images/{image_id}/"),
            rename("img-2"),
            40.0
        ),
        json!({})
    );
    assert_eq!(
        f.ok("GET", "/images/saved-images/", Value::Null, 40.0)[0]["name"],
        "img-2"
    );
    assert!(
        f.fails(
            "POST",
            &format!("/images/{image_id}/"),
            rename("a b"),
            40.0,
            400
        )["errors"]["name"]
            .is_array()
    );
    assert!(
        f.fails(
            "POST",
            &format!("/images/{image_id}/"),
            json!({"action_type": "copy"}),
            40.0,
            400
        )["errors"]["action_type"]
            .is_array()
    );
    assert_eq!(
        f.fails("POST", "/images/99999999/", rename("x"), 40.0, 404)["message"],
        "Image not found"
    );

    let clone_id = clone["id"].as_u64().unwrap();
    f.ok("DELETE", &format!("/nodes/{clone_id}/"), Value::Null, 60.0);
    f.ok(
        "POST",
        &format!("/images/{image_id}/"),
        json!({"action_type": "delete_image"}),
        60.0,
    );
    assert_eq!(
        f.ok("GET", "/images/saved-images/", Value::Null, 60.0),
        json!([])
    );
}

#[test]
fn committed_status_is_validated() {
    let mut f = Fake::new();
    let id = f.node("db", 0.0);
    let up = "/update_committed_node_status/";
    let v = f.fails(
        "POST",
        up,
        json!({"vcn_id": id, "node_status": "auto_renew"}),
        1.0,
        400,
    );
    assert!(v["errors"]["committed_plan"].is_array());
    let v = f.fails(
        "POST",
        up,
        json!({"vcn_id": id, "node_status": "auto_terminate"}),
        1.0,
        400,
    );
    assert!(v["errors"]["node_status"].is_array());
    let v = f.fails(
        "POST",
        up,
        json!({"vcn_id": id, "node_status": "monthly"}),
        1.0,
        400,
    );
    assert!(v["errors"]["node_status"].is_array());
    let v = f.fails(
        "POST",
        up,
        json!({"node_status": "hourly_billing", "committed_plan": 301}),
        1.0,
        400,
    );
    assert!(v["errors"]["vcn_id"].is_array() && v["errors"]["committed_plan"].is_array());
    f.fails(
        "POST",
        up,
        json!({"vcn_id": id, "node_status": "auto_renew", "committed_plan": 321}),
        1.0,
        400,
    );
    f.fails(
        "POST",
        up,
        json!({"vcn_id": 1, "node_status": "hourly_billing"}),
        1.0,
        404,
    );

    let d = f.ok(
        "POST",
        up,
        json!({"vcn_id": id, "node_status": "auto_renew", "committed_plan": 301}),
        1.0,
    );
    assert_eq!(d, json!({"message": "Committed node status updated"}));
    let n = f.ok("GET", &format!("/nodes/{id}/"), Value::Null, 1.0);
    assert_eq!(
        (n["billing_type"].clone(), n["committed_sku_id"].clone()),
        (json!("auto_renew"), json!(301))
    );
    // The reference's own sample sends committed_plan 0 beside auto_terminate.
    f.ok(
        "POST",
        up,
        json!({"vcn_id": id, "node_status": "auto_terminate", "committed_plan": 0}),
        1.0,
    );
    assert_eq!(
        f.ok("GET", &format!("/nodes/{id}/"), Value::Null, 1.0)["billing_type"],
        "auto_terminate"
    );
    f.ok(
        "POST",
        up,
        json!({"vcn_id": id.to_string(), "node_status": "hourly_billing"}),
        1.0,
    );
    let n = f.ok("GET", &format!("/nodes/{id}/"), Value::Null, 1.0);
    assert_eq!(
        (n["billing_type"].clone(), n["committed_sku_id"].clone()),
        (json!("hourly_billing"), Value::Null)
    );
}

#[test]
fn node_list_pages_carry_totals() {
    let mut f = Fake::new();
    let (_, v) = f.call("GET", "/nodes/", Value::Null, 0.0);
    assert_eq!(
        (
            v["total_count"].clone(),
            v["total_page_number"].clone(),
            v["data"].clone()
        ),
        (json!(0), json!(0), json!([]))
    );
    f.ok("POST", "/nodes/", json!({"name": "n", "region": "ncr", "plan": PLAN, "image": IMAGE, "number_of_instances": 5}), 0.0);
    let (s, v) = f.call(
        "GET",
        "/nodes/?page_no=3&per_page=2&project_id=7&location=Delhi",
        Value::Null,
        0.0,
    );
    assert_eq!(s, 200);
    assert_eq!(
        (v["total_count"].clone(), v["total_page_number"].clone()),
        (json!(5), json!(3))
    );
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(v["data"][0]["name"], "n-5");
    let (_, v) = f.call("GET", "/nodes/", Value::Null, 0.0);
    assert_eq!(
        (
            v["data"].as_array().unwrap().len(),
            v["total_page_number"].clone()
        ),
        (5, json!(1))
    );
    let (_, v) = f.call("GET", "/nodes/?page_no=9", Value::Null, 0.0);
    assert_eq!(v["data"], json!([]));
    assert!(
        f.fails("GET", "/nodes/?per_page=101", Value::Null, 0.0, 400)["errors"]["per_page"]
            .is_array()
    );
    assert!(
        f.fails("GET", "/nodes/?page_no=0", Value::Null, 0.0, 400)["errors"]["page_no"].is_array()
    );
    assert!(
        f.fails("GET", "/nodes/?page_no=x", Value::Null, 0.0, 400)["errors"]["page_no"].is_array()
    );
}

#[test]
fn catalogue_and_plans() {
    let mut f = Fake::new();
    let d = f.ok("GET", "/images/category-list/", Value::Null, 0.0);
    let oses: Vec<&str> = d["category_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["OS"].as_str().unwrap())
        .collect();
    assert_eq!(
        oses,
        ["Ubuntu", "CentOS", "Debian", "Rocky", "Windows Server"]
    );
    let q = "/images/?display_category=Linux%20Virtual%20Node&category=Ubuntu&osversion=22.04&os=Ubuntu&gpu_type=&ng_container=null";
    let plans = f.ok("GET", q, Value::Null, 0.0);
    assert_eq!(plans.as_array().unwrap().len(), 5);
    assert!(plans.as_array().unwrap().iter().any(|p| p["plan"] == PLAN));
    let v = f.fails("GET", "/images/?category=Ubuntu", Value::Null, 0.0, 400);
    for field in ["display_category", "osversion", "os"] {
        assert!(v["errors"][field].is_array(), "{field}");
    }
    f.fails("GET", "/images/?display_category=Linux%20Virtual%20Node&category=Ubuntu&osversion=18.04&os=Ubuntu", Value::Null, 0.0, 400);
    assert_eq!(
        f.fails("GET", "/nodes/abc/", Value::Null, 0.0, 404)["message"],
        "Node not found"
    );
}

#[test]
fn endpoints_list_every_route() {
    let e = endpoints();
    assert_eq!(e.len(), 10);
    assert!(e.contains(&("GET", "/nodes/{node_id}/")));
    assert!(e.contains(&("POST", "/update_committed_node_status/")));
}

#[test]
fn config_pairs_keys_with_tokens() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SimulateArgs,
    }
    let cli = Cli::parse_from([
        "x",
        "--provider",
        "e2e",
        "--token",
        "a",
        "--api-key",
        "ka",
        "--token",
        "b",
    ]);
    let c = E2eSimConfig::try_from(&cli.args).unwrap();
    assert_eq!(
        c.accounts,
        [("a".into(), "ka".into()), ("b".into(), "b".into())]
    );
    assert_eq!(
        (c.rate_limit, c.rate_window),
        (5000, Duration::from_secs(3600))
    );
    let cli = Cli::parse_from(["x", "--token", "a", "--token", "a", "--provider", "e2e"]);
    assert!(E2eSimConfig::try_from(&cli.args).is_err());
    let cli = Cli::parse_from(["x", "--token", "a", "--api-key", "k"]);
    assert!(crate::simulator::SimConfig::try_from(&cli.args).is_err());
    let cli = Cli::parse_from(["x", "--token", "a"]);
    assert_eq!(
        crate::simulator::SimConfig::try_from(&cli.args)
            .unwrap()
            .rate_limit,
        25
    );
}

#[tokio::test]
async fn the_server_answers_with_the_envelope_and_rate_limit_headers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = E2eSimConfig::demo(vec![
        ("tok".into(), "key".into()),
        ("other".into(), "k2".into()),
    ]);
    config.rate_limit = 2;
    config.rate_window = Duration::from_secs(60);
    let sim = spawn_e2e(config, listener).await.unwrap();
    assert!(sim.base_url.ends_with("/myaccount/api/v1"));
    let client = crate::tls::client_builder().build().unwrap();
    let get = |path: &str, token: &str| {
        client
            .get(format!("{}{path}", sim.base_url))
            .header("Authorization", format!("Bearer {token}"))
    };
    let header = |r: &reqwest::Response, h: &str| -> u64 {
        r.headers()[h].to_str().unwrap().parse().unwrap()
    };
    let unix = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };

    let r = get("/nodes/?apikey=wrong", "tok").send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(header(&r, "RateLimit-Remaining"), 2);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "Invalid API key"
    );
    let r = get("/nodes/?apikey=key", "nobody").send().await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "Authentication credentials were not provided."
    );

    let before = unix();
    let r = get("/nodes/?apikey=key&page_no=1&per_page=2", "tok")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        (
            header(&r, "RateLimit-Limit"),
            header(&r, "RateLimit-Remaining")
        ),
        (2, 1)
    );
    let reset = header(&r, "RateLimit-Reset");
    assert!((before + 60..=unix() + 61).contains(&reset), "{reset}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["code"].clone(), v["message"].clone(), v["errors"].clone()),
        (json!(200), json!("Success"), json!({}))
    );
    assert_eq!(
        (v["total_count"].clone(), v["total_page_number"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(v["data"][0]["name"], "web-1");

    let r = get("/nope/?apikey=key", "tok").send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), header(&r, "RateLimit-Remaining")),
        (404, 0)
    );
    let r = get("/nodes/?apikey=key", "tok").send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(header(&r, "RateLimit-Reset"), reset);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"code": 429, "message": "API Rate limit exceeded.", "data": {}, "errors": {"id": "too_many_requests"}})
    );
    // Another account has its own budget and its own nodes.
    let r = get("/images/saved-images/?apikey=k2", "other")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let faults = client
        .get(format!("http://{}/__sim/faults", sim.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(faults.json::<Value>().await.unwrap()["force_429"], false);
    sim.set_faults(Faults {
        force_429: true,
        ..Faults::default()
    })
    .unwrap();
    assert!(sim.faults().force_429);
    assert_eq!(
        sim.snapshot("tok").unwrap()["nodes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(sim.snapshot("nobody").is_none());
    sim.stop().await;
}
