//! A constant for every permission of the vocabulary: `perms::SERVERS_SHUTDOWN`.

use super::Permission;

pub const SERVERS_SHOW: Permission = Permission::known("servers", "show");
pub const SERVERS_CREATE: Permission = Permission::known("servers", "create");
pub const SERVERS_DELETE: Permission = Permission::known("servers", "delete");
pub const SERVERS_SET_NAME: Permission = Permission::known("servers", "set_name");
pub const SERVERS_SET_DESCRIPTION: Permission = Permission::known("servers", "set_description");
pub const SERVERS_START: Permission = Permission::known("servers", "start");
pub const SERVERS_RESTART: Permission = Permission::known("servers", "restart");
pub const SERVERS_SHUTDOWN: Permission = Permission::known("servers", "shutdown");
pub const SERVERS_RESIZE: Permission = Permission::known("servers", "resize");
pub const SERVERS_REINSTALL: Permission = Permission::known("servers", "reinstall");
pub const SERVERS_CLONE: Permission = Permission::known("servers", "clone");
pub const SERVERS_MANAGE_SNAPSHOT: Permission = Permission::known("servers", "manage_snapshot");
pub const SERVERS_ASSIGN_IP: Permission = Permission::known("servers", "assign_ip");
pub const SERVERS_MANAGE_DVD: Permission = Permission::known("servers", "manage_dvd");
pub const SERVERS_ACCESS_KVM_CONSOLE: Permission =
    Permission::known("servers", "access_kvm_console");
pub const IMAGES_SHOW: Permission = Permission::known("images", "show");
pub const IMAGES_CREATE: Permission = Permission::known("images", "create");
pub const IMAGES_DELETE: Permission = Permission::known("images", "delete");
pub const IMAGES_SET_NAME: Permission = Permission::known("images", "set_name");
pub const IMAGES_SET_DESCRIPTION: Permission = Permission::known("images", "set_description");
pub const IMAGES_DISABLE_AUTOMATIC_CREATION: Permission =
    Permission::known("images", "disable_automatic_creation");
pub const SHARED_STORAGES_SHOW: Permission = Permission::known("shared_storages", "show");
pub const SHARED_STORAGES_CREATE: Permission = Permission::known("shared_storages", "create");
pub const SHARED_STORAGES_DELETE: Permission = Permission::known("shared_storages", "delete");
pub const SHARED_STORAGES_SET_NAME: Permission = Permission::known("shared_storages", "set_name");
pub const SHARED_STORAGES_SET_DESCRIPTION: Permission =
    Permission::known("shared_storages", "set_description");
pub const SHARED_STORAGES_MANAGE_ATTACHED_SERVERS: Permission =
    Permission::known("shared_storages", "manage_attached_servers");
pub const SHARED_STORAGES_ACCESS: Permission = Permission::known("shared_storages", "access");
pub const SHARED_STORAGES_RESIZE: Permission = Permission::known("shared_storages", "resize");
pub const FIREWALL_POLICIES_SHOW: Permission = Permission::known("firewall_policies", "show");
pub const FIREWALL_POLICIES_CREATE: Permission = Permission::known("firewall_policies", "create");
pub const FIREWALL_POLICIES_DELETE: Permission = Permission::known("firewall_policies", "delete");
pub const FIREWALL_POLICIES_SET_NAME: Permission =
    Permission::known("firewall_policies", "set_name");
pub const FIREWALL_POLICIES_SET_DESCRIPTION: Permission =
    Permission::known("firewall_policies", "set_description");
pub const FIREWALL_POLICIES_MANAGE_RULES: Permission =
    Permission::known("firewall_policies", "manage_rules");
pub const FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS: Permission =
    Permission::known("firewall_policies", "manage_attached_server_ips");
