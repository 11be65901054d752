//! Concord's server: the JSON API under `/api` (see `shared::api` for the endpoint table),
//! the public status look-up, and the built frontend's files with single-page-app fallback.
//!
//! `app(state)` builds the whole router, so tests drive exactly what `concord serve` serves.
//! Module map: `config` (environment), `state` (shared state and caches), `error` (the one
//! error type and the extractors that answer with the envelope), `auth` (passwords, sessions,
//! `CurrentUser`), `routes/*` (handlers, one module per area), `db/*` (SQL only, one module per
//! aggregate), `fixture` (the test fixture), `demo` (the demo center, loaded on request).

pub mod agreement_pdf;
pub mod auth;
pub mod backup;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod error;
pub mod fixture;
pub mod guard;
pub mod hasher;
pub mod ledger;
pub mod limits;
pub mod live;
pub mod open311;
pub mod pages;
pub mod routes;
pub mod state;
pub mod supervise;

use std::path::Path;

use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY as CONTENT_SECURITY_POLICY_HEADER, CONTENT_TYPE,
    REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use db::{Db, POSTGRES_MIGRATOR, SQLITE_MIGRATOR};
pub use state::AppState;

use crate::db::users::NewUser;
use crate::error::AppError;
use shared::model::Role;

/// How long a client may take to send a request's body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest request body the API takes (413 beyond).
pub const BODY_LIMIT: usize = 256 * 1024;
/// How long open connections get to finish at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the app on `listener` until `shutdown` completes, then lets open requests finish
/// (for at most `SHUTDOWN_GRACE`). Every connection is HTTP/1.1 with `TCP_NODELAY` (without
/// it, the last segment of a large answer such as the board can wait for the client's
/// delayed ACK, adding 40–200 ms) and a limit on the time to send the headers
/// (`Config::header_read_timeout`: a half-sent request is not held open).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let header_timeout = state.config.header_read_timeout;
    let router = app(state);
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
        let service = router.clone().layer(axum::Extension(ConnectInfo(peer)));
        let conn = http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer} ended: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after {SHUTDOWN_GRACE:?}");
    }
    Ok(())
}

/// The Content-Security-Policy of every answer: only this origin's scripts (and its wasm),
/// styles, images and API; no inline script or style attribute; never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: `/api/…` and, for every other path, the frontend's files.
///
/// API answers carry `Cache-Control: no-store` (they hold personal data). Every answer carries
/// the Content-Security-Policy, `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: same-origin`, a `Permissions-Policy` that turns off what the app never
/// uses, and — when the cookie is `Secure` (served over HTTPS) — HSTS. State-changing API
/// requests from another site are refused (`guard::same_origin`).
pub fn app(state: AppState) -> Router {
    let files = static_files(&state.config.static_dir);
    let api = routes::api_router()
        .layer(middleware::from_fn(guard::same_origin))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let hsts = state.config.cookie_secure.then(|| {
        SetResponseHeaderLayer::overriding(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    // The public pages: forms, so the same cross-site refusal as the API, and small bodies.
    let pages = pages::router()
        .layer(middleware::from_fn(guard::same_origin))
        .layer(DefaultBodyLimit::max(pages::FORM_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT));
    // Open311 for other software: no cookie, so no cross-site guard; its own small bodies.
    let open311 = open311::router()
        .layer(DefaultBodyLimit::max(open311::BODY_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT));
    let router = Router::new()
        .nest("/api", api)
        .nest("/open311", open311)
        .merge(pages)
        .fallback_service(files)
        .layer(middleware::from_fn(error::language));
    let router = match hsts {
        Some(layer) => router.layer(layer),
        None => router,
    };
    let fixed = [
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "same-origin"),
        (X_FRAME_OPTIONS, "DENY"),
        (CONTENT_SECURITY_POLICY_HEADER, CONTENT_SECURITY_POLICY),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    ];
    let mut router = router;
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The built frontend: files as they are, any other GET answered with `index.html` (the
/// browser's router takes it from there) — except under `/pkg/`, the app's modules, where a
/// missing file is a 404. `index.html` is never cached; files whose names
/// carry a content hash (as the bundler writes them) are cached for a year; others for an
/// hour.
fn static_files(dir: &Path) -> Router {
    let index = dir.join("index.html");
    let serve = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    // The app's modules: a missing one is a 404, not the page (a tab still running an older
    // build then says that its page could not be loaded and offers to reload).
    // A folder is not a file here: no index, and no redirect to add a slash.
    let modules = ServeDir::new(dir.join("pkg"))
        .append_index_html_on_directories(false)
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", modules)
        .fallback_service(serve)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let is_html = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let policy = if is_html {
        "no-cache"
    } else if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    res
}

/// Whether a file's name carries a content hash — a `-` followed by 16 or more hex digits
/// before the extension (`style-1a2b3c4d5e6f7a8b.css`) — or it lies in a folder named by one
/// (`/pkg/1a2b3c4d5e6f7a8b/concord_frontend_bg.wasm`: the app's modules, which name each other
/// by fixed names).
fn is_hashed_asset(path: &str) -> bool {
    let is_hash = |part: &str| part.len() >= 16 && part.bytes().all(|b| b.is_ascii_hexdigit());
    let mut segments = path.rsplit('/');
    let name = segments.next().unwrap_or("");
    name.split(['-', '.', '_']).any(is_hash) || segments.any(is_hash)
}

/// Creates the `admin` user on first start. Its password is `admin_password` from the
/// configuration, or a generated one, which is returned so the caller can show it once.
/// Returns `None` when an `admin` user exists already.
pub async fn ensure_admin(state: &AppState) -> Result<Option<String>, AppError> {
    {
        let mut conn = state.db.pool.acquire().await?;
        if db::users::by_username(&mut conn, "admin").await?.is_some() {
            return Ok(None);
        }
    }
    let password = state
        .config
        .admin_password
        .clone()
        .unwrap_or_else(auth::random_password);
    let hash = state
        .hasher
        .hash(password.clone())
        .await
        .map_err(|e| AppError::internal(format!("hashing the admin password: {e:?}")))?;
    let mut wtx = state.db.begin_write().await?;
    db::users::insert(
        &mut wtx.tx,
        &NewUser {
            username: "admin",
            password_hash: &hash,
            display_name: "系统管理员",
            role: Role::Admin,
            town_id: None,
            department_id: None,
            org_unit_id: None,
        },
        chrono::Utc::now().timestamp_millis(),
    )
    .await?;
    wtx.commit().await?;
    Ok(Some(password))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn hashed_asset_names_are_recognised() {
        assert!(is_hashed_asset("/concord-frontend-3f2a9c0d1e4b5a6c.js"));
        assert!(is_hashed_asset(
            "/concord-frontend-3f2a9c0d1e4b5a6c_bg.wasm"
        ));
        assert!(is_hashed_asset(
            "/pkg/3f2a9c0d1e4b5a6c/concord_frontend_bg.wasm"
        ));
        assert!(is_hashed_asset("/pkg/3f2a9c0d1e4b5a6c/split_case.wasm"));
        assert!(!is_hashed_asset("/pkg/split_case.wasm"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/style.css"));
    }
}
