//! The client tied to the check: an account opened through the door for
//! one permission sends only the changes that permission covers. Every
//! change of every family, sent through an account opened only to look at
//! that family, is refused before anything happens: no request, no budget,
//! no change in the simulator. The permission that covers a change sends it.
//! And the client's endpoint table is the reference list, row for row.

use std::time::Duration;

use serde_json::{Value, json};
use teampanel::audit::{AuditCtx, NewEvent, Outcome};
use teampanel::cloudpanel::endpoints::{self, ENDPOINTS, Endpoint};
use teampanel::cloudpanel::{CloudError, RawWrite};
use teampanel::rbac::Permission;
use teampanel::tenant::{Actor, CloudAccount, Enqueued};

use crate::helpers::{TestApp, spawn_demo, spawn_demo_with};
use crate::servers::{seeded, sim_state, wait_for_state};

/// Signs in a new member of the demo organisation whose role holds only
/// `flag`, and opens the demo's cloud account for them the way a page does:
/// the permission check at the door, then the account through the handle.
async fn opened_for(app: &TestApp, flag: &str) -> CloudAccount {
    let email = format!("{}@example.org", flag.replace(['.', '_'], "-"));
    app.member_with(&email, &[flag]).await;
    let user = teampanel::db::users::by_email(app.state.raw_db(), &email)
        .await
        .unwrap()
        .expect("the member");
    let door = &app.state.door;
    let member = door
        .membership("demo", user.id)
        .await
        .unwrap()
        .expect("a member of the demo organisation");
    let actor = Actor::new(None, move || AuditCtx {
        actor_id: Some(user.id),
        actor_label: email.clone(),
        ..AuditCtx::default()
    });
    let permission = Permission::parse(flag).expect("a permission");
    let tenant = door
        .require(&member, &actor, permission, || json!({}))
        .await
        .expect("the member's role holds the flag");
    tenant.cloud(None).await.expect("the demo's account opens")
}

/// Where the simulator's state holds a real id for a path's placeholder:
/// the collection and the pointer into one of its objects.
fn source_of(placeholder: &str) -> Option<(&'static str, &'static str)> {
    Some(match placeholder {
        "server_id" => ("servers", "/id"),
        "image_id" => ("images", "/id"),
        "block_storage_id" => ("block_storages", "/id"),
        "shared_storage_id" => ("shared_storages", "/id"),
        "firewall_id" => ("firewall_policies", "/id"),
        "load_balancer_id" => ("load_balancers", "/id"),
        "ip_id" => ("public_ips", "/id"),
        "private_network_id" => ("private_networks", "/id"),
        "vpn_id" => ("vpns", "/id"),
        "monitoring_policy_id" => ("monitoring_policies", "/id"),
        "ssh_key_id" => ("ssh_keys", "/id"),
        "user_id" => ("users", "/id"),
        "role_id" => ("roles", "/id"),
        "hdd_id" => ("servers", "/hardware/hdds/0/id"),
        "snapshot_id" => ("servers", "/snapshot/id"),
        "rule_id" => ("firewall_policies", "/rules/0/id"),
        "server_ip" => ("firewall_policies", "/server_ips/0/id"),
        "port_id" => ("monitoring_policies", "/ports/0/id"),
        "process_id" => ("monitoring_policies", "/processes/0/id"),
        _ => return None,
    })
}

