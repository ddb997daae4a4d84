//! The one door to an organisation's rows, checked from the source: the
//! organisation tables' queries are private to `tenant`, and the only public
//! functions there that take no permission check are the listed unguarded ones.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without its `#[cfg(test)]` module (tests may reach anywhere).
fn source(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Names of `pub fn` / `pub async fn` at the top level of a file (not in an `impl`).
fn free_public_functions(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("pub async fn ")
                .or_else(|| line.strip_prefix("pub fn "))?;
            Some(rest.split(['(', '<']).next()?.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_organisation_tables_are_reached_only_through_the_tenant_module() {
    let tenant = src().join("tenant");
    let module = std::fs::read_to_string(tenant.join("mod.rs")).unwrap();
    assert!(
        module.lines().any(|l| l.trim() == "mod store;"),
        "tenant::store must stay private"
    );
    assert!(
        !module.contains("pub mod store")
            && !module.contains("pub use store::accounts::{open_token")
    );

    // Outside the store, the tenant module's only free public functions are
    // the unguarded ones, each of which says why it may skip the check.
    let mut files = Vec::new();
    rust_files(&tenant, &mut files);
    let mut public: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(tenant.join("store")))
        .flat_map(|f| free_public_functions(&source(f)))
        .collect();
    public.sort();
    assert_eq!(
        public,
        [
            "accept_invitation",
            "accept_invitation_as_new_user",
            "invitation_by_token",
            // A pure reading of a group claim's names; it reaches nothing.
            "parse_groups",
            "reseal_all_tokens",
            // Sign-in through the identity provider: the provider's groups
            // grant memberships before there is one to check, as an
            // invitation link does.
            "sync_group_memberships",
        ],
        "a new public tenant function must take the handle, or be listed here with its reason"
    );
}

#[test]
fn pages_read_an_organisations_audit_log_and_unguarded_rows_only_where_listed() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        let rel = file
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = source(&file);
        if !rel.starts_with("tenant") && !rel.starts_with("audit") {
            assert!(
                !text.contains("Scope::Organisation"),
                "{rel} reads an organisation's audit log without the handle"
            );
        }
        if text.contains("unguarded::") || text.contains("tenant::unguarded") {
            assert!(
                ["web/members.rs", "commands/rotate_key.rs"].contains(&rel.as_str())
                    || rel.starts_with("tenant"),
                "{rel} uses unguarded tenant functions"
            );
        }
    }
}
