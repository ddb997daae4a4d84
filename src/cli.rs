//! The command line: `serve`, `demo`, `simulate`, `user create`,
//! `rotate-master-key`, `audit verify`, `audit checkpoint`, `backup`,
//! `restore`.

use std::io::Read;
use std::path::PathBuf;

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
    /// Copy the database while the panel runs, and check the copy.
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the data dir's database with a checked backup (the panel must be stopped).
    Restore {
        /// A file written by `teampanel backup`.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
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
    Verify {
        /// Also fail unless the log still holds this event, as `audit checkpoint` printed it.
        #[arg(long, value_name = "ID:HASH")]
        from_checkpoint: Option<crate::commands::audit_checkpoint::Checkpoint>,
    },
    /// Print the audit log's newest event as ID:HASH, to keep outside the panel.
    Checkpoint {
        /// Also append `TIME ID:HASH` to this file.
        #[arg(long, value_name = "FILE")]
        append: Option<PathBuf>,
    },
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
            crate::telemetry::init_with(&settings.log_filter, settings.log_format);
            crate::demo::run(settings).await
        }
        Command::Serve => {
            let settings = Settings::from_env()?;
            crate::telemetry::init_with(&settings.log_filter, settings.log_format);
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
        Command::Audit(AuditCommand::Verify { from_checkpoint }) => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            crate::commands::audit_verify::verify(&settings, from_checkpoint.as_ref()).await
        }
        Command::Audit(AuditCommand::Checkpoint { append }) => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            crate::commands::audit_checkpoint::checkpoint(&settings, append.as_deref()).await
        }
        Command::Backup { to } => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            crate::commands::backup::run(&settings, &to).await
        }
        Command::Restore { from } => {
            let settings = Settings::from_env()?;
            crate::telemetry::init("warn");
            crate::commands::restore::run(&settings, &from).await
        }
    }
}
