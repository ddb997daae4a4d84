//! The server operations not covered by `servers.rs`, each sent through the
//! form the server's page shows (as a browser would post it) and checked
//! where it lands: in the simulator's state, in the audit log, and in the
//! flash message the user sees. Reinstall, a disk's resize and removal, an
//! IP's firewall policy and load balancers, a snapshot's restore and delete.

use std::time::Duration;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo_configured, text_of};
use crate::servers::{
    ORG, account_query, assert_audited_pair, audit_rows, seeded, sim_server, sim_state,
    wait_for_state,
};

/// The demo with a high rate limit (no change waits in the queue) and a
/// panel that reads servers from the API each time (no cached answer from
/// the middle of a transition is shown after it ended), with the simulated
/// clock at `speed` times real time.
async fn spawn(speed: f64) -> TestApp {
    spawn_demo_configured(
        |settings| settings.cache_ttl = Duration::ZERO,
        |config| {
            config.speed = speed;
            config.rate_limit = 100_000;
        },
    )
    .await
}

/// Transitions of a fraction of a second (a disk change: 0.2 s).
const FAST: f64 = 50.0;

// ---- reading the page's forms ----

/// A form of the server's page as the browser would send it: its address
/// and every field with the value it holds (the selected option, the
/// checked boxes, the hidden CSRF token and confirm field).
struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

