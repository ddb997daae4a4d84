//! Settings from `TEAMPANEL_*` environment variables, `TEAMPANEL_*_FILE` for
//! secrets, and an optional TOML file named by `TEAMPANEL_CONFIG`.
//!
//! Precedence: environment over file over defaults. A bad value stops
//! start-up with a message that names the setting and says what is wrong.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// Base64 of 32 bytes; when absent a key file in the data dir is used.
    pub master_key: Option<Secret>,
    /// The address users type, e.g. `https://panel.example.org`.
    pub public_url: Option<url::Url>,
    /// Extra origins accepted on unsafe requests (a reverse proxy's address).
    pub trusted_origins: Vec<String>,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, whatever happens.
    pub session_absolute: Duration,
    /// Sign-in attempts allowed per minute from one IP address.
    pub login_attempts_per_ip: u32,
    /// Sign-in attempts allowed per minute for one account.
    pub login_attempts_per_account: u32,
    /// How long a Cloud Panel read of servers and other live resources
    /// stays fresh in the cache.
    pub cache_ttl: Duration,
    /// How long the catalogue (datacenters, appliances, sizes, ISOs) and
    /// pricing stay fresh: they change on the provider's schedule.
    pub catalogue_ttl: Duration,
    /// How long images, SSH keys and the account's users and roles stay fresh.
    pub account_data_ttl: Duration,
    /// How long logs, usages and monitoring figures stay fresh.
    pub activity_ttl: Duration,
    /// How long answers of live resources other than servers stay fresh
    /// while nothing in them is between states.
    pub settled_ttl: Duration,
    /// How long a read a member waits for may wait for the request budget
    /// before the page shows what is known instead.
    pub budget_wait: Duration,
    /// Timeout of one Cloud Panel call.
    pub upstream_timeout: Duration,
    /// The Cloud Panel's rate-limit window assumed until its headers say
    /// otherwise (a minute); tests shorten it.
    pub upstream_rate_window: Duration,
    /// Changes that may wait in one cloud account's queue for its request
    /// budget; past it a change is refused.
    pub change_queue_max: u32,
    /// How late a schedule's run may start after the panel was down at its
    /// time; a run missed by more is recorded as missed.
    pub schedule_grace: Duration,
    /// How often the schedules' worker looks for runs due (tests that
    /// sweep by hand set it long).
    pub schedule_sweep_every: Duration,
    /// Requests per minute each API token may make.
    pub api_rate_limit: u32,
    /// `tracing` filter, e.g. `info` or `teampanel=debug,info`.
    pub log_filter: String,
    /// How log lines are written: for people or for machines.
    pub log_format: LogFormat,
    /// The base URLs an organisation may give its cloud accounts; any other
    /// one only an instance admin may set. Normalised as `BaseUrl` stores them.
    pub allowed_base_urls: Vec<String>,
    /// Where an organisation's webhooks may point: each URL and anything
    /// beneath it at a path-segment boundary; any other one only an
    /// instance admin may set. Empty (the default): none.
    pub allowed_webhook_urls: Vec<String>,
    /// The first wait before a failed webhook delivery is tried again; the
    /// later waits are multiples of it (tests shrink it).
    pub webhook_retry_base: Duration,
    /// The bearer token `/metrics` asks for; without one the endpoint is off.
    pub metrics_token: Option<Secret>,
    /// The organisation's identity provider (OpenID Connect), when set.
    pub oidc: Option<OidcSettings>,
    /// Who may sign in with a password (`TEAMPANEL_PASSWORD_SIGN_IN`).
    pub password_sign_in: PasswordSignIn,
}

/// `TEAMPANEL_OIDC_*`: the one OpenID Connect provider people may sign in with.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer, as its discovery document names it (no trailing slash).
    pub issuer: String,
    pub client_id: String,
    /// Absent for a public client (PKCE alone).
    pub client_secret: Option<Secret>,
    /// The sign-in button says "Sign in with {label}".
    pub label: String,
    /// E-mail domains (lower case) whose people may sign in this way; empty: any.
    pub allowed_domains: Vec<String>,
    /// The ID token claim listing the person's groups, when groups grant memberships.
    pub groups_claim: Option<String>,
}

