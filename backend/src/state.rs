//! The state every handler shares: the database, the configuration, the in-memory caches
//! (boards, cases, sessions), the guessing limits, the password hasher and the access-log
//! writer. Cheap to clone (one `Arc`).
//!
//! Cache validity: every write to a town's cases bumps the town's revision (in the database,
//! in the same transaction, and in this server's memory after the commit). Cached boards and
//! cases remember the revision they were built at and are rebuilt when it moved. On SQLite,
//! one server owns the database file and every write goes through it, so the revision is
//! read from memory: hot reads touch no database at all. On PostgreSQL, other servers may
//! write: each server LISTENs for the revisions the others commit (`crate::live`), and reads
//! the database only while its listener is down.
//! Anything that changes cases behind the server's back must call `AppState::clear_caches`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use chrono::NaiveDate;
use shared::model::UserInfo;
use tokio::sync::watch;

use shared::Lang;
use shared::calendar::Calendar;
use shared::deadline::DueExplained;
use shared::model::{CaseDetail, Party};

use crate::config::Config;
use crate::db::cases::{CardEntry, CaseRow};
use crate::db::{self, Backend, Db};
use crate::hasher::Hasher;
use crate::limits::AttemptLimiter;

/// Everything a handler needs: one `Arc`, so that the clones axum makes for every request
/// (each layer and extractor takes its own) cost one atomic count, not one per field.
#[derive(Debug, Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// What an [`AppState`] holds.
#[derive(Debug)]
pub struct AppStateInner {
    pub db: Db,
    pub config: Arc<Config>,
    pub(crate) boards: Arc<BoardCache>,
    pub(crate) sessions: Arc<SessionCache>,
    pub(crate) limits: Arc<Limits>,
    /// Password hashing, bounded (see `hasher`).
    pub hasher: Hasher,
    pub(crate) revisions: Arc<Revisions>,
    pub(crate) cases: Arc<CaseCache>,
    pub(crate) access_log: Arc<Mutex<AccessBuffer>>,
    /// Permits for slow work (searches, lists, exports): a quarter of the pool.
    slow_work: Arc<tokio::sync::Semaphore>,
    /// Permits for ledger exports: one at a time per server (its chunks also take
    /// `slow_work` permits, one chunk at a time).
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The working-day calendar, loaded from the database.
    calendar: Arc<CalendarCache>,
    /// The live board's hub (see `crate::live`).
    pub(crate) live: Arc<crate::live::LiveHub>,
    /// The dashboards built (see `crate::dashboard`).
    pub dashboards: Arc<crate::dashboard::DashboardCache>,
}

/// The calendar as last loaded, and when. Another server sharing a PostgreSQL database may
/// edit it, so a loaded calendar is used for at most `CALENDAR_TTL`.
#[derive(Debug, Default)]
struct CalendarCache {
    current: RwLock<Option<(Arc<Calendar>, Instant)>>,
    loading: tokio::sync::Mutex<()>,
}

/// How long a loaded calendar is used before it is read again.
const CALENDAR_TTL: Duration = Duration::from_secs(60);

/// The longest a piece of slow work may run before it is abandoned with 429.
pub(crate) const SLOW_WORK_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a piece of slow work waits for a permit.
const SLOW_WORK_QUEUE: Duration = Duration::from_secs(5);

/// The answer when slow work cannot start or finish in time.
pub(crate) fn too_slow() -> crate::error::AppError {
    let lang = crate::error::lang();
    shared::ApiError::new(shared::ErrorKind::RateLimited, lang)
        .with_message(lang.pick(
            "查询繁忙或耗时过长,请缩小范围或稍后再试。",
            "The search is busy or took too long; narrow it or try again shortly.",
        ))
        .with_retry_after(2)
        .into()
}

impl AppState {
    /// The state for a database and a configuration.
    pub fn new(db: Db, config: Config) -> AppState {
        let limits = Limits::new(&config);
        let slow_permits = (config.db_max_connections as usize / 4).max(1);
        AppState(Arc::new(AppStateInner {
            db,
            config: Arc::new(config),
            boards: Arc::new(BoardCache::default()),
            sessions: Arc::new(SessionCache::default()),
            limits: Arc::new(limits),
            hasher: Hasher::for_this_machine(),
            revisions: Arc::new(Revisions::default()),
            cases: Arc::new(CaseCache::default()),
            access_log: Arc::new(Mutex::new(AccessBuffer::default())),
            slow_work: Arc::new(tokio::sync::Semaphore::new(slow_permits)),
            exports: Arc::new(tokio::sync::Semaphore::new(1)),
            calendar: Arc::new(CalendarCache::default()),
            live: Arc::new(crate::live::LiveHub::default()),
            dashboards: Arc::new(crate::dashboard::DashboardCache::default()),
        }))
    }

