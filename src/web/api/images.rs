//! The changes to images and SSH keys over the API.

use super::routes::ApiRoute;

pub fn routes() -> Vec<ApiRoute> {
    Vec::new()
}