pub const FIREWALL_POLICIES_CLONE: Permission = Permission::known("firewall_policies", "clone");
pub const LOAD_BALANCERS_SHOW: Permission = Permission::known("load_balancers", "show");
pub const LOAD_BALANCERS_CREATE: Permission = Permission::known("load_balancers", "create");
pub const LOAD_BALANCERS_DELETE: Permission = Permission::known("load_balancers", "delete");
pub const LOAD_BALANCERS_SET_NAME: Permission = Permission::known("load_balancers", "set_name");
pub const LOAD_BALANCERS_SET_DESCRIPTION: Permission =
    Permission::known("load_balancers", "set_description");
pub const LOAD_BALANCERS_MANAGE_RULES: Permission =
    Permission::known("load_balancers", "manage_rules");
pub const LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS: Permission =
    Permission::known("load_balancers", "manage_attached_server_ips");
pub const LOAD_BALANCERS_MODIFY: Permission = Permission::known("load_balancers", "modify");
pub const PUBLIC_IPS_SHOW: Permission = Permission::known("public_ips", "show");
pub const PUBLIC_IPS_CREATE: Permission = Permission::known("public_ips", "create");
pub const PUBLIC_IPS_DELETE: Permission = Permission::known("public_ips", "delete");
pub const PUBLIC_IPS_RELEASE: Permission = Permission::known("public_ips", "release");
pub const PUBLIC_IPS_SET_REVERSE_DNS: Permission =
    Permission::known("public_ips", "set_reverse_dns");
pub const PRIVATE_NETWORK_SHOW: Permission = Permission::known("private_network", "show");
pub const PRIVATE_NETWORK_CREATE: Permission = Permission::known("private_network", "create");
pub const PRIVATE_NETWORK_DELETE: Permission = Permission::known("private_network", "delete");
pub const PRIVATE_NETWORK_SET_NAME: Permission = Permission::known("private_network", "set_name");
pub const PRIVATE_NETWORK_SET_DESCRIPTION: Permission =
    Permission::known("private_network", "set_description");
pub const PRIVATE_NETWORK_SET_NETWORK_INFO: Permission =
    Permission::known("private_network", "set_network_info");
pub const PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS: Permission =
    Permission::known("private_network", "manage_attached_servers");
pub const VPN_SHOW: Permission = Permission::known("vpn", "show");
pub const VPN_CREATE: Permission = Permission::known("vpn", "create");
pub const VPN_DELETE: Permission = Permission::known("vpn", "delete");
pub const VPN_SET_NAME: Permission = Permission::known("vpn", "set_name");
pub const VPN_SET_DESCRIPTION: Permission = Permission::known("vpn", "set_description");
pub const VPN_DOWNLOAD_FILE: Permission = Permission::known("vpn", "download_file");
pub const MONITORING_CENTER_SHOW: Permission = Permission::known("monitoring_center", "show");
pub const MONITORING_POLICIES_SHOW: Permission = Permission::known("monitoring_policies", "show");
pub const MONITORING_POLICIES_CREATE: Permission =
    Permission::known("monitoring_policies", "create");
pub const MONITORING_POLICIES_DELETE: Permission =
    Permission::known("monitoring_policies", "delete");
pub const MONITORING_POLICIES_SET_NAME: Permission =
    Permission::known("monitoring_policies", "set_name");
pub const MONITORING_POLICIES_SET_DESCRIPTION: Permission =
    Permission::known("monitoring_policies", "set_description");
pub const MONITORING_POLICIES_SET_EMAIL: Permission =
    Permission::known("monitoring_policies", "set_email");
pub const MONITORING_POLICIES_MODIFY_RESOURCES: Permission =
    Permission::known("monitoring_policies", "modify_resources");
pub const MONITORING_POLICIES_MANAGE_PORTS: Permission =
    Permission::known("monitoring_policies", "manage_ports");
pub const MONITORING_POLICIES_MANAGE_PROCESSES: Permission =
    Permission::known("monitoring_policies", "manage_processes");
pub const MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS: Permission =
    Permission::known("monitoring_policies", "manage_attached_servers");
