//! What is typed for network resources: a private network's address range,
//! a firewall or load balancer rule's source and a public IP's reverse DNS
//! name.

use std::net::Ipv4Addr;

/// A private network's range: an IPv4 network address and its subnet mask,
/// with no host bits set in the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Subnet {
    address: Ipv4Addr,
    mask: Ipv4Addr,
}

/// Which of the two typed values a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetField {
    Address,
    Mask,
}

impl Ipv4Subnet {
    /// Both empty: no range. Otherwise both must be given; each problem
    /// names its field.
    pub fn parse(address: &str, mask: &str) -> Result<Option<Self>, Vec<(SubnetField, String)>> {
        let (address, mask) = (address.trim(), mask.trim());
        if address.is_empty() && mask.is_empty() {
            return Ok(None);
        }
        let mut problems = Vec::new();
        let parsed_address = if address.is_empty() {
            problems.push((
                SubnetField::Address,
                "Enter the network address too, such as 192.168.1.0, or leave both empty."
                    .to_owned(),
            ));
            None
        } else {
            match address.parse::<Ipv4Addr>() {
                Ok(a) => Some(a),
                Err(_) => {
                    problems.push((
                        SubnetField::Address,
                        format!("“{address}” is not an IPv4 address such as 192.168.1.0."),
                    ));
                    None
                }
            }
        };
        let parsed_mask = if mask.is_empty() {
            problems.push((
                SubnetField::Mask,
                "Enter the subnet mask too, such as 255.255.255.0, or leave both empty.".to_owned(),
            ));
            None
        } else {
            match parse_mask(mask) {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push((SubnetField::Mask, e));
                    None
                }
            }
        };
        if let (Some(address), Some(mask)) = (parsed_address, parsed_mask) {
            let network = Ipv4Addr::from(u32::from(address) & u32::from(mask));
            if network != address {
                problems.push((
                    SubnetField::Address,
                    format!(
                        "{address} is not where a /{} network starts; did you mean {network}?",
                        u32::from(mask).leading_ones()
                    ),
                ));
            } else if problems.is_empty() {
                return Ok(Some(Self { address, mask }));
            }
        }
        Err(problems)
    }

    /// `192.168.1.0`
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// `255.255.255.0`
    pub fn mask(&self) -> String {
        self.mask.to_string()
    }
}

/// A dotted mask with contiguous ones (`255.255.255.0`), or a prefix
/// length (`24` or `/24`), from /8 to /30: ranges a team's servers can share.
fn parse_mask(raw: &str) -> Result<Ipv4Addr, String> {
    let bad = || {
        format!(
            "“{raw}” is not a subnet mask: use one such as 255.255.255.0 (or a prefix length such as 24)."
        )
    };
    let bits = match raw.trim_start_matches('/').parse::<u32>() {
        Ok(prefix) if prefix <= 32 => u32::MAX.checked_shl(32 - prefix).unwrap_or(0),
        Ok(_) => return Err(bad()),
        Err(_) => {
            let mask = raw.parse::<Ipv4Addr>().map_err(|_| bad())?;
            let bits = u32::from(mask);
            if bits.leading_ones() + bits.trailing_zeros() != 32 {
                return Err(bad());
            }
            bits
        }
    };
    let prefix = bits.leading_ones();
    if !(8..=30).contains(&prefix) {
        return Err(format!(
            "A /{prefix} network does not fit: choose a mask from 255.0.0.0 (/8) to 255.255.255.252 (/30)."
        ));
    }
    Ok(Ipv4Addr::from(bits))
}

/// Where a firewall or load balancer rule lets traffic in from: `0.0.0.0`
/// (everyone), an IPv4 address (`10.0.0.5`) or a network (`10.0.0.0/24`,
/// prefix 0 to 32). Empty is everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSource {
    address: Ipv4Addr,
    prefix: Option<u8>,
}

impl RuleSource {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self::everyone());
        }
        let bad = || {
            "The source is an IPv4 address (10.0.0.5), a network (10.0.0.0/24), or 0.0.0.0 for everyone."
                .to_owned()
        };
        let (address, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let address = address.parse::<Ipv4Addr>().map_err(|_| bad())?;
        let prefix = match prefix {
            Some(p) => Some(p.parse::<u8>().ok().filter(|p| *p <= 32).ok_or_else(bad)?),
            None => None,
        };
        Ok(Self { address, prefix })
    }

    /// `0.0.0.0`, the API's word for everyone.
    pub fn everyone() -> Self {
        Self {
            address: Ipv4Addr::UNSPECIFIED,
            prefix: None,
        }
    }

    pub fn address(&self) -> Ipv4Addr {
        self.address
    }

    /// The network's prefix length; `None` for a single address.
    pub fn prefix(&self) -> Option<u8> {
        self.prefix
    }
}

