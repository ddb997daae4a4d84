//! Who is asking: passwords, sessions, CSRF, sign-in throttling and the
//! extractors handlers use to learn the signed-in user.

pub mod csrf;
pub mod extract;
pub mod password;
pub mod throttle;

pub use extract::CurrentUser;