    fn fresh_calendar(&self) -> Option<Arc<Calendar>> {
        let current = self
            .calendar
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|(_, at)| at.elapsed() < CALENDAR_TTL)
            .map(|(c, _)| Arc::clone(c))
    }

    /// The working-day calendar (read from the database at most once a minute; requests that
    /// find it stale together read it once).
    pub async fn calendar(&self) -> Result<Arc<Calendar>, sqlx::Error> {
        if let Some(c) = self.fresh_calendar() {
            return Ok(c);
        }
        let _loading = self.calendar.loading.lock().await;
        if let Some(c) = self.fresh_calendar() {
            return Ok(c);
        }
        let mut conn = self.db.pool.acquire().await?;
        let loaded = Arc::new(db::calendar::load(&mut conn).await?);
        self.set_calendar(Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Replaces the calendar in memory (after an edit has been committed).
    pub fn set_calendar(&self, calendar: Arc<Calendar>) {
        *self
            .calendar
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some((calendar, Instant::now()));
    }

    /// A permit for slow work (see `slow_work`), waiting at most `SLOW_WORK_QUEUE`.
    pub(crate) async fn slow_work(
        &self,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, crate::error::AppError> {
        tokio::time::timeout(SLOW_WORK_QUEUE, Arc::clone(&self.slow_work).acquire_owned())
            .await
            .map_err(|_| too_slow())?
            .map_err(crate::error::AppError::internal)
    }

    /// Drops every cached board, case and session (after changing data behind the server's
    /// back, e.g. in tests or a data import).
    pub fn clear_caches(&self) {
        self.revisions.clear();
        self.boards.clear();
        self.cases.clear();
        self.sessions.clear();
        self.dashboards.clear();
    }

    /// The town's current revision (see the module doc).
    pub(crate) async fn town_rev(&self, town_id: i64) -> Result<i64, sqlx::Error> {
        match self.db.backend {
            Backend::Sqlite => Ok(self.revisions.get(town_id)),
            Backend::Postgres => {
                // While this server LISTENs, every commit of every server is heard: the
                // revision is known here without asking the database.
                self.live.start(self);
                if let Some(rev) = self.live.pg_rev(town_id) {
                    return Ok(rev);
                }
                let mut conn = self.db.pool.acquire().await?;
                let rev = db::cases::town_rev(&mut conn, town_id).await?;
                self.live.pg_observe(town_id, rev);
                Ok(rev)
            }
        }
    }

    /// Commits a write to one case of a town and tells the caches: the town's revision moves
    /// on, and the board remembers which case changed, so the next read patches that card
    /// alone instead of rebuilding the board (`routes::board`). Writers never wait for a
    /// board; a burst of writes costs one patch. `db_rev` is the revision `bump_town` returned
    /// (the board's revision on PostgreSQL; SQLite counts in memory).
    pub(crate) async fn commit_case_change(
        &self,
        wtx: db::WriteTx,
        town_id: i64,
        case_id: i64,
        db_rev: i64,
    ) -> Result<(), sqlx::Error> {
        let change = crate::live::Change {
            town_id,
            rev: db_rev,
            case_id,
        };
        self.commit_changes(wtx, &[change]).await
    }

    /// Commits a write that changed a case in several towns (a transfer: the town it left and
    /// the town it went to), telling each town's caches as `commit_case_change` does.
    pub(crate) async fn commit_changes(
        &self,
        wtx: db::WriteTx,
        changes: &[crate::live::Change],
    ) -> Result<(), sqlx::Error> {
        self.live.start(self);
        let mut wtx = wtx;
        if self.db.backend == Backend::Postgres {
            // Delivered to every server's listener when (and only if) the write commits.
            for change in changes {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(crate::live::PG_CHANNEL)
                    .bind(crate::live::payload(*change))
                    .execute(&mut *wtx.tx)
                    .await?;
            }
        }
        wtx.commit_and(|| {
            for change in changes {
                self.note_committed(*change);
            }
        })
        .await
    }

    /// Tells the caches of one committed change (under the write lock on SQLite).
    fn note_committed(&self, change: crate::live::Change) {
        let crate::live::Change {
            town_id,
            rev: db_rev,
            case_id,
        } = change;
        {
            let rev = match self.db.backend {
                // The change is noted before the revision moves, so a reader that sees the
                // new revision always finds the note (and patches instead of rebuilding). No
                // other write can move the revision meanwhile: this runs under the write lock.
                Backend::Sqlite => {
                    let rev = self.revisions.get(town_id) + 1;
                    self.boards.note_change(town_id, rev, case_id);
                    self.dashboards.store.note_change(town_id, rev, case_id);
                    self.revisions.bump(town_id);
                    rev
                }
                Backend::Postgres => {
                    self.boards.note_change(town_id, db_rev, case_id);
                    self.dashboards.store.note_change(town_id, db_rev, case_id);
                    self.live.pg_observe(town_id, db_rev);
                    db_rev
                }
            };
            // In revision order: on SQLite under the write lock. On PostgreSQL the listener
            // publishes every server's changes in commit order; only while it is down does a
            // server publish its own.
            if self.db.backend == Backend::Sqlite || !self.live.pg_listening() {
                self.live.note(crate::live::Change {
                    town_id,
                    rev,
                    case_id,
                });
            }
        }
    }

    /// Commits a write that changes the town but no case (the grid roster): the revision
    /// moves, so cached case pages are built again, and no card is reloaded (no case has id 0;
    /// the live stream tells boards a case 0 left, which they ignore).
    pub(crate) async fn commit_town_change(
        &self,
        wtx: db::WriteTx,
        town_id: i64,
        db_rev: i64,
    ) -> Result<(), sqlx::Error> {
        self.commit_case_change(wtx, town_id, 0, db_rev).await
    }

    /// A case with its parties and public notes, from the cache if its town has not changed
    /// since it was loaded. `None` if there is no such case.
    pub(crate) async fn case(&self, id: i64) -> Result<Option<Arc<CachedCase>>, sqlx::Error> {
        let town = match self.cases.get(id) {
            Some(cached) => {
                if cached.rev == self.town_rev(cached.row.town_id).await? {
                    return Ok(Some(cached));
                }
                cached.row.town_id
            }
            None => {
                let mut conn = self.db.pool.acquire().await?;
                match db::cases::town_of(&mut conn, id).await? {
                    Some(town) => town,
                    None => return Ok(None),
                }
            }
        };
        // The revision is read before the case: a write landing in between leaves an entry
        // that is already stale, never one that looks current but is not.
        let rev = self.town_rev(town).await?;
        let mut conn = self.db.pool.acquire().await?;
        let Some(row) = db::cases::by_id(&mut conn, id).await? else {
            return Ok(None);
        };
        let parties = db::cases::parties(&mut conn, id).await?;
        let public_notes = db::events::public_notes(&mut conn, id).await?;
        let extras = db::clock::extras(&mut conn, id).await?;
        drop(conn);
        let explained = row.explain_due(
            extras.pauses(),
            &*self.calendar().await?,
            self.config.today(),
        )?;
        let cached = Arc::new(CachedCase {
            rev,
            explained,
            extras,
            row,
            parties,
            public_notes,
            details: Default::default(),
            json: Default::default(),
            public_json: Default::default(),
        });
        self.cases.put(id, Arc::clone(&cached));
        Ok(Some(cached))
    }

    /// The id of the case with this code (codes never change, so this is cached for good).
    pub(crate) async fn case_id_by_code(&self, code: &str) -> Result<Option<i64>, sqlx::Error> {
        if let Some(id) = self.cached_case_id(code) {
            return Ok(Some(id));
        }
        let mut conn = self.db.pool.acquire().await?;
        let id = db::cases::id_by_code(&mut conn, code).await?;
        if let Some(id) = id {
            self.cases.remember_code(code, id);
        }
        Ok(id)
    }

    /// The id of the case with this code, if this server has looked it up before (memory
    /// only).
    pub(crate) fn cached_case_id(&self, code: &str) -> Option<i64> {
        self.cases.id_of(code)
    }

    /// Records a read of unmasked personal data, and returns once it is on disk: the data is
    /// answered only if its reading is logged. Entries are written in batches by one writer
    /// task at a time (two on PostgreSQL, so that a batch need not wait for the commit of the
    /// one before it); a request adds its entry to the pending batch and waits for that batch
    /// alone (never for the ones after it), so under load many reads cost one transaction and
    /// no read waits longer than about two of them.
    pub(crate) async fn log_access(
        &self,
        entry: AccessEntry,
    ) -> Result<(), crate::error::AppError> {
        let (mut done, start_writer) = {
            let mut buf = self
                .access_log
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            buf.pending.push(entry);
            let done = buf.pending_done.subscribe();
            // A second writer on PostgreSQL: while one batch is on its way to the database,
            // the next can be too (SQLite writes one at a time anyway).
            let most = match self.db.backend {
                Backend::Postgres => ACCESS_WRITERS_POSTGRES,
                Backend::Sqlite => 1,
            };
            let start_writer = buf.writers < most;
            if start_writer {
                buf.writers += 1;
            }
            (done, start_writer)
        };
        if start_writer {
            // A task of its own, so a cancelled request cannot stop the writer.
            let state = self.clone();
            tokio::spawn(async move { state.write_access_log().await });
        }
        let outcome = done
            .wait_for(Option::is_some)
            .await
            .map_err(crate::error::AppError::internal)?
            .clone();
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(crate::error::AppError::internal(format!(
                "the access log could not be written: {e}"
            ))),
            None => Err(crate::error::AppError::internal(
                "access log writer stopped",
            )),
        }
    }

    /// Writes pending batches until none is left; each batch's waiters learn its outcome.
    /// A batch of up to `ACCESS_ROWS_PER_STATEMENT` entries is one INSERT, atomic without a
    /// transaction (saving BEGIN and COMMIT); a larger one is a transaction. A failed batch is
    /// not retried: its reads are answered with an error instead.
    async fn write_access_log(&self) {
        let mut guard = WriterGuard {
            buffer: &self.access_log,
            armed: true,
        };
        let mut last_batch = 0;
        loop {
            // Group commit: after a large batch (the server is busy), let the requests just
            // answered come back first, so the next batch is large too. Measured on 2 cores:
            // 18,000 instead of 11,000 logged reads/s at concurrency 16. A lone read never waits.
            if last_batch >= GROUP_COMMIT_AFTER {
                for _ in 0..GROUP_COMMIT_YIELDS {
                    tokio::task::yield_now().await;
                }
            }
            let (batch, done) = {
                let mut buf = self
                    .access_log
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                if buf.pending.is_empty() {
                    buf.writers -= 1;
                    guard.armed = false;
                    return;
                }
                let done = std::mem::replace(&mut buf.pending_done, watch::channel(None).0);
                (std::mem::take(&mut buf.pending), done)
            };
            let rows: Vec<_> = batch
                .iter()
                .map(|e| (e.case_id, e.user_id, e.at_ms, e.what))
                .collect();
            let written = async {
                if rows.len() <= db::events::ACCESS_ROWS_PER_STATEMENT {
                    let mut write = self.db.single_write().await?;
                    db::events::log_accesses(&mut write.conn, &rows).await
                } else {
                    let mut wtx = self.db.begin_write().await?;
                    db::events::log_accesses(&mut wtx.tx, &rows).await?;
                    wtx.commit().await
                }
            }
            .await;
            if let Err(e) = &written {
                tracing::error!("writing {} access-log entries failed: {e}", batch.len());
            }
            last_batch = batch.len();
            done.send_replace(Some(written.map_err(|e| e.to_string())));
        }
    }
}

/// At most this many access-log batches are written at once on PostgreSQL (measured at
/// concurrency 16 on 2 cores: one writer left the machine a third idle, waiting on commits).
const ACCESS_WRITERS_POSTGRES: usize = 2;
/// A batch of at least this many access-log entries counts as load (see `write_access_log`).
const GROUP_COMMIT_AFTER: usize = 4;
/// How often the access-log writer yields to other tasks before a batch under load.
const GROUP_COMMIT_YIELDS: usize = 4;

/// Should the writer task stop half-way (a panic), its pending entries' waiters get an error
/// and the next read starts a new writer, instead of every later read waiting for ever.
struct WriterGuard<'a> {
    buffer: &'a Mutex<AccessBuffer>,
    armed: bool,
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut buf = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        buf.writers -= 1;
        if buf.writers > 0 {
            // The other writer takes what is pending.
            return;
        }
        buf.pending.clear();
        buf.pending_done
            .send_replace(Some(Err("the access-log writer stopped".to_owned())));
        buf.pending_done = watch::channel(None).0;
    }
}

