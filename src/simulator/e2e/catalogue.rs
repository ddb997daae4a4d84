//! The OS images and plans every account shares (one location, Delhi).
//!
//! Plans are generated from a few series templates per image, so that each
//! image has its own plan strings (`C2-4vCPU-12RAM-100DISK-C2.12GB-Ubuntu-22.04-Delhi`)
//! as MyAccount shows them, while prices stay consistent across images.

use serde_json::{Value, json};

pub const LOCATION: &str = "Delhi";
const LINUX: &str = "Linux Virtual Node";
const WINDOWS: &str = "Windows Virtual Node";
/// Hours in a billing month, as E2E's monthly prices assume.
const HOURS_A_MONTH: f64 = 730.0;
/// Windows plans carry a licence on top of the hourly price.
const WINDOWS_LICENCE_PER_HOUR: f64 = 1.5;

/// One OS image a node can be created from.
#[derive(Debug, Clone)]
pub struct OsImage {
    pub os: &'static str,
    pub version: &'static str,
    pub display_category: &'static str,
    pub category: &'static str,
    /// `Ubuntu-22.04`: the image's distro, as saved images show it.
    pub distro: String,
    /// `Ubuntu-22.04-Distro`: what `image` names on create.
    pub slug: String,
}

/// A committed (prepaid) term of a plan.
#[derive(Debug, Clone)]
pub struct Sku {
    pub id: u64,
    pub name: &'static str,
    pub days: u32,
    pub price: f64,
}

/// One orderable plan: a size on one image.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The SKU name, e.g. `C2.12GB`.
    pub name: &'static str,
    /// The full plan string that create takes.
    pub plan: String,
    pub series: &'static str,
    pub cpu: u32,
    pub ram_gb: u32,
    pub disk_gb: u32,
    pub price_per_hour: f64,
    pub image_slug: String,
    pub available: bool,
    pub committed: Vec<Sku>,
}

struct Template {
    series: &'static str,
    name: &'static str,
    cpu: u32,
    ram_gb: u32,
    disk_gb: u32,
    price_per_hour: f64,
    /// (first SKU id, name, days); Windows SKUs are numbered 1000 above.
    committed: &'static [(u64, &'static str, u32)],
    linux_only: bool,
}

const TEMPLATES: &[Template] = &[
    Template {
        series: "C2",
        name: "C2.6GB",
        cpu: 2,
        ram_gb: 6,
        disk_gb: 50,
        price_per_hour: 2.2,
        committed: &[],
        linux_only: true,
    },
    Template {
        series: "C2",
        name: "C2.12GB",
        cpu: 4,
        ram_gb: 12,
        disk_gb: 100,
        price_per_hour: 4.5,
        committed: &[(301, "90 Days", 90), (302, "180 Days", 180)],
        linux_only: false,
    },
    Template {
        series: "C2",
        name: "C2.24GB",
        cpu: 8,
        ram_gb: 24,
        disk_gb: 250,
        price_per_hour: 9.0,
        committed: &[(311, "90 Days", 90)],
        linux_only: false,
    },
    Template {
        series: "M3",
        name: "M3.16GB",
        cpu: 2,
        ram_gb: 16,
        disk_gb: 100,
        price_per_hour: 3.6,
        committed: &[],
        linux_only: false,
    },
    Template {
        series: "M3",
        name: "M3.32GB",
        cpu: 4,
        ram_gb: 32,
        disk_gb: 200,
        price_per_hour: 7.2,
        committed: &[(321, "90 Days", 90), (322, "365 Days", 365)],
        linux_only: false,
    },
];

/// Read-only data shared by every account.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub images: Vec<OsImage>,
    pub plans: Vec<Plan>,
}

fn image(
    os: &'static str,
    category: &'static str,
    version: &'static str,
    display: &'static str,
) -> OsImage {
    let distro = format!(
        "{}-{}",
        category.replace(' ', "-"),
        version.replace(' ', "-")
    );
    OsImage {
        os,
        version,
        display_category: display,
        category,
        slug: format!("{distro}-Distro"),
        distro,
    }
}

/// A prepaid term costs about 82% of the same hours billed hourly, in hundreds.
fn committed_price(per_hour: f64, days: u32) -> f64 {
    (per_hour * 24.0 * f64::from(days) * 0.82 / 100.0).round() * 100.0
}

