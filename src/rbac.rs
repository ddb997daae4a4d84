//! Owned by the organisations/roles/audit work.