/// One read of unmasked personal data.
#[derive(Debug, Clone)]
pub(crate) struct AccessEntry {
    pub case_id: i64,
    pub user_id: i64,
    pub at_ms: i64,
    pub what: &'static str,
}

/// Access-log entries not yet written, the channel on which their batch's outcome will be
/// announced, and how many writer tasks are running.
#[derive(Debug)]
pub(crate) struct AccessBuffer {
    pending: Vec<AccessEntry>,
    pending_done: watch::Sender<Option<Result<(), String>>>,
    writers: usize,
}

impl Default for AccessBuffer {
    fn default() -> AccessBuffer {
        AccessBuffer {
            pending: Vec::new(),
            pending_done: watch::channel(None).0,
            writers: 0,
        }
    }
}

/// The guessing limits (see `limits`): sign-in per username and address and per address,
/// the public look-up per address and per case code; and the online requests per address
/// and per phone, and the Open311 requests per client. Keys are text.
#[derive(Debug)]
pub(crate) struct Limits {
    pub login_user: Arc<AttemptLimiter<String>>,
    pub login_ip: Arc<AttemptLimiter<String>>,
    pub status_ip: Arc<AttemptLimiter<String>>,
    pub status_code: Arc<AttemptLimiter<String>>,
    /// Online requests per address and per contact phone (every accepted request counts).
    pub online_ip: Arc<AttemptLimiter<String>>,
    pub online_phone: Arc<AttemptLimiter<String>>,
    /// Requests posted per Open311 client (every accepted request counts).
    pub open311_client: Arc<AttemptLimiter<String>>,
    /// Searches for repeat matters per person (`routes::repeats`; every search counts).
    pub repeat_search: Arc<AttemptLimiter<i64>>,
}

