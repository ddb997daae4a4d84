//! What a user does in the browser, one function per step.

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};

use crate::harness::{Panel, mark_page, page_errors, wait_for, wait_for_new_page};
use crate::webdriver::Session;

/// Signs in through the form and waits for the signed-in page.
pub async fn sign_in(session: &Session, panel: &Panel) -> anyhow::Result<()> {
    session.goto(&panel.url("/login")).await?;
    session.fill("#email", panel.email).await?;
    session.fill("#password", &panel.password).await?;
    mark_page(session).await?;
    let submit = session
        .find("form[action='/login'] button[type=submit]")
        .await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the page after signing in").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("signing in failed: {errors}");
    }
    let path = session.current_path().await?;
    ensure!(
        !path.starts_with("/login"),
        "still on the sign-in page ({path}) after signing in"
    );
    session
        .find("form[action='/logout']")
        .await
        .context("no sign-out button after signing in")?;
    Ok(())
}

/// The `data-state` of `#server-status`, read afresh each time (the element
/// is replaced whenever it refreshes itself).
pub async fn server_state(session: &Session) -> anyhow::Result<String> {
    let status = session.find("#server-status").await?;
    session
        .attribute(&status, "data-state")
        .await?
        .context("#server-status has no data-state")
}

/// Sets a marker on the window; it survives only as long as the document does.
pub async fn mark_no_reload(session: &Session) -> anyhow::Result<()> {
    session
        .execute("window.__noReload = 1; return null;", vec![])
        .await?;
    Ok(())
}

pub async fn still_same_document(session: &Session) -> anyhow::Result<bool> {
    let marker = session
        .execute("return window.__noReload === 1;", vec![])
        .await?;
    Ok(marker == Value::Bool(true))
}

/// Stays on the current page, without navigating, until `#server-status`
/// shows `wanted`. Returns every state seen, in order, without repeats.
pub async fn watch_state_until(session: &Session, wanted: &str) -> anyhow::Result<Vec<String>> {
    let path = session.current_path().await?;
    mark_no_reload(session).await?;
    let mut seen: Vec<String> = Vec::new();
    let watched = wait_for(&format!("#server-status to show {wanted}"), async || {
        let state = server_state(session).await?;
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        Ok((state == wanted).then_some(()))
    })
    .await;
    if let Err(err) = watched {
        return Err(err.context(format!("states seen so far: {seen:?}")));
    }
    ensure!(
        still_same_document(session).await?,
        "the page was reloaded while waiting for {wanted} (states seen: {seen:?})"
    );
    let now = session.current_path().await?;
    ensure!(
        now == path,
        "the browser moved from {path} to {now} while waiting for {wanted}"
    );
    Ok(seen)
}

/// The first option with a non-empty value in the select `css`; returns its value.
async fn choose_first(session: &Session, css: &str) -> anyhow::Result<String> {
    session
        .select_option(css, "option:not([value=''])")
        .await
        .with_context(|| format!("choosing in `{css}`"))
}

/// Creates a server through the form. Returns its id, taken from the detail
/// page the browser lands on.
pub async fn create_server(session: &Session, panel: &Panel, name: &str) -> anyhow::Result<String> {
    let list = panel.org_path("/servers");
    session.goto(&panel.url(&list)).await?;
    let new_link = session.find("a#new-server").await?;
    mark_page(session).await?;
    session.click(&new_link).await?;
    wait_for_new_page(session, "the create server form").await?;
    // Every server address names the cloud account it works on.
    let form_path = session.current_path().await?;
    ensure!(
        form_path.starts_with(&format!("{list}/new?account=")),
        "a#new-server led to {form_path}"
    );

    session.find("form#create-server").await?;
    let fixed = session
        .find("form#create-server input[name=hardware_mode][value=fixed]")
        .await?;
    ensure!(
        session.property(&fixed, "checked").await? == Value::Bool(true),
        "the fixed size hardware mode is not the default"
    );
    session.fill("form#create-server #name", name).await?;
    let size = choose_first(session, "#fixed_instance_size_id").await?;
    let size_label = session
        .execute(
            "const s = document.querySelector('#fixed_instance_size_id'); \
             return s.options[s.selectedIndex].text;",
            vec![],
        )
        .await?;
    choose_first(session, "#appliance_id").await?;
    choose_first(session, "#datacenter_id").await?;
    let chosen = session
        .execute(
            "return document.querySelector('#fixed_instance_size_id').value;",
            vec![],
        )
        .await?;
    ensure!(
        chosen == json!(size),
        "size {size} ({size_label}) was clicked but the select holds {chosen}"
    );

    mark_page(session).await?;
    let submit = session
        .find("form#create-server button[type=submit]")
        .await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the page after creating the server").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("creating the server failed: {errors}");
    }
    let path = session.current_path().await?;
    ensure!(
        path.contains("?account="),
        "the server's page does not name its cloud account: {path}"
    );
    let id = path
        .split('?')
        .next()
        .unwrap_or_default()
        .strip_prefix(&format!("{list}/"))
        .filter(|rest| !rest.is_empty() && !rest.contains('/') && *rest != "new")
        .with_context(|| format!("after creating, the browser is at {path}, not a server's page"))?
        .to_owned();
    let flash = session
        .find(".flash-success")
        .await
        .context("no success message after creating the server")?;
    let flash_text = session.text(&flash).await?;
    ensure!(
        !flash_text.trim().is_empty(),
        "the success message is empty"
    );
    Ok(id)
}

