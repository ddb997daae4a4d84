//! The panel under test (the demo set-up: an in-process simulator, a demo
//! organisation and an admin), bounded waits, and failure diagnostics.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use teampanel::config::Settings;

use crate::webdriver::{Session, is_missing_element};

/// How often a condition is looked at again, and for how long at most.
const POLL: Duration = Duration::from_millis(200);
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Simulated time runs this many times faster than real time: a deployment
/// (30 simulated seconds) takes a few real seconds, long enough to be watched.
const SIMULATOR_SPEED: f64 = 10.0;

pub struct Panel {
    pub base: String,
    pub email: &'static str,
    pub password: String,
    pub slug: &'static str,
    /// The running panel's state, for a scenario that sets up more people.
    pub state: actix_web::web::Data<teampanel::app_state::AppState>,
    /// Kept running for the panel's cloud account.
    _simulator: teampanel::simulator::RunningSimulator,
    _e2e_simulator: teampanel::simulator::e2e::RunningE2eSimulator,
    /// Kept so the data dir lives as long as the panel.
    _data_dir: tempfile::TempDir,
}

impl Panel {
    /// Starts the panel like `teampanel demo` does, on a free port with a
    /// fresh data dir.
    pub async fn start() -> anyhow::Result<Self> {
        if std::env::var_os("TEST_LOG").is_some() {
            teampanel::telemetry::init("debug");
        }
        let data_dir = tempfile::Builder::new()
            .prefix("teampanel-browser-")
            .tempdir()
            .context("Failed to create a data dir")?;
        let settings = Settings::for_data_dir(data_dir.path(), "127.0.0.1:0".parse()?);
        // The simulator's realistic request limit (25 a minute) is not under
        // test here; a single page load may read a dozen resources.
        let demo = teampanel::demo::prepare_with(settings, |config| {
            config.speed = SIMULATOR_SPEED;
            config.rate_limit = 10_000;
        })
        .await?;
        let base = format!("http://127.0.0.1:{}", demo.app.port());
        let state = demo.app.state();
        tokio::spawn(demo.app.run_until_stopped());
        Ok(Self {
            base,
            email: teampanel::demo::ADMIN_EMAIL,
            password: demo.password,
            slug: teampanel::demo::ORG_SLUG,
            state,
            _simulator: demo.simulator,
            _e2e_simulator: demo.e2e_simulator,
            _data_dir: data_dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A path inside the demo organisation, e.g. `org_path("/servers")`.
    pub fn org_path(&self, rest: &str) -> String {
        format!("/o/{}{rest}", self.slug)
    }
}

/// Where screenshots are kept (git-ignored).
pub fn artifacts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts")
}

/// Calls `check` every `POLL` until it gives a value, for up to `PATIENCE`.
/// An element that is missing or was just replaced counts as "not yet"; any
/// other error ends the wait.
pub async fn wait_for<T>(
    what: &str,
    mut check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let deadline = Instant::now() + PATIENCE;
    let mut last_miss = None;
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) if is_missing_element(&err) => last_miss = Some(err),
            Err(err) => return Err(err.context(format!("while waiting for {what}"))),
        }
        if Instant::now() >= deadline {
            match last_miss {
                Some(err) => bail!("gave up waiting for {what} after {PATIENCE:?} ({err:#})"),
                None => bail!("gave up waiting for {what} after {PATIENCE:?}"),
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Marks the current document so that `wait_for_new_page` can tell when the
/// browser has left it.
pub async fn mark_page(session: &Session) -> anyhow::Result<()> {
    session
        .execute("window.__testPageMark = 1; return null;", vec![])
        .await?;
    Ok(())
}

/// Waits until the marked document was replaced by a new one that has loaded.
pub async fn wait_for_new_page(session: &Session, what: &str) -> anyhow::Result<()> {
    wait_for(what, async || {
        let left = session
            .execute(
                "return window.__testPageMark === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await?;
        Ok((left == serde_json::Value::Bool(true)).then_some(()))
    })
    .await
}

/// Error messages shown on the page, if any (flashes and field errors).
pub async fn page_errors(session: &Session) -> anyhow::Result<Option<String>> {
    let errors = session
        .execute(
            "return [...document.querySelectorAll('.flash-error, .field-error')]\
             .map(e => e.innerText.trim()).filter(t => t).join(' | ');",
            vec![],
        )
        .await?;
    Ok(errors
        .as_str()
        .filter(|text| !text.is_empty())
        .map(str::to_owned))
}

/// Where the browser is and what it shows, plus a screenshot, for a failure message.
pub async fn diagnose(session: &Session, name: &str) -> String {
    let shot = artifacts_dir().join(format!("{name}.png"));
    let screenshot = match session.screenshot(&shot).await {
        Ok(()) => format!("screenshot: {}", shot.display()),
        Err(err) => format!("no screenshot ({err:#})"),
    };
    let url = session
        .current_url()
        .await
        .unwrap_or_else(|err| format!("unknown ({err:#})"));
    let mut text = session
        .page_text()
        .await
        .unwrap_or_else(|err| format!("unreadable ({err:#})"));
    if text.chars().count() > 3000 {
        text = text.chars().take(3000).collect::<String>() + " …";
    }
    format!("browser at: {url}\n{screenshot}\npage text:\n{text}")
}
