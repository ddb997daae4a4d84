//! Scoped roles: an Owner limits a member's role to names starting with a
//! prefix, to a datacenter, or to one cloud account. Every cloud page, form
//! and change of that member then reaches only what is inside: lists drop
//! the rest, and an address of an object outside answers 404 as another
//! organisation's would, with a `denied` event, and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use serde_json::Value;

use crate::api_tokens::{api, make_token};
use crate::block_storages::{attr, options};
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::servers::{account_query, post};

const MEMBERS: &str = "/o/demo/members";
const PASSWORD: &str = "member password 1";

/// A member holding the built-in Admin role (every cloud permission), signed in.
pub(crate) async fn admin_member(app: &TestApp, email: &str) -> (i64, reqwest::Client) {
    let db = app.state.raw_db();
    let org = teampanel::db::orgs::by_slug(db, "demo")
        .await
        .unwrap()
        .unwrap();
    let role: i64 =
        sqlx::query_scalar("SELECT id FROM roles WHERE org_id = ? AND builtin = 'admin'")
            .bind(org.id)
            .fetch_one(db)
            .await
            .unwrap();
    let user = app.create_user(email, "Scoped", false, PASSWORD).await;
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(user)
        .bind(org.id)
        .bind(role)
        .execute(db)
        .await
        .unwrap();
    (user, app.signed_in(email, PASSWORD).await)
}

/// The Owner sets a member's scope through the members page.
pub(crate) async fn set_scope(
    app: &TestApp,
    owner: &reqwest::Client,
    user: i64,
    fields: &[(&str, &str)],
) {
    let response = app
        .post_form(owner, &format!("{MEMBERS}/{user}/scope"), fields)
        .await;
    assert_eq!(response.status().as_u16(), 303);
}

fn names(app: &TestApp, collection: &str) -> Vec<(String, String)> {
    app.sim_items(collection)
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default().to_owned(),
                i["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn denied_scope_events(app: &TestApp, user: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'scope' AND outcome = 'denied' AND actor_id = ?",
    )
    .bind(user)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap()
}

/// The simulator's collection of a page family's word, when it is one of
/// the Cloud Panel's.
fn collection_of(word: &str) -> Option<&'static str> {
    Some(match word {
        "servers" | "monitoring" => "servers",
        "block_storages" => "block_storages",
        "shared_storages" => "shared_storages",
        "images" => "images",
        "ssh_keys" => "ssh_keys",
        "public_ips" => "public_ips",
        "private_networks" => "private_networks",
        "vpns" => "vpns",
        "firewall_policies" => "firewall_policies",
        "load_balancers" => "load_balancers",
        "monitoring_policies" => "monitoring_policies",
        "cloud_users" => "users",
        "cloud_roles" => "roles",
        _ => return None,
    })
}

/// What the walk's forms would change of the objects if they got through:
/// their names and descriptions, and which exist (the simulator moves
/// their states along by itself).
fn what_members_change(app: &TestApp) -> Vec<(String, String, String)> {
    [
        "servers",
        "block_storages",
        "firewall_policies",
        "vpns",
        "users",
        "roles",
    ]
    .iter()
    .flat_map(|c| app.sim_items(c))
    .map(|i| {
        let text = |k: &str| i[k].as_str().unwrap_or_default().to_owned();
        (text("id"), text("name"), text("description"))
    })
    .collect()
}

