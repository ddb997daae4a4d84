//! The maintenance commands behind the command line: each works on the data
//! dir directly and prints for the operator.

pub mod audit_checkpoint;
pub mod audit_verify;
pub mod backup;
pub mod restore;
pub mod rotate_key;
pub mod user;
