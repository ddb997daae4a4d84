//! What is typed to add a webhook endpoint: its name and URL.

/// A webhook endpoint's name: trimmed, 1 to 60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookName(String);

impl WebhookName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        super::names::parse_short_name(
            raw,
            "Enter a name for the endpoint, such as “chat-ops”.",
            60,
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where deliveries are posted: an `http://` or `https://` URL with a
/// host, without a user name, password, query or fragment (a credential
/// there would show on pages and in the audit log; the signature is the
/// receiver's proof), normalised as the allow-list is (scheme and host in
/// lower case, no trailing slash). Which URLs an organisation may use is
/// the allow-list's business (`Settings::webhook_url_allowed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("Enter the URL the panel posts to (https://…).".into());
        }
        let url = url::Url::parse(raw)
            .map_err(|_| "The URL is not a web address (https://…).".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("The URL must start with https:// or http://.".into());
        }
        if url.host().is_none() {
            return Err("The URL needs a host name.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The URL may not contain a user name or password.".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                "The URL may not contain ? or #: the signature proves a delivery, not a token in the address."
                    .into(),
            );
        }
        if url.as_str().len() > 500 {
            return Err("The URL may have at most 500 characters.".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_checked() {
        assert_eq!(
            WebhookUrl::parse(" HTTPS://Hooks.Example.org/teampanel/ ")
                .unwrap()
                .as_str(),
            "https://hooks.example.org/teampanel"
        );
        assert_eq!(
            WebhookUrl::parse("http://127.0.0.1:9000").unwrap().as_str(),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "",
            "hooks.example.org",
            "ftp://hooks.example.org/",
            "https://user:pw@hooks.example.org/",
            "https://hooks.example.org/?token=1",
            "https://hooks.example.org/#x",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(WebhookName::parse(" ops ").unwrap().as_str(), "ops");
        assert!(WebhookName::parse(" ").is_err());
        assert!(WebhookName::parse(&"x".repeat(61)).is_err());
        assert!(WebhookName::parse("a\u{7}b").is_err());
    }
}
