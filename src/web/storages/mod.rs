//! Storages: block storages (one server each) and shared storages (NFS/CIFS
//! for many servers).

pub mod block;
pub mod shared;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    block::routes(cfg);
    shared::routes(cfg);
}
