//! Typed client for the Cloud Panel API.
//!
//! One [`CloudPanel`] per process holds the HTTP client, the settings, the
//! counters and, per cloud account, the request budget and the read cache.
//! [`CloudPanel::account`] gives an [`AccountClient`] with one method per
//! endpoint of the reference (`tests/data/endpoints.tsv`), grouped in one
//! file per resource family.
//!
//! Reads come back as [`Fetched`] so a page can say how old its data is;
//! changes come back as the API's answer and invalidate what they affect.
//!
//! Every endpoint the client sends is a row of [`endpoints::ENDPOINTS`]: its
//! method, path template, family (the metrics label) and the permissions
//! under which the panel sends it. Every change goes through one path
//! (`transport`), which looks it up there first: a request not in the table
//! is refused, and a client opened for one permission
//! ([`AccountClient::granted`], what `tenant` hands out) refuses a change
//! whose row does not name it, with [`CloudError::NotGranted`], before the
//! budget, the queue or the network see it. Reads are not checked against
//! the grant (see [`AccountClient::granted`]).

mod budget;
mod cache;
mod counters;
pub mod de;
pub mod endpoints;
mod error;
mod query;
mod queueing;
mod refresher;
mod scope;
mod transport;
mod watching;

pub mod access;
pub mod catalogue;
pub mod common;
pub mod e2e;
pub mod images;
pub mod logs;
pub mod monitoring;
pub mod monitoring_alerts;
pub mod networks;
pub mod servers;
pub mod ssh_keys;
pub mod storages;

pub use budget::{BudgetSnapshot, Priority};
pub use counters::CounterSnapshot;
pub use de::Timestamp;
pub use error::{CloudError, capitalised};
pub use query::{ListQuery, Period, TimeRange};
pub use queueing::{Parked, RawWrite, ordinal};
pub use scope::{OUT_OF_SCOPE, Scope, ScopeGuard, ScopeRefusal, Witness};

use budget::{RateBudget, Reserves};
use cache::{CacheKey, Freshness, ReadCache, Stored, Ttl};
use chrono::{DateTime, Utc};
use counters::Counters;
use futures_util::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The public Cloud Panel API.
pub const DEFAULT_BASE_URL: &str = "https://cloudpanel-api.ionos.com/v1";

/// A Cloud Panel API token. Its `Debug` prints `***`; it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(Arc<str>);

impl SecretToken {
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(Arc::from(token.into()))
    }

    /// The token itself, for the `X-TOKEN` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, which the panel may show.
    pub fn last_four(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for SecretToken {
    fn from(s: String) -> Self {
        SecretToken::new(s)
    }
}

impl From<&str> for SecretToken {
    fn from(s: &str) -> Self {
        SecretToken::new(s)
    }
}

/// The APIs' names in a sentence, for messages (see [`Api::name`]).
pub const CLOUD_PANEL_NAME: &str = "the Cloud Panel";
pub const E2E_NAME: &str = "E2E Networks";

/// Which API an account speaks: the transport (budget, cache, queue,
/// grant) is shared; how a request is signed, how the rate-limit headers
/// and the answers read, and which endpoints exist, are the API's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Api {
    /// The IONOS Cloud Panel: the token in `X-TOKEN`.
    CloudPanel,
    /// E2E Networks MyAccount: the token as a bearer, and the API key,
    /// project and location as query parameters.
    E2e(e2e::Access),
}

impl Api {
    /// The API's name in a sentence: "the Cloud Panel".
    pub fn name(&self) -> &'static str {
        match self {
            Api::CloudPanel => CLOUD_PANEL_NAME,
            Api::E2e(_) => E2E_NAME,
        }
    }
}

/// One cloud account: where its API is and the token that opens it.
#[derive(Debug, Clone)]
pub struct AccountKey {
    /// The panel's row id; budgets and caches are kept per account id.
    pub account_id: i64,
    pub base_url: String,
    pub token: SecretToken,
    pub api: Api,
}