/// A real id of the simulator's state for a placeholder (`{server_id}`);
/// an id-shaped stand-in where the demo holds none (an allowed API IP).
fn id_for(app: &TestApp, placeholder: &str) -> String {
    source_of(placeholder)
        .and_then(|(collection, pointer)| {
            app.sim_items(collection)
                .iter()
                .find_map(|item| item.pointer(pointer)?.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| "0123456789ABCDEF0123456789ABCDEF".to_owned())
}

/// The endpoint's path with every placeholder filled with a real id.
fn filled(app: &TestApp, endpoint: &Endpoint) -> String {
    endpoint
        .path
        .split('/')
        .map(|segment| match segment.strip_prefix('{') {
            Some(name) => id_for(app, name.trim_end_matches('}')),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The endpoint as the queue would send it.
fn raw(app: &TestApp, endpoint: &Endpoint) -> RawWrite {
    RawWrite {
        method: endpoint.method.to_owned(),
        path: filled(app, endpoint),
        query: Vec::new(),
        body: (endpoint.method != "DELETE").then(|| json!({})),
    }
}

/// Every family with changes, and the flag of its list: what a member who
/// may only look at it holds.
fn families_with_changes() -> Vec<(&'static str, &'static str)> {
    let mut families: Vec<(&str, &str)> = Vec::new();
    for e in ENDPOINTS.iter().filter(|e| !e.is_read()) {
        if families.iter().any(|(family, _)| *family == e.family) {
            continue;
        }
        let show = endpoints::find("GET", &format!("/{}", e.family))
            .and_then(|list| list.flags.first().copied())
            .unwrap_or_else(|| panic!("the family {} has a list with a flag", e.family));
        families.push((e.family, show));
    }
    families
}

/// The simulator's whole state of the demo account, its log included.
fn sim_state_of_all(app: &TestApp) -> Value {
    app.simulator
        .as_ref()
        .expect("a simulator")
        .snapshot(&app.sim_token)
        .expect("the demo account")
}

#[tokio::test]
async fn an_account_opened_to_look_sends_no_change_of_any_family() {
    // Simulated time all but stands still: the seed's server being deployed
    // stays as it is, so any difference in the state is a change sent.
    let app = spawn_demo_with(|c| {
        c.speed = 0.001;
        c.rate_limit = 100_000;
    })
    .await;
    let families = families_with_changes();
    assert!(families.len() >= 13, "{families:?}");
    let state_before = sim_state_of_all(&app);
    let mut refused = 0;

    for (family, show) in families {
        let account = opened_for(&app, show).await;
        for endpoint in ENDPOINTS
            .iter()
            .filter(|e| e.family == family && !e.is_read())
        {
            let request = raw(&app, endpoint);
            let calls = app.state.cloud.counters().upstream_calls;
            let budget = account.client.budget().remaining;

            let answer = account.client.send_raw(&request).await;

            let what = format!("{} {} under {show}", request.method, request.path);
            match answer {
                Err(CloudError::NotGranted { needed }) => {
                    assert_eq!(needed, endpoint.flags.join(", "), "{what}");
                }
                other => panic!("{what}: {other:?}"),
            }
            assert_eq!(
                app.state.cloud.counters().upstream_calls,
                calls,
                "{what}: nothing went upstream"
            );
            assert!(
                account.client.budget().remaining >= budget,
                "{what}: no budget taken"
            );
            refused += 1;
        }
    }

    assert_eq!(refused, ENDPOINTS.iter().filter(|e| !e.is_read()).count());
    assert_eq!(
        sim_state_of_all(&app),
        state_before,
        "the simulator's state did not change"
    );
}

#[tokio::test]
async fn the_permission_that_covers_a_change_sends_it_and_no_other() {
    let app = spawn_demo().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    let account = opened_for(&app, "servers.shutdown").await;
    let client = &account.client;
    let calls = app.state.cloud.counters().upstream_calls;

    // Another change of the same server: refused, the flags that would do named.
    let rename = RawWrite {
        method: "PUT".into(),
        path: format!("/servers/{id}"),
        query: Vec::new(),
        body: Some(json!({ "name": "renamed" })),
    };
    assert_eq!(
        client.send_raw(&rename).await,
        Err(CloudError::NotGranted {
            needed: "servers.set_name, servers.set_description".into()
        })
    );
    // The typed calls take the same path.
    assert!(matches!(
        client.delete_server(&id, false).await,
        Err(CloudError::NotGranted { .. })
    ));
    // A request that is not one of the API's: refused whatever the grant.
    let unknown = RawWrite {
        method: "PUT".into(),
        path: format!("/servers/{id}/status/explode"),
        query: Vec::new(),
        body: Some(json!({})),
    };
    assert_eq!(
        client.send_raw(&unknown).await,
        Err(CloudError::NotGranted {
            needed: String::new()
        })
    );
    assert_eq!(app.state.cloud.counters().upstream_calls, calls);
    assert_eq!(sim_state(&app, &id), "POWERED_ON");

    // The power-off: sent, once, and the server goes off.
    let power_off = RawWrite {
        method: "PUT".into(),
        path: format!("/servers/{id}/status/action"),
        query: Vec::new(),
        body: Some(json!({ "action": "POWER_OFF", "method": "SOFTWARE" })),
    };
    let answer = client.send_raw(&power_off).await;
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(app.state.cloud.counters().upstream_calls, calls + 1);
    wait_for_state(&app, &id, "POWERED_OFF").await;
}

#[tokio::test]
async fn a_queued_change_its_permission_does_not_cover_fails_unsent_when_it_runs() {
    let app = spawn_demo().await;
    let (id, name) = seeded(&app, "POWERED_ON");
    // Queued under a flag that does not cover it: the worker opens the
    // account for the recorded flag and the client refuses the change.
    let account = opened_for(&app, "servers.show").await;
    let pending = account
        .request(
            NewEvent::new("server.power_off", Outcome::Requested)
                .target("server", &id, &name)
                .details(json!({ "action": "POWER_OFF" })),
        )
        .await
        .unwrap();
    let power_off = RawWrite {
        method: "PUT".into(),
        path: format!("/servers/{id}/status/action"),
        query: Vec::new(),
        body: Some(json!({ "action": "POWER_OFF", "method": "SOFTWARE" })),
    };
    let queued = account.enqueue(pending, power_off).await.unwrap();
    let Enqueued::Queued { id: queue_id, .. } = queued else {
        panic!("queued: {queued:?}");
    };

    let mut finished = None;
    for _ in 0..100 {
        let row: (String, Option<String>, Option<i64>) =
            sqlx::query_as("SELECT state, error, upstream_status FROM change_queue WHERE id = ?")
                .bind(queue_id)
                .fetch_one(app.state.raw_db())
                .await
                .unwrap();
        if row.0 != "queued" && row.0 != "running" {
            finished = Some(row);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (state, error, status) = finished.expect("the worker ran the change");
    assert_eq!(state, "failed");
    let error = error.unwrap_or_default();
    assert!(error.contains("“servers.shutdown”"), "{error}");
    assert!(error.contains("nothing was sent"), "{error}");
    assert_eq!(status, Some(403));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sim_state(&app, &id), "POWERED_ON", "nothing was sent");
}

#[test]
fn the_client_table_is_the_reference_list_row_for_row() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/endpoints.tsv");
    let reference = std::fs::read_to_string(path).unwrap();
    let listed: Vec<(&str, &str)> = reference
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            (
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
            )
        })
        .collect();
    let table: Vec<(&str, &str)> = ENDPOINTS.iter().map(|e| (e.method, e.path)).collect();
    for row in &listed {
        assert!(table.contains(row), "{row:?} is missing from ENDPOINTS");
    }
    for row in &table {
        assert!(listed.contains(row), "{row:?} is not in endpoints.tsv");
    }
    assert_eq!(table, listed, "the same rows in the same order");
}