/// `TEAMPANEL_PASSWORD_SIGN_IN`: `everyone` (default) or `admins_only`, once
/// people sign in with the identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordSignIn {
    #[default]
    Everyone,
    AdminsOnly,
}

/// `TEAMPANEL_LOG_FORMAT`: `text` (default) or `json`, one object per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Settings {
    /// Secure cookies and HSTS are on when users reach the panel over https.
    pub fn is_secure(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https")
    }

    /// Origins that may send unsafe requests, besides the request's own host.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins = self.trusted_origins.clone();
        if let Some(url) = &self.public_url {
            origins.push(url.origin().ascii_serialization());
        }
        origins
    }

    /// Whether an organisation may point a cloud account at `base_url`
    /// (already normalised) without an instance admin.
    pub fn base_url_allowed(&self, base_url: &str) -> bool {
        self.allowed_base_urls
            .iter()
            .any(|allowed| allowed == base_url)
    }

    /// Whether an organisation may send webhooks to `url` (as
    /// `domain::WebhookUrl` stores it) without an instance admin.
    pub fn webhook_url_allowed(&self, url: &str) -> bool {
        url_beneath_any(url, &self.allowed_webhook_urls)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("teampanel.db")
    }

    /// Settings for tests and the demo: everything default but the data dir and bind.
    pub fn for_data_dir(data_dir: &Path, bind: SocketAddr) -> Self {
        let mut settings = Self::defaults();
        settings.data_dir = data_dir.to_path_buf();
        settings.bind = bind;
        settings
    }

    fn defaults() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            master_key: None,
            public_url: None,
            trusted_origins: Vec::new(),
            session_idle: Duration::from_secs(2 * 60 * 60),
            session_absolute: Duration::from_secs(24 * 60 * 60),
            login_attempts_per_ip: 20,
            login_attempts_per_account: 5,
            cache_ttl: Duration::from_secs(10),
            catalogue_ttl: Duration::from_secs(6 * 60 * 60),
            account_data_ttl: Duration::from_secs(5 * 60),
            activity_ttl: Duration::from_secs(60),
            settled_ttl: Duration::from_secs(60),
            budget_wait: Duration::from_secs(2),
            upstream_timeout: Duration::from_secs(15),
            upstream_rate_window: Duration::from_secs(60),
            change_queue_max: 100,
            schedule_grace: Duration::from_secs(30 * 60),
            schedule_sweep_every: Duration::from_secs(15),
            api_rate_limit: 120,
            log_filter: "info".to_owned(),
            log_format: LogFormat::Text,
            // Both providers' public APIs.
            allowed_base_urls: vec![
                crate::cloudpanel::DEFAULT_BASE_URL.to_owned(),
                crate::cloudpanel::e2e::DEFAULT_BASE_URL.to_owned(),
            ],
            allowed_webhook_urls: Vec::new(),
            webhook_retry_base: Duration::from_secs(30),
            metrics_token: None,
            oidc: None,
            password_sign_in: PasswordSignIn::Everyone,
        }
    }

    /// Reads the process environment (and the file it names).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads settings from a map of variables, so tests need not touch the process environment.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let file = match vars.get("TEAMPANEL_CONFIG") {
            Some(path) => FileSettings::read(Path::new(path))?,
            None => FileSettings::default(),
        };
        let source = Source { vars, file: &file };
        let mut s = Self::defaults();

        if let Some((name, raw)) = source.get("TEAMPANEL_BIND", file.bind.as_deref()) {
            s.bind = raw
                .parse()
                .map_err(|_| ConfigError::invalid(&name, &raw, "an address like 127.0.0.1:8080"))?;
        }
        if let Some((_, raw)) = source.get("TEAMPANEL_DATA_DIR", file.data_dir.as_deref()) {
            s.data_dir = PathBuf::from(raw);
        }
        s.master_key = source.secret("TEAMPANEL_MASTER_KEY", file.master_key.as_deref())?;
        if let Some((name, raw)) = source.get("TEAMPANEL_PUBLIC_URL", file.public_url.as_deref()) {
            let url = url::Url::parse(&raw).map_err(|_| {
                ConfigError::invalid(&name, &raw, "a URL like https://panel.example.org")
            })?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(ConfigError::invalid(
                    &name,
                    &raw,
                    "an http:// or https:// URL with a host",
                ));
            }
            s.public_url = Some(url);
        }
        if let Some((name, raw)) =
            source.get("TEAMPANEL_TRUSTED_ORIGINS", file.trusted_origins.as_deref())
        {
            s.trusted_origins = parse_origins(&name, &raw)?;
        }
        if let Some(minutes) = source.number(
            "TEAMPANEL_SESSION_IDLE_MINUTES",
            file.session_idle_minutes,
            1,
            60 * 24 * 30,
        )? {
            s.session_idle = Duration::from_secs(minutes * 60);
        }
        if let Some(hours) = source.number(
            "TEAMPANEL_SESSION_ABSOLUTE_HOURS",
            file.session_absolute_hours,
            1,
            24 * 90,
        )? {
            s.session_absolute = Duration::from_secs(hours * 60 * 60);
        }
        if let Some(n) = source.number(
            "TEAMPANEL_LOGIN_ATTEMPTS_PER_IP",
            file.login_attempts_per_ip,
            1,
            10_000,
        )? {
            s.login_attempts_per_ip = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(n) = source.number(
            "TEAMPANEL_LOGIN_ATTEMPTS_PER_ACCOUNT",
            file.login_attempts_per_account,
            1,
            10_000,
        )? {
            s.login_attempts_per_account = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_CACHE_TTL_SECONDS",
            file.cache_ttl_seconds,
            0,
            3600,
        )? {
            s.cache_ttl = Duration::from_secs(secs);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_CATALOGUE_TTL_SECONDS",
            file.catalogue_ttl_seconds,
            0,
            7 * 24 * 3600,
        )? {
            s.catalogue_ttl = Duration::from_secs(secs);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_ACCOUNT_DATA_TTL_SECONDS",
            file.account_data_ttl_seconds,
            0,
            24 * 3600,
        )? {
            s.account_data_ttl = Duration::from_secs(secs);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_ACTIVITY_TTL_SECONDS",
            file.activity_ttl_seconds,
            0,
            3600,
        )? {
            s.activity_ttl = Duration::from_secs(secs);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_SETTLED_TTL_SECONDS",
            file.settled_ttl_seconds,
            0,
            3600,
        )? {
            s.settled_ttl = Duration::from_secs(secs);
        }
        if let Some(ms) = source.number(
            "TEAMPANEL_BUDGET_WAIT_MILLIS",
            file.budget_wait_millis,
            0,
            30_000,
        )? {
            s.budget_wait = Duration::from_millis(ms);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_UPSTREAM_TIMEOUT_SECONDS",
            file.upstream_timeout_seconds,
            1,
            300,
        )? {
            s.upstream_timeout = Duration::from_secs(secs);
        }
        if let Some(secs) = source.number(
            "TEAMPANEL_UPSTREAM_RATE_WINDOW_SECONDS",
            file.upstream_rate_window_seconds,
            1,
            3600,
        )? {
            s.upstream_rate_window = Duration::from_secs(secs);
        }
        if let Some(n) = source.number(
            "TEAMPANEL_CHANGE_QUEUE_MAX",
            file.change_queue_max,
            1,
            10_000,
        )? {
            s.change_queue_max = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(minutes) = source.number(
            "TEAMPANEL_SCHEDULE_GRACE_MINUTES",
            file.schedule_grace_minutes,
            0,
            7 * 24 * 60,
        )? {
            s.schedule_grace = Duration::from_secs(minutes * 60);
        }
        if let Some(n) =
            source.number("TEAMPANEL_API_RATE_LIMIT", file.api_rate_limit, 1, 100_000)?
        {
            s.api_rate_limit = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some((_, raw)) = source.get("TEAMPANEL_LOG", file.log.as_deref()) {
            s.log_filter = raw;
        }
        if let Some((name, raw)) = source.get("TEAMPANEL_LOG_FORMAT", file.log_format.as_deref()) {
            s.log_format = match raw.to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(ConfigError::invalid(&name, &raw, "`text` or `json`")),
            };
        }
        if let Some((name, raw)) = source.get(
            "TEAMPANEL_ALLOWED_BASE_URLS",
            file.allowed_base_urls.as_deref(),
        ) {
            s.allowed_base_urls = parse_base_urls(&name, &raw)?;
        }
        if let Some((name, raw)) = source.get(
            "TEAMPANEL_ALLOWED_WEBHOOK_URLS",
            file.allowed_webhook_urls.as_deref(),
        ) {
            s.allowed_webhook_urls = parse_urls(
                &name,
                &raw,
                "comma-separated http:// or https:// URLs like https://hooks.example.org/teampanel",
            )?;
        }
        s.metrics_token = source
            .secret("TEAMPANEL_METRICS_TOKEN", file.metrics_token.as_deref())?
            .filter(|token| !token.expose().is_empty());
        s.oidc = oidc_settings(&source, &file)?;
        if s.oidc.is_some() && s.public_url.is_none() {
            return Err(ConfigError {
                setting: "TEAMPANEL_PUBLIC_URL".into(),
                problem: "is needed with TEAMPANEL_OIDC_ISSUER: the provider sends people back to \
                          {TEAMPANEL_PUBLIC_URL}/login/oidc/callback"
                    .into(),
            });
        }
        if let Some((name, raw)) = source.get(
            "TEAMPANEL_PASSWORD_SIGN_IN",
            file.password_sign_in.as_deref(),
        ) {
            s.password_sign_in = match raw.to_ascii_lowercase().as_str() {
                "everyone" => PasswordSignIn::Everyone,
                "admins_only" => PasswordSignIn::AdminsOnly,
                _ => {
                    return Err(ConfigError::invalid(
                        &name,
                        &raw,
                        "`everyone` or `admins_only`",
                    ));
                }
            };
        }
        Ok(s)
    }

    /// The address the identity provider sends people back to.
    pub fn oidc_redirect_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|url| format!("{}/login/oidc/callback", url.as_str().trim_end_matches('/')))
    }
}

