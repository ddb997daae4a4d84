//! The TLS crypto provider for outgoing HTTPS.
//!
//! reqwest is built without its bundled aws-lc-rs provider (ring builds far
//! faster), so the ring provider must be installed before any client is built.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Installs ring as the process-wide rustls provider; safe to call many times.
pub fn install_crypto_provider() {
    INSTALL.call_once(|| {
        // Err only means another provider was installed first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A reqwest client builder with the crypto provider in place.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}
