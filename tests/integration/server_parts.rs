//! A server's sub-resources read on their own against the simulator: the
//! pages of one disk, one IP and one private network, the "Reload" of each
//! card, and the status fragment.

use serde_json::Value;

use crate::helpers::{TestApp, spawn_demo, text_of};
use crate::private_networks::exists;
use crate::servers::{ORG, account_query, sim_server, sim_servers};

/// A seeded server with an IP that has load balancers, and a private network.
fn wired_server(app: &TestApp) -> Value {
    sim_servers(app)
        .into_iter()
        .find(|s| {
            s["ips"].as_array().is_some_and(|ips| {
                ips.iter().any(|ip| {
                    ip["load_balancers"]
                        .as_array()
                        .is_some_and(|l| !l.is_empty())
                        && !ip["firewall_policy"].is_null()
                })
            }) && s["private_networks"]
                .as_array()
                .is_some_and(|n| !n.is_empty())
        })
        .expect("a seeded server with a load-balanced IP in a private network")
}

/// GB as the pages print them: whole numbers without a fraction.
fn gb(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// A date of the simulator as the pages print it (`2025-01-31 09:30:00 UTC`).
fn shown_date(v: &Value) -> String {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("a date in {v}: {e}"))
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_server_page_links_each_disk_ip_and_network_to_its_own_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let server = wired_server(&app);
    let id = s(&server["id"]);
    let q = account_query(&app).await;
    let hdd = &server["hardware"]["hdds"][0];
    let ip = server["ips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|ip| !ip["firewall_policy"].is_null())
        .unwrap()
        .clone();
    let network = &server["private_networks"][0];

    let (status, html) = app.get_html(&c, &format!("{ORG}/servers/{id}")).await;
    assert_eq!(status, 200);
    for href in [
        format!("{ORG}/servers/{id}/hdds/{}{q}", s(&hdd["id"])),
        format!("{ORG}/servers/{id}/ips/{}{q}", s(&ip["id"])),
        format!(
            "{ORG}/servers/{id}/private_networks/{}{q}",
            s(&network["id"])
        ),
        format!("{ORG}/servers/{id}/cards/hardware{q}"),
        format!("{ORG}/servers/{id}/cards/snapshots{q}"),
    ] {
        assert!(html.contains(&format!("href=\"{href}\"")), "{href}");
    }

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/servers/{id}/hdds/{}{q}", s(&hdd["id"])))
        .await;
    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "#disk-size"), format!("{} GB", hdd["size"]));

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/servers/{id}/ips/{}{q}", s(&ip["id"])))
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "h1").contains(&s(&ip["ip"])));
    assert!(text_of(&html, "#ip-policy").contains(&s(&ip["firewall_policy"]["name"])));
    let lbs = text_of(&html, "#ip-load-balancers");
    for lb in ip["load_balancers"].as_array().unwrap() {
        assert!(lbs.contains(&s(&lb["name"])), "{lbs}");
    }

    let (status, html) = app
        .get_html(
            &c,
            &format!(
                "{ORG}/servers/{id}/private_networks/{}{q}",
                s(&network["id"])
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "h1").contains(&s(&network["name"])));

    // Ids the server does not have are the page's own 404.
    for path in ["hdds/nope", "ips/nope", "private_networks/nope"] {
        let (status, _) = app
            .get_html(&c, &format!("{ORG}/servers/{id}/{path}{q}"))
            .await;
        assert_eq!(status, 404, "{path}");
    }
}

#[tokio::test]
async fn each_card_is_read_again_on_its_own() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = s(&wired_server(&app)["id"]);
    let q = account_query(&app).await;
    // A snapshot, so that its card has one to show.
    let response = app
        .post_form(&c, &format!("{ORG}/servers/{id}/snapshots{q}"), &[])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let server = sim_server(&app, &id).unwrap();
    let hardware = &server["hardware"];
    let hdds = hardware["hdds"].as_array().unwrap();
    let snapshot = &server["snapshot"];
    assert!(snapshot["id"].is_string(), "{snapshot}");
    assert!(
        server["dvd"].is_null(),
        "the seeded server has no DVD loaded"
    );

    // What each card must show, all of it read from the simulator.
    let disk_rows = hdds
        .iter()
        .map(|h| {
            format!(
                "{} {} {} GB",
                if h["is_main"] == true {
                    "Main disk"
                } else {
                    "Extra disk"
                },
                s(&h["id"]),
                h["size"]
            )
        })
        .collect::<Vec<_>>();
    let total: i64 = hdds.iter().map(|h| h["size"].as_i64().unwrap()).sum();
    for (card, shows) in [
        (
            "hardware",
            vec![
                format!("vCores {}", hardware["vcore"]),
                format!("Cores per processor {}", hardware["cores_per_processor"]),
                format!("RAM {} GB", gb(hardware["ram"].as_f64().unwrap())),
                format!("Disks {}, {total} GB in all", hdds.len()),
            ],
        ),
        ("hdds", disk_rows),
        ("image", vec![s(&server["image"]["name"])]),
        ("ips", vec![s(&server["ips"][0]["ip"])]),
        ("dvd", vec!["No DVD loaded".to_owned()]),
        (
            "private_networks",
            vec![s(&server["private_networks"][0]["name"])],
        ),
        (
            "snapshots",
            vec![format!(
                "Taken {}, removed automatically {} {}",
                shown_date(&snapshot["creation_date"]),
                shown_date(&snapshot["deletion_date"]),
                s(&snapshot["id"])
            )],
        ),
    ] {
        let (status, html) = app
            .get_html(&c, &format!("{ORG}/servers/{id}/cards/{card}{q}"))
            .await;
        assert_eq!(status, 200, "{card}");
        let text = text_of(&html, &format!("#card-{card}"));
        for expected in &shows {
            assert!(!expected.trim().is_empty(), "{card}: nothing to look for");
            assert!(
                text.contains(expected.as_str()),
                "{card}: {expected:?} in {text}"
            );
        }
        assert!(exists(
            &html,
            &format!("a[href='{ORG}/servers/{id}/cards/{card}{q}']")
        ));
    }
    let (status, _) = app
        .get_html(&c, &format!("{ORG}/servers/{id}/cards/everything{q}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_html(&c, &format!("{ORG}/servers/nope/cards/hardware{q}"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_status_fragment_reads_the_small_status() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let server = wired_server(&app);
    let id = s(&server["id"]);

    let response = app.get(&c, &format!("{ORG}/servers/{id}/status")).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["x-fragment"], "1");
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("data-state=\"{}\"", s(&server["status"]["state"]))));

    let response = app.get(&c, &format!("{ORG}/servers/nope/status")).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().contains("Removed"));
}

#[tokio::test]
async fn a_member_who_may_not_see_servers_is_refused() {
    let app = spawn_demo().await;
    let server = wired_server(&app);
    let id = s(&server["id"]);
    let member = app.member_with("nosy@example.org", &["vpn.show"]).await;

    for path in [
        format!("hdds/{}", s(&server["hardware"]["hdds"][0]["id"])),
        format!("ips/{}", s(&server["ips"][0]["id"])),
        format!(
            "private_networks/{}",
            s(&server["private_networks"][0]["id"])
        ),
        "cards/hardware".to_owned(),
    ] {
        let (status, html) = app
            .get_html(&member, &format!("{ORG}/servers/{id}/{path}"))
            .await;
        assert_eq!(status, 403, "{path}");
        assert!(!html.contains(&s(&server["name"])), "{path}");
    }
}
