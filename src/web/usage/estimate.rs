//! The monthly cost estimate: the pricing list applied to the resources the
//! account holds now. Pure, so every figure can be checked by a unit test.
//!
//! The pricing list gives monthly net prices ("vCore/month"); a month is
//! taken as [`HOURS_PER_MONTH`] hours, and every line shows its quantity,
//! the hourly price, the hours and the result, so a reader can redo it.
//! A resource the list has no price for is reported as not priced, never
//! counted as zero.

use std::collections::BTreeMap;

use crate::cloudpanel::catalogue::{InstanceSize, Price, Pricing};
use crate::cloudpanel::images::Image;
use crate::cloudpanel::networks::{LoadBalancer, PublicIp};
use crate::cloudpanel::servers::Server;
use crate::cloudpanel::storages::{BlockStorage, SharedStorage};
use crate::web::charts::bars::number;

/// 365 days × 24 hours / 12 months: the hours a monthly price covers.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// A family of resources the estimate looks at, in the page's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Servers,
    BlockStorages,
    SharedStorages,
    PublicIps,
    Images,
    LoadBalancers,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Servers => "Servers",
            Family::BlockStorages => "Block storages",
            Family::SharedStorages => "Shared storages",
            Family::PublicIps => "Public IPs",
            Family::Images => "Images",
            Family::LoadBalancers => "Load balancers",
        }
    }
}

/// A price per hour, read from the list's monthly (or hourly) price.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitPrice {
    pub per_hour: f64,
    /// What one unit is: `vCore`, `GB`, `server`, `IP`.
    pub unit: String,
}

/// Reads one entry of the pricing list; the error says why it cannot be used.
pub fn unit_price(price: &Price) -> Result<UnitPrice, String> {
    let Some(net) = price.price_net.filter(|p| p.is_finite() && *p >= 0.0) else {
        return Err(format!(
            "the pricing list has no usable net price for “{}”",
            price.name
        ));
    };
    let (unit, per) = price
        .unit
        .split_once('/')
        .map_or(("", price.unit.as_str()), |(u, p)| (u.trim(), p.trim()));
    let per_hour = match per.to_ascii_lowercase().as_str() {
        "month" | "mo" => net / HOURS_PER_MONTH,
        "hour" | "h" => net,
        _ => {
            return Err(format!(
                "the price of “{}” is per “{}”, which this estimate does not understand",
                price.name, price.unit
            ));
        }
    };
    Ok(UnitPrice {
        per_hour,
        unit: if unit.is_empty() {
            "unit".into()
        } else {
            unit.to_owned()
        },
    })
}

/// One priced part of one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub family: Family,
    pub resource: String,
    /// What is charged: `CPU`, `RAM`, `Disk`, `Size M`, `Unused IP`.
    pub part: String,
    pub quantity: f64,
    pub price: UnitPrice,
}

impl Line {
    pub fn monthly(&self) -> f64 {
        self.quantity * self.price.per_hour * HOURS_PER_MONTH
    }

    /// `2 vCore × 0.009863 EUR/h × 730 h`.
    pub fn computation(&self, currency: &str) -> String {
        format!(
            "{} {} × {} {currency}/h × {} h",
            number(self.quantity),
            self.price.unit,
            number(self.price.per_hour),
            number(HOURS_PER_MONTH)
        )
    }
}

/// A resource (or part of one) the pricing list does not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpriced {
    pub family: Family,
    pub resource: String,
    pub reason: String,
}

/// What the estimate was computed from: `None` for a family that was not
/// read (the member may not see it, or it could not be loaded).
#[derive(Default)]
pub struct Resources<'a> {
    pub servers: Option<&'a [Server]>,
    /// The fixed instance sizes, to name a server's size.
    pub sizes: &'a [InstanceSize],
    pub block_storages: Option<&'a [BlockStorage]>,
    pub shared_storages: Option<&'a [SharedStorage]>,
    pub public_ips: Option<&'a [PublicIp]>,
    pub images: Option<&'a [Image]>,
    pub load_balancers: Option<&'a [LoadBalancer]>,
}

