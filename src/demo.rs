//! `teampanel demo`: the panel, in-process simulators of both providers on
//! loopback, a demo organisation with a cloud account on each (the IONOS
//! Cloud Panel and E2E Networks), and an admin whose password is printed:
//! the one-command first look.

use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};

use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::config::Settings;
use crate::domain::{AccountName, ApiToken, BaseUrl};
use crate::domain::{Location, ProjectId};
use crate::simulator::e2e::{E2eSimConfig, RunningE2eSimulator};
use crate::simulator::webhook_receiver::{RunningReceiver, spawn_receiver};
use crate::simulator::{RunningSimulator, SimConfig};
use crate::startup::{Application, display_url};
use crate::tenant::{Actor, Credentials};

pub const ADMIN_EMAIL: &str = "admin@demo.local";
pub const ORG_SLUG: &str = "demo";

/// What `prepare` set up, for the banner and for tests.
pub struct Demo {
    pub app: Application,
    pub simulator: RunningSimulator,
    pub password: String,
    /// The simulator account's token (tests read its state with it).
    pub token: String,
    /// The E2E Networks simulator behind the demo's second account.
    pub e2e_simulator: RunningE2eSimulator,
    /// Its account's bearer token (tests read its state with it).
    pub e2e_token: String,
    /// Where the demo's webhooks may point: a receiver that keeps what it gets.
    pub webhook_receiver: RunningReceiver,
}

/// The demo E2E account's project and location.
const E2E_PROJECT: &str = "10101";

/// Starts the simulator and the panel on `settings`' data dir with demo data.
/// The simulator runs `speed` times faster than real time.
pub async fn prepare(settings: Settings, speed: f64) -> anyhow::Result<Demo> {
    prepare_with(settings, |config| config.speed = speed).await
}

