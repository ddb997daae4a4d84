//! Organisations, members, invitations, roles and permissions: isolation
//! between organisations, what each built-in role may do, and invitation links.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use scraper::{Html, Selector};
use teampanel::db::orgs::Organisation;
use teampanel::rbac::BuiltinRole;
use teampanel::web::org::org_routes;

use crate::helpers::{TestApp, location, spawn_app};

const PW: &str = "member password 1";

async fn org(app: &TestApp, name: &str, slug: &str, owner: i64) -> Organisation {
    crate::rows::create_org(app.state.raw_db(), name, slug, owner)
        .await
        .expect("organisation")
}

async fn add_member(app: &TestApp, org: &Organisation, user_id: i64, role: BuiltinRole) {
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
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(id)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

async fn denied_events(app: &TestApp, actor: i64) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM audit_events WHERE actor_id = ? AND outcome = 'denied'",
        actor,
    )
    .await
}

fn input_value(html: &str, selector: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

/// Two organisations: A (Alice owns it) and B (Bob owns it, with more data).
struct Two {
    app: TestApp,
    alice: i64,
    a: Organisation,
    b: Organisation,
    b_member: i64,
    b_role: i64,
    b_invitation: i64,
    /// An API token of B's member.
    b_token: i64,
}

const B_NAME: &str = "Bravo Hidden Holdings";
const B_MEMBER_EMAIL: &str = "carol.bravo@example.org";

async fn two_orgs() -> Two {
    let app = spawn_app().await;
    let alice = app
        .create_user("alice@example.org", "Alice", false, PW)
        .await;
    let bob = app.create_user("bob@example.org", "Bob", false, PW).await;
    let carol = app.create_user(B_MEMBER_EMAIL, "Carol", false, PW).await;
    let a = org(&app, "Alpha", "alpha", alice).await;
    let b = org(&app, B_NAME, "bravo", bob).await;
    add_member(&app, &b, carol, BuiltinRole::Viewer).await;
    let perms = BuiltinRole::Viewer.permissions();
    let b_role = crate::rows::create_role(app.state.raw_db(), b.id, "Bravo Auditors", &perms)
        .await
        .unwrap()
        .unwrap();
    let (b_invitation, _) = crate::rows::create_invitation(
        app.state.raw_db(),
        b.id,
        "dave.bravo@example.org",
        b_role,
        bob,
        teampanel::db::now_unix(),
    )
    .await
    .unwrap();
    let b_token = sqlx::query_scalar(
        "INSERT INTO api_tokens (org_id, user_id, name, prefix, hash, access, expires_at, created_at) \
         VALUES (?, ?, 'Bravo nightly', 'abcd', 'not-a-real-hash', 'read', ?, ?) RETURNING id",
    )
    .bind(b.id)
    .bind(carol)
    .bind(teampanel::db::now_unix() + 86_400)
    .bind(teampanel::db::now_unix())
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    Two {
        app,
        alice,
        a,
        b,
        b_member: carol,
        b_role,
        b_invitation,
        b_token,
    }
}

/// Fills a route pattern with B's ids; a parameter this test does not know gets `1`.
fn fill(pattern: &str, t: &Two, slug: &str) -> String {
    let mut path = pattern
        .replace("{slug}", slug)
        .replace("{role_id}", &t.b_role.to_string())
        .replace("{user_id}", &t.b_member.to_string())
        .replace("{invitation_id}", &t.b_invitation.to_string())
        .replace("{token_id}", &t.b_token.to_string());
    while let (Some(start), Some(end)) = (path.find('{'), path.find('}')) {
        path.replace_range(start..=end, "1");
    }
    path
}

/// The `.rs` files under src/web, with their text.
fn web_sources() -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                files.push((path, source));
            }
        }
    }
    files
}

