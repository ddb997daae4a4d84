//! The typed-name check of a server's destructive changes (delete,
//! reinstall, snapshot restore and delete): the server's current name,
//! typed exactly.

use crate::web::cloud::{Upstream, check_typed_name};

/// Destructive actions need the server's name typed exactly.
pub(super) async fn confirm_name(up: &Upstream, id: &str, typed: &str) -> Result<(), String> {
    let server = up
        .client()
        .get_server(id)
        .await
        .map_err(|e| e.user_message())?;
    check_typed_name("server's name", &server.value.name, typed)
}