pub const MONITORING_POLICIES_CLONE: Permission = Permission::known("monitoring_policies", "clone");
pub const BACKUPS_SHOW: Permission = Permission::known("backups", "show");
pub const BACKUPS_CREATE: Permission = Permission::known("backups", "create");
pub const BACKUPS_DELETE: Permission = Permission::known("backups", "delete");
pub const LOGS_SHOW: Permission = Permission::known("logs", "show");
pub const USERS_SHOW: Permission = Permission::known("users", "show");
pub const USERS_CREATE: Permission = Permission::known("users", "create");
pub const USERS_DELETE: Permission = Permission::known("users", "delete");
pub const USERS_SET_DESCRIPTION: Permission = Permission::known("users", "set_description");
pub const USERS_SET_EMAIL: Permission = Permission::known("users", "set_email");
pub const USERS_SET_PASSWORD: Permission = Permission::known("users", "set_password");
pub const USERS_MANAGE_API: Permission = Permission::known("users", "manage_api");
pub const USERS_ENABLE: Permission = Permission::known("users", "enable");
pub const USERS_DISABLE: Permission = Permission::known("users", "disable");
pub const USERS_CHANGE_ROLE: Permission = Permission::known("users", "change_role");
pub const ROLES_SHOW: Permission = Permission::known("roles", "show");
pub const ROLES_CREATE: Permission = Permission::known("roles", "create");
pub const ROLES_DELETE: Permission = Permission::known("roles", "delete");
pub const ROLES_SET_NAME: Permission = Permission::known("roles", "set_name");
pub const ROLES_SET_DESCRIPTION: Permission = Permission::known("roles", "set_description");
pub const ROLES_MANAGE_USERS: Permission = Permission::known("roles", "manage_users");
pub const ROLES_MODIFY: Permission = Permission::known("roles", "modify");
pub const ROLES_CLONE: Permission = Permission::known("roles", "clone");
pub const USAGES_SHOW: Permission = Permission::known("usages", "show");
pub const INTERACTIVE_INVOICES_SHOW: Permission = Permission::known("interactive_invoices", "show");
pub const BLOCK_STORAGES_SHOW: Permission = Permission::known("block_storages", "show");
pub const BLOCK_STORAGES_CREATE: Permission = Permission::known("block_storages", "create");
pub const BLOCK_STORAGES_DELETE: Permission = Permission::known("block_storages", "delete");
pub const BLOCK_STORAGES_SET_NAME: Permission = Permission::known("block_storages", "set_name");
pub const BLOCK_STORAGES_SET_DESCRIPTION: Permission =
    Permission::known("block_storages", "set_description");
pub const BLOCK_STORAGES_MANAGE_ATTACHED_SERVER: Permission =
    Permission::known("block_storages", "manage_attached_server");
pub const SSH_KEYS_SHOW: Permission = Permission::known("ssh_keys", "show");
pub const SSH_KEYS_CREATE: Permission = Permission::known("ssh_keys", "create");
pub const SSH_KEYS_DELETE: Permission = Permission::known("ssh_keys", "delete");
pub const SSH_KEYS_SET_NAME: Permission = Permission::known("ssh_keys", "set_name");
pub const SSH_KEYS_SET_DESCRIPTION: Permission = Permission::known("ssh_keys", "set_description");
// E2E Networks
pub const E2E_NODES_SHOW: Permission = Permission::known("e2e_nodes", "show");
pub const E2E_NODES_CREATE: Permission = Permission::known("e2e_nodes", "create");
pub const E2E_NODES_POWER: Permission = Permission::known("e2e_nodes", "power");
pub const E2E_NODES_RENAME: Permission = Permission::known("e2e_nodes", "rename");
pub const E2E_NODES_DELETE: Permission = Permission::known("e2e_nodes", "delete");
pub const E2E_NODES_PLAN: Permission = Permission::known("e2e_nodes", "plan");
pub const E2E_NODES_REINSTALL: Permission = Permission::known("e2e_nodes", "reinstall");
pub const E2E_NODES_BACKUPS: Permission = Permission::known("e2e_nodes", "backups");
pub const E2E_NODES_LOCK: Permission = Permission::known("e2e_nodes", "lock");
pub const E2E_IMAGES_SHOW: Permission = Permission::known("e2e_images", "show");
pub const E2E_IMAGES_SAVE: Permission = Permission::known("e2e_images", "save");
pub const E2E_IMAGES_RENAME: Permission = Permission::known("e2e_images", "rename");
pub const E2E_IMAGES_DELETE: Permission = Permission::known("e2e_images", "delete");

