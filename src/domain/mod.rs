//! Domain types that input is parsed into: forms, the command line and the
//! demo parse into these first, and everything past that point can trust
//! them. Each `parse` says what is wrong in words for the person who typed it.

mod account;
mod email;
mod names;
mod network;

pub use account::{AccountName, ApiToken, BaseUrl, DEFAULT_BASE_URL};
pub use email::Email;
pub use names::{OrgSlug, parse_display_name};
pub use network::{
    Hostname, Ipv4Subnet, SubnetField, parse_resource_description, parse_resource_name,
};