impl Form {
    /// Sets a field as the user would, adding it when the form has no such field.
    fn set(mut self, name: &str, value: &str) -> Self {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_owned(),
            None => self.fields.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    /// A copy with one field set, for a first attempt that must not stick.
    fn clone_with(&self, name: &str, value: &str) -> Form {
        Form {
            action: self.action.clone(),
            fields: self.fields.clone(),
        }
        .set(name, value)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The first form matching `css` in the page.
fn form(html: &str, css: &str) -> Form {
    let doc = Html::parse_document(html);
    let form = doc
        .select(&Selector::parse(css).unwrap())
        .next()
        .unwrap_or_else(|| panic!("the page has no form {css}"));
    let action = form
        .value()
        .attr("action")
        .expect("the form's action")
        .to_owned();
    let mut fields = Vec::new();
    for input in form.select(&Selector::parse("input[name]").unwrap()) {
        let e = input.value();
        let kind = e.attr("type").unwrap_or("text");
        if matches!(kind, "checkbox" | "radio") && e.attr("checked").is_none() {
            continue;
        }
        let name = e.attr("name").unwrap_or_default().to_owned();
        fields.push((name, e.attr("value").unwrap_or_default().to_owned()));
    }
    for select in form.select(&Selector::parse("select[name]").unwrap()) {
        let options: Vec<_> = select.select(&Selector::parse("option").unwrap()).collect();
        let chosen = options
            .iter()
            .find(|o| o.value().attr("selected").is_some())
            .or_else(|| options.first())
            .and_then(|o| o.value().attr("value"))
            .unwrap_or_default();
        let name = select.value().attr("name").unwrap_or_default().to_owned();
        fields.push((name, chosen.to_owned()));
    }
    Form { action, fields }
}

/// The options of a select of the page, as (value, text).
fn options(html: &str, css: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    doc.select(&Selector::parse(&format!("{css} option")).unwrap())
        .map(|o| {
            (
                o.value().attr("value").unwrap_or_default().to_owned(),
                o.text().collect::<String>().trim().to_owned(),
            )
        })
        .collect()
}

async fn submit(app: &TestApp, c: &reqwest::Client, form: &Form) -> reqwest::Response {
    c.post(app.url(&form.action))
        .form(&form.fields)
        .send()
        .await
        .expect("POST")
}

async fn server_page(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app
        .get_html(
            c,
            &format!("{ORG}/servers/{id}{}", account_query(app).await),
        )
        .await;
    assert_eq!(status, 200, "{html}");
    html
}

/// The answer to a change: a redirect to the server's page, which shows
/// `class`'s flash message; the message's text.
async fn flash(
    app: &TestApp,
    c: &reqwest::Client,
    response: reqwest::Response,
    id: &str,
    class: &str,
) -> String {
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert_eq!(
        to,
        format!("{ORG}/servers/{id}{}", account_query(app).await),
        "back on the server's page"
    );
    let (_, html) = app.get_html(c, &to).await;
    text_of(&html, class)
}

// ---- reading the simulator and the audit log ----

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn server_named(app: &TestApp, name: &str) -> Value {
    crate::servers::sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("the seeded server {name}"))
}

/// An item of a collection of the simulator, by name.
fn sim_named(app: &TestApp, collection: &str, name: &str) -> Value {
    app.sim_items(collection)
        .into_iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("the seeded {collection} {name}"))
}

fn sim_by_id(app: &TestApp, collection: &str, id: &str) -> Value {
    app.sim_items(collection)
        .into_iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{collection} {id} in the simulator"))
}

/// The ids of the server IPs a firewall policy or load balancer lists.
fn server_ip_ids(item: &Value) -> Vec<String> {
    item["server_ips"]
        .as_array()
        .map(|ips| ips.iter().map(|ip| s(&ip["id"]).to_owned()).collect())
        .unwrap_or_default()
}

/// The server's IP with this id, as the simulator shows it.
fn sim_ip(app: &TestApp, server: &str, ip: &str) -> Value {
    sim_server(app, server).unwrap()["ips"]
        .as_array()
        .and_then(|ips| ips.iter().find(|i| i["id"] == ip).cloned())
        .unwrap_or_else(|| panic!("IP {ip} on server {server}"))
}

/// The change's audit pair (requested, then succeeded with one correlation
/// id), on this server and named after it; the details it recorded.
async fn audited(app: &TestApp, action: &str, server: &str, name: &str) -> Value {
    assert_audited_pair(app, action).await;
    let (target_id, target_name, details): (String, String, String) = sqlx::query_as(
        "SELECT target_id, target_name, details FROM audit_events \
         WHERE action = ? AND outcome = 'requested' ORDER BY id DESC LIMIT 1",
    )
    .bind(action)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(target_id, server, "{action}: the server acted on");
    let named: String = sqlx::query_scalar(
        "SELECT target_name FROM audit_events \
         WHERE action = ? AND outcome = 'succeeded' ORDER BY id DESC LIMIT 1",
    )
    .bind(action)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert!(
        target_name.is_empty() || target_name == name,
        "{action}: {target_name}"
    );
    assert_eq!(named, name, "{action}: the outcome names the server");
    serde_json::from_str(&details).unwrap()
}

// ---- reinstall ----

#[tokio::test]
async fn reinstalling_a_server_puts_the_new_image_on_it() {
    // Arrange: a stopped server, and an image of the page's list that is not its own.
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let (id, name) = seeded(&app, "POWERED_OFF");
    let before = sim_server(&app, &id).unwrap();
    let html = server_page(&app, &c, &id).await;
    let (image_id, image_name) = options(&html, "#reinstall-image")
        .into_iter()
        .find(|(value, text)| {
            !value.is_empty()
                && value != s(&before["image"]["id"])
                && text.to_lowercase().contains("ubuntu")
        })
        .expect("another Linux image to install");
    let reinstall = form(&html, "#reinstall")
        .set("image_id", &image_id)
        .set("password", "N3w-root-pass");

    // Act: first with a mistyped name, then with the server's name.
    let refused = submit(&app, &c, &reinstall.clone_with("confirm_name", "not it")).await;
    let refusal = flash(&app, &c, refused, &id, ".flash-error").await;
    assert_eq!(sim_server(&app, &id).unwrap()["image"], before["image"]);
    assert_eq!(sim_state(&app, &id), "POWERED_OFF", "nothing was sent");
    let response = submit(&app, &c, &reinstall.set("confirm_name", &name)).await;

    // Assert: the mistyped name sent nothing; the typed one put the image on
    // the server, which deploys it and comes up running.
    assert!(refusal.contains("exactly to confirm"), "{refusal}");
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains(&format!("Reinstalling {name}.")),
        "{message}"
    );
    let after = sim_server(&app, &id).unwrap();
    assert_eq!(after["image"]["id"], image_id.as_str(), "{after}");
    assert_eq!(after["image"]["name"], image_name.as_str());
    assert_ne!(after["image"], before["image"]);
    assert_eq!(after["first_password"], "N3w-root-pass");
    wait_for_state(&app, &id, "POWERED_ON").await;
    let details = audited(&app, "server.reinstall", &id, &name).await;
    assert_eq!(details["image_id"], image_id.as_str());
    assert_eq!(details["password_set"], true);
    assert!(!details.to_string().contains("N3w-root-pass"));
    assert_eq!(
        audit_rows(&app, "server.reinstall").await.len(),
        2,
        "the refused attempt was not recorded"
    );
    // The panel reads the new image back.
    let (_, card) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/servers/{id}/cards/image{}",
                account_query(&app).await
            ),
        )
        .await;
    assert!(text_of(&card, "#card-value").contains(&image_id), "{card}");
}

