//! Headless Chromium driven through ChromeDriver with the `fantoccini`
//! WebDriver client. Only starting ChromeDriver (a free port, waiting until it
//! is ready, ending it with every browser it started) is done here by hand;
//! `Session` is a thin wrapper that gives the tests short, `anyhow`-returning
//! calls, plus the two ChromeDriver extensions they need through its DevTools
//! passthrough: colour scheme emulation and CSP violation recording.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::error::CmdError;
use fantoccini::wd::{Capabilities, TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// An element of the page a `Session` shows.
pub use fantoccini::elements::Element;

pub const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "chromedriver";
const INSTALL_HINT: &str = "the browser tests need Chromium and ChromeDriver: \
     run `apt-get install chromium chromium-driver` (`.ci/run` does this)";

/// True when `err` says an element is not (or no longer) in the page, which
/// is a reason to look again rather than to give up.
pub fn is_missing_element(err: &anyhow::Error) -> bool {
    err.downcast_ref::<CmdError>()
        .is_some_and(|e| e.is_no_such_element() || e.is_stale_element_reference())
}

/// Looks `program` up on PATH (or checks it directly when it has a slash).
fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// On a fresh machine `cargo test` installs Chromium and ChromeDriver itself
/// when it can (root with apt-get), once for all tests; otherwise the tests
/// fail with the install hint.
fn ensure_installed() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if Path::new(CHROMIUM).is_file() && find_program(CHROMEDRIVER).is_some() {
            return;
        }
        let is_root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
        if !is_root || find_program("apt-get").is_none() {
            return;
        }
        eprintln!("installing chromium and chromium-driver for the browser tests");
        let status = std::process::Command::new("sh")
            .args([
                "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null",
            ])
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("installing chromium failed: {INSTALL_HINT}");
        }
    });
}

/// A running `chromedriver`, killed (with every browser it started) on drop.
pub struct ChromeDriver {
    child: Child,
    base: String,
    log: tempfile::NamedTempFile,
}

impl ChromeDriver {
    /// Starts chromedriver on a free loopback port and waits until it is ready.
    pub async fn start() -> anyhow::Result<Self> {
        ensure_installed();
        if !Path::new(CHROMIUM).is_file() {
            bail!("{CHROMIUM} is missing: {INSTALL_HINT}");
        }
        let Some(driver) = find_program(CHROMEDRIVER) else {
            bail!("`{CHROMEDRIVER}` is not on PATH: {INSTALL_HINT}");
        };
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0")
                .context("Failed to find a free port for chromedriver")?;
            listener.local_addr()?.port()
        };
        let log = tempfile::Builder::new()
            .prefix("chromedriver-")
            .suffix(".log")
            .tempfile()
            .context("Failed to create the chromedriver log file")?;
        let mut command = Command::new(&driver);
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.reopen()?)
            .stderr(log.reopen()?);
        // Its own process group, so the browsers it starts can be ended with it.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .with_context(|| format!("Failed to start {}: {INSTALL_HINT}", driver.display()))?;
        let mut this = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        this.wait_ready().await?;
        Ok(this)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let http = teampanel::tls::client_builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .context("Failed to build an HTTP client to ask chromedriver")?;
        let mut last = String::from("no answer yet");
        for _ in 0..150 {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "chromedriver exited with {status} before it was ready; its log:\n{}",
                    self.log_text()
                );
            }
            match http.get(format!("{}/status", self.base)).send().await {
                Ok(response) => {
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    if body["value"]["ready"] == Value::Bool(true) {
                        return Ok(());
                    }
                    last = body.to_string();
                }
                Err(err) => last = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!(
            "chromedriver at {} did not become ready (last: {last}); its log:\n{}",
            self.base,
            self.log_text()
        )
    }

    /// What chromedriver has written so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Opens a new headless Chromium with a fresh profile.
    pub async fn new_session(&self) -> anyhow::Result<Session> {
        let profile = tempfile::Builder::new()
            .prefix("chromium-profile-")
            .tempdir()
            .context("Failed to create a Chromium profile dir")?;
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--no-proxy-server".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-crash-reporter".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        // Plain HTTP: ChromeDriver listens on loopback only, so no TLS stack is needed.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.base)
            .await
            .with_context(|| {
                format!(
                    "Chromium did not start; chromedriver log:\n{}",
                    self.log_text()
                )
            })?;
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(15)),
                Some(Duration::from_secs(30)),
                Some(Duration::ZERO),
            ))
            .await
            .context("Failed to set the WebDriver timeouts")?;
        Ok(Session {
            client,
            _profile: profile,
        })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any browser it left behind.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A ChromeDriver extension command: a Chrome DevTools Protocol call through
