//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the
//! folder's files at compile time, and cargo does not watch a folder by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
