//! `teampanel demo`: the panel on a fresh data dir with an admin whose
//! password is printed, for a first look.

use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};

use crate::config::Settings;
use crate::startup::{Application, display_url};

pub const ADMIN_EMAIL: &str = "admin@demo.local";

pub async fn run(mut settings: Settings) -> anyhow::Result<()> {
    // A fresh data dir every time unless one was asked for explicitly.
    let temp = if std::env::var_os("TEAMPANEL_DATA_DIR").is_none() {
        let dir = tempfile::Builder::new()
            .prefix("teampanel-demo-")
            .tempdir()
            .context("Failed to create a temporary data dir")?;
        settings.data_dir = dir.path().to_path_buf();
        Some(dir)
    } else {
        None
    };
    let password = Alphanumeric.sample_string(&mut rand::rng(), 16);
    crate::cli::create_user(&settings, ADMIN_EMAIL, "Demo Admin", true, password.clone()).await?;
    let app = Application::build(settings.clone()).await?;
    let url = display_url(&settings, app.port());
    println!("teampanel demo is running");
    println!("url: {url}/login");
    println!("email: {ADMIN_EMAIL}");
    println!("password: {password}");
    println!(
        "data dir: {} (removed on exit)",
        settings.data_dir.display()
    );
    let result = app
        .run_until_stopped()
        .await
        .context("The HTTP server stopped with an error");
    drop(temp);
    result
}
