//! The E2E Networks client against its simulator: the envelope, the budget
//! read from `RateLimit-*`, idempotent deletes, errors in the API's words,
//! and changes refused before anything is sent when the client was not
//! granted their permission.

use serde_json::Value;
use teampanel::cloudpanel::e2e::{Access, BillingChoice, NewNode, NodeAction};
use teampanel::cloudpanel::{AccountClient, AccountKey, ClientSettings, CloudError, CloudPanel};
use teampanel::simulator::e2e::{E2eSimConfig, RunningE2eSimulator, spawn_e2e};

const TOKEN: &str = "e2e-bearer-token-0001";
const KEY: &str = "e2e-api-key-0001";

async fn sim(rate_limit: u32) -> RunningE2eSimulator {
    let mut config = E2eSimConfig::demo(vec![(TOKEN.into(), KEY.into())]);
    config.speed = 100.0;
    config.rate_limit = rate_limit;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    spawn_e2e(config, listener).await.unwrap()
}

fn access(key: &str) -> Access {
    Access {
        api_key: key.into(),
        project_id: "10101".into(),
        location: "Delhi".into(),
    }
}

fn client(sim: &RunningE2eSimulator) -> AccountClient {
    let settings = ClientSettings {
        cache_ttl: std::time::Duration::ZERO,
        ..ClientSettings::default()
    };
    let panel = CloudPanel::new(settings).unwrap();
    panel.account(AccountKey::e2e(
        41,
        sim.base_url.clone(),
        TOKEN,
        access(KEY),
    ))
}

