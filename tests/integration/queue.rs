//! The change queue (issue 22): a change that finds its cloud account's
//! request budget spent is not turned away: it waits in the account's queue,
//! is audited `queued`, and runs in order when the budget refills. A waiting
//! change can be cancelled by its author (or someone who may manage cloud
//! accounts); one whose author lost the permission is dropped, never sent;
//! a full queue says so; and a change the panel was sending when it stopped
//! is abandoned at the next start, never sent twice.
//!
//! The budget is spent by the simulator answering 429 to everything
//! (`force_429`), which also empties the panel's own budget until the
//! window's reset; turning the fault off lets the budget refill.

use std::time::{Duration, Instant};

use teampanel::config::Settings;
use teampanel::rbac::BuiltinRole;
use teampanel::simulator::Faults;

use crate::block_storages::{attr, followed};
use crate::helpers::{TestApp, location, spawn_demo_configured, text_of};
use crate::servers::{ORG, seeded, sim_server, sim_state};

/// The demo with a queue of at most `max` changes per account, and a rate
/// window of `window` for both the simulator and the panel: a short one
/// refills soon, a long one keeps a change waiting for the whole test.
pub(crate) async fn spawn(max: u32, window: Duration) -> TestApp {
    spawn_demo_configured(
        |s| {
            s.change_queue_max = max;
            s.upstream_rate_window = window;
        },
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
            c.rate_window = window;
        },
    )
    .await
}

pub(crate) const SHORT: Duration = Duration::from_secs(2);
const LONG: Duration = Duration::from_secs(60);

fn set_faults(app: &TestApp, faults: Faults) {
    app.simulator
        .as_ref()
        .expect("a simulator")
        .set_faults(faults)
        .expect("valid faults");
}

/// From now on the API answers 429: the account's budget is spent.
pub(crate) fn spend_budget(app: &TestApp) {
    set_faults(
        app,
        Faults {
            force_429: true,
            ..Faults::default()
        },
    );
}

/// The API answers again; the budget refills at the window's reset.
pub(crate) fn refill_budget(app: &TestApp) {
    set_faults(app, Faults::default());
}

/// A queued change as the database holds it.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    state: String,
    action: String,
    correlation_id: String,
}

async fn queue_rows(app: &TestApp) -> Vec<Row> {
    sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT id, state, action, correlation_id FROM change_queue ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(id, state, action, correlation_id)| Row {
        id,
        state,
        action,
        correlation_id,
    })
    .collect()
}

/// The outcomes recorded under one correlation id, in order.
async fn outcomes(app: &TestApp, correlation_id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT outcome FROM audit_events WHERE correlation_id = ? ORDER BY id")
        .bind(correlation_id)
        .fetch_all(app.state.raw_db())
        .await
        .unwrap()
}

/// The correlation ids of an action's `requested` events, oldest first.
async fn requests(app: &TestApp, action: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT correlation_id FROM audit_events WHERE action = ? AND outcome = 'requested' ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

/// Waits (bounded) until `check` holds.
async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within {limit:?}");
}

async fn power_off(app: &TestApp, c: &reqwest::Client, id: &str) -> reqwest::Response {
    app.post_form(
        c,
        &format!("{ORG}/servers/{id}/power"),
        &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
    )
    .await
}

async fn rename(app: &TestApp, c: &reqwest::Client, id: &str, name: &str) -> reqwest::Response {
    app.post_form(
        c,
        &format!("{ORG}/servers/{id}/rename"),
        &[("name", name), ("description", "")],
    )
    .await
}

