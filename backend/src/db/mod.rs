//! The database: one pool for SQLite or PostgreSQL (sqlx `Any`, chosen by the URL's scheme),
//! the migrations, and the SQL of each aggregate in its own module. Nothing here knows of axum.
//!
//! The SQL is portable: `$1` placeholders, 64-bit integers, instants as unix milliseconds,
//! dates as `YYYY-MM-DD` text, booleans as 0/1 (see `migrations/README.md`).
//!
//! Writes: SQLite allows one writer at a time. So that "database is locked" never reaches a
//! person, every write transaction on SQLite first takes one async mutex (`Db::begin_write`),
//! so writes queue instead of failing; a busy timeout covers other processes. PostgreSQL
//! takes no lock here; lost updates are prevented by `WHERE version = $n` on case updates.

pub mod accounts;
pub mod agreements;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod categories;
pub mod clock;
pub mod county;
pub mod events;
pub mod figures;
pub mod grid;
pub mod logs;
pub mod mediation;
pub mod meetings;
pub mod open311;
pub mod org;
pub mod repeats;
pub mod roster;
pub mod sessions;
pub mod supervision;
pub mod users;
pub mod views;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Arguments, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::config::Config;

/// The migrations for SQLite, embedded in the binary.
pub static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("../migrations/sqlite");
/// The migrations for PostgreSQL, embedded in the binary.
pub static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if supported.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The connection pools and what the backend needs to know about them. Reads use `pool`;
/// writes have a pool of their own (`write_pool`), so a write never waits for a connection
/// that readers hold — however many reads run, the next write finds its connection free.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    write_pool: AnyPool,
    pub backend: Backend,
    /// Serialises write transactions on SQLite (`None` on PostgreSQL).
    write_lock: Option<Arc<Mutex<()>>>,
    /// The database's URL (PostgreSQL's listener opens a connection of its own).
    url: Secret,
}

/// A string kept out of `Debug` output (a URL may carry a password).
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"…\"")
    }
}

/// A write transaction; on SQLite it holds the write lock until committed or dropped.
#[derive(Debug)]
pub struct WriteTx {
    pub tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

/// A pooled connection for a single writing statement; on SQLite it holds the write lock
/// until dropped.
#[derive(Debug)]
pub struct SingleWrite {
    pub conn: PoolConnection<Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits the transaction (and releases the write lock).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Commits, then runs `after` while still holding the write lock (so that on SQLite no
    /// other write can start before `after` has told the caches).
    pub async fn commit_and(self, after: impl FnOnce()) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _guard } = self;
        tx.commit().await?;
        after();
        drop(_guard);
        Ok(())
    }
}

impl Db {
    /// Opens a pool for `config.database_url`. For SQLite the file and its folder are created
    /// when missing, and every connection runs with WAL, `synchronous=FULL` (an
    /// acknowledged write is on disk), foreign keys and a busy timeout. On PostgreSQL every
    /// statement is bounded by `statement_timeout` (30 s).
    pub async fn connect(config: &Config) -> Result<Db, sqlx::Error> {
        Db::connect_url(&config.database_url, config.db_max_connections).await
    }

    /// Opens a pool for a URL with at most `max_connections` connections.
    pub async fn connect_url(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            sqlx::Error::Configuration(
                format!("unsupported database URL `{url}`: use sqlite:// or postgres://").into(),
            )
        })?;
        let mut url = url.to_owned();
        if backend == Backend::Sqlite {
            url = prepare_sqlite_url(&url)?;
        }
        // A SQLite connection is a file handle in this process: it cannot go stale, so it
        // is not pinged before each use (a round trip to its worker thread on every query).
        // A PostgreSQL connection is pinged by sqlx when it goes back to the pool; before its
        // next use it is pinged again only if it has lain idle for `PING_IDLE` since (a server
        // restart, a proxy's timeout), not on every use: that was a round trip more for every
        // query, on the path of every request.
        let options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false);
        let options = if backend == Backend::Postgres {
            options.before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_IDLE {
                        // A half-open socket never answers: give up on it after a while
                        // (the connection is closed and another one opened).
                        tokio::time::timeout(PING_TIMEOUT, sqlx::Connection::ping(conn))
                            .await
                            .map_err(|_| {
                                sqlx::Error::Io(std::io::Error::new(
                                    std::io::ErrorKind::TimedOut,
                                    "the idle connection did not answer its ping",
                                ))
                            })??;
                    }
                    Ok(true)
                })
            })
        } else {
            options
        };
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        // An acknowledged write survives a power cut (docs/benchmarks.md
                        // gives the cost).
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
        } else {
            options
        };
        // SQLite has one writer at a time (and `write_lock` queues them), so one write
        // connection; PostgreSQL writes in parallel.
        let writers = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => (max_connections / 2).max(2),
        };
        let write_options = options.clone().max_connections(writers);
        let pool = options.connect(&url).await?;
        let write_pool = write_options.connect(&url).await?;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db {
            pool,
            write_pool,
            backend,
            write_lock,
            url: Secret(url.to_owned()),
        })
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url.0
    }

    /// Applies the migrations of this backend that have not run yet.
    /// Then enters the official holiday schedules of years not entered yet.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await?,
        }
        let mut tx = self.begin_write().await?;
        calendar::seed_official(&mut tx.tx, chrono::Utc::now().timestamp_millis()).await?;
        tx.tx.commit().await?;
        Ok(())
    }

    /// A connection for one writing statement outside a transaction (a single statement is
    /// atomic by itself, and saves the BEGIN and COMMIT round trips); on SQLite it holds the
    /// write lock until dropped.
    pub async fn single_write(&self) -> Result<SingleWrite, sqlx::Error> {
        let guard = match &self.write_lock {
            Some(lock) => Some(Arc::clone(lock).lock_owned().await),
            None => None,
        };
        let conn = self.write_pool.acquire().await?;
        Ok(SingleWrite {
            conn,
            _guard: guard,
        })
    }

    /// Begins a write transaction; on SQLite, waits for the write lock first.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match &self.write_lock {
            Some(lock) => Some(Arc::clone(lock).lock_owned().await),
            None => None,
        };
        let tx = self.write_pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }
}

