//! The permission vocabulary as data: every group and flag, with the words
//! the panel shows for it.
//!
//! The groups and flags are the Cloud Panel's own role permission model, in
//! the reference's order (16 groups, 99 flags; the reference's one-line
//! explanations are in `cloudpanel-api/DIGEST.md`), then the panel's own
//! groups. Each flag carries a title (what a member may do, as the role
//! editor's checkbox label) and a description (what that means, shown under
//! it); the API's `group.flag` name stays the key everywhere else.

/// Where a group of the vocabulary comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The Cloud Panel's own permission model.
    CloudPanel,
    /// Added by the panel.
    Panel,
    /// E2E Networks' nodes and images: the panel's groups for its second
    /// provider, one flag per operation of its API.
    E2e,
}

/// One flag of a group: `servers.shutdown`.
#[derive(Debug)]
pub struct Flag {
    /// The API's name: `shutdown`.
    pub name: &'static str,
    /// What the flag lets a member do, as a checkbox label: "Shut down servers".
    pub title: &'static str,
    /// What that means, in a sentence.
    pub description: &'static str,
}

/// One group of flags: `servers`.
#[derive(Debug)]
pub struct Group {
    /// The API's name: `servers`.
    pub name: &'static str,
    /// The group's name in words: "Servers".
    pub title: &'static str,
    pub source: Source,
    pub flags: &'static [Flag],
}

