//! The Cloud Panel account's own objects and data, beside the resources:
//! images, SSH keys, the catalogue and the account's logs.

pub mod catalogue;
pub mod images;
pub mod logs;
pub mod ssh_keys;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    images::routes(cfg);
    ssh_keys::routes(cfg);
    catalogue::routes(cfg);
    logs::routes(cfg);
}
