//! `/nodes/` (create, list, get, delete) and `/update_committed_node_status/`.

use super::envelope::{E2eError, E2eResult, Problems, Reply};
use super::fields::{self, REQUIRED, given, id_of, opt_bool, required_str};
use super::req::Req;
use super::state::{Billing, ImageState, Node, NodeStatus};
use serde_json::{Map, Value, json};

/// Simulated seconds a new or reinstalled node spends in "Creating".
pub const CREATE_SECS: f64 = 20.0;
const MAX_INSTANCES: u64 = 5;
const DEFAULT_PER_PAGE: u64 = 20;
const MAX_PER_PAGE: u64 = 100;

pub fn node_not_found() -> E2eError {
    E2eError::not_found("Node not found")
}

/// The node the path names, or the API's 404.
pub fn path_node(r: &Req) -> E2eResult<u64> {
    r.path_id()
        .filter(|id| r.acct.node(*id).is_some())
        .ok_or_else(node_not_found)
}

/// Where a new node comes from: a catalogue image or a saved one.
struct Source {
    image: String,
    distro: String,
    from_image: Option<u64>,
}

fn source(r: &Req, b: &Map<String, Value>, p: &mut Problems) -> Option<Source> {
    let image = required_str(b, "image", p);
    if !opt_bool(b, "is_saved_image", p) {
        let img = r.cat.image_by_slug(image?);
        if img.is_none() {
            p.add(
                "image",
                "Unknown image: use a slug from the image catalogue.",
            );
        }
        return img.map(|i| Source {
            image: i.slug.clone(),
            distro: i.distro.clone(),
            from_image: None,
        });
    }
    let Some(tid) = given(b, "saved_image_template_id") else {
        p.add("saved_image_template_id", REQUIRED);
        return None;
    };
    let found = id_of(tid).and_then(|t| r.acct.images.iter().find(|i| i.template_id == t));
    match found {
        None => {
            p.add(
                "saved_image_template_id",
                "No saved image has this template id.",
            );
            None
        }
        Some(i) if i.state != ImageState::Ready => {
            p.add(
                "saved_image_template_id",
                "The saved image is not ready yet.",
            );
            None
        }
        Some(i) => Some(Source {
            image: i.name.clone(),
            distro: i.distro.clone(),
            from_image: Some(i.image_id),
        }),
    }
}

fn ssh_keys(b: &Map<String, Value>, p: &mut Problems) -> Vec<String> {
    match given(b, "ssh_keys") {
        None => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            p.add("ssh_keys", "Expected a list of strings.");
            Vec::new()
        }
    }
}

fn instances(b: &Map<String, Value>, p: &mut Problems) -> u64 {
    match given(b, "number_of_instances") {
        None => 1,
        Some(v) => match id_of(v) {
            Some(n) if (1..=MAX_INSTANCES).contains(&n) => n,
            _ => {
                p.add(
                    "number_of_instances",
                    format!("Must be an integer from 1 to {MAX_INSTANCES}."),
                );
                1
            }
        },
    }
}

/// `POST /nodes/`: validates everything first, then creates every instance.
pub fn create(r: &mut Req) -> E2eResult<Reply> {
    let b = fields::object(&r.body)?;
    let mut p = Problems::default();
    let name = fields::name(b.get("name"))
        .map_err(|e| p.add("name", e))
        .ok();
    let region = required_str(b, "region", &mut p).map(str::to_string);
    let plan = required_str(b, "plan", &mut p).and_then(|s| {
        let plan = r.cat.plan(s);
        match plan {
            None => p.add(
                "plan",
                "Unknown plan: use a plan string from the plan list.",
            ),
            Some(pl) if !pl.available => p.add("plan", "This plan is out of stock."),
            Some(_) => {}
        }
        plan.filter(|pl| pl.available).cloned()
    });
    let src = source(r, b, &mut p);
    let keys = ssh_keys(b, &mut p);
    let backup = opt_bool(b, "backups", &mut p);
    let count = instances(b, &mut p);
    let committed = match (given(b, "cn_id").map(id_of), &plan) {
        (None | Some(Some(0)), _) => None,
        (Some(Some(id)), Some(pl)) if pl.committed.iter().any(|s| s.id == id) => Some(id),
        (Some(_), _) => {
            p.add("cn_id", "Not a committed_sku_id of this plan.");
            None
        }
    };
    p.check()?;
    let (Some(name), Some(region), Some(plan), Some(src)) = (name, region, plan, src) else {
        return Err(E2eError::bad_request("Invalid request"));
    };
    let mut created = Vec::new();
    for i in 1..=count {
        let id = r.acct.new_node_id();
        let (public_ip, private_ip) = r.acct.new_addresses();
        let mut node = Node {
            id,
            name: if count > 1 {
                format!("{name}-{i}")
            } else {
                name.clone()
            },
            created_at: chrono::Utc::now(),
            public_ip,
            private_ip,
            backup,
            plan: plan.plan.clone(),
            cpu: plan.cpu,
            ram_gb: plan.ram_gb,
            disk_gb: plan.disk_gb,
            image: src.image.clone(),
            distro: src.distro.clone(),
            from_image: src.from_image,
            region: region.clone(),
            is_locked: false,
            billing: if committed.is_some() {
                Billing::AutoRenew
            } else {
                Billing::Hourly
            },
            committed_sku_id: committed,
            ssh_keys: keys.clone(),
            status: NodeStatus::Creating,
            pending: None,
        };
        node.begin(
            NodeStatus::Creating,
            NodeStatus::Running,
            r.now,
            CREATE_SECS,
        );
        created.push(node.to_json());
        r.acct.nodes.push(node);
    }
    Ok(json!({"total_number_of_node_created": count, "node_create_response": created}).into())
}

