//! Builds the actix application and runs it.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_web::cookie::SameSite;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::app_state::AppState;
use crate::auth::throttle::LoginThrottle;
use crate::cloudpanel::{ClientSettings, CloudPanel};
use crate::config::Settings;
use crate::crypto::{self, KeySource};
use crate::db;
use crate::web::csrf::{self, TrustedOrigins};
use crate::web::error::AppError;
use crate::web::{self as pages, middleware as mw};

/// Name of the session cookie. The `__Host-` prefix (secure origins only)
/// stops a sibling subdomain from planting one.
fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-teampanel"
    } else {
        "teampanel_session"
    }
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    /// Tells `teampanel restore` that this data dir's database is in use.
    data_dir_lock: crate::data_dir_lock::DataDirLock,
}

impl Application {
    /// Prepares the data dir, the database and the master key, and binds the listener
    /// (port 0 picks a free port; `port()` tells which).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        db::prepare_data_dir(&settings.data_dir)?;
        let data_dir_lock = crate::data_dir_lock::DataDirLock::acquire(&settings.data_dir)?;
        let database = db::connect(&settings.database_path()).await?;
        let (master_key, source) = crypto::load_or_create(&settings)?;
        match source {
            KeySource::CreatedFile(path) => {
                tracing::warn!(path = %path.display(), "created a new master key file; back it up with the database");
            }
            KeySource::ExistingFile(path) => {
                tracing::info!(path = %path.display(), "master key loaded from file")
            }
            KeySource::Setting => tracing::info!("master key loaded from the settings"),
        }
        let keys = crypto::KeyRing::load(&master_key, &settings)?;
        let cloud = CloudPanel::new(ClientSettings {
            cache_ttl: settings.cache_ttl,
            catalogue_ttl: settings.catalogue_ttl,
            account_data_ttl: settings.account_data_ttl,
            activity_ttl: settings.activity_ttl,
            settled_ttl: settings.settled_ttl,
            budget_wait: settings.budget_wait,
            timeout: settings.upstream_timeout,
            rate_window: settings.upstream_rate_window,
            ..ClientSettings::default()
        })
        .context("Failed to build the Cloud Panel client")?;
        crate::auth::password::warm_up();
        let throttle = LoginThrottle::new(
            settings.login_attempts_per_ip,
            settings.login_attempts_per_account,
        );
        let oidc = crate::auth::oidc::Oidc::from_settings(&settings)?.map(Arc::new);
        if let Some(oidc) = &oidc {
            // A provider that cannot be used now leaves password sign-in working.
            match oidc.discover_now().await {
                Ok(()) => tracing::info!(
                    issuer = %oidc.settings().issuer,
                    "sign-in with {} is ready",
                    oidc.label()
                ),
                Err(e) => tracing::error!(
                    issuer = %oidc.settings().issuer,
                    error = %e,
                    "sign-in with {} is unavailable until the provider can be read; password sign-in works",
                    oidc.label()
                ),
            }
        }
        let mut state = AppState::new(database, settings, master_key, keys, throttle, cloud);
        state.oidc = oidc;
        let state = web::Data::new(state);
        let listener = TcpListener::bind(state.settings.bind)
            .with_context(|| format!("Failed to listen on {}", state.settings.bind))?;
        let port = listener
            .local_addr()
            .context("Failed to read the bound address")?
            .port();
        let server = run(listener, state.clone())?;
        spawn_housekeeping(state.clone());
        spawn_access_expiry(state.clone());
        spawn_change_queue(state.clone());
        spawn_schedules(state.clone());
        spawn_webhooks(state.clone())?;
        spawn_monitoring_alerts(state.clone());
        Ok(Self {
            port,
            server,
            state,
            data_dir_lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Stops the server from elsewhere (tests that restart the panel on the same data dir).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let _held_until_stopped = self.data_dir_lock;
        let result = self.server.await;
        // No queued change starts once the panel stops serving.
        self.state.door.stop_queue();
        result
    }
}

fn run(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let settings = &state.settings;
    let secure = settings.is_secure();
    let cookie_key = state.master_key.cookie_key();
    let trusted = web::Data::new(TrustedOrigins(settings.allowed_origins()));
    let hsts = web::Data::new(mw::Hsts(secure));
    let idle = actix_web::cookie::time::Duration::seconds(
        i64::try_from(settings.session_idle.as_secs()).unwrap_or(i64::MAX / 2),
    );
    let absolute = settings.session_absolute;
    // One store for every worker, so they share its cache of sessions.
    let store = db::sessions::SqliteSessionStore::new(state.raw_db().clone(), absolute);
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(store.clone(), cookie_key.clone())
            // The cookie holds only a random session id (64 letters and
            // digits), which the browser already knows: it needs to be
            // tamper-proof, not secret. Signing does that for a fraction of
            // the cost of decrypting on every request.
            .cookie_content_security(CookieContentSecurity::Signed)
            .cookie_name(cookie_name(secure).to_owned())
            .cookie_secure(secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_path("/".to_owned())
            .session_lifecycle(
                BrowserSession::default()
                    .state_ttl(idle)
                    .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
            )
            .build();
        App::new()
            .app_data(state.clone())
            .app_data(trusted.clone())
            .app_data(hsts.clone())
            // Unreadable forms, queries and paths get the panel's own error page.
            .app_data(
                web::FormConfig::default()
                    .limit(256 * 1024)
                    .error_handler(|e, _| {
                        AppError::BadRequest(format!(
                            "The form could not be read ({e}). Go back and check what you typed."
                        ))
                        .into()
                    }),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                AppError::BadRequest(format!("The address's query could not be read ({e}).")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
            .configure(pages::routes)
            .default_service(web::to(pages::not_found))
            // Registered inside-out: the frame (request id, metrics, security
            // headers) runs first; CSRF last.
            .wrap(csrf::Check)
            .wrap(sessions)
            .wrap(Compress::default())
            .wrap(from_fn(mw::frame))
    })
    .listen(listener)
    .context("Failed to start the HTTP server")?
    .shutdown_timeout(5)
    .run();
    Ok(server)
}

/// Expired sessions, recovered throttle keys and webhook deliveries past
/// their time in the log are dropped every few minutes.
fn spawn_housekeeping(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) =
                db::sessions::purge_expired(state.raw_db(), state.settings.session_absolute).await
            {
                tracing::warn!(error = ?e, "session purge failed");
            }
            state.throttle.shrink();
            match state.door.prune_webhook_deliveries(db::now_unix()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deliveries = n, "old webhook deliveries removed"),
                Err(e) => tracing::warn!(error = ?e, "old webhook deliveries could not be removed"),
            }
        }
    });
}