/// The routes an `org_routes!` invocation declares, read from its lines:
/// `"/prefix" {` opens a prefix, `GET "/rest" => handler,` is a route.
fn declared_in(source: &str) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for invocation in source.split("org_routes! {").skip(1) {
        let mut prefix = None;
        for line in invocation.lines().map(str::trim) {
            if line == "}" && prefix.is_none() {
                break;
            }
            let quoted = |text: &str| text.split('"').nth(1).map(str::to_owned);
            if line.starts_with('"') && line.ends_with('{') {
                prefix = quoted(line);
            } else if line == "}" {
                prefix = None;
            } else if let Some((method, rest)) = line.split_once(char::is_whitespace)
                && ["GET", "POST"].contains(&method)
            {
                let (prefix, rest) = (prefix.as_deref().unwrap(), quoted(rest).unwrap());
                routes.push((method.to_owned(), format!("/o/{{slug}}{prefix}{rest}")));
            }
        }
    }
    routes
}

/// Organisation routes are declared only with `org_routes!`, and every
/// module that declares some is in `org_routes()`: so the walk below, and
/// the registration test after it, cover every organisation route there is.
#[test]
fn org_routes_lists_every_organisation_route_in_the_source() {
    let mut listed: Vec<(String, String)> = org_routes()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    let mut declared = Vec::new();
    for (path, source) in web_sources() {
        // routing.rs holds the organisation scope and the macro itself.
        if path.ends_with("web/routing.rs") {
            continue;
        }
        declared.extend(declared_in(&source));
        for piece in source.split("\"/o/{slug}").skip(1) {
            let rest = &piece[..piece.find('"').unwrap()];
            // Format strings and prose are not routes.
            if rest.contains("{}") || rest.contains(' ') {
                continue;
            }
            panic!(
                "/o/{{slug}}{rest} (in {}) is registered by hand: declare it with org_routes!",
                path.display()
            );
        }
    }
    let total = listed.len();
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), total, "org_routes() lists a route twice");
    declared.sort();
    for route in &declared {
        assert!(
            listed.binary_search(route).is_ok(),
            "{route:?} is declared but its module's ROUTES is not in org_routes()"
        );
    }
    assert_eq!(listed, declared);
}

/// Every route `org_routes()` lists reaches a handler of the panel's router
/// (with its method), rather than the fallback for unknown addresses.
#[actix_web::test]
async fn org_routes_are_all_registered() {
    use actix_web::{App, HttpResponse, http::Method, test, web};
    const FALLBACK: u16 = 418;
    let app = test::init_service(
        App::new()
            .configure(teampanel::web::routes)
            .default_service(web::to(|| async { HttpResponse::ImATeapot().finish() })),
    )
    .await;
    let status = async |method: &str, path: &str| {
        let request = test::TestRequest::default()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path)
            .to_request();
        test::call_service(&app, request).await.status().as_u16()
    };
    let routes = org_routes();
    assert!(routes.len() > 200, "{}", routes.len());
    for (method, pattern) in routes {
        let mut path = pattern.replace("{slug}", "bravo");
        while let (Some(start), Some(end)) = (path.find('{'), path.find('}')) {
            path.replace_range(start..=end, "1");
        }
        let answer = status(method, &path).await;
        assert_ne!(answer, FALLBACK, "{method} {pattern} is not registered");
    }
    // The check can fail: an unknown page, and a known one with the wrong
    // method, both reach the fallback.
    assert_eq!(status("GET", "/o/bravo/no_such_page").await, FALLBACK);
    assert_eq!(status("GET", "/o/bravo/members/invite").await, FALLBACK);
}

