//! Who is asking: password hashing, sign-in throttling and the TOTP second
//! factor. The extractors that read the session live with the pages
//! (`web::extract`), CSRF with the middleware (`web::csrf`).

pub mod password;
pub mod throttle;
pub mod totp;