impl AccountKey {
    /// A Cloud Panel account.
    pub fn new(
        account_id: i64,
        base_url: impl Into<String>,
        token: impl Into<SecretToken>,
    ) -> Self {
        AccountKey {
            account_id,
            base_url: base_url.into(),
            token: token.into(),
            api: Api::CloudPanel,
        }
    }

    /// An E2E Networks account: `token` is the bearer token.
    pub fn e2e(
        account_id: i64,
        base_url: impl Into<String>,
        token: impl Into<SecretToken>,
        access: e2e::Access,
    ) -> Self {
        AccountKey {
            api: Api::E2e(access),
            ..AccountKey::new(account_id, base_url, token)
        }
    }
}

/// The account ids of the checks made before an account is saved: below
/// every row id, and one per API so two checks never share a budget.
const CHECKING_CLOUD_PANEL: i64 = i64::MIN;
const CHECKING_E2E: i64 = i64::MIN + 1;

/// How the client behaves; `ClientSettings::default()` suits the real API.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// How long a read of servers and other live resources is served from
    /// the cache without asking again.
    pub cache_ttl: Duration,
    /// How long reference data (sizes, appliances, datacenters, ISOs, pricing) stays fresh.
    pub catalogue_ttl: Duration,
    /// How long images, SSH keys and the account's users and roles stay fresh.
    pub account_data_ttl: Duration,
    /// How long logs, usages and monitoring figures stay fresh.
    pub activity_ttl: Duration,
    /// How long an answer of storages, networks, IPs, firewall policies,
    /// load balancers, VPNs or monitoring policies with nothing between
    /// states stays fresh (servers always use `cache_ttl`).
    pub settled_ttl: Duration,
    /// While less than half the budget's window is left, answers younger
    /// than this are shown as they are instead of being read again.
    pub low_budget_age: Duration,
    /// How long a read a member waits for may wait for the budget before
    /// the page falls back to what is known.
    pub budget_wait: Duration,
    /// How long after a member opened a page the panel keeps what it read
    /// fresh in the background (while it is the member's latest page).
    pub watch_for: Duration,
    /// How often the background refresher looks for something to refresh.
    pub refresh_every: Duration,
    /// Detail reads of families whose list carries whole objects are drawn
    /// from the list; off, every detail is read by itself (the contract
    /// tests, which exercise each endpoint).
    pub details_from_lists: bool,
    /// Every call, from connect to the last byte.
    pub timeout: Duration,
    /// Reads are sent again at most this often after 502/503/504 or a timeout.
    pub max_read_retries: u32,
    /// The first wait before a retry; it doubles each time.
    pub retry_backoff: Duration,
    /// How long a read waits for the API when it has an earlier answer to
    /// show instead; the read itself goes on and refreshes the cache.
    pub stale_patience: Duration,
    /// Reads may not take the last this-many requests of a window.
    pub reserve_for_writes: u32,
    /// The budget assumed until the API's headers say otherwise.
    pub default_rate_limit: u32,
    pub rate_window: Duration,
    /// E2E Networks' budget: so many requests, each counted for a window
    /// after it was made (a sliding window, not one that turns over).
    pub e2e_rate_limit: u32,
    pub e2e_rate_window: Duration,
    pub user_agent: String,
}

