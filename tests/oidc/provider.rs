//! The test OpenID Connect provider (`tests/oidc/provider.mjs`, the
//! certified `oidc-provider` package) started on a free port, like
//! ChromeDriver, and stopped when dropped. Shared by the integration and
//! browser tests (`#[path]`).
//!
//! Its packages are installed with `npm ci` when `node_modules` is missing
//! (`.ci/run` installs them first). Only when npm cannot reach its registry
//! does a test skip, saying so loudly.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

pub const CLIENT_ID: &str = "teampanel";
pub const CLIENT_SECRET: &str = "test-client-secret";

static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Installs the provider's packages when missing; `Ok(false)` when npm
/// could not fetch them (no registry).
fn install() -> anyhow::Result<bool> {
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if dir()
        .join("node_modules/oidc-provider/package.json")
        .exists()
    {
        return Ok(true);
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir())
        .output()
        .context("npm could not be run (are Node.js and npm installed?)")?;
    if output.status.success() {
        return Ok(true);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if [
        "ENOTFOUND",
        "EAI_AGAIN",
        "ECONNREFUSED",
        "ETIMEDOUT",
        "network",
    ]
    .iter()
    .any(|s| stderr.contains(s))
    {
        eprintln!(
            "\n!!!!! SKIPPED: the OpenID Connect test provider's packages could not be fetched \
             (npm has no registry here): {}\n",
            stderr.lines().last().unwrap_or_default()
        );
        return Ok(false);
    }
    bail!("npm ci failed in tests/oidc: {stderr}")
}

pub struct TestProvider {
    pub issuer: String,
    child: Option<Child>,
    http: reqwest::Client,
}

impl TestProvider {
    /// Starts the provider with the test client allowed to return to
    /// `redirect_uri`; `None` (after a loud message) when its packages cannot be had.
    pub async fn start(redirect_uri: &str) -> anyhow::Result<Option<Self>> {
        if !tokio::task::spawn_blocking(install).await?? {
            return Ok(None);
        }
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .args([redirect_uri, CLIENT_ID, CLIENT_SECRET])
            .current_dir(dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("node could not be started")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let ready = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref() {
                let line = line?;
                if let Some(issuer) = line.strip_prefix("READY ") {
                    // Keep reading so the provider never blocks on a full pipe.
                    std::thread::spawn(move || for _ in lines {});
                    return Ok(issuer.trim().to_owned());
                }
            }
            bail!("the test provider exited before it was ready")
        });
        let issuer = match tokio::time::timeout(Duration::from_secs(30), ready).await {
            Ok(issuer) => issuer??,
            Err(_) => {
                let _ = child.kill();
                bail!("the test provider did not start within 30 s")
            }
        };
        let http = teampanel::tls::client_builder()
            .build()
            .context("a client for the provider's test hooks")?;
        Ok(Some(Self {
            issuer,
            child: Some(child),
            http,
        }))
    }

    /// Sets one of the provider's accounts: `id`, `email`, `email_verified`,
    /// `name`, `groups`, `amr`, `tamper` ("audience" or "expired").
    pub async fn set_account(&self, account: serde_json::Value) -> anyhow::Result<()> {
        let response = self
            .http
            .post(format!("{}/test/accounts", self.issuer))
            .json(&account)
            .send()
            .await
            .context("the provider's account hook")?;
        anyhow::ensure!(
            response.status().is_success(),
            "the provider refused the account: {}",
            response.status()
        );
        Ok(())
    }

    /// Stops the provider now (a provider that is down).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free port of 127.0.0.1 for the panel: the provider must know the
/// panel's address (its redirect URI) before either starts.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// The panel's settings for the provider: its address as the public URL,
/// the issuer allowed by the outbound rules, the test client.
pub fn configure(settings: &mut teampanel::config::Settings, port: u16, issuer: &str) {
    settings.bind = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    settings.public_url = url::Url::parse(&format!("http://127.0.0.1:{port}")).ok();
    settings.allowed_base_urls.push(issuer.to_owned());
    settings.oidc = Some(teampanel::config::OidcSettings {
        issuer: issuer.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: Some(teampanel::config::Secret::new(CLIENT_SECRET.to_owned())),
        label: "Test ID".to_owned(),
        allowed_domains: Vec::new(),
        groups_claim: Some("groups".to_owned()),
    });
}