impl Limits {
    fn new(c: &Config) -> Limits {
        let limiter = |max, window| Arc::new(AttemptLimiter::new(max, window));
        Limits {
            login_user: limiter(c.login_max_failures, c.login_window),
            login_ip: limiter(c.login_ip_max_failures, c.login_window),
            status_ip: limiter(c.status_max_failures, c.status_window),
            status_code: limiter(c.status_code_max_failures, c.status_code_window),
            online_ip: limiter(c.online_max_per_address, c.online_window_address),
            online_phone: limiter(c.online_max_per_phone, c.online_window_phone),
            open311_client: limiter(c.open311_max_per_client, c.open311_window),
            repeat_search: Arc::new(AttemptLimiter::new(
                c.repeat_searches,
                c.repeat_search_window,
            )),
        }
    }
}

/// Each town's revision as this server knows it (SQLite: the truth; PostgreSQL: unused).
#[derive(Debug, Default)]
pub(crate) struct Revisions {
    map: RwLock<HashMap<i64, i64>>,
}

impl Revisions {
    fn get(&self, town_id: i64) -> i64 {
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&town_id).copied().unwrap_or(0)
    }

    /// Moves the town's revision on; returns the new one.
    fn bump(&self, town_id: i64) -> i64 {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        let rev = map.entry(town_id).or_insert(0);
        *rev += 1;
        *rev
    }

    fn clear(&self) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        // Moving every known revision on (rather than forgetting them) keeps entries built
        // before the clear from ever looking current again.
        for rev in map.values_mut() {
            *rev += 1_000_000;
        }
    }
}