impl ClientSettings {
    /// How long an answer at `path` of `api` is served as fresh.
    pub fn ttl(&self, api: &Api, path: &str) -> Ttl {
        let freshness = match api {
            Api::CloudPanel => cache::freshness(path),
            Api::E2e(_) => e2e::rules::freshness(path),
        };
        match freshness {
            Freshness::Catalogue => Ttl::fixed(self.catalogue_ttl),
            Freshness::AccountData => Ttl::fixed(self.account_data_ttl),
            Freshness::Activity => Ttl::fixed(self.activity_ttl),
            Freshness::Live => Ttl::fixed(self.cache_ttl),
            Freshness::LiveUnlessSettled => Ttl {
                usual: self.cache_ttl,
                settled: self.settled_ttl.max(self.cache_ttl),
            },
        }
    }
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            cache_ttl: Duration::from_secs(10),
            catalogue_ttl: Duration::from_secs(6 * 60 * 60),
            account_data_ttl: Duration::from_secs(5 * 60),
            activity_ttl: Duration::from_secs(60),
            settled_ttl: Duration::from_secs(60),
            low_budget_age: Duration::from_secs(60),
            budget_wait: Duration::from_secs(2),
            watch_for: Duration::from_secs(120),
            refresh_every: Duration::from_secs(1),
            details_from_lists: true,
            timeout: Duration::from_secs(15),
            max_read_retries: 2,
            retry_backoff: Duration::from_millis(300),
            stale_patience: Duration::from_secs(3),
            reserve_for_writes: 3,
            default_rate_limit: 25,
            rate_window: Duration::from_secs(60),
            e2e_rate_limit: 5000,
            e2e_rate_window: Duration::from_secs(60 * 60),
            user_agent: format!("teampanel/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Why a read returned an answer older than the cache's lifetime: what
/// failed when the panel asked the API for a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleReason {
    /// The account's request budget is spent (the panel's or the API's 429).
    RateLimited { retry_after_secs: u64 },
    /// Less than half the budget's window is left, and the answer is only a
    /// moment old: the requests left go to pages with nothing to show yet.
    BudgetLow { retry_after_secs: u64 },
    /// The API could not be reached.
    Unavailable,
    /// The API answered with an error status (5xx).
    ServerError { status: u16 },
    /// The API did not answer in time.
    Timeout,
    /// The API answered with a body that could not be read.
    Malformed,
}

impl StaleReason {
    /// The reason a failed read may be answered with an older answer; `None`
    /// for failures an older answer would hide (not found, refused, token).
    pub fn of(error: &CloudError) -> Option<Self> {
        match error {
            CloudError::RateLimited { retry_after_secs } => Some(StaleReason::RateLimited {
                retry_after_secs: *retry_after_secs,
            }),
            CloudError::Upstream { status } => Some(StaleReason::ServerError { status: *status }),
            CloudError::Timeout => Some(StaleReason::Timeout),
            CloudError::Undecodable { .. } => Some(StaleReason::Malformed),
            CloudError::Network { .. } => Some(StaleReason::Unavailable),
            CloudError::Unauthorized
            | CloudError::NotGranted { .. }
            | CloudError::OutOfScope { .. }
            | CloudError::HeldForApproval { .. }
            | CloudError::Forbidden { .. }
            | CloudError::NotFound { .. }
            | CloudError::Rejected { .. }
            | CloudError::Queued { .. }
            | CloudError::QueueFull { .. } => None,
        }
    }

    pub fn describe(&self) -> String {
        self.describe_for("the Cloud Panel")
    }

    /// Why, for an account of the API named `api` (see [`Api::name`]).
    pub fn describe_for(&self, api: &str) -> String {
        match self {
            StaleReason::BudgetLow { retry_after_secs } => {
                format!(
                    "the request budget is kept for pages not loaded yet, fresh data in {retry_after_secs} s"
                )
            }
            StaleReason::RateLimited { retry_after_secs } => {
                format!("rate budget spent, fresh data in {retry_after_secs} s")
            }
            StaleReason::Unavailable => format!("{api} could not be reached"),
            StaleReason::ServerError { status } => {
                format!("{api} answered with an error ({status})")
            }
            StaleReason::Timeout => format!("{api} did not answer in time"),
            StaleReason::Malformed => {
                format!("{api} sent an answer that could not be read")
            }
        }
    }
}

/// A read's value with its freshness.
#[derive(Debug, Clone)]
pub struct Fetched<T> {
    pub value: T,
    /// When the API produced this answer.
    pub fetched_at: DateTime<Utc>,
    fetched: Instant,
    /// Served without asking the API.
    pub from_cache: bool,
    /// Older than the cache's lifetime (see `stale_reason`).
    pub stale: bool,
    pub stale_reason: Option<StaleReason>,
    /// The answer predates a change to what it shows: the last known state,
    /// to be replaced as soon as the API answers again.
    pub updating: bool,
    /// The typed decoding shared by every read of the same stored answer.
    pub(crate) memo: Option<cache::Memo>,
    /// The name of the API that answered, for the notices (see [`Api::name`]).
    pub api: &'static str,
}

impl<T> Fetched<T> {
    fn from_stored(
        api: &Api,
        value: T,
        s: &Stored,
        from_cache: bool,
        stale_reason: Option<StaleReason>,
    ) -> Self {
        Fetched {
            value,
            fetched_at: s.fetched_at,
            fetched: s.fetched,
            from_cache,
            stale: stale_reason.is_some(),
            stale_reason,
            updating: false,
            memo: Some(s.decoded.clone()),
            api: api.name(),
        }
    }

