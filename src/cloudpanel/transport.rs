//! Sending requests: budget, cache, single-flight, timeouts, retries.

use super::budget::{Priority, Purpose, retry_secs};
use super::cache::{self, CacheKey, Scope, Stored};
use super::counters::Counters;
use super::de::decode_items_ref;
use super::endpoints::{self, Endpoint};
use super::{
    AccountClient, Api, CloudError, Fetched, Flight, Grant, Parked, RawWrite, Reads, StaleReason,
    e2e, lock,
};
use futures_util::FutureExt;
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

type Query = [(&'static str, String)];

fn header_num<T: std::str::FromStr>(h: &HeaderMap, name: &str) -> Option<T> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn decode<T: DeserializeOwned>(v: &Value) -> Result<T, CloudError> {
    T::deserialize(v).map_err(|e| CloudError::Undecodable {
        detail: e.to_string(),
    })
}

fn decode_list<T: DeserializeOwned>(v: &Value) -> Result<Vec<T>, CloudError> {
    match v {
        Value::Array(_) => Ok(decode_items_ref(v)),
        Value::Null => Ok(Vec::new()),
        other => Err(CloudError::Undecodable {
            detail: format!("expected a list, got {}", kind_of(other)),
        }),
    }
}

fn decode_list_in<T: DeserializeOwned>(v: &Value, field: &str) -> Result<Vec<T>, CloudError> {
    match v {
        Value::Object(m) => decode_list(m.get(field).unwrap_or(&Value::Null)),
        other => decode_list(other),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How a read begins.
enum Start {
    Cached(Fetched<Arc<Value>>),
    Flying(super::FlightFuture),
    NoBudget(std::time::Duration),
}

/// Notes that the member behind `client` read `key` now (their reads are
/// what the background refresher keeps fresh).
fn watch(reads: &mut Reads, client: &AccountClient, key: &CacheKey, now: Instant) {
    if client.priority != Priority::Interactive {
        return;
    }
    if let Some(viewer) = client.viewer {
        reads.watching.saw(viewer, key, now);
    }
}

/// How long a change to an object makes the panel wait for a fresh answer
/// about it before a queued change to it is sent (see `target_busy`).
pub(crate) const CHANGED_LATELY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl Api {
    /// The endpoint of this API `method` and `path` are, if any.
    fn endpoint(&self, method: &str, path: &str) -> Option<&'static Endpoint> {
        match self {
            Api::CloudPanel => endpoints::find(method, path),
            Api::E2e(_) => e2e::endpoints::find(method, path),
        }
    }

    /// The metrics label of a call: its endpoint's family, or for a path
    /// the table lacks, the family the metrics read from the path itself.
    fn family_of(&self, method: &Method, path: &str) -> &'static str {
        self.endpoint(method.as_str(), path)
            .map_or_else(|| crate::metrics::upstream_family(path), |e| e.family)
    }

    /// What a change at `path` may have made wrong.
    fn affected(&self, path: &str) -> Vec<Scope> {
        match self {
            Api::CloudPanel => cache::affected(path),
            Api::E2e(_) => e2e::rules::affected(path),
        }
    }

    /// For a detail path of a family whose list carries whole objects: the
    /// list and the id. E2E's lists are paged, so it has none.
    pub(super) fn whole_list_of<'p>(&self, path: &'p str) -> Option<(&'static str, &'p str)> {
        match self {
            Api::CloudPanel => cache::whole_list_of(path),
            Api::E2e(_) => None,
        }
    }
}

impl AccountClient {
    fn counters(&self) -> &Counters {
        &self.panel.inner.counters
    }

    fn url(&self, path: &str, query: &Query) -> Result<reqwest::Url, CloudError> {
        let base = self.key.base_url.trim().trim_end_matches('/');
        let mut url =
            reqwest::Url::parse(&format!("{base}{path}")).map_err(|_| CloudError::Network {
                detail: "the account's base URL is not a valid address".into(),
            })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CloudError::Network {
                detail: "the account's base URL must start with https:// or http://".into(),
            });
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// One HTTP exchange. The caller has taken the budget for it; `family`
    /// labels it in the metrics.
    async fn send(
        &self,
        family: &'static str,
        method: Method,
        url: reqwest::Url,
        body: Option<&Value>,
    ) -> Result<Stored, CloudError> {
        let result = self.send_inner(method, url, body).await;
        crate::metrics::upstream_call(family, result.as_ref().err().map(CloudError::status));
        if result.is_err() {
            Counters::bump(&self.counters().errors);
        }
        result
    }

    async fn send_inner(
        &self,
        method: Method,
        mut url: reqwest::Url,
        body: Option<&Value>,
    ) -> Result<Stored, CloudError> {
        let inner = &self.panel.inner;
        let secret = match &self.key.api {
            Api::CloudPanel => self.key.token.expose().to_owned(),
            Api::E2e(access) => {
                // Added here, never to the cache key or a queued change.
                access.sign(&mut url);
                format!("Bearer {}", self.key.token.expose())
            }
        };
        let mut token = HeaderValue::from_str(&secret).map_err(|_| CloudError::Unauthorized)?;
        token.set_sensitive(true);
        let auth_header = match self.key.api {
            Api::CloudPanel => "X-TOKEN",
            Api::E2e(_) => "Authorization",
        };
        let mut req = inner
            .http
            .request(method.clone(), url)
            .header(auth_header, token)
            .header(ACCEPT, "application/json")
            .timeout(inner.settings.timeout);
        if let Some(b) = body {
            req = req.json(b);
        }
        Counters::bump(&self.counters().upstream_calls);
        let resp = req.send().await.map_err(|e| CloudError::from_reqwest(&e))?;
        let status = resp.status().as_u16();
        let h = resp.headers();
        let (limit, remaining, reset) = match self.key.api {
            Api::CloudPanel => (
                header_num::<u32>(h, "x-rate-limit-limit"),
                header_num::<u32>(h, "x-rate-limit-remaining"),
                header_num::<u64>(h, "x-rate-limit-reset"),
            ),
            Api::E2e(_) => (
                header_num::<u32>(h, "ratelimit-limit"),
                header_num::<u32>(h, "ratelimit-remaining"),
                header_num::<u64>(h, "ratelimit-reset").map(e2e::rules::seconds_until),
            ),
        };
        let retry_after = header_num::<u64>(h, "retry-after");
        let now = Instant::now();
        lock(&self.state.budget).observe(limit, remaining, reset, now);
        if status == 429 {
            Counters::bump(&self.counters().upstream_429);
            let secs = reset.or(retry_after).unwrap_or(60).max(1);
            lock(&self.state.budget).exhausted(std::time::Duration::from_secs(secs), now);
            tracing::warn!(
                account_id = self.key.account_id,
                retry_after_secs = secs,
                api = self.key.api.name(),
                "the API answered 429"
            );
            return Err(CloudError::RateLimited {
                retry_after_secs: secs,
            });
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CloudError::from_reqwest(&e))?;
        if !(200..300).contains(&status) {
            let e = CloudError::from_response(status, &bytes, 0);
            tracing::info!(account_id = self.key.account_id, %method, status, error = %e, api = self.key.api.name(), "the API refused a call");
            return Err(e);
        }
        let mut body = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| CloudError::Undecodable {
                detail: format!("not JSON ({e})"),
            })?
        };
        match self.key.api {
            Api::CloudPanel => super::de::normalize(&mut body),
            Api::E2e(_) => body = e2e::rules::open_envelope(body)?,
        }
        Ok(Stored {
            settled: cache::settled(&body),
            body: Arc::new(body),
            decoded: super::cache::Memo::default(),
            fetched: now,
            fetched_at: chrono::Utc::now(),
        })
    }

    /// A read with retries on 502/503/504 and timeouts; each retry needs
    /// budget. `family` labels the calls in the metrics.
    async fn fetch_with_retries(
        &self,
        family: &'static str,
        url: reqwest::Url,
    ) -> Result<Stored, CloudError> {
        let settings = &self.panel.inner.settings;
        let mut attempt: u32 = 0;
        loop {
            match self.send(family, Method::GET, url.clone(), None).await {
                Err(e) if e.is_retryable_read() && attempt < settings.max_read_retries => {
                    attempt += 1;
                    let wait = settings
                        .retry_backoff
                        .saturating_mul(1 << (attempt - 1).min(8));
                    tokio::time::sleep(wait).await;
                    if lock(&self.state.budget)
                        .try_take(Purpose::Read(self.priority), Instant::now())
                        .is_err()
                    {
                        return Err(e);
                    }
                    Counters::bump(&self.counters().retries);
                    tracing::debug!(account_id = self.key.account_id, attempt, error = %e, "retrying a read");
                }
                other => return other,
            }
        }
    }

    /// The leader's side of a single-flight read; runs in its own task so it
    /// completes (and leaves the in-flight map) even if the caller goes away.
    async fn fly(
        self,
        key: CacheKey,
        url: reqwest::Url,
        id: u64,
        generation: u64,
    ) -> Result<Stored, CloudError> {
        let family = self.key.api.family_of(&Method::GET, &key.path);
        let result = self.fetch_with_retries(family, url).await;
        let mut reads = lock(&self.state.reads);
        if reads.inflight.get(&key).is_some_and(|f| f.id == id) {
            reads.inflight.remove(&key);
        }
        // Every fresh answer lands here, a page's or the refresher's: the
        // monitoring center's is compared with the one kept before it.
        let previous = self
            .compares_alerts(&key.path)
            .then(|| reads.cache.last(&key).map(|(s, _)| s.body.clone()))
            .flatten();
        if let Ok(stored) = &result {
            if reads.generation == generation {
                reads.cache.outdate_list_of(&key, stored);
                reads.cache.insert(key, stored.clone());
            } else {
                // A change came while this read was under way: its answer may
                // predate the change, so it is kept as the last known state only.
                reads.cache.insert_changed(key, stored.clone());
            }
        }
        drop(reads);
        if let (Ok(stored), Some(previous)) = (&result, previous) {
            self.note_alerts(&previous, &stored.body);
        }
        result
    }

    /// The last good answer, however old, for a read the API could not
    /// answer; marked as updating when a change came after it. A detail of
    /// a whole list with no answer of its own is taken from the list's.
    fn stale(&self, key: &CacheKey, reason: StaleReason) -> Option<Fetched<Arc<Value>>> {
        let reads = lock(&self.state.reads);
        let own = reads.cache.last(key);
        let listed = self
            .key
            .api
            .whole_list_of(&key.path)
            .filter(|_| key.query.is_empty() && self.panel.inner.settings.details_from_lists)
            .and_then(|(list, id)| {
                let list_key = CacheKey::new(self.key.account_id, list, &[]);
                let (stored, changed) = reads.cache.last(&list_key)?;
                Some((cache::item_of(stored, id)?, changed))
            });
        // Whichever is newer: the object's own last answer or its list's.
        let (s, changed) = match (own, &listed) {
            (Some((own, _)), Some((item, changed))) if own.fetched < item.fetched => {
                (item, *changed)
            }
            (Some(own), _) => own,
            (None, Some((item, changed))) => (item, *changed),
            (None, None) => return None,
        };
        Counters::bump(&self.counters().stale_served);
        let mut fetched =
            Fetched::from_stored(&self.key.api, s.body.clone(), s, true, Some(reason));
        fetched.updating = changed;
        Some(fetched)
    }

    fn has_last(&self, key: &CacheKey) -> bool {
        lock(&self.state.reads).cache.last(key).is_some()
    }

    /// The address of a cached read: the key's query is already encoded.
    fn url_of(&self, key: &CacheKey) -> Result<reqwest::Url, CloudError> {
        let mut url = self.url(&key.path, &[])?;
        if !key.query.is_empty() {
            url.set_query(Some(&key.query));
        }
        Ok(url)
    }

    /// A cached, coalesced read of the raw answer, as the client's scope
    /// lets it be seen (see [`AccountClient::scoped`]).
    pub(crate) async fn read_value(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<Fetched<Arc<Value>>, CloudError> {
        let fetched = self.read_whole(path, query).await?;
        match &self.scope {
            None => Ok(fetched),
            Some(guard) => self.limit_read(guard, path, fetched).await,
        }
    }

    /// A cached, coalesced read of the raw answer, whole. The detail of an
    /// object whose family's list carries it whole is drawn from the list.
    pub(super) async fn read_whole(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<Fetched<Arc<Value>>, CloudError> {
        let key = CacheKey::new(self.key.account_id, path, query);
        if query.is_empty()
            && self.panel.inner.settings.details_from_lists
            && let Some((list, id)) = self.key.api.whole_list_of(path)
            && let Some(found) = self.through_list(&key, list, id).await
        {
            return found;
        }
        self.read_key(key).await
    }

    /// A detail read through its family's list: the list's fresh answer if
    /// it holds the object, else the list read anew (one request that
    /// freshens every object of the family). `None` when the list cannot
    /// tell (the object is not in it, or the list could not be read fresh):
    /// then the object is read by itself.
    async fn through_list(
        &self,
        key: &CacheKey,
        list: &str,
        id: &str,
    ) -> Option<Result<Fetched<Arc<Value>>, CloudError>> {
        let ttl = self.panel.inner.settings.ttl(&self.key.api, list);
        let list_key = CacheKey::new(self.key.account_id, list, &[]);
        {
            let mut reads = lock(&self.state.reads);
            let now = Instant::now();
            watch(&mut reads, self, &list_key, now);
            if let Some(s) = reads.cache.fresh(key, ttl, now) {
                Counters::bump(&self.counters().cache_hits);
                return Some(Ok(Fetched::from_stored(
                    &self.key.api,
                    s.body.clone(),
                    s,
                    true,
                    None,
                )));
            }
            if let Some(item) = reads
                .cache
                .fresh(&list_key, ttl, now)
                .and_then(|l| cache::item_of(l, id))
            {
                Counters::bump(&self.counters().cache_hits);
                Counters::bump(&self.counters().details_from_lists);
                let fetched =
                    Fetched::from_stored(&self.key.api, item.body.clone(), &item, true, None);
                reads.cache.insert(key.clone(), item);
                return Some(Ok(fetched));
            }
        }
        let fetched = match self.read_key(list_key).await {
            Ok(fetched) => fetched,
            // The API is failing: the object's last answer (or the list's),
            // not a second call bound to fail the same way.
            Err(e) => {
                let reason = StaleReason::of(&e)?;
                return Some(self.stale(key, reason).ok_or(e));
            }
        };
        // No fresh list: the newer of the object's own last answer and the list's.
        if let Some(reason) = fetched.stale_reason {
            return self.stale(key, reason).map(Ok);
        }
        let stored = Stored {
            settled: cache::settled(&fetched.value),
            body: fetched.value.clone(),
            decoded: cache::Memo::default(),
            fetched: fetched.fetched,
            fetched_at: fetched.fetched_at,
        };
        let item = cache::item_of(&stored, id)?;
        Counters::bump(&self.counters().details_from_lists);
        let answer = Fetched::from_stored(
            &self.key.api,
            item.body.clone(),
            &item,
            fetched.from_cache,
            None,
        );
        lock(&self.state.reads).cache.insert(key.clone(), item);
        Some(Ok(answer))
    }

    /// A cached, coalesced read of one key. A member's read that finds the
    /// budget spent waits for it a moment (`budget_wait`) before it falls
    /// back to the last known answer; refreshes and polls never wait.
    async fn read_key(&self, key: CacheKey) -> Result<Fetched<Arc<Value>>, CloudError> {
        let settings = &self.panel.inner.settings;
        let ttl = settings.ttl(&self.key.api, &key.path);
        let started = Instant::now();
        let flight = loop {
            let wait = match self.start_read(&key, ttl)? {
                Start::Cached(fetched) => return Ok(fetched),
                Start::Flying(flight) => break flight,
                Start::NoBudget(wait) => wait,
            };
            let patience = settings.budget_wait.saturating_sub(started.elapsed());
            // Waiting helps only when the window turns over soon.
            if self.priority == Priority::Interactive && !patience.is_zero() && wait <= patience {
                Counters::bump(&self.counters().budget_waits);
                tokio::time::sleep(wait.min(patience)).await;
                continue;
            }
            Counters::bump(&self.counters().budget_refusals);
            let retry_after_secs = retry_secs(wait);
            return self
                .stale(&key, StaleReason::RateLimited { retry_after_secs })
                .ok_or(CloudError::RateLimited { retry_after_secs });
        };
        // With an earlier answer to show, a page waits for the API only so
        // long; the read goes on in its task and refreshes the cache.
        let answer = if self.has_last(&key) {
            match tokio::time::timeout(settings.stale_patience, flight).await {
                Ok(answer) => answer,
                Err(_) => Err(CloudError::Timeout),
            }
        } else {
            flight.await
        };
        match answer {
            Ok(stored) => Ok(Fetched::from_stored(
                &self.key.api,
                stored.body.clone(),
                &stored,
                false,
                None,
            )),
            Err(e) => match StaleReason::of(&e) {
                Some(reason) => self.stale(&key, reason).ok_or(e),
                None => Err(e),
            },
        }
    }

    /// The fresh answer, the read in flight (joined or started), or how
    /// long until the budget allows one.
    fn start_read(&self, key: &CacheKey, ttl: cache::Ttl) -> Result<Start, CloudError> {
        let mut reads = lock(&self.state.reads);
        let now = Instant::now();
        watch(&mut reads, self, key, now);
        if let Some(s) = reads.cache.fresh(key, ttl, now) {
            Counters::bump(&self.counters().cache_hits);
            return Ok(Start::Cached(Fetched::from_stored(
                &self.key.api,
                s.body.clone(),
                s,
                true,
                None,
            )));
        }
        Counters::bump(&self.counters().cache_misses);
        if let Some(f) = reads.inflight.get(key) {
            Counters::bump(&self.counters().coalesced_waits);
            return Ok(Start::Flying(f.fut.clone()));
        }
        let mut budget = lock(&self.state.budget);
        // With less than half the window left, an answer a moment old is
        // shown as it is (with its age) rather than read again: the rest
        // goes to pages with nothing to show yet and to changes.
        if self.priority != Priority::Settle
            && let Some(turns_over) = budget.running_low(now)
            && let Some((s, false)) = reads.cache.last(key)
            && now.saturating_duration_since(s.fetched) < self.panel.inner.settings.low_budget_age
        {
            Counters::bump(&self.counters().stale_served);
            let reason = StaleReason::BudgetLow {
                retry_after_secs: retry_secs(turns_over),
            };
            return Ok(Start::Cached(Fetched::from_stored(
                &self.key.api,
                s.body.clone(),
                s,
                true,
                Some(reason),
            )));
        }
        let taken = budget.try_take(Purpose::Read(self.priority), now);
        drop(budget);
        if let Err(wait) = taken {
            return Ok(Start::NoBudget(wait));
        }
        // Built only for a call: a cached answer needs no address.
        let url = self.url_of(key)?;
        let id = reads.next_flight;
        reads.next_flight += 1;
        let task = tokio::spawn(self.clone().fly(key.clone(), url, id, reads.generation));
        let fut = async move {
            task.await.unwrap_or_else(|_| {
                Err(CloudError::Network {
                    detail: "the request was abandoned".into(),
                })
            })
        }
        .boxed()
        .shared();
        reads.inflight.insert(
            key.clone(),
            Flight {
                id,
                fut: fut.clone(),
            },
        );
        Ok(Start::Flying(fut))
    }

    /// Refreshes one key in the background, if the budget leaves room for
    /// refreshes; the answer lands in the cache for the next page.
    pub(super) fn refresh(&self, key: CacheKey) {
        let client = AccountClient {
            priority: Priority::Refresh,
            ..self.clone()
        };
        tokio::spawn(async move {
            if let Err(e) = client.read_key(key).await {
                tracing::debug!(account_id = client.key.account_id, error = %e, "a background refresh failed");
            }
        });
    }

    /// A read that bypasses cache and single-flight (token checks).
    pub(crate) async fn read_uncached<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<T, CloudError> {
        let url = self.url(path, query)?;
        if let Err(wait) =
            lock(&self.state.budget).try_take(Purpose::Read(self.priority), Instant::now())
        {
            Counters::bump(&self.counters().budget_refusals);
            return Err(CloudError::RateLimited {
                retry_after_secs: retry_secs(wait),
            });
        }
        let family = self.key.api.family_of(&Method::GET, path);
        let stored = self.send(family, Method::GET, url, None).await?;
        decode(&stored.body)
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<Fetched<T>, CloudError> {
        let f = self.read_value(path, query).await?;
        let v = decode(&f.value)?;
        Ok(f.map(|_| v))
    }

    pub(crate) async fn list<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<Fetched<Vec<T>>, CloudError> {
        let f = self.list_shared::<T>(path, query).await?;
        Ok(f.map(|shared| shared.as_ref().clone()))
    }

    /// A list decoded once per stored answer and shared, not copied, by every
    /// read of it: what pages that filter and sort large lists want.
    pub(crate) async fn list_shared<T: DeserializeOwned + Send + Sync + 'static>(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<Fetched<Arc<Vec<T>>>, CloudError> {
        let f = self.read_value(path, query).await?;
        if let Some(decoded) = f.memo.as_ref().and_then(|m| m.get::<Arc<Vec<T>>>()) {
            let v = decoded.clone();
            return Ok(f.map(|_| v));
        }
        let v: Arc<Vec<T>> = Arc::new(decode_list(&f.value)?);
        if let Some(memo) = &f.memo {
            memo.set(v.clone());
        }
        Ok(f.map(|_| v))
    }

    /// A change: never retried, goes before reads in the budget, invalidates
    /// what it affects. With an armed parking slot (see
    /// [`AccountClient::queueing`]) a change the budget refuses waits in the
    /// account's queue instead.
    async fn write(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<Value>,
    ) -> Result<Arc<Value>, CloudError> {
        let raw = RawWrite {
            method: method.as_str().to_owned(),
            path: path.to_owned(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            body,
        };
        self.perform(method, raw, self.park.as_ref()).await
    }

    /// Sends a change that waited in the queue, on the same path as any
    /// change: it takes the account's budget (`RateLimited` when none is
    /// left: nothing was sent) and invalidates what it affects. Never parks.
    pub async fn send_raw(&self, raw: &RawWrite) -> Result<Arc<Value>, CloudError> {
        // Only changes are kept in the queue; anything else is refused unsent.
        let method = Method::from_bytes(raw.method.as_bytes())
            .ok()
            .filter(|m| {
                matches!(
                    *m,
                    Method::POST | Method::PUT | Method::PATCH | Method::DELETE
                )
            })
            .ok_or_else(|| CloudError::Undecodable {
                detail: format!("the queued request's method {} is not a change", raw.method),
            })?;
        if !raw.path.starts_with('/') {
            return Err(CloudError::Undecodable {
                detail: "the queued request's path is not one of the API's".into(),
            });
        }
        self.perform(method, raw.clone(), None).await
    }

    /// The one path of a change, direct or from the queue. It is looked up
    /// in the endpoint table first (see [`AccountClient::permit`]): a change
    /// refused there takes no budget, is not parked and is not sent.
    async fn perform(
        &self,
        method: Method,
        raw: RawWrite,
        park: Option<&Parked>,
    ) -> Result<Arc<Value>, CloudError> {
        let endpoint = self.permit(&method, &raw)?;
        let queued = CloudError::Queued {
            position: 0,
            wait_secs: 0,
            queue_id: None,
        };
        if let Some(guard) = &self.scope {
            match self
                .check_change(guard, method.as_str(), &raw.path, raw.body.as_ref())
                .await
            {
                Ok(()) => {}
                // The object could not be read for the budget: the change
                // waits, unsent, and is checked again before it is sent.
                Err(CloudError::RateLimited { .. })
                    if park.is_some_and(|p| p.park(raw.clone()).is_ok()) =>
                {
                    return Err(queued);
                }
                Err(e) => return Err(e),
            }
        }
        let mut url = self.url(&raw.path, &[])?;
        if !raw.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(raw.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        // Earlier changes of the account wait: this one goes behind them.
        let raw = match park {
            Some(p) if p.parks_all() => match p.park(raw) {
                Ok(()) => return Err(queued),
                Err(raw) => raw,
            },
            _ => raw,
        };
        if let Err(wait) = lock(&self.state.budget).try_take(Purpose::Write, Instant::now()) {
            Counters::bump(&self.counters().budget_refusals);
            if let Some(p) = park
                && p.park(raw).is_ok()
            {
                return Err(queued);
            }
            Counters::bump(&self.counters().errors);
            return Err(CloudError::RateLimited {
                retry_after_secs: retry_secs(wait),
            });
        }
        let result = self
            .send(endpoint.family, method, url, raw.body.as_ref())
            .await;
        match (&result, park) {
            // The API's own 429: nothing was done, so the change may wait too.
            (Err(CloudError::RateLimited { .. }), Some(p)) => {
                if p.park(raw).is_ok() {
                    return Err(queued);
                }
                return result.map(|s| s.body);
            }
            (_, Some(p)) => p.mark_sent(),
            (_, None) => {}
        }
        // Refused before anything changed: nothing to invalidate.
        if !matches!(
            result,
            Err(CloudError::RateLimited { .. } | CloudError::Unauthorized)
        ) {
            self.invalidate(&raw.path);
        }
        match result {
            // E2E's deletes are idempotent: already gone is the end state asked for.
            Err(CloudError::NotFound { .. }) if endpoint.gone_is_done(raw.body.as_ref()) => {
                Ok(Arc::new(Value::Null))
            }
            other => other.map(|s| s.body),
        }
    }

    /// The endpoint a change goes to, if this client may send it: a request
    /// that is not in [`endpoints::ENDPOINTS`] is refused whatever the grant
    /// (fail closed), and a client granted one permission refuses a change
    /// whose endpoint does not name it. Either way nothing is sent, and the
    /// refusal is logged: it means a page called an endpoint its permission
    /// check does not cover.
    fn permit(&self, method: &Method, raw: &RawWrite) -> Result<&'static Endpoint, CloudError> {
        let endpoint = self.key.api.endpoint(method.as_str(), &raw.path);
        let body = raw.body.as_ref();
        let allowed = match (endpoint, &self.grant) {
            (Some(e), Grant::Any) => Some(e).filter(|e| !e.flags_for(body).is_empty()),
            (Some(e), Grant::Flag(flag)) => {
                Some(e).filter(|e| e.flags_for(body).contains(&&**flag))
            }
            (None, _) => None,
        };
        if let Some(e) = allowed {
            return Ok(e);
        }
        let needed = endpoint
            .map(|e| e.flags_for(body).join(", "))
            .unwrap_or_default();
        tracing::warn!(
            account_id = self.key.account_id,
            %method,
            endpoint = endpoint.map_or("(not in the table)", |e| e.path),
            granted = ?self.grant,
            needed,
            "a change was refused before it was sent"
        );
        Err(CloudError::NotGranted { needed })
    }

    /// The object `path` (`/servers/A`) was changed through the panel within
    /// [`CHANGED_LATELY`].
    pub(crate) fn changed_lately(&self, object: &str) -> bool {
        lock(&self.state.reads)
            .changed_objects
            .get(object)
            .is_some_and(|at| at.elapsed() < CHANGED_LATELY)
    }

    /// The last answer the cache holds for `object` (its own, or its line
    /// in its family's list, whichever is newer), with its age, read from
    /// the cache alone: no request.
    pub(crate) fn last_known(&self, object: &str) -> Option<(Value, std::time::Duration)> {
        let key = CacheKey::new(self.key.account_id, object, &[]);
        let reads = lock(&self.state.reads);
        let own = reads
            .cache
            .last(&key)
            .map(|(s, _)| (s.body.as_ref().clone(), s.fetched));
        let listed = self.key.api.whole_list_of(object).and_then(|(list, id)| {
            let list_key = CacheKey::new(self.key.account_id, list, &[]);
            let (stored, _) = reads.cache.last(&list_key)?;
            Some((
                cache::item_of(stored, id)?.body.as_ref().clone(),
                stored.fetched,
            ))
        });
        let newest = match (own, listed) {
            (Some(own), Some(item)) if own.1 < item.1 => item,
            (Some(own), _) => own,
            (None, Some(item)) => item,
            (None, None) => return None,
        };
        Some((newest.0, newest.1.elapsed()))
    }

    /// Forgets cached and in-flight reads a change at `path` may have made wrong.
    pub(crate) fn invalidate(&self, path: &str) {
        let scopes = self.key.api.affected(path);
        let mut reads = lock(&self.state.reads);
        reads.generation += 1;
        let mut segs = path.split('/').filter(|s| !s.is_empty());
        if let (Some(family), Some(id)) = (segs.next(), segs.next()) {
            let now = std::time::Instant::now();
            reads
                .changed_objects
                .retain(|_, at| now.duration_since(*at) < CHANGED_LATELY);
            reads.changed_objects.insert(format!("/{family}/{id}"), now);
        }
        reads.cache.invalidate(&scopes);
        reads
            .inflight
            .retain(|k, _| !scopes.iter().any(|s| s.covers(&k.path)));
    }

    fn encode<B: Serialize>(body: &B) -> Result<Value, CloudError> {
        serde_json::to_value(body).map_err(|e| CloudError::Undecodable {
            detail: format!("the request could not be encoded ({e})"),
        })
    }

    pub(crate) async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CloudError> {
        let v = self
            .write(Method::POST, path, &[], Some(Self::encode(body)?))
            .await?;
        decode(&v)
    }

    pub(crate) async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CloudError> {
        let v = self
            .write(Method::PUT, path, &[], Some(Self::encode(body)?))
            .await?;
        decode(&v)
    }

    pub(crate) async fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<T, CloudError> {
        let v = self.write(Method::DELETE, path, query, None).await?;
        decode(&v)
    }

    pub(crate) async fn delete_with<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, CloudError> {
        let v = self
            .write(Method::DELETE, path, &[], Some(Self::encode(body)?))
            .await?;
        decode(&v)
    }

    /// For answers documented as a list where the schema declares the
    /// parent object: a list is read as is, an object through its `field`.
    pub(crate) async fn post_list<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        field: &str,
    ) -> Result<Vec<T>, CloudError> {
        let v = self
            .write(Method::POST, path, &[], Some(Self::encode(body)?))
            .await?;
        decode_list_in(&v, field)
    }

    pub(crate) async fn put_list<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        field: &str,
    ) -> Result<Vec<T>, CloudError> {
        let v = self
            .write(Method::PUT, path, &[], Some(Self::encode(body)?))
            .await?;
        decode_list_in(&v, field)
    }
}