/// As [`prepare`], with the simulator's settings adjusted (tests raise its rate limit).
pub async fn prepare_with(
    mut settings: Settings,
    adjust: impl FnOnce(&mut SimConfig),
) -> anyhow::Result<Demo> {
    let token = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let mut config = SimConfig::demo(vec![token.clone()]);
    adjust(&mut config);
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("Failed to bind the simulator")?;
    let speed = config.speed;
    let simulator = crate::simulator::spawn(config, listener).await?;
    let e2e_token = Alphanumeric.sample_string(&mut rand::rng(), 40);
    let e2e_key = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let mut e2e_config = E2eSimConfig::demo(vec![(e2e_token.clone(), e2e_key.clone())]);
    e2e_config.speed = speed;
    let e2e_listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("Failed to bind the E2E simulator")?;
    let e2e_simulator = crate::simulator::e2e::spawn_e2e(e2e_config, e2e_listener).await?;
    // Members of the demo may point accounts at its simulators as well.
    settings.allowed_base_urls.push(simulator.base_url.clone());
    settings
        .allowed_base_urls
        .push(e2e_simulator.base_url.clone());
    // A receiver on loopback, and the only webhook URL the demo allows
    // (with anything beneath it), so the Webhooks page can be tried.
    let receiver_listener = std::net::TcpListener::bind("127.0.0.1:0")
        .context("Failed to bind the webhook receiver")?;
    let webhook_receiver = spawn_receiver(receiver_listener)?;
    settings
        .allowed_webhook_urls
        .push(webhook_receiver.url.clone());

    let password = Alphanumeric.sample_string(&mut rand::rng(), 16);
    let admin_id = crate::commands::user::create_user(
        &settings,
        ADMIN_EMAIL,
        "Demo Admin",
        true,
        password.clone(),
    )
    .await?;
    let app = Application::build(settings).await?;
    let state = app.state();
    let ctx = AuditCtx {
        actor_id: Some(admin_id),
        actor_label: ADMIN_EMAIL.into(),
        ..AuditCtx::default()
    };
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let org = crate::db::orgs::create_organisation_with_owner(
        change.conn(),
        "Demo Organisation",
        ORG_SLUG,
        admin_id,
    )
    .await?;
    let event = NewEvent::new("organisation.create", Outcome::Succeeded)
        .target("organisation", org.id, &org.slug)
        .details(serde_json::json!({ "name": org.name, "owner": ADMIN_EMAIL }));
    change.commit(&ctx, event).await?;
    // The demo's account goes in through the front door, as a member's would.
    let member = state
        .door
        .membership(ORG_SLUG, admin_id)
        .await?
        .context("the demo admin is not a member of the demo organisation")?;
    let tenant = state
        .door
        .require(
            &member,
            &Actor::new(None, move || ctx.clone()),
            crate::rbac::perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS,
            || serde_json::Value::Null,
        )
        .await
        .map_err(|_| anyhow::anyhow!("the demo admin may not add cloud accounts"))?;
    let name = AccountName::parse("Simulator").map_err(|e| anyhow::anyhow!(e))?;
    let base_url = BaseUrl::parse(&simulator.base_url).map_err(|e| anyhow::anyhow!(e))?;
    let api_token = ApiToken::parse(&token).map_err(|e| anyhow::anyhow!(e))?;
    tenant
        .add_account(
            &name,
            &base_url,
            &Credentials::CloudPanel {
                token: api_token.secret().clone(),
            },
        )
        .await?
        .map_err(|_| anyhow::anyhow!("the demo cloud account name is taken"))?;
    let e2e_credentials = Credentials::E2e {
        token: ApiToken::parse(&e2e_token)
            .map_err(|e| anyhow::anyhow!(e))?
            .secret()
            .clone(),
        api_key: ApiToken::parse_as(&e2e_key, "API key", 512)
            .map_err(|e| anyhow::anyhow!(e))?
            .secret()
            .clone(),
        project_id: ProjectId::parse(E2E_PROJECT)
            .map_err(|e| anyhow::anyhow!(e))?
            .as_str()
            .to_owned(),
        location: Location::DEFAULT.to_owned(),
    };
    tenant
        .add_account(
            &AccountName::parse("E2E (simulator)").map_err(|e| anyhow::anyhow!(e))?,
            &BaseUrl::parse(&e2e_simulator.base_url).map_err(|e| anyhow::anyhow!(e))?,
            &e2e_credentials,
        )
        .await?
        .map_err(|_| anyhow::anyhow!("the demo E2E account name is taken"))?;
    Ok(Demo {
        app,
        simulator,
        password,
        token,
        e2e_simulator,
        e2e_token,
        webhook_receiver,
    })
}

pub async fn run(mut settings: Settings) -> anyhow::Result<()> {
    // A fresh data dir every time unless one was asked for explicitly.
    let temp = if std::env::var_os("TEAMPANEL_DATA_DIR").is_none() {
        let dir = tempfile::Builder::new()
            .prefix("teampanel-demo-")
            .tempdir()
            .context("Failed to create a temporary data dir")?;
        settings.data_dir = dir.path().to_path_buf();
        Some(dir)
    } else {
        None
    };
    let demo = prepare(settings.clone(), 1.0).await?;
    let url = display_url(&settings, demo.app.port());
    // Written at once and never fatal: a reader that took the address and
    // closed its end (a script, a benchmark) must not stop the panel.
    let data_dir = settings.data_dir.display();
    let removed = if temp.is_some() {
        " (removed on exit)"
    } else {
        ""
    };
    let banner = format!(
        "teampanel demo is running\nurl: {url}/login\nemail: {ADMIN_EMAIL}\npassword: {}\n\
         simulator: {}\nE2E simulator: {}\nwebhook receiver: {} (GET it to see what it got)\n\
         data dir: {data_dir}{removed}\n",
        demo.password,
        demo.simulator.base_url,
        demo.e2e_simulator.base_url,
        demo.webhook_receiver.url
    );
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    }
    let result = demo
        .app
        .run_until_stopped()
        .await
        .context("The HTTP server stopped with an error");
    drop(temp);
    result
}