    /// How old the data is.
    pub fn age(&self) -> Duration {
        self.fetched.elapsed()
    }

    /// A line for the page, e.g. "data from 40 s ago (rate budget spent,
    /// fresh data in 12 s)"; after a change, "data from 40 s ago, from before
    /// the latest change, updating (...)".
    pub fn freshness(&self) -> Option<String> {
        let reason = self.stale_reason?;
        let updating = if self.updating {
            ", from before the latest change, updating"
        } else {
            ""
        };
        Some(format!(
            "data from {} ago{updating} ({})",
            age_words(self.age()),
            reason.describe_for(self.api)
        ))
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fetched<U> {
        Fetched {
            value: f(self.value),
            fetched_at: self.fetched_at,
            fetched: self.fetched,
            from_cache: self.from_cache,
            stale: self.stale,
            stale_reason: self.stale_reason,
            updating: self.updating,
            memo: self.memo,
            api: self.api,
        }
    }

    pub fn into_value(self) -> T {
        self.value
    }

    /// A value made from this answer once and shared by every later read of
    /// the same stored answer, such as a page's rows in one order, already
    /// rendered. `key` names it and everything besides the answer that it
    /// was made from. An answer that was not stored is made into one each time.
    pub fn derived<D: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce(&T) -> D,
    ) -> std::sync::Arc<D> {
        match &self.memo {
            Some(memo) => memo.derived(key, || make(&self.value)),
            None => std::sync::Arc::new(make(&self.value)),
        }
    }
}

/// An age in the unit a reader takes in at a glance: "40 s", "12 min", "3 h".
fn age_words(age: Duration) -> String {
    let secs = age.as_secs();
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

pub(crate) type FlightFuture = Shared<BoxFuture<'static, Result<Stored, CloudError>>>;

struct Flight {
    id: u64,
    fut: FlightFuture,
}

#[derive(Default)]
struct Reads {
    cache: ReadCache,
    inflight: HashMap<CacheKey, Flight>,
    /// What each member's latest page read: the background refresher
    /// keeps these fresh while the page is open.
    watching: watching::Watching,
    /// Bumped by every change; a read that started before one is kept only
    /// as a doubtful answer (see `ReadCache::insert_changed`).
    generation: u64,
    next_flight: u64,
    /// When each object (`/servers/A`) was last changed through the panel:
    /// a change outdates its family's whole list, but another object's
    /// line in it still says that object's state (see `target_busy`).
    changed_objects: HashMap<String, std::time::Instant>,
}

struct AccountState {
    budget: Mutex<RateBudget>,
    reads: Mutex<Reads>,
    /// Where the account's API is and its token, as last opened: what the
    /// background refresher sends with.
    key: Mutex<Arc<AccountKey>>,
}

struct Inner {
    http: reqwest::Client,
    settings: ClientSettings,
    accounts: Mutex<HashMap<i64, Arc<AccountState>>>,
    counters: Counters,
    /// Whether the background refresher runs (started with the first account).
    refresher: std::sync::Once,
    /// Where alerts told from monitoring center reads go, once someone listens.
    alerts:
        std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<monitoring_alerts::MonitoringAlert>>,
}

/// The Cloud Panel client of the process; cheap to clone.
#[derive(Clone)]
pub struct CloudPanel {
    inner: Arc<Inner>,
}

impl fmt::Debug for CloudPanel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudPanel")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// A poisoned lock only means a task panicked mid-update; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl CloudPanel {
    pub fn new(settings: ClientSettings) -> Result<Self, CloudError> {
        let http = crate::tls::client_builder()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.timeout)
            // Requests go only to the checked base URL, never where a redirect points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CloudError::from_reqwest(&e))?;
        Ok(CloudPanel {
            inner: Arc::new(Inner {
                http,
                settings,
                accounts: Mutex::new(HashMap::new()),
                counters: Counters::default(),
                refresher: std::sync::Once::new(),
                alerts: std::sync::OnceLock::new(),
            }),
        })
    }