/// Powers the server off through the form on its detail page (where the
/// browser is), the graceful way. Returns the success message.
pub async fn power_off(session: &Session) -> anyhow::Result<String> {
    let before = session.current_path().await?;
    // The page loads again by itself once the deployment is over, offering
    // the power actions it held back meanwhile.
    let form = wait_for("the power-off form", async || {
        Ok(Some(session.find("form#power-off").await?))
    })
    .await?;
    let method = session
        .select_option(
            "form#power-off select[name=method]",
            "option[value=SOFTWARE]",
        )
        .await?;
    ensure!(
        method == "SOFTWARE",
        "the SOFTWARE option has value {method}"
    );
    // A destructive form may want the server's name typed first.
    if let Ok(confirm) = session.find_in(&form, "input[data-confirm-name]").await {
        let expected = session
            .attribute(&confirm, "data-confirm-name")
            .await?
            .unwrap_or_default();
        session.send_keys(&confirm, &expected).await?;
    }
    mark_page(session).await?;
    let submit = session.find_in(&form, "button[type=submit]").await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the page after powering off").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("powering off failed: {errors}");
    }
    let after = session.current_path().await?;
    ensure!(
        after == before,
        "after powering off the browser is at {after}, not back at {before}"
    );
    let flash = session
        .find(".flash-success")
        .await
        .context("no success message after powering off")?;
    session.text(&flash).await
}

/// The row of a server in the servers list: (data-state, name).
pub async fn list_row(session: &Session, id: &str) -> anyhow::Result<(String, String)> {
    let mut ids = Vec::new();
    for row in session.find_all("table#servers tr[data-server-id]").await? {
        let row_id = session
            .attribute(&row, "data-server-id")
            .await?
            .unwrap_or_default();
        if row_id != id {
            ids.push(row_id);
            continue;
        }
        let state = session
            .attribute(&row, "data-state")
            .await?
            .context("the server's row has no data-state")?;
        let name = session.find_in(&row, ".server-name").await?;
        return Ok((state, session.text(&name).await?.trim().to_owned()));
    }
    bail!("no row for server {id} in table#servers (rows: {ids:?})")
}

/// One audit log row: (action, outcome, target).
pub type AuditRow = (String, String, String);

pub async fn audit_rows(session: &Session, panel: &Panel) -> anyhow::Result<Vec<AuditRow>> {
    session.goto(&panel.url(&panel.org_path("/audit"))).await?;
    let rows = session
        .execute(
            "const text = (row, css) => { const e = row.querySelector(css); \
               return e ? e.innerText.trim() : ''; }; \
             return [...document.querySelectorAll('table#audit-events tbody tr')] \
               .map(r => [text(r, '.action'), text(r, '.outcome'), text(r, '.target')]);",
            vec![],
        )
        .await?;
    let rows: Vec<AuditRow> =
        serde_json::from_value(rows).context("odd audit rows from the page script")?;
    Ok(rows)
}

/// Whether the audit rows hold `action` with both outcomes, `requested` and
/// `succeeded`.
pub fn has_requested_and_succeeded(rows: &[AuditRow], action: &str) -> bool {
    let has = |outcome: &str| rows.iter().any(|(a, o, _)| a == action && o == outcome);
    has("requested") && has("succeeded")
}