impl Catalogue {
    pub fn new() -> Self {
        let images = vec![
            image("Ubuntu", "Ubuntu", "20.04", LINUX),
            image("Ubuntu", "Ubuntu", "22.04", LINUX),
            image("Ubuntu", "Ubuntu", "24.04", LINUX),
            image("CentOS", "CentOS", "Stream-9", LINUX),
            image("Debian", "Debian", "11", LINUX),
            image("Debian", "Debian", "12", LINUX),
            image("Rocky", "Rocky", "9", LINUX),
            image("Windows Server", "Windows Server", "2022", WINDOWS),
        ];
        let mut plans = Vec::new();
        for img in &images {
            let windows = img.display_category == WINDOWS;
            for t in TEMPLATES.iter().filter(|t| !(windows && t.linux_only)) {
                let per_hour = t.price_per_hour
                    + if windows {
                        WINDOWS_LICENCE_PER_HOUR
                    } else {
                        0.0
                    };
                let id_shift = if windows { 1000 } else { 0 };
                plans.push(Plan {
                    name: t.name,
                    plan: format!(
                        "{}-{}vCPU-{}RAM-{}DISK-{}-{}-{LOCATION}",
                        t.series, t.cpu, t.ram_gb, t.disk_gb, t.name, img.distro
                    ),
                    series: t.series,
                    cpu: t.cpu,
                    ram_gb: t.ram_gb,
                    disk_gb: t.disk_gb,
                    price_per_hour: per_hour,
                    image_slug: img.slug.clone(),
                    // One sold-out plan, so that a client meets the flag.
                    available: !(windows && t.name == "C2.24GB"),
                    committed: t
                        .committed
                        .iter()
                        .map(|&(id, name, days)| Sku {
                            id: id + id_shift,
                            name,
                            days,
                            price: committed_price(per_hour, days),
                        })
                        .collect(),
                });
            }
        }
        Catalogue { images, plans }
    }

    /// `data` of `GET /images/category-list/`: images grouped by OS, in catalogue order.
    pub fn category_list(&self) -> Value {
        let mut groups: Vec<(&str, Vec<Value>)> = Vec::new();
        for i in &self.images {
            let entry = json!({
                "os": i.os, "version": i.version, "display_category": i.display_category,
                "category": i.category, "sub_category": "", "software_version": "",
            });
            match groups.iter_mut().find(|(os, _)| *os == i.os) {
                Some((_, v)) => v.push(entry),
                None => groups.push((i.os, vec![entry])),
            }
        }
        let list: Vec<Value> = groups
            .into_iter()
            .map(|(os, v)| json!({"OS": os, "version": v}))
            .collect();
        json!({ "category_list": list })
    }

    pub fn image_by_slug(&self, slug: &str) -> Option<&OsImage> {
        self.images.iter().find(|i| i.slug == slug)
    }

    /// The image that the plans query names, all four parameters matching.
    pub fn find_image(
        &self,
        display: &str,
        category: &str,
        version: &str,
        os: &str,
    ) -> Option<&OsImage> {
        self.images.iter().find(|i| {
            i.display_category == display
                && i.category == category
                && i.version == version
                && i.os == os
        })
    }

    pub fn plans_for<'a>(&'a self, slug: &'a str) -> impl Iterator<Item = &'a Plan> + 'a {
        self.plans.iter().filter(move |p| p.image_slug == slug)
    }

    pub fn plan(&self, plan: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.plan == plan)
    }

    /// A plan as `GET /images/` shows it.
    pub fn plan_json(&self, p: &Plan) -> Value {
        let img = self.image_by_slug(&p.image_slug);
        let skus: Vec<Value> = p
            .committed
            .iter()
            .map(|s| {
                json!({"committed_sku_id": s.id, "committed_sku_name": s.name,
                       "committed_days": s.days, "committed_sku_price": s.price})
            })
            .collect();
        json!({
            "name": p.name,
            "plan": p.plan,
            "image": p.image_slug,
            "os": {
                "name": img.map_or("", |i| i.os),
                "version": img.map_or("", |i| i.version),
                "category": img.map_or("", |i| i.display_category),
                "image": p.image_slug,
            },
            "specs": {
                "cpu": p.cpu,
                "ram": format!("{:.1}", f64::from(p.ram_gb)),
                "disk_space": p.disk_gb,
                "price_per_hour": p.price_per_hour,
                "price_per_month": (p.price_per_hour * HOURS_A_MONTH * 100.0).round() / 100.0,
                "series": p.series,
                "sku_name": p.name,
            },
            "location": LOCATION,
            "currency": "INR",
            "available_inventory_status": p.available,
            "committed_sku": skus,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_image_has_four_to_six_plans() {
        let c = Catalogue::new();
        assert_eq!(c.images.len(), 8);
        for i in &c.images {
            let n = c.plans_for(&i.slug).count();
            assert!((4..=6).contains(&n), "{} has {n} plans", i.slug);
        }
    }

    #[test]
    fn plan_matches_the_reference_sample() {
        let c = Catalogue::new();
        let p = c
            .plan("C2-4vCPU-12RAM-100DISK-C2.12GB-Ubuntu-22.04-Delhi")
            .unwrap();
        let v = c.plan_json(p);
        assert_eq!(v["image"], "Ubuntu-22.04-Distro");
        assert_eq!(v["specs"]["ram"], "12.0");
        assert_eq!(v["specs"]["price_per_month"], 3285.0);
        assert_eq!(v["committed_sku"][0]["committed_sku_id"], 301);
        assert_eq!(v["committed_sku"][0]["committed_sku_price"], 8000.0);
        let cats = c.category_list();
        assert_eq!(cats["category_list"][0]["OS"], "Ubuntu");
        assert_eq!(
            cats["category_list"][0]["version"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
}