/// Memberships whose end has passed are removed, and their members'
/// waiting changes and requests cancelled, soon after (the door refuses
/// them at once); requests for approval past their time limit expire.
fn spawn_access_expiry(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            if let Err(e) = state.door.end_expired_access(db::now_unix()).await {
                tracing::warn!(error = ?e, "ending expired access failed");
            }
            if let Err(e) = state.door.expire_approvals(db::now_unix()).await {
                tracing::warn!(error = ?e, "expiring requests for approval failed");
            }
        }
    });
}

/// The schedules' worker: at start (a run missed while the panel was down
/// runs now if it is within the grace period, else it is recorded as
/// missed) and every 15 s (`schedule_sweep_every`), each schedule whose time has come runs as its
/// author. A run opens the author's handle, whose actor is built lazily
/// for one thread and not sent between threads, so each sweep is driven
/// on a blocking thread with the runtime's handle.
fn spawn_schedules(state: web::Data<AppState>) {
    let grace = i64::try_from(state.settings.schedule_grace.as_secs()).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.settings.schedule_sweep_every);
        while !state.door.queue_stopped() {
            tick.tick().await;
            let (state, handle) = (state.clone(), tokio::runtime::Handle::current());
            let swept = tokio::task::spawn_blocking(move || {
                handle.block_on(state.door.run_due_schedules(db::now_unix(), grace))
            })
            .await;
            match swept {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = ?e, "running the schedules due failed"),
                Err(e) => tracing::error!(error = %e, "a sweep of the schedules stopped"),
            }
        }
    });
}

