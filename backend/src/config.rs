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
//! | `CONCORD_PUBLIC_URL` | the request's host | the address residents reach the center's site at (`https://zz.example.gov.cn`): receipts print it and their QR codes open it |
//! | `CONCORD_LOGIN_MAX_FAILURES` | `5` | failed sign-ins per username and address before 429 |
//! | `CONCORD_LOGIN_IP_MAX_FAILURES` | `50` | failed sign-ins per address (any username) before 429 |
//! | `CONCORD_LOGIN_WINDOW_MINUTES` | `15` | window of the two limits above |
//! | `CONCORD_STATUS_MAX_FAILURES` | `10` | failed public status look-ups per address before 429 |
//! | `CONCORD_STATUS_WINDOW_MINUTES` | `10` | window of the limit above |
//! | `CONCORD_STATUS_CODE_MAX_FAILURES` | `20` | failed look-ups of one case code (from any address) before 429 |
//! | `CONCORD_STATUS_CODE_WINDOW_MINUTES` | `15` | window of the limit above: the longest a code under attack stays locked after the attack stops |
//! | `CONCORD_ONLINE_MAX_PER_ADDRESS` | `5` | online requests (the public form) accepted per address per hour |
//! | `CONCORD_ONLINE_MAX_PER_PHONE` | `3` | online requests accepted per contact phone per 24 hours |
//! | `CONCORD_OPEN311_MAX_PER_CLIENT` | `200` | requests one Open311 client (API key) may post per hour |
//! | `CONCORD_REPEAT_SEARCHES` | `300` | searches for repeat matters (by phone or ID number) one person may make per 15 minutes |
//! | `CONCORD_OPEN311_JURISDICTION` | none | the Open311 `jurisdiction_id` this server answers to (e.g. `guazhou.gov.cn`); when set, another one is a 404; when not, the parameter is ignored |
//! | `CONCORD_DB_MAX_CONNECTIONS` | `8` | size of the database pool (writes have a pool of their own beside it) |
//! | `CONCORD_HEADER_TIMEOUT_SECONDS` | `10` | how long a client may take to send a request's headers |
//! | `CONCORD_TRUST_PROXY` | `false` | behind a reverse proxy: take the client address from `X-Forwarded-For`, its rightmost hop that is not a trusted proxy |
//! | `CONCORD_TRUSTED_PROXIES` | none | further proxies in front of that one (comma-separated addresses or CIDR ranges, e.g. `10.0.0.0/8`) |

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{FixedOffset, NaiveDate, Offset as _, TimeZone as _, Utc};

/// The name of the agreement PDF's font in the static folder's `fonts/`.
pub const PDF_FONT_FILE: &str = "NotoSerifSC-Regular.ttf";

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
    /// Where residents reach the site (receipts and their QR codes); none: the request's host.
    pub public_url: Option<String>,
    pub login_max_failures: u32,
    pub login_ip_max_failures: u32,
    pub login_window: Duration,
    pub status_max_failures: u32,
    pub status_window: Duration,
    pub status_code_max_failures: u32,
    pub status_code_window: Duration,
    /// Online requests (网上诉求) accepted per address per `online_window_address`.
    pub online_max_per_address: u32,
    pub online_window_address: Duration,
    /// Online requests accepted per contact phone per `online_window_phone`.
    pub online_max_per_phone: u32,
    pub online_window_phone: Duration,
    /// Requests an Open311 client may post per `open311_window`.
    pub open311_max_per_client: u32,
    pub open311_window: Duration,
    /// Searches for repeat matters one person may make per `repeat_search_window`.
    pub repeat_searches: u32,
    pub repeat_search_window: Duration,
    /// The Open311 `jurisdiction_id` served (`None`: the parameter is ignored).
    pub open311_jurisdiction: Option<String>,
    pub db_max_connections: u32,
    /// How long a client may take to send a request's headers before the connection closes.
    pub header_read_timeout: Duration,
    pub trust_proxy: bool,
    /// Proxies whose `X-Forwarded-For` hops are skipped when finding the client.
    pub trusted_proxies: Vec<IpNet>,
    /// How often the supervisor runs (response timeouts, escalations); zero: never.
    pub supervise_interval: Duration,
    /// How often an open live stream checks that its session still stands and its reader's
    /// role, town, department and line are unchanged (tests shorten it).
    pub stream_session_check: Duration,
    /// The font the agreement's PDF is set in (`None`: `fonts/NotoSerifSC-Regular.ttf` in the
    /// static folder, where `cargo xtask build-frontend` puts it).
    pub pdf_font: Option<PathBuf>,
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
            public_url: None,
            login_max_failures: 5,
            login_ip_max_failures: 50,
            login_window: Duration::from_secs(15 * 60),
            status_max_failures: 10,
            status_window: Duration::from_secs(10 * 60),
            status_code_max_failures: 20,
            status_code_window: Duration::from_secs(15 * 60),
            online_max_per_address: 5,
            online_window_address: Duration::from_secs(60 * 60),
            online_max_per_phone: 3,
            online_window_phone: Duration::from_secs(24 * 60 * 60),
            open311_max_per_client: 200,
            open311_window: Duration::from_secs(60 * 60),
            repeat_searches: 300,
            repeat_search_window: Duration::from_secs(15 * 60),
            open311_jurisdiction: None,
            db_max_connections: 8,
            header_read_timeout: Duration::from_secs(10),
            trust_proxy: false,
            trusted_proxies: Vec::new(),
            supervise_interval: Duration::from_secs(60),
            stream_session_check: Duration::from_secs(60),
            pdf_font: None,
        }
    }
}

