//! Who acts through a handle, made on first use.
//!
//! A handle records its actor with every change and refusal, but most
//! requests only read, and a read records nothing. Building the actor's
//! audit context (email, address, browser, request id) on every page view
//! was wasted work; an [`Actor`] builds it when a record first needs it,
//! once per request, and shares it with the cloud accounts opened through
//! the handle.

use std::cell::OnceCell;
use std::rc::Rc;

use crate::audit::AuditCtx;

/// Who acts, in one organisation (or none, for installation-wide events).
#[derive(Clone)]
pub struct Actor(Rc<dyn Make>);

trait Make {
    fn org_id(&self) -> Option<i64>;
    fn ctx(&self) -> &AuditCtx;
}

struct Lazy<F> {
    org_id: Option<i64>,
    made: OnceCell<AuditCtx>,
    make: F,
}

impl<F: Fn() -> AuditCtx> Make for Lazy<F> {
    fn org_id(&self) -> Option<i64> {
        self.org_id
    }

    fn ctx(&self) -> &AuditCtx {
        self.made.get_or_init(|| AuditCtx {
            // Whatever `make` says, the actor acts in its own organisation.
            org_id: self.org_id,
            ..(self.make)()
        })
    }
}

impl Actor {
    /// An actor in `org_id` whose context `make` builds when first needed.
    pub fn new(org_id: Option<i64>, make: impl Fn() -> AuditCtx + 'static) -> Self {
        Self(Rc::new(Lazy {
            org_id,
            made: OnceCell::new(),
            make,
        }))
    }

    /// The audit context: built now if nothing needed it before.
    pub fn ctx(&self) -> &AuditCtx {
        self.0.ctx()
    }

    /// The same actor, acting in `org_id`: shared when it already is.
    pub fn in_org(&self, org_id: i64) -> Self {
        if self.0.org_id() == Some(org_id) {
            return self.clone();
        }
        let base = self.clone();
        Self::new(Some(org_id), move || base.ctx().clone())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn the_context_is_built_once_and_only_when_asked_for() {
        let built = Rc::new(Cell::new(0));
        let counter = built.clone();
        let actor = Actor::new(Some(7), move || {
            counter.set(counter.get() + 1);
            AuditCtx {
                org_id: Some(99),
                actor_label: "ada@example.com".into(),
                ..AuditCtx::default()
            }
        });
        let same_org = actor.in_org(7);
        assert_eq!(built.get(), 0);
        assert_eq!(same_org.ctx().org_id, Some(7), "its own organisation wins");
        assert_eq!(actor.ctx().actor_label, "ada@example.com");
        assert_eq!(built.get(), 1, "shared by the handles in one organisation");

        let elsewhere = actor.in_org(8);
        assert_eq!(elsewhere.ctx().org_id, Some(8));
        assert_eq!(elsewhere.ctx().actor_label, "ada@example.com");
        assert_eq!(built.get(), 1);
    }
}
