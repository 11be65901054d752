//! Configuration from environment variables, with defaults that work on a laptop.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `CONCORD_DATABASE_URL` | `sqlite://data/concord.db` | `sqlite://…` (file created with its folder) or `postgres://…` |
//! | `CONCORD_BIND` | `127.0.0.1:3000` | address the server listens on |
//! | `CONCORD_STATIC_DIR` | `frontend/dist` | the built frontend, served with SPA fallback |
//! | `CONCORD_ADMIN_PASSWORD` | generated and printed once | password of the `admin` user created on first start |
//! | `CONCORD_SESSION_HOURS` | `12` | how long a sign-in lasts |
//! | `CONCORD_TIMEZONE_OFFSET_HOURS` | `8` | the centers' time zone, for "today" (deadlines, badges) |
//! | `CONCORD_COOKIE_SECURE` | `false` | mark the session cookie `Secure` (behind HTTPS) |
//! | `CONCORD_LOGIN_MAX_FAILURES` | `5` | failed sign-ins per username and address before 429 |
//! | `CONCORD_LOGIN_IP_MAX_FAILURES` | `50` | failed sign-ins per address (any username) before 429 |
//! | `CONCORD_LOGIN_WINDOW_MINUTES` | `15` | window of the two limits above |
//! | `CONCORD_STATUS_MAX_FAILURES` | `10` | failed public status look-ups per address before 429 |
//! | `CONCORD_STATUS_WINDOW_MINUTES` | `10` | window of the limit above |
//! | `CONCORD_DB_MAX_CONNECTIONS` | `8` | size of the database pool |
//! | `CONCORD_TRUST_PROXY` | `false` | take the client address from `X-Forwarded-For` (behind a reverse proxy) |

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{FixedOffset, NaiveDate, Offset as _, Utc};

/// The server's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub static_dir: PathBuf,
    pub admin_password: Option<String>,
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// Offset of the centers' time zone from UTC, in hours (China: 8).
    pub timezone_offset_hours: i32,
    pub cookie_secure: bool,
    pub login_max_failures: u32,
    pub login_ip_max_failures: u32,
    pub login_window: Duration,
    pub status_max_failures: u32,
    pub status_window: Duration,
    pub db_max_connections: u32,
    pub trust_proxy: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database_url: "sqlite://data/concord.db".to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            static_dir: PathBuf::from("frontend/dist"),
            admin_password: None,
            session_ttl: Duration::from_secs(12 * 3600),
            timezone_offset_hours: 8,
            cookie_secure: false,
            login_max_failures: 5,
            login_ip_max_failures: 50,
            login_window: Duration::from_secs(15 * 60),
            status_max_failures: 10,
            status_window: Duration::from_secs(10 * 60),
            db_max_connections: 8,
            trust_proxy: false,
        }
    }
}

impl Config {
    /// Reads the `CONCORD_*` variables; unset ones keep their defaults. Fails with a sentence
    /// naming the variable whose value cannot be parsed.
    pub fn from_env() -> Result<Config, String> {
        let mut c = Config::default();
        if let Some(v) = var("CONCORD_DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = parse::<SocketAddr>("CONCORD_BIND")? {
            c.bind = v;
        }
        if let Some(v) = var("CONCORD_STATIC_DIR") {
            c.static_dir = PathBuf::from(v);
        }
        c.admin_password = var("CONCORD_ADMIN_PASSWORD");
        if let Some(h) = parse::<u64>("CONCORD_SESSION_HOURS")? {
            c.session_ttl = Duration::from_secs(h.max(1) * 3600);
        }
        if let Some(h) = parse::<i32>("CONCORD_TIMEZONE_OFFSET_HOURS")? {
            if !(-12..=14).contains(&h) {
                return Err("CONCORD_TIMEZONE_OFFSET_HOURS must be between -12 and 14".to_owned());
            }
            c.timezone_offset_hours = h;
        }
        if let Some(v) = parse_bool("CONCORD_COOKIE_SECURE")? {
            c.cookie_secure = v;
        }
        if let Some(v) = parse::<u32>("CONCORD_LOGIN_MAX_FAILURES")? {
            c.login_max_failures = v;
        }
        if let Some(v) = parse::<u32>("CONCORD_LOGIN_IP_MAX_FAILURES")? {
            c.login_ip_max_failures = v;
        }
        if let Some(v) = parse::<u64>("CONCORD_LOGIN_WINDOW_MINUTES")? {
            c.login_window = Duration::from_secs(v * 60);
        }
        if let Some(v) = parse::<u32>("CONCORD_STATUS_MAX_FAILURES")? {
            c.status_max_failures = v;
        }
        if let Some(v) = parse::<u64>("CONCORD_STATUS_WINDOW_MINUTES")? {
            c.status_window = Duration::from_secs(v * 60);
        }
        if let Some(v) = parse::<u32>("CONCORD_DB_MAX_CONNECTIONS")? {
            c.db_max_connections = v.max(1);
        }
        if let Some(v) = parse_bool("CONCORD_TRUST_PROXY")? {
            c.trust_proxy = v;
        }
        Ok(c)
    }

    /// The centers' time zone.
    pub fn timezone(&self) -> FixedOffset {
        FixedOffset::east_opt(self.timezone_offset_hours * 3600)
            .unwrap_or_else(|| FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix()))
    }

    /// Today's date in the centers' time zone.
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.timezone()).date_naive()
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: FromStr>(name: &str) -> Result<Option<T>, String> {
    match var(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{name}: cannot parse `{v}`")),
    }
}

fn parse_bool(name: &str) -> Result<Option<bool>, String> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(Some(true)),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(Some(false)),
        Some(v) => Err(format!("{name}: expected true or false, got `{v}`")),
    }
}
