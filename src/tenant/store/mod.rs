//! The organisation tables' queries. Private to `tenant`: every query takes
//! an organisation id, and only the tenant handle, which got that id from a
//! permission check, may pass one.

pub mod accounts;
pub mod api_tokens;
pub mod approvals;
pub mod bulk;
pub mod invitations;
pub mod members;
pub mod queue;
pub mod roles;
pub mod schedules;
pub mod webhook_deliveries;
pub mod webhooks;