impl Config {
    /// The agreement PDF's font file.
    pub fn pdf_font_path(&self) -> PathBuf {
        self.pdf_font
            .clone()
            .unwrap_or_else(|| self.static_dir.join("fonts").join(PDF_FONT_FILE))
    }

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
        c.pdf_font = var("CONCORD_PDF_FONT").map(PathBuf::from);
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
        if let Some(v) = var("CONCORD_PUBLIC_URL") {
            let v = v.trim().trim_end_matches('/').to_owned();
            if !(v.starts_with("https://") || v.starts_with("http://"))
                || v.contains(['?', '#', ' '])
            {
                return Err(
                    "CONCORD_PUBLIC_URL must be an http:// or https:// address without a query"
                        .to_owned(),
                );
            }
            c.public_url = Some(v);
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
        if let Some(v) = parse::<u32>("CONCORD_STATUS_CODE_MAX_FAILURES")? {
            c.status_code_max_failures = v;
        }
        if let Some(v) = parse::<u64>("CONCORD_STATUS_CODE_WINDOW_MINUTES")? {
            c.status_code_window = Duration::from_secs(v * 60);
        }
        if let Some(v) = parse::<u32>("CONCORD_ONLINE_MAX_PER_ADDRESS")? {
            c.online_max_per_address = v;
        }
        if let Some(v) = parse::<u32>("CONCORD_ONLINE_MAX_PER_PHONE")? {
            c.online_max_per_phone = v;
        }
        if let Some(v) = parse::<u32>("CONCORD_OPEN311_MAX_PER_CLIENT")? {
            c.open311_max_per_client = v;
        }
        if let Some(v) = parse::<u32>("CONCORD_REPEAT_SEARCHES")? {
            c.repeat_searches = v;
        }
        if let Some(v) = var("CONCORD_OPEN311_JURISDICTION") {
            let v = v.trim();
            c.open311_jurisdiction = (!v.is_empty()).then(|| v.to_owned());
        }
        if let Some(v) = parse::<u32>("CONCORD_DB_MAX_CONNECTIONS")? {
            c.db_max_connections = v.max(1);
        }
        if let Some(v) = parse::<u64>("CONCORD_HEADER_TIMEOUT_SECONDS")? {
            c.header_read_timeout = Duration::from_secs(v.max(1));
        }
        if let Some(v) = parse::<u64>("CONCORD_SUPERVISE_SECONDS")? {
            c.supervise_interval = Duration::from_secs(v);
        }
        if let Some(v) = parse_bool("CONCORD_TRUST_PROXY")? {
            c.trust_proxy = v;
        }
        if let Some(v) = var("CONCORD_TRUSTED_PROXIES") {
            c.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        format!("CONCORD_TRUSTED_PROXIES: `{s}` is not an address or CIDR range")
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(c)
    }

    /// The centers' time zone.
    pub fn timezone(&self) -> FixedOffset {
        FixedOffset::east_opt(self.timezone_offset_hours * 3600)
            .unwrap_or_else(|| FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix()))
    }

    /// The centers' time zone in milliseconds east of UTC.
    pub fn offset_ms(&self) -> i64 {
        i64::from(self.timezone().local_minus_utc()) * 1000
    }

    /// Today's date in the centers' time zone.
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.timezone()).date_naive()
    }

    /// A period of days (both included, either end open) as milliseconds: the first
    /// instant of `from`, and the first instant after `to`, in the centers' time zone.
    pub fn day_bounds(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> (Option<i64>, Option<i64>) {
        let tz = self.timezone();
        let start_ms = |day: NaiveDate| {
            tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                .single()
                .map(|t| t.timestamp_millis())
        };
        (
            from.and_then(start_ms),
            to.and_then(|d| d.checked_add_days(chrono::Days::new(1)))
                .and_then(start_ms),
        )
    }
}

/// An address range: an address and how many leading bits a member shares with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl IpNet {
    /// Whether `ip` is in the range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = ();

    fn from_str(s: &str) -> Result<IpNet, ()> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| ())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().map_err(|_| ())?,
            None => max,
        };
        if prefix > max {
            return Err(());
        }
        Ok(IpNet { addr, prefix })
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

#[cfg(test)]
mod tests {
    use super::IpNet;

    #[test]
    fn address_ranges_contain_their_members_only() {
        let net: IpNet = "10.0.0.0/8".parse().unwrap_or(IpNet {
            addr: [0, 0, 0, 0].into(),
            prefix: 32,
        });
        assert!(net.contains([10, 1, 2, 3].into()));
        assert!(!net.contains([11, 0, 0, 1].into()));
        assert!(net.contains("::ffff:10.9.9.9".parse().unwrap_or([0, 0, 0, 0].into())));
        let one: Result<IpNet, ()> = "192.168.1.7".parse();
        assert!(one.is_ok_and(
            |n| n.contains([192, 168, 1, 7].into()) && !n.contains([192, 168, 1, 8].into())
        ));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!("proxy".parse::<IpNet>().is_err());
        let all: Result<IpNet, ()> = "0.0.0.0/0".parse();
        assert!(all.is_ok_and(|n| n.contains([8, 8, 8, 8].into())));
    }
}
