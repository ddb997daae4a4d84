//! Bulk actions on servers, E2E nodes and block storages: the dry run
//! lists each object's fate and the estimate and sends nothing; a run puts
//! one change per object in the account's queue, each audited, and its
//! page shows each outcome; cancelling takes what still waits out of the
//! queue; a delete needs its count typed; a member without the action's
//! flag is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, spawn_demo_configured, text_of};
use crate::queue::spend_budget;
use crate::servers::{account_query, seeded, sim_servers, sim_state};

/// The demo with a fast simulator, whose rate limit never bites: the
/// panel's own budget is the only one.
async fn spawn_fast() -> TestApp {
    spawn_demo_configured(
        |s| s.upstream_rate_window = Duration::from_secs(60),
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
            c.rate_window = Duration::from_secs(60);
        },
    )
    .await
}

fn powered_on(app: &TestApp) -> Vec<String> {
    sim_servers(app)
        .into_iter()
        .filter(|s| s["status"]["state"] == "POWERED_ON")
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let account = account_query(app).await;
    app.post_form(client, &format!("/o/demo/bulk/{path}{account}"), fields)
        .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

/// The servers a run took, in order.
async fn item_ids(app: &TestApp, run: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT target_id FROM bulk_items WHERE run_id = ? ORDER BY position")
        .bind(run)
        .fetch_all(app.state.raw_db())
        .await
        .unwrap()
}

/// The queue states of a run's items, in order (`None`: skipped).
async fn item_states(app: &TestApp, run: i64) -> Vec<Option<String>> {
    sqlx::query_scalar(
        "SELECT q.state FROM bulk_items i LEFT JOIN change_queue q ON q.id = i.queue_id
         WHERE i.run_id = ? ORDER BY i.position",
    )
    .bind(run)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

fn run_id(address: &str) -> i64 {
    address.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_dry_run_lists_what_happens_to_each_server_and_the_estimate_and_sends_nothing() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let (on, on_name) = seeded(&app, "POWERED_ON");
    let (off, off_name) = seeded(&app, "POWERED_OFF");
    let (_, list) = app.get_html(&admin, "/o/demo/servers").await;

    // Act
    let planned = post(
        &app,
        &admin,
        "plan",
        &[
            ("action", "power_off"),
            ("by", "rows"),
            ("ids", &on),
            ("ids", &off),
            ("ids", "NOT-A-SERVER"),
        ],
    )
    .await;
    let status = planned.status().as_u16();
    let plan = planned.text().await.unwrap();
    let filtered = post(
        &app,
        &admin,
        "plan",
        &[
            ("action", "reboot"),
            ("by", "filter"),
            ("state", "POWERED_ON"),
        ],
    )
    .await
    .text()
    .await
    .unwrap();

    // Assert: the list offers the form and a box per row.
    assert!(list.contains("id=\"bulk\""));
    assert!(list.contains(&format!("value=\"{on}\" form=\"bulk\"")));
    assert_eq!(status, 200);
    let estimate = text_of(&plan, "#bulk-estimate");
    assert!(estimate.contains("1 request, at once"), "{estimate}");
    assert!(estimate.contains("2 skipped"), "{estimate}");
    let rows = text_of(&plan, "#bulk-plan");
    assert!(rows.contains(&on_name) && rows.contains(&off_name));
    assert!(rows.contains("it is already powered off"), "{rows}");
    assert!(
        rows.contains("not found, or outside what your role covers"),
        "{rows}"
    );
    // Every running server the panel knows of, none skipped (the demo's
    // servers still deploying may join meanwhile: the count is the page's).
    let matched = filtered.matches("<tr data-item-id=").count();
    let filtered_estimate = text_of(&filtered, "#bulk-estimate");
    assert!(matched >= 1);
    assert!(
        filtered_estimate.starts_with(&format!("{matched} request")),
        "{filtered_estimate}"
    );
    assert!(!text_of(&filtered, "#bulk-plan").contains("skipped"));
    // Nothing was sent, queued or recorded as a change.
    assert_eq!(sim_state(&app, &on), "POWERED_ON");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM change_queue").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'server.%'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_bulk_stop_runs_each_server_through_the_queue_and_shows_each_outcome() {
    // Arrange
    let app = spawn_fast().await;
    let admin = app.admin().await;
    assert!(powered_on(&app).len() >= 2, "the demo has running servers");

    // Act: every running server, by filter.
    let started = post(
        &app,
        &admin,
        "run",
        &[
            ("action", "power_off"),
            ("by", "filter"),
            ("state", "POWERED_ON"),
        ],
    )
    .await;
    let page = location(&started);
    let run = run_id(&page);
    for _ in 0..400 {
        let states = item_states(&app, run).await;
        if states.iter().all(|s| s.as_deref() == Some("succeeded")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, html) = app.get_html(&admin, &page).await;
    let targets = item_ids(&app, run).await;

    // Assert: one change per server, each sent and audited as a server's page would.
    assert_eq!(started.status().as_u16(), 303);
    assert!(page.starts_with("/o/demo/bulk/"), "{page}");
    assert_eq!(status, 200);
    let states = item_states(&app, run).await;
    assert_eq!(states.len(), targets.len());
    assert!(
        states.iter().all(|s| s.as_deref() == Some("succeeded")),
        "{states:?}"
    );
    for id in &targets {
        assert_ne!(sim_state(&app, id), "POWERED_ON", "{id} was stopped");
    }
    let summary = text_of(&html, "#bulk-summary");
    assert!(summary.contains("finished"), "{summary}");
    assert!(
        summary.contains(&format!("{} done", targets.len())),
        "{summary}"
    );
    let outcomes: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'server.power_off' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    for outcome in ["requested", "queued", "succeeded"] {
        assert_eq!(
            outcomes.iter().filter(|(o, _)| o == outcome).count(),
            targets.len(),
            "{outcome}: {outcomes:?}"
        );
    }
    let details: Value = serde_json::from_str(&outcomes[0].1).unwrap();
    assert_eq!(details["bulk_run_id"], run);
    let start: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'bulk.start'")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    let start: Value = serde_json::from_str(&start).unwrap();
    assert_eq!(start["requests"], targets.len());
}

#[tokio::test]
async fn cancelling_a_bulk_run_takes_what_still_waits_out_of_the_queue() {
    // Arrange: the list is known, then the budget is spent, so nothing is sent.
    let app = spawn_fast().await;
    let admin = app.admin().await;
    let _ = app.get_html(&admin, "/o/demo/servers").await;
    spend_budget(&app);

    // Act
    let started = post(
        &app,
        &admin,
        "run",
        &[
            ("action", "power_off"),
            ("by", "filter"),
            ("state", "POWERED_ON"),
        ],
    )
    .await;
    let page = location(&started);
    let run = run_id(&page);
    let targets = item_ids(&app, run).await;
    let (_, waiting) = app.get_html(&admin, &page).await;
    let cancelled = app.post_form(&admin, &format!("{page}/cancel"), &[]).await;
    let (_, after) = app.get_html(&admin, &page).await;

    // Assert
    assert!(text_of(&waiting, "#bulk-summary").contains("running"));
    assert!(
        waiting.contains("data-refresh-url"),
        "the page follows itself"
    );
    assert_eq!(cancelled.status().as_u16(), 303);
    let states = item_states(&app, run).await;
    assert!(
        states.iter().all(|s| s.as_deref() == Some("cancelled")),
        "{states:?}"
    );
    for id in &targets {
        assert_eq!(
            sim_state(&app, id),
            "POWERED_ON",
            "nothing was sent to {id}"
        );
    }
    assert!(text_of(&after, "#bulk-summary").contains("finished"));
    assert!(!after.contains("id=\"bulk-cancel\""));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'server.power_off' AND outcome = 'cancelled'"
        )
        .await,
        i64::try_from(targets.len()).unwrap()
    );
    let cancel: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'bulk.cancel'")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&cancel).unwrap()["cancelled"],
        targets.len()
    );
}

