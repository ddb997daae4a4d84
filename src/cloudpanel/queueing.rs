//! Changes that wait instead of being turned away.
//!
//! A member's change that finds the account's request budget spent is not
//! refused: the client parks the request it would have sent in a slot the
//! caller armed ([`Parked`]) and answers [`CloudError::Queued`]. The caller
//! (the audited path of a change) stores it in the account's queue, and the
//! queue's worker sends it later with [`AccountClient::send_raw`]. A client
//! without an armed slot refuses as before.

use std::fmt;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cache::{self, state_of};
use super::de::looks_transitional;
use super::{AccountClient, Priority, lock};

/// A change as it goes over the wire, kept to be sent later. Its body may
/// hold a password (a new server's, an FTP user's): it is stored sealed and
/// its `Debug` shows only the method and path.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct RawWrite {
    pub method: String,
    /// Below the account's base URL, e.g. `/servers/ABC/status/action`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl fmt::Debug for RawWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawWrite")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// When an armed slot takes a change instead of letting it go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arming {
    /// Only when the budget refuses it (the panel's own or the API's 429).
    WhenRefused,
    /// Always: earlier changes of the account are waiting, and a change
    /// never overtakes them.
    Always,
}

#[derive(Debug, Default)]
struct Slot {
    arming: Option<Arming>,
    parked: Option<RawWrite>,
    /// A request of this call went out: a later one is not parked, since
    /// half a change would then wait while the other half was done.
    sent: bool,
}

/// The parking slot of a client opened with [`AccountClient::queueing`];
/// shared by the client's clones.
#[derive(Clone, Default)]
pub struct Parked(Arc<Mutex<Slot>>);

impl fmt::Debug for Parked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = lock(&self.0);
        f.debug_struct("Parked")
            .field("arming", &slot.arming)
            .field("parked", &slot.parked.is_some())
            .finish()
    }
}

impl Parked {
    /// Arms the slot for one call: a change the budget refuses is parked;
    /// with `always`, every change is (others of the account are waiting).
    pub fn arm(&self, always: bool) {
        let mut slot = lock(&self.0);
        *slot = Slot {
            arming: Some(if always {
                Arming::Always
            } else {
                Arming::WhenRefused
            }),
            parked: None,
            sent: false,
        };
    }

    /// Disarms the slot and hands over what was parked, if anything.
    pub fn disarm(&self) -> Option<RawWrite> {
        let mut slot = lock(&self.0);
        slot.arming = None;
        slot.sent = false;
        slot.parked.take()
    }

    /// Whether the next change goes to the slot without being tried.
    pub(super) fn parks_all(&self) -> bool {
        let slot = lock(&self.0);
        slot.arming == Some(Arming::Always) && slot.parked.is_none() && !slot.sent
    }

    /// Parks `raw` if the slot is armed and still empty; gives it back otherwise.
    pub(super) fn park(&self, raw: RawWrite) -> Result<(), RawWrite> {
        let mut slot = lock(&self.0);
        if slot.arming.is_none() || slot.parked.is_some() || slot.sent {
            return Err(raw);
        }
        slot.parked = Some(raw);
        Ok(())
    }

    /// A request of the armed call went out.
    pub(super) fn mark_sent(&self) {
        let mut slot = lock(&self.0);
        if slot.arming.is_some() {
            slot.sent = true;
        }
    }
}

/// A place in line in words: "1st", "2nd", "3rd", "4th", "11th", "21st".
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl AccountClient {
    /// The same account with a parking slot: once the slot is armed, a
    /// change the budget refuses is parked there and answered
    /// [`super::CloudError::Queued`] rather than refused.
    pub fn queueing(&self) -> (AccountClient, Parked) {
        let parked = Parked::default();
        let client = AccountClient {
            park: Some(parked.clone()),
            ..self.clone()
        };
        (client, parked)
    }
}

/// How old an answer about an object the panel has not changed may be and
/// still tell whether the object is between states.
const SETTLE_TRUST: std::time::Duration = std::time::Duration::from_secs(60);

impl AccountClient {
    /// Whether the object a waiting change acts on is between states (a
    /// server powering off, a storage being configured): the API refuses
    /// most changes then, so the change waits for the state to settle.
    /// Read with the change's own priority ([`Priority::Settle`]); an
    /// answer that is not fresh (the budget spent, a change since) cannot
    /// tell, and counts as busy. A
    /// change that creates something, or acts on an object whose family's
    /// list does not hold it, is never held.
    pub async fn target_busy(&self, raw: &RawWrite) -> bool {
        let mut segs = raw.path.split('/').filter(|s| !s.is_empty());
        let (Some(family), Some(id)) = (segs.next(), segs.next()) else {
            return false;
        };
        let object = match self.key.api {
            super::Api::CloudPanel => {
                let object = format!("/{family}/{id}");
                if cache::whole_list_of(&object).is_none() {
                    return false;
                }
                object
            }
            // E2E's nodes have states; its saved images are only made.
            super::Api::E2e(_) if family == "nodes" => format!("/nodes/{id}/"),
            super::Api::E2e(_) => return false,
        };
        // A change to another object (the previous server of a bulk stop)
        // outdated this object's family's list, but not this object's line
        // in it: a recent answer about an object nobody changed since
        // tells its state without a request.
        if !self.changed_lately(&object)
            && let Some((body, age)) = self.last_known(&object)
            && age < SETTLE_TRUST
        {
            return state_of(&body).is_some_and(looks_transitional);
        }
        let reader = AccountClient {
            priority: Priority::Settle,
            park: None,
            // The settle check reads the object as the panel, not as the member.
            scope: None,
            ..self.clone()
        };
        match reader.read_value(&object, &[]).await {
            Ok(fetched) if !fetched.stale && !fetched.updating => {
                state_of(&fetched.value).is_some_and(looks_transitional)
            }
            Ok(_) => true,
            // Gone, or unreadable for another reason: the API will say.
            Err(e) => super::StaleReason::of(&e).is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(path: &str) -> RawWrite {
        RawWrite {
            method: "PUT".into(),
            path: path.into(),
            query: Vec::new(),
            body: Some(serde_json::json!({ "password": "hunter2" })),
        }
    }

    #[test]
    fn an_unarmed_slot_parks_nothing_and_an_armed_one_parks_once() {
        let p = Parked::default();
        assert!(p.park(raw("/a")).is_err());
        p.arm(false);
        assert!(!p.parks_all());
        assert!(p.park(raw("/a")).is_ok());
        assert!(p.park(raw("/b")).is_err(), "one change per call");
        assert_eq!(p.disarm().map(|r| r.path), Some("/a".to_owned()));
        assert!(p.park(raw("/c")).is_err(), "disarmed");
    }

    #[test]
    fn after_a_request_went_out_nothing_more_is_parked() {
        let p = Parked::default();
        p.arm(true);
        assert!(p.parks_all());
        p.mark_sent();
        assert!(!p.parks_all());
        assert!(p.park(raw("/a")).is_err());
    }

    #[test]
    fn the_body_never_shows_in_debug_output() {
        let shown = format!("{:?}", raw("/servers/1"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("/servers/1"));
    }
}