fn nodes(sim: &RunningE2eSimulator) -> Vec<Value> {
    sim.snapshot(TOKEN).unwrap()["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

fn node_named(sim: &RunningE2eSimulator, name: &str) -> Option<Value> {
    nodes(sim).into_iter().find(|n| n["name"] == name)
}

fn saved_images(sim: &RunningE2eSimulator) -> Vec<Value> {
    sim.snapshot(TOKEN).unwrap()["saved_images"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (in real time, the simulator runs fast) until `node` is `status`.
async fn settles(sim: &RunningE2eSimulator, name: &str, status: &str) {
    for _ in 0..100 {
        if node_named(sim, name).is_some_and(|n| n["status"] == status) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{name} never became {status}: {:?}", node_named(sim, name));
}

#[tokio::test]
async fn reads_come_through_the_envelope() {
    let sim = sim(5000).await;
    let c = client(&sim);
    let listed = c.list_nodes().await.unwrap();
    let names: Vec<&str> = listed.value.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"web-1") && names.contains(&"build-box"));
    let one = c.get_node(&listed.value[0].id).await.unwrap();
    assert_eq!(one.value.name, listed.value[0].name);
    let choices = c.image_choices().await.unwrap().value;
    let ubuntu = choices
        .iter()
        .find(|c| c.label() == "Ubuntu 22.04")
        .expect("Ubuntu 22.04 among the images");
    let plans = c.plans(ubuntu).await.unwrap().value;
    assert!(
        plans
            .iter()
            .any(|p| p.name == "C2.12GB" && p.specs.cpu == 4)
    );
    assert!(plans.iter().any(|p| !p.committed_sku.is_empty()));
    let images = c.list_saved_images().await.unwrap().value;
    assert!(
        images
            .iter()
            .any(|i| i.name == "web-golden" && i.is_ready())
    );
    // A page of one.
    let page = c.list_nodes_page(2, 1).await.unwrap();
    assert_eq!(page.value.len(), 1);
}

#[tokio::test]
async fn every_change_reaches_the_simulator() {
    let sim = sim(5000).await;
    let c = client(&sim);
    let id_of = |name: &str| {
        node_named(&sim, name).unwrap()["id"]
            .as_i64()
            .map(|i| i.to_string())
            .unwrap()
    };
    let web = id_of("web-1");
    c.node_action(&web, NodeAction::PowerOff, None)
        .await
        .unwrap();
    settles(&sim, "web-1", "Powered off").await;
    c.node_action(&web, NodeAction::PowerOn, None)
        .await
        .unwrap();
    settles(&sim, "web-1", "Running").await;
    c.node_action(&web, NodeAction::Rename, Some("web-one"))
        .await
        .unwrap();
    assert!(node_named(&sim, "web-one").is_some());

    let build = id_of("build-box");
    c.node_action(&build, NodeAction::SaveImages, Some("build-golden"))
        .await
        .unwrap();
    let saved = saved_images(&sim)
        .into_iter()
        .find(|i| i["name"] == "build-golden")
        .expect("the saved image");
    let image_id = saved["image_id"].as_str().unwrap().to_owned();
    c.rename_saved_image(&image_id, "build-base").await.unwrap();
    assert!(saved_images(&sim).iter().any(|i| i["name"] == "build-base"));
    // Ready before it can go.
    for _ in 0..100 {
        if saved_images(&sim)
            .iter()
            .any(|i| i["name"] == "build-base" && i["image_state"] == "Ready")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    c.delete_saved_image(&image_id).await.unwrap();
    assert!(!saved_images(&sim).iter().any(|i| i["name"] == "build-base"));
    // Gone already: the end state asked for.
    c.delete_saved_image(&image_id).await.unwrap();

    let db = node_named(&sim, "db-1").unwrap();
    let sku = db["committed_sku_id"].as_i64().expect("db-1 is committed");
    c.update_committed_node(
        db["id"].as_i64().unwrap(),
        BillingChoice::HourlyBilling,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        node_named(&sim, "db-1").unwrap()["billing_type"],
        "hourly_billing"
    );
    c.update_committed_node(
        db["id"].as_i64().unwrap(),
        BillingChoice::AutoRenew,
        Some(sku),
    )
    .await
    .unwrap();
    assert_eq!(
        node_named(&sim, "db-1").unwrap()["billing_type"],
        "auto_renew"
    );

    let ubuntu = c
        .image_choices()
        .await
        .unwrap()
        .value
        .into_iter()
        .find(|c| c.label() == "Ubuntu 22.04")
        .unwrap();
    let plan = c.plans(&ubuntu).await.unwrap().value.remove(0);
    let created = c
        .create_node(&NewNode {
            name: "api-1".into(),
            region: "ncr".into(),
            plan: plan.plan.clone(),
            image: plan.image.clone(),
            ssh_keys: Vec::new(),
            backups: false,
            is_saved_image: false,
            saved_image_template_id: None,
            number_of_instances: 1,
        })
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert!(node_named(&sim, "api-1").is_some());

    c.delete_node(&build).await.unwrap();
    assert!(node_named(&sim, "build-box").is_none());
    // Deleting it again is done, not an error: E2E's deletes are idempotent.
    c.delete_node(&build).await.unwrap();
}

#[tokio::test]
async fn the_budget_follows_the_rate_limit_headers() {
    let sim = sim(40).await;
    let c = client(&sim);
    c.list_nodes().await.unwrap();
    let budget = c.budget();
    assert!(budget.from_headers);
    assert_eq!(budget.limit, 40);
    assert_eq!(budget.remaining, 39);
    // The oldest request frees an hour after it was made.
    assert!(budget.resets_in.as_secs() > 3500, "{budget:?}");
}

#[tokio::test]
async fn a_change_outside_the_grant_is_refused_unsent() {
    let sim = sim(5000).await;
    let power = client(&sim).granted("e2e_nodes.power");
    let build = node_named(&sim, "build-box").unwrap()["id"].to_string();
    let before = sim.snapshot(TOKEN).unwrap();
    for refused in [
        power
            .node_action(&build, NodeAction::Rename, Some("x-1"))
            .await,
        power
            .node_action(&build, NodeAction::SaveImages, Some("img"))
            .await,
        power.delete_node(&build).await,
    ] {
        match refused {
            Err(CloudError::NotGranted { needed }) => {
                assert!(!needed.contains("power"), "{needed}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        sim.snapshot(TOKEN).unwrap(),
        before,
        "nothing reached the API"
    );
    power
        .node_action(&build, NodeAction::PowerOn, None)
        .await
        .unwrap();
    settles(&sim, "build-box", "Running").await;
}

#[tokio::test]
async fn refusals_keep_the_api_s_words() {
    let sim = sim(5000).await;
    let c = client(&sim);
    let web = node_named(&sim, "web-1").unwrap()["id"].to_string();
    let e = c
        .node_action(&web, NodeAction::PowerOn, None)
        .await
        .unwrap_err();
    let said = e.user_message_for("E2E Networks");
    assert!(
        said.starts_with("E2E Networks rejected the request: "),
        "{said}"
    );
    assert!(
        matches!(e, CloudError::Rejected { status: 400, .. }),
        "{e:?}"
    );
    let missing = c.get_node("999999999").await.unwrap_err();
    assert!(
        matches!(missing, CloudError::NotFound { .. }),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_at_the_check() {
    let sim = sim(5000).await;
    let panel = CloudPanel::new(ClientSettings::default()).unwrap();
    let wrong = panel
        .verify_e2e(&sim.base_url, &TOKEN.into(), access("not-the-key-0000"))
        .await;
    assert_eq!(wrong, Err(CloudError::Unauthorized));
    panel
        .verify_e2e(&sim.base_url, &TOKEN.into(), access(KEY))
        .await
        .unwrap();
}