/// The change queue's worker: changes left `running` by a panel that
/// stopped are abandoned first (never sent twice); then, whenever a change
/// is queued and every second, each account with waiting changes gets a
/// task that sends them in order while its budget allows, one at a time.
fn spawn_change_queue(state: web::Data<AppState>) {
    tokio::spawn(async move {
        match state.door.recover_queue().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                changes = n,
                "queued changes were being sent when the panel stopped; they are marked abandoned and not sent again"
            ),
            Err(e) => {
                // Sending anything now could send an abandoned change twice.
                tracing::error!(error = ?e, "the change queue could not recover; it stays stopped");
                return;
            }
        }
        while !state.door.queue_stopped() {
            match state.door.queued_accounts().await {
                Ok(accounts) => {
                    for account_id in accounts {
                        let Some(claim) = state.door.claim_queue(account_id) else {
                            continue;
                        };
                        let state = state.clone();
                        tokio::spawn(async move {
                            if let Err(e) = state.door.drain_queue(&claim).await {
                                tracing::warn!(account_id, error = ?e, "the change queue stumbled; it tries again");
                            }
                        });
                    }
                }
                Err(e) => tracing::warn!(error = ?e, "the change queue could not be read"),
            }
            state.door.queue_wait(Duration::from_secs(1)).await;
        }
    });
}

/// The webhooks worker: deliveries left `sending` by a panel that stopped
/// count as failed attempts first; then, twice a second or when a
/// redelivery rings, the audit events after the cursor become deliveries
/// and each due delivery is posted in a task of its own (one per endpoint,
/// a few at once), so no page ever waits for a receiver.
fn spawn_webhooks(state: web::Data<AppState>) -> anyhow::Result<()> {
    let sender = Arc::new(crate::tenant::WebhookSender::new(
        state.settings.allowed_webhook_urls.clone(),
        state.settings.webhook_retry_base,
    )?);
    tokio::spawn(async move {
        match state.door.recover_webhooks(&sender).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                deliveries = n,
                "webhook deliveries were being sent when the panel stopped; they are tried again"
            ),
            Err(e) => {
                tracing::warn!(error = ?e, "webhook deliveries under way could not be recovered")
            }
        }
        loop {
            if let Err(e) = state.door.route_webhook_events().await {
                tracing::warn!(error = ?e, "audit events could not be routed to webhooks");
            }
            match state.door.claim_webhooks().await {
                Ok(claims) => {
                    for claim in claims {
                        let (state, sender) = (state.clone(), sender.clone());
                        tokio::spawn(async move {
                            if let Err(e) = state.door.deliver_webhook(&sender, &claim).await {
                                tracing::warn!(error = ?e, "a webhook attempt could not be recorded");
                            }
                        });
                    }
                }
                Err(e) => tracing::warn!(error = ?e, "due webhook deliveries could not be read"),
            }
            state.door.webhook_wait(Duration::from_millis(500)).await;
        }
    });
    Ok(())
}

/// Alerts the client tells from monitoring center reads are recorded in
/// their organisation's audit log (and so reach its webhooks).
fn spawn_monitoring_alerts(state: web::Data<AppState>) {
    let Some(mut alerts) = state.cloud.monitoring_alerts() else {
        return;
    };
    tokio::spawn(async move {
        while let Some(alert) = alerts.recv().await {
            if let Err(e) = state.door.record_monitoring_alert(&alert).await {
                tracing::warn!(error = ?e, "a monitoring alert could not be recorded");
            }
        }
    });
}

/// The address the panel answers on, for messages.
pub fn display_url(settings: &Settings, port: u16) -> String {
    if let Some(url) = &settings.public_url {
        return url.as_str().trim_end_matches('/').to_owned();
    }
    let addr = SocketAddr::new(settings.bind.ip(), port);
    format!("http://{addr}")
}