#[tokio::test]
async fn a_queued_change_waits_for_its_server_to_settle_after_the_change_before_it() {
    // Transitions take seconds (a soft power-off 4 s, a power-on 5 s).
    let app = spawn_demo_configured(
        |s| {
            s.upstream_rate_window = SHORT;
            s.cache_ttl = Duration::from_secs(1);
        },
        |c| {
            c.speed = 2.0;
            c.rate_limit = 100_000;
            c.rate_window = SHORT;
        },
    )
    .await;
    let admin = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);
    assert_eq!(power_off(&app, &admin, &id).await.status().as_u16(), 303);
    let response = app
        .post_form(
            &admin,
            &format!("{ORG}/servers/{id}/power"),
            &[("action", "POWER_ON")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(queue_rows(&app).await.len(), 2);

    // The power-on goes out only once the power-off has finished, so the
    // API accepts both.
    refill_budget(&app);
    eventually("both changes", Duration::from_secs(60), || async {
        queue_rows(&app)
            .await
            .iter()
            .all(|r| r.state != "queued" && r.state != "running")
    })
    .await;
    let states: Vec<String> = queue_rows(&app)
        .await
        .into_iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(states, ["succeeded", "succeeded"]);
    eventually("the server back on", Duration::from_secs(20), || async {
        sim_state(&app, &id) == "POWERED_ON"
    })
    .await;
}

#[tokio::test]
async fn with_the_budget_spent_a_change_waits_in_the_queue_and_runs_when_it_refills() {
    let app = spawn(100, SHORT).await;
    let admin = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);

    let response = power_off(&app, &admin, &id).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        location(&response).starts_with(&format!("{ORG}/servers/{id}")),
        "a queued change leads to the object's page: {}",
        location(&response)
    );

    // The notice is news, not an error, and names the place in line.
    let (status, html) = app.get_html(&admin, &format!("{ORG}/queue")).await;
    assert_eq!(status, 200);
    let notice = text_of(&html, ".flash-info");
    assert!(
        notice.contains("Queued: 1st in line for this cloud account"),
        "{notice}"
    );
    assert!(notice.contains("cancel it on the Queue page"), "{notice}");
    assert!(text_of(&html, ".flash-error").is_empty(), "{html}");
    assert_eq!(sim_state(&app, &id), "POWERED_ON", "nothing was sent yet");

    let correlation = requests(&app, "server.power_off").await;
    assert_eq!(correlation.len(), 1);
    let correlation = &correlation[0];
    let seen = outcomes(&app, correlation).await;
    assert_eq!(seen[..2], ["requested", "queued"], "{seen:?}");
    let rows = queue_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].correlation_id, *correlation);
    assert_eq!(rows[0].action, "server.power_off");

    // The budget refills: the change is sent once and the server powers off.
    refill_budget(&app);
    eventually("the queued power-off", Duration::from_secs(20), || async {
        sim_state(&app, &id) == "POWERED_OFF"
    })
    .await;
    eventually("its outcome", Duration::from_secs(5), || async {
        outcomes(&app, correlation).await.last().map(String::as_str) == Some("succeeded")
    })
    .await;
    let seen = outcomes(&app, correlation).await;
    assert_eq!(seen.first().map(String::as_str), Some("requested"));
    assert_eq!(
        seen.iter().filter(|o| *o == "queued").count(),
        1,
        "{seen:?}"
    );
    assert_eq!(
        seen.iter().filter(|o| *o == "succeeded").count(),
        1,
        "{seen:?}"
    );
    assert_eq!(queue_rows(&app).await[0].state, "succeeded");

    // The page lists it among the finished ones; nothing waits.
    let (_, html) = app.get_html(&admin, &format!("{ORG}/queue")).await;
    assert!(text_of(&html, ".queue-finished").contains("server.power_off"));
    assert!(text_of(&html, ".queue-finished .state").contains("succeeded"));
    assert!(text_of(&html, ".queue-empty").contains("Nothing waits"));
    // The chain still verifies across the rebuilt audit table.
    let report = teampanel::audit::verify(app.state.raw_db()).await.unwrap();
    assert!(report.broken.is_none(), "{:?}", report.broken);
}