#[derive(Debug, Default)]
pub struct Estimate {
    pub lines: Vec<Line>,
    pub unpriced: Vec<Unpriced>,
    /// Assumptions worth saying beside the figures.
    pub notes: Vec<String>,
}

impl Estimate {
    pub fn total(&self) -> f64 {
        self.lines.iter().map(Line::monthly).sum()
    }

    /// The monthly amount per family, for every family with a line.
    pub fn per_family(&self) -> Vec<(Family, f64)> {
        let mut sums: BTreeMap<Family, f64> = BTreeMap::new();
        for line in &self.lines {
            *sums.entry(line.family).or_default() += line.monthly();
        }
        sums.into_iter().collect()
    }

    /// The monthly amount per server, in the order the servers came.
    pub fn per_server(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = Vec::new();
        for line in self.lines.iter().filter(|l| l.family == Family::Servers) {
            match out.iter_mut().find(|(name, _)| *name == line.resource) {
                Some((_, sum)) => *sum += line.monthly(),
                None => out.push((line.resource.clone(), line.monthly())),
            }
        }
        out
    }

    fn line(
        &mut self,
        family: Family,
        resource: &str,
        part: &str,
        quantity: f64,
        price: Option<&Price>,
    ) {
        let priced = match price {
            Some(p) => unit_price(p),
            None => Err(format!(
                "the pricing list has no price for {}",
                part.to_lowercase()
            )),
        };
        match priced {
            Ok(price) => self.lines.push(Line {
                family,
                resource: resource.to_owned(),
                part: part.to_owned(),
                quantity,
                price,
            }),
            Err(reason) => self.unpriced(family, resource, reason),
        }
    }

    fn unpriced(&mut self, family: Family, resource: &str, reason: String) {
        self.unpriced.push(Unpriced {
            family,
            resource: resource.to_owned(),
            reason,
        });
    }
}

fn named<'a>(prices: &'a [Price], name: &str) -> Option<&'a Price> {
    prices.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

fn name_of(name: &str, id: &str) -> String {
    if name.trim().is_empty() {
        id.to_owned()
    } else {
        name.to_owned()
    }
}

/// Applies `pricing` to `resources`.
pub fn estimate(pricing: &Pricing, resources: &Resources<'_>) -> Estimate {
    let plans = &pricing.pricing_plans;
    let flexible = &plans.server.flexible_server;
    let mut e = Estimate::default();
    for server in resources.servers.unwrap_or_default() {
        let name = name_of(&server.name, &server.id);
        let hw = &server.hardware;
        if hw.baremetal_model_id.is_some() {
            e.unpriced(
                Family::Servers,
                &name,
                "baremetal models are not in the pricing list".into(),
            );
            continue;
        }
        let disk = f64::from(hw.total_disk_gb());
        if let Some(size_id) = &hw.fixed_instance_size_id {
            let Some(size) = resources.sizes.iter().find(|s| &s.id == size_id) else {
                e.unpriced(
                    Family::Servers,
                    &name,
                    format!("its fixed size ({size_id}) is not in the catalogue"),
                );
                continue;
            };
            let part = format!("Size {}", size.name);
            e.line(
                Family::Servers,
                &name,
                &part,
                1.0,
                named(&plans.server.fixed_servers, &size.name),
            );
            // Disks added beyond the size's own are charged like a flexible disk.
            let extra = disk - f64::from(size.hardware.total_disk_gb());
            if extra > 0.0 {
                e.line(
                    Family::Servers,
                    &name,
                    "Extra disk",
                    extra,
                    named(flexible, "SSD"),
                );
            }
            continue;
        }
        e.line(
            Family::Servers,
            &name,
            "CPU",
            f64::from(hw.vcore),
            named(flexible, "CPU"),
        );
        e.line(
            Family::Servers,
            &name,
            "RAM",
            hw.ram,
            named(flexible, "RAM"),
        );
        e.line(Family::Servers, &name, "Disk", disk, named(flexible, "SSD"));
    }
    for storage in resources.block_storages.unwrap_or_default() {
        e.unpriced(
            Family::BlockStorages,
            &name_of(&storage.name, &storage.id),
            "the pricing list has no price for block storages".into(),
        );
    }
    for storage in resources.shared_storages.unwrap_or_default() {
        e.line(
            Family::SharedStorages,
            &name_of(&storage.name, &storage.id),
            "Size",
            f64::from(storage.size),
            plans.shared_storage.as_ref(),
        );
    }
    if let Some(ips) = resources.public_ips {
        public_ips(&mut e, pricing, ips);
    }
    for image in resources.images.unwrap_or_default() {
        let name = name_of(&image.name, &image.id);
        let size: u32 = image.hdds.iter().map(|h| h.size).sum();
        let size = if size == 0 { image.min_hdd_size } else { size };
        if size == 0 {
            e.unpriced(Family::Images, &name, "its size is not known yet".into());
            continue;
        }
        e.line(
            Family::Images,
            &name,
            "Storage",
            f64::from(size),
            plans.image.as_ref(),
        );
    }
    for lb in resources.load_balancers.unwrap_or_default() {
        e.unpriced(
            Family::LoadBalancers,
            &name_of(&lb.name, &lb.id),
            "the pricing list has no price for load balancers".into(),
        );
    }
    e
}