/// How long a PostgreSQL connection may lie idle in the pool before it is pinged on its next
/// use.
const PING_IDLE: Duration = Duration::from_secs(10);
/// How long that ping may take before the connection is given up.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Adds `mode=rwc` (create if missing) to a SQLite URL and creates the file's folder.
fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && !path.is_empty()
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            sqlx::Error::Configuration(
                format!("cannot create folder {}: {e}", parent.display()).into(),
            )
        })?;
    }
    if query.contains("mode=") {
        Ok(url.to_owned())
    } else if query.is_empty() {
        Ok(format!("{url}?mode=rwc"))
    } else {
        Ok(format!("{url}&mode=rwc"))
    }
}

/// A numbering that counts up per town and year.
#[derive(Debug, Clone, Copy)]
pub enum Counter {
    /// Archive numbers (`archive_counters`).
    Archive,
    /// Agreement numbers (`agreement_numbers`).
    Agreement,
}

/// The next number of `counter` for a town in a year (1, 2, …): one row, bumped in place, whose
/// lock orders numbers taken together.
pub async fn next_in_year(
    conn: &mut AnyConnection,
    counter: Counter,
    town_id: i64,
    year: i32,
) -> Result<i64, sqlx::Error> {
    let sql = match counter {
        Counter::Archive => {
            "INSERT INTO archive_counters (town_id, year, last_no) VALUES ($1, $2, 1) \
             ON CONFLICT (town_id, year) DO UPDATE SET last_no = archive_counters.last_no + 1 \
             RETURNING last_no"
        }
        Counter::Agreement => {
            "INSERT INTO agreement_numbers (town_id, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (town_id, year) DO UPDATE SET last = agreement_numbers.last + 1 \
             RETURNING last"
        }
    };
    sqlx::query_scalar(sql)
        .bind(town_id)
        .bind(i64::from(year))
        .fetch_one(conn)
        .await
}

/// Milliseconds since the epoch, as stored.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// An instant from stored milliseconds.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A date as stored (`YYYY-MM-DD`).
pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A date from stored text.
pub fn parse_date(s: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("date `{s}`: {e}")))
}

/// A closed-list value from its stored wire name.
pub fn parse_enum<T: FromStr>(what: &str, s: &str) -> Result<T, sqlx::Error> {
    s.parse()
        .map_err(|_| corrupt(format!("unknown {what} `{s}` in the database")))
}

/// An error for data in the database that does not decode (a bug or a manual edit).
pub fn corrupt(msg: String) -> sqlx::Error {
    sqlx::Error::Decode(msg.into())
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// A query built piece by piece, with numbered placeholders that work on both databases.
#[derive(Debug, Default)]
pub struct SqlBuilder {
    pub sql: String,
    args: Vec<Arg>,
}

impl SqlBuilder {
    /// Starts with a fixed piece of SQL.
    pub fn new(sql: &str) -> SqlBuilder {
        SqlBuilder {
            sql: sql.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends SQL.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Appends a comma-separated placeholder for each id (inside an `IN (…)`).
    pub fn bind_ids(&mut self, ids: &[i64]) -> &mut Self {
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Arg::Int(*id));
        }
        self
    }

    /// The arguments, in placeholder order.
    pub fn arguments(&self) -> Result<AnyArguments<'static>, sqlx::Error> {
        let mut out = AnyArguments::default();
        for arg in &self.args {
            match arg {
                Arg::Int(i) => out.add(*i),
                Arg::Text(s) => out.add(s.clone()),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(out)
    }
}