/// its passthrough endpoint.
#[derive(Debug)]
struct DevToolsCommand {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (reqwest::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (reqwest::Method::POST, Some(body.to_string()))
    }
}

/// A Content Security Policy violation, as the browser reported it in a
/// `securitypolicyviolation` event.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct CspViolation {
    /// The directive that blocked it, such as `style-src-attr`.
    pub directive: String,
    /// What was blocked: a URL, or `inline` / `eval`.
    pub blocked: String,
    /// The first characters of the blocked inline code, if any.
    #[serde(default)]
    pub sample: String,
    /// Where it was found, when the browser knows.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub line: u32,
    /// The element that caused it, as `tag#id.class`, when there is one
    /// (an inline `style` attribute, say).
    #[serde(default)]
    pub element: String,
}

/// One browser. `quit` ends it; if the session is dropped instead, the client
/// ends it in the background, and `ChromeDriver`'s drop ends any browser left.
pub struct Session {
    client: Client,
    _profile: tempfile::TempDir,
}

impl Session {
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("Failed to open {url}"))
    }

    pub async fn current_url(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    /// The path (and query) of the current page.
    pub async fn current_path(&self) -> anyhow::Result<String> {
        let current = self.client.current_url().await?;
        Ok(match current.query() {
            Some(query) => format!("{}?{query}", current.path()),
            None => current.path().to_owned(),
        })
    }

    /// The first element matching a CSS selector (an error when none does).
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        self.client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches `{css}`"))
    }

    /// Every element matching a CSS selector (possibly none).
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .with_context(|| format!("Failed to look for `{css}`"))
    }

    /// The first element under `parent` matching a CSS selector.
    pub async fn find_in(&self, parent: &Element, css: &str) -> anyhow::Result<Element> {
        parent
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no element inside matches `{css}`"))
    }

    pub async fn click(&self, element: &Element) -> anyhow::Result<()> {
        Ok(element.click().await?)
    }

    pub async fn clear(&self, element: &Element) -> anyhow::Result<()> {
        Ok(element.clear().await?)
    }

    pub async fn send_keys(&self, element: &Element, text: &str) -> anyhow::Result<()> {
        Ok(element.send_keys(text).await?)
    }

    /// Replaces the value of the input matching `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let input = self.find(css).await?;
        self.clear(&input).await?;
        self.send_keys(&input, text).await
    }

    /// The rendered text of an element.
    pub async fn text(&self, element: &Element) -> anyhow::Result<String> {
        Ok(element.text().await?)
    }

    /// An attribute as written in the markup, or None when absent.
    pub async fn attribute(&self, element: &Element, name: &str) -> anyhow::Result<Option<String>> {
        Ok(element.attr(name).await?)
    }

    /// A DOM property, such as `value` or `checked`, as the page has it
    /// (fantoccini's own `prop` turns every value into a string).
    pub async fn property(&self, element: &Element, name: &str) -> anyhow::Result<Value> {
        self.execute(
            "return arguments[0][arguments[1]];",
            vec![serde_json::to_value(element)?, json!(name)],
        )
        .await
        .with_context(|| format!("Failed to read the property {name}"))
    }

    /// Selects, in the `<select>` matching `css`, the option matching
    /// `option_css` (relative to the select), by clicking it as a user would.
    /// Returns the option's value.
    pub async fn select_option(&self, css: &str, option_css: &str) -> anyhow::Result<String> {
        let select = self.find(css).await?;
        let option = self
            .find_in(&select, option_css)
            .await
            .with_context(|| format!("in the select `{css}`"))?;
        self.click(&option).await?;
        let value = self.property(&option, "value").await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Presses and releases Tab, as someone moving through the page with the keyboard.
    pub async fn press_tab(&self) -> anyhow::Result<()> {
        // WebDriver's code for the Tab key.
        const TAB: char = '\u{E004}';
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: TAB })
            .then(KeyAction::Up { value: TAB });
        self.client
            .perform_actions(keys)
            .await
            .context("Failed to press Tab")
    }

    /// Runs a script synchronously in the page; `arguments` are available to
    /// it. When it returns a promise, ChromeDriver waits for it.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.client
            .execute(script, args)
            .await
            .context("a script in the page failed")
    }

    /// Sends a Chrome DevTools Protocol command through ChromeDriver's
    /// passthrough (a ChromeDriver extension, not W3C WebDriver).
    pub async fn cdp(&self, cmd: &str, params: Value) -> anyhow::Result<Value> {
        let command = DevToolsCommand {
            cmd: cmd.to_owned(),
            params,
        };
        self.client
            .issue_cmd(command)
            .await
            .with_context(|| format!("the DevTools command {cmd} failed"))
    }

    /// Makes the page's viewport `width` × `height` CSS pixels. The size is
    /// set through DevTools' device metrics override rather than by resizing
    /// the window: a headless window resizes asynchronously, so the size read
    /// back right after a resize may still be the old one. The override holds
    /// across navigations and is read back until the page reports it.
    pub async fn set_viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await?;
        let mut seen = (0, 0);
        for _ in 0..20 {
            let inner = self
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await?;
            seen = (
                inner[0].as_i64().unwrap_or_default(),
                inner[1].as_i64().unwrap_or_default(),
            );
            if seen == (i64::from(width), i64::from(height)) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the browser would not show a {width}×{height} viewport (it shows {}×{})",
            seen.0,
            seen.1
        )
    }

    /// Makes the page see `prefers-color-scheme: dark` (or light), for this
    /// and every later page of the session.
    pub async fn emulate_color_scheme(&self, dark: bool) -> anyhow::Result<()> {
        let value = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }),
        )
        .await?;
        Ok(())
    }

    /// From now on every document records the Content Security Policy
    /// violations it reports, for `csp_violations`. The listener is added
    /// through DevTools, so it runs before the page's own scripts and is not
    /// itself subject to the page's policy.
    pub async fn record_csp_violations(&self) -> anyhow::Result<()> {
        let source = "window.__cspViolations = []; \
             document.addEventListener('securitypolicyviolation', (e) => { \
               window.__cspViolations.push({ \
                 directive: e.effectiveDirective || e.violatedDirective, \
                 blocked: e.blockedURI, sample: e.sample, \
                 source: e.sourceFile, line: e.lineNumber, \
                 element: e.target instanceof Element ? e.target.localName + \
                   (e.target.id ? '#' + e.target.id : '') + \
                   [...e.target.classList].slice(0, 2).map(c => '.' + c).join('') : '' }); \
             }, true);";
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await?;
        Ok(())
    }

    /// The CSP violations the current document has reported so far (see
    /// `record_csp_violations`); an error when nothing is recording.
    pub async fn csp_violations(&self) -> anyhow::Result<Vec<CspViolation>> {
        let value = self
            .execute("return window.__cspViolations || null;", vec![])
            .await?;
        if value.is_null() {
            bail!("this page records no CSP violations: was record_csp_violations called?");
        }
        serde_json::from_value(value).context("odd CSP violations from the page")
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> anyhow::Result<String> {
        let value = self
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// A PNG of the viewport, written to `path` (its directory is created).
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let png = self
            .client
            .screenshot()
            .await
            .context("Failed to take a screenshot")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("Failed to create {}", dir.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("Failed to write {}", path.display()))
    }

    /// Ends the browser.
    pub async fn quit(self) -> anyhow::Result<()> {
        Ok(self.client.close().await?)
    }
}
