//! Shared test harness: a running panel on port 0 with a fresh data dir, and
//! a cookie-keeping HTTP client that does not follow redirects.

use std::sync::Once;

use actix_web::web;
use scraper::{Html, Selector};
use teampanel::app_state::AppState;
use teampanel::config::Settings;
use teampanel::startup::Application;

pub const ADMIN_EMAIL: &str = "admin@example.org";
pub const ADMIN_PASSWORD: &str = "admin password 1";

static TRACING: Once = Once::new();

pub struct TestApp {
    pub address: String,
    pub admin_email: String,
    pub admin_password: String,
    /// The simulator behind the demo organisation's cloud account, when started.
    #[allow(dead_code, reason = "read by some test modules only")]
    pub simulator: Option<teampanel::simulator::RunningSimulator>,
    /// The simulator account's token.
    #[allow(dead_code, reason = "read by some test modules only")]
    pub sim_token: String,
    /// The E2E Networks simulator behind the demo's second account.
    #[allow(dead_code, reason = "read by some test modules only")]
    pub e2e_simulator: Option<teampanel::simulator::e2e::RunningE2eSimulator>,
    /// Its account's bearer token.
    #[allow(dead_code, reason = "read by some test modules only")]
    pub e2e_token: String,
    pub state: web::Data<AppState>,
    #[allow(dead_code, reason = "read by some test modules only")]
    pub settings: Settings,
    /// Kept so the data dir lives as long as the app.
    #[allow(dead_code, reason = "held for its Drop")]
    pub data_dir: tempfile::TempDir,
}

/// Starts the panel with default test settings and an instance admin.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the panel after `adjust` has changed the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            teampanel::telemetry::init("debug");
        }
    });
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings =
        Settings::for_data_dir(data_dir.path(), "127.0.0.1:0".parse().expect("addr"));
    adjust(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let test_app = TestApp {
        address,
        admin_email: ADMIN_EMAIL.to_owned(),
        admin_password: ADMIN_PASSWORD.to_owned(),
        simulator: None,
        sim_token: String::new(),
        e2e_simulator: None,
        e2e_token: String::new(),
        state,
        settings,
        data_dir,
    };
    test_app
        .create_user(ADMIN_EMAIL, "Ada Admin", true, ADMIN_PASSWORD)
        .await;
    test_app
}

/// Starts the panel like `teampanel demo`: a simulator (fast, with a high
/// rate limit), the demo organisation `demo` whose default cloud account
/// points at it, and its admin as Owner.
#[allow(dead_code, reason = "used by some test modules only")]
pub async fn spawn_demo() -> TestApp {
    spawn_demo_with(|config| {
        config.speed = 50.0;
        config.rate_limit = 100_000;
    })
    .await
}

#[allow(dead_code, reason = "used by some test modules only")]
pub async fn spawn_demo_with(adjust: impl FnOnce(&mut teampanel::simulator::SimConfig)) -> TestApp {
    spawn_demo_configured(|_| {}, adjust).await
}

/// The demo (simulator, demo organisation, its admin) with the panel's
/// settings adjusted too (short timeouts, a small queue, raised throttles).
pub async fn spawn_demo_configured(
    adjust_settings: impl FnOnce(&mut Settings),
    adjust_sim: impl FnOnce(&mut teampanel::simulator::SimConfig),
) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings =
        Settings::for_data_dir(data_dir.path(), "127.0.0.1:0".parse().expect("addr"));
    adjust_settings(&mut settings);
    let demo = teampanel::demo::prepare_with(settings.clone(), adjust_sim)
        .await
        .expect("the demo starts");
    let address = format!("http://127.0.0.1:{}", demo.app.port());
    let state = demo.app.state();
    tokio::spawn(demo.app.run_until_stopped());
    TestApp {
        address,
        admin_email: teampanel::demo::ADMIN_EMAIL.to_owned(),
        admin_password: demo.password,
        simulator: Some(demo.simulator),
        sim_token: demo.token,
        e2e_simulator: Some(demo.e2e_simulator),
        e2e_token: demo.e2e_token,
        state,
        settings,
        data_dir,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects. An
/// idle connection is dropped after a second, well before the panel's
/// keep-alive (5 s) closes it: otherwise a request sent on a connection
/// the panel is closing at that moment fails with an incomplete message
/// (seen on a loaded machine, when a test parsed a page for seconds).
pub fn client() -> reqwest::Client {
    teampanel::tls::client_builder()
        .cookie_store(true)
        .pool_idle_timeout(std::time::Duration::from_secs(1))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn create_user(&self, email: &str, name: &str, admin: bool, password: &str) -> i64 {
        let hash = teampanel::auth::password::hash(password.to_owned())
            .await
            .expect("hash");
        teampanel::db::users::insert(self.state.raw_db(), email, name, &hash, admin)
            .await
            .expect("insert user")
            .expect("email free")
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let response = self.get(client, path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// The CSRF token of the client's session, read from a page that has forms.
    pub async fn csrf(&self, client: &reqwest::Client) -> String {
        let (_, html) = self.get_html(client, "/login").await;
        if let Some(token) = csrf_token(&html) {
            return token;
        }
        let (_, html) = self.get_html(client, "/profile").await;
        csrf_token(&html).expect("a page with a CSRF token")
    }

    /// POSTs a form with the session's CSRF token added.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(client).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_form(
            client,
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// A new client signed in as the given user.
    pub async fn signed_in(&self, email: &str, password: &str) -> reqwest::Client {
        let c = client();
        let response = self.login(&c, email, password).await;
        assert_eq!(
            response.status().as_u16(),
            303,
            "sign-in as {email} should redirect"
        );
        c
    }

    pub async fn admin(&self) -> reqwest::Client {
        self.signed_in(&self.admin_email, &self.admin_password)
            .await
    }
}

pub fn csrf_token(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("input[name=csrf_token]").ok()?;
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

/// The visible text of the elements matching a CSS selector, joined by spaces.
pub fn text_of(html: &str, selector: &str) -> String {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    doc.select(&selector)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl TestApp {
    /// The simulator's current view of one collection of the demo account
    /// (`"servers"`, `"block_storages"`, `"firewall_policies"`, ...).
    pub fn sim_items(&self, collection: &str) -> Vec<serde_json::Value> {
        let snapshot = self
            .simulator
            .as_ref()
            .expect("a simulator")
            .snapshot(&self.sim_token)
            .expect("the demo account");
        snapshot[collection].as_array().cloned().unwrap_or_default()
    }

    /// A new member of the demo organisation whose role grants exactly
    /// `permissions` (e.g. `["vpn.show"]`), signed in.
    pub async fn member_with(&self, email: &str, permissions: &[&str]) -> reqwest::Client {
        let db = self.state.raw_db();
        let org = teampanel::db::orgs::by_slug(db, "demo")
            .await
            .unwrap()
            .expect("the demo organisation");
        let set = teampanel::rbac::PermissionSet::from_keys(permissions.iter().copied())
            .expect("known permissions");
        let role = crate::rows::create_role(db, org.id, &format!("Role of {email}"), &set)
            .await
            .unwrap()
            .expect("a new role");
        let password = "member password 1";
        let user_id = self.create_user(email, "Member", false, password).await;
        sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
            .bind(user_id)
            .bind(org.id)
            .bind(role)
            .execute(db)
            .await
            .unwrap();
        self.signed_in(email, password).await
    }
}