#[tokio::test]
async fn queued_changes_of_an_account_run_in_the_order_they_were_asked() {
    let app = spawn(100, SHORT).await;
    let admin = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);

    assert_eq!(
        rename(&app, &admin, &id, "q-first").await.status().as_u16(),
        303
    );
    let response = rename(&app, &admin, &id, "q-second").await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&admin, &format!("{ORG}/queue")).await;
    assert!(
        text_of(&html, ".flash-info").contains("2nd in line"),
        "{html}"
    );
    let places = text_of(&html, ".queued-change .position");
    assert_eq!(places, "1st 2nd");

    refill_budget(&app);
    eventually("both renames", Duration::from_secs(20), || async {
        queue_rows(&app)
            .await
            .iter()
            .all(|r| r.state == "succeeded")
    })
    .await;
    assert_eq!(
        sim_server(&app, &id).unwrap()["name"],
        "q-second",
        "the later change ran last"
    );
    // Their outcomes are on record in the order they were asked.
    let rows = queue_rows(&app).await;
    let mut succeeded_at = Vec::new();
    for row in &rows {
        let at: i64 = sqlx::query_scalar(
            "SELECT id FROM audit_events WHERE correlation_id = ? AND outcome = 'succeeded'",
        )
        .bind(&row.correlation_id)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
        succeeded_at.push(at);
    }
    assert!(succeeded_at[0] < succeeded_at[1], "{succeeded_at:?}");
}

#[tokio::test]
async fn its_author_cancels_a_waiting_change_and_another_member_may_not() {
    let app = spawn(100, LONG).await;
    let author = app
        .member_with("author@example.org", &["servers.show", "servers.shutdown"])
        .await;
    let bystander = app
        .member_with("bystander@example.org", &["servers.show"])
        .await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);

    assert_eq!(power_off(&app, &author, &id).await.status().as_u16(), 303);
    let row = queue_rows(&app).await.remove(0);
    assert_eq!(row.state, "queued");

    // Neither its author nor someone who may manage cloud accounts: refused.
    let (_, html) = app.get_html(&bystander, &format!("{ORG}/queue")).await;
    assert!(text_of(&html, ".queued-change").contains("server.power_off"));
    assert!(
        !html.contains(&format!("/queue/{}/cancel", row.id)),
        "no cancel button for a bystander"
    );
    let refused = app
        .post_form(&bystander, &format!("{ORG}/queue/{}/cancel", row.id), &[])
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(queue_rows(&app).await[0].state, "queued");
    // An id that is not the organisation's: not found.
    let unknown = app
        .post_form(
            &author,
            &format!("{ORG}/queue/{}/cancel", row.id + 1000),
            &[],
        )
        .await;
    assert_eq!(unknown.status().as_u16(), 404);

    // Its author may.
    let (_, html) = app.get_html(&author, &format!("{ORG}/queue")).await;
    assert!(html.contains(&format!("/queue/{}/cancel", row.id)));
    let response = app
        .post_form(&author, &format!("{ORG}/queue/{}/cancel", row.id), &[])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&author, &format!("{ORG}/queue")).await;
    assert!(
        text_of(&html, ".flash-success").contains("nothing was sent"),
        "{html}"
    );
    assert!(text_of(&html, ".queue-finished .state").contains("cancelled"));
    assert_eq!(queue_rows(&app).await[0].state, "cancelled");
    assert_eq!(
        outcomes(&app, &row.correlation_id).await,
        ["requested", "queued", "cancelled"]
    );
    // Cancelled twice: it no longer waits.
    let again = app
        .post_form(&author, &format!("{ORG}/queue/{}/cancel", row.id), &[])
        .await;
    assert_eq!(again.status().as_u16(), 303);
    let (_, html) = app.get_html(&author, &format!("{ORG}/queue")).await;
    assert!(text_of(&html, ".flash-error").contains("no longer waits"));

    // The panel's own budget is spent too now: the next change waits
    // without being tried, first in line again.
    assert_eq!(power_off(&app, &author, &id).await.status().as_u16(), 303);
    let (_, html) = app.get_html(&author, &format!("{ORG}/queue")).await;
    assert!(
        text_of(&html, ".flash-info").contains("1st in line"),
        "{html}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sim_state(&app, &id), "POWERED_ON", "nothing was ever sent");
}