/// A case as loaded for reading: the stored row (names joined), its parties unmasked, and the
/// notes published to the resident; plus what is built from them on first use (the detail
/// and its JSON, unmasked and masked; the public status per language and day).
#[derive(Debug)]
pub(crate) struct CachedCase {
    pub rev: i64,
    pub row: CaseRow,
    /// The due date explained, as of loading.
    pub explained: DueExplained,
    /// Urgings, suspensions, extensions, the police notice.
    pub extras: db::clock::CaseExtras,
    pub parties: Vec<Party>,
    pub public_notes: Vec<(i64, String)>,
    details: [OnceLock<CaseDetail>; 2],
    json: [OnceLock<Bytes>; 2],
    public_json: [Mutex<Option<(NaiveDate, Bytes)>>; 2],
}

impl CachedCase {
    /// The case page's data, with parties unmasked or masked.
    pub fn detail(&self, masked: bool) -> Result<&CaseDetail, sqlx::Error> {
        let slot = &self.details[usize::from(masked)];
        if let Some(detail) = slot.get() {
            return Ok(detail);
        }
        let detail = self.row.clone().into_detail(
            &self.parties,
            &self.extras,
            masked,
            self.explained.clone(),
        )?;
        Ok(slot.get_or_init(|| detail))
    }