/// Every group and flag, in the reference's order, then the panel's own groups.
pub static VOCABULARY: &[Group] = &[
    Group {
        name: "servers",
        title: "Servers",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See servers",
                description: "List servers and open their details.",
            },
            Flag {
                name: "create",
                title: "Create servers",
                description: "Create new servers from an image, with a chosen size and datacenter.",
            },
            Flag {
                name: "delete",
                title: "Delete servers",
                description: "Delete servers and their disks for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename servers",
                description: "Change a server's name.",
            },
            Flag {
                name: "set_description",
                title: "Change server descriptions",
                description: "Change the free-text description of a server.",
            },
            Flag {
                name: "start",
                title: "Start servers",
                description: "Power on servers that are off.",
            },
            Flag {
                name: "restart",
                title: "Restart servers",
                description: "Reboot running servers, gracefully or forcibly.",
            },
            Flag {
                name: "shutdown",
                title: "Shut down servers",
                description: "Power off running servers, gracefully or forcibly.",
            },
            Flag {
                name: "resize",
                title: "Resize servers",
                description: "Change a server's processors, memory and disks.",
            },
            Flag {
                name: "reinstall",
                title: "Reinstall servers",
                description: "Install another image on a server, erasing what its disks hold.",
            },
            Flag {
                name: "clone",
                title: "Clone servers",
                description: "Create a copy of an existing server.",
            },
            Flag {
                name: "manage_snapshot",
                title: "Manage server snapshots",
                description: "Take, restore and delete snapshots of servers.",
            },
            Flag {
                name: "assign_ip",
                title: "Assign IPs to servers",
                description: "Give servers new public IPs.",
            },
            Flag {
                name: "manage_dvd",
                title: "Load and eject DVD images",
                description: "Put a DVD image (ISO) in a server's virtual drive and take it out.",
            },
            Flag {
                name: "access_kvm_console",
                title: "Open the KVM console",
                description: "Use a server's screen and keyboard through the KVM console, as if sitting at it.",
            },
        ],
    },
    Group {
        name: "images",
        title: "Images",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See images",
                description: "List the images made from servers.",
            },
            Flag {
                name: "create",
                title: "Create images",
                description: "Make an image of a server, once or on a schedule.",
            },
            Flag {
                name: "delete",
                title: "Delete images",
                description: "Delete images for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename images",
                description: "Change an image's name.",
            },
            Flag {
                name: "set_description",
                title: "Change image descriptions",
                description: "Change the free-text description of an image.",
            },
            Flag {
                name: "disable_automatic_creation",
                title: "Change automatic image creation",
                description: "Turn off, or change, the schedule on which an image is made again.",
            },
        ],
    },
    Group {
        name: "shared_storages",
        title: "Shared storages",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See shared storages",
                description: "List shared storages and open their details.",
            },
            Flag {
                name: "create",
                title: "Create shared storages",
                description: "Create new shared storages.",
            },
            Flag {
                name: "delete",
                title: "Delete shared storages",
                description: "Delete shared storages and the files on them.",
            },
            Flag {
                name: "set_name",
                title: "Rename shared storages",
                description: "Change a shared storage's name.",
            },
            Flag {
                name: "set_description",
                title: "Change shared storage descriptions",
                description: "Change the free-text description of a shared storage.",
            },
            Flag {
                name: "manage_attached_servers",
                title: "Attach servers to shared storages",
                description: "Let servers use a shared storage, and stop them.",
            },
            Flag {
                name: "access",
                title: "Manage access to shared storages",
                description: "Change the credentials with which servers reach shared storages.",
            },
            Flag {
                name: "resize",
                title: "Resize shared storages",
                description: "Change the size of a shared storage.",
            },
        ],
    },
    Group {
        name: "firewall_policies",
        title: "Firewall policies",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See firewall policies",
                description: "List firewall policies and their rules.",
            },
            Flag {
                name: "create",
                title: "Create firewall policies",
                description: "Create new firewall policies.",
            },
            Flag {
                name: "delete",
                title: "Delete firewall policies",
                description: "Delete firewall policies for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename firewall policies",
                description: "Change a firewall policy's name.",
            },
            Flag {
                name: "set_description",
                title: "Change firewall policy descriptions",
                description: "Change the free-text description of a firewall policy.",
            },
            Flag {
                name: "manage_rules",
                title: "Edit firewall rules",
                description: "Add and remove the rules of a firewall policy.",
            },
            Flag {
                name: "manage_attached_server_ips",
                title: "Manage the firewall policies of server IPs",
                description: "Put a firewall policy on a server's IPs, or take it off.",
            },
            Flag {
                name: "clone",
                title: "Clone firewall policies",
                description: "Create a copy of a firewall policy.",
            },
        ],
    },
    Group {
        name: "load_balancers",
        title: "Load balancers",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See load balancers",
                description: "List load balancers and their rules.",
            },
            Flag {
                name: "create",
                title: "Create load balancers",
                description: "Create new load balancers.",
            },
            Flag {
                name: "delete",
                title: "Delete load balancers",
                description: "Delete load balancers for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename load balancers",
                description: "Change a load balancer's name.",
            },
            Flag {
                name: "set_description",
                title: "Change load balancer descriptions",
                description: "Change the free-text description of a load balancer.",
            },
            Flag {
                name: "manage_rules",
                title: "Edit load balancer rules",
                description: "Add and remove the rules of a load balancer.",
            },
            Flag {
                name: "manage_attached_server_ips",
                title: "Manage the load balancers of server IPs",
                description: "Add a server's IPs to a load balancer, or remove them.",
            },
            Flag {
                name: "modify",
                title: "Change load balancer settings",
                description: "Change how a load balancer spreads traffic and checks the servers behind it.",
            },
        ],
    },
    Group {
        name: "public_ips",
        title: "Public IPs",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See public IPs",
                description: "List public IPs and what they are assigned to.",
            },
            Flag {
                name: "create",
                title: "Create public IPs",
                description: "Reserve new public IPs for the account.",
            },
            Flag {
                name: "delete",
                title: "Delete public IPs",
                description: "Give public IPs up for good.",
            },
            Flag {
                name: "release",
                title: "Release IPs from servers",
                description: "Take an IP off its server while keeping it in the account.",
            },
            Flag {
                name: "set_reverse_dns",
                title: "Set reverse DNS",
                description: "Change the host name a public IP resolves back to.",
            },
        ],
    },
    Group {
        name: "private_network",
        title: "Private networks",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See private networks",
                description: "List private networks and the servers in them.",
            },
            Flag {
                name: "create",
                title: "Create private networks",
                description: "Create new private networks.",
            },
            Flag {
                name: "delete",
                title: "Delete private networks",
                description: "Delete private networks for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename private networks",
                description: "Change a private network's name.",
            },
            Flag {
                name: "set_description",
                title: "Change private network descriptions",
                description: "Change the free-text description of a private network.",
            },
            Flag {
                name: "set_network_info",
                title: "Change private network addresses",
                description: "Change a private network's address range and subnet mask.",
            },
            Flag {
                name: "manage_attached_servers",
                title: "Attach servers to private networks",
                description: "Connect servers to a private network, or disconnect them.",
            },
        ],
    },
    Group {
        name: "vpn",
        title: "VPNs",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See VPNs",
                description: "List VPNs and open their details.",
            },
            Flag {
                name: "create",
                title: "Create VPNs",
                description: "Create new VPNs.",
            },
            Flag {
                name: "delete",
                title: "Delete VPNs",
                description: "Delete VPNs for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename VPNs",
                description: "Change a VPN's name.",
            },
            Flag {
                name: "set_description",
                title: "Change VPN descriptions",
                description: "Change the free-text description of a VPN.",
            },
            Flag {
                name: "download_file",
                title: "Download VPN configurations",
                description: "Download the file that connects a computer to a VPN.",
            },
        ],
    },
    Group {
        name: "monitoring_center",
        title: "Monitoring center",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            title: "See the monitoring center",
            description: "See monitored servers, their usage and their alerts.",
        }],
    },
    Group {
        name: "monitoring_policies",
        title: "Monitoring policies",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See monitoring policies",
                description: "List monitoring policies and their alerts.",
            },
            Flag {
                name: "create",
                title: "Create monitoring policies",
                description: "Create new monitoring policies.",
            },
            Flag {
                name: "delete",
                title: "Delete monitoring policies",
                description: "Delete monitoring policies for good.",
            },
            Flag {
                name: "set_name",
                title: "Rename monitoring policies",
                description: "Change a monitoring policy's name.",
            },
            Flag {
                name: "set_description",
                title: "Change monitoring policy descriptions",
                description: "Change the free-text description of a monitoring policy.",
            },
            Flag {
                name: "set_email",
                title: "Change the alert email",
                description: "Change the address a monitoring policy sends its alerts to.",
            },
            Flag {
                name: "modify_resources",
                title: "Change alert thresholds",
                description: "Change the processor, memory, disk, transfer and ping levels that raise an alert.",
            },
            Flag {
                name: "manage_ports",
                title: "Manage port alerts",
                description: "Add and remove the ports a monitoring policy watches.",
            },
            Flag {
                name: "manage_processes",
                title: "Manage process alerts",
                description: "Add and remove the processes a monitoring policy watches.",
            },
            Flag {
                name: "manage_attached_servers",
                title: "Attach servers to monitoring policies",
                description: "Put servers under a monitoring policy, or take them off it.",
            },
            Flag {
                name: "clone",
                title: "Clone monitoring policies",
                description: "Create a copy of a monitoring policy.",
            },
        ],
    },
    Group {
        name: "backups",
        title: "Backups",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See backup accounts",
                description: "List the account's backup accounts.",
            },
            Flag {
                name: "create",
                title: "Create backup accounts",
                description: "Create new backup accounts.",
            },
            Flag {
                name: "delete",
                title: "Delete backup accounts",
                description: "Delete backup accounts and the backups in them.",
            },
        ],
    },
    Group {
        name: "logs",
        title: "Logs",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            title: "See logs",
            description: "Read the Cloud Panel's own record of what was done in the account.",
        }],
    },
    Group {
        name: "users",
        title: "Cloud Panel users",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See Cloud Panel users",
                description: "List the users of the Cloud Panel account (not the members of this organisation).",
            },
            Flag {
                name: "create",
                title: "Create Cloud Panel users",
                description: "Create new users in the Cloud Panel account.",
            },
            Flag {
                name: "delete",
                title: "Delete Cloud Panel users",
                description: "Delete users of the Cloud Panel account.",
            },
            Flag {
                name: "set_description",
                title: "Change Cloud Panel user descriptions",
                description: "Change the free-text description of a Cloud Panel user.",
            },
            Flag {
                name: "set_email",
                title: "Change Cloud Panel user emails",
                description: "Change the email address of a Cloud Panel user.",
            },
            Flag {
                name: "set_password",
                title: "Change Cloud Panel user passwords",
                description: "Set a new password for a Cloud Panel user.",
            },
            Flag {
                name: "manage_api",
                title: "Manage Cloud Panel API access",
                description: "Turn a user's API access on or off, renew API keys and set the IPs allowed to use them.",
            },
            Flag {
                name: "enable",
                title: "Enable Cloud Panel users",
                description: "Let a disabled Cloud Panel user sign in again.",
            },
            Flag {
                name: "disable",
                title: "Disable Cloud Panel users",
                description: "Stop a Cloud Panel user from signing in.",
            },
            Flag {
                name: "change_role",
                title: "Change Cloud Panel user roles",
                description: "Give a Cloud Panel user another role.",
            },
        ],
    },
    Group {
        name: "roles",
        title: "Cloud Panel roles",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                title: "See Cloud Panel roles",
                description: "List the roles of the Cloud Panel account (not the roles on this page).",
            },
            Flag {
                name: "create",
                title: "Create Cloud Panel roles",
                description: "Create new roles in the Cloud Panel account.",
            },
            Flag {
                name: "delete",
                title: "Delete Cloud Panel roles",
                description: "Delete roles of the Cloud Panel account.",
            },
            Flag {
                name: "set_name",
                title: "Rename Cloud Panel roles",
                description: "Change a Cloud Panel role's name.",
            },
            Flag {
                name: "set_description",
                title: "Change Cloud Panel role descriptions",
                description: "Change the free-text description of a Cloud Panel role.",
            },
            Flag {
                name: "manage_users",
                title: "Assign Cloud Panel roles",
                description: "Choose which Cloud Panel users hold a role.",
            },
            Flag {
                name: "modify",
                title: "Change Cloud Panel role permissions",
                description: "Change what a Cloud Panel role allows.",
            },
            Flag {
                name: "clone",
                title: "Clone Cloud Panel roles",
                description: "Create a copy of a Cloud Panel role.",
            },
        ],
    },
    Group {
        name: "usages",
        title: "Usage",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            title: "See usage",
            description: "See how much of each resource the account used over a period.",
        }],
    },
    Group {
        name: "interactive_invoices",
        title: "Invoices",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            title: "See invoices",
            description: "Read the account's interactive invoices.",
        }],
    },
    Group {
        name: "block_storages",
        title: "Block storages",
        source: Source::Panel,
        flags: &[
            Flag {
                name: "show",
                title: "See block storages",
                description: "List block storages and the servers they are attached to.",
            },
            Flag {
                name: "create",
                title: "Create block storages",
                description: "Create new block storages.",
            },
            Flag {
                name: "delete",
                title: "Delete block storages",
                description: "Delete block storages and the data on them.",
            },
            Flag {
                name: "set_name",
                title: "Rename block storages",
                description: "Change a block storage's name.",
            },
            Flag {
                name: "set_description",
                title: "Change block storage descriptions",
                description: "Change the free-text description of a block storage.",
            },
            Flag {
                name: "manage_attached_server",
                title: "Attach block storages to servers",
                description: "Attach a block storage to a server, or detach it.",
            },
        ],
    },
    Group {
        name: "ssh_keys",
        title: "SSH keys",
        source: Source::Panel,
        flags: &[
            Flag {
                name: "show",
                title: "See SSH keys",
                description: "List the SSH keys stored in the account.",
            },
            Flag {
                name: "create",
                title: "Add SSH keys",
                description: "Store new SSH keys to install on servers.",
            },
            Flag {
                name: "delete",
                title: "Delete SSH keys",
                description: "Delete stored SSH keys.",
            },
            Flag {
                name: "set_name",
                title: "Rename SSH keys",
                description: "Change an SSH key's name.",
            },
            Flag {
                name: "set_description",
                title: "Change SSH key descriptions",
                description: "Change the free-text description of an SSH key.",
            },
        ],
    },
    Group {
        name: "e2e_nodes",
        title: "E2E Networks nodes",
        source: Source::E2e,
        flags: &[
            Flag {
                name: "show",
                title: "See E2E nodes",
                description: "List E2E Networks nodes, open their details, and see the image categories and plans.",
            },
            Flag {
                name: "create",
                title: "Create E2E nodes",
                description: "Create nodes from an image and a plan, with the account's SSH keys.",
            },
            Flag {
                name: "power",
                title: "Power E2E nodes on and off",
                description: "Power nodes on, power them off and reboot them.",
            },
            Flag {
                name: "rename",
                title: "Rename E2E nodes",
                description: "Change a node's name.",
            },
            Flag {
                name: "delete",
                title: "Delete E2E nodes",
                description: "Delete nodes and their disks for good.",
            },
            Flag {
                name: "plan",
                title: "Change E2E committed plans",
                description: "Choose what happens when a committed node's period ends: renew, delete or bill by the hour.",
            },
            Flag {
                name: "reinstall",
                title: "Reinstall E2E nodes",
                description: "Reinstall a node's operating system, erasing its disk.",
            },
            Flag {
                name: "backups",
                title: "Turn E2E backups on and off",
                description: "Enable or disable automated backups of a node.",
            },
            Flag {
                name: "lock",
                title: "Lock and unlock E2E nodes",
                description: "Lock a node against every action, and unlock it.",
            },
        ],
    },
    Group {
        name: "e2e_images",
        title: "E2E Networks saved images",
        source: Source::E2e,
        flags: &[
            Flag {
                name: "show",
                title: "See E2E saved images",
                description: "List the saved images of E2E Networks nodes.",
            },
            Flag {
                name: "save",
                title: "Save E2E node images",
                description: "Save a powered-off node's disk as an image.",
            },
            Flag {
                name: "rename",
                title: "Rename E2E saved images",
                description: "Change a saved image's name.",
            },
            Flag {
                name: "delete",
                title: "Delete E2E saved images",
                description: "Delete saved images for good.",
            },
        ],
    },
    Group {
        name: "organisation",
        title: "Organisation",
        source: Source::Panel,
        flags: &[
            Flag {
                name: "manage_members",
                title: "Manage members",
                description: "Invite people, change members' roles and remove members.",
            },
            Flag {
                name: "manage_roles",
                title: "Manage roles",
                description: "Create, edit, clone and delete this organisation's roles.",
            },
            Flag {
                name: "manage_cloud_accounts",
                title: "Manage cloud accounts",
                description: "Add cloud accounts, replace their API tokens, rename and remove them.",
            },
            Flag {
                name: "manage_webhooks",
                title: "Manage webhooks",
                description: "Add, change and delete the endpoints the organisation's events are posted to, see their secrets once, read their delivery logs and redeliver by hand.",
            },
            Flag {
                name: "view_audit",
                title: "Read the audit log",
                description: "See who changed what, when, and with what result.",
            },
            Flag {
                name: "export_audit",
                title: "Export the audit log",
                description: "Download the audit log as CSV or JSON.",
            },
            Flag {
                name: "approve_deletes",
                title: "Approve deletions",
                description: "Approve or reject another member's request to delete anything, where the organisation holds deletions for a second member's approval.",
            },
            Flag {
                name: "approve_reinstalls",
                title: "Approve reinstalls",
                description: "Approve or reject another member's request to reinstall a server or node, where the organisation holds reinstalls for approval.",
            },
            Flag {
                name: "approve_restores",
                title: "Approve snapshot restores",
                description: "Approve or reject another member's request to restore a server's snapshot, where the organisation holds restores for approval.",
            },
            Flag {
                name: "approve_open_rules",
                title: "Approve rules open to everyone",
                description: "Approve or reject another member's request for a firewall rule open to every source, where the organisation holds such rules for approval.",
            },
            Flag {
                name: "approve_token_changes",
                title: "Approve token changes",
                description: "Approve or reject another member's request to replace a cloud account's token, where the organisation holds token changes for approval.",
            },
            Flag {
                name: "approve_access_changes",
                title: "Approve access changes",
                description: "Approve or reject another member's request to invite someone, change a member's role, end, scope or membership, or change or delete a role, where the organisation holds access changes for approval.",
            },
        ],
    },
];
