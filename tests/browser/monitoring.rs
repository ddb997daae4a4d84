//! The monitoring pages in the browser: a server's charts over a chosen
//! period, drawn by the server as SVG, read as the browser renders them.

use anyhow::{Context, bail, ensure};
use serde_json::Value;

use crate::harness::{artifacts_dir, mark_page, page_errors, wait_for_new_page};
use crate::in_browser;
use crate::steps::{open_server, sign_in};
use crate::webdriver::Session;

/// The charts the simulator has data for (it sends no disk samples).
const DRAWN: &[&str] = &["cpu", "ram", "transfer", "ping", "packet-loss"];

/// From a server's page, follows its "Monitoring charts" link.
async fn open_monitoring(session: &Session) -> anyhow::Result<()> {
    let link = session
        .find("a#server-monitoring")
        .await
        .context("the server's page has no link to its monitoring")?;
    mark_page(session).await?;
    session.click(&link).await?;
    wait_for_new_page(session, "the server's monitoring page").await
}

/// Chooses `period` in the period select and shows it.
async fn choose_period(session: &Session, period: &str) -> anyhow::Result<()> {
    let chosen = session
        .select_option("#period", &format!("option[value='{period}']"))
        .await?;
    ensure!(chosen == period, "#period holds {chosen}, not {period}");
    let show = session.find("form#period-form button[type=submit]").await?;
    mark_page(session).await?;
    session.click(&show).await?;
    wait_for_new_page(session, "the monitoring page for the new period").await?;
    if let Some(errors) = page_errors(session).await? {
        bail!("choosing {period} failed: {errors}");
    }
    Ok(())
}

/// Each chart as rendered: its card's id, its accessible name, how many
/// lines it draws and their rendered length, and its width on screen.
async fn rendered_charts(session: &Session) -> anyhow::Result<Vec<Value>> {
    let charts = session
        .execute(
            "return [...document.querySelectorAll('section.chart-card')].map(card => { \
               const svg = card.querySelector('svg[role=img]'); \
               if (!svg) { return { id: card.id, drawn: false, text: card.textContent }; } \
               const label = document.getElementById(svg.getAttribute('aria-labelledby') || ''); \
               const paths = [...svg.querySelectorAll('path.line')]; \
               return { \
                 id: card.id, drawn: true, \
                 name: label ? label.textContent.trim() : '', \
                 paths: paths.filter(p => (p.getAttribute('d') || '').startsWith('M')).length, \
                 length: paths.reduce((sum, p) => sum + p.getTotalLength(), 0), \
                 width: svg.getBoundingClientRect().width \
               }; \
             });",
            vec![],
        )
        .await?;
    Ok(charts.as_array().cloned().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_monitoring_chart_is_shown() {
    in_browser("monitoring-failure", async |session, panel| {
        session.record_csp_violations().await?;
        sign_in(session, panel).await?;
        open_server(session, panel, "web-01").await?;
        open_monitoring(session).await?;

        choose_period(session, "LAST_7D").await?;

        let url = session.current_url().await?;
        ensure!(
            url.contains("period=LAST_7D"),
            "the address lost the period: {url}"
        );
        let charts = rendered_charts(session).await?;
        for id in DRAWN {
            let chart = charts
                .iter()
                .find(|c| c["id"] == format!("chart-{id}"))
                .with_context(|| format!("no {id} chart on the page: {charts:?}"))?;
            ensure!(
                chart["drawn"] == true,
                "the {id} chart is not drawn: {chart}"
            );
            let name = chart["name"].as_str().unwrap_or_default();
            ensure!(
                name.contains("readings") && name.contains("UTC"),
                "the {id} chart's accessible name says too little: {name:?}"
            );
            ensure!(
                chart["paths"].as_u64().unwrap_or(0) >= 1
                    && chart["length"].as_f64().unwrap_or(0.0) > 10.0,
                "the {id} chart draws no line: {chart}"
            );
            ensure!(
                chart["width"].as_f64().unwrap_or(0.0) > 100.0,
                "the {id} chart has no room on the page: {chart}"
            );
        }
        let disk = charts
            .iter()
            .find(|c| c["id"] == "chart-disk")
            .context("no disk card")?;
        ensure!(
            disk["drawn"] == false
                && disk["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("No data for this period")),
            "the disk card, with no samples, should say so: {disk}"
        );
        session
            .execute(
                "document.getElementById('chart-cpu').scrollIntoView(); return null;",
                vec![],
            )
            .await?;
        session
            .screenshot(&artifacts_dir().join("monitoring.png"))
            .await?;
        let violations = session.csp_violations().await?;
        ensure!(violations.is_empty(), "CSP violations: {violations:?}");
        Ok(())
    })
    .await;
}