pub const ORGANISATION_MANAGE_MEMBERS: Permission =
    Permission::known("organisation", "manage_members");
pub const ORGANISATION_MANAGE_ROLES: Permission = Permission::known("organisation", "manage_roles");
pub const ORGANISATION_MANAGE_CLOUD_ACCOUNTS: Permission =
    Permission::known("organisation", "manage_cloud_accounts");
pub const ORGANISATION_MANAGE_WEBHOOKS: Permission =
    Permission::known("organisation", "manage_webhooks");
pub const ORGANISATION_VIEW_AUDIT: Permission = Permission::known("organisation", "view_audit");
pub const ORGANISATION_EXPORT_AUDIT: Permission = Permission::known("organisation", "export_audit");
pub const ORGANISATION_APPROVE_DELETES: Permission =
    Permission::known("organisation", "approve_deletes");
pub const ORGANISATION_APPROVE_REINSTALLS: Permission =
    Permission::known("organisation", "approve_reinstalls");
pub const ORGANISATION_APPROVE_RESTORES: Permission =
    Permission::known("organisation", "approve_restores");
pub const ORGANISATION_APPROVE_OPEN_RULES: Permission =
    Permission::known("organisation", "approve_open_rules");
pub const ORGANISATION_APPROVE_TOKEN_CHANGES: Permission =
    Permission::known("organisation", "approve_token_changes");
pub const ORGANISATION_APPROVE_ACCESS_CHANGES: Permission =
    Permission::known("organisation", "approve_access_changes");

