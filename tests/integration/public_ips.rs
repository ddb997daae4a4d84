//! The public IP pages against the simulator: what each IP is assigned to,
//! reserving one, its reverse DNS, deleting it, the API's refusals, and the
//! flags that guard each change.

use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::private_networks::{
    attr, exists, field_error, flashes, rows_with, sim_item, sim_state_of, wait_for,
};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post, sim_servers};

fn ip_by(ips: &[Value], pred: impl Fn(&Value) -> bool) -> &Value {
    ips.iter().find(|ip| pred(ip)).expect("a seeded IP")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The seeded IP with the reverse DNS name mail.example.com.
fn mail_ip(app: &TestApp) -> Value {
    let ips = app.sim_items("public_ips");
    ip_by(&ips, |ip| ip["reverse_dns"] == "mail.example.com").clone()
}

#[tokio::test]
async fn the_list_links_each_ip_to_what_it_is_assigned_to() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let account = account_query(&app).await;
    let ips = app.sim_items("public_ips");
    let on_server = ip_by(&ips, |ip| ip["assigned_to"]["type"] == "SERVER");
    let on_balancer = ip_by(&ips, |ip| ip["assigned_to"]["type"] == "LOAD_BALANCER");

    let (status, html) = app.get_html(&c, &format!("{ORG}/public_ips")).await;

    assert_eq!(status, 200);
    // The create link says what it does.
    assert_eq!(text_of(&html, "a#new-public-ip"), "Reserve an IP");
    assert_eq!(
        attr(&html, "a#new-public-ip", "href").unwrap(),
        format!("{ORG}/public_ips/new{account}")
    );
    let table = text_of(&html, "table#public-ips");
    assert!(table.contains("mail.example.com"), "{table}");
    for ip in &ips {
        assert!(table.contains(ip["ip"].as_str().unwrap()), "{table}");
    }
    let server = on_server["assigned_to"]["id"].as_str().unwrap();
    assert!(html.contains(&format!("href=\"{ORG}/servers/{server}{account}\"")));
    let balancer = on_balancer["assigned_to"]["id"].as_str().unwrap();
    assert!(html.contains(&format!(
        "href=\"{ORG}/load_balancers/{balancer}{account}\""
    )));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/public_ips?q=mail.example"))
        .await;
    assert_eq!(
        text_of(&html, "table#public-ips .ip-address"),
        mail_ip(&app)["ip"].as_str().unwrap()
    );

    // The IP's own page names the server and links to it.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/public_ips/{}", id_of(on_server)))
        .await;
    assert_eq!(
        attr(&html, "#assigned-to a", "href").unwrap(),
        format!("{ORG}/servers/{server}{account}")
    );
    assert!(text_of(&html, "#delete-ip").contains("loses this address"));
}

