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

pub fn routes(cfg: &mut crate::web::routing::Routes) {
    images::routes(cfg);
    ssh_keys::routes(cfg);
    catalogue::routes(cfg);
    logs::routes(cfg);
    cloud_users::routes(cfg);
    cloud_roles::routes(cfg);
    usage::routes(cfg);
}