#[tokio::test]
async fn a_bulk_delete_needs_its_count_typed_and_a_member_needs_the_flag() {
    // Arrange
    let app = spawn_fast().await;
    let admin = app.admin().await;
    let viewer = app.member_with("vera@example.org", &["servers.show"]).await;
    let (off, _) = seeded(&app, "POWERED_OFF");
    let fields = |confirm: &'static str| {
        vec![
            ("action", "delete"),
            ("by", "rows"),
            ("ids", off.as_str()),
            ("confirm_count", confirm),
        ]
    };

    // Act
    let planned = post(&app, &admin, "plan", &fields(""))
        .await
        .text()
        .await
        .unwrap();
    let wrong = post(&app, &admin, "run", &fields("2")).await;
    let queued_after_wrong = count(&app, "SELECT COUNT(*) FROM change_queue").await;
    let refused = post(&app, &viewer, "plan", &fields("")).await;
    let right = post(&app, &admin, "run", &fields("1")).await;

    // Assert
    assert!(planned.contains("Type <strong>1</strong>"), "{planned}");
    assert_eq!(wrong.status().as_u16(), 303);
    assert!(location(&wrong).starts_with("/o/demo/servers"));
    assert_eq!(queued_after_wrong, 0, "a wrong count deletes nothing");
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(right.status().as_u16(), 303);
    assert!(location(&right).starts_with("/o/demo/bulk/"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM change_queue WHERE action = 'server.delete'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied' AND actor_label = 'vera@example.org'"
        )
        .await,
        1,
        "the refusal is audited"
    );
}