    pub fn settings(&self) -> &ClientSettings {
        &self.inner.settings
    }

    /// The client for one cloud account; its budget and cache live as long as the process.
    pub fn account(&self, key: AccountKey) -> AccountClient {
        let key = Arc::new(key);
        let state = {
            let mut accounts = lock(&self.inner.accounts);
            accounts
                .entry(key.account_id)
                .or_insert_with(|| {
                    let s = &self.inner.settings;
                    let reserves = Reserves::for_changes(s.reserve_for_writes);
                    let budget = match key.api {
                        Api::CloudPanel => RateBudget::new(
                            s.default_rate_limit,
                            s.rate_window,
                            reserves,
                            Instant::now(),
                        ),
                        Api::E2e(_) => RateBudget::sliding(
                            s.e2e_rate_limit,
                            s.e2e_rate_window,
                            reserves,
                            Instant::now(),
                        ),
                    };
                    Arc::new(AccountState {
                        budget: Mutex::new(budget),
                        reads: Mutex::new(Reads::default()),
                        key: Mutex::new(key.clone()),
                    })
                })
                .clone()
        };
        {
            let mut known = lock(&state.key);
            if !Arc::ptr_eq(&known, &key) {
                *known = key.clone();
            }
        }
        if key.account_id > CHECKING_E2E {
            self.start_refresher();
        }
        AccountClient {
            panel: self.clone(),
            key,
            state,
            priority: Priority::Interactive,
            viewer: None,
            park: None,
            grant: Grant::Any,
            scope: None,
        }
    }

    /// Starts the background refresher once, where a runtime runs (the
    /// command line opens no account).
    fn start_refresher(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        self.inner.refresher.call_once(|| {
            // The task holds the client weakly: it ends with the process's client.
            let inner = Arc::downgrade(&self.inner);
            runtime.spawn(refresher::run(inner));
        });
    }

    /// Drops an account's budget and cache (its token changed or it was removed).
    pub fn forget_account(&self, account_id: i64) {
        lock(&self.inner.accounts).remove(&account_id);
    }

    /// Asks the API again on the account's next reads, e.g. for a "refresh"
    /// button; the answers it had stay the last known state until then.
    pub fn clear_cache(&self, account_id: i64) {
        if let Some(state) = lock(&self.inner.accounts).get(&account_id) {
            lock(&state.reads).cache.expire_all();
        }
    }

    /// The account's request budget as the panel sees it.
    pub fn budget(&self, account_id: i64) -> Option<BudgetSnapshot> {
        let state = lock(&self.inner.accounts).get(&account_id).cloned()?;
        let snap = lock(&state.budget).snapshot(Instant::now());
        Some(snap)
    }

    pub fn counters(&self) -> CounterSnapshot {
        self.inner.counters.snapshot()
    }

    /// Checks a token before it is saved: `GET /ping_auth` outside any
    /// account's budget and cache.
    pub async fn verify_token(
        &self,
        base_url: &str,
        token: &SecretToken,
    ) -> Result<(), CloudError> {
        let client = self.account(AccountKey::new(
            CHECKING_CLOUD_PANEL,
            base_url,
            token.clone(),
        ));
        let result = client.ping_auth().await;
        self.forget_account(CHECKING_CLOUD_PANEL);
        result
    }

    /// Checks an E2E Networks account's credentials before they are saved:
    /// one page of one node, outside any account's budget and cache.
    pub async fn verify_e2e(
        &self,
        base_url: &str,
        token: &SecretToken,
        access: e2e::Access,
    ) -> Result<(), CloudError> {
        let key = AccountKey::e2e(CHECKING_E2E, base_url, token.clone(), access);
        let client = self.account(key);
        let result = client.check_e2e_access().await;
        self.forget_account(CHECKING_E2E);
        result
    }
}