    /// `detail(masked)` as JSON.
    pub fn detail_json(&self, masked: bool) -> Result<Bytes, sqlx::Error> {
        let slot = &self.json[usize::from(masked)];
        if let Some(json) = slot.get() {
            return Ok(json.clone());
        }
        let json = serde_json::to_vec(self.detail(masked)?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(slot.get_or_init(|| json.into()).clone())
    }

    /// The public status JSON in `lang` on `today`, built by `build` when not cached.
    pub fn public_json<E>(
        &self,
        lang: Lang,
        today: NaiveDate,
        build: impl FnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        let slot = &self.public_json[usize::from(lang == Lang::En)];
        if let Some((day, json)) = &*slot.lock().unwrap_or_else(PoisonError::into_inner)
            && *day == today
        {
            return Ok(json.clone());
        }
        let json = build()?;
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((today, json.clone()));
        Ok(json)
    }
}

/// Loaded cases by id, and case ids by code.
#[derive(Debug, Default)]
pub(crate) struct CaseCache {
    by_id: RwLock<HashMap<i64, Arc<CachedCase>>>,
    by_code: RwLock<HashMap<String, i64>>,
}

/// Most cases kept in memory before the cache starts over.
const CASE_CACHE_MAX: usize = 20_000;

impl CaseCache {
    fn get(&self, id: i64) -> Option<Arc<CachedCase>> {
        let map = self.by_id.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&id).cloned()
    }

    fn put(&self, id: i64, case: Arc<CachedCase>) {
        let mut map = self.by_id.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CASE_CACHE_MAX {
            map.clear();
        }
        map.insert(id, case);
    }

    fn id_of(&self, code: &str) -> Option<i64> {
        let map = self.by_code.read().unwrap_or_else(PoisonError::into_inner);
        map.get(code).copied()
    }

    fn remember_code(&self, code: &str, id: i64) {
        let mut map = self.by_code.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CASE_CACHE_MAX {
            map.clear();
        }
        map.insert(code.to_owned(), id);
    }

    fn clear(&self) {
        self.by_id
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.by_code
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// A town's board as last built: valid while the town's revision and the day are the same.
#[derive(Debug)]
pub(crate) struct TownBoard {
    pub rev: i64,
    pub today: NaiveDate,
    /// Cards in board order (overdue first, then nearest due date); shared between versions
    /// of the board, so a patched board copies pointers, not cards.
    pub entries: Vec<Arc<CardEntry>>,
    /// The unfiltered `Board` as JSON, `[unmasked, masked]` (for readers who see every case's
    /// parties, and for those who see none), each put together on first use.
    views: [OnceLock<Arc<BoardJson>>; 2],
}

impl TownBoard {
    /// The board of `entries` (sorted here) at `rev` on `today`.
    pub fn build(rev: i64, today: NaiveDate, mut entries: Vec<Arc<CardEntry>>) -> TownBoard {
        entries.sort_by_key(|e| {
            let c = &e.card;
            let overdue = c.stage.is_open() && c.due_on < today;
            (!overdue, c.due_on, c.id)
        });
        TownBoard {
            rev,
            today,
            entries,
            views: Default::default(),
        }
    }

    /// The unfiltered board as JSON, masked or not: put together from each card's JSON, made
    /// when the card was loaded (what serde writes for `Board { today, cards }`), so it costs
    /// a copy, not a serialisation.
    pub fn view(&self, masked: bool) -> &Arc<BoardJson> {
        let index = usize::from(masked);
        self.views[index].get_or_init(|| {
            let size: usize = self.entries.iter().map(|e| e.json[index].len() + 1).sum();
            let mut out = Vec::with_capacity(size + 48);
            out.extend_from_slice(b"{\"today\":\"");
            out.extend_from_slice(self.today.format("%Y-%m-%d").to_string().as_bytes());
            out.extend_from_slice(b"\",\"rev\":");
            out.extend_from_slice(self.rev.to_string().as_bytes());
            out.extend_from_slice(b",\"cards\":[");
            for (i, e) in self.entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(&e.json[index]);
            }
            out.extend_from_slice(b"]}");
            Arc::new(BoardJson::new(out))
        })
    }
}

/// `shared::api::Board`, borrowing its cards.
#[derive(serde::Serialize)]
pub(crate) struct BoardRef<'a> {
    pub today: NaiveDate,
    pub rev: i64,
    pub cards: Vec<&'a shared::model::CaseCard>,
}

/// One unfiltered board as JSON, and gzipped once it has been compressed: compression runs in
/// the background on the first request that accepts gzip, so no request waits for it (until
/// it is ready the plain JSON is sent), and a version replaced before its turn is skipped.
#[derive(Debug)]
pub(crate) struct BoardJson {
    pub json: Bytes,
    gzip: OnceLock<Bytes>,
    started: std::sync::atomic::AtomicBool,
}

