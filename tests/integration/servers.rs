//! The server pages against the simulator: every operation through the
//! panel, the audit rows it leaves, refusals by role, and transitions.

use std::time::Duration;

use serde_json::Value;
use teampanel::rbac::BuiltinRole;
use teampanel::simulator::Faults;

use crate::helpers::{TestApp, csrf_token, location, spawn_demo, spawn_demo_with, text_of};

pub(crate) const ORG: &str = "/o/demo";

/// The simulator's view of the demo account's servers.
pub(crate) fn sim_servers(app: &TestApp) -> Vec<Value> {
    app.sim_items("servers")
}

pub(crate) fn sim_server(app: &TestApp, id: &str) -> Option<Value> {
    sim_servers(app).into_iter().find(|s| s["id"] == id)
}

pub(crate) fn sim_state(app: &TestApp, id: &str) -> String {
    sim_server(app, id)
        .map(|s| s["status"]["state"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| "GONE".into())
}

/// A steady server of the seed in the given state.
pub(crate) fn seeded(app: &TestApp, state: &str) -> (String, String) {
    let s = sim_servers(app)
        .into_iter()
        .find(|s| s["status"]["state"] == state)
        .unwrap_or_else(|| panic!("a seeded server in {state}"));
    (
        s["id"].as_str().unwrap().to_owned(),
        s["name"].as_str().unwrap().to_owned(),
    )
}

/// Audit rows of the org for an action, as (outcome, correlation id, target name).
pub(crate) async fn audit_rows(
    app: &TestApp,
    action: &str,
) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as::<_, (String, Option<String>, String)>(
        "SELECT outcome, correlation_id, target_name FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

/// The requested/succeeded pair of one change, sharing a correlation id.
pub(crate) async fn assert_audited_pair(app: &TestApp, action: &str) {
    let rows = audit_rows(app, action).await;
    assert!(rows.len() >= 2, "{action}: {rows:?}");
    let (first, second) = (&rows[rows.len() - 2], &rows[rows.len() - 1]);
    assert_eq!(first.0, "requested", "{action}: {rows:?}");
    assert_eq!(second.0, "succeeded", "{action}: {rows:?}");
    assert!(
        first.1.is_some() && first.1 == second.1,
        "{action}: one correlation id: {rows:?}"
    );
}

/// Waits (bounded) until the simulator shows the state.
pub(crate) async fn wait_for_state(app: &TestApp, id: &str, state: &str) {
    for _ in 0..200 {
        if sim_state(app, id) == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "server {id} never reached {state}; it is {}",
        sim_state(app, id)
    );
}

pub(crate) async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(c, &format!("{ORG}{path}"), fields).await
}

/// `?account=ID` of the demo organisation's account: every server address
/// names the account it acts on.
pub(crate) async fn account_query(app: &TestApp) -> String {
    let org = teampanel::db::orgs::by_slug(app.state.raw_db(), "demo")
        .await
        .unwrap()
        .unwrap();
    let account = crate::rows::default_account(app.state.raw_db(), org.id)
        .await
        .unwrap()
        .unwrap();
    format!("?account={}", account.id)
}

fn without_query(address: &str) -> &str {
    address.split('?').next().unwrap_or(address)
}

async fn member(app: &TestApp, role: BuiltinRole, email: &str) -> reqwest::Client {
    let user_id = app
        .create_user(email, email, false, "member password")
        .await;
    let org = teampanel::db::orgs::by_slug(app.state.raw_db(), "demo")
        .await
        .unwrap()
        .unwrap();
    let role = crate::rows::builtin_role(app.state.raw_db(), org.id, role)
        .await
        .unwrap()
        .unwrap();
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(org.id)
        .bind(role.id)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    app.signed_in(email, "member password").await
}

#[tokio::test]
async fn the_list_shows_every_server_with_its_state() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/servers")).await;

    assert_eq!(status, 200);
    let servers = sim_servers(&app);
    assert!(servers.len() >= 4);
    for s in &servers {
        let name = s["name"].as_str().unwrap();
        assert!(
            text_of(&html, "table#servers .server-name").contains(name),
            "{name} listed"
        );
    }
    assert!(html.contains("data-state=\"POWERED_ON\""));
    assert!(text_of(&html, "table#servers").contains("Powered on"));
}