/// Every organisation route of a Cloud Panel family that names one object
/// (`{id}`), filled with an object outside the scope (`outside` picks it);
/// each answers 404, shows nothing of the object, and changes nothing.
async fn walk_outside(
    app: &TestApp,
    member: &reqwest::Client,
    outside: impl Fn(&str, &Value) -> bool,
) -> usize {
    let account = account_query(app).await;
    let token = app.csrf(member).await;
    let before = what_members_change(app);
    let mut walked = 0;
    let mut early = Vec::new();
    for (method, pattern) in teampanel::web::org::org_routes() {
        let Some(rest) = pattern.strip_prefix("/o/{slug}/") else {
            continue;
        };
        let word = rest.split('/').next().unwrap_or_default();
        let (Some(collection), true) = (collection_of(word), rest.contains("{id}")) else {
            continue;
        };
        let Some(item) = app
            .sim_items(collection)
            .into_iter()
            .find(|i| outside(collection, i))
        else {
            continue;
        };
        let id = item["id"].as_str().unwrap();
        let hidden = item["name"].as_str().unwrap_or(id).to_owned();
        let mut path = pattern.replace("{slug}", "demo").replace("{id}", id);
        while let (Some(start), Some(end)) = (path.find('{'), path.find('}')) {
            path.replace_range(start..=end, "1");
        }
        let url = app.url(&format!("{path}{account}"));
        let form = [
            ("csrf_token", token.as_str()),
            ("name", "web-taken-over"),
            ("confirm_name", hidden.as_str()),
            ("description", "changed"),
        ];
        let response = match method {
            "GET" => member.get(url).send().await.unwrap(),
            _ => member.post(url).form(&form).send().await.unwrap(),
        };
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        // A form the handler refuses before it opens anything (an unknown
        // power action) is refused the same for every address, inside the
        // scope or not: it tells nothing, and changes nothing (below).
        let refused_form = method == "POST" && status == 303;
        if refused_form {
            early.push(path.clone());
        } else {
            assert_eq!(status, 404, "{method} {path} ({hidden}) answered {status}");
        }
        assert!(
            !body.contains(&format!(">{hidden}<")),
            "{method} {path} shows {hidden}"
        );
        walked += 1;
    }
    assert_eq!(
        before,
        what_members_change(app),
        "an object outside the scope was changed"
    );
    assert!(
        early.len() * 10 < walked,
        "refused before the door: {early:?}"
    );
    eprintln!("refused before the door: {early:?}");
    walked
}

#[tokio::test]
async fn an_owner_limits_a_role_to_a_prefix_and_the_members_page_says_so() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (user, _member) = admin_member(&app, "contractor@example.org").await;

    // Act
    set_scope(
        &app,
        &owner,
        user,
        &[("name_prefix", "web-"), ("datacenter", "")],
    )
    .await;
    let (_, page) = app.get_html(&owner, MEMBERS).await;
    let bad = app
        .post_form(
            &owner,
            &format!("{MEMBERS}/{user}/scope"),
            &[("account_id", "999999")],
        )
        .await;
    let (_, refused) = app.get_html(&owner, MEMBERS).await;

    // Assert
    let table = text_of(&page, "main table");
    assert!(table.contains("names starting with “web-”"), "{table}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT scope FROM memberships WHERE user_id = ?")
            .bind(user)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    let stored: Value = serde_json::from_str(&stored.unwrap()).unwrap();
    assert_eq!(stored["name_prefix"], "web-");
    let (outcome, details): (String, String) = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'member.set_scope' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(outcome, "succeeded");
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["scope"]["name_prefix"], "web-");
    assert_eq!(details["role"], "Admin");
    assert_eq!(bad.status().as_u16(), 303);
    assert!(
        refused.contains("Choose one of the organisation"),
        "the refusal is said"
    );
    let (_, roles) = app.get_html(&owner, "/o/demo/roles").await;
    assert!(roles.contains("limit one member's role to a scope"));
}

#[tokio::test]
async fn a_prefix_scope_shows_its_objects_only_and_every_other_address_is_not_found() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    set_scope(&app, &owner, user, &[("name_prefix", "web-")]).await;
    let servers = names(&app, "servers");

    // Act
    let (status, list) = app.get_html(&member, "/o/demo/servers").await;
    let token = make_token(&app, &member, "scoped script", "role").await;
    let (api_status, _, json) = api(&app, "/api/v1/o/demo/servers", Some(&token)).await;
    let walked = walk_outside(&app, &member, |collection, item| {
        let name = item["name"].as_str().unwrap_or_default();
        !name.starts_with("web-") && (collection != "servers" || name == "db-01")
    })
    .await;

    // Assert
    assert_eq!(status, 200);
    let table = text_of(&list, "main table");
    for (_, name) in &servers {
        assert_eq!(
            table.contains(name.as_str()),
            name.starts_with("web-"),
            "{name} in {table}"
        );
    }
    assert_eq!(api_status, 200);
    let listed: Vec<&str> = json["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        !listed.is_empty() && listed.iter().all(|n| n.starts_with("web-")),
        "{listed:?}"
    );
    assert!(walked > 40, "walked {walked} routes");
    assert!(denied_scope_events(&app, user).await > 0);
}