impl std::fmt::Display for RuleSource {
    /// As the API takes it: `10.0.0.5` or `10.0.0.0/24`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix {
            Some(prefix) => write!(f, "{}/{prefix}", self.address),
            None => write!(f, "{}", self.address),
        }
    }
}

/// A host name for reverse DNS: at least two labels of letters, digits and
/// hyphens (not at either end), 1 to 63 characters each, at most 253 in all;
/// a trailing dot is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostname(String);

impl Hostname {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        let bad = || {
            format!(
                "“{name}” is not a host name: use letters, digits, hyphens and dots, such as mail.example.com."
            )
        };
        if name.is_empty() {
            return Err("Enter a host name such as mail.example.com.".into());
        }
        if name.len() > 253 {
            return Err("A host name has at most 253 characters.".into());
        }
        let labels: Vec<&str> = name.strip_suffix('.').unwrap_or(name).split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !labels.iter().all(label_ok) {
            return Err(bad());
        }
        if labels.len() < 2 {
            return Err(format!(
                "“{name}” needs its domain too, such as {name}.example.com."
            ));
        }
        // An address typed where a name belongs (top-level domains are never numbers).
        if labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(bad());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A cloud resource's name as the Cloud Panel takes it: trimmed, 1 to 128
/// characters, no control characters.
pub fn parse_resource_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > 128 {
        return Err("The name may have at most 128 characters.".into());
    }
    if name.chars().any(char::is_control) {
        return Err("The name may not contain control characters.".into());
    }
    Ok(name.to_owned())
}

