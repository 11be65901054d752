//! `concord`: the server binary.
//!
//! ```text
//! concord [serve]   migrate the database, create the admin on first start, serve
//! concord migrate   migrate the database and exit
//! ```
//!
//! Configuration comes from `CONCORD_*` environment variables (see `backend::config`).

use std::net::SocketAddr;
use std::process::ExitCode;

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
    let result = match command {
        "serve" => serve().await,
        "migrate" => migrate().await.map(|_| ()),
        "help" | "--help" | "-h" => {
            println!("usage: concord [serve | migrate]");
            Ok(())
        }
        other => Err(format!(
            "unknown command `{other}`; usage: concord [serve | migrate]"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("concord: {e}");
            ExitCode::FAILURE
        }
    }
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

async fn serve() -> Result<(), String> {
    let (config, db) = migrate().await?;
    let bind = config.bind;
    let state = AppState::new(db, config);
    if let Some(password) = backend::ensure_admin(&state)
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
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    tracing::info!(%bind, "serving");
    axum::serve(
        listener,
        backend::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| format!("server error: {e}"))
}