/// Every constant above, in vocabulary order.
pub const ALL: &[Permission] = &[
    SERVERS_SHOW,
    SERVERS_CREATE,
    SERVERS_DELETE,
    SERVERS_SET_NAME,
    SERVERS_SET_DESCRIPTION,
    SERVERS_START,
    SERVERS_RESTART,
    SERVERS_SHUTDOWN,
    SERVERS_RESIZE,
    SERVERS_REINSTALL,
    SERVERS_CLONE,
    SERVERS_MANAGE_SNAPSHOT,
    SERVERS_ASSIGN_IP,
    SERVERS_MANAGE_DVD,
    SERVERS_ACCESS_KVM_CONSOLE,
    IMAGES_SHOW,
    IMAGES_CREATE,
    IMAGES_DELETE,
    IMAGES_SET_NAME,
    IMAGES_SET_DESCRIPTION,
    IMAGES_DISABLE_AUTOMATIC_CREATION,
    SHARED_STORAGES_SHOW,
    SHARED_STORAGES_CREATE,
    SHARED_STORAGES_DELETE,
    SHARED_STORAGES_SET_NAME,
    SHARED_STORAGES_SET_DESCRIPTION,
    SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
    SHARED_STORAGES_ACCESS,
    SHARED_STORAGES_RESIZE,
    FIREWALL_POLICIES_SHOW,
    FIREWALL_POLICIES_CREATE,
    FIREWALL_POLICIES_DELETE,
    FIREWALL_POLICIES_SET_NAME,
    FIREWALL_POLICIES_SET_DESCRIPTION,
    FIREWALL_POLICIES_MANAGE_RULES,
    FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
    FIREWALL_POLICIES_CLONE,
    LOAD_BALANCERS_SHOW,
    LOAD_BALANCERS_CREATE,
    LOAD_BALANCERS_DELETE,
    LOAD_BALANCERS_SET_NAME,
    LOAD_BALANCERS_SET_DESCRIPTION,
    LOAD_BALANCERS_MANAGE_RULES,
    LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
    LOAD_BALANCERS_MODIFY,
    PUBLIC_IPS_SHOW,
    PUBLIC_IPS_CREATE,
    PUBLIC_IPS_DELETE,
    PUBLIC_IPS_RELEASE,
    PUBLIC_IPS_SET_REVERSE_DNS,
    PRIVATE_NETWORK_SHOW,
    PRIVATE_NETWORK_CREATE,
    PRIVATE_NETWORK_DELETE,
    PRIVATE_NETWORK_SET_NAME,
    PRIVATE_NETWORK_SET_DESCRIPTION,
    PRIVATE_NETWORK_SET_NETWORK_INFO,
    PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    VPN_SHOW,
    VPN_CREATE,
    VPN_DELETE,
    VPN_SET_NAME,
    VPN_SET_DESCRIPTION,
    VPN_DOWNLOAD_FILE,
    MONITORING_CENTER_SHOW,
    MONITORING_POLICIES_SHOW,
    MONITORING_POLICIES_CREATE,
    MONITORING_POLICIES_DELETE,
    MONITORING_POLICIES_SET_NAME,
    MONITORING_POLICIES_SET_DESCRIPTION,
    MONITORING_POLICIES_SET_EMAIL,
    MONITORING_POLICIES_MODIFY_RESOURCES,
    MONITORING_POLICIES_MANAGE_PORTS,
    MONITORING_POLICIES_MANAGE_PROCESSES,
    MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS,
    MONITORING_POLICIES_CLONE,
    BACKUPS_SHOW,
    BACKUPS_CREATE,
    BACKUPS_DELETE,
    LOGS_SHOW,
    USERS_SHOW,
    USERS_CREATE,
    USERS_DELETE,
    USERS_SET_DESCRIPTION,
    USERS_SET_EMAIL,
    USERS_SET_PASSWORD,
    USERS_MANAGE_API,
    USERS_ENABLE,
    USERS_DISABLE,
    USERS_CHANGE_ROLE,
    ROLES_SHOW,
    ROLES_CREATE,
    ROLES_DELETE,
    ROLES_SET_NAME,
    ROLES_SET_DESCRIPTION,
    ROLES_MANAGE_USERS,
    ROLES_MODIFY,
    ROLES_CLONE,
    USAGES_SHOW,
    INTERACTIVE_INVOICES_SHOW,
    BLOCK_STORAGES_SHOW,
    BLOCK_STORAGES_CREATE,
    BLOCK_STORAGES_DELETE,
    BLOCK_STORAGES_SET_NAME,
    BLOCK_STORAGES_SET_DESCRIPTION,
    BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
    SSH_KEYS_SHOW,
    SSH_KEYS_CREATE,
    SSH_KEYS_DELETE,
    SSH_KEYS_SET_NAME,
    SSH_KEYS_SET_DESCRIPTION,
    E2E_NODES_SHOW,
    E2E_NODES_CREATE,
    E2E_NODES_POWER,
    E2E_NODES_RENAME,
    E2E_NODES_DELETE,
    E2E_NODES_PLAN,
    E2E_NODES_REINSTALL,
    E2E_NODES_BACKUPS,
    E2E_NODES_LOCK,
    E2E_IMAGES_SHOW,
    E2E_IMAGES_SAVE,
    E2E_IMAGES_RENAME,
    E2E_IMAGES_DELETE,
    ORGANISATION_MANAGE_MEMBERS,
    ORGANISATION_MANAGE_ROLES,
    ORGANISATION_MANAGE_CLOUD_ACCOUNTS,
    ORGANISATION_MANAGE_WEBHOOKS,
    ORGANISATION_VIEW_AUDIT,
    ORGANISATION_EXPORT_AUDIT,
    ORGANISATION_APPROVE_DELETES,
    ORGANISATION_APPROVE_REINSTALLS,
    ORGANISATION_APPROVE_RESTORES,
    ORGANISATION_APPROVE_OPEN_RULES,
    ORGANISATION_APPROVE_TOKEN_CHANGES,
    ORGANISATION_APPROVE_ACCESS_CHANGES,
];
