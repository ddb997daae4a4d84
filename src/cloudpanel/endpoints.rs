//! Every endpoint of the Cloud Panel API the client sends, and the
//! permissions under which the panel sends it.
//!
//! The client looks each change up here before anything else happens to it
//! (see `AccountClient::granted`): a change whose endpoint is not listed is
//! refused, and a client opened for one permission refuses a change whose
//! endpoint does not name that permission. The metrics label of every call
//! is its endpoint's family.
//!
//! The rows follow `tests/data/endpoints.tsv` (the reference list the
//! simulator's routes are tested against; an integration test keeps the two
//! equal). The permission keys are the panel's vocabulary (`group.flag`,
//! `rbac::vocabulary`), kept as strings because the client sits below
//! `rbac`; a test in `tenant` checks that each one is a real permission.

/// One endpoint of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub method: &'static str,
    /// The path below the base URL, `{...}` standing for one segment:
    /// `/servers/{server_id}/status/action`.
    pub path: &'static str,
    /// The resource family, the label of the call in the metrics: the
    /// path's first segment (`servers`).
    pub family: &'static str,
    /// For a change: every permission under which a page of the panel sends
    /// it (the power action is sent for start, restart and shutdown), and
    /// so the only ones a client opened for one permission may send it
    /// with. For a read: the permission of the page that shows it, for the
    /// reader; reads are not checked against it (see
    /// `AccountClient::granted`), and the token checks (`/ping`,
    /// `/ping_auth`) name none.
    pub flags: &'static [&'static str],
    /// For an endpoint that does several things by a field of its body
    /// (E2E's `POST /nodes/{id}/actions/` by `type`): that field, and each
    /// of its values with the one permission it needs. Empty for the rest.
    pub action_field: &'static str,
    pub actions: &'static [Action],
    /// A delete answered "not found" is done: the API's deletes are
    /// idempotent (E2E's), so a repeated one reached the end state asked for.
    pub idempotent_delete: bool,
}

/// One value of an endpoint's action field, with the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub value: &'static str,
    pub flag: &'static str,
    /// A delete: answered "not found", it is done (E2E's deletes are idempotent).
    pub deletes: bool,
}

impl Endpoint {
    /// Whether the endpoint only reads.
    pub fn is_read(&self) -> bool {
        self.method == "GET"
    }

    /// Whether a client opened for `flag` may send this endpoint as a change.
    pub fn allows(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }

    /// The permissions under which a change with this `body` is sent: the
    /// one of its action when the endpoint has an action field (none for a
    /// value the table does not list: such a change is never sent), else
    /// the endpoint's.
    pub fn flags_for(&self, body: Option<&serde_json::Value>) -> Vec<&'static str> {
        if self.actions.is_empty() {
            return self.flags.to_vec();
        }
        self.action_of(body)
            .map(|a| vec![a.flag])
            .unwrap_or_default()
    }

    fn action_of(&self, body: Option<&serde_json::Value>) -> Option<&'static Action> {
        let value = body?.get(self.action_field)?.as_str()?;
        self.actions.iter().find(|a| a.value == value)
    }

    /// Whether "not found" answers this change as done: a DELETE of an API
    /// whose deletes are idempotent, or an action that deletes.
    pub fn gone_is_done(&self, body: Option<&serde_json::Value>) -> bool {
        match self.action_of(body) {
            Some(action) => action.deletes,
            None => self.actions.is_empty() && self.idempotent_delete,
        }
    }

    /// Whether `method` and the concrete `path` are this endpoint.
    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        if self.method != method {
            return false;
        }
        let (Some(template), Some(concrete)) =
            (self.path.strip_prefix('/'), path.strip_prefix('/'))
        else {
            return false;
        };
        let mut template = template.split('/');
        let mut concrete = concrete.split('/');
        loop {
            match (template.next(), concrete.next()) {
                (None, None) => return true,
                (Some(t), Some(c)) if segment_fits(t, c) => {}
                _ => return false,
            }
        }
    }

    /// How specific the template is, for choosing among templates that
    /// match the same path (they have as many segments): more literal
    /// segments first, then literal segments earlier
    /// (`/servers/fixed_instance_sizes/{id}` before `/servers/{server_id}/hardware`).
    pub(crate) fn specificity(&self) -> (u32, u64) {
        let mut literals = 0;
        let mut placement = 0u64;
        for segment in self.path.split('/').filter(|s| !s.is_empty()) {
            let literal = !is_placeholder(segment);
            literals += u32::from(literal);
            placement = (placement << 1) | u64::from(literal);
        }
        (literals, placement)
    }
}