/// A signed-in page to check, and how the browser gets there.
pub struct PageVisit {
    pub name: &'static str,
    pub url: String,
    pub then: Then,
}

/// What is done on the page at `url` to reach the page to check.
pub enum Then {
    /// Nothing: `url` is the page.
    Stay,
    /// The form (a CSS selector) is submitted empty, with the browser's own
    /// validation off, so that the page shows the form's errors.
    SubmitEmpty(&'static str),
    /// Someone is invited, so that the members page shows the invitation link.
    Invite,
    /// The first row of the servers list is ticked and the bulk form's dry
    /// run asked for: the dry run's page (a POST's answer).
    DryRun,
}

/// Every signed-in page of the demo, the organisation's pages included; the
/// addresses of one server and one role are read from their lists.
pub async fn signed_in_pages(session: &Session, panel: &Panel) -> anyhow::Result<Vec<PageVisit>> {
    let servers = panel.url(&panel.org_path("/servers"));
    session.goto(&servers).await?;
    let server = href(session, "table#servers a.server-name").await?;
    let new_server = href(session, "a#new-server").await?;
    let block_storages = panel.url(&panel.org_path("/block_storages"));
    session.goto(&block_storages).await?;
    let block_storage = href(session, "table#block-storages a.storage-name").await?;
    let new_block_storage = href(session, "a#new-block-storage").await?;
    let shared_storages = panel.url(&panel.org_path("/shared_storages"));
    session.goto(&shared_storages).await?;
    let shared_storage = href(session, "table#shared-storages a.storage-name").await?;
    let new_shared_storage = href(session, "a#new-shared-storage").await?;
    let shared_access = href(session, "a#access-link").await?;
    session.goto(&panel.url(&panel.org_path("/roles"))).await?;
    let role = href(
        session,
        &format!("main table a[href^='{}']", panel.org_path("/roles/")),
    )
    .await?;
    let policies = panel.url(&panel.org_path("/firewall_policies"));
    session.goto(&policies).await?;
    let policy = href(
        session,
        "table#firewall-policies a.policy-name[data-name='web']",
    )
    .await?;
    let new_policy = href(session, "a#new-firewall-policy").await?;
    let balancers = panel.url(&panel.org_path("/load_balancers"));
    session.goto(&balancers).await?;
    let balancer = href(session, "table#load-balancers a.balancer-name").await?;
    let new_balancer = href(session, "a#new-load-balancer").await?;
    let networks = panel.url(&panel.org_path("/private_networks"));
    session.goto(&networks).await?;
    let network = href(session, "table#private-networks a.network-name").await?;
    let new_network = href(session, "a#new-private-network").await?;
    let ips = panel.url(&panel.org_path("/public_ips"));
    session.goto(&ips).await?;
    let ip = href(session, "table#public-ips a.ip-address").await?;
    let new_ip = href(session, "a#new-public-ip").await?;
    let vpns = panel.url(&panel.org_path("/vpns"));
    session.goto(&vpns).await?;
    let vpn = href(session, "table#vpns a.vpn-name[data-name='office']").await?;
    let new_vpn = href(session, "a#new-vpn").await?;
    let catalogue = panel.url(&panel.org_path("/catalogue"));
    let appliances = panel.url(&panel.org_path("/catalogue/server_appliances"));
    session.goto(&appliances).await?;
    let appliance = href(
        session,
        "table#server-appliances a.item-name[data-name='ubuntu2204-64std']",
    )
    .await?;
    let images = panel.url(&panel.org_path("/images"));
    session.goto(&images).await?;
    let image = href(session, "table#images a.image-name").await?;
    let new_image = href(session, "a#new-image").await?;
    let ssh_keys = panel.url(&panel.org_path("/ssh_keys"));
    session.goto(&ssh_keys).await?;
    let ssh_key = href(
        session,
        "table#ssh-keys a.ssh-key-name[data-name='deploy-key']",
    )
    .await?;
    let new_ssh_key = href(session, "a#new-ssh-key").await?;
    let cloud_roles = panel.url(&panel.org_path("/cloud_roles"));
    session.goto(&cloud_roles).await?;
    let cloud_role = href(
        session,
        "table#cloud-roles a.cloud-role-name[data-name='Administrator']",
    )
    .await?;
    let new_cloud_role = href(session, "a#new-cloud-role").await?;
    let logs = panel.url(&panel.org_path("/logs?period=LAST_HOUR"));
    let log = logged_change(session, &server, &logs).await?;
    let members = panel.url(&panel.org_path("/members"));
    let monitoring = panel.url(&panel.org_path("/monitoring"));
    session.goto(&monitoring).await?;
    let server_monitoring = href(session, "table#monitored-servers a.server-name").await?;
    let monitoring_policies = panel.url(&panel.org_path("/monitoring_policies"));
    session.goto(&monitoring_policies).await?;
    let monitoring_policy = href(session, "table#monitoring-policies a.policy-name").await?;
    let new_monitoring_policy = href(session, "a#new-monitoring-policy").await?;
    let e2e_nodes = panel.url(&panel.org_path("/e2e_nodes"));
    session.goto(&e2e_nodes).await?;
    let e2e_node = href(session, "table#e2e-nodes a.node-name[data-name='web-1']").await?;
    let e2e_catalogue = panel.url(&panel.org_path("/e2e_catalogue"));
    session.goto(&e2e_catalogue).await?;
    let e2e_image_plans = href(session, "section#images li a").await?;
    session.goto(&e2e_image_plans).await?;
    // The create page's second step: the chosen image's plans.
    let new_e2e_node = href(session, "a#new-node").await?;
    let e2e_images = panel.url(&panel.org_path("/e2e_images"));
    session.goto(&e2e_images).await?;
    let e2e_image = href(session, "table#e2e-images a.image-name").await?;
    let webhooks = panel.url(&panel.org_path("/webhooks"));
    let webhook = added_webhook(session, &webhooks).await?;
    let schedules = panel.url(&panel.org_path("/schedules"));
    let schedule = made_schedule(session, &schedules).await?;
    let page = |name, url: String| PageVisit {
        name,
        url,
        then: Then::Stay,
    };
    Ok(vec![
        page("home", panel.url("/")),
        page("account", panel.url("/profile")),
        page("two-factor set-up", panel.url("/profile/two-factor")),
        page("API reference", panel.url("/profile/api")),
        page(
            "organisation API tokens",
            panel.url(&panel.org_path("/api_tokens")),
        ),
        page("admin", panel.url("/admin")),
        page("admin audit", panel.url("/admin/audit")),
        page("org home", panel.url(&panel.org_path("/"))),
        page("servers", servers.clone()),
        page("server detail", server),
        page("create server", new_server.clone()),
        PageVisit {
            name: "create server error",
            url: new_server,
            then: Then::SubmitEmpty("form#create-server"),
        },
        page("block storages", block_storages),
        page("block storage detail", block_storage),
        page("create block storage", new_block_storage.clone()),
        PageVisit {
            name: "create block storage error",
            url: new_block_storage,
            then: Then::SubmitEmpty("form#create-block-storage"),
        },
        page("shared storages", shared_storages),
        page("shared storage detail", shared_storage),
        page("create shared storage", new_shared_storage.clone()),
        PageVisit {
            name: "create shared storage error",
            url: new_shared_storage,
            then: Then::SubmitEmpty("form#create-shared-storage"),
        },
        page("shared storage access", shared_access.clone()),
        PageVisit {
            name: "shared storage access error",
            url: shared_access,
            then: Then::SubmitEmpty("form#access-password"),
        },
        page("firewall policies", policies),
        page("firewall policy detail", policy),
        page("create firewall policy", new_policy.clone()),
        PageVisit {
            name: "create firewall policy error",
            url: new_policy,
            then: Then::SubmitEmpty("form#create-firewall-policy"),
        },
        page("load balancers", balancers),
        page("load balancer detail", balancer),
        page("create load balancer", new_balancer.clone()),
        PageVisit {
            name: "create load balancer error",
            url: new_balancer,
            then: Then::SubmitEmpty("form#create-load-balancer"),
        },
        page("private networks", networks),
        page("private network detail", network),
        page("create private network", new_network.clone()),
        PageVisit {
            name: "create private network error",
            url: new_network,
            then: Then::SubmitEmpty("form#network-form"),
        },
        page("public IPs", ips),
        page("public IP detail", ip),
        page("create public IP", new_ip),
        page("VPNs", vpns),
        page("VPN detail", vpn),
        page("create VPN", new_vpn.clone()),
        PageVisit {
            name: "create VPN error",
            url: new_vpn,
            then: Then::SubmitEmpty("form#vpn-form"),
        },
        page("catalogue", catalogue),
        page("server appliances", appliances),
        page("server appliance detail", appliance),
        page("images", images),
        page("image detail", image),
        page("create image", new_image.clone()),
        PageVisit {
            name: "create image error",
            url: new_image,
            then: Then::SubmitEmpty("form#image-form"),
        },
        page("SSH keys", ssh_keys),
        page("SSH key detail", ssh_key),
        page("create SSH key", new_ssh_key.clone()),
        PageVisit {
            name: "create SSH key error",
            url: new_ssh_key,
            then: Then::SubmitEmpty("form#ssh-key-form"),
        },
        page("Cloud roles", cloud_roles),
        page("Cloud role detail", cloud_role),
        PageVisit {
            name: "create Cloud role error",
            url: new_cloud_role,
            then: Then::SubmitEmpty("form#cloud-role-form"),
        },
        page("Cloud Panel logs", logs),
        page("Cloud Panel log detail", log),
        page(
            "usages",
            panel.url(&panel.org_path("/usage?period=LAST_24H")),
        ),
        page(
            "usages custom range error",
            panel.url(&panel.org_path(
                "/usage?period=CUSTOM&start_date=2025-05-02T10:00&end_date=2025-05-01T10:00",
            )),
        ),
        page("pricing", panel.url(&panel.org_path("/usage/pricing"))),
        page("cost estimate", panel.url(&panel.org_path("/usage/costs"))),
        page("monitoring", monitoring),
        page("server monitoring", server_monitoring),
        page("monitoring policies", monitoring_policies),
        page("monitoring policy detail", monitoring_policy),
        page("create monitoring policy", new_monitoring_policy.clone()),
        PageVisit {
            name: "create monitoring policy error",
            url: new_monitoring_policy,
            then: Then::SubmitEmpty("form#create-monitoring-policy"),
        },
        page("E2E nodes", e2e_nodes),
        page("E2E node detail", e2e_node),
        page(
            "create E2E node",
            panel.url(&panel.org_path("/e2e_nodes/new")),
        ),
        page("create E2E node plans", new_e2e_node.clone()),
        PageVisit {
            name: "create E2E node error",
            url: new_e2e_node,
            then: Then::SubmitEmpty("form#create-node"),
        },
        page("E2E saved images", e2e_images),
        page("E2E saved image detail", e2e_image),
        page("E2E catalogue", e2e_catalogue),
        page("E2E plans of an image", e2e_image_plans),
        page("members", members.clone()),
        PageVisit {
            name: "members invite link",
            url: members,
            then: Then::Invite,
        },
        page("roles", panel.url(&panel.org_path("/roles"))),
        page("role edit", role),
        page(
            "cloud accounts",
            panel.url(&panel.org_path("/cloud_accounts")),
        ),
        page("webhooks", webhooks.clone()),
        PageVisit {
            name: "webhooks add error",
            url: webhooks,
            then: Then::SubmitEmpty("form#add-webhook"),
        },
        page("webhook detail", webhook),
        PageVisit {
            name: "bulk dry run",
            url: servers.clone(),
            then: Then::DryRun,
        },
        page("bulk runs", panel.url(&panel.org_path("/bulk"))),
        page("schedules", schedules.clone()),
        PageVisit {
            name: "schedules add error",
            url: schedules,
            then: Then::SubmitEmpty("form#new-schedule"),
        },
        page("schedule detail", schedule),
        page("audit", panel.url(&panel.org_path("/audit"))),
    ])
}

/// Makes a schedule through its form (the form's defaults: weekdays at
/// 20:00, running servers); the address of its page.
async fn made_schedule(session: &Session, list: &str) -> anyhow::Result<String> {
    session.goto(list).await?;
    session.fill("#schedule-name", "page walk").await?;
    session.fill("#schedule-prefix", "walk-").await?;
    mark_page(session).await?;
    let submit = session
        .find("form#new-schedule button[type=submit]")
        .await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the new schedule's page").await?;
    session.current_url().await
}

/// Adds a webhook endpoint through its form (the walk's admin is an
/// instance admin, so any URL: one on loopback where nothing listens);
/// the address of its page.
async fn added_webhook(session: &Session, list: &str) -> anyhow::Result<String> {
    session.goto(list).await?;
    session.fill("#add-name", "page walk").await?;
    session.fill("#add-url", "http://127.0.0.1:9/walk").await?;
    let monitoring = session
        .find("form#add-webhook input[name=family][value=monitoring]")
        .await?;
    session.click(&monitoring).await?;
    mark_page(session).await?;
    let submit = session.find("form#add-webhook button[type=submit]").await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the new webhook's page").await?;
    session.goto(list).await?;
    href(session, "table#webhooks a").await
}

/// The absolute address of the first link matching `css`.
/// Changes the server's description through its page, so the Cloud Panel
/// logs it; the address of that log's page.
async fn logged_change(session: &Session, server: &str, logs: &str) -> anyhow::Result<String> {
    session.goto(server).await?;
    session
        .fill("#rename-description", "described by the page walk")
        .await?;
    mark_page(session).await?;
    let submit = session.find("form#rename button[type=submit]").await?;
    session.click(&submit).await?;
    wait_for_new_page(session, "the server page after the change").await?;
    session.goto(logs).await?;
    href(session, "table#logs a.log-link").await
}

async fn href(session: &Session, css: &str) -> anyhow::Result<String> {
    let link = session.find(css).await?;
    let href = session.property(&link, "href").await?;
    href.as_str()
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .with_context(|| format!("`{css}` has no href"))
}

/// Opens `page` and checks it is the signed-in page it should be, not an
/// error page or the sign-in form.
pub async fn open_page(session: &Session, page: &PageVisit) -> anyhow::Result<()> {
    session.goto(&page.url).await?;
    match page.then {
        Then::Stay => {}
        Then::SubmitEmpty(form) => {
            session
                .execute(
                    "const form = document.querySelector(arguments[0]); \
                     form.noValidate = true; \
                     form.querySelectorAll('input[type=text], input:not([type]), textarea') \
                       .forEach(i => { i.value = ''; }); \
                     return null;",
                    vec![json!(form)],
                )
                .await?;
            submit(session, &format!("{form} button[type=submit]"), page.name).await?;
            ensure!(
                page_errors(session).await?.is_some(),
                "{form}, submitted empty, shows no error"
            );
        }
        Then::DryRun => {
            let first = session.find("table#servers input[name=ids]").await?;
            session.click(&first).await?;
            submit(session, "form#bulk button[type=submit]", page.name).await?;
            session
                .find("#bulk-estimate")
                .await
                .context("no estimate on the dry run's page")?;
        }
        Then::Invite => {
            // A new address each time: an open invitation cannot be repeated.
            static INVITED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = INVITED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            session
                .fill("#invite-email", &format!("invitee-{n}@example.com"))
                .await?;
            let form = "form[action$='/members/invite']";
            submit(session, &format!("{form} button[type=submit]"), page.name).await?;
            if let Some(errors) = page_errors(session).await? {
                bail!("inviting failed: {errors}");
            }
            session
                .find("#invite-link")
                .await
                .context("no invitation link after inviting")?;
        }
    }
    ensure!(
        session.find_all(".error-card").await?.is_empty(),
        "{} ({}) shows an error page: {}",
        page.name,
        page.url,
        session.page_text().await?
    );
    session
        .find("form[action='/logout']")
        .await
        .with_context(|| format!("{} ({}) is not a signed-in page", page.name, page.url))?;
    Ok(())
}

/// Clicks the submit button `css` and waits for the page that answers.
async fn submit(session: &Session, css: &str, what: &str) -> anyhow::Result<()> {
    let button = session.find(css).await?;
    mark_page(session).await?;
    session.click(&button).await?;
    wait_for_new_page(session, &format!("the {what} page after submitting")).await
}

/// Creates a firewall policy with one TCP rule through the form. Returns
/// its id, taken from the policy's page the browser lands on.
pub async fn create_firewall_policy(
    session: &Session,
    panel: &Panel,
    name: &str,
    port: &str,
) -> anyhow::Result<String> {
    let list = panel.org_path("/firewall_policies");
    session.goto(&panel.url(&list)).await?;
    let new_link = session.find("a#new-firewall-policy").await?;
    mark_page(session).await?;
    session.click(&new_link).await?;
    wait_for_new_page(session, "the create firewall policy form").await?;
    session.find("form#create-firewall-policy").await?;
    session
        .fill("form#create-firewall-policy #name", name)
        .await?;
    let protocol = session
        .select_option("#r1-protocol", "option[value='TCP']")
        .await?;
    ensure!(protocol == "TCP", "the TCP option has value {protocol}");
    session.fill("#r1-port", port).await?;
    session.fill("#r1-description", "browser test").await?;
    submit(
        session,
        "form#create-firewall-policy button[type=submit]",
        "create firewall policy",
    )
    .await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("creating the firewall policy failed: {errors}");
    }
    let path = session.current_path().await?;
    let id = path
        .split('?')
        .next()
        .unwrap_or_default()
        .strip_prefix(&format!("{list}/"))
        .filter(|rest| !rest.is_empty() && !rest.contains('/') && *rest != "new")
        .with_context(|| format!("after creating, the browser is at {path}, not a policy's page"))?
        .to_owned();
    ensure!(
        path.contains("?account="),
        "the policy's page does not name its cloud account: {path}"
    );
    let flash = session
        .find(".flash-success")
        .await
        .context("no success message after creating the policy")?;
    ensure!(
        session.text(&flash).await?.contains(name),
        "the success message does not name {name}"
    );
    Ok(id)
}

