//! Sign-in with the identity provider in Chromium, the whole way: the
//! panel's button, the provider's (`oidc-provider`) login form, the return,
//! an organisation opened through a group's membership, sign-out.

#[path = "../oidc/provider.rs"]
mod provider;

use anyhow::{Context, ensure};
use serde_json::json;
use teampanel::config::Settings;
use teampanel::startup::Application;

use crate::harness::{diagnose, mark_page, page_errors, wait_for_new_page};
use crate::webdriver::ChromeDriver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_sign_in_through_the_provider_in_the_browser() {
    let port = provider::free_port().unwrap_or_else(|e| panic!("{e:#}"));
    let redirect = format!("http://127.0.0.1:{port}/login/oidc/callback");
    let Some(provider) = provider::TestProvider::start(&redirect)
        .await
        .unwrap_or_else(|e| panic!("the test provider did not start: {e:#}"))
    else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut settings = Settings::for_data_dir(
        data_dir.path(),
        "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
    );
    provider::configure(&mut settings, port, &provider.issuer);
    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("the panel did not start: {e:#}"));
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let base = format!("http://127.0.0.1:{port}");
    let admin = teampanel::auth::password::hash("admin password 1".into())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let admin =
        teampanel::db::users::insert(state.raw_db(), "admin@example.org", "Admin", &admin, true)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("the admin"));
    {
        let mut conn = state
            .raw_db()
            .acquire()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        teampanel::db::orgs::create_organisation_with_owner(&mut conn, "Acme", "acme", admin)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
    }
    provider
        .set_account(json!({
            "id": "bea", "email": "bea@example.org", "email_verified": true, "name": "Bea Browser",
            "groups": ["teampanel:acme:Viewer"],
        }))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let driver = ChromeDriver::start()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let session = driver
        .new_session()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let scenario = async {
        session.goto(&format!("{base}/login")).await?;
        let button = session.find("#oidc-button").await?;
        let text = session.text(&button).await?;
        ensure!(
            text.contains("Sign in with Test ID"),
            "the button says {text:?}"
        );
        mark_page(&session).await?;
        session.click(&button).await?;
        wait_for_new_page(&session, "the provider's sign-in form").await?;
        let at = session.current_url().await?;
        ensure!(
            at.starts_with(&provider.issuer),
            "not at the provider: {at}"
        );
        session.fill("#login", "bea").await?;
        session.fill("#password", "anything").await?;
        mark_page(&session).await?;
        let submit = session.find("#submit").await?;
        session.click(&submit).await?;
        wait_for_new_page(&session, "the panel after the provider").await?;
        if let Some(errors) = page_errors(&session).await? {
            anyhow::bail!("signing in failed: {errors}");
        }
        let at = session.current_url().await?;
        ensure!(
            at.starts_with(&base) && !at.contains("/login"),
            "not signed in: {at}"
        );
        session
            .find("form[action='/logout']")
            .await
            .context("no sign-out button after signing in")?;

        // The group's membership opens the organisation.
        session.goto(&format!("{base}/o/acme/")).await?;
        let text = session.page_text().await?;
        ensure!(text.contains("Acme"), "the organisation's page: {text}");

        // Sign out, as after a password.
        session.goto(&format!("{base}/profile")).await?;
        mark_page(&session).await?;
        let logout = session.find("form[action='/logout'] button").await?;
        session.click(&logout).await?;
        wait_for_new_page(&session, "the page after signing out").await?;
        let path = session.current_path().await?;
        ensure!(path.starts_with("/login"), "after sign-out: {path}");
        Ok::<(), anyhow::Error>(())
    };
    if let Err(err) = scenario.await {
        let diagnosis = diagnose(&session, "oidc-failure").await;
        panic!("{err:#}\n{diagnosis}");
    }
    session
        .quit()
        .await
        .unwrap_or_else(|e| panic!("the browser did not close: {e:#}"));
}
