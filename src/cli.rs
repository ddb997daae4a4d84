//! The command line: `serve`, `demo`, `simulate`, `user create`,
//! `rotate-master-key`, `audit verify`.

use std::io::Read;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "teampanel",
    version,
    about = "A web control panel a team shares to run its IONOS Cloud Panel account(s)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the panel.
    Serve,
    /// Run the panel with an in-process simulator and demo data on a fresh data dir.
    Demo,
    /// Run the Cloud Panel API simulator alone.
    Simulate(crate::simulator::SimulateArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Re-seal every stored API token under a new master key.
    RotateMasterKey,
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (the first instance admin on a fresh install).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Let the user manage organisations and users.
        #[arg(long)]
        instance_admin: bool,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; exits non-zero on a break.
    Verify,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Simulate(args) => {
            crate::telemetry::init("info");
            crate::simulator::run(args).await
        }
        Command::Demo => {
            let settings = Settings::from_env()?;
            crate::telemetry::init(&settings.log_filter);
            crate::demo::run(settings).await
        }
        Command::Serve => {
            let settings = Settings::from_env()?;
            crate::telemetry::init(&settings.log_filter);
            let app = crate::startup::Application::build(settings.clone()).await?;
            tracing::info!(url = %crate::startup::display_url(&settings, app.port()), "teampanel is listening");
            app.run_until_stopped()
                .await
                .context("The HTTP server stopped with an error")
        }
        Command::User(UserCommand::Create {
            email,
            name,
            instance_admin,
            password_stdin: _,
        }) => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("Failed to read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let id = crate::commands::user::create_user(
                &settings,
                &email,
                &name,
                instance_admin,
                password,
            )
            .await?;
            println!("created user {id} <{}>", email.trim());
            Ok(())
        }
        Command::RotateMasterKey => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            crate::commands::rotate_key::rotate_master_key(&settings).await
        }
        Command::Audit(AuditCommand::Verify) => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            crate::commands::audit_verify::verify(&settings).await
        }
    }
}