impl BoardJson {
    fn new(json: Vec<u8>) -> BoardJson {
        BoardJson {
            json: json.into(),
            gzip: OnceLock::new(),
            started: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The gzipped JSON if it is ready; otherwise starts compressing it (once) and returns
    /// `None`. `current` tells the compressor whether this version is still the board's.
    pub fn gzip_or_start(
        self: &Arc<BoardJson>,
        current: impl Fn() -> bool + Send + 'static,
    ) -> Option<Bytes> {
        if let Some(gz) = self.gzip.get() {
            return Some(gz.clone());
        }
        if !self.started.swap(true, std::sync::atomic::Ordering::AcqRel) {
            let me = Arc::clone(self);
            tokio::task::spawn_blocking(move || {
                if current() {
                    let _ = me.gzip.set(gzip_best(&me.json));
                } else {
                    // Replaced already: let a later request of a current version compress.
                    me.started
                        .store(false, std::sync::atomic::Ordering::Release);
                }
            });
        }
        None
    }
}

/// `data` gzipped at the best level (empty if compression failed).
fn gzip_best(data: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 8),
        flate2::Compression::best(),
    );
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(bytes) => bytes.into(),
        Err(_) => Bytes::new(),
    }
}

/// Per town, the writes through this server (and, on PostgreSQL, those heard from others)
/// not yet in a cache built from the town's cases: (the revision the write moved the town to,
/// the case it changed). A cache at revision `from` patches the cases changed up to `to` when
/// every revision in between is noted, and rebuilds whole otherwise.
#[derive(Debug)]
pub(crate) struct PendingChanges {
    towns: Mutex<HashMap<i64, Vec<(i64, i64)>>>,
    /// Most changes kept per town; beyond, the next read rebuilds whole.
    max: usize,
}

