//! Demo data: a town center like Guazhou's (瓜州镇, the seed article), loaded only when asked
//! (`concord demo`, `concord serve --demo`) and only into a database with no towns, cases or
//! accounts besides `admin`.
//!
//! What it creates:
//!
//! - 瓜州县 → 瓜州镇 (code `GZ`) with ten villages (渠口村, 三工村, 城北村, 四工村, 六工村,
//!   三道沟村, 南岔村, 双塔村, 桥子村, 瓜州社区), 13 areas (片) and 24 groups (组).
//! - The grid roster of 47 (镇领导包村、专职网格员包片、辅助网格员包组): ten town leaders
//!   (`leader01`…`leader10`, role town leader, one per village), 13 full-time grid workers
//!   (`grid01`…`grid13`, one per area) and 24 auxiliary grid workers (`grid14`…`grid37`, one
//!   per group).
//! - The center: `lead` (center lead), `clerk` and `clerk2` (intake clerks), six mediators
//!   `mediator1`…`mediator6` with their specialties (chosen for prestige, character,
//!   knowledge, experience, legal expertise).
//! - The departments of the seed and the service rooms, each with a liaison account:
//!   派出所 `police`, 司法所 `judicial`, 国土所 `land`, 市场监管所 `market`, 县法学会
//!   `lawsociety`, 人民法庭 `tribunal`, 法律服务室 `legal`, 心理服务室 `psych`.
//! - The center's five rooms, and sessions today and tomorrow for the open cases its
//!   mediators handle.
//! - A year of cases up to today, with parties, due dates from the default clocks and the
//!   whole event log of each (registered → routed → accepted → notes → closed → archived,
//!   with the actor and time of each step): about 140 disputes resolved at a resolution rate
//!   of 95 %, 232 legal and psychological services, 300-odd visitors through the window and
//!   the visitor hall, petitions and demands; and 48 cases on the board in every column, some
//!   overdue and some due within three days.
//!
//! Every demo account's password is `CONCORD_DEMO_PASSWORD`, or `concord-demo` when it is not
//! set. (The administrator `admin` is created by the server as usual.)
//!
//! `DemoSize` with numbers plans a benchmark instead: exactly `open` cases on the board (40 %
//! registered, 20 % routed, 25 % in handling, 15 % closed awaiting archive) and `closed`
//! archived cases. The cases come from a seeded generator (`plan::SEED`): the same size gives
//! the same numbers on every load.
//!
//! - The rest of the county (`county`): 柳园镇, 锁阳城镇 and 西湖镇, smaller centers with a
//!   lead (`lead_ly`, `lead_sy`, `lead_xh`), a clerk, mediators and two liaisons each and a
//!   year of their own cases; and the county officer `county`, who reads every town.
//!
//! The demo is recognised by its town and its `lead` account: loading again does nothing and
//! says when it was loaded.

mod bulk;
pub mod county;
mod grid;
pub mod plan;
pub mod roster;
pub mod texts;
pub mod write;

use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

pub use plan::{DemoSize, Summary};
pub use write::{Account, accounts};

use crate::auth::hash_password_blocking;
use crate::db::from_millis;
use crate::error::AppError;
use crate::state::AppState;

/// The environment variable with the demo accounts' password.
pub const PASSWORD_VAR: &str = "CONCORD_DEMO_PASSWORD";
/// The demo accounts' password when `CONCORD_DEMO_PASSWORD` is not set.
pub const DEFAULT_PASSWORD: &str = "concord-demo";

/// The demo accounts' password, and whether it came from `CONCORD_DEMO_PASSWORD`.
pub fn password() -> (String, bool) {
    match std::env::var(PASSWORD_VAR) {
        Ok(p) if !p.trim().is_empty() => (p, true),
        _ => (DEFAULT_PASSWORD.to_owned(), false),
    }
}

/// What `load` did.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoReport {
    /// The demo was stored now.
    Loaded {
        summary: Summary,
        /// Accounts created (the administrator not included).
        accounts: usize,
        /// Whether the password came from `CONCORD_DEMO_PASSWORD`.
        password_from_env: bool,
        elapsed: Duration,
    },
    /// The database held the demo already; nothing was written.
    AlreadyLoaded { loaded_at: DateTime<Utc> },
}

