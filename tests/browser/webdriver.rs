//! A small W3C WebDriver client over HTTP/JSON, enough to drive headless
//! Chromium through ChromeDriver: sessions, navigation, elements, scripts,
//! screenshots, window size, and (through ChromeDriver's DevTools passthrough)
//! colour scheme emulation and CSP violation recording.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "chromedriver";
/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const INSTALL_HINT: &str = "the browser tests need Chromium and ChromeDriver: \
     run `apt-get install chromium chromium-driver` (`.ci/run` does this)";

/// A WebDriver error answer: `error` is the W3C error code, such as
/// `no such element` or `stale element reference`.
#[derive(Debug)]
pub struct WebDriverError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebDriver error `{}`: {}", self.error, self.message)
    }
}

impl std::error::Error for WebDriverError {}

/// True when `err` says an element is not (or no longer) in the page, which
/// is a reason to look again rather than to give up.
pub fn is_missing_element(err: &anyhow::Error) -> bool {
    err.downcast_ref::<WebDriverError>()
        .is_some_and(|e| e.error == "no such element" || e.error == "stale element reference")
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    teampanel::tls::client_builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .context("Failed to build the WebDriver HTTP client")
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
    http: reqwest::Client,
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
            http: http_client()?,
            log,
        };
        this.wait_ready().await?;
        Ok(this)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let mut last = String::from("no answer yet");
        for _ in 0..150 {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "chromedriver exited with {status} before it was ready; its log:\n{}",
                    self.log_text()
                );
            }
            match self.http.get(format!("{}/status", self.base)).send().await {
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
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
                }
            }
        });
        let response = self
            .http
            .post(format!("{}/session", self.base))
            .json(&capabilities)
            .send()
            .await
            .context("Failed to ask chromedriver for a session")?;
        let value = answer(response).await.with_context(|| {
            format!(
                "Chromium did not start; chromedriver log:\n{}",
                self.log_text()
            )
        })?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no sessionId in the new session answer: {value}"))?
            .to_owned();
        let session = Session {
            http: self.http.clone(),
            url: format!("{}/session/{id}", self.base),
            closed: false,
            _profile: profile,
        };
        session
            .command(
                reqwest::Method::POST,
                "/timeouts",
                Some(json!({ "implicit": 0, "pageLoad": 30_000, "script": 15_000 })),
            )
            .await?;
        Ok(session)
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

/// Reads a WebDriver answer: the `value` on success, a `WebDriverError` otherwise.
async fn answer(response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let body = response
        .text()
        .await
        .context("Failed to read a WebDriver answer")?;
    let parsed: Value = serde_json::from_str(&body)
        .with_context(|| format!("WebDriver answered HTTP {status} with non-JSON: {body}"))?;
    let value = parsed.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(value);
    }
    Err(WebDriverError {
        error: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_owned(),
        message: value["message"].as_str().unwrap_or(&body).to_owned(),
    }
    .into())
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

/// One browser: deleted explicitly with `quit`, or on drop as a fallback.
pub struct Session {
    http: reqwest::Client,
    url: String,
    closed: bool,
    _profile: tempfile::TempDir,
}

/// An element reference inside a session.
#[derive(Clone, Debug)]
pub struct Element {
    id: String,
}