impl PendingChanges {
    pub fn new(max: usize) -> PendingChanges {
        PendingChanges {
            towns: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// Remembers that a write moved the town to `rev` by changing `case_id` (call after the
    /// commit, before any reader can see `rev`).
    pub fn note(&self, town_id: i64, rev: i64, case_id: i64) {
        let mut towns = self.towns.lock().unwrap_or_else(PoisonError::into_inner);
        let list = towns.entry(town_id).or_default();
        if list.contains(&(rev, case_id)) {
            // Noted by the write itself and again by PostgreSQL's notification.
            return;
        }
        if list.len() >= self.max {
            list.clear();
        }
        list.push((rev, case_id));
    }

    /// Forgets the changes a cache built at `rev` holds.
    pub fn applied(&self, town_id: i64, rev: i64) {
        let mut towns = self.towns.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(list) = towns.get_mut(&town_id) {
            list.retain(|(r, _)| *r > rev);
        }
    }

    /// The cases changed from revision `from` to `to`, if every revision in between is noted
    /// (so patching those cases brings a cache from `from` to `to`); `None` if a change was
    /// not heard, or forgotten.
    pub fn between(&self, town_id: i64, from: i64, to: i64) -> Option<Vec<i64>> {
        let towns = self.towns.lock().unwrap_or_else(PoisonError::into_inner);
        let list = towns.get(&town_id)?;
        let mut revs: Vec<(i64, i64)> = list
            .iter()
            .copied()
            .filter(|(rev, _)| *rev > from && *rev <= to)
            .collect();
        revs.sort_unstable();
        let complete = usize::try_from(to - from).is_ok_and(|n| n == revs.len())
            && revs
                .iter()
                .zip(from + 1..)
                .all(|((rev, _), want)| *rev == want);
        complete.then(|| {
            let mut ids: Vec<i64> = revs.into_iter().map(|(_, id)| id).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
    }

    pub fn clear(&self) {
        self.towns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Built boards per town, and one build lock per town so that after a change one request
/// rebuilds the board and the others arriving meanwhile wait for it (single flight) instead
/// of each building its own.
#[derive(Debug)]
pub(crate) struct BoardCache {
    towns: RwLock<HashMap<i64, Arc<TownBoard>>>,
    building: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// The writes not yet in the cached boards.
    pending: PendingChanges,
    /// The county board: every town's cards in one board, with each town's revision it was
    /// put together from.
    county: Mutex<Option<CountyBoard>>,
}

/// The county board with the (town, revision) pairs it was put together from.
type CountyBoard = (Vec<(i64, i64)>, Arc<TownBoard>);

/// Most pending changes kept per town; beyond, the next read rebuilds the board whole.
const PENDING_MAX: usize = 5_000;

impl Default for BoardCache {
    fn default() -> BoardCache {
        BoardCache {
            towns: RwLock::default(),
            building: Mutex::default(),
            pending: PendingChanges::new(PENDING_MAX),
            county: Mutex::default(),
        }
    }
}

impl BoardCache {
    /// The town's board if it was built at revision `rev` or later, on `today`.
    pub fn get(&self, town_id: i64, rev: i64, today: NaiveDate) -> Option<Arc<TownBoard>> {
        let towns = self.towns.read().unwrap_or_else(PoisonError::into_inner);
        towns
            .get(&town_id)
            .filter(|b| b.rev >= rev && b.today == today)
            .cloned()
    }

    pub fn put(&self, town_id: i64, board: Arc<TownBoard>) {
        let rev = board.rev;
        {
            let mut towns = self.towns.write().unwrap_or_else(PoisonError::into_inner);
            let newer = towns
                .get(&town_id)
                .is_some_and(|b| b.rev > board.rev && b.today == board.today);
            if newer {
                return;
            }
            towns.insert(town_id, board);
        }
        self.pending.applied(town_id, rev);
    }

    /// Remembers that a write through this server moved the town to `rev` by changing
    /// `case_id` (call after the commit, before any reader can see `rev`).
    pub fn note_change(&self, town_id: i64, rev: i64, case_id: i64) {
        self.pending.note(town_id, rev, case_id);
    }

    /// The cases changed from revision `from` to `to`, if every revision in between was a
    /// write through this server (so patching those cards brings the board from `from` to
    /// `to`); `None` if another server wrote too, or a change was forgotten.
    pub fn changes_between(&self, town_id: i64, from: i64, to: i64) -> Option<Vec<i64>> {
        self.pending.between(town_id, from, to)
    }

    /// Whether the town's cached board is still at `rev`.
    pub fn is_current(&self, town_id: i64, rev: i64) -> bool {
        let towns = self.towns.read().unwrap_or_else(PoisonError::into_inner);
        towns.get(&town_id).is_some_and(|b| b.rev == rev)
    }

    /// The town's cached board, whatever its revision.
    pub fn latest(&self, town_id: i64) -> Option<Arc<TownBoard>> {
        let towns = self.towns.read().unwrap_or_else(PoisonError::into_inner);
        towns.get(&town_id).cloned()
    }

    /// The lock that one board build of the town holds.
    pub fn build_lock(&self, town_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(building.entry(town_id).or_default())
    }

    /// The cached county board if it was put together from the towns' boards at `revs`
    /// ((town, revision) pairs) on `today`.
    pub fn county(&self, revs: &[(i64, i64)], today: NaiveDate) -> Option<Arc<TownBoard>> {
        let slot = self.county.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref()
            .filter(|(at, board)| at.as_slice() == revs && board.today == today)
            .map(|(_, board)| Arc::clone(board))
    }

    /// Keeps the county board of `revs`.
    pub fn put_county(&self, revs: Vec<(i64, i64)>, board: Arc<TownBoard>) {
        *self.county.lock().unwrap_or_else(PoisonError::into_inner) = Some((revs, board));
    }

    /// Whether the cached county board is still the one of `revs`.
    pub fn county_is_current(&self, revs: &[(i64, i64)]) -> bool {
        let slot = self.county.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref().is_some_and(|(at, _)| at.as_slice() == revs)
    }

    pub fn clear(&self) {
        self.towns
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.pending.clear();
        *self.county.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// How long a server trusts a session it looked up without asking the database again. A
/// sign-out on this server takes effect at once; on another server sharing the database,
/// within this time.
pub(crate) const SESSION_CACHE_TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub(crate) struct CachedSession {
    pub user: UserInfo,
    pub expires_ms: i64,
    pub fetched: Instant,
}

/// Recently checked sessions, by token hash.
#[derive(Debug, Default)]
pub(crate) struct SessionCache {
    map: RwLock<HashMap<String, CachedSession>>,
}

impl SessionCache {
    pub fn get(&self, token_hash: &str, now_ms: i64) -> Option<UserInfo> {
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        map.get(token_hash)
            .filter(|s| s.expires_ms > now_ms && s.fetched.elapsed() < SESSION_CACHE_TTL)
            .map(|s| s.user.clone())
    }

    pub fn put(&self, token_hash: String, session: CachedSession) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() > 10_000 {
            map.retain(|_, s| s.fetched.elapsed() < SESSION_CACHE_TTL);
        }
        map.insert(token_hash, session);
    }

    pub fn remove(&self, token_hash: &str) {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(token_hash);
    }

    pub fn clear(&self) {
        self.map
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
