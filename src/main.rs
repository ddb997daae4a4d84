//! The `teampanel` binary: parses the command line and hands over.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = teampanel::cli::Cli::parse();
    match teampanel::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("teampanel: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
