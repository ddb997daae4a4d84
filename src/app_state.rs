//! What every handler can reach.

use std::sync::Arc;

use crate::auth::password::{Hasher, Limits};
use crate::auth::throttle::LoginThrottle;
use crate::cloudpanel::CloudPanel;
use crate::config::Settings;
use crate::crypto::{self, MasterKey};
use crate::db::Db;
use crate::tenant::Door;

pub struct AppState {
    /// The whole database. Organisation rows are reached through `door`;
    /// this is for the installation's own tables (users, sessions,
    /// organisations) and the instance admin.
    db: Db,
    pub settings: Settings,
    pub master_key: MasterKey,
    /// The keys that open sealed secrets of the installation's own tables
    /// (users' second factors); organisation tokens go through `door`.
    pub keys: crypto::KeyRing,
    /// The one way to an organisation's rows and cloud accounts.
    pub door: Door,
    pub throttle: LoginThrottle,
    /// Each API token's requests per minute.
    pub api_rate: crate::auth::api_rate::ApiRate,
    /// Runs sign-ins' password checks, one per core at a time; the rarer
    /// hashing of signed-in pages and the command line uses the process's
    /// own ([`Hasher::shared`]).
    pub hasher: Arc<Hasher>,
    /// Users and their organisations as pages show them, read once per change.
    pub people: crate::db::people::People,
    /// The Cloud Panel client: one rate budget, read cache and set of counters per cloud account.
    pub cloud: CloudPanel,
    /// The organisation's identity provider, when one is configured.
    pub oidc: Option<Arc<crate::auth::oidc::Oidc>>,
}

impl AppState {
    pub fn new(
        db: Db,
        settings: Settings,
        master_key: MasterKey,
        keys: crypto::KeyRing,
        throttle: LoginThrottle,
        cloud: CloudPanel,
    ) -> Self {
        Self {
            api_rate: crate::auth::api_rate::ApiRate::new(settings.api_rate_limit),
            door: Door::new(
                db.clone(),
                keys.clone(),
                cloud.clone(),
                settings.change_queue_max,
            ),
            keys,
            db,
            settings,
            master_key,
            throttle,
            hasher: Arc::new(Hasher::new(Limits::default())),
            people: crate::db::people::People::default(),
            cloud,
            oidc: None,
        }
    }

    /// The database without an organisation's permission check: users,
    /// sessions, organisations and the installation's audit log. The name
    /// is a warning: organisation rows go through [`AppState::door`].
    pub fn raw_db(&self) -> &Db {
        &self.db
    }
}
