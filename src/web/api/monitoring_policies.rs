//! The changes to monitoring policies over the API.

use super::routes::ApiRoute;

pub fn routes() -> Vec<ApiRoute> {
    Vec::new()
}