#[tokio::test]
async fn e2e_nodes_are_stopped_and_imaged_in_bulk_through_the_queue() {
    use crate::e2e_nodes::{e2e_query, node_named, sim_images, wait_for_status};
    // Arrange: web-1 and db-1 run, build-box is off.
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let account = e2e_query(&app).await;
    let (web, _) = node_named(&app, "web-1");
    let (db, _) = node_named(&app, "db-1");
    let (build, _) = node_named(&app, "build-box");
    let (_, list) = app
        .get_html(&admin, &format!("/o/demo/e2e_nodes{account}"))
        .await;
    let bulk = |path: &str| format!("/o/demo/bulk/{path}{account}");

    // Act: a dry run of saving images, then a stop of every running node.
    let imaging = app
        .post_form(
            &admin,
            &bulk("plan"),
            &[
                ("family", "e2e_nodes"),
                ("action", "snapshot"),
                ("by", "rows"),
                ("ids", &web),
                ("ids", &build),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let stop = [
        ("family", "e2e_nodes"),
        ("action", "power_off"),
        ("by", "filter"),
        ("datacenter", "delhi"),
        ("state", "POWERED_ON"),
    ];
    let stopping = app
        .post_form(&admin, &bulk("plan"), &stop)
        .await
        .text()
        .await
        .unwrap();
    let started = app.post_form(&admin, &bulk("run"), &stop).await;
    let page = location(&started);
    wait_for_status(&app, &web, "Powered off").await;
    wait_for_status(&app, &db, "Powered off").await;
    let run = run_id(&page);
    for _ in 0..200 {
        if item_states(&app, run)
            .await
            .iter()
            .all(|s| s.as_deref() == Some("succeeded"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, run_page) = app.get_html(&admin, &page).await;
    let imaged = app
        .post_form(
            &admin,
            &bulk("run"),
            &[
                ("family", "e2e_nodes"),
                ("action", "snapshot"),
                ("by", "rows"),
                ("ids", &build),
            ],
        )
        .await;

    // Assert: the nodes list offers the form for nodes, with a box per row.
    assert!(
        list.contains("name=\"family\" value=\"e2e_nodes\""),
        "{list}"
    );
    assert!(list.contains(&format!("value=\"{web}\" form=\"bulk\"")));
    let rows = text_of(&imaging, "#bulk-plan");
    assert!(
        rows.contains("E2E saves an image of a powered-off node only"),
        "{rows}"
    );
    assert!(text_of(&imaging, "#bulk-estimate").contains("1 request, at once"));
    assert!(imaging.contains("Save an image: 1 node"));
    assert!(text_of(&stopping, "#bulk-estimate").contains("2 requests"));
    assert!(!text_of(&stopping, "#bulk-plan").contains("build-box"));
    assert_eq!(started.status().as_u16(), 303);
    assert_eq!(item_ids(&app, run).await.len(), 2);
    let summary = text_of(&run_page, "#bulk-summary");
    assert!(summary.contains("2 done"), "{summary}");
    assert!(text_of(&run_page, "#bulk-items").contains("web-1"));
    let stops: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'e2e_node.power_off' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    for outcome in ["requested", "queued", "succeeded"] {
        assert_eq!(
            stops.iter().filter(|(o, _)| o == outcome).count(),
            2,
            "{stops:?}"
        );
    }
    let details: Value = serde_json::from_str(&stops[0].1).unwrap();
    assert_eq!(details["bulk_run_id"], run);
    assert_eq!(details["type"], "power_off");
    assert_eq!(details["provider"], "e2e");
    // The saved image is named after its node and the minute.
    assert_eq!(imaged.status().as_u16(), 303);
    let mut named = false;
    for _ in 0..200 {
        named = sim_images(&app).iter().any(|i| {
            i["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("build-box-"))
        });
        if named {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(named, "{:?}", sim_images(&app));
}

#[tokio::test]
async fn block_storages_are_deleted_in_bulk_with_the_count_typed() {
    use crate::block_storages::{seeded_item, sim_item_state};
    // Arrange
    let app = spawn_fast().await;
    let admin = app.admin().await;
    let (data, _) = seeded_item(&app, "block_storages", "db-data");
    let (scratch, _) = seeded_item(&app, "block_storages", "scratch");
    let (_, list) = app.get_html(&admin, "/o/demo/block_storages").await;
    let (_, ips) = app.get_html(&admin, "/o/demo/public_ips").await;
    let chosen = |count: &'static str| {
        vec![
            ("family", "block_storages"),
            ("action", "delete"),
            ("by", "rows"),
            ("ids", data.as_str()),
            ("ids", scratch.as_str()),
            ("confirm_count", count),
        ]
    };

    // Act: the dry run, a run with the wrong count, a power action a
    // storage does not take, then the run.
    let plan = post(&app, &admin, "plan", &chosen(""))
        .await
        .text()
        .await
        .unwrap();
    let wrong = post(&app, &admin, "run", &chosen("3")).await;
    let after_wrong = (
        sim_item_state(&app, "block_storages", &data),
        sim_item_state(&app, "block_storages", &scratch),
    );
    let power = post(
        &app,
        &admin,
        "plan",
        &[
            ("family", "block_storages"),
            ("action", "power_off"),
            ("by", "rows"),
            ("ids", scratch.as_str()),
        ],
    )
    .await;
    let started = post(&app, &admin, "run", &chosen("2")).await;
    let run = run_id(&location(&started));
    for _ in 0..400 {
        if sim_item_state(&app, "block_storages", &data) == "GONE"
            && sim_item_state(&app, "block_storages", &scratch) == "GONE"
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Assert: both lists offer the form; the storages' has no state filter.
    assert!(list.contains("name=\"family\" value=\"block_storages\""));
    assert!(list.contains(&format!("value=\"{scratch}\" form=\"bulk\"")));
    assert!(!text_of(&list, "form#bulk").contains("powered on"));
    assert!(ips.contains("name=\"family\" value=\"public_ips\""));
    assert!(text_of(&plan, "#bulk-estimate").contains("2 requests"));
    assert!(plan.contains("the number of block storages to delete"));
    assert!(text_of(&plan, "#bulk-plan thead").contains("Block storage"));
    assert_eq!(wrong.status().as_u16(), 303);
    assert!(location(&wrong).starts_with("/o/demo/block_storages"));
    assert_ne!(after_wrong.0, "GONE", "a wrong count deletes nothing");
    assert_ne!(after_wrong.1, "GONE");
    assert_eq!(power.status().as_u16(), 303, "refused back to the list");
    assert_eq!(started.status().as_u16(), 303);
    assert_eq!(sim_item_state(&app, "block_storages", &data), "GONE");
    assert_eq!(sim_item_state(&app, "block_storages", &scratch), "GONE");
    let deletes: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'block_storage.delete'
         AND outcome = 'requested' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(deletes.len(), 2);
    let first: Value = serde_json::from_str(&deletes[0].1).unwrap();
    assert_eq!(first["bulk_run_id"], run);
    assert!(
        deletes
            .iter()
            .any(|(_, d)| d.contains("detached_server_id")),
        "the attached one records its server: {deletes:?}"
    );
}

#[tokio::test]
async fn every_family_that_is_only_deleted_offers_its_bulk_form_and_a_vpn_goes() {
    use crate::block_storages::{seeded_item, sim_item_state};
    // Arrange
    let app = spawn_fast().await;
    let admin = app.admin().await;
    let (office, _) = seeded_item(&app, "vpns", "office");
    let mut offered = Vec::new();
    for (family, collection, name) in [
        ("shared_storages", "shared_storages", "assets"),
        ("private_networks", "private_networks", "backend"),
        ("vpns", "vpns", "office"),
    ] {
        let (_, list) = app.get_html(&admin, &format!("/o/demo/{family}")).await;
        let (id, _) = seeded_item(&app, collection, name);
        let plan = post(
            &app,
            &admin,
            "plan",
            &[
                ("family", family),
                ("action", "delete"),
                ("by", "rows"),
                ("ids", &id),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(
            text_of(&plan, "#bulk-plan thead").contains(match family {
                "vpns" => "VPN",
                "private_networks" => "Private network",
                _ => "Shared storage",
            }),
            "{family}"
        );
        offered.push((
            family,
            list.contains(&format!("name=\"family\" value=\"{family}\"")),
            list.contains(&format!("value=\"{id}\" form=\"bulk\"")),
            text_of(&plan, "#bulk-plan").contains(name),
        ));
    }

    // Act: every VPN whose name starts with "off", with the count typed.
    let started = post(
        &app,
        &admin,
        "run",
        &[
            ("family", "vpns"),
            ("action", "delete"),
            ("by", "filter"),
            ("name_prefix", "off"),
            ("confirm_count", "1"),
        ],
    )
    .await;
    for _ in 0..400 {
        if sim_item_state(&app, "vpns", &office) == "GONE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Assert: each list has the form and a box per row, and its dry run
    // lists the chosen object; the VPN is gone, audited as its page would.
    for (family, form, boxes, planned) in offered {
        assert!(
            form && boxes && planned,
            "{family}: {form} {boxes} {planned}"
        );
    }
    assert_eq!(started.status().as_u16(), 303);
    assert_eq!(sim_item_state(&app, "vpns", &office), "GONE");
    let details: String = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'vpn.delete' AND outcome = 'requested'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["name"], "office");
    assert_eq!(details["bulk_run_id"], run_id(&location(&started)));
}
