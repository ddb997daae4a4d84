//! Structured logs with `tracing`: text for people, or one JSON object per
//! line for log collectors (`TEAMPANEL_LOG_FORMAT=json`).

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// Libraries whose debug and trace output can hold request headers (the
/// Cloud Panel token travels in one) or session data. They are held at
/// `info` whatever the configured level, so no secret reaches a log line.
const QUIET: &[&str] = &[
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "actix_http",
    "actix_session",
];

/// Installs the text subscriber once; `RUST_LOG` overrides the configured filter.
pub fn init(filter: &str) {
    init_with(filter, LogFormat::Text);
}

/// Installs the subscriber once in the given format (and routes `log`
/// records into it). Err only means one is already installed (tests).
pub fn init_with(filter: &str, format: LogFormat) {
    let _ = subscriber(filter, format, std::io::stderr).try_init();
}

/// The subscriber, writing to `writer`; in JSON each line carries the
/// request's span (its `request_id`, method and path) beside the event.
pub fn subscriber<W>(
    filter: &str,
    format: LogFormat,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter(filter))
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(
            builder
                .with_target(false)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .finish(),
        ),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

fn env_filter(filter: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    for target in QUIET {
        if let Ok(directive) = format!("{target}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn json_lines_carry_the_request_id_and_quiet_libraries_stay_quiet() {
        let buffer = Buffer::default();
        let subscriber = subscriber("trace", LogFormat::Json, buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = "00ab", method = "GET");
            let _entered = span.enter();
            tracing::info!(status = 200, "answered");
            tracing::trace!(target: "hyper::proto", header = "X-TOKEN: sekr3t-token", "encode");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("sekr3t"), "{text}");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert_eq!(lines[0]["message"], "answered");
        assert_eq!(lines[0]["status"], 200);
        assert_eq!(lines[0]["span"]["request_id"], "00ab");
    }
}
