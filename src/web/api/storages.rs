//! The changes to block and shared storages over the API.

use super::routes::ApiRoute;

pub fn routes() -> Vec<ApiRoute> {
    Vec::new()
}
