//! One full two-person approval in the browser, as its members see it: the
//! Owner holds deletions for approval; Alex deletes a block storage, lands
//! on the held request and says why; the Owner sees the header's badge,
//! opens the request and approves it; the storage goes, and the audit log
//! shows every step. Each step leaves a screenshot in `tests/artifacts`.

use anyhow::{Context, bail, ensure};

use crate::harness::{Panel, artifacts_dir, mark_page, page_errors, wait_for, wait_for_new_page};
use crate::webdriver::Session;

pub const ALEX: &str = "alex@example.org";
const ALEX_PASSWORD: &str = "alex's long password 1";

/// Alex: a member of the demo organisation with the Admin role.
pub async fn add_alex(panel: &Panel) -> anyhow::Result<()> {
    let db = panel.state.raw_db();
    let hash = teampanel::auth::password::hash(ALEX_PASSWORD.to_owned()).await?;
    let user = teampanel::db::users::insert(db, ALEX, "Alex", &hash, false)
        .await?
        .context("Alex's address is taken")?;
    let org = teampanel::db::orgs::by_slug(db, panel.slug)
        .await?
        .context("no demo organisation")?;
    sqlx::query(
        "INSERT INTO memberships (user_id, org_id, role_id)
         SELECT ?, ?, id FROM roles WHERE org_id = ? AND builtin = 'admin'",
    )
    .bind(user)
    .bind(org.id)
    .bind(org.id)
    .execute(db)
    .await?;
    Ok(())
}

async fn submit(session: &Session, css: &str, what: &str) -> anyhow::Result<()> {
    let button = session.find(css).await?;
    mark_page(session).await?;
    session.click(&button).await?;
    wait_for_new_page(session, what).await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("{what}: {errors}");
    }
    Ok(())
}

pub async fn sign_in_as(
    session: &Session,
    panel: &Panel,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    session.goto(&panel.url("/login")).await?;
    session.fill("#email", email).await?;
    session.fill("#password", password).await?;
    submit(
        session,
        "form[action='/login'] button[type=submit]",
        "signing in",
    )
    .await
}

pub async fn sign_out(session: &Session) -> anyhow::Result<()> {
    submit(
        session,
        "form[action='/logout'] button[type=submit]",
        "signing out",
    )
    .await
}

async fn shot(session: &Session, name: &str) -> anyhow::Result<()> {
    let path = artifacts_dir().join(format!("approval-{name}.png"));
    session.screenshot(&path).await
}

/// The walk; returns the screenshots' names.
pub async fn approve_a_deletion(session: &Session, panel: &Panel) -> anyhow::Result<()> {
    add_alex(panel).await?;

    // 1. The Owner holds deletions for approval.
    sign_in_as(session, panel, panel.email, &panel.password).await?;
    session
        .goto(&panel.url(&panel.org_path("/approvals")))
        .await?;
    let delete = session.find("input[name=delete]").await?;
    session.click(&delete).await?;
    submit(
        session,
        "form[action$='/approvals/settings'] button[type=submit]",
        "saving what needs approval",
    )
    .await?;
    shot(session, "1-settings").await?;
    sign_out(session).await?;

    // 2. Alex deletes the block storage "scratch": it is held.
    sign_in_as(session, panel, ALEX, ALEX_PASSWORD).await?;
    session
        .goto(&panel.url(&panel.org_path("/block_storages")))
        .await?;
    let links = session.find_all("table#block-storages a").await?;
    let mut scratch = None;
    for link in links {
        if session.text(&link).await?.trim() == "scratch" {
            scratch = Some(link);
            break;
        }
    }
    let scratch = scratch.context("no link to the block storage scratch")?;
    mark_page(session).await?;
    session.click(&scratch).await?;
    wait_for_new_page(session, "the block storage's page").await?;
    session.fill("#delete-confirm", "scratch").await?;
    submit(
        session,
        "form#delete-block-storage button[type=submit]",
        "deleting scratch",
    )
    .await?;
    let request = session.current_path().await?;
    ensure!(
        request.starts_with(&panel.org_path("/approvals/")),
        "the deletion did not lead to its request ({request})"
    );
    shot(session, "2-held").await?;
    session
        .fill(
            "#reason",
            "Scratch space of the March migration test; nothing reads it now.",
        )
        .await?;
    submit(
        session,
        "form[action$='/ask'] button[type=submit]",
        "asking for approval",
    )
    .await?;
    shot(session, "3-asked").await?;
    sign_out(session).await?;

    // 3. The Owner sees the badge, opens the request and approves it.
    sign_in_as(session, panel, panel.email, &panel.password).await?;
    session.goto(&panel.url(&panel.org_path("/"))).await?;
    let badge = session.find("#approvals-badge").await?;
    let words = session.text(&badge).await?;
    ensure!(
        words.contains("1 waiting for your approval"),
        "the badge says {words:?}"
    );
    shot(session, "4-badge").await?;
    mark_page(session).await?;
    session.click(&badge).await?;
    wait_for_new_page(session, "the approvals page").await?;
    session.goto(&panel.url(&request)).await?;
    shot(session, "5-to-decide").await?;
    submit(
        session,
        "form[action$='/approve'] button[type=submit]",
        "approving",
    )
    .await?;
    let state = session.find("#request-state").await?;
    ensure!(session.text(&state).await?.trim() == "approved");

    // 4. The deletion runs as Alex, once, and the audit log shows each step.
    wait_for("scratch to be gone from the list", async || {
        session
            .goto(&panel.url(&panel.org_path("/block_storages")))
            .await?;
        let table = session.find("table#block-storages").await?;
        Ok((!session.text(&table).await?.contains("scratch")).then_some(()))
    })
    .await?;
    session.goto(&panel.url(&panel.org_path("/audit"))).await?;
    shot(session, "6-audit").await?;
    let text = session.page_text().await?;
    for step in ["approval.hold", "approval.ask", "approval.approve"] {
        ensure!(text.contains(step), "the audit log does not show {step}");
    }
    Ok(())
}