/// `{server_id}`: a segment that stands for one concrete segment.
fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Whether a template's segment accepts a concrete one: a literal only
/// itself; a placeholder one segment as the client encodes ids (`seg`):
/// unreserved characters and percent escapes, never empty and never `.`
/// or `..` (which an address would resolve to another path).
fn segment_fits(template: &str, concrete: &str) -> bool {
    if !is_placeholder(template) {
        return template == concrete;
    }
    !concrete.is_empty()
        && concrete
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%'))
        && !is_dot_segment(concrete)
}

/// `.` or `..`, also percent-encoded (`%2e`), which URL parsing resolves.
fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// The endpoint `method` and the concrete `path` (below the base URL, no
/// query string) are: of the templates that match, the most specific, so
/// `/servers/fixed_instance_sizes` is not taken for `/servers/{server_id}`.
/// `None` for a request that is not one of the API's.
pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS
        .iter()
        .filter(|e| e.matches(method, path))
        .max_by_key(|e| e.specificity())
}

/// A row of the table.
const fn e(
    method: &'static str,
    path: &'static str,
    family: &'static str,
    flags: &'static [&'static str],
) -> Endpoint {
    Endpoint {
        method,
        path,
        family,
        flags,
        action_field: "",
        actions: &[],
        idempotent_delete: false,
    }
}

