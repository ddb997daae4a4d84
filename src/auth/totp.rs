//! TOTP second factor (RFC 6238 through the `totp-rs` crate): secrets, the
//! otpauth URI and its QR code, code checks with replay protection, and
//! recovery codes.

use anyhow::Context;
use qrcode::QrCode;
use qrcode::render::svg;
use rand::Rng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

/// The name authenticator apps show above the code.
pub const ISSUER: &str = "teampanel";
/// 160 bits, the size RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
const STEP_SECS: u64 = 30;
/// Codes one step early or late are accepted: clocks of phones drift.
const SKEW_STEPS: u16 = 1;

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_LEN];
    rand::rng().fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> anyhow::Result<Totp> {
    // The otpauth label may not hold a colon; an email never does, but a
    // stray one must not make enrolment impossible.
    let account = account.replace(':', "");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(SKEW_STEPS)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .context("Failed to set up a TOTP generator")
}

/// The secret as authenticator apps take it when typed in (base32).
pub fn secret_text(secret: &[u8]) -> anyhow::Result<String> {
    Ok(totp(secret, "")?.secret().to_base32())
}

/// `otpauth://totp/teampanel:{account}?secret=...&issuer=teampanel`
pub fn otpauth_uri(secret: &[u8], account: &str) -> anyhow::Result<String> {
    totp(secret, account)?
        .to_url()
        .context("Failed to build the otpauth URI")
}

/// The URI as a QR code in SVG, ready to sit inline in a page. It styles
/// itself with presentation attributes only (no `style=`), which the
/// page's Content-Security-Policy allows; the XML prologue is dropped, as
/// it has no place inside HTML.
pub fn qr_svg(uri: &str) -> anyhow::Result<String> {
    let code = QrCode::new(uri.as_bytes()).context("Failed to encode the QR code")?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].to_owned())
}

/// The step of `now` (seconds since the epoch).
pub fn step_of(now: i64) -> i64 {
    now.div_euclid(STEP_SECS as i64)
}

/// Checks a six-digit code at `now` (±1 step). Returns the step it belongs
/// to, when that step is later than `last_step`, the last one accepted: a
/// code is good once, and so is any code before it.
pub fn check_code(
    secret: &[u8],
    code: &str,
    now: i64,
    last_step: Option<i64>,
) -> anyhow::Result<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret, "")?;
    let now = u64::try_from(now).unwrap_or(0);
    let step = totp
        .check(&code, now)
        .and_then(|s| i64::try_from(s).ok())
        .filter(|s| last_step.is_none_or(|last| *s > last));
    Ok(step)
}

/// The code of a step, for tests and for nothing else.
pub fn code_at(secret: &[u8], unix_secs: u64) -> anyhow::Result<String> {
    Ok(totp(secret, "")?.generate(unix_secs).to_string())
}

/// Whether what was typed looks like a code from the app (digits) rather
/// than a recovery code.
pub fn is_app_code(typed: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Letters and digits that cannot be confused when read aloud or typed
/// (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Ten fresh recovery codes, as shown to the user: `xxxx-xxxx-xxxx-xxxx`,
/// 16 characters from a 31-letter alphabet, about 79 bits each.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..16)
                .map(|_| {
                    let i = rng.random_range(0..RECOVERY_ALPHABET.len());
                    char::from(RECOVERY_ALPHABET[i])
                })
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// The stored form of a recovery code. A plain SHA-256 suffices here, unlike
/// for passwords: the codes are random with ~79 bits of entropy, so no
/// dictionary or brute force over the hash is feasible, and argon2 ten times
/// over at each enrolment would cost seconds for no gain. Case, spaces and
/// dashes are ignored, as people type them loosely.
pub fn hash_recovery_code(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(
        [b"teampanel recovery v1\0".as_slice(), normal.as_bytes()].concat(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_within_one_step_and_only_after_the_last_one() {
        let secret = new_secret();
        let now = 1_800_000_015;
        let step = step_of(now);
        for offset in [-1, 0, 1] {
            let at = u64::try_from(now + offset * 30).unwrap();
            let code = code_at(&secret, at).unwrap();
            assert_eq!(
                check_code(&secret, &code, now, None).unwrap(),
                Some(step + offset)
            );
        }
        let two_late = code_at(&secret, u64::try_from(now + 60).unwrap()).unwrap();
        assert_eq!(check_code(&secret, &two_late, now, None).unwrap(), None);
        let code = code_at(&secret, u64::try_from(now).unwrap()).unwrap();
        assert_eq!(check_code(&secret, &code, now, Some(step)).unwrap(), None);
        assert_eq!(
            check_code(&secret, &code, now, Some(step - 1)).unwrap(),
            Some(step)
        );
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(check_code(&secret, &spaced, now, None).unwrap(), Some(step));
        assert_eq!(check_code(&secret, "12345x", now, None).unwrap(), None);
    }

    #[test]
    fn the_uri_and_qr_code_carry_the_secret_and_no_style() {
        let secret = new_secret();
        let uri = otpauth_uri(&secret, "ann@example.org").unwrap();
        assert!(uri.starts_with("otpauth://totp/"));
        assert!(uri.contains(&secret_text(&secret).unwrap()));
        assert!(uri.contains("issuer=teampanel"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(!svg.contains("style"));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(code.len(), 19);
        assert_eq!(
            hash_recovery_code(code),
            hash_recovery_code(&code.to_uppercase().replace('-', " "))
        );
        assert_ne!(hash_recovery_code(code), hash_recovery_code(&codes[1]));
        assert!(!is_app_code(code));
        assert!(is_app_code("123 456"));
    }
}