/// Why the demo was not loaded.
#[derive(Debug)]
pub enum DemoError {
    /// The database holds other data (towns, cases or accounts besides `admin`).
    NotEmpty(String),
    /// Storing failed; nothing was written.
    Failed(AppError),
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::NotEmpty(what) => write!(
                f,
                "the demo is only loaded into an empty database, and this one holds {what}"
            ),
            DemoError::Failed(AppError::Internal(e)) => write!(f, "loading the demo failed: {e}"),
            DemoError::Failed(AppError::Api(e)) => {
                write!(f, "loading the demo failed: {}", e.message)
            }
        }
    }
}

impl std::error::Error for DemoError {}

impl From<AppError> for DemoError {
    fn from(e: AppError) -> DemoError {
        DemoError::Failed(e)
    }
}

impl From<sqlx::Error> for DemoError {
    fn from(e: sqlx::Error) -> DemoError {
        DemoError::Failed(AppError::internal(e))
    }
}

/// Loads the demo into the database of `state`, unless it is there already; then drops the
/// server's cached boards and sessions.
pub async fn load(state: &AppState, size: DemoSize) -> Result<DemoReport, DemoError> {
    let started = Instant::now();
    {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(loaded_at) = loaded_at(&mut conn).await? {
            return Ok(DemoReport::AlreadyLoaded { loaded_at });
        }
        if let Some(what) = other_data(&mut conn).await? {
            return Err(DemoError::NotEmpty(what));
        }
    }
    let (password, password_from_env) = password();
    let hash = tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(AppError::from)??;
    let now = Utc::now();
    let tz = state.config.timezone();
    let plan = tokio::task::spawn_blocking(move || plan::plan(size, now, tz))
        .await
        .map_err(AppError::from)?;

    let mut wtx = state.db.begin_write().await?;
    let ids = write::org_and_people(&mut wtx.tx, &hash, now.timestamp_millis()).await?;
    write::cases(&mut wtx.tx, &ids, &plan, tz).await?;
    write::sessions(&mut wtx.tx, &ids, now, tz).await?;
    write::agreements(&mut wtx.tx, &ids, now, tz).await?;
    grid::people_and_logs(&mut wtx.tx, &ids, now, tz).await?;
    // The whole county, for the demo itself (a sized benchmark load is Guazhou alone).
    let mut codes = plan.cases.iter().map(|c| c.code.clone()).collect();
    let county_accounts = if size == DemoSize::default() {
        county::towns(&mut wtx.tx, ids.county, &hash, now, tz, &mut codes).await?;
        county::account_count()
    } else {
        // The county benchmark: more towns of the same size.
        let more = size.towns.unwrap_or(1).saturating_sub(1);
        county::sized_towns(
            &mut wtx.tx,
            ids.county,
            &hash,
            (now, tz),
            size,
            more,
            &mut codes,
        )
        .await?
    };
    wtx.commit().await?;
    state.clear_caches();
    Ok(DemoReport::Loaded {
        summary: plan.summary(),
        accounts: ids.users + county_accounts,
        password_from_env,
        elapsed: started.elapsed(),
    })
}

/// When the demo was loaded into this database, if it was: the creation time of the demo
/// town's `lead` account.
pub async fn loaded_at(conn: &mut AnyConnection) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT u.created_at FROM users u JOIN org_units t ON t.id = u.town_id \
         WHERE u.username = $1 AND t.level = 'town' AND t.name = $2 AND t.code = $3",
    )
    .bind(roster::LEAD.0)
    .bind(roster::TOWN)
    .bind(roster::TOWN_CODE)
    .fetch_optional(conn)
    .await?;
    Ok(at.map(from_millis))
}

