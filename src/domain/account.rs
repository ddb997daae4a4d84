//! What is typed to add a cloud account: its name, API token and base URL.

use crate::config::Secret;

pub use crate::cloudpanel::DEFAULT_BASE_URL;

/// A cloud account's name: trimmed, 1 to 60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        super::names::parse_short_name(
            raw,
            "Enter a name for the account, such as “prod” or “staging”.",
            60,
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Cloud Panel API token as typed: printable ASCII without spaces. Its
/// errors never repeat it.
pub struct ApiToken(Secret);

impl ApiToken {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_as(raw, "API token", 512)
    }

    /// Another secret of the same shape, named `what` in its messages, of
    /// at most `max` characters (E2E Networks' API key; its bearer token is
    /// a signed JWT, longer than a Cloud Panel token).
    pub fn parse_as(raw: &str, what: &str, max: usize) -> Result<Self, String> {
        let token = raw.trim();
        if token.is_empty() {
            return Err(format!("Enter the {what}."));
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(format!(
                "The {what} may only contain letters, digits and punctuation, without spaces."
            ));
        }
        if token.len() < 8 || token.len() > max {
            return Err(format!(
                "That does not look like an {what}: it should have 8 to {max} characters."
            ));
        }
        Ok(Self(Secret::new(token.to_owned())))
    }

    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

/// The API's base URL: `https://` anywhere, `http://` only on this machine
/// (the simulator); no credentials, query or fragment. Empty means the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// A Cloud Panel account's base URL; empty is the public API's.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_or(raw, DEFAULT_BASE_URL)
    }

    /// A base URL where empty means `default` (the provider's public API).
    pub fn parse_or(raw: &str, default: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(default.to_owned()));
        }
        let url = url::Url::parse(raw)
            .map_err(|_| "The base URL is not a web address (https://…).".to_owned())?;
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(
                    "The base URL must use https:// (http:// is allowed only for this machine)."
                        .into(),
                );
            }
            _ => return Err("The base URL must start with https://.".into()),
        }
        if url.host().is_none() {
            return Err("The base URL needs a host name.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The base URL may not contain a user name or password.".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("The base URL may not contain ? or #.".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An E2E Networks project id, as MyAccount shows it: a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectId(String);

impl ProjectId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let id = raw.trim();
        if id.is_empty() {
            return Err(
                "Enter the project id (a number, shown in MyAccount under Projects).".into(),
            );
        }
        if id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err("The project id is a number of at most 20 digits.".into());
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The E2E Networks location an account's nodes are in (`Delhi`, `Mumbai`);
/// empty is Delhi, the API's first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location(String);

impl Location {
    pub const DEFAULT: &str = "Delhi";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let location = raw.trim();
        if location.is_empty() {
            return Ok(Self(Self::DEFAULT.to_owned()));
        }
        if location.chars().count() > 40
            || !location
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            return Err(
                "The location is a place name such as “Delhi” or “Mumbai”: letters, digits, spaces and hyphens, at most 40."
                    .into(),
            );
        }
        Ok(Self(location.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e2e_projects_and_locations_are_checked() {
        assert_eq!(ProjectId::parse(" 12345 ").unwrap().as_str(), "12345");
        for bad in ["", "12a", "1 2", &"9".repeat(21)] {
            assert!(ProjectId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Location::parse("").unwrap().as_str(), "Delhi");
        assert_eq!(Location::parse(" Mumbai ").unwrap().as_str(), "Mumbai");
        for bad in ["Delhi&x=1", "a/b", "\u{7}", &"x".repeat(41)] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
        let err = ApiToken::parse_as("", "API key", 512).err().unwrap();
        assert_eq!(err, "Enter the API key.");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(AccountName::parse("  prod ").unwrap().as_str(), "prod");
        assert!(AccountName::parse("   ").is_err());
        assert!(AccountName::parse(&"x".repeat(61)).is_err());
        assert!(AccountName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn tokens_are_checked_without_being_repeated() {
        assert_eq!(
            ApiToken::parse(" abcdef123456 ").unwrap().secret().expose(),
            "abcdef123456"
        );
        for bad in ["", "short", "with space inside", "ünïcødé-token"] {
            let err = ApiToken::parse(bad).err().unwrap();
            assert!(bad.is_empty() || !err.contains(bad), "{err}");
        }
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(BaseUrl::parse("").unwrap().as_str(), DEFAULT_BASE_URL);
        assert_eq!(
            BaseUrl::parse("https://api.example.com/v1/")
                .unwrap()
                .as_str(),
            "https://api.example.com/v1"
        );
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:9000/v1").unwrap().as_str(),
            "http://127.0.0.1:9000/v1"
        );
        assert!(BaseUrl::parse("http://localhost:9000").is_ok());
        for bad in [
            "http://example.com",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?a=1",
            "not a url",
            "file:///etc/passwd",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