pub fn get(r: &mut Req) -> E2eResult<Reply> {
    let id = path_node(r)?;
    let node = r.acct.node(id).ok_or_else(node_not_found)?;
    Ok(node.to_json().into())
}

/// A positive integer query parameter, its default when absent.
fn page_param(r: &Req, key: &str, default: u64, p: &mut Problems) -> u64 {
    match r.q(key) {
        None | Some("") => default,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => {
                p.add(key, "A valid positive integer is required.");
                default
            }
        },
    }
}

/// `GET /nodes/?page_no=&per_page=`: one page, and the totals beside `data`.
pub fn list(r: &mut Req) -> E2eResult<Reply> {
    let mut p = Problems::default();
    let page = page_param(r, "page_no", 1, &mut p);
    let per_page = page_param(r, "per_page", DEFAULT_PER_PAGE, &mut p);
    if per_page > MAX_PER_PAGE {
        p.add(
            "per_page",
            format!("Ensure this value is less than or equal to {MAX_PER_PAGE}."),
        );
    }
    p.check()?;
    let total = r.acct.nodes.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let items: Vec<Value> = r
        .acct
        .nodes
        .iter()
        .skip(skip)
        .take(take)
        .map(Node::to_json)
        .collect();
    let mut reply = Reply::from(Value::Array(items));
    reply.extra.insert("total_count".into(), json!(total));
    reply
        .extra
        .insert("total_page_number".into(), json!(total.div_ceil(per_page)));
    Ok(reply)
}

/// `DELETE /nodes/{id}/`: gone at once; a busy or locked node stays.
pub fn delete(r: &mut Req) -> E2eResult<Reply> {
    let id = path_node(r)?;
    let node = r.acct.node(id).ok_or_else(node_not_found)?;
    if matches!(node.status, NodeStatus::Creating | NodeStatus::SavingImage) {
        return Err(E2eError::bad_request("The node is busy"));
    }
    if node.is_locked {
        return Err(E2eError::bad_request("The node is locked"));
    }
    r.acct.nodes.retain(|n| n.id != id);
    Ok(json!({}).into())
}

/// `POST /update_committed_node_status/`: billing type and committed SKU.
pub fn update_committed(r: &mut Req) -> E2eResult<Reply> {
    let b = fields::object(&r.body)?;
    let mut p = Problems::default();
    let vcn = match given(b, "vcn_id") {
        None => {
            p.add("vcn_id", REQUIRED);
            None
        }
        Some(v) => {
            let id = id_of(v);
            if id.is_none() {
                p.add("vcn_id", "A valid integer is required.");
            }
            id
        }
    };
    let status = required_str(b, "node_status", &mut p).and_then(|s| {
        let st = Billing::parse(s);
        if st.is_none() {
            p.add(
                "node_status",
                "Must be one of auto_renew, auto_terminate, hourly_billing.",
            );
        }
        st
    });
    let plan_sku = match given(b, "committed_plan").map(id_of) {
        None | Some(Some(0)) => None,
        Some(Some(id)) => Some(id),
        Some(None) => {
            p.add("committed_plan", "A valid integer is required.");
            None
        }
    };
    if plan_sku.is_some() && status.is_some_and(|s| s != Billing::AutoRenew) {
        p.add(
            "committed_plan",
            "Only accepted with node_status auto_renew.",
        );
    }
    p.check()?;
    let (Some(vcn), Some(status)) = (vcn, status) else {
        return Err(E2eError::bad_request("Invalid request"));
    };
    let cat = r.cat;
    let node = r.acct.node_mut(vcn).ok_or_else(node_not_found)?;
    let skus: Vec<u64> = cat
        .plan(&node.plan)
        .map(|pl| pl.committed.iter().map(|s| s.id).collect())
        .unwrap_or_default();
    let sku = match status {
        Billing::Hourly => None,
        Billing::AutoRenew => match plan_sku.or(node.committed_sku_id) {
            Some(id) if skus.contains(&id) => Some(id),
            Some(_) => {
                return Err(E2eError::field(
                    "committed_plan",
                    "Not a committed_sku_id of the node's plan.",
                ));
            }
            None => {
                return Err(E2eError::field(
                    "committed_plan",
                    "The node has no committed plan: name one.",
                ));
            }
        },
        Billing::AutoTerminate => match node.committed_sku_id {
            Some(id) => Some(id),
            None => {
                return Err(E2eError::field(
                    "node_status",
                    "The node is not on a committed plan.",
                ));
            }
        },
    };
    node.billing = status;
    node.committed_sku_id = sku;
    Ok(json!({"message": "Committed node status updated"}).into())
}