#[tokio::test]
async fn a_creation_outside_the_prefix_is_refused_beside_the_name_and_inside_it_is_made() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    set_scope(&app, &owner, user, &[("name_prefix", "web-")]).await;
    let (_, form) = app.get_html(&member, "/o/demo/block_storages/new").await;
    let datacenter = attr(&form, "#datacenter_id option[selected]", "value").unwrap();
    let create = |name: &'static str| {
        let (app, member, datacenter) = (&app, &member, datacenter.clone());
        async move {
            post(
                app,
                member,
                "/block_storages",
                &[
                    ("name", name),
                    ("description", ""),
                    ("size", "20"),
                    ("datacenter_id", &datacenter),
                    ("server_id", ""),
                ],
            )
            .await
        }
    };

    // Act
    let outside = create("logs").await;
    let outside_status = outside.status().as_u16();
    let outside_page = outside.text().await.unwrap();
    let inside = create("web-logs").await;

    // Assert
    assert_eq!(outside_status, 422, "{outside_page}");
    assert!(
        outside_page.contains("Your role covers only names starting with “web-”."),
        "{outside_page}"
    );
    assert_eq!(inside.status().as_u16(), 303);
    let made = names(&app, "block_storages");
    assert!(made.iter().any(|(_, n)| n == "web-logs"));
    assert!(!made.iter().any(|(_, n)| n == "logs"));
    assert!(denied_scope_events(&app, user).await >= 1);
}

#[tokio::test]
async fn a_datacenter_scope_offers_its_datacenter_only_and_hides_the_rest() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    set_scope(&app, &owner, user, &[("datacenter", "DE")]).await;

    // Act
    let (_, list) = app.get_html(&member, "/o/demo/servers").await;
    let (_, form) = app.get_html(&member, "/o/demo/block_storages/new").await;
    let offered = options(&form, "#datacenter_id");
    let walked = walk_outside(&app, &member, |_, item| {
        item["datacenter"]["country_code"].as_str() != Some("DE")
    })
    .await;
    let created = post(
        &app,
        &member,
        "/block_storages",
        &[
            ("name", "berlin-data"),
            ("description", ""),
            ("size", "20"),
            (
                "datacenter_id",
                &offered
                    .iter()
                    .find(|o| !o.is_empty())
                    .cloned()
                    .unwrap_or_default(),
            ),
            ("server_id", ""),
        ],
    )
    .await;
    let (_, after) = app.get_html(&member, "/o/demo/block_storages").await;

    // Assert
    for (_, name) in names(&app, "servers") {
        assert!(!text_of(&list, "main").contains(&name), "{name} is listed");
    }
    let real: Vec<&String> = offered.iter().filter(|o| !o.is_empty()).collect();
    assert_eq!(
        real,
        vec!["4EFAD5836CE43ACA502FD5B99BEE44EF"],
        "{offered:?}"
    );
    assert!(walked > 40, "walked {walked}");
    assert_eq!(created.status().as_u16(), 303, "{}", location(&created));
    assert!(text_of(&after, "main table").contains("berlin-data"));
}

#[tokio::test]
async fn an_account_scope_hides_the_other_accounts() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    let e2e: i64 =
        sqlx::query_scalar("SELECT id FROM cloud_accounts WHERE provider = 'e2e' LIMIT 1")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    set_scope(&app, &owner, user, &[("account_id", &e2e.to_string())]).await;
    let web = crate::block_storages::server_id(&app, "web-01");
    let account = account_query(&app).await;

    // Act
    let (list_status, list) = app.get_html(&member, "/o/demo/servers").await;
    let (detail_status, _) = app
        .get_html(&member, &format!("/o/demo/servers/{web}{account}"))
        .await;
    let (nodes_status, _) = app.get_html(&member, "/o/demo/e2e_nodes").await;

    // Assert
    assert!(!list.contains("web-01"), "{list_status}");
    assert_eq!(detail_status, 404);
    assert_eq!(nodes_status, 200);
}