/// What else the database holds, if anything: the demo does not mix with real data.
async fn other_data(conn: &mut AnyConnection) -> Result<Option<String>, sqlx::Error> {
    let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_units")
        .fetch_one(&mut *conn)
        .await?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role <> 'admin'")
        .fetch_one(&mut *conn)
        .await?;
    let cases = crate::db::cases::count(conn).await?;
    let mut what = Vec::new();
    for (n, label) in [(units, "org units"), (users, "accounts"), (cases, "cases")] {
        if n > 0 {
            what.push(format!("{n} {label}"));
        }
    }
    Ok((!what.is_empty()).then(|| what.join(", ")))
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoReport::AlreadyLoaded { loaded_at } => write!(
                f,
                "The demo center is already loaded (since {}); nothing was changed.",
                loaded_at.format("%Y-%m-%d %H:%M UTC")
            ),
            DemoReport::Loaded {
                summary: s,
                accounts,
                password_from_env,
                elapsed,
            } => {
                let rate = |r: Option<f64>| r.map_or("–".to_owned(), |r| format!("{r:.1} %"));
                writeln!(
                    f,
                    "Loaded the demo center {} {} in {:.1} s:",
                    roster::COUNTY,
                    roster::TOWN,
                    elapsed.as_secs_f64()
                )?;
                let (leaders, areas, groups) = roster::grid_roster_counts();
                writeln!(
                    f,
                    "  {} villages, {areas} areas, {groups} groups; {} grid workers ({leaders} town leaders, {areas} full-time, {groups} auxiliary); {accounts} accounts",
                    roster::VILLAGES.len(),
                    leaders + areas + groups,
                )?;
                writeln!(
                    f,
                    "  {} cases, {} events; on the board: {} registered, {} routed, {} in handling, {} closed awaiting archive ({} overdue, {} due within 3 days); {} archived",
                    s.cases,
                    s.events,
                    s.board[0],
                    s.board[1],
                    s.board[2],
                    s.board[3],
                    s.overdue,
                    s.due_soon,
                    s.archived
                )?;
                writeln!(
                    f,
                    "  disputes resolved: {} of {} (resolution rate {}; all kinds {}); legal and psychological services: {}; visitors: {}; petitions: {}; demands: {}",
                    s.disputes_resolved,
                    s.disputes_counted,
                    rate(s.dispute_resolution_rate),
                    rate(s.overall_resolution_rate),
                    s.services,
                    s.visitors,
                    s.petitions,
                    s.demands
                )?;
                writeln!(
                    f,
                    "  accounts: lead, clerk, clerk2, mediator1–mediator6, police, judicial, land, market, lawsociety, tribunal, legal, psych, leader01–leader10, grid01–grid37"
                )?;
                if *accounts == roster_accounts() + county::account_count() {
                    let towns: Vec<String> = county::TOWNS
                        .iter()
                        .map(|t| format!("{} ({})", t.name, county::usernames(t).join(", ")))
                        .collect();
                    writeln!(
                        f,
                        "  the rest of the county: {}; the county officer: {}; the county's departments: {}",
                        towns.join("; "),
                        county::OFFICER.0,
                        county_departments()
                    )?;
                } else if *accounts > roster_accounts() {
                    writeln!(
                        f,
                        "  more towns of the same size (leads lead_t01, lead_t02…); the county officer: {}; the county's departments: {}",
                        county::OFFICER.0,
                        county_departments()
                    )?;
                }
                if *password_from_env {
                    write!(
                        f,
                        "  password of every demo account: the value of {PASSWORD_VAR}"
                    )
                } else {
                    write!(
                        f,
                        "  password of every demo account: {DEFAULT_PASSWORD} (set {PASSWORD_VAR} to choose another)"
                    )
                }
            }
        }
    }
}

/// How many accounts Guazhou's demo has.
fn roster_accounts() -> usize {
    accounts().len()
}

#[cfg(test)]
mod tests;

/// The county departments' usernames and lines, as the demo's summary names them.
fn county_departments() -> String {
    county::COUNTY_DEPARTMENTS
        .iter()
        .map(|(username, _, line)| {
            let line: Vec<&str> = line.iter().map(|c| c.label(shared::Lang::Zh)).collect();
            format!("{username} ({})", line.join("、"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