// ---- disks ----

/// db-01's disks, the main one and the extra one.
fn db_disks(app: &TestApp) -> (String, Value, Value) {
    let server = server_named(app, "db-01");
    let hdds = server["hardware"]["hdds"].as_array().unwrap().clone();
    let main = hdds.iter().find(|h| h["is_main"] == true).unwrap().clone();
    let extra = hdds
        .iter()
        .find(|h| h["is_main"] == false)
        .expect("db-01 has an extra disk")
        .clone();
    (s(&server["id"]).to_owned(), main, extra)
}

fn sim_hdds(app: &TestApp, id: &str) -> Vec<Value> {
    sim_server(app, id).unwrap()["hardware"]["hdds"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn resizing_a_disk_gives_it_the_new_size() {
    // Arrange: db-01's extra disk, and the page's resize form for it.
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let (id, main, extra) = db_disks(&app);
    let hdd_id = s(&extra["id"]).to_owned();
    let new_size = extra["size"].as_i64().unwrap() + 40;
    let html = server_page(&app, &c, &id).await;
    let resize = form(&html, &format!("form[action*='/hdds/{hdd_id}/resize']"));
    assert_eq!(
        resize.value("size"),
        Some(extra["size"].to_string().as_str()),
        "the form starts on the disk's size"
    );

    // Act
    let response = submit(&app, &c, &resize.set("size", &new_size.to_string())).await;

    // Assert: that disk has the new size; the main disk is as it was.
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains(&format!("Resizing a disk of db-01 to {new_size} GB.")),
        "{message}"
    );
    let hdds = sim_hdds(&app, &id);
    let resized = hdds.iter().find(|h| h["id"] == hdd_id.as_str()).unwrap();
    assert_eq!(resized["size"], new_size);
    let untouched = hdds.iter().find(|h| h["id"] == main["id"]).unwrap();
    assert_eq!(untouched["size"], main["size"]);
    let details = audited(&app, "server.hdd_resize", &id, "db-01").await;
    assert_eq!(details["hdd_id"], hdd_id.as_str());
    assert_eq!(details["size"], new_size);
    // The disk's own page reads the new size.
    wait_for_state(&app, &id, "POWERED_ON").await;
    let (_, page) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/servers/{id}/hdds/{hdd_id}{}",
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(text_of(&page, "#disk-size"), format!("{new_size} GB"));
}

#[tokio::test]
async fn removing_a_disk_takes_it_off_the_server() {
    // Arrange: db-01's extra disk, behind its confirm step.
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let (id, main, extra) = db_disks(&app);
    let hdd_id = s(&extra["id"]).to_owned();
    let html = server_page(&app, &c, &id).await;
    let remove = form(&html, &format!("form[action*='/hdds/{hdd_id}/delete']"));
    assert_eq!(remove.value("confirm"), Some("yes"));

    // Act
    let response = submit(&app, &c, &remove).await;

    // Assert: the server keeps its main disk only.
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(message.contains("Removing a disk from db-01."), "{message}");
    let hdds = sim_hdds(&app, &id);
    assert!(hdds.iter().all(|h| h["id"] != hdd_id.as_str()), "{hdds:?}");
    assert_eq!(hdds.len(), 1, "{hdds:?}");
    assert_eq!(hdds[0]["id"], main["id"]);
    let details = audited(&app, "server.hdd_remove", &id, "db-01").await;
    assert_eq!(details["hdd_id"], hdd_id.as_str());
    // The disk's page is gone with it.
    let (status, _) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/servers/{id}/hdds/{hdd_id}{}",
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(status, 404);
}

// ---- an IP's firewall policy ----

#[tokio::test]
async fn assigning_another_firewall_policy_moves_the_ip_under_it() {
    // Arrange: web-01's IP is under "web"; the account also has "Linux".
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let server = server_named(&app, "web-01");
    let id = s(&server["id"]).to_owned();
    let ip_id = s(&server["ips"][0]["id"]).to_owned();
    let web = sim_named(&app, "firewall_policies", "web");
    let linux = sim_named(&app, "firewall_policies", "Linux");
    let linux_id = s(&linux["id"]).to_owned();
    assert_eq!(server["ips"][0]["firewall_policy"]["id"], web["id"]);
    assert!(server_ip_ids(&web).contains(&ip_id));
    assert!(!server_ip_ids(&linux).contains(&ip_id));
    let html = server_page(&app, &c, &id).await;
    let assign = form(&html, &format!("form[action*='/ips/{ip_id}/firewall']"));
    assert_eq!(assign.value("firewall_policy_id"), web["id"].as_str());

    // Act
    let response = submit(&app, &c, &assign.set("firewall_policy_id", &linux_id)).await;

    // Assert: the IP is under "Linux", which lists it, and "web" no longer does.
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains("Assigning the firewall policy to an IP of web-01."),
        "{message}"
    );
    let ip = sim_ip(&app, &id, &ip_id);
    assert_eq!(ip["firewall_policy"]["id"], linux_id.as_str(), "{ip}");
    assert_eq!(ip["firewall_policy"]["name"], "Linux");
    assert!(server_ip_ids(&sim_by_id(&app, "firewall_policies", &linux_id)).contains(&ip_id));
    assert!(!server_ip_ids(&sim_by_id(&app, "firewall_policies", s(&web["id"]))).contains(&ip_id));
    let details = audited(&app, "server.ip_firewall_policy", &id, "web-01").await;
    assert_eq!(details["ip_id"], ip_id.as_str());
    assert_eq!(details["firewall_policy_id"], linux_id.as_str());
    // The IP's page reads the new policy.
    let (_, page) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/servers/{id}/ips/{ip_id}{}",
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(text_of(&page, "#ip-policy"), "Linux");
}