/// One cloud account's view of the API: one method per endpoint.
#[derive(Clone)]
pub struct AccountClient {
    panel: CloudPanel,
    key: Arc<AccountKey>,
    state: Arc<AccountState>,
    /// Who this client's reads are for.
    priority: Priority,
    /// The member whose pages this client reads, for knowing what they
    /// have open (see [`watching`]); `None` for the panel's own reads.
    viewer: Option<i64>,
    /// Where a refused change waits, for a client opened with
    /// [`AccountClient::queueing`]; without one a refused change is an error.
    park: Option<Parked>,
    /// Which changes this client may send (see [`AccountClient::granted`]).
    grant: Grant,
    /// The objects a scoped role limits it to (see [`AccountClient::scoped`]);
    /// `None`: every object of the account.
    scope: Option<Arc<ScopeGuard>>,
}

/// The changes a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant {
    /// Every endpoint of the table: the panel's own clients (the background
    /// refresher, the command line, tests that build a client themselves).
    Any,
    /// Only changes whose endpoint names this permission key (`servers.shutdown`).
    Flag(Arc<str>),
}

impl fmt::Debug for AccountClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountClient")
            .field("account_id", &self.key.account_id)
            .field("base_url", &self.key.base_url)
            .field("grant", &self.grant)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl AccountClient {
    pub fn account_id(&self) -> i64 {
        self.key.account_id
    }

    pub fn budget(&self) -> BudgetSnapshot {
        lock(&self.state.budget).snapshot(Instant::now())
    }

    /// Which API the account speaks.
    pub fn api(&self) -> &Api {
        &self.key.api
    }

    /// The API's name in a sentence, for messages: "the Cloud Panel".
    pub fn api_name(&self) -> &'static str {
        self.key.api.name()
    }

    /// The same account for the pages of one member: what they read is
    /// kept fresh while their page is open.
    pub fn viewed_by(&self, user_id: i64) -> AccountClient {
        AccountClient {
            viewer: Some(user_id),
            ..self.clone()
        }
    }

    /// The same account for a page opened under one permission (`flag`, a
    /// key such as `servers.shutdown`): it sends only the changes whose
    /// endpoint names that permission in [`endpoints::ENDPOINTS`], so a
    /// handler whose call does not match the flag it checked is refused
    /// before anything is sent ([`CloudError::NotGranted`]), rather than the
    /// match resting on each handler. Reads stay allowed under any grant:
    /// pages compose other families' lists for their selects and names, and
    /// a read is checked by the handler's show flag before the account is
    /// opened.
    pub fn granted(&self, flag: &str) -> AccountClient {
        AccountClient {
            grant: Grant::Flag(Arc::from(flag)),
            ..self.clone()
        }
    }

    /// The same account for reads of a summary (the overview's counts):
    /// they go after members' own pages, like background refreshes.
    pub fn background(&self) -> AccountClient {
        AccountClient {
            priority: Priority::Refresh,
            ..self.clone()
        }
    }

    /// The same account for reads that a page's script repeats while rows
    /// are in transition: they go after members' reads and refreshes.
    pub fn polling(&self) -> AccountClient {
        AccountClient {
            priority: Priority::Poll,
            ..self.clone()
        }
    }
}

/// One path segment, percent-encoded (ids are hex, but IPs and user input pass here too).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let key = AccountKey::new(3, DEFAULT_BASE_URL, "s3cr3t-token-abcd");
        let shown = format!("{key:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(key.token.last_four(), "abcd");
    }

    #[test]
    fn ages_are_said_in_a_unit_that_fits() {
        assert_eq!(age_words(Duration::from_secs(0)), "0 s");
        assert_eq!(age_words(Duration::from_secs(119)), "119 s");
        assert_eq!(age_words(Duration::from_secs(600)), "10 min");
        assert_eq!(age_words(Duration::from_secs(3 * 3600 + 5)), "3 h");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(seg("39AA65F5"), "39AA65F5");
        assert_eq!(seg("10.4.1.2"), "10.4.1.2");
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }
}
