//! Domain types that input is parsed into: forms, the command line and the
//! demo parse into these first, and everything past that point can trust
//! them. Each `parse` says what is wrong in words for the person who typed it.

mod access_end;
mod account;
mod email;
mod hardware;
mod names;
mod network;
mod ports;
mod public_key;
mod webhook;
mod weekly;

pub use access_end::AccessEnd;
pub use account::{AccountName, ApiToken, BaseUrl, DEFAULT_BASE_URL, Location, ProjectId};
pub use email::Email;
pub use hardware::{DiskSize, Hardware};
pub use names::{OrgSlug, parse_display_name, parse_short_name};
pub use network::{
    Hostname, Ipv4Subnet, RuleSource, SubnetField, parse_resource_description, parse_resource_name,
};
pub use ports::{BalancedPort, BalancedPorts, PortRange};
pub use public_key::{KEY_TYPES, PublicKey};
pub use webhook::{WebhookName, WebhookUrl};
pub use weekly::{DAYS as WEEK_DAYS, TimeZoneName, Weekly};
