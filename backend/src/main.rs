//! `concord`: the server binary.
//!
//! ```text
//! concord [serve] [--demo]                migrate the database, create the admin on first
//!                                         start (with --demo: load the demo center if it is
//!                                         not there yet), serve
//! concord migrate                         migrate the database and exit
//! concord demo [--open N] [--closed M]    migrate, load the demo center (see `backend::demo`;
//!                                         with numbers: N cases on the board, M archived)
//! concord backup FILE                     write a consistent copy of the SQLite database to
//!                                         FILE, also while a server runs
//! concord restore FILE                    replace the SQLite database with the backup FILE
//!                                         (the server must be stopped; the old file is kept)
//! ```
//!
//! Configuration comes from `CONCORD_*` environment variables (see `backend::config`).

use std::process::ExitCode;

use backend::demo::DemoSize;
use backend::{AppState, Config, Db};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("serve");
    let rest = args.get(1..).unwrap_or_default();
    let result = match command {
        "serve" => serve(rest).await,
        "--demo" => serve(&args).await,
        "migrate" => migrate().await.map(|_| ()),
        "demo" => demo(rest).await,
        "backup" => backup(rest).await,
        "restore" => restore(rest).await,
        "outbox" => outbox(rest).await,
        "help" | "--help" | "-h" => {
            println!("usage: {USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`; usage: {USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("concord: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "concord [serve [--demo] | migrate | demo [--open N] [--closed M] [--towns T] | backup FILE | restore FILE | outbox [--pending]]";

/// `concord outbox [--pending]`: the text messages queued for residents, one JSON object per
/// line (id, case, phone, text, status, created), for an operator's SMS gateway.
async fn outbox(args: &[String]) -> Result<(), String> {
    let status = match args {
        [] => None,
        [flag] if flag == "--pending" => Some("pending"),
        _ => return Err(format!("unknown arguments {args:?}; usage: {USAGE}")),
    };
    let (_config, db) = migrate().await?;
    let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
    let messages = backend::db::supervision::outbox(&mut conn, status)
        .await
        .map_err(|e| e.to_string())?;
    for m in messages {
        println!("{}", serde_json::to_string(&m).map_err(|e| e.to_string())?);
    }
    Ok(())
}

/// The one file argument of `backup` and `restore`.
fn file_argument(args: &[String]) -> Result<std::path::PathBuf, String> {
    match args {
        [file] if !file.starts_with('-') => Ok(file.into()),
        _ => Err(format!("expected one file name; usage: {USAGE}")),
    }
}

/// `concord backup FILE`.
async fn backup(args: &[String]) -> Result<(), String> {
    let file = file_argument(args)?;
    let (_, db) = migrate().await?;
    backend::backup::backup(&db, &file).await?;
    println!("Backed up to {} (checked: whole).", file.display());
    Ok(())
}

/// `concord restore FILE`.
async fn restore(args: &[String]) -> Result<(), String> {
    let file = file_argument(args)?;
    let config = Config::from_env()?;
    let database = backend::backup::sqlite_path(&config.database_url).ok_or_else(|| {
        "restore works on a SQLite database; for PostgreSQL use pg_restore (see the README)"
            .to_owned()
    })?;
    let kept = backend::backup::restore(&file, &database).await?;
    if let Some(kept) = kept {
        println!(
            "The database before the restore is kept as {}.",
            kept.display()
        );
    }
    // Bring the restored file's schema up to date with this binary.
    migrate().await?;
    println!("Restored {} from {}.", database.display(), file.display());
    Ok(())
}

/// Reads the configuration, opens the database and brings its schema up to date.
async fn migrate() -> Result<(Config, Db), String> {
    let config = Config::from_env()?;
    let db = Db::connect(&config)
        .await
        .map_err(|e| format!("cannot open {}: {e}", config.database_url))?;
    db.migrate()
        .await
        .map_err(|e| format!("migrating the database failed: {e}"))?;
    Ok((config, db))
}

async fn serve(args: &[String]) -> Result<(), String> {
    let with_demo = match args {
        [] => false,
        [flag] if flag == "--demo" => true,
        _ => return Err(format!("unknown arguments {args:?}; usage: {USAGE}")),
    };
    // While this server holds a SQLite database, `concord restore` refuses to replace it.
    let _serving = match backend::backup::sqlite_path(&Config::from_env()?.database_url) {
        Some(file) => Some(backend::backup::ServeLock::acquire(&file)?),
        None => None,
    };
    let (config, db) = migrate().await?;
    let bind = config.bind;
    let state = AppState::new(db, config);
    ensure_admin(&state).await?;
    if with_demo && let Err(e) = load_demo(&state, DemoSize::default()).await {
        eprintln!("concord: {e}; serving without the demo");
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    tracing::info!(%bind, "serving");
    let interval = state.config.supervise_interval;
    if !interval.is_zero() {
        let supervisor = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(interval);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match backend::supervise::tick(&supervisor, chrono::Utc::now()).await {
                    Ok(r) if !r.expired.is_empty() || !r.escalated.is_empty() => tracing::info!(
                        expired = r.expired.len(),
                        escalated = r.escalated.len(),
                        "supervisor"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("supervisor pass failed: {e:?}"),
                }
            }
        });
    }
    // The dashboard's rows of every town, loaded in the background so that the first
    // dashboard after a start does not wait for them.
    tokio::spawn(backend::dashboard::warm(state.clone()));
    backend::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| format!("server error: {e}"))
}

/// Creates the administrator on first start and says how to sign in.
async fn ensure_admin(state: &AppState) -> Result<(), String> {
    if let Some(password) = backend::ensure_admin(state)
        .await
        .map_err(|e| format!("creating the admin user failed: {e:?}"))?
    {
        if state.config.admin_password.is_none() {
            println!("Created user `admin` with password: {password}");
            println!("(shown only this once; set CONCORD_ADMIN_PASSWORD to choose it)");
        } else {
            println!("Created user `admin` with the password from CONCORD_ADMIN_PASSWORD.");
        }
    }
    Ok(())
}

/// `concord demo [--open N] [--closed M]`.
async fn demo(args: &[String]) -> Result<(), String> {
    let mut size = DemoSize::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let slot = match flag.as_str() {
            "--open" => &mut size.open,
            "--closed" => &mut size.closed,
            "--towns" => &mut size.towns,
            _ => return Err(format!("unknown argument `{flag}`; usage: {USAGE}")),
        };
        let n = rest
            .next()
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| format!("`{flag}` needs a number; usage: {USAGE}"))?;
        *slot = Some(n);
    }
    let (config, db) = migrate().await?;
    let state = AppState::new(db, config);
    ensure_admin(&state).await?;
    load_demo(&state, size).await
}

/// Loads the demo center (if it is not there yet) and prints what was done.
async fn load_demo(state: &AppState, size: DemoSize) -> Result<(), String> {
    let report = backend::demo::load(state, size)
        .await
        .map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}