#[tokio::test]
async fn a_change_whose_author_lost_the_permission_is_dropped_and_not_sent() {
    let app = spawn(100, LONG).await;
    let admin = app.admin().await;
    let member = app
        .member_with(
            "operator@example.org",
            &["servers.show", "servers.shutdown"],
        )
        .await;
    let (id, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);
    assert_eq!(power_off(&app, &member, &id).await.status().as_u16(), 303);
    let row = queue_rows(&app).await.remove(0);
    assert_eq!(row.state, "queued");

    // The Owner makes them a Viewer while the change waits.
    let db = app.state.raw_db();
    let org = teampanel::db::orgs::by_slug(db, "demo")
        .await
        .unwrap()
        .unwrap();
    let viewer = crate::rows::builtin_role(db, org.id, BuiltinRole::Viewer)
        .await
        .unwrap()
        .expect("the Viewer role")
        .id;
    let user = teampanel::db::users::by_email(db, "operator@example.org")
        .await
        .unwrap()
        .unwrap();
    let response = app
        .post_form(
            &admin,
            &format!("{ORG}/members/{}/role", user.id),
            &[("role_id", &viewer.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    eventually("the change is dropped", Duration::from_secs(10), || async {
        queue_rows(&app).await[0].state == "dropped"
    })
    .await;
    assert_eq!(
        outcomes(&app, &row.correlation_id).await,
        ["requested", "queued", "denied"]
    );
    let error: String = sqlx::query_scalar(
        "SELECT error FROM audit_events WHERE correlation_id = ? AND outcome = 'denied'",
    )
    .bind(&row.correlation_id)
    .fetch_one(db)
    .await
    .unwrap();
    assert!(error.contains("no longer has servers.shutdown"), "{error}");
    refill_budget(&app);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sim_state(&app, &id), "POWERED_ON", "never sent");
    let (_, html) = app.get_html(&admin, &format!("{ORG}/queue")).await;
    assert!(text_of(&html, ".queue-finished").contains("dropped"));
}

#[tokio::test]
async fn a_full_queue_says_so_and_queues_nothing_more() {
    let app = spawn(2, LONG).await;
    let admin = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    // The member has the server's page open, as one does before renaming it.
    let (status, _) = app.get_html(&admin, &format!("{ORG}/servers/{id}")).await;
    assert_eq!(status, 200);
    spend_budget(&app);

    for name in ["q-one", "q-two"] {
        assert_eq!(rename(&app, &admin, &id, name).await.status().as_u16(), 303);
    }
    let response = rename(&app, &admin, &id, "q-three").await;
    assert_eq!(response.status().as_u16(), 303);
    // Back on the server's page: the queue is said to be full, and the form
    // shows what was typed, to send again later.
    let html = followed(&app, &admin, &response).await;
    let error = text_of(&html, ".flash-error");
    assert!(
        error.contains(
            "The queue of changes for this cloud account is full (2 waiting): nothing was sent. Try again in about"
        ),
        "{html}"
    );
    assert_eq!(
        attr(&html, "#rename-name", "value").as_deref(),
        Some("q-three")
    );
    // Kept once: the next view shows the server's own name again.
    let (_, again) = app.get_html(&admin, &location(&response)).await;
    assert_ne!(
        attr(&again, "#rename-name", "value").as_deref(),
        Some("q-three")
    );
    assert_eq!(queue_rows(&app).await.len(), 2, "nothing more was queued");
    let third = requests(&app, "server.rename").await.remove(2);
    assert_eq!(outcomes(&app, &third).await, ["requested", "failed"]);
    let recorded: String = sqlx::query_scalar(
        "SELECT error FROM audit_events WHERE correlation_id = ? AND outcome = 'failed'",
    )
    .bind(&third)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert!(recorded.contains("is full (2 waiting)"), "{recorded}");
    // The overview says how many wait.
    let (_, html) = app.get_html(&admin, &format!("{ORG}/")).await;
    assert!(
        text_of(&html, ".queue-line").contains("2 changes queued, the last runs in about"),
        "{html}"
    );
}

#[tokio::test]
async fn after_a_restart_a_change_left_running_is_abandoned_and_a_queued_one_runs_once() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings::for_data_dir(data_dir.path(), "127.0.0.1:0".parse().expect("addr"));
    let demo = teampanel::demo::prepare_with(settings.clone(), |c| {
        c.speed = 50.0;
        c.rate_limit = 100_000;
    })
    .await
    .expect("the demo starts");
    let handle = demo.app.server_handle();
    let first = TestApp {
        address: format!("http://127.0.0.1:{}", demo.app.port()),
        admin_email: teampanel::demo::ADMIN_EMAIL.to_owned(),
        admin_password: demo.password.clone(),
        simulator: Some(demo.simulator),
        sim_token: demo.token.clone(),
        e2e_simulator: Some(demo.e2e_simulator),
        e2e_token: demo.e2e_token.clone(),
        state: demo.app.state(),
        settings: settings.clone(),
        data_dir,
    };
    let served = tokio::spawn(demo.app.run_until_stopped());

    let admin = first.admin().await;
    let (on_id, _) = seeded(&first, "POWERED_ON");
    let renamed = first
        .sim_items("servers")
        .iter()
        .find(|s| s["id"] != on_id.as_str())
        .and_then(|s| s["id"].as_str().map(str::to_owned))
        .expect("a second server");
    spend_budget(&first);
    assert_eq!(
        rename(&first, &admin, &renamed, "after-restart")
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        power_off(&first, &admin, &on_id).await.status().as_u16(),
        303
    );
    let rows = queue_rows(&first).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.state == "queued"), "{rows:?}");
    // The panel dies while sending the power-off: it is left `running`.
    sqlx::query("UPDATE change_queue SET state = 'running', started_at = ? WHERE id = ?")
        .bind(teampanel::audit::now_text())
        .bind(rows[1].id)
        .execute(first.state.raw_db())
        .await
        .unwrap();

    handle.stop(true).await;
    served
        .await
        .expect("the first panel stops")
        .expect("cleanly");
    refill_budget(&first);

    // The same data dir (and master key), the same simulator.
    let mut again = settings.clone();
    again
        .allowed_base_urls
        .push(first.simulator.as_ref().unwrap().base_url.clone());
    let app = teampanel::startup::Application::build(again)
        .await
        .expect("the panel starts again");
    tokio::spawn(app.run_until_stopped());

    eventually(
        "the queued rename runs",
        Duration::from_secs(20),
        || async { queue_rows(&first).await[0].state == "succeeded" },
    )
    .await;
    let rows = queue_rows(&first).await;
    assert_eq!(rows[1].state, "abandoned", "{rows:?}");
    assert_eq!(
        sim_server(&first, &renamed).unwrap()["name"],
        "after-restart"
    );
    assert_eq!(
        outcomes(&first, &rows[0].correlation_id).await,
        ["requested", "queued", "succeeded"]
    );
    assert_eq!(
        outcomes(&first, &rows[1].correlation_id).await,
        ["requested", "queued", "abandoned"]
    );
    let error: String = sqlx::query_scalar(
        "SELECT error FROM audit_events WHERE correlation_id = ? AND outcome = 'abandoned'",
    )
    .bind(&rows[1].correlation_id)
    .fetch_one(first.state.raw_db())
    .await
    .unwrap();
    assert!(error.contains("it was not sent again"), "{error}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sim_state(&first, &on_id), "POWERED_ON", "never sent");
    assert_eq!(
        outcomes(&first, &rows[0].correlation_id).await.len(),
        3,
        "sent once"
    );
}