/// The Cloud Panel has no call that takes an IP out of its policy (no DELETE
/// on `/servers/{id}/ips/{ip}/firewall_policy` nor on a policy's
/// `server_ips`): the page offers no "none", and a forged empty choice is
/// refused before anything is sent.
#[tokio::test]
async fn an_ips_firewall_policy_cannot_be_removed_only_replaced() {
    // Arrange
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let server = server_named(&app, "web-01");
    let id = s(&server["id"]).to_owned();
    let ip_id = s(&server["ips"][0]["id"]).to_owned();
    let html = server_page(&app, &c, &id).await;
    let css = format!("form[action*='/ips/{ip_id}/firewall']");
    assert!(
        options(&html, &format!("{css} select"))
            .iter()
            .all(|(value, _)| !value.is_empty()),
        "no empty choice for an IP that has a policy"
    );

    // Act: the form with no policy chosen.
    let response = submit(&app, &c, &form(&html, &css).set("firewall_policy_id", "")).await;

    // Assert: refused in words; the IP keeps its policy; nothing recorded.
    let message = flash(&app, &c, response, &id, ".flash-error").await;
    assert!(message.contains("Choose a firewall policy."), "{message}");
    assert_eq!(
        sim_ip(&app, &id, &ip_id)["firewall_policy"],
        server["ips"][0]["firewall_policy"]
    );
    assert!(
        audit_rows(&app, "server.ip_firewall_policy")
            .await
            .is_empty()
    );
}