/// Opens the page of the server named `name` from the servers list.
pub async fn open_server(session: &Session, panel: &Panel, name: &str) -> anyhow::Result<()> {
    session
        .goto(&panel.url(&panel.org_path("/servers")))
        .await?;
    for link in session.find_all("table#servers a.server-name").await? {
        if session.text(&link).await?.trim() == name {
            mark_page(session).await?;
            session.click(&link).await?;
            return wait_for_new_page(session, &format!("the page of {name}")).await;
        }
    }
    bail!("no server named {name} in table#servers")
}

/// On a server's page, chooses the policy in the first IP's "Policy"
/// select (`#fw-1`) and assigns it. Returns the success message.
pub async fn assign_policy_to_first_ip(
    session: &Session,
    policy_id: &str,
) -> anyhow::Result<String> {
    let chosen = session
        .select_option("#fw-1", &format!("option[value='{policy_id}']"))
        .await?;
    ensure!(chosen == policy_id, "#fw-1 holds {chosen}, not {policy_id}");
    let button = session
        .find("form:has(#fw-1) button[type=submit]")
        .await
        .context("the policy select has no Assign button")?;
    mark_page(session).await?;
    session.click(&button).await?;
    wait_for_new_page(session, "the server's page after assigning the policy").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("assigning the firewall policy failed: {errors}");
    }
    let flash = session
        .find(".flash-success")
        .await
        .context("no success message after assigning the policy")?;
    session.text(&flash).await
}