#[tokio::test]
async fn search_sort_and_paging_work_on_the_list() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (_, name) = seeded(&app, "POWERED_OFF");

    let (_, html) = app
        .get_html(
            &c,
            &format!("{ORG}/servers?q={}", &name[..name.len().min(6)]),
        )
        .await;
    assert!(text_of(&html, "table#servers").contains(&name));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/servers?q=zzz-no-such-server"))
        .await;
    assert!(text_of(&html, "main").contains("No servers match this search"));
    // Odd query values are ignored, never an error page.
    let (status, _) = app
        .get_html(
            &c,
            &format!("{ORG}/servers?page=abc&sort=%3Cscript%3E&account=x"),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_server_is_created_deploys_and_is_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app.get_html(&c, &format!("{ORG}/servers/new")).await;
    assert_eq!(status, 200);
    let doc = scraper::Html::parse_document(&form);
    let first = |sel: &str| {
        let s = scraper::Selector::parse(sel).unwrap();
        doc.select(&s)
            .next()
            .and_then(|e| e.value().attr("value"))
            .unwrap()
            .to_owned()
    };
    let size = first("#fixed_instance_size_id option");
    let image = first("#appliance_id option");

    let response = post(
        &app,
        &c,
        "/servers",
        &[
            ("name", "web-new"),
            ("hardware_mode", "fixed"),
            ("fixed_instance_size_id", &size),
            ("appliance_id", &image),
            ("datacenter_id", ""),
            ("password", "Str0ng-Passw0rd"),
            ("power_on", "true"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let detail = location(&response);
    assert!(detail.ends_with(&account_query(&app).await), "{detail}");
    let id = without_query(&detail)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let created = sim_server(&app, &id).expect("the server exists upstream");
    assert_eq!(created["name"], "web-new");
    let (status, html) = app.get_html(&c, &detail).await;
    assert_eq!(status, 200);
    assert!(text_of(&html, ".flash-success").contains("Creating web-new"));
    assert!(
        html.contains("data-refresh-url"),
        "a deploying server refreshes itself"
    );
    assert_audited_pair(&app, "server.create").await;
    let rows = audit_rows(&app, "server.create").await;
    assert_eq!(rows.last().unwrap().2, "web-new");
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'server.create'")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert!(
        !details.contains("Str0ng-Passw0rd"),
        "the password never reaches the audit log"
    );
    assert!(
        details.contains("\"password_set\":true"),
        "that one was set does: {details}"
    );

    wait_for_state(&app, &id, "POWERED_ON").await;
    // The status fragment the page polls now says it is steady and stops refreshing.
    let response = app
        .get(
            &c,
            &format!(
                "{}/status{}",
                without_query(&detail),
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
    let fragment = response.text().await.unwrap();
    assert!(fragment.contains("data-state=\"POWERED_ON\""), "{fragment}");
    assert!(!fragment.contains("data-refresh-url"));
}

#[tokio::test]
async fn bad_create_values_are_shown_beside_the_fields_and_kept() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = sim_servers(&app).len();

    let response = post(
        &app,
        &c,
        "/servers",
        &[
            ("name", "keep-me"),
            ("hardware_mode", "custom"),
            ("vcore", "40"),
            ("cores_per_processor", "1"),
            ("ram", "4"),
            ("hdd_size", "25"),
            ("appliance_id", ""),
            ("password", "short"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    let errors = text_of(&html, ".field-error");
    assert!(errors.contains("vCores must be from 1 to 16"), "{errors}");
    assert!(errors.contains("steps of 20"), "{errors}");
    assert!(errors.contains("Choose the image"), "{errors}");
    assert!(errors.contains("8 to 64 characters"), "{errors}");
    // Each message is tied to its field, and the summary can take the focus.
    let doc = scraper::Html::parse_document(&html);
    for (field, error) in [
        ("vcore", "hardware-error"),
        ("hdd_size", "hdd_size-error"),
        ("appliance_id", "appliance_id-error"),
        ("password", "password-error"),
    ] {
        let input = doc
            .select(&scraper::Selector::parse(&format!("#{field}")).unwrap())
            .next()
            .unwrap_or_else(|| panic!("the {field} field"));
        assert_eq!(input.value().attr("aria-invalid"), Some("true"), "{field}");
        assert_eq!(
            input.value().attr("aria-describedby"),
            Some(error),
            "{field}"
        );
        assert!(html.contains(&format!("id=\"{error}\"")), "{error}");
    }
    assert!(html.contains("id=\"error-summary\" tabindex=\"-1\""));
    assert!(html.contains("value=\"keep-me\""), "the name is kept");
    assert!(html.contains("value=\"40\""), "the vCores are kept");
    assert!(
        !html.contains("value=\"short\""),
        "the password is not echoed"
    );
    assert_eq!(sim_servers(&app).len(), before, "nothing was sent");
}

#[tokio::test]
async fn power_off_and_on_go_through_their_states() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, name) = seeded(&app, "POWERED_ON");

    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/power"),
        &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
    )
    .await;

    assert_eq!(
        location(&response),
        format!("{ORG}/servers/{id}{}", account_query(&app).await)
    );
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(text_of(&html, ".flash-success").contains(&format!("Powering off {name}")));
    assert!(matches!(
        sim_state(&app, &id).as_str(),
        "POWERING_OFF" | "POWERED_OFF"
    ));
    wait_for_state(&app, &id, "POWERED_OFF").await;
    assert_audited_pair(&app, "server.power_off").await;

    post(
        &app,
        &c,
        &format!("/servers/{id}/power"),
        &[("action", "POWER_ON")],
    )
    .await;
    wait_for_state(&app, &id, "POWERED_ON").await;
    assert_audited_pair(&app, "server.power_on").await;

    post(
        &app,
        &c,
        &format!("/servers/{id}/power"),
        &[("action", "REBOOT"), ("method", "HARDWARE")],
    )
    .await;
    wait_for_state(&app, &id, "POWERED_ON").await;
    assert_audited_pair(&app, "server.reboot").await;
}

#[tokio::test]
async fn every_detail_action_reaches_the_cloud_panel() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_OFF");
    let base = format!("/servers/{id}");

    // Rename.
    post(
        &app,
        &c,
        &format!("{base}/rename"),
        &[("name", "renamed-box"), ("description", "for tests")],
    )
    .await;
    assert_eq!(sim_server(&app, &id).unwrap()["name"], "renamed-box");
    assert_audited_pair(&app, "server.rename").await;

    // Add a disk, then resize the hardware.
    let disks = |app: &TestApp| {
        sim_server(app, &id).unwrap()["hardware"]["hdds"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = disks(&app);
    post(&app, &c, &format!("{base}/hdds"), &[("size", "60")]).await;
    assert_eq!(disks(&app), before + 1);
    assert_audited_pair(&app, "server.hdd_add").await;
    wait_for_state(&app, &id, "POWERED_OFF").await;
    post(
        &app,
        &c,
        &format!("{base}/hardware"),
        &[
            ("fixed_instance_size_id", ""),
            ("vcore", "2"),
            ("cores_per_processor", "1"),
            ("ram", "2"),
        ],
    )
    .await;
    assert_audited_pair(&app, "server.resize").await;
    wait_for_state(&app, &id, "POWERED_OFF").await;
    assert_eq!(sim_server(&app, &id).unwrap()["hardware"]["vcore"], 2);

    // IPs: add one, then remove it keeping it in the account.
    let ips = |app: &TestApp| {
        sim_server(app, &id).unwrap()["ips"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let before = ips(&app).len();
    post(&app, &c, &format!("{base}/ips"), &[]).await;
    let after = ips(&app);
    assert_eq!(after.len(), before + 1);
    assert_audited_pair(&app, "server.ip_add").await;
    let ip_id = after.last().unwrap()["id"].as_str().unwrap().to_owned();
    post(
        &app,
        &c,
        &format!("{base}/ips/{ip_id}/delete"),
        &[("keep_ip", "true"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(ips(&app).len(), before);
    assert_audited_pair(&app, "server.ip_remove").await;

    // Snapshot: take one.
    post(&app, &c, &format!("{base}/snapshots"), &[]).await;
    assert_audited_pair(&app, "server.snapshot_create").await;
    wait_for_state(&app, &id, "POWERED_OFF").await;

    // DVD: load the first ISO, then eject.
    let (_, html) = app.get_html(&c, &format!("{ORG}{base}")).await;
    let doc = scraper::Html::parse_document(&html);
    let iso = doc
        .select(&scraper::Selector::parse("#iso-id option").unwrap())
        .next()
        .and_then(|o| o.value().attr("value"))
        .expect("an ISO to load")
        .to_owned();
    post(&app, &c, &format!("{base}/dvd"), &[("iso_id", &iso)]).await;
    assert_audited_pair(&app, "server.dvd_load").await;
    wait_for_state(&app, &id, "POWERED_OFF").await;
    post(&app, &c, &format!("{base}/dvd/eject"), &[]).await;
    assert_audited_pair(&app, "server.dvd_eject").await;
    wait_for_state(&app, &id, "POWERED_OFF").await;

    // Private network: attach the first one offered, then detach it.
    let network = doc
        .select(&scraper::Selector::parse("#network-id option").unwrap())
        .next()
        .and_then(|o| o.value().attr("value"))
        .map(str::to_owned);
    if let Some(network) = network {
        post(
            &app,
            &c,
            &format!("{base}/private_networks"),
            &[("private_network_id", &network)],
        )
        .await;
        assert_audited_pair(&app, "server.private_network_attach").await;
        wait_for_state(&app, &id, "POWERED_OFF").await;
        post(
            &app,
            &c,
            &format!("{base}/private_networks/{network}/delete"),
            &[("confirm", "yes")],
        )
        .await;
        assert_audited_pair(&app, "server.private_network_detach").await;
    }

    // Clone: the user lands on the copy.
    wait_for_state(&app, &id, "POWERED_OFF").await;
    let response = post(
        &app,
        &c,
        &format!("{base}/clone"),
        &[("name", "the-copy"), ("datacenter_id", "")],
    )
    .await;
    let copy_id = without_query(&location(&response))
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(copy_id, id);
    assert_eq!(sim_server(&app, &copy_id).unwrap()["name"], "the-copy");
    assert_audited_pair(&app, "server.clone").await;
}

#[tokio::test]
async fn delete_needs_the_typed_name_and_then_removes_the_server() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, name) = seeded(&app, "POWERED_OFF");

    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/delete"),
        &[("confirm_name", "not the name")],
    )
    .await;
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(text_of(&html, ".flash-error").contains("exactly to confirm"));
    assert_eq!(sim_state(&app, &id), "POWERED_OFF", "nothing changed");
    assert!(audit_rows(&app, "server.delete").await.is_empty());

    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/delete"),
        &[("confirm_name", &name), ("keep_ips", "true")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/servers{}", account_query(&app).await)
    );
    assert!(matches!(sim_state(&app, &id).as_str(), "REMOVING" | "GONE"));
    assert_audited_pair(&app, "server.delete").await;
    wait_for_state(&app, &id, "GONE").await;
}

#[tokio::test]
async fn a_viewer_sees_servers_but_may_not_change_them() {
    let app = spawn_demo().await;
    let viewer = member(&app, BuiltinRole::Viewer, "viewer@example.org").await;
    let (id, _) = seeded(&app, "POWERED_ON");

    let (status, html) = app.get_html(&viewer, &format!("{ORG}/servers/{id}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("id=\"power-off\""), "the form is hidden");
    assert!(!html.contains("id=\"new-server\""));
    let token = csrf_token(&html).unwrap();

    let response = viewer
        .post(app.url(&format!("{ORG}/servers/{id}/power")))
        .form(&[
            ("csrf_token", token.as_str()),
            ("action", "POWER_OFF"),
            ("method", "SOFTWARE"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 403);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "main").contains("servers.shutdown"));
    assert!(
        text_of(&html, ".sidenav").contains("Servers"),
        "the 403 page keeps the navigation"
    );
    assert_eq!(sim_state(&app, &id), "POWERED_ON", "nothing changed");
    let denied = audit_rows(&app, "servers.shutdown").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].0, "denied");
    assert!(audit_rows(&app, "server.power_off").await.is_empty());
    let response = app.get(&viewer, &format!("{ORG}/servers/new")).await;
    assert_eq!(response.status().as_u16(), 403);
}

#[tokio::test]
async fn an_operator_may_power_off_but_not_delete() {
    let app = spawn_demo().await;
    let operator = member(&app, BuiltinRole::Operator, "operator@example.org").await;
    let (id, name) = seeded(&app, "POWERED_ON");

    let response = app
        .post_form(
            &operator,
            &format!("{ORG}/servers/{id}/power"),
            &[("action", "POWER_OFF"), ("method", "HARDWARE")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    wait_for_state(&app, &id, "POWERED_OFF").await;

    let response = app
        .post_form(
            &operator,
            &format!("{ORG}/servers/{id}/delete"),
            &[("confirm_name", &name)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(sim_state(&app, &id), "POWERED_OFF");
    assert_eq!(audit_rows(&app, "servers.delete").await[0].0, "denied");
}

#[tokio::test]
async fn upstream_refusals_are_said_in_plain_words() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");

    // The simulator refuses lowering RAM on a running server.
    post(
        &app,
        &c,
        &format!("/servers/{id}/hardware"),
        &[("vcore", "1"), ("cores_per_processor", "1"), ("ram", "1")],
    )
    .await;
    let (_, html) = app.get_html(&c, &format!("{ORG}/servers/{id}")).await;
    let flash = text_of(&html, ".flash-error");
    assert!(
        flash.contains("The Cloud Panel rejected the request") || flash.contains("refused"),
        "{flash}"
    );
    let rows = audit_rows(&app, "server.resize").await;
    assert_eq!(rows.last().unwrap().0, "failed");

    // A server removed behind the panel's back.
    let response = post(
        &app,
        &c,
        "/servers/0123456789ABCDEF0123456789ABCDEF/power",
        &[("action", "POWER_ON")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/servers{}", account_query(&app).await)
    );
    let (_, html) = app.get_html(&c, &format!("{ORG}/servers")).await;
    assert!(text_of(&html, ".flash-error").contains("it was removed"));
}

/// A change is never turned away for the budget (issue 22): past the limit
/// it waits in the account's queue, and the page says where and when.
#[tokio::test]
async fn a_spent_rate_limit_queues_the_change_and_says_when_it_runs() {
    let app = spawn_demo_with(|config| {
        config.speed = 50.0;
        config.rate_limit = 4;
    })
    .await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");

    for _ in 0..6 {
        let response = post(
            &app,
            &c,
            &format!("/servers/{id}/power"),
            &[("action", "REBOOT"), ("method", "SOFTWARE")],
        )
        .await;
        assert_eq!(response.status().as_u16(), 303);
    }
    let (_, html) = app.get_html(&c, &format!("{ORG}/servers/{id}")).await;
    let notice = text_of(&html, ".flash-info");
    assert!(
        notice.contains("in line for this cloud account, runs in"),
        "{notice}"
    );
    assert!(
        !text_of(&html, ".flash-error").contains("request limit"),
        "{html}"
    );
    let queued = audit_rows(&app, "server.reboot")
        .await
        .into_iter()
        .filter(|(outcome, _, _)| outcome == "queued")
        .count();
    assert!(queued >= 1, "some reboots wait in the queue");
}

#[tokio::test]
async fn a_member_of_another_organisation_cannot_reach_these_servers() {
    let app = spawn_demo().await;
    let outsider_id = app
        .create_user(
            "outsider@example.org",
            "Outsider",
            false,
            "outsider password",
        )
        .await;
    crate::rows::create_org(app.state.raw_db(), "Other", "other", outsider_id)
        .await
        .unwrap();
    let outsider = app
        .signed_in("outsider@example.org", "outsider password")
        .await;
    let (id, name) = seeded(&app, "POWERED_ON");

    for path in [
        format!("{ORG}/servers"),
        format!("{ORG}/servers/{id}"),
        format!("{ORG}/servers/{id}/row"),
    ] {
        let (status, html) = app.get_html(&outsider, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!html.contains(&name));
    }
    let response = app
        .post_form(
            &outsider,
            &format!("{ORG}/servers/{id}/power"),
            &[("action", "POWER_OFF")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(sim_state(&app, &id), "POWERED_ON");
}

#[tokio::test]
async fn an_organisation_without_a_cloud_account_is_told_what_to_do() {
    let app = spawn_demo().await;
    let owner_id = app
        .create_user("owner@example.org", "Owner", false, "owner password")
        .await;
    crate::rows::create_org(app.state.raw_db(), "Fresh", "fresh", owner_id)
        .await
        .unwrap();
    let owner = app.signed_in("owner@example.org", "owner password").await;

    let (status, html) = app.get_html(&owner, "/o/fresh/servers").await;

    assert_eq!(status, 400);
    assert!(
        text_of(&html, "main").contains("no cloud account yet"),
        "{html}"
    );
    assert!(
        text_of(&html, ".sidenav").contains("Cloud accounts"),
        "{html}"
    );
}

#[tokio::test]
async fn the_apis_refusal_of_a_value_is_shown_beside_its_field() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (_, form) = app.get_html(&c, &format!("{ORG}/servers/new")).await;
    let doc = scraper::Html::parse_document(&form);
    let size = doc
        .select(&scraper::Selector::parse("#fixed_instance_size_id option").unwrap())
        .next()
        .and_then(|o| o.value().attr("value"))
        .unwrap()
        .to_owned();

    let response = post(
        &app,
        &c,
        "/servers",
        &[
            ("name", "ghost-image"),
            ("hardware_mode", "fixed"),
            ("fixed_instance_size_id", &size),
            ("appliance_id", "0123456789ABCDEF0123456789ABCDEF"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(
        text_of(&html, ".flash-error").contains("Nothing was created"),
        "{html}"
    );
    assert!(
        text_of(&html, ".field-error").contains("appliance_id"),
        "{html}"
    );
    assert!(html.contains("value=\"ghost-image\""), "the name is kept");
    let failed = audit_rows(&app, "server.create").await;
    assert_eq!(failed.last().unwrap().0, "failed");
}

#[tokio::test]
async fn a_rename_whose_description_cannot_be_checked_is_refused_and_sends_nothing() {
    // Arrange: a member who may rename servers but not change descriptions,
    // and a Cloud Panel whose answers cannot be read.
    let app = spawn_demo().await;
    let (id, name) = seeded(&app, "POWERED_ON");
    let description = sim_server(&app, &id).unwrap()["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let c = app
        .member_with("renamer@example.org", &["servers.show", "servers.set_name"])
        .await;
    let simulator = app.simulator.as_ref().unwrap();
    simulator
        .set_faults(Faults {
            malformed_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();

    // Act: the same description, a new name.
    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/rename"),
        &[("name", "renamed-blind"), ("description", &description)],
    )
    .await;

    // Assert: refused in words, nothing sent, nothing requested.
    simulator.set_faults(Faults::default()).unwrap();
    assert_eq!(response.status(), 303);
    let (_, html) = app.get_html(&c, &location(&response)).await;
    let flash = text_of(&html, ".flash-error");
    assert!(flash.contains("Nothing was changed"), "{flash}");
    assert_eq!(sim_server(&app, &id).unwrap()["name"], name.as_str());
    assert!(audit_rows(&app, "server.rename").await.is_empty());
}