/// Every endpoint, in the order of `tests/data/endpoints.tsv`, each with
/// the reference's title. One row a line, read as a table.
#[rustfmt::skip]
pub const ENDPOINTS: &[Endpoint] = &[
    // List servers
    e("GET", "/servers", "servers", &["servers.show"]),
    // Create a server (custom hardware, fixed instance size or baremetal model)
    e("POST", "/servers", "servers", &["servers.create"]),
    // List fixed instance sizes (M/L/XL/XXL)
    e("GET", "/servers/fixed_instance_sizes", "servers", &["servers.show"]),
    // Get one fixed instance size
    e("GET", "/servers/fixed_instance_sizes/{fixed_instance_size_id}", "servers", &["servers.show"]),
    // List baremetal models
    e("GET", "/servers/baremetal_models", "servers", &["servers.show"]),
    // Get one baremetal model
    e("GET", "/servers/baremetal_models/{baremetal_model_id}", "servers", &["servers.show"]),
    // Get a server
    e("GET", "/servers/{server_id}", "servers", &["servers.show"]),
    // Rename a server / change its description
    e("PUT", "/servers/{server_id}", "servers", &["servers.set_name", "servers.set_description"]),
    // Delete a server (query keep_ip=true keeps its IPs)
    e("DELETE", "/servers/{server_id}", "servers", &["servers.delete"]),
    // Get a server's hardware
    e("GET", "/servers/{server_id}/hardware", "servers", &["servers.show"]),
    // Resize server hardware (fixed size or vcore/cores_per_processor/ram)
    e("PUT", "/servers/{server_id}/hardware", "servers", &["servers.resize"]),
    // List a server's hard disks
    e("GET", "/servers/{server_id}/hardware/hdds", "servers", &["servers.show"]),
    // Add hard disk(s) to a server
    e("POST", "/servers/{server_id}/hardware/hdds", "servers", &["servers.resize"]),
    // Get one server hard disk
    e("GET", "/servers/{server_id}/hardware/hdds/{hdd_id}", "servers", &["servers.show"]),
    // Resize a server hard disk
    e("PUT", "/servers/{server_id}/hardware/hdds/{hdd_id}", "servers", &["servers.resize"]),
    // Remove a server hard disk
    e("DELETE", "/servers/{server_id}/hardware/hdds/{hdd_id}", "servers", &["servers.resize"]),
    // Get the image installed on a server
    e("GET", "/servers/{server_id}/image", "servers", &["servers.show"]),
    // Reinstall a server with an image
    e("PUT", "/servers/{server_id}/image", "servers", &["servers.reinstall"]),
    // List a server's IPs
    e("GET", "/servers/{server_id}/ips", "servers", &["servers.show"]),
    // Add a new IP to a server
    e("POST", "/servers/{server_id}/ips", "servers", &["servers.assign_ip"]),
    // Get one server IP
    e("GET", "/servers/{server_id}/ips/{ip_id}", "servers", &["servers.show"]),
    // Release a server IP (body keep_ip=true keeps it unassigned instead of removing)
    e("DELETE", "/servers/{server_id}/ips/{ip_id}", "servers", &["servers.assign_ip"]),
    // Get the firewall policy assigned to a server IP
    e("GET", "/servers/{server_id}/ips/{ip_id}/firewall_policy", "servers", &["servers.show"]),
    // Assign a firewall policy to a server IP
    e("PUT", "/servers/{server_id}/ips/{ip_id}/firewall_policy", "servers", &["firewall_policies.manage_attached_server_ips"]),
    // List load balancers assigned to a server IP
    e("GET", "/servers/{server_id}/ips/{ip_id}/load_balancers", "servers", &["servers.show"]),
    // Assign a load balancer to a server IP
    e("POST", "/servers/{server_id}/ips/{ip_id}/load_balancers", "servers", &["load_balancers.manage_attached_server_ips"]),
    // Remove a load balancer from a server IP
    e("DELETE", "/servers/{server_id}/ips/{ip_id}/load_balancers/{load_balancer_id}", "servers", &["load_balancers.manage_attached_server_ips"]),
    // Get a server's status (state, percent)
    e("GET", "/servers/{server_id}/status", "servers", &["servers.show"]),
    // Power action on a server (POWER_ON/POWER_OFF/REBOOT, SOFTWARE/HARDWARE)
    e("PUT", "/servers/{server_id}/status/action", "servers", &["servers.start", "servers.restart", "servers.shutdown"]),
    // Get the DVD loaded in a server
    e("GET", "/servers/{server_id}/dvd", "servers", &["servers.show"]),
    // Load a DVD ISO into a server
    e("PUT", "/servers/{server_id}/dvd", "servers", &["servers.manage_dvd"]),
    // Unload (eject) the DVD from a server
    e("DELETE", "/servers/{server_id}/dvd", "servers", &["servers.manage_dvd"]),
    // List a server's private networks
    e("GET", "/servers/{server_id}/private_networks", "servers", &["servers.show"]),
    // Assign a private network to a server
    e("POST", "/servers/{server_id}/private_networks", "servers", &["private_network.manage_attached_servers"]),
    // Get one of a server's private networks
    e("GET", "/servers/{server_id}/private_networks/{private_network_id}", "servers", &["servers.show"]),
    // Unassign a private network from a server
    e("DELETE", "/servers/{server_id}/private_networks/{private_network_id}", "servers", &["private_network.manage_attached_servers"]),
    // List a server's snapshots
    e("GET", "/servers/{server_id}/snapshots", "servers", &["servers.show"]),
    // Create a server snapshot
    e("POST", "/servers/{server_id}/snapshots", "servers", &["servers.manage_snapshot"]),
    // Restore a snapshot into the server (200 and 202 both documented)
    e("PUT", "/servers/{server_id}/snapshots/{snapshot_id}", "servers", &["servers.manage_snapshot"]),
    // Delete a server snapshot
    e("DELETE", "/servers/{server_id}/snapshots/{snapshot_id}", "servers", &["servers.manage_snapshot"]),
    // Clone a server
    e("POST", "/servers/{server_id}/clone", "servers", &["servers.clone"]),
    // List images
    e("GET", "/images", "images", &["images.show"]),
    // Create an image (from a server, or import image/iso)
    e("POST", "/images", "images", &["images.create"]),
    // Get an image
    e("GET", "/images/{image_id}", "images", &["images.show"]),
    // Modify an image (name, description, frequency=ONCE)
    e("PUT", "/images/{image_id}", "images", &["images.set_name", "images.set_description", "images.disable_automatic_creation"]),
    // Delete an image
    e("DELETE", "/images/{image_id}", "images", &["images.delete"]),
    // List block storages
    e("GET", "/block_storages", "block_storages", &["block_storages.show"]),
    // Create a block storage
    e("POST", "/block_storages", "block_storages", &["block_storages.create"]),
    // Get a block storage
    e("GET", "/block_storages/{block_storage_id}", "block_storages", &["block_storages.show"]),
    // Modify a block storage (name, description, size)
    e("PUT", "/block_storages/{block_storage_id}", "block_storages", &["block_storages.set_name", "block_storages.set_description"]),
    // Delete a block storage
    e("DELETE", "/block_storages/{block_storage_id}", "block_storages", &["block_storages.delete"]),
    // Attach a server to a block storage
    e("POST", "/block_storages/{block_storage_id}/server", "block_storages", &["block_storages.manage_attached_server"]),
    // Detach the server from a block storage
    e("DELETE", "/block_storages/{block_storage_id}/server", "block_storages", &["block_storages.manage_attached_server"]),
    // Get the server attached to a block storage
    e("GET", "/block_storages/{block_storage_id}/server", "block_storages", &["block_storages.show"]),
    // List shared storages
    e("GET", "/shared_storages", "shared_storages", &["shared_storages.show"]),
    // Create a shared storage
    e("POST", "/shared_storages", "shared_storages", &["shared_storages.create"]),
    // Get a shared storage
    e("GET", "/shared_storages/{shared_storage_id}", "shared_storages", &["shared_storages.show"]),
    // Modify a shared storage (name, description, size)
    e("PUT", "/shared_storages/{shared_storage_id}", "shared_storages", &["shared_storages.set_name", "shared_storages.set_description", "shared_storages.resize"]),
    // Delete a shared storage
    e("DELETE", "/shared_storages/{shared_storage_id}", "shared_storages", &["shared_storages.delete"]),
    // List servers attached to a shared storage
    e("GET", "/shared_storages/{shared_storage_id}/servers", "shared_storages", &["shared_storages.show"]),
    // Attach servers (with R/RW rights) to a shared storage
    e("POST", "/shared_storages/{shared_storage_id}/servers", "shared_storages", &["shared_storages.manage_attached_servers"]),
    // Get one server attached to a shared storage
    e("GET", "/shared_storages/{shared_storage_id}/servers/{server_id}", "shared_storages", &["shared_storages.show"]),
    // Detach a server from a shared storage
    e("DELETE", "/shared_storages/{shared_storage_id}/servers/{server_id}", "shared_storages", &["shared_storages.manage_attached_servers"]),
    // Get shared-storage access credentials (per datacenter)
    e("GET", "/shared_storages/access", "shared_storages", &["shared_storages.access"]),
    // Change the shared-storage access password
    e("PUT", "/shared_storages/access", "shared_storages", &["shared_storages.access"]),
    // List firewall policies
    e("GET", "/firewall_policies", "firewall_policies", &["firewall_policies.show"]),
    // Create a firewall policy with rules
    e("POST", "/firewall_policies", "firewall_policies", &["firewall_policies.create"]),
    // Get a firewall policy
    e("GET", "/firewall_policies/{firewall_id}", "firewall_policies", &["firewall_policies.show"]),
    // Modify a firewall policy (name, description)
    e("PUT", "/firewall_policies/{firewall_id}", "firewall_policies", &["firewall_policies.set_name", "firewall_policies.set_description"]),
    // Delete a firewall policy
    e("DELETE", "/firewall_policies/{firewall_id}", "firewall_policies", &["firewall_policies.delete"]),
    // List server IPs assigned to a firewall policy
    e("GET", "/firewall_policies/{firewall_id}/server_ips", "firewall_policies", &["firewall_policies.show"]),
    // Assign server IPs to a firewall policy
    e("POST", "/firewall_policies/{firewall_id}/server_ips", "firewall_policies", &["firewall_policies.manage_attached_server_ips"]),
    // Get one server IP assigned to a firewall policy
    e("GET", "/firewall_policies/{firewall_id}/server_ips/{server_ip}", "firewall_policies", &["firewall_policies.show"]),
    // List rules of a firewall policy
    e("GET", "/firewall_policies/{firewall_id}/rules", "firewall_policies", &["firewall_policies.show"]),
    // Add rules to a firewall policy
    e("POST", "/firewall_policies/{firewall_id}/rules", "firewall_policies", &["firewall_policies.manage_rules"]),
    // Get one firewall policy rule
    e("GET", "/firewall_policies/{firewall_id}/rules/{rule_id}", "firewall_policies", &["firewall_policies.show"]),
    // Remove a rule from a firewall policy
    e("DELETE", "/firewall_policies/{firewall_id}/rules/{rule_id}", "firewall_policies", &["firewall_policies.manage_rules"]),
    // List load balancers
    e("GET", "/load_balancers", "load_balancers", &["load_balancers.show"]),
    // Create a load balancer with rules
    e("POST", "/load_balancers", "load_balancers", &["load_balancers.create"]),
    // Get a load balancer
    e("GET", "/load_balancers/{load_balancer_id}", "load_balancers", &["load_balancers.show"]),
    // Modify a load balancer (name, health check, persistence, method)
    e("PUT", "/load_balancers/{load_balancer_id}", "load_balancers", &["load_balancers.set_name", "load_balancers.set_description", "load_balancers.modify"]),
    // Delete a load balancer
    e("DELETE", "/load_balancers/{load_balancer_id}", "load_balancers", &["load_balancers.delete"]),
    // List server IPs assigned to a load balancer
    e("GET", "/load_balancers/{load_balancer_id}/server_ips", "load_balancers", &["load_balancers.show"]),
    // Assign server IPs to a load balancer
    e("POST", "/load_balancers/{load_balancer_id}/server_ips", "load_balancers", &["load_balancers.manage_attached_server_ips"]),
    // Get one server IP assigned to a load balancer
    e("GET", "/load_balancers/{load_balancer_id}/server_ips/{server_ip}", "load_balancers", &["load_balancers.show"]),
    // Unassign a server IP from a load balancer
    e("DELETE", "/load_balancers/{load_balancer_id}/server_ips/{server_ip}", "load_balancers", &["load_balancers.manage_attached_server_ips"]),
    // List rules of a load balancer
    e("GET", "/load_balancers/{load_balancer_id}/rules", "load_balancers", &["load_balancers.show"]),
    // Add rules to a load balancer
    e("POST", "/load_balancers/{load_balancer_id}/rules", "load_balancers", &["load_balancers.manage_rules"]),
    // Get one load balancer rule
    e("GET", "/load_balancers/{load_balancer_id}/rules/{rule_id}", "load_balancers", &["load_balancers.show"]),
    // Remove a rule from a load balancer
    e("DELETE", "/load_balancers/{load_balancer_id}/rules/{rule_id}", "load_balancers", &["load_balancers.manage_rules"]),
    // List public IPs
    e("GET", "/public_ips", "public_ips", &["public_ips.show"]),
    // Create (reserve) a public IP
    e("POST", "/public_ips", "public_ips", &["public_ips.create"]),
    // Get a public IP
    e("GET", "/public_ips/{ip_id}", "public_ips", &["public_ips.show"]),
    // Modify a public IP (reverse_dns)
    e("PUT", "/public_ips/{ip_id}", "public_ips", &["public_ips.set_reverse_dns"]),
    // Delete a public IP
    e("DELETE", "/public_ips/{ip_id}", "public_ips", &["public_ips.delete"]),
    // List private networks
    e("GET", "/private_networks", "private_networks", &["private_network.show"]),
    // Create a private network
    e("POST", "/private_networks", "private_networks", &["private_network.create"]),
    // Get a private network
    e("GET", "/private_networks/{private_network_id}", "private_networks", &["private_network.show"]),
    // Modify a private network (name, description, address, mask)
    e("PUT", "/private_networks/{private_network_id}", "private_networks", &["private_network.set_name", "private_network.set_description", "private_network.set_network_info"]),
    // Delete a private network
    e("DELETE", "/private_networks/{private_network_id}", "private_networks", &["private_network.delete"]),
    // List servers attached to a private network
    e("GET", "/private_networks/{private_network_id}/servers", "private_networks", &["private_network.show"]),
    // Attach servers to a private network
    e("POST", "/private_networks/{private_network_id}/servers", "private_networks", &["private_network.manage_attached_servers"]),
    // Get one server attached to a private network
    e("GET", "/private_networks/{private_network_id}/servers/{server_id}", "private_networks", &["private_network.show"]),
    // Detach a server from a private network
    e("DELETE", "/private_networks/{private_network_id}/servers/{server_id}", "private_networks", &["private_network.manage_attached_servers"]),
    // List VPNs
    e("GET", "/vpns", "vpns", &["vpn.show"]),
    // Create a VPN
    e("POST", "/vpns", "vpns", &["vpn.create"]),
    // Get a VPN
    e("GET", "/vpns/{vpn_id}", "vpns", &["vpn.show"]),
    // Modify a VPN (name, description)
    e("PUT", "/vpns/{vpn_id}", "vpns", &["vpn.set_name", "vpn.set_description"]),
    // Delete a VPN
    e("DELETE", "/vpns/{vpn_id}", "vpns", &["vpn.delete"]),
    // Download the VPN configuration file
    e("GET", "/vpns/{vpn_id}/configuration_file", "vpns", &["vpn.download_file"]),
    // List monitored servers with status, alert counts and agent info
    e("GET", "/monitoring_center", "monitoring_center", &["monitoring_center.show"]),
    // Get resource usage of a server for a time range (period)
    e("GET", "/monitoring_center/{server_id}", "monitoring_center", &["monitoring_center.show"]),
    // List monitoring policies
    e("GET", "/monitoring_policies", "monitoring_policies", &["monitoring_policies.show"]),
    // Create a monitoring policy (thresholds, ports, processes)
    e("POST", "/monitoring_policies", "monitoring_policies", &["monitoring_policies.create", "monitoring_policies.clone"]),
    // Get a monitoring policy
    e("GET", "/monitoring_policies/{monitoring_policy_id}", "monitoring_policies", &["monitoring_policies.show"]),
    // Modify a monitoring policy (name, description, email, thresholds)
    e("PUT", "/monitoring_policies/{monitoring_policy_id}", "monitoring_policies", &["monitoring_policies.set_name", "monitoring_policies.set_description", "monitoring_policies.set_email", "monitoring_policies.modify_resources"]),
    // Delete a monitoring policy
    e("DELETE", "/monitoring_policies/{monitoring_policy_id}", "monitoring_policies", &["monitoring_policies.delete"]),
    // List monitored ports of a policy
    e("GET", "/monitoring_policies/{monitoring_policy_id}/ports", "monitoring_policies", &["monitoring_policies.show"]),
    // Add monitored ports to a policy
    e("POST", "/monitoring_policies/{monitoring_policy_id}/ports", "monitoring_policies", &["monitoring_policies.manage_ports"]),
    // Get one monitored port
    e("GET", "/monitoring_policies/{monitoring_policy_id}/ports/{port_id}", "monitoring_policies", &["monitoring_policies.show"]),
    // Modify a monitored port (alert_if, email_notification)
    e("PUT", "/monitoring_policies/{monitoring_policy_id}/ports/{port_id}", "monitoring_policies", &["monitoring_policies.manage_ports"]),
    // Remove a monitored port
    e("DELETE", "/monitoring_policies/{monitoring_policy_id}/ports/{port_id}", "monitoring_policies", &["monitoring_policies.manage_ports"]),
    // List monitored processes of a policy
    e("GET", "/monitoring_policies/{monitoring_policy_id}/processes", "monitoring_policies", &["monitoring_policies.show"]),
    // Add monitored processes to a policy
    e("POST", "/monitoring_policies/{monitoring_policy_id}/processes", "monitoring_policies", &["monitoring_policies.manage_processes"]),
    // Get one monitored process
    e("GET", "/monitoring_policies/{monitoring_policy_id}/processes/{process_id}", "monitoring_policies", &["monitoring_policies.show"]),
    // Modify a monitored process (alert_if, email_notification)
    e("PUT", "/monitoring_policies/{monitoring_policy_id}/processes/{process_id}", "monitoring_policies", &["monitoring_policies.manage_processes"]),
    // Remove a monitored process
    e("DELETE", "/monitoring_policies/{monitoring_policy_id}/processes/{process_id}", "monitoring_policies", &["monitoring_policies.manage_processes"]),
    // List servers attached to a monitoring policy
    e("GET", "/monitoring_policies/{monitoring_policy_id}/servers", "monitoring_policies", &["monitoring_policies.show"]),
    // Attach servers to a monitoring policy
    e("POST", "/monitoring_policies/{monitoring_policy_id}/servers", "monitoring_policies", &["monitoring_policies.manage_attached_servers"]),
    // Get one server attached to a monitoring policy
    e("GET", "/monitoring_policies/{monitoring_policy_id}/servers/{server_id}", "monitoring_policies", &["monitoring_policies.show"]),
    // Detach a server from a monitoring policy
    e("DELETE", "/monitoring_policies/{monitoring_policy_id}/servers/{server_id}", "monitoring_policies", &["monitoring_policies.manage_attached_servers"]),
    // List SSH keys
    e("GET", "/ssh_keys", "ssh_keys", &["ssh_keys.show"]),
    // Create/import an SSH key
    e("POST", "/ssh_keys", "ssh_keys", &["ssh_keys.create"]),
    // Get an SSH key
    e("GET", "/ssh_keys/{ssh_key_id}", "ssh_keys", &["ssh_keys.show"]),
    // Modify an SSH key (name, description)
    e("PUT", "/ssh_keys/{ssh_key_id}", "ssh_keys", &["ssh_keys.set_name", "ssh_keys.set_description"]),
    // Delete an SSH key
    e("DELETE", "/ssh_keys/{ssh_key_id}", "ssh_keys", &["ssh_keys.delete"]),
    // List users
    e("GET", "/users", "users", &["users.show"]),
    // Create a user
    e("POST", "/users", "users", &["users.create"]),
    // Get a user
    e("GET", "/users/{user_id}", "users", &["users.show"]),
    // Modify a user (description, email, password, state)
    e("PUT", "/users/{user_id}", "users", &["users.set_email", "users.set_password", "users.set_description", "users.enable", "users.disable"]),
    // Delete a user
    e("DELETE", "/users/{user_id}", "users", &["users.delete"]),
    // Get a user's API settings (active, key, allowed_ips)
    e("GET", "/users/{user_id}/api", "users", &["users.show"]),
    // Enable/disable API access for a user
    e("PUT", "/users/{user_id}/api", "users", &["users.manage_api"]),
    // Show a user's API key
    e("GET", "/users/{user_id}/api/key", "users", &["users.manage_api"]),
    // Regenerate a user's API key
    e("PUT", "/users/{user_id}/api/key", "users", &["users.manage_api"]),
    // List IPs allowed to use the API for a user
    e("GET", "/users/{user_id}/api/ips", "users", &["users.show"]),
    // Add allowed API IPs for a user
    e("POST", "/users/{user_id}/api/ips", "users", &["users.manage_api"]),
    // Remove an allowed API IP from a user
    e("DELETE", "/users/{user_id}/api/ips/{ip}", "users", &["users.manage_api"]),
    // Get the permissions of the calling user
    e("GET", "/users/current_user_permissions", "users", &["users.show"]),
    // List roles
    e("GET", "/roles", "roles", &["roles.show"]),
    // Create a role
    e("POST", "/roles", "roles", &["roles.create"]),
    // Get a role
    e("GET", "/roles/{role_id}", "roles", &["roles.show"]),
    // Modify a role (name, description, state)
    e("PUT", "/roles/{role_id}", "roles", &["roles.set_name", "roles.set_description"]),
    // Delete a role
    e("DELETE", "/roles/{role_id}", "roles", &["roles.delete"]),
    // Get a role's permissions
    e("GET", "/roles/{role_id}/permissions", "roles", &["roles.show"]),
    // Modify a role's permissions (request body undocumented)
    e("PUT", "/roles/{role_id}/permissions", "roles", &["roles.modify"]),
    // List users assigned to a role
    e("GET", "/roles/{role_id}/users", "roles", &["roles.show"]),
    // Add users to a role
    e("POST", "/roles/{role_id}/users", "roles", &["roles.manage_users", "users.change_role"]),
    // Get one user assigned to a role
    e("GET", "/roles/{role_id}/users/{user_id}", "roles", &["roles.show"]),
    // Remove a user from a role
    e("DELETE", "/roles/{role_id}/users/{user_id}", "roles", &["roles.manage_users"]),
    // Clone a role
    e("POST", "/roles/{role_id}/clone", "roles", &["roles.clone"]),
    // List action logs for a time range (period)
    e("GET", "/logs", "logs", &["logs.show"]),
    // Get one log entry
    e("GET", "/logs/{log_id}", "logs", &["logs.show"]),
    // Get resource usages for a time range (period)
    e("GET", "/usages", "usages", &["usages.show"]),
    // List appliances usable to create servers
    e("GET", "/server_appliances", "server_appliances", &["servers.show"]),
    // Get one server appliance
    e("GET", "/server_appliances/{id}", "server_appliances", &["servers.show"]),
    // List appliances usable for baremetal recovery mode
    e("GET", "/recovery_appliances", "recovery_appliances", &["servers.show"]),
    // Get one recovery appliance
    e("GET", "/recovery_appliances/{id}", "recovery_appliances", &["servers.show"]),
    // List ISO images loadable into the virtual DVD unit
    e("GET", "/dvd_isos", "dvd_isos", &["servers.show"]),
    // Get one DVD ISO image
    e("GET", "/dvd_isos/{id}", "dvd_isos", &["servers.show"]),
    // Check the API is running (returns ["PONG"])
    e("GET", "/ping", "ping", &[]),
    // Check the API is running and the token is valid (returns ["PONG"])
    e("GET", "/ping_auth", "ping_auth", &[]),
    // Get prices of all resources
    e("GET", "/pricing", "pricing", &["usages.show"]),
    // List datacenters
    e("GET", "/datacenters", "datacenters", &["servers.show"]),
    // Get a datacenter
    e("GET", "/datacenters/{datacenter_id}", "datacenters", &["servers.show"]),

];

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(method: &str, path: &str) -> Option<&'static str> {
        find(method, path).map(|e| e.path)
    }

    #[test]
    fn a_literal_segment_beats_a_placeholder() {
        assert_eq!(
            path_of("GET", "/servers/fixed_instance_sizes"),
            Some("/servers/fixed_instance_sizes")
        );
        assert_eq!(
            path_of("GET", "/servers/baremetal_models/BM1"),
            Some("/servers/baremetal_models/{baremetal_model_id}")
        );
        assert_eq!(
            path_of("GET", "/shared_storages/access"),
            Some("/shared_storages/access")
        );
        assert_eq!(
            path_of("GET", "/users/current_user_permissions"),
            Some("/users/current_user_permissions")
        );
        assert_eq!(
            path_of("GET", "/servers/ABC123"),
            Some("/servers/{server_id}")
        );
        // Equally many literals: the earlier literal wins.
        assert_eq!(
            path_of("GET", "/servers/fixed_instance_sizes/hardware"),
            Some("/servers/fixed_instance_sizes/{fixed_instance_size_id}")
        );
    }

    #[test]
    fn a_concrete_path_finds_its_template() {
        let power = find("PUT", "/servers/ABC123/status/action");
        assert_eq!(
            power.map(|e| e.path),
            Some("/servers/{server_id}/status/action")
        );
        assert!(power.is_some_and(|e| e.allows("servers.shutdown")));
        assert!(power.is_some_and(|e| !e.allows("servers.show")));
        assert_eq!(
            path_of("DELETE", "/users/U1/api/ips/10.0.0.1"),
            Some("/users/{user_id}/api/ips/{ip}")
        );
        assert_eq!(
            path_of("DELETE", "/users/U1/api/ips/2001%3Adb8%3A%3A1"),
            Some("/users/{user_id}/api/ips/{ip}")
        );
    }

    #[test]
    fn an_unknown_path_is_none() {
        assert_eq!(find("GET", "/nowhere"), None);
        assert_eq!(find("PUT", "/servers/ABC/status/nonsense"), None);
        assert_eq!(find("GET", "/servers/ABC/"), None, "an empty segment");
        assert_eq!(find("GET", "/servers//hardware"), None, "an empty id");
        assert_eq!(find("GET", "servers"), None, "not below the base URL");
        assert_eq!(find("GET", "/servers?q=web"), None, "a query string");
        assert_eq!(find("GET", ""), None);
    }

    #[test]
    fn an_id_that_would_move_the_address_is_not_an_id() {
        assert_eq!(find("DELETE", "/servers/../images/X"), None);
        assert_eq!(find("PUT", "/servers/../status/action"), None);
        assert_eq!(find("PUT", "/servers/%2E%2e/status/action"), None);
        assert_eq!(find("PUT", "/servers/a?b/status/action"), None);
        assert_eq!(find("PUT", "/servers/a\\b/status/action"), None);
    }

    #[test]
    fn the_method_matters() {
        assert_eq!(find("PATCH", "/servers/ABC"), None);
        assert_eq!(find("POST", "/servers/ABC"), None);
        assert_eq!(
            find("DELETE", "/servers/ABC").map(|e| e.flags),
            Some(&["servers.delete"][..])
        );
        assert_eq!(find("get", "/servers"), None, "methods are upper case");
    }

    #[test]
    fn every_template_finds_itself_and_is_listed_once() {
        for e in ENDPOINTS {
            let concrete = e
                .path
                .split('/')
                .map(|s| if is_placeholder(s) { "X1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            assert_eq!(
                find(e.method, &concrete),
                Some(e),
                "{} {}",
                e.method,
                e.path
            );
        }
        assert_eq!(ENDPOINTS.len(), 175);
    }

    #[test]
    fn the_family_is_the_label_the_metrics_gave_the_path() {
        for e in ENDPOINTS {
            assert_eq!(
                e.family,
                crate::metrics::upstream_family(e.path),
                "{}",
                e.path
            );
            assert!(
                e.is_read() || !e.flags.is_empty(),
                "{} {}",
                e.method,
                e.path
            );
        }
    }
}
