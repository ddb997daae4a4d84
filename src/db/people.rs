//! Users, their organisations and the organisations' two-factor
//! requirement as every page needs them, kept in process between requests
//! (see [`crate::db::cache`] for why that is safe).

use std::sync::Arc;

use crate::db::Db;
use crate::db::cache::{self, Cached};
use crate::db::orgs::Organisation;
use crate::db::users::User;

/// Users and their organisations as every page needs them, kept between
/// requests. Any write to users, memberships or organisations outdates
/// them at once (see [`crate::db::cache`]), so disabling a user or removing
/// a member applies to their very next request.
#[derive(Default)]
pub struct People {
    /// Shared rather than copied: every page reads them.
    users: Cached<i64, Arc<User>>,
    orgs: Cached<i64, Arc<[Organisation]>>,
    /// (organisation, user): whether the organisation's two-factor
    /// requirement lets the user in.
    two_factor: Cached<(i64, i64), crate::db::two_factor::OrgRequirement>,
}

impl People {
    /// The user with this id, as stored.
    pub async fn user(&self, db: &Db, id: i64) -> anyhow::Result<Option<Arc<User>>> {
        if let Some(user) = self.users.get(&id) {
            return Ok(Some(user));
        }
        let generation = cache::generation();
        let user = crate::db::users::by_id(db, id).await?.map(Arc::new);
        if let Some(user) = &user {
            self.users.put(id, user.clone(), generation);
        }
        Ok(user)
    }

    /// The organisation's two-factor requirement for this user, checked on
    /// every organisation page.
    pub async fn two_factor(
        &self,
        db: &Db,
        org_id: i64,
        user_id: i64,
    ) -> anyhow::Result<crate::db::two_factor::OrgRequirement> {
        if let Some(requirement) = self.two_factor.get(&(org_id, user_id)) {
            return Ok(requirement);
        }
        let generation = cache::generation();
        let requirement = crate::db::two_factor::org_requirement(db, org_id, user_id).await?;
        self.two_factor
            .put((org_id, user_id), requirement, generation);
        Ok(requirement)
    }

    /// The organisations the user belongs to, for the switcher.
    pub async fn orgs(&self, db: &Db, user_id: i64) -> anyhow::Result<Arc<[Organisation]>> {
        if let Some(orgs) = self.orgs.get(&user_id) {
            return Ok(orgs);
        }
        let generation = cache::generation();
        let orgs: Arc<[Organisation]> = crate::db::orgs::for_user(db, user_id).await?.into();
        self.orgs.put(user_id, orgs.clone(), generation);
        Ok(orgs)
    }
}