// ---- an IP's load balancers ----

#[tokio::test]
async fn attaching_an_ip_to_a_load_balancer_adds_it_to_the_balancer() {
    // Arrange: db-01's IP is behind no load balancer; the page offers web-lb.
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let server = server_named(&app, "db-01");
    let id = s(&server["id"]).to_owned();
    let ip_id = s(&server["ips"][0]["id"]).to_owned();
    let lb = sim_named(&app, "load_balancers", "web-lb");
    let lb_id = s(&lb["id"]).to_owned();
    assert_eq!(server["ips"][0]["load_balancers"], serde_json::json!([]));
    let before = server_ip_ids(&lb);
    assert!(!before.contains(&ip_id));
    let html = server_page(&app, &c, &id).await;
    let css = format!("form[action*='/ips/{ip_id}/load_balancers?']");
    assert!(
        options(&html, &format!("{css} select"))
            .iter()
            .any(|(value, _)| *value == lb_id),
        "the page offers web-lb"
    );

    // Act
    let response = submit(&app, &c, &form(&html, &css).set("load_balancer_id", &lb_id)).await;

    // Assert: the IP lists web-lb, and web-lb lists the IP beside the others.
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains("Attaching an IP of db-01 to the load balancer."),
        "{message}"
    );
    let ip = sim_ip(&app, &id, &ip_id);
    let attached: Vec<&str> = ip["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| s(&l["id"]))
        .collect();
    assert_eq!(attached, [lb_id.as_str()], "{ip}");
    let after = server_ip_ids(&sim_by_id(&app, "load_balancers", &lb_id));
    assert!(after.contains(&ip_id), "{after:?}");
    assert!(before.iter().all(|b| after.contains(b)), "{after:?}");
    let details = audited(&app, "server.ip_load_balancer_add", &id, "db-01").await;
    assert_eq!(details["ip_id"], ip_id.as_str());
    assert_eq!(details["load_balancer_id"], lb_id.as_str());
}

#[tokio::test]
async fn detaching_an_ip_from_a_load_balancer_takes_it_off_the_balancer() {
    // Arrange: web-01's IP is behind web-lb, with web-02's.
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let server = server_named(&app, "web-01");
    let id = s(&server["id"]).to_owned();
    let ip_id = s(&server["ips"][0]["id"]).to_owned();
    let other_ip = s(&server_named(&app, "web-02")["ips"][0]["id"]).to_owned();
    let lb = sim_named(&app, "load_balancers", "web-lb");
    let lb_id = s(&lb["id"]).to_owned();
    assert!(server_ip_ids(&lb).contains(&ip_id));
    assert!(server_ip_ids(&lb).contains(&other_ip));
    let html = server_page(&app, &c, &id).await;
    let detach = form(
        &html,
        &format!("form[action*='/ips/{ip_id}/load_balancers/{lb_id}/delete']"),
    );
    assert_eq!(detach.value("confirm"), Some("yes"));

    // Act
    let response = submit(&app, &c, &detach).await;

    // Assert: the IP is behind no balancer; web-lb keeps web-02's IP only.
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains("Detaching an IP of web-01 from the load balancer."),
        "{message}"
    );
    let ip = sim_ip(&app, &id, &ip_id);
    assert_eq!(ip["load_balancers"], serde_json::json!([]), "{ip}");
    assert_eq!(
        server_ip_ids(&sim_by_id(&app, "load_balancers", &lb_id)),
        [other_ip]
    );
    let details = audited(&app, "server.ip_load_balancer_remove", &id, "web-01").await;
    assert_eq!(details["ip_id"], ip_id.as_str());
    assert_eq!(details["load_balancer_id"], lb_id.as_str());
}

// ---- snapshots ----

/// Takes a snapshot of the server through its page and waits until the
/// server is steady again; the snapshot as the simulator holds it.
async fn snapshot_taken(app: &TestApp, c: &reqwest::Client, id: &str, state: &str) -> Value {
    let html = server_page(app, c, id).await;
    let response = submit(app, c, &form(&html, "#create-snapshot")).await;
    assert_eq!(response.status().as_u16(), 303);
    wait_for_state(app, id, state).await;
    let snapshot = sim_server(app, id).unwrap()["snapshot"].clone();
    assert!(snapshot["id"].is_string(), "{snapshot}");
    snapshot
}

