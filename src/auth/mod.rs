//! Who is asking: password hashing, sign-in throttling, the TOTP second
//! factor, the OpenID Connect provider and the API tokens' rate limit. The
//! extractors that read the session live with the pages (`web::extract`),
//! CSRF with the middleware (`web::csrf`).

pub mod api_rate;
pub mod oidc;
pub mod password;
pub mod throttle;
pub mod totp;
