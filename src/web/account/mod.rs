//! The Cloud Panel account's own objects and data, beside the resources:
//! images, SSH keys, the catalogue, the account's logs, its users and roles,
//! and its usage and cost.

pub mod catalogue;
pub mod cloud_roles;
pub mod cloud_users;
pub mod images;
pub mod logs;
pub mod ssh_keys;
pub mod usage;

use actix_session::Session;

use crate::rbac::Permission;
use crate::tenant::AccountList;
use crate::web::cloud::{AccountParam, Fallback, Upstream, connect};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

pub fn routes(cfg: &mut crate::web::routing::Routes) {
    images::routes(cfg);
    ssh_keys::routes(cfg);
    catalogue::routes(cfg);
    logs::routes(cfg);
    cloud_users::routes(cfg);
    cloud_roles::routes(cfg);
    usage::routes(cfg);
}

/// The account a page with an account switcher shows (the one its address
/// names, else the one the member last chose), behind `permission`, and the
/// accounts to switch to.
async fn open_switchable(
    ctx: &OrgCtx,
    session: &Session,
    permission: Permission,
    account: &AccountParam,
) -> AppResult<(Upstream, AccountList)> {
    let tenant = ctx.require(permission).await?;
    let up = connect(ctx, &tenant, session, account, Fallback::Remembered).await?;
    Ok((up, tenant.accounts().await?))
}