impl Session {
    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        } else if method == reqwest::Method::POST {
            request = request.json(&json!({}));
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("WebDriver {method} {path} failed"))?;
        answer(response).await
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.command(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.command(reqwest::Method::GET, path, None).await
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.post("/url", json!({ "url": url }))
            .await
            .with_context(|| format!("Failed to open {url}"))?;
        Ok(())
    }

    pub async fn current_url(&self) -> anyhow::Result<String> {
        let value = self.get("/url").await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The path (and query) of the current page.
    pub async fn current_path(&self) -> anyhow::Result<String> {
        let current = self.current_url().await?;
        let parsed = url::Url::parse(&current)
            .with_context(|| format!("the browser is at an odd URL: {current}"))?;
        Ok(match parsed.query() {
            Some(query) => format!("{}?{query}", parsed.path()),
            None => parsed.path().to_owned(),
        })
    }

    fn element_of(value: &Value) -> anyhow::Result<Element> {
        let id = value[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| anyhow!("not an element reference: {value}"))?;
        Ok(Element { id: id.to_owned() })
    }

    /// The first element matching a CSS selector (an error when none does).
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        let value = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await
            .with_context(|| format!("no element matches `{css}`"))?;
        Self::element_of(&value)
    }

    /// Every element matching a CSS selector (possibly none).
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        let value = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        value
            .as_array()
            .ok_or_else(|| anyhow!("odd answer to find elements `{css}`: {value}"))?
            .iter()
            .map(Self::element_of)
            .collect()
    }

    /// The first element under `parent` matching a CSS selector.
    pub async fn find_in(&self, parent: &Element, css: &str) -> anyhow::Result<Element> {
        let value = self
            .post(
                &format!("/element/{}/element", parent.id),
                json!({ "using": "css selector", "value": css }),
            )
            .await
            .with_context(|| format!("no element inside matches `{css}`"))?;
        Self::element_of(&value)
    }

    pub async fn click(&self, element: &Element) -> anyhow::Result<()> {
        self.post(&format!("/element/{}/click", element.id), json!({}))
            .await?;
        Ok(())
    }

    pub async fn clear(&self, element: &Element) -> anyhow::Result<()> {
        self.post(&format!("/element/{}/clear", element.id), json!({}))
            .await?;
        Ok(())
    }

    pub async fn send_keys(&self, element: &Element, text: &str) -> anyhow::Result<()> {
        self.post(
            &format!("/element/{}/value", element.id),
            json!({ "text": text }),
        )
        .await?;
        Ok(())
    }

    /// Replaces the value of the input matching `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let input = self.find(css).await?;
        self.clear(&input).await?;
        self.send_keys(&input, text).await
    }

    /// The rendered text of an element.
    pub async fn text(&self, element: &Element) -> anyhow::Result<String> {
        let value = self.get(&format!("/element/{}/text", element.id)).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// An attribute as written in the markup, or None when absent.
    pub async fn attribute(&self, element: &Element, name: &str) -> anyhow::Result<Option<String>> {
        let value = self
            .get(&format!("/element/{}/attribute/{name}", element.id))
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// A DOM property, such as `value` or `checked`.
    pub async fn property(&self, element: &Element, name: &str) -> anyhow::Result<Value> {
        self.get(&format!("/element/{}/property/{name}", element.id))
            .await
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

    /// Runs a script synchronously in the page; `arguments` are available to it.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
            .context("a script in the page failed")
    }

    /// Sends a Chrome DevTools Protocol command through ChromeDriver's
    /// passthrough (a ChromeDriver extension, not W3C WebDriver).
    pub async fn cdp(&self, cmd: &str, params: Value) -> anyhow::Result<Value> {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
            .await
            .with_context(|| format!("the DevTools command {cmd} failed"))
    }

    /// Makes the page's viewport (the window's inner size) `width` × `height`
    /// CSS pixels. The window rect includes whatever the browser draws around
    /// the page, so the window is resized, measured, and resized again by the
    /// difference.
    pub async fn set_viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        let (mut outer_width, mut outer_height) = (i64::from(width), i64::from(height));
        for _ in 0..3 {
            self.post(
                "/window/rect",
                json!({ "width": outer_width, "height": outer_height }),
            )
            .await
            .with_context(|| format!("Failed to resize the window to {width}×{height}"))?;
            let inner = self
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await?;
            let (inner_width, inner_height) = (
                inner[0].as_i64().unwrap_or_default(),
                inner[1].as_i64().unwrap_or_default(),
            );
            if inner_width == i64::from(width) && inner_height == i64::from(height) {
                return Ok(());
            }
            outer_width += i64::from(width) - inner_width;
            outer_height += i64::from(height) - inner_height;
        }
        bail!("the browser would not show a {width}×{height} viewport")
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
        let value = self.get("/screenshot").await?;
        let encoded = value
            .as_str()
            .ok_or_else(|| anyhow!("the screenshot answer is not a string"))?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .context("the screenshot is not base64")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("Failed to create {}", dir.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("Failed to write {}", path.display()))
    }

    /// Ends the browser.
    pub async fn quit(mut self) -> anyhow::Result<()> {
        self.closed = true;
        self.command(reqwest::Method::DELETE, "", None).await?;
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        // Drop cannot await: a short-lived thread with its own runtime ends the
        // session, whatever runtime (if any) the caller is on.
        let url = self.url.clone();
        let ended = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(http) = http_client() {
                    let _ = http
                        .delete(url)
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await;
                }
            });
        });
        let _ = ended.join();
    }
}
