//! Who is asking: password hashing and sign-in throttling. The extractors
//! that read the session live with the pages (`web::extract`), CSRF with the
//! middleware (`web::csrf`).

pub mod password;
pub mod throttle;