#[tokio::test]
async fn restoring_a_snapshot_sets_the_server_to_work_on_it() {
    // Arrange: a stopped server with a snapshot. The simulator models a
    // restore as the server configuring (8 simulated seconds) and nothing
    // else; at twice real speed that lasts 4 s, ample to see it right after
    // the answer while the wait for the snapshot stays short.
    let app = spawn(2.0).await;
    let c = app.admin().await;
    let (id, name) = seeded(&app, "POWERED_OFF");
    let snapshot = snapshot_taken(&app, &c, &id, "POWERED_OFF").await;
    let snapshot_id = s(&snapshot["id"]).to_owned();
    let html = server_page(&app, &c, &id).await;
    let restore = form(&html, "#restore-snapshot form");
    assert!(
        restore
            .action
            .contains(&format!("/snapshots/{snapshot_id}/restore"))
    );

    // Act: first with a mistyped name, then with the server's name.
    let refused = submit(&app, &c, &restore.clone_with("confirm_name", "not it")).await;
    let refusal = flash(&app, &c, refused, &id, ".flash-error").await;
    assert_eq!(sim_state(&app, &id), "POWERED_OFF", "nothing was sent");
    let response = submit(&app, &c, &restore.set("confirm_name", &name)).await;

    // Assert: the server works on the restore, keeps its snapshot, and
    // returns to its state.
    assert!(refusal.contains("exactly to confirm"), "{refusal}");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(sim_state(&app, &id), "CONFIGURING");
    assert_eq!(sim_server(&app, &id).unwrap()["snapshot"], snapshot);
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains(&format!("Restoring {name} from its snapshot.")),
        "{message}"
    );
    let details = audited(&app, "server.snapshot_restore", &id, &name).await;
    assert_eq!(details["snapshot_id"], snapshot_id.as_str());
    assert_eq!(
        audit_rows(&app, "server.snapshot_restore").await.len(),
        2,
        "the refused attempt was not recorded"
    );
    wait_for_state(&app, &id, "POWERED_OFF").await;
    assert_eq!(sim_server(&app, &id).unwrap()["snapshot"], snapshot);
}

#[tokio::test]
async fn deleting_a_snapshot_leaves_the_server_without_one() {
    // Arrange: a running server with a snapshot, behind its confirm step.
    let app = spawn(FAST).await;
    let c = app.admin().await;
    let (id, name) = seeded(&app, "POWERED_ON");
    let snapshot = snapshot_taken(&app, &c, &id, "POWERED_ON").await;
    let snapshot_id = s(&snapshot["id"]).to_owned();
    let html = server_page(&app, &c, &id).await;
    let delete = form(&html, "#delete-snapshot form");
    assert!(
        delete
            .action
            .contains(&format!("/snapshots/{snapshot_id}/delete"))
    );
    assert_eq!(delete.value("confirm"), Some("yes"));

    // Act
    let response = submit(&app, &c, &delete).await;

    // Assert: the simulator holds no snapshot for the server.
    let message = flash(&app, &c, response, &id, ".flash-success").await;
    assert!(
        message.contains(&format!("Deleting the snapshot of {name}.")),
        "{message}"
    );
    assert!(
        sim_server(&app, &id).unwrap()["snapshot"].is_null(),
        "{}",
        sim_server(&app, &id).unwrap()["snapshot"]
    );
    let details = audited(&app, "server.snapshot_delete", &id, &name).await;
    assert_eq!(details["snapshot_id"], snapshot_id.as_str());
    // Once steady, the page offers a new snapshot again.
    wait_for_state(&app, &id, "POWERED_ON").await;
    let html = server_page(&app, &c, &id).await;
    assert!(!html.contains(&snapshot_id), "the snapshot is gone");
    form(&html, "#create-snapshot");
}
