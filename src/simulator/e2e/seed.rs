//! The demo account: three nodes in different states and billing types, and
//! one saved image, all settled (no transition in progress).

use super::catalogue::Catalogue;
use super::state::{Account, Billing, ImageState, Node, NodeStatus, SavedImage};
use chrono::{Duration, Utc};

/// A settled node on `plan`, created `days_ago`.
fn node(
    a: &mut Account,
    cat: &Catalogue,
    name: &str,
    plan: &str,
    days_ago: i64,
) -> anyhow::Result<Node> {
    let p = cat
        .plan(plan)
        .ok_or_else(|| anyhow::anyhow!("the demo plan {plan} is not in the catalogue"))?;
    let img = cat.image_by_slug(&p.image_slug).ok_or_else(|| {
        anyhow::anyhow!("the demo image {} is not in the catalogue", p.image_slug)
    })?;
    let (public_ip, private_ip) = a.new_addresses();
    Ok(Node {
        id: a.new_node_id(),
        name: name.into(),
        created_at: Utc::now() - Duration::days(days_ago),
        public_ip,
        private_ip,
        backup: false,
        plan: p.plan.clone(),
        cpu: p.cpu,
        ram_gb: p.ram_gb,
        disk_gb: p.disk_gb,
        image: img.slug.clone(),
        distro: img.distro.clone(),
        from_image: None,
        region: "ncr".into(),
        is_locked: false,
        billing: Billing::Hourly,
        committed_sku_id: None,
        ssh_keys: vec!["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@ci".into()],
        status: NodeStatus::Running,
        pending: None,
    })
}

pub fn demo(a: &mut Account, cat: &Catalogue) -> anyhow::Result<()> {
    let mut web = node(
        a,
        cat,
        "web-1",
        "C2-4vCPU-12RAM-100DISK-C2.12GB-Ubuntu-22.04-Delhi",
        40,
    )?;
    web.backup = true;
    let mut db = node(
        a,
        cat,
        "db-1",
        "M3-4vCPU-32RAM-200DISK-M3.32GB-Debian-12-Delhi",
        120,
    )?;
    db.billing = Billing::AutoRenew;
    db.committed_sku_id = Some(322);
    let mut build = node(
        a,
        cat,
        "build-box",
        "C2-2vCPU-6RAM-50DISK-C2.6GB-Rocky-9-Delhi",
        7,
    )?;
    build.status = NodeStatus::PoweredOff;
    build.ssh_keys.clear();

    let (image_id, template_id) = a.new_image_ids();
    a.images.push(SavedImage {
        image_id,
        template_id,
        name: "web-golden".into(),
        os_distribution: "web-golden".into(),
        distro: web.distro.clone(),
        size_gb: 45,
        created: Utc::now() - Duration::days(30),
        state: ImageState::Ready,
        ready_at: None,
    });
    a.nodes.extend([web, db, build]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_account_is_settled() {
        let mut a = Account::new("k");
        demo(&mut a, &Catalogue::new()).unwrap();
        let snap = a.snapshot();
        let names: Vec<&str> = snap["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["web-1", "db-1", "build-box"]);
        assert_eq!(snap["nodes"][1]["billing_type"], "auto_renew");
        assert_eq!(snap["nodes"][2]["status"], "Powered off");
        assert_eq!(snap["saved_images"][0]["image_state"], "Ready");
        assert_eq!(snap["saved_images"][0]["distro"], "Ubuntu-22.04");
    }
}
