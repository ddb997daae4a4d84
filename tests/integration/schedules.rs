//! Schedules: a bulk action at set times in the organisation's time zone,
//! run as its author with their permissions checked at each run. The
//! sweep the worker makes at start-up and every few seconds is called here
//! with the clock where a test needs it: a run within the grace period
//! after downtime runs once, an older one is recorded as missed; a run
//! does not start over the previous one; an author who lost the
//! permission pauses the schedule, with why.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use teampanel::tenant::ScheduleDue;

use crate::helpers::{TestApp, location, spawn_demo_configured, text_of};
use crate::queue::spend_budget;
use crate::scopes::admin_member;
use crate::servers::{sim_servers, sim_state};

const GRACE: i64 = 30 * 60;

async fn spawn_fast() -> TestApp {
    spawn_demo_configured(
        |s| {
            s.upstream_rate_window = Duration::from_secs(60);
            // The tests sweep by hand, with the clock they need.
            s.schedule_sweep_every = Duration::from_secs(3600);
        },
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
            c.rate_window = Duration::from_secs(60);
        },
    )
    .await
}

/// Makes a schedule through its form: power off every running server,
/// every day at 20:00.
async fn make(app: &TestApp, client: &reqwest::Client, name: &str) -> (i64, String) {
    make_at(app, client, name, "20:00").await
}

/// Makes a schedule through its form: power off every running server,
/// every day at `time`.
async fn make_at(app: &TestApp, client: &reqwest::Client, name: &str, time: &str) -> (i64, String) {
    let mut fields = vec![
        ("name", name),
        ("action", "power_off"),
        ("state", "POWERED_ON"),
        ("time", time),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        fields.push(("days", day));
    }
    let made = app.post_form(client, "/o/demo/schedules", &fields).await;
    assert_eq!(made.status().as_u16(), 303, "the schedule is made");
    let page = location(&made);
    let id = page.rsplit('/').next().unwrap().parse().unwrap();
    (id, page)
}

/// The schedule's next run moved to `at` (as if its time came, or the
/// panel was down since).
async fn due_at(app: &TestApp, id: i64, at: i64) {
    sqlx::query("UPDATE schedules SET next_run_at = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(app.state.raw_db())
        .await
        .unwrap();
}

async fn runs(app: &TestApp, id: i64) -> Vec<(String, String)> {
    sqlx::query_as("SELECT outcome, note FROM schedule_runs WHERE schedule_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(app.state.raw_db())
        .await
        .unwrap()
}

fn now() -> i64 {
    teampanel::db::now_unix()
}

/// The servers the schedules' bulk runs took.
async fn taken(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT target_id FROM bulk_items WHERE skipped IS NULL ORDER BY id")
        .fetch_all(app.state.raw_db())
        .await
        .unwrap()
}

fn running(app: &TestApp) -> Vec<String> {
    sim_servers(app)
        .into_iter()
        .filter(|s| s["status"]["state"] == "POWERED_ON")
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_schedule_runs_as_its_author_in_the_organisations_zone_and_shows_its_runs() {
    // Arrange
    let app = spawn_fast().await;
    let owner = app.admin().await;
    let zone = app
        .post_form(
            &owner,
            "/o/demo/schedules/time_zone",
            &[("time_zone", "Europe/Berlin")],
        )
        .await;
    let (id, page) = make(&app, &owner, "Nightly stop").await;
    let next_planned: i64 = sqlx::query_scalar("SELECT next_run_at FROM schedules WHERE id = ?")
        .bind(id)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();

    // Act: its time comes.
    due_at(&app, id, now() - 5).await;
    let swept = app
        .state
        .door
        .run_due_schedules(now(), GRACE)
        .await
        .unwrap();
    let again = app
        .state
        .door
        .run_due_schedules(now(), GRACE)
        .await
        .unwrap();
    let targets = taken(&app).await;
    for _ in 0..400 {
        if targets.iter().all(|t| sim_state(&app, t) != "POWERED_ON") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, html) = app.get_html(&owner, &page).await;

    // Assert: 20:00 in Berlin is 19:00 UTC in winter.
    assert_eq!(zone.status().as_u16(), 303);
    let planned = chrono::DateTime::from_timestamp(next_planned, 0).unwrap();
    assert_eq!(planned.format("%M").to_string(), "00");
    assert!(
        ["18", "19"].contains(&planned.format("%H").to_string().as_str()),
        "{planned}"
    );
    assert!(
        matches!(swept.as_slice(), [ScheduleDue::Ran { .. }]),
        "{swept:?}"
    );
    assert!(again.is_empty(), "a run starts once");
    for t in &targets {
        assert_ne!(sim_state(&app, t), "POWERED_ON", "{t} was stopped");
    }
    let recorded = runs(&app, id).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].0, "ran");
    assert!(text_of(&html, "#schedule-runs").contains("ran"));
    assert!(text_of(&html, "#schedule-facts").contains("Every day at 20:00 (Europe/Berlin)"));
    // The changes are the author's, named with the schedule.
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT actor_label FROM audit_events WHERE action = 'server.power_off'",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(
        actors,
        [format!(
            "{} (schedule “Nightly stop”)",
            teampanel::demo::ADMIN_EMAIL
        )]
    );
    let steps: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, outcome FROM audit_events WHERE action LIKE 'schedule.%' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    let steps: Vec<(&str, &str)> = steps
        .iter()
        .map(|(a, o)| (a.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("schedule.create", "succeeded"),
            ("schedule.run", "requested"),
            ("schedule.run", "succeeded")
        ]
    );
}