fn oidc_settings(
    source: &Source<'_>,
    file: &FileSettings,
) -> Result<Option<OidcSettings>, ConfigError> {
    let Some((name, raw)) = source.get("TEAMPANEL_OIDC_ISSUER", file.oidc_issuer.as_deref()) else {
        return Ok(None);
    };
    if raw.is_empty() {
        return Ok(None);
    }
    let issuer = url::Url::parse(&raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .filter(|u| u.query().is_none() && u.fragment().is_none())
        .ok_or_else(|| {
            ConfigError::invalid(
                &name,
                &raw,
                "an issuer URL like https://id.example.org/realms/staff",
            )
        })?;
    let Some((_, client_id)) =
        source.get("TEAMPANEL_OIDC_CLIENT_ID", file.oidc_client_id.as_deref())
    else {
        return Err(ConfigError {
            setting: "TEAMPANEL_OIDC_CLIENT_ID".into(),
            problem: "is needed with TEAMPANEL_OIDC_ISSUER".into(),
        });
    };
    if client_id.is_empty() {
        return Err(ConfigError::invalid(
            "TEAMPANEL_OIDC_CLIENT_ID",
            "",
            "the client id the provider gave the panel",
        ));
    }
    let client_secret = source
        .secret(
            "TEAMPANEL_OIDC_CLIENT_SECRET",
            file.oidc_client_secret.as_deref(),
        )?
        .filter(|secret| !secret.expose().is_empty());
    let label = source
        .get("TEAMPANEL_OIDC_LABEL", file.oidc_label.as_deref())
        .map(|(_, label)| label)
        .filter(|label| !label.is_empty())
        .unwrap_or_else(|| "single sign-on".to_owned());
    let allowed_domains = match source.get(
        "TEAMPANEL_OIDC_ALLOWED_DOMAINS",
        file.oidc_allowed_domains.as_deref(),
    ) {
        Some((name, raw)) => raw
            .split(',')
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .map(|d| {
                if d.contains(['@', '/', ' ']) || !d.contains('.') {
                    Err(ConfigError::invalid(
                        &name,
                        &d,
                        "comma-separated e-mail domains like example.org",
                    ))
                } else {
                    Ok(d)
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let groups_claim = source
        .get(
            "TEAMPANEL_OIDC_GROUPS_CLAIM",
            file.oidc_groups_claim.as_deref(),
        )
        .map(|(_, claim)| claim)
        .filter(|claim| !claim.is_empty());
    Ok(Some(OidcSettings {
        issuer: issuer.as_str().trim_end_matches('/').to_owned(),
        client_id,
        client_secret,
        label,
        allowed_domains,
        groups_claim,
    }))
}

fn parse_origins(name: &str, raw: &str) -> Result<Vec<String>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let url = url::Url::parse(origin).map_err(|_| {
                ConfigError::invalid(
                    name,
                    origin,
                    "comma-separated origins like https://panel.example.org",
                )
            })?;
            match url.origin() {
                o @ url::Origin::Tuple(..) => Ok(o.ascii_serialization()),
                url::Origin::Opaque(_) => Err(ConfigError::invalid(
                    name,
                    origin,
                    "an http:// or https:// origin",
                )),
            }
        })
        .collect()
}

/// Comma-separated base URLs, normalised the way a cloud account's is
/// stored (no trailing slash), so a comparison is a string comparison.
fn parse_base_urls(name: &str, raw: &str) -> Result<Vec<String>, ConfigError> {
    parse_urls(
        name,
        raw,
        "comma-separated base URLs like https://cloudpanel-api.ionos.com/v1",
    )
}

/// Comma-separated URLs under the base URLs' rules; `expected` says what
/// a bad one should have looked like.
fn parse_urls(name: &str, raw: &str, expected: &str) -> Result<Vec<String>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|raw_url| {
            let url = url::Url::parse(raw_url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .filter(|u| u.query().is_none() && u.fragment().is_none())
                .ok_or_else(|| ConfigError::invalid(name, raw_url, expected))?;
            Ok(url.as_str().trim_end_matches('/').to_owned())
        })
        .collect()
}

/// Whether `url` equals one of `allowed` or lies beneath one at a
/// path-segment boundary: `https://hooks.example.org/teampanel` allows
/// `…/teampanel/ops`, not `…/teampanelx`. Both sides are normalised URLs
/// (scheme and host in lower case, no trailing slash), so the comparison
/// is of text; a port or a user name changes what follows the host and
/// never matches.
pub fn url_beneath_any(url: &str, allowed: &[String]) -> bool {
    let url = url.trim_end_matches('/');
    allowed.iter().any(|a| {
        url.strip_prefix(a.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The optional TOML file: the same settings, lower-case names without the prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<String>,
    master_key: Option<String>,
    master_key_file: Option<String>,
    public_url: Option<String>,
    trusted_origins: Option<String>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    login_attempts_per_ip: Option<u64>,
    login_attempts_per_account: Option<u64>,
    cache_ttl_seconds: Option<u64>,
    catalogue_ttl_seconds: Option<u64>,
    account_data_ttl_seconds: Option<u64>,
    activity_ttl_seconds: Option<u64>,
    settled_ttl_seconds: Option<u64>,
    budget_wait_millis: Option<u64>,
    upstream_timeout_seconds: Option<u64>,
    upstream_rate_window_seconds: Option<u64>,
    change_queue_max: Option<u64>,
    schedule_grace_minutes: Option<u64>,
    api_rate_limit: Option<u64>,
    log: Option<String>,
    log_format: Option<String>,
    allowed_base_urls: Option<String>,
    allowed_webhook_urls: Option<String>,
    metrics_token: Option<String>,
    metrics_token_file: Option<String>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    oidc_client_secret_file: Option<String>,
    oidc_label: Option<String>,
    oidc_allowed_domains: Option<String>,
    oidc_groups_claim: Option<String>,
    password_sign_in: Option<String>,
}

impl FileSettings {
    fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            setting: "TEAMPANEL_CONFIG".into(),
            problem: format!("cannot read {}: {e}", path.display()),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError {
            setting: "TEAMPANEL_CONFIG".into(),
            problem: format!("{} is not valid: {}", path.display(), e.message()),
        })
    }
}

struct Source<'a> {
    vars: &'a HashMap<String, String>,
    file: &'a FileSettings,
}

impl Source<'_> {
    /// The raw value and the name to blame for it: the variable, or the file key.
    fn get(&self, var: &str, from_file: Option<&str>) -> Option<(String, String)> {
        if let Some(v) = self.vars.get(var) {
            return Some((var.to_owned(), v.trim().to_owned()));
        }
        from_file.map(|v| (file_key(var), v.trim().to_owned()))
    }

    fn number(
        &self,
        var: &str,
        from_file: Option<u64>,
        min: u64,
        max: u64,
    ) -> Result<Option<u64>, ConfigError> {
        let (name, value) = match self.vars.get(var) {
            Some(raw) => {
                let value = raw
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| ConfigError::invalid(var, raw, "a whole number"))?;
                (var.to_owned(), value)
            }
            None => match from_file {
                Some(value) => (file_key(var), value),
                None => return Ok(None),
            },
        };
        if !(min..=max).contains(&value) {
            return Err(ConfigError::invalid(
                &name,
                &value.to_string(),
                &format!("a number from {min} to {max}"),
            ));
        }
        Ok(Some(value))
    }

    /// A secret given directly (`NAME`) or as a file (`NAME_FILE`), never both.
    fn secret(&self, var: &str, from_file: Option<&str>) -> Result<Option<Secret>, ConfigError> {
        let file_var = format!("{var}_FILE");
        let direct = self
            .vars
            .get(var)
            .cloned()
            .or_else(|| from_file.map(str::to_owned));
        let path = self.vars.get(&file_var).cloned().or_else(|| match var {
            "TEAMPANEL_MASTER_KEY" => self.file.master_key_file.clone(),
            "TEAMPANEL_METRICS_TOKEN" => self.file.metrics_token_file.clone(),
            "TEAMPANEL_OIDC_CLIENT_SECRET" => self.file.oidc_client_secret_file.clone(),
            _ => None,
        });
        match (direct, path) {
            (Some(_), Some(_)) => Err(ConfigError {
                setting: var.to_owned(),
                problem: format!("both {var} and {file_var} are set; set only one"),
            }),
            (Some(value), None) => Ok(Some(Secret::new(value.trim().to_owned()))),
            (None, Some(path)) => {
                let value = std::fs::read_to_string(&path).map_err(|e| ConfigError {
                    setting: file_var.clone(),
                    problem: format!("cannot read {path}: {e}"),
                })?;
                Ok(Some(Secret::new(value.trim().to_owned())))
            }
            (None, None) => Ok(None),
        }
    }
}

