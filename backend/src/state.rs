//! The state every handler shares: the database, the configuration and the in-memory caches
//! (boards, sessions) and rate limiters. Cheap to clone.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use chrono::NaiveDate;
use shared::model::UserInfo;

use crate::config::Config;
use crate::db::Db;
use crate::db::cases::CardEntry;

/// Everything a handler needs.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub(crate) boards: Arc<BoardCache>,
    pub(crate) sessions: Arc<SessionCache>,
    pub(crate) status_limiter: Arc<RateLimiter>,
}

impl AppState {
    /// The state for a database and a configuration.
    pub fn new(db: Db, config: Config) -> AppState {
        let status_limiter = RateLimiter::new(config.status_max_failures, config.status_window);
        AppState {
            db,
            config: Arc::new(config),
            boards: Arc::new(BoardCache::default()),
            sessions: Arc::new(SessionCache::default()),
            status_limiter: Arc::new(status_limiter),
        }
    }

    /// Drops every cached board and session (after changing data behind the server's back,
    /// e.g. in tests or a data import).
    pub fn clear_caches(&self) {
        self.boards.clear();
        self.sessions.clear();
    }
}

/// A town's board as last built: valid while the town's revision and the day are the same.
#[derive(Debug)]
pub(crate) struct TownBoard {
    pub rev: i64,
    pub today: NaiveDate,
    /// Cards in board order (overdue first, then nearest due date).
    pub entries: Vec<CardEntry>,
    /// The unfiltered `Board` as JSON, served as is.
    pub json: Bytes,
}

/// Built boards per town.
#[derive(Debug, Default)]
pub(crate) struct BoardCache {
    towns: RwLock<HashMap<i64, Arc<TownBoard>>>,
}

impl BoardCache {
    pub fn get(&self, town_id: i64, rev: i64, today: NaiveDate) -> Option<Arc<TownBoard>> {
        let towns = self.towns.read().unwrap_or_else(PoisonError::into_inner);
        towns
            .get(&town_id)
            .filter(|b| b.rev == rev && b.today == today)
            .cloned()
    }

    pub fn put(&self, town_id: i64, board: Arc<TownBoard>) {
        let mut towns = self.towns.write().unwrap_or_else(PoisonError::into_inner);
        towns.insert(town_id, board);
    }

    pub fn clear(&self) {
        self.towns
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
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

/// Counts failures per address in a sliding window.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the address has used up its failures.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(q) = hits.get_mut(&ip) else {
            return false;
        };
        while q.front().is_some_and(|t| t.elapsed() > self.window) {
            q.pop_front();
        }
        q.len() >= self.max as usize
    }

    /// Records a failure of the address.
    pub fn fail(&self, ip: IpAddr) {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        if hits.len() > 100_000 {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| t.elapsed() <= window));
        }
        hits.entry(ip).or_default().push_back(Instant::now());
    }
}
