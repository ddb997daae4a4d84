//! An SSH public key as pasted from a `.pub` file.

use base64::Engine;

/// The key types OpenSSH writes in a public key file.
pub const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

/// An OpenSSH public key, one line: `TYPE BASE64 [COMMENT]`, where the
/// decoded key names the same type, at most [`PublicKey::MAX_LEN`]
/// characters with single spaces between the parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: &'static str,
    body: String,
    /// Words separated by single spaces; empty is none.
    comment: String,
}

impl PublicKey {
    /// The Cloud Panel keeps public keys of at most this many characters.
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("Paste the public key, the one line of the .pub file.".into());
        }
        if raw.contains(['\n', '\r']) {
            return Err("The public key is one line; paste only the .pub file's line.".into());
        }
        if raw.starts_with("-----") || raw.contains("PRIVATE KEY") {
            return Err(
                "This is not a public key. Paste the .pub file's line, never the private key."
                    .into(),
            );
        }
        let mut parts = raw.split_whitespace();
        let typed_kind = parts.next().unwrap_or_default();
        let Some(kind) = KEY_TYPES.iter().copied().find(|k| *k == typed_kind) else {
            return Err(
                "This does not look like an OpenSSH public key: it starts with its type, such as ssh-ed25519 or ecdsa-sha2-nistp256."
                    .into(),
            );
        };
        let damaged =
            || "The key after its type is damaged or incomplete; copy the whole line again.";
        let body = parts.next().ok_or_else(damaged)?;
        if !body_names(body, kind) {
            return Err(damaged().into());
        }
        let key = Self {
            kind,
            body: body.to_owned(),
            comment: parts.collect::<Vec<_>>().join(" "),
        };
        let len = key.to_string().chars().count();
        if len > Self::MAX_LEN {
            return Err(format!(
                "The Cloud Panel keeps keys of at most {} characters; this one has {len}. Use an Ed25519 or ECDSA key, or a shorter comment.",
                Self::MAX_LEN
            ));
        }
        Ok(key)
    }

    /// `ssh-ed25519`
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The base64 key as typed.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The comment after the key (often `user@host`), if any.
    pub fn comment(&self) -> Option<&str> {
        (!self.comment.is_empty()).then_some(self.comment.as_str())
    }
}

/// Whether a base64 key body starts with the key's type, as every OpenSSH
/// key does: a 4-byte big-endian length and that many bytes.
fn body_names(body: &str, kind: &str) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(body) else {
        return false;
    };
    let named = decoded
        .get(..4)
        .map(|len| u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize)
        .and_then(|len| decoded.get(4..4usize.checked_add(len)?));
    named == Some(kind.as_bytes())
}

impl std::fmt::Display for PublicKey {
    /// The key as one line with single spaces, as it is sent.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.body)?;
        if !self.comment.is_empty() {
            write!(f, " {}", self.comment)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    fn ed25519(comment: &str) -> String {
        format!("ssh-ed25519 {BODY}{comment}")
    }

    /// A key body naming `kind`, with `extra` bytes after it.
    fn body_naming(kind: &str, extra: usize) -> String {
        let mut bytes = (kind.len() as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(kind.as_bytes());
        bytes.extend(std::iter::repeat_n(7u8, extra));
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn a_key_is_taken_with_its_comment_and_single_spaces() {
        let key = PublicKey::parse(&format!("  {}\n", ed25519(" deploy@ci"))).unwrap();
        assert_eq!(key.kind(), "ssh-ed25519");
        assert_eq!(key.body(), BODY);
        assert_eq!(key.comment(), Some("deploy@ci"));
        assert_eq!(key.to_string(), ed25519(" deploy@ci"));

        let spaced = PublicKey::parse(&format!("ssh-ed25519 \t {BODY}   my  laptop ")).unwrap();
        assert_eq!(spaced.to_string(), ed25519(" my laptop"));

        let bare = PublicKey::parse(&ed25519("")).unwrap();
        assert_eq!(bare.comment(), None);
        assert_eq!(bare.to_string(), ed25519(""));
    }

    #[test]
    fn every_openssh_type_is_known_by_its_body() {
        for kind in KEY_TYPES {
            let line = format!("{kind} {}", body_naming(kind, 32));
            assert_eq!(PublicKey::parse(&line).unwrap().kind(), *kind, "{kind}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for (raw, says) in [
            ("", "Paste the public key"),
            (" \t ", "Paste the public key"),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "never the private key",
            ),
            ("ssh-ed25519 AAAA RSA PRIVATE KEY", "never the private key"),
            ("hello world", "starts with its type"),
            ("SSH-ED25519 AAAA", "starts with its type"),
            ("ssh-ed25519\u{0} AAAA", "starts with its type"),
            (
                "<script>alert(1)</script> ssh-ed25519",
                "starts with its type",
            ),
            (
                "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
                "damaged",
            ),
            ("ssh-ed25519 not-base64!", "damaged"),
            ("ssh-ed25519", "damaged"),
            ("ssh-ed25519 AAAA", "damaged"),
            ("ssh-ed25519 ＡＡＡＡ", "damaged"),
            // A length far past the end of the body.
            ("ssh-ed25519 /////w==", "damaged"),
            ("ssh-ed25519 AAAA\nssh-ed25519 AAAA", "one line"),
            ("ssh-ed25519 AAAA\rx", "one line"),
        ] {
            let e = PublicKey::parse(raw).unwrap_err();
            assert!(e.contains(says), "{raw:?}: {e}");
        }
    }

    #[test]
    fn the_size_limit_counts_the_whole_line() {
        let at_limit = ed25519(&format!(" {}", "c".repeat(PublicKey::MAX_LEN - 80 - 1)));
        assert_eq!(at_limit.chars().count(), PublicKey::MAX_LEN);
        assert!(PublicKey::parse(&at_limit).is_ok());

        let e = PublicKey::parse(&format!("{at_limit}c")).unwrap_err();
        assert!(
            e.contains("at most 256 characters; this one has 257"),
            "{e}"
        );
        // Characters, not bytes: a unicode comment of 170 characters fits.
        assert!(PublicKey::parse(&ed25519(&format!(" {}", "ü".repeat(170)))).is_ok());

        let rsa = format!("ssh-rsa {}", body_naming("ssh-rsa", 400));
        assert!(PublicKey::parse(&rsa).unwrap_err().contains("Ed25519"));
        let huge = format!("ssh-ed25519 {BODY} {}", "x".repeat(1_000_000));
        assert!(PublicKey::parse(&huge).unwrap_err().contains("at most 256"));
    }

    #[test]
    fn a_comment_is_kept_as_typed_for_the_page_to_escape() {
        let key = PublicKey::parse(&ed25519(" <b>\"x\"</b>'; DROP TABLE keys;--")).unwrap();
        assert_eq!(key.comment(), Some("<b>\"x\"</b>'; DROP TABLE keys;--"));
    }
}