#[tokio::test]
async fn a_queued_change_is_checked_against_the_scope_as_it_is_when_it_runs() {
    // Arrange: a member limited to `web-` queues a power-off of web-01
    // while the budget is spent.
    let app = crate::queue::spawn(100, crate::queue::SHORT).await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    set_scope(&app, &owner, user, &[("name_prefix", "web-")]).await;
    let web = crate::block_storages::server_id(&app, "web-01");
    let account = account_query(&app).await;
    // Nothing was read for the account yet: the scope check itself must
    // wait for the budget, and the change with it.
    crate::queue::spend_budget(&app);
    let queued = app
        .post_form(
            &member,
            &format!("/o/demo/servers/{web}/power{account}"),
            &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
        )
        .await;
    assert_eq!(queued.status().as_u16(), 303);

    // Act: the Owner narrows the scope before the budget refills.
    set_scope(&app, &owner, user, &[("name_prefix", "db-")]).await;
    crate::queue::refill_budget(&app);
    let mut outcome = String::new();
    for _ in 0..200 {
        outcome = sqlx::query_scalar("SELECT state FROM change_queue ORDER BY id DESC LIMIT 1")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
        if outcome != "queued" && outcome != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Assert: refused when it ran, and web-01 was never touched.
    assert_ne!(outcome, "succeeded");
    assert_ne!(outcome, "queued");
    let state = app
        .sim_items("servers")
        .into_iter()
        .find(|s| s["id"] == web.as_str())
        .unwrap()["status"]["state"]
        .clone();
    assert_eq!(state, "POWERED_ON");
}

#[tokio::test]
async fn a_prefix_scope_limits_e2e_nodes_too() {
    // Arrange
    let app = spawn_demo().await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    let nodes: Vec<String> = crate::e2e_nodes::sim_nodes(&app)
        .iter()
        .filter_map(|n| n["name"].as_str().map(str::to_owned))
        .collect();
    let first = nodes.first().cloned().expect("seeded nodes");
    let prefix: String = first.chars().take(3).collect();
    set_scope(&app, &owner, user, &[("name_prefix", &prefix)]).await;

    // Act
    let (status, list) = app.get_html(&member, "/o/demo/e2e_nodes").await;

    // Assert
    assert_eq!(status, 200);
    let table = text_of(&list, "main");
    for name in &nodes {
        assert_eq!(
            table.contains(name.as_str()),
            name.starts_with(&prefix),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_change_whose_scope_check_waits_for_the_budget_runs_once_checked() {
    // Arrange: nothing read yet for the account, the budget spent.
    let app = crate::queue::spawn(100, crate::queue::SHORT).await;
    let owner = app.admin().await;
    let (user, member) = admin_member(&app, "contractor@example.org").await;
    set_scope(&app, &owner, user, &[("name_prefix", "web-")]).await;
    let web = crate::block_storages::server_id(&app, "web-01");
    let account = account_query(&app).await;
    crate::queue::spend_budget(&app);

    // Act
    let queued = app
        .post_form(
            &member,
            &format!("/o/demo/servers/{web}/power{account}"),
            &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
        )
        .await;
    crate::queue::refill_budget(&app);
    let mut state = String::new();
    for _ in 0..200 {
        state = app
            .sim_items("servers")
            .into_iter()
            .find(|s| s["id"] == web.as_str())
            .map(|s| s["status"]["state"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        if state == "POWERED_OFF" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Assert: it waited instead of failing, then ran inside the scope.
    assert_eq!(queued.status().as_u16(), 303);
    assert_eq!(state, "POWERED_OFF");
    let outcomes: Vec<String> = sqlx::query_scalar(
        "SELECT outcome FROM audit_events WHERE action = 'server.power_off' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(outcomes, ["requested", "queued", "succeeded"]);
}
