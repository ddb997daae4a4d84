//! The changes to server parts over the API.

use super::routes::ApiRoute;

pub fn routes() -> Vec<ApiRoute> {
    Vec::new()
}