#[tokio::test]
async fn an_ip_is_reserved_named_and_deleted_with_its_audit_pairs() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app.get_html(&c, &format!("{ORG}/public_ips/new")).await;
    assert_eq!(status, 200);
    assert_eq!(
        attr(&form, "#type option[selected]", "value").unwrap(),
        "IPV4"
    );

    let response = post(
        &app,
        &c,
        "/public_ips",
        &[
            ("type", "IPV4"),
            ("datacenter_id", ""),
            ("reverse_dns", "vpn.example.org"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    let id = page
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let ip = sim_item(&app, "public_ips", &id).expect("reserved upstream");
    let address = ip["ip"].as_str().unwrap().to_owned();
    assert_eq!(ip["reverse_dns"], "vpn.example.org");
    assert_audited_pair(&app, "public_ip.create").await;
    let (_, html) = app.get_html(&c, &page).await;
    assert!(text_of(&html, ".flash-success").contains(&format!("Reserved {address}")));
    assert_eq!(
        attr(&html, "#reverse-dns-name", "value").unwrap(),
        "vpn.example.org",
        "the field starts on the current name"
    );

    // Set, then remove, the reverse DNS name.
    let response = post(
        &app,
        &c,
        &format!("/public_ips/{id}/reverse_dns"),
        &[("reverse_dns", "gw.example.org")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("gw.example.org"), "{done}");
    assert_eq!(
        sim_item(&app, "public_ips", &id).unwrap()["reverse_dns"],
        "gw.example.org"
    );
    assert_audited_pair(&app, "public_ip.set_reverse_dns").await;
    post(
        &app,
        &c,
        &format!("/public_ips/{id}/reverse_dns"),
        &[("reverse_dns", "")],
    )
    .await;
    assert!(sim_item(&app, "public_ips", &id).unwrap()["reverse_dns"].is_null());
    assert_audited_pair(&app, "public_ip.set_reverse_dns").await;

    // Delete: the address must be typed exactly.
    let response = post(
        &app,
        &c,
        &format!("/public_ips/{id}/delete"),
        &[("confirm_name", "10.0.0.1")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains(&format!("{address}, exactly")), "{errors}");
    assert!(audit_rows(&app, "public_ip.delete").await.is_empty());
    let response = post(
        &app,
        &c,
        &format!("/public_ips/{id}/delete"),
        &[("confirm_name", &address)],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/public_ips{}", account_query(&app).await)
    );
    assert_audited_pair(&app, "public_ip.delete").await;
    wait_for(&app, "public_ips", &id, "GONE").await;
}

#[tokio::test]
async fn deleting_a_servers_ip_ends_its_assignment() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let staging = sim_servers(&app)
        .into_iter()
        .find(|s| s["name"] == "staging")
        .unwrap();
    let ip = &staging["ips"][0];
    let (id, address) = (id_of(ip), ip["ip"].as_str().unwrap().to_owned());

    let response = post(
        &app,
        &c,
        &format!("/public_ips/{id}/delete"),
        &[("confirm_name", &address)],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;

    assert!(errors.is_empty(), "{errors}");
    assert!(
        done.contains("staging no longer has this address"),
        "{done}"
    );
    assert_audited_pair(&app, "public_ip.delete").await;
    wait_for(&app, "public_ips", &id, "GONE").await;
}

#[tokio::test]
async fn the_apis_refusals_are_said_in_plain_words() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = app.sim_items("public_ips").len();

    // The Cloud Panel offers no IPv6 here: the form says so and keeps the values.
    let response = post(
        &app,
        &c,
        "/public_ips",
        &[("type", "IPV6"), ("reverse_dns", "six.example.org")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    let problem = text_of(&html, ".flash-error");
    assert!(problem.contains("Only IPV4 allowed"), "{problem}");
    assert!(problem.contains("Nothing was reserved"), "{problem}");
    assert_eq!(
        attr(&html, "#type option[selected]", "value").unwrap(),
        "IPV6"
    );
    assert_eq!(
        attr(&html, "#reverse_dns", "value").unwrap(),
        "six.example.org"
    );
    assert_eq!(app.sim_items("public_ips").len(), before);
    assert_eq!(rows_with(&app, "public_ip.create", "failed").await, 1);

    // The load balancer's own address cannot be deleted.
    let ips = app.sim_items("public_ips");
    let on_balancer = ip_by(&ips, |ip| ip["assigned_to"]["type"] == "LOAD_BALANCER");
    let id = id_of(on_balancer);
    let response = post(
        &app,
        &c,
        &format!("/public_ips/{id}/delete"),
        &[("confirm_name", on_balancer["ip"].as_str().unwrap())],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(
        errors.contains("refused") && errors.contains("load balancer"),
        "{errors}"
    );
    assert_eq!(sim_state_of(&app, "public_ips", &id), "ACTIVE");
    assert_eq!(rows_with(&app, "public_ip.delete", "failed").await, 1);
}

#[tokio::test]
async fn bad_values_are_refused_before_anything_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = app.sim_items("public_ips").len();

    let response = post(
        &app,
        &c,
        "/public_ips",
        &[
            ("type", "IPV5"),
            ("datacenter_id", "no such place"),
            ("reverse_dns", "mail_server.example.com"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(exists(&html, "#error-summary"));
    assert!(field_error(&html, "type").contains("IPv4 or IPv6"));
    assert!(field_error(&html, "datacenter_id").contains("listed datacenters"));
    assert!(field_error(&html, "reverse_dns").contains("not a host name"));
    assert_eq!(
        attr(&html, "#reverse_dns", "value").unwrap(),
        "mail_server.example.com"
    );
    assert_eq!(app.sim_items("public_ips").len(), before);
    assert!(audit_rows(&app, "public_ip.create").await.is_empty());

    // The one-field reverse DNS form answers with a flash message; the
    // field keeps what was typed.
    let mail = mail_ip(&app);
    let response = post(
        &app,
        &c,
        &format!("/public_ips/{}/reverse_dns", id_of(&mail)),
        &[("reverse_dns", "-bad-.example.com")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&c, &location(&response)).await;
    let errors = text_of(&html, ".flash-error");
    assert!(errors.contains("not a host name"), "{errors}");
    assert!(errors.contains("Nothing was changed"), "{errors}");
    assert_eq!(
        attr(&html, "#reverse-dns-name", "value").unwrap(),
        "-bad-.example.com"
    );
    assert_eq!(mail_ip(&app)["reverse_dns"], "mail.example.com");
    assert!(
        audit_rows(&app, "public_ip.set_reverse_dns")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn each_flag_is_checked_on_its_own() {
    let app = spawn_demo().await;
    let mail = mail_ip(&app);
    let id = id_of(&mail);
    let address = mail["ip"].as_str().unwrap().to_owned();
    let viewer = app
        .member_with("viewer@example.org", &["public_ips.show"])
        .await;

    let (status, html) = app
        .get_html(&viewer, &format!("{ORG}/public_ips/{id}"))
        .await;
    assert_eq!(status, 200);
    assert!(!exists(&html, "#set-reverse-dns"));
    assert!(!exists(&html, "#delete-ip"));
    let (_, html) = app.get_html(&viewer, &format!("{ORG}/public_ips")).await;
    assert!(!exists(&html, "#new-public-ip"));
    let response = app.get(&viewer, &format!("{ORG}/public_ips/new")).await;
    assert_eq!(response.status().as_u16(), 403);

    for (path, fields, flag) in [
        (
            format!("/public_ips/{id}/reverse_dns"),
            vec![("reverse_dns", "evil.example.com")],
            "public_ips.set_reverse_dns",
        ),
        (
            format!("/public_ips/{id}/delete"),
            vec![("confirm_name", address.as_str())],
            "public_ips.delete",
        ),
        (
            "/public_ips".to_owned(),
            vec![("type", "IPV4")],
            "public_ips.create",
        ),
    ] {
        let denied = rows_with(&app, flag, "denied").await;
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert!(
            text_of(&response.text().await.unwrap(), "main").contains(flag),
            "{path}"
        );
        assert_eq!(rows_with(&app, flag, "denied").await, denied + 1, "{flag}");
    }
    assert_eq!(mail_ip(&app), mail, "nothing changed");

    // With the reverse DNS flag, that form (and only that one) appears and works.
    let namer = app
        .member_with(
            "namer@example.org",
            &["public_ips.show", "public_ips.set_reverse_dns"],
        )
        .await;
    let (_, html) = app
        .get_html(&namer, &format!("{ORG}/public_ips/{id}"))
        .await;
    assert!(exists(&html, "#set-reverse-dns"));
    assert!(!exists(&html, "#delete-ip"));
    post(
        &app,
        &namer,
        &format!("/public_ips/{id}/reverse_dns"),
        &[("reverse_dns", "smtp.example.com")],
    )
    .await;
    assert_eq!(mail_ip_by_id(&app, &id)["reverse_dns"], "smtp.example.com");
}

fn mail_ip_by_id(app: &TestApp, id: &str) -> Value {
    sim_item(app, "public_ips", id).unwrap()
}