#[tokio::test]
async fn after_downtime_a_run_within_the_grace_period_runs_once_and_an_older_one_is_missed() {
    // Arrange: two schedules whose times passed while the panel was down.
    // Their daily time is half a day away (in UTC, the organisation's
    // zone), so no daily time of theirs falls in the downtime as well.
    let app = spawn_fast().await;
    let owner = app.admin().await;
    let away = chrono::Utc::now() + chrono::Duration::hours(12);
    let time = away.format("%H:%M").to_string();
    let (recent, _) = make_at(&app, &owner, "Recent", &time).await;
    let (old, old_page) = make_at(&app, &owner, "Old", &time).await;
    due_at(&app, recent, now() - 10 * 60).await;
    due_at(&app, old, now() - 3 * 3600).await;

    // Act: the sweep at start-up.
    let swept = app
        .state
        .door
        .run_due_schedules(now(), GRACE)
        .await
        .unwrap();
    let (_, html) = app.get_html(&owner, &old_page).await;

    // Assert
    assert_eq!(swept.len(), 2, "{swept:?}");
    assert!(swept.iter().any(|d| matches!(d, ScheduleDue::Ran { .. })));
    assert!(swept.contains(&ScheduleDue::Missed(1)), "{swept:?}");
    assert_eq!(runs(&app, recent).await[0].0, "ran");
    let missed = runs(&app, old).await;
    assert_eq!(missed.len(), 1);
    assert_eq!(
        missed[0],
        ("missed".into(), "the panel was not running".into())
    );
    assert!(text_of(&html, "#schedule-runs").contains("missed"));
    let next: i64 = sqlx::query_scalar("SELECT next_run_at FROM schedules WHERE id = ?")
        .bind(old)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert!(next > now(), "the next run is ahead");
    let event: Option<String> = sqlx::query_scalar(
        "SELECT error FROM audit_events WHERE action = 'schedule.missed' AND target_id = ?",
    )
    .bind(old.to_string())
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert!(event.is_some_and(|e| e.contains("not running")));
}

#[tokio::test]
async fn a_schedule_pauses_with_why_when_its_author_loses_the_permission() {
    // Arrange: Alex, an Admin, makes a schedule, then becomes a Viewer.
    let app = spawn_fast().await;
    let (alex_id, alex) = admin_member(&app, "alex@example.org").await;
    let (id, page) = make(&app, &alex, "Alex's stop").await;
    sqlx::query(
        "UPDATE memberships SET role_id = (SELECT id FROM roles WHERE builtin = 'viewer'
             AND org_id = memberships.org_id) WHERE user_id = ?",
    )
    .bind(alex_id)
    .execute(app.state.raw_db())
    .await
    .unwrap();
    let targets = running(&app);

    // Act
    due_at(&app, id, now() - 5).await;
    let swept = app
        .state
        .door
        .run_due_schedules(now(), GRACE)
        .await
        .unwrap();
    let owner = app.admin().await;
    let (_, html) = app.get_html(&owner, &page).await;

    // Assert: paused, nothing sent, and the page says why.
    assert!(
        matches!(swept.as_slice(), [ScheduleDue::Paused(why)] if why.contains("no longer has servers.shutdown")),
        "{swept:?}"
    );
    for t in &targets {
        assert_eq!(sim_state(&app, t), "POWERED_ON");
    }
    let state = text_of(&html, "#schedule-state");
    assert!(state.contains("paused"), "{state}");
    assert!(state.contains("no longer has servers.shutdown"), "{state}");
    assert_eq!(runs(&app, id).await[0].0, "paused");
    let pause: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'schedule.pause'")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(pause, 1);
    // A paused schedule is not due any more.
    due_at(&app, id, now() - 5).await;
    assert!(
        app.state
            .door
            .run_due_schedules(now(), GRACE)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_run_does_not_start_while_the_previous_one_still_waits() {
    // Arrange: the budget is spent, so the first run's changes wait.
    let app = spawn_fast().await;
    let owner = app.admin().await;
    let _ = app.get_html(&owner, "/o/demo/servers").await;
    let (id, _) = make(&app, &owner, "Overlap").await;
    spend_budget(&app);
    due_at(&app, id, now() - 5).await;
    let first = app
        .state
        .door
        .run_due_schedules(now(), GRACE)
        .await
        .unwrap();

    // Act: its next time comes while they still wait.
    due_at(&app, id, now() - 5).await;
    let second = app
        .state
        .door
        .run_due_schedules(now(), GRACE)
        .await
        .unwrap();

    // Assert
    assert!(
        matches!(first.as_slice(), [ScheduleDue::Ran { .. }]),
        "{first:?}"
    );
    assert_eq!(second, [ScheduleDue::Skipped]);
    let recorded = runs(&app, id).await;
    assert_eq!(recorded[1].0, "skipped");
    assert!(recorded[1].1.contains("still has changes waiting"));
    // Waiting, as the queue counts it: the worker may be trying one (and
    // meeting the spent budget) at this very moment.
    let queued: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM change_queue WHERE state IN ('queued', 'running')",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(
        queued,
        i64::try_from(taken(&app).await.len()).unwrap(),
        "one run's changes, not two"
    );
}
