//! Browser tests: the panel driven through a real headless Chromium over
//! WebDriver (ChromeDriver). They need the `chromium` and `chromium-driver`
//! packages and fail, saying so, when those are missing.

mod approvals;
mod checks;
mod cloud_roles;
mod harness;
mod monitoring;
mod oidc;
mod steps;
mod webdriver;

use anyhow::Context;
use checks::{MODES, NARROW_CONTENT_TOP, Report, check_page, content_top};
use cloud_roles::{create_cloud_role, flag_ticked, reload, toggle_flag_and_save};
use harness::{Panel, artifacts_dir, diagnose, wait_for};
use steps::{
    assign_policy_to_first_ip, audit_rows, create_firewall_policy, create_server, first_ip_policy,
    has_requested_and_succeeded, list_row, open_page, open_server, power_off, side_menu, sign_in,
    signed_in_pages, watch_state_until,
};
use webdriver::{ChromeDriver, Session};

/// Runs `scenario` in a fresh browser against a fresh panel; on failure the
/// panic carries the page's address, its text and a screenshot path.
async fn in_browser(
    failure_name: &str,
    scenario: impl AsyncFnOnce(&Session, &Panel) -> anyhow::Result<()>,
) {
    let driver = ChromeDriver::start()
        .await
        .unwrap_or_else(|err| panic!("{err:#}"));
    let panel = Panel::start()
        .await
        .unwrap_or_else(|err| panic!("the panel did not start: {err:#}"));
    let session = driver
        .new_session()
        .await
        .unwrap_or_else(|err| panic!("{err:#}"));
    if let Err(err) = scenario(&session, &panel).await {
        let diagnosis = diagnose(&session, failure_name).await;
        panic!("{err:#}\n{diagnosis}");
    }
    session
        .quit()
        .await
        .unwrap_or_else(|err| panic!("the browser did not close: {err:#}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_read_the_audit_log() {
    in_browser("sign-in-failure", async |session, panel| {
        sign_in(session, panel).await?;
        let rows = audit_rows(session, panel).await?;
        session.find("#audit-filter").await?;
        anyhow::ensure!(
            rows.iter().all(|(action, _, _)| !action.is_empty()),
            "audit rows without an action: {rows:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_is_held_asked_for_approved_by_another_member_and_audited() {
    in_browser("approval-failure", async |session, panel| {
        approvals::approve_a_deletion(session, panel).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_is_created_watched_powered_off_and_audited() {
    in_browser("servers-failure", async |session, panel| {
        sign_in(session, panel).await?;

        let name = "browser-test-1";
        let id = create_server(session, panel, name).await?;
        let deploy = watch_state_until(session, "POWERED_ON").await?;
        anyhow::ensure!(
            deploy.first().is_some_and(|s| s != "POWERED_ON"),
            "the server was already POWERED_ON when its page loaded, so the page was \
             never seen refreshing itself (states: {deploy:?})"
        );

        let message = power_off(session).await?;
        anyhow::ensure!(!message.trim().is_empty(), "empty power off message");
        watch_state_until(session, "POWERED_OFF").await?;

        let list = panel.org_path("/servers");
        session.goto(&panel.url(&list)).await?;
        let (state, shown_name) = list_row(session, &id).await?;
        anyhow::ensure!(
            state == "POWERED_OFF" && shown_name == name,
            "the servers list shows {shown_name:?} in state {state} for server {id}"
        );
        let shot = artifacts_dir().join("servers.png");
        session.screenshot(&shot).await?;
        let png = std::fs::read(&shot)?;
        anyhow::ensure!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is not a PNG",
            shot.display()
        );

        let rows = wait_for(
            "server.create and server.power_off, requested and succeeded, in the audit log",
            async || {
                let rows = audit_rows(session, panel).await?;
                let complete = has_requested_and_succeeded(&rows, "server.create")
                    && has_requested_and_succeeded(&rows, "server.power_off");
                Ok(complete.then_some(rows))
            },
        )
        .await?;
        anyhow::ensure!(
            rows.iter()
                .any(|(action, _, target)| action == "server.create" && target.contains(name)),
            "no server.create row names {name}: {rows:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firewall_policy_is_created_assigned_and_audited() {
    in_browser("firewall-policy-failure", async |session, panel| {
        sign_in(session, panel).await?;

        let name = "browser-fw";
        let id = create_firewall_policy(session, panel, name, "8443").await?;
        let rules = session.find("#rule-table").await?;
        let rules = session.text(&rules).await?;
        anyhow::ensure!(
            rules.contains("8443"),
            "the policy's page does not list the rule: {rules}"
        );

        // Assigned on the server's page, through the IP's policy select.
        let server = "db-01";
        open_server(session, panel, server).await?;
        let server_page = session.current_path().await?;
        let message = assign_policy_to_first_ip(session, &id).await?;
        anyhow::ensure!(!message.trim().is_empty(), "empty assign message");
        anyhow::ensure!(
            session.current_path().await? == server_page,
            "assigning left the server's page"
        );
        let shown = first_ip_policy(session).await?;
        anyhow::ensure!(
            shown == name,
            "the IP row of {server} shows the policy {shown:?}, not {name}"
        );

        // The policy's page lists the IP and links to the server.
        session
            .goto(&panel.url(&panel.org_path(&format!("/firewall_policies/{id}"))))
            .await?;
        let link = session.find("#ip-table a.server-link").await?;
        anyhow::ensure!(
            session.text(&link).await?.trim() == server,
            "the policy's page does not link to {server}"
        );

        let rows = wait_for(
            "firewall_policy.create and server.ip_firewall_policy, requested and succeeded",
            async || {
                let rows = audit_rows(session, panel).await?;
                let complete = has_requested_and_succeeded(&rows, "firewall_policy.create")
                    && has_requested_and_succeeded(&rows, "server.ip_firewall_policy");
                Ok(complete.then_some(rows))
            },
        )
        .await?;
        anyhow::ensure!(
            rows.iter().any(
                |(action, outcome, target)| action == "firewall_policy.create"
                    && outcome == "succeeded"
                    && target.contains(name)
            ),
            "no firewall_policy.create row names {name}: {rows:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cloud_role_matrix_is_edited_and_kept_after_reload() {
    in_browser("cloud-role-matrix-failure", async |session, panel| {
        sign_in(session, panel).await?;

        let name = "browser-role";
        create_cloud_role(session, panel, name).await?;
        let (group, flag) = ("servers", "show");
        let before = flag_ticked(session, group, flag).await?;
        let message = toggle_flag_and_save(session, group, flag).await?;
        anyhow::ensure!(
            message.contains(name),
            "the success message does not name {name}: {message}"
        );
        reload(session).await?;
        let after = flag_ticked(session, group, flag).await?;
        anyhow::ensure!(
            after != before,
            "{group}.{flag} is still {before} after saving and reloading"
        );

        let rows = wait_for(
            "cloud_role.permissions, requested and succeeded, in the audit log",
            async || {
                let rows = audit_rows(session, panel).await?;
                Ok(has_requested_and_succeeded(&rows, "cloud_role.permissions").then_some(rows))
            },
        )
        .await?;
        anyhow::ensure!(
            rows.iter().any(
                |(action, outcome, target)| action == "cloud_role.permissions"
                    && outcome == "succeeded"
                    && target.contains(name)
            ),
            "no succeeded cloud_role.permissions row names {name}: {rows:?}"
        );
        Ok(())
    })
    .await;
}

/// Every signed-in page, light and dark, at 1366 and 390 px: no serious or
/// critical axe-core violation, every visible field labelled, keyboard focus
/// visible (checked in one mode), no sideways scroll, nothing the CSP blocks.
/// All pages are checked before the test fails, once, with every finding;
/// `--nocapture` shows a summary table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_accessible_fits_and_obeys_the_csp() {
    in_browser("page-checks-failure", async |session, panel| {
        session.record_csp_violations().await?;
        sign_in(session, panel).await?;
        let pages = signed_in_pages(session, panel).await?;

        // PAGE_SHOTS=1 keeps a screenshot of every page in every mode, to look at.
        let shots = std::env::var_os("PAGE_SHOTS").map(|_| artifacts_dir().join("pages"));
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir)?;
        }
        let mut report = Report::default();
        for mode in &MODES {
            mode.apply(session).await?;
            for page in &pages {
                open_page(session, page).await?;
                let findings = check_page(session, mode)
                    .await
                    .with_context(|| format!("checking {} [{}]", page.name, mode.name))?;
                report.add(page.name, mode, findings);
                if let Some(dir) = &shots {
                    let file = format!("{}-{}.png", page.name, mode.name).replace(' ', "-");
                    session.screenshot(&dir.join(file)).await?;
                }
            }
        }

        println!("{}", report.summary());
        match report.failures() {
            Some(failures) => anyhow::bail!("{failures}"),
            None => Ok(()),
        }
    })
    .await;
}

/// At a phone's width the side menu is folded behind a "Menu: <current
/// page>" summary, so the page's content begins right under the header;
/// opening the summary shows every link (and pushes the content below the
/// first screenful, which the page checks would report). On a wide screen
/// the menu stands beside the content with every link shown and no summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_side_menu_folds_behind_a_summary_on_a_phone() {
    in_browser("side-menu-failure", async |session, panel| {
        sign_in(session, panel).await?;
        let servers = panel.url(&panel.org_path("/servers"));
        let (narrow, wide) = (
            MODES.iter().find(|m| m.is_narrow()).context("no narrow mode")?,
            MODES.iter().find(|m| !m.is_narrow()).context("no wide mode")?,
        );

        narrow.apply(session).await?;
        session.goto(&servers).await?;
        let menu = side_menu(session).await?;
        anyhow::ensure!(
            menu.summary_shown && menu.summary == "Menu: Servers" && !menu.open,
            "at {} px the menu should be folded behind \"Menu: Servers\": {menu:?}",
            narrow.width
        );
        anyhow::ensure!(
            menu.links > 10 && menu.links_shown == 0,
            "at {} px the folded menu shows links: {menu:?}",
            narrow.width
        );
        let top = content_top(session).await?;
        anyhow::ensure!(
            top <= NARROW_CONTENT_TOP,
            "at {} px the content begins {top}px down, more than {NARROW_CONTENT_TOP}px",
            narrow.width
        );

        let summary = session.find("nav.sidenav details.menu > summary").await?;
        session.click(&summary).await?;
        let menu = side_menu(session).await?;
        anyhow::ensure!(
            menu.open && menu.links_shown == menu.links,
            "the opened menu does not show every link: {menu:?}"
        );
        let opened_top = content_top(session).await?;
        anyhow::ensure!(
            opened_top > NARROW_CONTENT_TOP,
            "with the whole menu above it the content begins {opened_top}px down: \
             the page checks' limit would not notice a menu that fills the first screenful"
        );

        wide.apply(session).await?;
        session.goto(&servers).await?;
        let menu = side_menu(session).await?;
        anyhow::ensure!(
            !menu.summary_shown && menu.links_shown == menu.links && menu.beside_main,
            "at {} px the menu should stand beside the content, every link shown and no summary: {menu:?}",
            wide.width
        );
        Ok(())
    })
    .await;
}