/// A cloud resource's description: trimmed, at most 256 characters, no
/// control characters; empty is none.
pub fn parse_resource_description(raw: &str) -> Result<String, String> {
    let description = raw.trim();
    if description.chars().count() > 256 {
        return Err("The description may have at most 256 characters.".into());
    }
    if description.chars().any(char::is_control) {
        return Err("The description may not contain control characters.".into());
    }
    Ok(description.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<Option<Ipv4Subnet>, Vec<(SubnetField, String)>>) -> Vec<SubnetField> {
        r.unwrap_err().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_range_needs_an_address_and_a_mask_that_fit() {
        let s = Ipv4Subnet::parse(" 192.168.10.0 ", "255.255.255.0")
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.address().as_str(), s.mask().as_str()),
            ("192.168.10.0", "255.255.255.0")
        );
        let s = Ipv4Subnet::parse("10.0.0.0", "/16").unwrap().unwrap();
        assert_eq!(s.mask(), "255.255.0.0");
        assert_eq!(Ipv4Subnet::parse("", " ").unwrap(), None);
        assert_eq!(
            fields(Ipv4Subnet::parse("192.168.10.0", "")),
            [SubnetField::Mask]
        );
        assert_eq!(
            fields(Ipv4Subnet::parse("", "255.255.255.0")),
            [SubnetField::Address]
        );
        assert_eq!(
            fields(Ipv4Subnet::parse("300.1.1.0", "255.255.0.255")),
            [SubnetField::Address, SubnetField::Mask]
        );
        let e = Ipv4Subnet::parse("192.168.10.5", "255.255.255.0").unwrap_err();
        assert!(e[0].1.contains("did you mean 192.168.10.0"), "{e:?}");
        for mask in ["255.255.255.255", "0.0.0.0", "33", "255.255.255.254"] {
            assert!(Ipv4Subnet::parse("10.0.0.0", mask).is_err(), "{mask}");
        }
    }

    #[test]
    fn a_range_refuses_hostile_input_beside_its_field() {
        let huge = "1".repeat(100_000);
        for (address, mask, field) in [
            (
                "192.168.1.0; rm -rf /",
                "255.255.255.0",
                SubnetField::Address,
            ),
            ("<script>", "255.255.255.0", SubnetField::Address),
            ("１９２.168.1.0", "255.255.255.0", SubnetField::Address),
            ("192.168.01.0", "255.255.255.0", SubnetField::Address),
            ("192.168.1.0/24", "255.255.255.0", SubnetField::Address),
            (huge.as_str(), "255.255.255.0", SubnetField::Address),
            ("10.0.0.0", huge.as_str(), SubnetField::Mask),
            ("10.0.0.0", "255.255.255.0 OR 1=1", SubnetField::Mask),
            ("10.0.0.0", "ff.ff.ff.0", SubnetField::Mask),
            ("10.0.0.0", "-8", SubnetField::Mask),
        ] {
            assert_eq!(
                fields(Ipv4Subnet::parse(address, mask)),
                [field],
                "{address:.40} {mask:.40}"
            );
        }
    }

    #[test]
    fn a_range_takes_masks_from_8_to_30() {
        assert_eq!(
            Ipv4Subnet::parse("10.0.0.0", "8").unwrap().unwrap().mask(),
            "255.0.0.0"
        );
        assert_eq!(
            Ipv4Subnet::parse("10.0.0.4", "255.255.255.252")
                .unwrap()
                .unwrap()
                .mask(),
            "255.255.255.252"
        );
        let e = Ipv4Subnet::parse("10.0.0.0", "/7").unwrap_err();
        assert!(e[0].1.contains("A /7 network does not fit"), "{e:?}");
        let e = Ipv4Subnet::parse("10.0.0.0", "/31").unwrap_err();
        assert!(e[0].1.contains("A /31 network does not fit"), "{e:?}");
    }

    #[test]
    fn rule_sources_are_everyone_an_address_or_a_network() {
        let source = |raw| RuleSource::parse(raw).map(|s| s.to_string());
        assert_eq!(source(""), Ok("0.0.0.0".to_owned()));
        assert_eq!(source(" \t "), Ok("0.0.0.0".to_owned()));
        assert_eq!(RuleSource::parse("").unwrap(), RuleSource::everyone());
        assert_eq!(source("0.0.0.0"), Ok("0.0.0.0".to_owned()));
        assert_eq!(source(" 10.0.0.5 "), Ok("10.0.0.5".to_owned()));
        assert_eq!(source("10.0.0.0/24"), Ok("10.0.0.0/24".to_owned()));
        assert_eq!(source("0.0.0.0/0"), Ok("0.0.0.0/0".to_owned()));
        assert_eq!(source("10.0.0.5/32"), Ok("10.0.0.5/32".to_owned()));
        // Written the one way the API reads it.
        assert_eq!(source("10.0.0.0/08"), Ok("10.0.0.0/8".to_owned()));
        let s = RuleSource::parse("192.168.0.0/16").unwrap();
        assert_eq!(
            (s.address(), s.prefix()),
            (Ipv4Addr::new(192, 168, 0, 0), Some(16))
        );
        assert_eq!(RuleSource::parse("10.0.0.5").unwrap().prefix(), None);
    }

    #[test]
    fn anything_else_as_a_source_is_refused_with_the_hint() {
        let hint = "The source is an IPv4 address (10.0.0.5), a network (10.0.0.0/24), or 0.0.0.0 for everyone.";
        let huge = format!("10.0.0.0/{}", "1".repeat(10_000));
        for bad in [
            "10.0.0",
            "10.0.0.256",
            "10.0.0.0/33",
            "10.0.0.0/-1",
            "10.0.0.0/",
            "/24",
            "10.0.0.0/24/8",
            "10.0.0.0 /24",
            "any",
            "10.0.0.0/x",
            "::1",
            "10.0.0.1, 10.0.0.2",
            "10.0.0.1\u{0}",
            "１０.0.0.1",
            "10.0.0.1' OR '1'='1",
            "<img src=x onerror=alert(1)>",
            huge.as_str(),
        ] {
            assert_eq!(RuleSource::parse(bad), Err(hint.to_owned()), "{bad:.40}");
        }
    }

    #[test]
    fn host_names_are_checked() {
        assert_eq!(
            Hostname::parse(" mail.example.com. ").unwrap().as_str(),
            "mail.example.com."
        );
        for bad in [
            "",
            "localhost",
            "mail..example.com",
            "-mail.example.com",
            "mail_1.example.com",
            "10.0.0.1",
            "mail example.com",
            "ü.example.com",
        ] {
            assert!(Hostname::parse(bad).is_err(), "{bad}");
        }
        assert!(Hostname::parse(&format!("{}.com", "a".repeat(64))).is_err());
    }

    #[test]
    fn names_and_descriptions_are_checked() {
        assert_eq!(parse_resource_name("  backend ").unwrap(), "backend");
        assert!(parse_resource_name(" ").is_err());
        assert!(parse_resource_name(&"x".repeat(129)).is_err());
        assert!(parse_resource_name("a\u{7}").is_err());
        assert_eq!(parse_resource_description("  ").unwrap(), "");
        assert!(parse_resource_description(&"x".repeat(257)).is_err());
    }
}
