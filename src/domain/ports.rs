//! Ports typed into network rules: a firewall rule's port or range, and a
//! load balancer rule's two ports, where 0 means every port.

/// A firewall rule's ports: one port (`80`) or a range (`8000-8080`, an en
/// dash too), each from 1 to 65535, the lower port first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    from: u16,
    to: u16,
}

impl PortRange {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || {
            "Type a port from 1 to 65535 (80) or a range (8000-8080), the lower port first."
                .to_owned()
        };
        let port = |s: &str| s.trim().parse::<u16>().ok().filter(|p| *p >= 1);
        let (from, to) = match raw.split_once(['-', '–']) {
            Some((a, b)) => (port(a).ok_or_else(bad)?, port(b).ok_or_else(bad)?),
            None => {
                let p = port(raw).ok_or_else(bad)?;
                (p, p)
            }
        };
        if from > to {
            return Err(bad());
        }
        Ok(Self { from, to })
    }

    /// Empty (or only spaces) is any port: `None`.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        Self::parse(raw).map(Some)
    }

    pub fn from(&self) -> u16 {
        self.from
    }

    pub fn to(&self) -> u16 {
        self.to
    }
}

impl std::fmt::Display for PortRange {
    /// `80` or `8000-8080`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// One port of a load balancer rule: 0 (every port) to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalancedPort(u16);

impl BalancedPort {
    /// `what` names the field in the message: "The balancer's port".
    pub fn parse(raw: &str, what: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<u16>()
            .map(Self)
            .map_err(|_| format!("{what} must be a whole number from 0 to 65535."))
    }

    pub fn number(&self) -> u16 {
        self.0
    }

    pub fn is_every_port(&self) -> bool {
        self.0 == 0
    }
}

/// A load balancer rule's ports: the balancer's and the servers'. Port 0
/// (every port) goes on both sides or on none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalancedPorts {
    balancer: BalancedPort,
    server: BalancedPort,
}

impl BalancedPorts {
    /// The message is about the servers' port, the second one typed.
    pub fn new(balancer: BalancedPort, server: BalancedPort) -> Result<Self, String> {
        if balancer.is_every_port() != server.is_every_port() {
            return Err("Port 0 (every port) goes on both sides or on none.".into());
        }
        Ok(Self { balancer, server })
    }

    /// Every port can be balanced only when the health check (`test`, the
    /// API's spelling) is `NONE` or `ICMP`: there is no one port to test.
    /// The message is about the balancer's port.
    pub fn check_health_check(&self, test: &str) -> Result<(), String> {
        if self.is_every_port() && !matches!(test, "NONE" | "ICMP") {
            return Err("Port 0 (every port) needs a health check of none or ICMP.".into());
        }
        Ok(())
    }

    pub fn balancer(&self) -> u16 {
        self.balancer.number()
    }

    pub fn server(&self) -> u16 {
        self.server.number()
    }

    pub fn is_every_port(&self) -> bool {
        self.balancer.is_every_port()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANGE_HINT: &str =
        "Type a port from 1 to 65535 (80) or a range (8000-8080), the lower port first.";

    fn range(raw: &str) -> Result<(u16, u16), String> {
        PortRange::parse(raw).map(|r| (r.from(), r.to()))
    }

    #[test]
    fn a_firewall_port_is_one_port_or_a_range() {
        assert_eq!(range("80"), Ok((80, 80)));
        assert_eq!(range("8000-8080"), Ok((8000, 8080)));
        assert_eq!(range(" 8000 – 8080 "), Ok((8000, 8080)));
        assert_eq!(range("1-65535"), Ok((1, 65535)));
        assert_eq!(range("443-443"), Ok((443, 443)));
        assert_eq!(PortRange::parse("22").unwrap().to_string(), "22");
        assert_eq!(
            PortRange::parse("8000 - 8080").unwrap().to_string(),
            "8000-8080"
        );
    }

    #[test]
    fn empty_is_any_port_only_where_optional() {
        assert_eq!(PortRange::parse_optional(""), Ok(None));
        assert_eq!(PortRange::parse_optional("  \t"), Ok(None));
        assert_eq!(
            PortRange::parse_optional("80").unwrap().map(|r| r.to()),
            Some(80)
        );
        assert_eq!(PortRange::parse_optional("x"), Err(RANGE_HINT.to_owned()));
        assert_eq!(range(""), Err(RANGE_HINT.to_owned()));
    }

    #[test]
    fn anything_else_is_refused_with_the_hint() {
        let huge = "9".repeat(10_000);
        for bad in [
            "0",
            "65536",
            "0-80",
            "80-65536",
            "90-80",
            "-80",
            "80-",
            "-",
            "1-2-3",
            "http",
            "80,443",
            "80 443",
            "８０",
            "80\u{0}",
            "80; rm -rf /",
            "<script>alert(1)</script>",
            huge.as_str(),
        ] {
            assert_eq!(range(bad), Err(RANGE_HINT.to_owned()), "{bad:?}");
        }
    }

    #[test]
    fn a_balancer_port_is_0_to_65535_and_names_its_field() {
        let port = |raw| BalancedPort::parse(raw, "The balancer's port");
        assert_eq!(port(" 80 ").unwrap().number(), 80);
        assert!(port("0").unwrap().is_every_port());
        assert_eq!(port("65535").unwrap().number(), 65535);
        assert_eq!(port("443\n").unwrap().number(), 443);
        for bad in [
            "",
            " ",
            "65536",
            "-1",
            "8.0",
            "http",
            "٨٠",
            "80\u{0}",
            &"1".repeat(500),
        ] {
            assert_eq!(
                port(bad).unwrap_err(),
                "The balancer's port must be a whole number from 0 to 65535.",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn port_0_goes_on_both_sides_and_needs_a_simple_health_check() {
        let p = |n: &str| BalancedPort::parse(n, "port").unwrap();
        let ports = BalancedPorts::new(p("80"), p("8080")).unwrap();
        assert_eq!((ports.balancer(), ports.server()), (80, 8080));
        assert_eq!(ports.check_health_check("HTTP"), Ok(()));

        assert_eq!(
            BalancedPorts::new(p("0"), p("80")).unwrap_err(),
            "Port 0 (every port) goes on both sides or on none."
        );
        assert!(BalancedPorts::new(p("80"), p("0")).is_err());

        let every = BalancedPorts::new(p("0"), p("0")).unwrap();
        assert!(every.is_every_port());
        assert_eq!(every.check_health_check("NONE"), Ok(()));
        assert_eq!(every.check_health_check("ICMP"), Ok(()));
        for test in ["TCP", "HTTP", "", "icmp"] {
            assert_eq!(
                every.check_health_check(test).unwrap_err(),
                "Port 0 (every port) needs a health check of none or ICMP.",
                "{test}"
            );
        }
    }
}