/// The firewall policy shown in the first IP row of a server's page.
pub async fn first_ip_policy(session: &Session) -> anyhow::Result<String> {
    let text = session
        .execute(
            "const shown = document.querySelector(\"#ip-table td[data-label='Firewall policy'] .ip-policy\"); \
             return shown ? shown.textContent.trim() : '';",
            vec![],
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// What the browser shows of the side menu (`nav.sidenav`): its "Menu"
/// summary, its links, and where it sits beside or above `main`.
#[derive(Debug, serde::Deserialize)]
pub struct SideMenu {
    /// Whether the summary takes room on screen.
    pub summary_shown: bool,
    /// The summary's accessible text, e.g. "Menu: Servers".
    pub summary: String,
    /// Whether the `<details>` is open.
    pub open: bool,
    pub links: usize,
    /// How many of the links are on screen (not folded away).
    pub links_shown: usize,
    /// Whether the menu stands to the left of `main` rather than above it.
    pub beside_main: bool,
}

/// Reads the side menu of the current page.
pub async fn side_menu(session: &Session) -> anyhow::Result<SideMenu> {
    let found = session
        .execute(
            "const nav = document.querySelector('nav.sidenav');\n\
             if (!nav) return null;\n\
             const details = nav.querySelector('details.menu');\n\
             const summary = details?.querySelector(':scope > summary');\n\
             const shown = (el) => el.checkVisibility({ visibilityProperty: true });\n\
             const links = [...nav.querySelectorAll('a[href]')];\n\
             const main = document.querySelector('main');\n\
             return { summary_shown: !!summary && shown(summary),\n\
               summary: (summary?.textContent || '').trim(), open: !!details?.open,\n\
               links: links.length, links_shown: links.filter(shown).length,\n\
               beside_main: nav.getBoundingClientRect().right <= main.getBoundingClientRect().left };",
            vec![],
        )
        .await
        .context("reading the side menu failed")?;
    ensure!(!found.is_null(), "the page has no nav.sidenav");
    serde_json::from_value(found).context("odd side menu reading")
}