fn file_key(var: &str) -> String {
    format!(
        "{} (in TEAMPANEL_CONFIG)",
        var.trim_start_matches("TEAMPANEL_").to_ascii_lowercase()
    )
}

/// A setting that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("setting {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

impl ConfigError {
    fn invalid(setting: &str, value: &str, expected: &str) -> Self {
        Self {
            setting: setting.to_owned(),
            problem: format!("`{value}` is not valid; expected {expected}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_apply_without_variables() {
        let s = Settings::from_vars(&HashMap::new()).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(!s.is_secure());
    }

    #[test]
    fn bad_bind_names_the_setting() {
        let err = Settings::from_vars(&vars(&[("TEAMPANEL_BIND", "nonsense")])).unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_BIND");
        assert!(err.to_string().contains("`nonsense` is not valid"));
    }

    #[test]
    fn https_public_url_turns_on_secure_cookies_and_trusts_its_origin() {
        let s = Settings::from_vars(&vars(&[(
            "TEAMPANEL_PUBLIC_URL",
            "https://panel.example.org/",
        )]))
        .unwrap();
        assert!(s.is_secure());
        assert_eq!(
            s.allowed_origins(),
            vec!["https://panel.example.org".to_owned()]
        );
    }

    #[test]
    fn numbers_out_of_range_are_refused() {
        let err =
            Settings::from_vars(&vars(&[("TEAMPANEL_SESSION_IDLE_MINUTES", "0")])).unwrap_err();
        assert!(err.to_string().contains("from 1 to"));
    }

    #[test]
    fn secret_and_secret_file_together_are_refused() {
        let err = Settings::from_vars(&vars(&[
            ("TEAMPANEL_MASTER_KEY", "abc"),
            ("TEAMPANEL_MASTER_KEY_FILE", "/nonexistent"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("set only one"));
    }

    #[test]
    fn file_settings_are_read_and_env_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teampanel.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9999\"\ncache_ttl_seconds = 3\n").unwrap();
        let s = Settings::from_vars(&vars(&[
            ("TEAMPANEL_CONFIG", path.to_str().unwrap()),
            ("TEAMPANEL_CACHE_TTL_SECONDS", "7"),
        ]))
        .unwrap();
        assert_eq!(s.bind.port(), 9999);
        assert_eq!(s.cache_ttl, Duration::from_secs(7));
    }

    #[test]
    fn allowed_base_urls_default_to_the_official_api_and_are_normalised() {
        let s = Settings::from_vars(&HashMap::new()).unwrap();
        assert!(s.base_url_allowed(crate::cloudpanel::DEFAULT_BASE_URL));
        assert!(s.base_url_allowed(crate::cloudpanel::e2e::DEFAULT_BASE_URL));
        let s = Settings::from_vars(&vars(&[(
            "TEAMPANEL_ALLOWED_BASE_URLS",
            "https://api.example.com/v1/ , http://127.0.0.1:9000/v1",
        )]))
        .unwrap();
        assert_eq!(
            s.allowed_base_urls,
            vec!["https://api.example.com/v1", "http://127.0.0.1:9000/v1"]
        );
        assert!(!s.base_url_allowed(crate::cloudpanel::DEFAULT_BASE_URL));
        let err =
            Settings::from_vars(&vars(&[("TEAMPANEL_ALLOWED_BASE_URLS", "ftp://x")])).unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_ALLOWED_BASE_URLS");
    }

    #[test]
    fn allowed_webhook_urls_default_to_none_and_allow_what_lies_beneath() {
        let s = Settings::from_vars(&HashMap::new()).unwrap();
        assert!(s.allowed_webhook_urls.is_empty());
        assert!(!s.webhook_url_allowed("https://hooks.example.org/x"));
        let s = Settings::from_vars(&vars(&[(
            "TEAMPANEL_ALLOWED_WEBHOOK_URLS",
            "https://hooks.example.org/teampanel/ , http://127.0.0.1:9000",
        )]))
        .unwrap();
        for allowed in [
            "https://hooks.example.org/teampanel",
            "https://hooks.example.org/teampanel/",
            "https://hooks.example.org/teampanel/ops",
            "http://127.0.0.1:9000/",
            "http://127.0.0.1:9000/any/path",
        ] {
            assert!(s.webhook_url_allowed(allowed), "{allowed}");
        }
        for refused in [
            "https://hooks.example.org/teampanelx",
            "https://hooks.example.org/",
            "https://hooks.example.org.evil.test/teampanel",
            "http://hooks.example.org/teampanel",
            "http://127.0.0.1:90001/",
            "http://127.0.0.1/",
        ] {
            assert!(!s.webhook_url_allowed(refused), "{refused}");
        }
        let err = Settings::from_vars(&vars(&[(
            "TEAMPANEL_ALLOWED_WEBHOOK_URLS",
            "https://hooks.example.org/?x=1",
        )]))
        .unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_ALLOWED_WEBHOOK_URLS");
    }

    #[test]
    fn log_format_and_metrics_token_are_read() {
        let s = Settings::from_vars(&vars(&[
            ("TEAMPANEL_LOG_FORMAT", "JSON"),
            ("TEAMPANEL_METRICS_TOKEN", "scrape-me"),
        ]))
        .unwrap();
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.metrics_token.unwrap().expose(), "scrape-me");
        assert!(
            format!(
                "{:?}",
                Settings::from_vars(&vars(&[("TEAMPANEL_METRICS_TOKEN", "scrape-me")])).unwrap()
            )
            .contains("Secret(***)")
        );
        let err = Settings::from_vars(&vars(&[("TEAMPANEL_LOG_FORMAT", "xml")])).unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_LOG_FORMAT");
        let s = Settings::from_vars(&vars(&[("TEAMPANEL_METRICS_TOKEN", "")])).unwrap();
        assert!(s.metrics_token.is_none());
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teampanel.toml");
        std::fs::write(&path, "bnid = \"x\"\n").unwrap();
        let err = Settings::from_vars(&vars(&[("TEAMPANEL_CONFIG", path.to_str().unwrap())]))
            .unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_CONFIG");
    }

    #[test]
    fn oidc_settings_are_read_and_need_a_public_url() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "s3cret\n").unwrap();
        let s = Settings::from_vars(&vars(&[
            ("TEAMPANEL_PUBLIC_URL", "https://panel.example.org/"),
            (
                "TEAMPANEL_OIDC_ISSUER",
                "https://id.example.org/realms/staff/",
            ),
            ("TEAMPANEL_OIDC_CLIENT_ID", "teampanel"),
            (
                "TEAMPANEL_OIDC_CLIENT_SECRET_FILE",
                secret.to_str().unwrap(),
            ),
            ("TEAMPANEL_OIDC_LABEL", "Example ID"),
            (
                "TEAMPANEL_OIDC_ALLOWED_DOMAINS",
                "Example.org, @staff.example.org",
            ),
            ("TEAMPANEL_OIDC_GROUPS_CLAIM", "groups"),
            ("TEAMPANEL_PASSWORD_SIGN_IN", "admins_only"),
        ]))
        .unwrap();
        let oidc = s.oidc.clone().unwrap();
        assert_eq!(oidc.issuer, "https://id.example.org/realms/staff");
        assert_eq!(oidc.client_secret.unwrap().expose(), "s3cret");
        assert_eq!(
            oidc.allowed_domains,
            vec!["example.org", "staff.example.org"]
        );
        assert_eq!(oidc.groups_claim.as_deref(), Some("groups"));
        assert_eq!(oidc.label, "Example ID");
        assert_eq!(s.password_sign_in, PasswordSignIn::AdminsOnly);
        assert_eq!(
            s.oidc_redirect_url().unwrap(),
            "https://panel.example.org/login/oidc/callback"
        );
        assert!(!format!("{s:?}").contains("s3cret"));

        let err = Settings::from_vars(&vars(&[
            ("TEAMPANEL_OIDC_ISSUER", "https://id.example.org"),
            ("TEAMPANEL_OIDC_CLIENT_ID", "teampanel"),
        ]))
        .unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_PUBLIC_URL");
        let err = Settings::from_vars(&vars(&[
            ("TEAMPANEL_PUBLIC_URL", "https://panel.example.org/"),
            ("TEAMPANEL_OIDC_ISSUER", "https://id.example.org"),
        ]))
        .unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_OIDC_CLIENT_ID");
        let err =
            Settings::from_vars(&vars(&[("TEAMPANEL_PASSWORD_SIGN_IN", "nobody")])).unwrap_err();
        assert_eq!(err.setting, "TEAMPANEL_PASSWORD_SIGN_IN");
    }
}