#[tokio::test]
async fn a_member_of_one_organisation_cannot_reach_another() {
    // Arrange
    let t = two_orgs().await;
    let app = &t.app;
    let alice = app.signed_in("alice@example.org", PW).await;
    let b_state = |app: &TestApp| {
        let db = app.state.raw_db().clone();
        let b = t.b.id;
        async move {
            sqlx::query_as::<_, (i64, i64, i64, String, Option<i64>, Option<i64>)>(
                "SELECT (SELECT COUNT(*) FROM roles WHERE org_id = ?1),
                        (SELECT COUNT(*) FROM memberships WHERE org_id = ?1),
                        (SELECT COUNT(*) FROM invitations WHERE org_id = ?1),
                        (SELECT name FROM organisations WHERE id = ?1),
                        (SELECT revoked_at FROM invitations WHERE org_id = ?1),
                        (SELECT revoked_at FROM api_tokens WHERE org_id = ?1)",
            )
            .bind(b)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let before = b_state(app).await;
    let token = app.csrf(&alice).await;

    // Act + Assert: every organisation route, for B's slug, and for A's slug with B's ids.
    let mut walked = 0;
    let routes = org_routes();
    for (method, pattern) in &routes {
        let mut targets = vec![(fill(pattern, &t, "bravo"), false)];
        // B's ids of this area's own tables, asked for inside A.
        if ["{role_id}", "{user_id}", "{invitation_id}", "{token_id}"]
            .iter()
            .any(|p| pattern.contains(p))
        {
            targets.push((fill(pattern, &t, "alpha"), true));
        }
        for (path, own_org) in targets {
            let form = [
                ("csrf_token", token.as_str()),
                ("name", "Taken over"),
                ("email", "mallory@example.org"),
                ("role_id", &t.b_role.to_string()),
                ("confirm", "Bravo Auditors"),
                ("perm", "servers.show"),
            ];
            let response = match *method {
                "GET" => alice.get(app.url(&path)).send().await.unwrap(),
                _ => alice.post(app.url(&path)).form(&form).send().await.unwrap(),
            };
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            if own_org {
                assert_eq!(status, 404, "{method} {path}: B's ids inside A");
            } else {
                assert!(
                    status == 403 || status == 404,
                    "{method} {path} answered {status}"
                );
            }
            for secret in [
                B_NAME,
                B_MEMBER_EMAIL,
                "Bravo Auditors",
                "dave.bravo",
                "Bravo nightly",
            ] {
                assert!(!body.contains(secret), "{method} {path} shows {secret}");
            }
            walked += 1;
        }
    }
    assert!(walked >= routes.len());

    // Nothing of B changed, and none of this landed in B's audit log.
    assert_eq!(b_state(app).await, before);
    let in_b = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_events WHERE org_id = ? AND actor_id = ?",
    )
    .bind(t.b.id)
    .bind(t.alice)
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(in_b, 0);

    // Alice's own pages never show B.
    for path in [
        "/",
        "/o/alpha/",
        "/o/alpha/members",
        "/o/alpha/roles",
        "/o/alpha/audit",
        "/o/alpha/cloud_accounts",
        "/o/alpha/servers",
    ] {
        let (_, body) = app.get_html(&alice, path).await;
        for secret in [B_NAME, B_MEMBER_EMAIL, "Bravo Auditors", "dave.bravo"] {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
    assert_eq!(t.a.slug, "alpha");
}

#[tokio::test]
async fn an_unknown_organisation_and_a_foreign_one_look_the_same() {
    let t = two_orgs().await;
    let alice = t.app.signed_in("alice@example.org", PW).await;
    let (s1, b1) = t.app.get_html(&alice, "/o/bravo/members").await;
    let (s2, b2) = t.app.get_html(&alice, "/o/no-such-org/members").await;
    assert_eq!((s1, s2), (404, 404));
    let title = |b: &str| crate::helpers::text_of(b, "h1");
    assert_eq!(title(&b1), title(&b2));
}

struct Roles {
    app: TestApp,
    org: Organisation,
    custom_role: i64,
}

async fn one_org_with_every_role() -> Roles {
    let app = spawn_app().await;
    let owner = app
        .create_user("owner@example.org", "Olga Owner", false, PW)
        .await;
    let org = org(&app, "Alpha", "alpha", owner).await;
    for (email, role) in [
        ("admin@alpha.example", BuiltinRole::Admin),
        ("operator@alpha.example", BuiltinRole::Operator),
        ("viewer@alpha.example", BuiltinRole::Viewer),
    ] {
        let id = app.create_user(email, email, false, PW).await;
        add_member(&app, &org, id, role).await;
    }
    let custom_role = crate::rows::create_role(
        app.state.raw_db(),
        org.id,
        "Night shift",
        &BuiltinRole::Viewer.permissions(),
    )
    .await
    .unwrap()
    .unwrap();
    Roles {
        app,
        org,
        custom_role,
    }
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    teampanel::db::users::by_email(app.state.raw_db(), email)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn each_builtin_role_may_do_what_it_should_and_nothing_more() {
    let r = one_org_with_every_role().await;
    let app = &r.app;
    // (email, manage members, manage roles, view audit, see cloud accounts)
    let table = [
        ("owner@example.org", true, true, true, true),
        ("admin@alpha.example", true, false, true, true),
        ("operator@alpha.example", false, false, true, true),
        ("viewer@alpha.example", false, false, false, true),
    ];
    let viewer_role = crate::rows::builtin_role(app.state.raw_db(), r.org.id, BuiltinRole::Viewer)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    for (i, (email, members, roles, audit, accounts)) in table.into_iter().enumerate() {
        let client = app.signed_in(email, PW).await;
        let me = user_id(app, email).await;

        // The UI shows only what the role may do.
        let (status, home) = app.get_html(&client, "/o/alpha/").await;
        assert_eq!(status, 200, "{email}");
        let nav = crate::helpers::text_of(&home, "nav.sidenav");
        assert_eq!(nav.contains("Audit log"), audit, "{email}: {nav}");
        assert_eq!(nav.contains("Cloud accounts"), accounts, "{email}: {nav}");
        assert!(nav.contains("Members") && nav.contains("Roles"), "{email}");
        let (_, members_page) = app.get_html(&client, "/o/alpha/members").await;
        assert_eq!(
            members_page.contains("Create invitation link"),
            members,
            "{email}"
        );
        let (_, roles_page) = app.get_html(&client, "/o/alpha/roles").await;
        assert_eq!(roles_page.contains("Create role"), roles, "{email}");

        // Inviting.
        let invitations_before = count(
            app,
            "SELECT COUNT(*) FROM invitations WHERE org_id = ?",
            r.org.id,
        )
        .await;
        let denied_before = denied_events(app, me).await;
        let invitee = format!("new{i}@example.org");
        let response = app
            .post_form(
                &client,
                "/o/alpha/members/invite",
                &[("email", &invitee), ("role_id", &viewer_role)],
            )
            .await;
        let invitations_after = count(
            app,
            "SELECT COUNT(*) FROM invitations WHERE org_id = ?",
            r.org.id,
        )
        .await;
        if members {
            assert_eq!(response.status().as_u16(), 303, "{email} invites");
            assert_eq!(invitations_after, invitations_before + 1);
        } else {
            assert_eq!(response.status().as_u16(), 403, "{email} invites");
            let body = response.text().await.unwrap();
            assert!(
                body.contains("organisation.manage_members"),
                "{email}: {body}"
            );
            assert_eq!(
                invitations_after, invitations_before,
                "{email}: refused POST changed nothing"
            );
            assert_eq!(
                denied_events(app, me).await,
                denied_before + 1,
                "{email}: audited as denied"
            );
        }

        // Editing a role's permission matrix.
        let path = format!("/o/alpha/roles/{}", r.custom_role);
        let denied_before = denied_events(app, me).await;
        let new_name = format!("Night shift {i}");
        let response = app
            .post_form(
                &client,
                &path,
                &[
                    ("name", &new_name),
                    ("perm", "servers.show"),
                    ("perm", "servers.shutdown"),
                ],
            )
            .await;
        let role = crate::rows::role(app.state.raw_db(), r.org.id, r.custom_role)
            .await
            .unwrap()
            .unwrap();
        if roles {
            assert_eq!(response.status().as_u16(), 303, "{email} edits a role");
            assert_eq!(role.name, new_name);
            assert_eq!(role.permissions.len(), 2);
        } else {
            assert_eq!(response.status().as_u16(), 403, "{email} edits a role");
            assert_ne!(role.name, new_name, "{email}: refused POST changed nothing");
            assert_eq!(
                denied_events(app, me).await,
                denied_before + 1,
                "{email}: audited"
            );
        }
    }
}

#[tokio::test]
async fn an_admin_cannot_hand_out_the_owner_role() {
    let r = one_org_with_every_role().await;
    let app = &r.app;
    let admin = app.signed_in("admin@alpha.example", PW).await;
    let owner_role = crate::rows::builtin_role(app.state.raw_db(), r.org.id, BuiltinRole::Owner)
        .await
        .unwrap()
        .unwrap();
    let viewer = user_id(app, "viewer@alpha.example").await;
    let response = app
        .post_form(
            &admin,
            &format!("/o/alpha/members/{viewer}/role"),
            &[("role_id", &owner_role.id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let member = crate::rows::member(app.state.raw_db(), r.org.id, viewer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.role_name, "Viewer");
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_or_demoted() {
    let r = one_org_with_every_role().await;
    let app = &r.app;
    let owner = app.signed_in("owner@example.org", PW).await;
    let owner_id = user_id(app, "owner@example.org").await;
    let admin_role = crate::rows::builtin_role(app.state.raw_db(), r.org.id, BuiltinRole::Admin)
        .await
        .unwrap()
        .unwrap();

    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{owner_id}/role"),
            &[("role_id", &admin_role.id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = app.get_html(&owner, "/o/alpha/members").await;
    assert!(page.contains("last Owner"), "{page}");

    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{owner_id}/remove"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = app.get_html(&owner, "/o/alpha/members").await;
    assert!(
        page.contains("is the last Owner of Alpha and cannot be removed"),
        "{page}"
    );
    let member = crate::rows::member(app.state.raw_db(), r.org.id, owner_id)
        .await
        .unwrap()
        .unwrap();
    assert!(member.is_owner());

    // With a second Owner, the first may step down.
    let admin_id = user_id(app, "admin@alpha.example").await;
    let owner_role = crate::rows::builtin_role(app.state.raw_db(), r.org.id, BuiltinRole::Owner)
        .await
        .unwrap()
        .unwrap();
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{admin_id}/role"),
            &[("role_id", &owner_role.id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/members/{owner_id}/role"),
            &[("role_id", &admin_role.id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let member = crate::rows::member(app.state.raw_db(), r.org.id, owner_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.role_name, "Admin");
}

async fn invite(app: &TestApp, client: &reqwest::Client, email: &str, role_id: i64) -> String {
    let response = app
        .post_form(
            client,
            "/o/alpha/members/invite",
            &[("email", email), ("role_id", &role_id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = app.get_html(client, "/o/alpha/members").await;
    let link = input_value(&page, "#invite-link").expect("the link is shown once");
    let (_, again) = app.get_html(client, "/o/alpha/members").await;
    assert!(
        input_value(&again, "#invite-link").is_none(),
        "shown only once"
    );
    link.split_once("/invite/").unwrap().1.to_owned()
}

#[tokio::test]
async fn invitation_links_work_once_and_expire() {
    let r = one_org_with_every_role().await;
    let app = &r.app;
    let owner = app.signed_in("owner@example.org", PW).await;
    let operator_role =
        crate::rows::builtin_role(app.state.raw_db(), r.org.id, BuiltinRole::Operator)
            .await
            .unwrap()
            .unwrap();

    // Only the hash is stored.
    let token = invite(app, &owner, "newcomer@example.org", operator_role.id).await;
    let plain: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE token_hash = ?")
        .bind(&token)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(plain, 0);

    // A newcomer opens the link, sets a password, and lands in the organisation.
    let newcomer = crate::helpers::client();
    let (status, page) = app.get_html(&newcomer, &format!("/invite/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Alpha") && page.contains("Operator"));
    let bad = app
        .post_form(
            &newcomer,
            &format!("/invite/{token}"),
            &[
                ("name", "Nina"),
                ("password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let body = bad.text().await.unwrap();
    assert!(
        body.contains("at least") && body.contains("value=\"Nina\""),
        "{body}"
    );
    let response = app
        .post_form(
            &newcomer,
            &format!("/invite/{token}"),
            &[("name", "Nina"), ("password", PW), ("confirm_password", PW)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/o/alpha/");
    let (status, _) = app.get_html(&newcomer, "/o/alpha/").await;
    assert_eq!(status, 200);
    let nina = user_id(app, "newcomer@example.org").await;
    let member = crate::rows::member(app.state.raw_db(), r.org.id, nina)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.role_name, "Operator");

    // A used link is refused with a clear page.
    let stranger = crate::helpers::client();
    let (status, page) = app.get_html(&stranger, &format!("/invite/{token}")).await;
    assert_eq!(status, 410);
    assert!(page.contains("already used"), "{page}");
    let response = app
        .post_form(
            &stranger,
            &format!("/invite/{token}"),
            &[("name", "Eve"), ("password", PW), ("confirm_password", PW)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 410);

    // An expired link too.
    let token = invite(app, &owner, "late@example.org", operator_role.id).await;
    sqlx::query("UPDATE invitations SET expires_at = 1000 WHERE email = 'late@example.org'")
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let (status, page) = app.get_html(&stranger, &format!("/invite/{token}")).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"), "{page}");
    let response = app
        .post_form(
            &stranger,
            &format!("/invite/{token}"),
            &[("name", "Late"), ("password", PW), ("confirm_password", PW)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 410);
    assert!(
        teampanel::db::users::by_email(app.state.raw_db(), "late@example.org")
            .await
            .unwrap()
            .is_none()
    );

    // A made-up link.
    let (status, page) = app.get_html(&stranger, "/invite/not-a-real-token").await;
    assert_eq!(status, 404);
    assert!(page.contains("not valid"));
}

#[tokio::test]
async fn an_existing_account_joins_with_its_own_password() {
    let r = one_org_with_every_role().await;
    let app = &r.app;
    let other = app.create_user("zoe@example.org", "Zoe", false, PW).await;
    let owner = app.signed_in("owner@example.org", PW).await;
    let token = invite(app, &owner, "zoe@example.org", r.custom_role).await;
    let zoe = app.signed_in("zoe@example.org", PW).await;
    let (status, page) = app.get_html(&zoe, &format!("/invite/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Join Alpha"));
    let response = app.post_form(&zoe, &format!("/invite/{token}"), &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    let member = crate::rows::member(app.state.raw_db(), r.org.id, other)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.role_name, "Night shift");
}

#[tokio::test]
async fn roles_are_created_cloned_and_deleted_only_when_unused() {
    let r = one_org_with_every_role().await;
    let app = &r.app;
    let owner = app.signed_in("owner@example.org", PW).await;
    let operator = crate::rows::builtin_role(app.state.raw_db(), r.org.id, BuiltinRole::Operator)
        .await
        .unwrap()
        .unwrap();
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/roles/{}/clone", operator.id),
            &[],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = app.get_html(&owner, &location(&response)).await;
    assert!(page.contains("Copy of Operator"));
    assert!(
        page.contains("value=\"servers.shutdown\" checked"),
        "the copy keeps the permissions"
    );

    // Built-in roles and held roles cannot be deleted.
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/roles/{}/delete", operator.id),
            &[("confirm", "Operator")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let held = r.custom_role;
    let viewer = user_id(app, "viewer@alpha.example").await;
    sqlx::query("UPDATE memberships SET role_id = ? WHERE user_id = ?")
        .bind(held)
        .bind(viewer)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/roles/{held}/delete"),
            &[("confirm", "Night shift")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Give them another role first")
    );

    // An unused custom role goes, once its name is typed.
    let copy: i64 =
        sqlx::query_scalar("SELECT id FROM roles WHERE org_id = ? AND name = 'Copy of Operator'")
            .bind(r.org.id)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/roles/{copy}/delete"),
            &[("confirm", "wrong")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/roles/{copy}/delete"),
            &[("confirm", "Copy of Operator")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        crate::rows::role(app.state.raw_db(), r.org.id, copy)
            .await
            .unwrap()
            .is_none()
    );

    // An unknown permission name is refused with a message, keeping the boxes.
    let response = app
        .post_form(
            &owner,
            &format!("/o/alpha/roles/{held}"),
            &[
                ("name", "Night shift"),
                ("perm", "servers.fly"),
                ("perm", "vpn.show"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("servers.fly"));
    assert!(body.contains("value=\"vpn.show\" checked"));
}

#[tokio::test]
async fn instance_admins_manage_organisations_and_users() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let someone = app.create_user("sam@example.org", "Sam", false, PW).await;

    // Create an organisation: a bad slug keeps what was typed.
    let response = app
        .post_form(
            &admin,
            "/admin/organisations",
            &[
                ("name", "Gamma Ltd"),
                ("slug", "Bad Slug"),
                ("owner_email", "sam@example.org"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("value=\"Gamma Ltd\"") && body.contains("lowercase"));
    let response = app
        .post_form(
            &admin,
            "/admin/organisations",
            &[
                ("name", "Gamma Ltd"),
                ("slug", ""),
                ("owner_email", "sam@example.org"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let gamma = teampanel::db::orgs::by_slug(app.state.raw_db(), "gamma-ltd")
        .await
        .unwrap()
        .unwrap();
    let member = crate::rows::member(app.state.raw_db(), gamma.id, someone)
        .await
        .unwrap()
        .unwrap();
    assert!(member.is_owner());

    // Rename it.
    let response = app
        .post_form(
            &admin,
            &format!("/admin/organisations/{}/rename", gamma.id),
            &[("name", "Gamma GmbH")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = app.get_html(&admin, "/admin").await;
    assert!(page.contains("Gamma GmbH"));

    // Disabling a user ends their sessions.
    let sam = app.signed_in("sam@example.org", PW).await;
    let response = app
        .post_form(&admin, &format!("/admin/users/{someone}/disable"), &[])
        .await;
    assert_eq!(location(&response), "/admin");
    assert_eq!(
        app.get(&sam, "/o/gamma-ltd/").await.status().as_u16(),
        200,
        "an unconfirmed disable changes nothing"
    );
    let response = app
        .post_form(
            &admin,
            &format!("/admin/users/{someone}/disable"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app.get(&sam, "/o/gamma-ltd/").await;
    assert_eq!(response.status().as_u16(), 303, "signed out");
    assert!(location(&response).starts_with("/login"));

    // The sole Owner cannot be deleted; the organisation can.
    let response = app
        .post_form(
            &admin,
            &format!("/admin/users/{someone}/delete"),
            &[("confirm", "sam@example.org")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("only Owner"));
    let response = app
        .post_form(
            &admin,
            &format!("/admin/organisations/{}/delete", gamma.id),
            &[("confirm", "gamma-ltd")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        teampanel::db::orgs::by_slug(app.state.raw_db(), "gamma-ltd")
            .await
            .unwrap()
            .is_none()
    );

    // Audited.
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events ORDER BY id")
        .fetch_all(app.state.raw_db())
        .await
        .unwrap();
    for action in [
        "organisation.create",
        "organisation.rename",
        "user.disable",
        "organisation.delete",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }

    // Someone who is not an instance admin gets the 403 page.
    app.create_user("plain@example.org", "Plain", false, PW)
        .await;
    let plain = app.signed_in("plain@example.org", PW).await;
    let (status, _) = app.get_html(&plain, "/admin").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_side_menu_groups_show_only_the_pages_a_member_may_open() {
    let app = crate::helpers::spawn_demo().await;
    let member = app
        .member_with("storage-only@example.org", &["block_storages.show"])
        .await;
    let (status, html) = app.get_html(&member, "/o/demo/").await;
    assert_eq!(status, 200);
    let menu = crate::helpers::text_of(&html, "nav.sidenav");
    assert!(
        menu.contains("Storages") && menu.contains("Block storages"),
        "{menu}"
    );
    for hidden in [
        "Shared storages",
        "Networks",
        "Firewall policies",
        "VPNs",
        "Servers",
    ] {
        assert!(!menu.contains(hidden), "{hidden} shown: {menu}");
    }

    let admin = app.admin().await;
    let (_, html) = app.get_html(&admin, "/o/demo/").await;
    let menu = crate::helpers::text_of(&html, "nav.sidenav");
    for shown in [
        "Storages",
        "Block storages",
        "Shared storages",
        "Networks",
        "Private networks",
        "Public IPs",
        "Firewall policies",
        "Load balancers",
        "VPNs",
    ] {
        assert!(menu.contains(shown), "{shown} missing: {menu}");
    }
}
