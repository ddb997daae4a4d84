//! Structured logs with `tracing`.

use tracing_subscriber::EnvFilter;

/// Installs the log subscriber once; `RUST_LOG` overrides the configured filter.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Err only when a subscriber is already installed (tests), which is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
