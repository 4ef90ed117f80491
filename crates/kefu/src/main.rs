//! The `kefu` binary: command line, configuration and wiring. No business rules here.

mod bot_model;
mod cli;
mod config;
mod logging;
#[cfg(feature = "s3")]
mod s3_store;

use clap::Parser;

// glibc's malloc spent a seventh of the request path's CPU in its arenas under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