/// An unassigned IP costs `unused_ip`; a server's first IP is taken as part
/// of the server, every further one (and a load balancer's) as `additional_ip`.
fn public_ips(e: &mut Estimate, pricing: &Pricing, ips: &[PublicIp]) {
    let prices = &pricing.pricing_plans.public_ip;
    let mut seen_servers: Vec<&str> = Vec::new();
    let mut included = 0;
    for ip in ips {
        let name = name_of(&ip.ip, &ip.id);
        match &ip.assigned_to {
            None => e.line(
                Family::PublicIps,
                &name,
                "Unused IP",
                1.0,
                named(prices, "unused_ip"),
            ),
            Some(to)
                if to.kind.eq_ignore_ascii_case("SERVER")
                    && !seen_servers.contains(&to.id.as_str()) =>
            {
                seen_servers.push(&to.id);
                included += 1;
            }
            Some(_) => e.line(
                Family::PublicIps,
                &name,
                "Additional IP",
                1.0,
                named(prices, "additional_ip"),
            ),
        }
    }
    if included > 0 {
        e.notes.push(format!(
            "The first IP of each server is taken as included in the server's price: {included} IP(s) not counted."
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pricing() -> Pricing {
        serde_json::from_value(json!({
            "currency": "EUR", "vat": 20,
            "pricing_plans": {
                "server": {
                    "fixed_servers": [{"name": "M", "price_net": 9.99, "unit": "server/month"}],
                    "flexible_sever": [
                        {"name": "CPU", "price_net": 7.20, "unit": "vCore/month"},
                        {"name": "RAM", "price_net": "7.20", "unit": "GB/month"},
                        {"name": "SSD", "price_net": 0.072, "unit": "GB/month"}]},
                "public_ip": [{"name": "unused_ip", "price_net": 5, "unit": "IP/month"},
                              {"name": "additional_ip", "price_net": 5, "unit": "IP/month"}],
                "image": {"name": "storage", "price_net": 0.072, "unit": "GB/month"},
                "shared_storage": {"name": "storage", "price_net": "not a number", "unit": "GB/month"}
            }
        }))
        .unwrap()
    }

    fn decode<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Vec<T> {
        crate::cloudpanel::de::decode_items(v)
    }

    #[test]
    fn servers_are_priced_by_size_or_by_their_parts() {
        let servers: Vec<Server> = decode(json!([
            {"id": "A", "name": "flex", "hardware": {"vcore": 2, "ram": 4, "hdds": [{"size": 40}, {"size": 10}]}},
            {"id": "B", "name": "fixed", "hardware": {"fixed_instance_size_id": "SZ", "vcore": 1, "ram": 1, "hdds": [{"size": 40}, {"size": 20}]}},
            {"id": "C", "name": "metal", "hardware": {"baremetal_model_id": "BM"}},
            {"id": "D", "name": "odd", "hardware": {"fixed_instance_size_id": "NOPE"}}
        ]));
        let sizes: Vec<InstanceSize> = decode(json!([
            {"id": "SZ", "name": "M", "hardware": {"vcore": 1, "ram": 1, "hdds": [{"size": 40}]}}
        ]));
        let e = estimate(
            &pricing(),
            &Resources {
                servers: Some(&servers),
                sizes: &sizes,
                ..Resources::default()
            },
        );
        let per_server = e.per_server();
        assert_eq!(per_server[0].0, "flex");
        // 2 × 7.20 + 4 × 7.20 + 50 × 0.072
        assert!((per_server[0].1 - 46.8).abs() < 1e-9, "{per_server:?}");
        // 9.99 + 20 GB extra × 0.072
        assert!((per_server[1].1 - 11.43).abs() < 1e-9, "{per_server:?}");
        assert_eq!(e.unpriced.len(), 2);
        assert!(e.unpriced[0].reason.contains("baremetal"));
        assert!(e.unpriced[1].reason.contains("NOPE"));
        assert!((e.total() - 58.23).abs() < 1e-9);
        let cpu = &e.lines[0];
        assert_eq!(cpu.computation("EUR"), "2 vCore × 0.009863 EUR/h × 730 h");
    }

    #[test]
    fn ips_storages_and_what_is_not_priced() {
        let ips: Vec<PublicIp> = decode(json!([
            {"id": "1", "ip": "10.0.0.1"},
            {"id": "2", "ip": "10.0.0.2", "assigned_to": {"id": "S", "type": "SERVER"}},
            {"id": "3", "ip": "10.0.0.3", "assigned_to": {"id": "S", "type": "SERVER"}},
            {"id": "4", "ip": "10.0.0.4", "assigned_to": {"id": "L", "type": "LOAD_BALANCER"}}
        ]));
        let shared: Vec<SharedStorage> = decode(json!([{"id": "SS", "name": "share", "size": 50}]));
        let block: Vec<BlockStorage> = decode(json!([{"id": "BS", "name": "vol", "size": 20}]));
        let images: Vec<Image> = decode(
            json!([{"id": "I", "name": "img", "min_hdd_size": 30}, {"id": "J", "name": ""}]),
        );
        let e = estimate(
            &pricing(),
            &Resources {
                public_ips: Some(&ips),
                shared_storages: Some(&shared),
                block_storages: Some(&block),
                images: Some(&images),
                ..Resources::default()
            },
        );
        let families = e.per_family();
        assert_eq!(families[0], (Family::PublicIps, 15.0));
        assert_eq!(families[1].0, Family::Images);
        assert!((families[1].1 - 2.16).abs() < 1e-9);
        assert!(e.notes[0].contains("1 IP(s) not counted"));
        let reasons: Vec<(&str, &str)> = e
            .unpriced
            .iter()
            .map(|u| (u.resource.as_str(), u.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].0 == "vol" && reasons[0].1.contains("block storages"));
        assert!(reasons[1].0 == "share" && reasons[1].1.contains("no usable net price"));
        assert!(reasons[2].0 == "J" && reasons[2].1.contains("size"));
    }

    #[test]
    fn a_hostile_price_list_prices_nothing_silently() {
        let hostile: Pricing = serde_json::from_value(json!({
            "currency": null,
            "pricing_plans": {"server": {"flexible_sever": [
                {"name": "CPU", "price_net": -1, "unit": "vCore/month"},
                {"name": "RAM", "price_net": 1, "unit": "GB/fortnight"},
                {"name": "SSD", "price_net": 730, "unit": "GB/hour"}]},
                "public_ip": "nope"}
        }))
        .unwrap();
        let servers: Vec<Server> = decode(
            json!([{"id": "A", "name": "x", "hardware": {"vcore": 1, "ram": 1, "hdds": [{"size": 1}]}}]),
        );
        let e = estimate(
            &hostile,
            &Resources {
                servers: Some(&servers),
                ..Resources::default()
            },
        );
        assert_eq!(e.lines.len(), 1);
        assert_eq!(e.lines[0].part, "Disk");
        assert!((e.total() - 730.0 * 730.0).abs() < 1e-6);
        assert!(e.unpriced[0].reason.contains("no usable net price"));
        assert!(e.unpriced[1].reason.contains("fortnight"));
    }
}
