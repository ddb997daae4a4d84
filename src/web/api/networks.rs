//! The changes to private networks, public IPs and VPNs over the API.

use super::routes::ApiRoute;

pub fn routes() -> Vec<ApiRoute> {
    Vec::new()
}
