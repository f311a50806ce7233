//! The `facegate` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::app::Application;
use crate::config::{LogFormat, Settings};

#[derive(Parser)]
#[command(
    name = "facegate",
    version,
    about = "Face real-name verification, confirmed server-side"
)]
struct Cli {
    /// The configuration file (every key can be overridden by FACEGATE_* variables).
    #[arg(
        long,
        global = true,
        env = "FACEGATE_CONFIG",
        default_value = "facegate.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the HTTP API (and, by default, the sandbox vendor and the demo).
    Serve {
        /// Point every vendor at the embedded simulator, with its credentials
        /// (the same as FACEGATE_SANDBOX_VENDORS=true).
        #[arg(long)]
        sandbox_vendors: bool,
    },
    /// Validates the configuration and asks every configured vendor to accept its
    /// credentials; prints one line per vendor and exits 1 if any failed (2: bad configuration).
    Check,
    /// Merchant API keys kept (hashed) in the database.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Makes a key and prints it, once.
    Create {
        /// A note to tell keys apart (shown by `list`).
        #[arg(long)]
        label: Option<String>,
    },
    /// Every key: id, label, created, last used, revoked (never the key).
    List,
    /// Revokes a key: requests with it answer 401 from now on, on every replica.
    Revoke {
        /// The key's id, as `list` shows it (`key_...`).
        id: String,
    },
}

pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.config) {
        Ok(mut settings) => {
            if let Command::Serve { sandbox_vendors } = &cli.command {
                settings.vendors.sandbox.simulate_vendors |= *sandbox_vendors;
            }
            settings
        }
        Err(error) => {
            eprintln!("facegate: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    // `check` prints a report; its vendor calls' log lines would only clutter it.
    if !matches!(cli.command, Command::Check) {
        init_tracing(settings.server.log_format);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("facegate: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command {
        Command::Serve { .. } => runtime.block_on(serve(settings)),
        Command::Keys { command } => runtime.block_on(keys(settings, command)),
        Command::Check => return runtime.block_on(check(&cli.config, settings)),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("facegate: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn check(config: &std::path::Path, settings: Settings) -> std::process::ExitCode {
    use crate::check;
    let source = if config.exists() {
        format!("{} and FACEGATE_* variables", config.display())
    } else {
        "FACEGATE_* variables (no configuration file)".to_owned()
    };
    match check::check_settings(&settings) {
        Ok(notes) => {
            println!("configuration: ok ({source})");
            for note in notes {
                println!("  {note}");
            }
        }
        Err(error) => {
            println!("configuration: FAILED: {error}");
            return std::process::ExitCode::from(2);
        }
    }
    match check::check_vendors(&settings).await {
        Ok(report) => {
            print!("{report}");
            if report.failed() {
                println!("facegate check: failed (see above)");
                std::process::ExitCode::FAILURE
            } else {
                std::process::ExitCode::SUCCESS
            }
        }
        Err(error) => {
            println!("facegate check: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    if let Some(dev) = &app.dev_key {
        if dev.created {
            // Printed once, to the terminal, never to the log.
            println!(
                "Development API key (saved to {}): {}",
                dev.path.display(),
                dev.key.expose_secret()
            );
        } else {
            println!("Development API key: in {}", dev.path.display());
        }
    }
    let base = state.core.urls.base();
    let providers: Vec<String> = state
        .core
        .providers
        .enabled()
        .map(|p| p.to_string())
        .collect();
    println!(
        "facegate listening on http://{} (public URL {base})",
        app.local_addr()
    );
    println!("providers: {}", providers.join(", "));
    if state.settings.demo_enabled() {
        println!("Open the demo: {base}");
    }
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.cancel();
    });
    app.run(shutdown).await
}

async fn keys(settings: Settings, command: KeysCommand) -> anyhow::Result<()> {
    use anyhow::Context;
    let data_dir = &settings.store.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let store = crate::store::connect(&settings.store.database_url_or_default())
        .await
        .context("opening the database")?;
    let now = crate::session::now();
    match command {
        KeysCommand::Create { label } => {
            let label = label.map(|label| label.trim().to_owned());
            if label
                .as_deref()
                .is_some_and(|label| label.is_empty() || label.chars().count() > 100)
            {
                anyhow::bail!("--label must be 1 to 100 characters");
            }
            let new = crate::keys::create(store.as_ref(), label, now).await?;
            println!("{}", crate::keys::announce(&new));
        }
        KeysCommand::List => {
            let keys = store.list_api_keys().await?;
            if keys.is_empty() {
                println!("no keys (make one with `facegate keys create`)");
                return Ok(());
            }
            let when = |at: Option<time::OffsetDateTime>| {
                at.map(crate::view::rfc3339).unwrap_or_else(|| "-".into())
            };
            // Tab-separated: labels may hold spaces.
            println!("ID\tLABEL\tCREATED\tLAST USED\tREVOKED");
            for key in keys {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    key.id,
                    key.label
                        .as_deref()
                        .unwrap_or("-")
                        .replace(['\t', '\n'], " "),
                    crate::view::rfc3339(key.created_at),
                    when(key.last_used_at),
                    when(key.revoked_at),
                );
            }
        }
        KeysCommand::Revoke { id } => {
            let id = crate::keys::parse_id(&id).ok_or_else(|| {
                anyhow::anyhow!("`{id}` is not a key id (see `facegate keys list`)")
            })?;
            if store.revoke_api_key(&id, now).await? {
                println!("revoked {id}");
            } else {
                match store.api_key(&id).await? {
                    Some(_) => anyhow::bail!("{id} is already revoked"),
                    None => anyhow::bail!("no key {id}"),
                }
            }
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
