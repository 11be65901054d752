//! The live board: every change to a town's cases reaches its open boards and case pages as a
//! server-sent event, in order, within moments.
//!
//! A write notes its change (`town`, the town's new revision, the case) after it commits
//! (`AppState::commit_case_change`), under the write lock on SQLite, so changes arrive here
//! in revision order. On PostgreSQL the change is also sent with `pg_notify` in the write's
//! own transaction: every instance LISTENs (`listen`), so a change made through one instance
//! reaches the boards connected to another, in commit order, and each instance learns the
//! towns' revisions without asking the database on every read.
//!
//! One publisher task loads each changed card once and broadcasts it; each stream picks the
//! changes of its reader's town, in the reader's view (masked or not; a liaison's scope).
//! The last `KEPT` changes of each town are kept, so a stream that reconnects with
//! `Last-Event-ID` (the revision it saw last) gets exactly what it missed, or `reload` when
//! it missed more.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::sync::{broadcast, mpsc};

use crate::db;
use crate::db::cases::CardEntry;
use crate::state::AppState;

/// Changes kept per town for streams that reconnect.
pub const KEPT: usize = 1024;

/// How many published changes a slow stream may fall behind before it is told to reload.
const BROADCAST_CAPACITY: usize = 4096;

/// One change of a town's cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub town_id: i64,
    pub rev: i64,
    pub case_id: i64,
}

/// A change with the card as it now is (`None`: the case left the board).
#[derive(Debug)]
pub struct Published {
    pub change: Change,
    pub entry: Option<Arc<CardEntry>>,
    /// The `card` event as sent, unmasked and masked: made by the first stream that needs
    /// it, shared by all the others.
    frames: [OnceLock<axum::body::Bytes>; 2],
}

impl Published {
    /// A change to publish.
    pub fn new(change: Change, entry: Option<Arc<CardEntry>>) -> Published {
        Published {
            change,
            entry,
            frames: Default::default(),
        }
    }

    /// The card event in the masked or unmasked view, made once.
    pub fn frame(
        &self,
        masked: bool,
        make: impl FnOnce() -> axum::body::Bytes,
    ) -> axum::body::Bytes {
        self.frames[usize::from(masked)].get_or_init(make).clone()
    }
}

/// The hub: the queue into the publisher, the broadcast out of it, and the kept changes.
#[derive(Debug)]
pub struct LiveHub {
    queue: mpsc::UnboundedSender<Change>,
    queued: Mutex<Option<mpsc::UnboundedReceiver<Change>>>,
    started: OnceLock<()>,
    out: broadcast::Sender<Arc<Published>>,
    kept: Mutex<HashMap<i64, VecDeque<Arc<Published>>>>,
    /// The newest revision published per town.
    newest: Mutex<HashMap<i64, i64>>,
    /// PostgreSQL: whether the listener is connected and listening.
    listening: std::sync::atomic::AtomicBool,
    /// PostgreSQL: each town's revision as last heard (while listening).
    pg_revs: Mutex<HashMap<i64, i64>>,
}

impl Default for LiveHub {
    fn default() -> LiveHub {
        let (queue, queued) = mpsc::unbounded_channel();
        let (out, _) = broadcast::channel(BROADCAST_CAPACITY);
        LiveHub {
            queue,
            queued: Mutex::new(Some(queued)),
            started: OnceLock::new(),
            out,
            kept: Mutex::new(HashMap::new()),
            newest: Mutex::new(HashMap::new()),
            listening: std::sync::atomic::AtomicBool::new(false),
            pg_revs: Mutex::new(HashMap::new()),
        }
    }
}

/// What a stream that resumes after revision `after` is owed.
#[derive(Debug)]
pub enum Resume {
    /// These changes, in order (possibly none).
    Replay(Vec<Arc<Published>>),
    /// It missed more than is kept: reload the board.
    Reload,
}

impl LiveHub {
    /// Notes a committed change, for the publisher. Never blocks.
    pub fn note(&self, change: Change) {
        let _ = self.queue.send(change);
    }

    /// Whether the PostgreSQL listener is connected.
    pub fn pg_listening(&self) -> bool {
        self.listening.load(std::sync::atomic::Ordering::Acquire)
    }

    /// A town's revision as heard by the listener (`None` when not listening or not heard).
    pub fn pg_rev(&self, town_id: i64) -> Option<i64> {
        if !self.pg_listening() {
            return None;
        }
        self.pg_revs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&town_id)
            .copied()
    }

    /// Records a town's revision (read from the database, or committed here); revisions only
    /// move on. Returns whether it was news.
    pub fn pg_observe(&self, town_id: i64, rev: i64) -> bool {
        if !self.pg_listening() {
            return false;
        }
        let mut revs = self.pg_revs.lock().unwrap_or_else(PoisonError::into_inner);
        let known = revs.entry(town_id).or_insert(rev);
        if rev > *known {
            *known = rev;
            true
        } else {
            false
        }
    }

    fn set_listening(&self, on: bool) {
        if !on {
            self.pg_revs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
        }
        self.listening
            .store(on, std::sync::atomic::Ordering::Release);
    }

    /// Starts the publisher (and on PostgreSQL the listener) on first use: they need the
    /// runtime and the state.
    pub fn start(&self, state: &AppState) {
        if self.started.set(()).is_err() {
            return;
        }
        if state.db.backend == crate::db::Backend::Postgres {
            tokio::spawn(listen(state.clone()));
        }
        let Some(mut queue) = self
            .queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        let state = state.clone();
        tokio::spawn(async move {
            // The card is loaded after its change, so under a burst an event may carry a later
            // state than its revision and the next one the same state again: clients apply
            // cards by version. (Dropping the repeat would lose the move for a stream that
            // joined between the two.)
            while let Some(change) = queue.recv().await {
                if change.case_id == 0 {
                    state.live.publish(Published::new(change, None));
                    continue;
                }
                let entry = match load(&state, change.case_id).await {
                    Ok(entry) => entry,
                    Err(e) => {
                        // The change cannot be shown: its town's boards reload instead.
                        tracing::warn!("live: loading case {} failed: {e}", change.case_id);
                        let reload = Change {
                            case_id: 0,
                            ..change
                        };
                        state.live.publish(Published::new(reload, None));
                        continue;
                    }
                };
                // A case that left the town (transferred) leaves its boards.
                let entry = entry.filter(|e| e.card.town_id == change.town_id);
                state.live.publish(Published::new(change, entry));
            }
        });
    }

    fn publish(&self, published: Published) {
        let town = published.change.town_id;
        let rev = published.change.rev;
        {
            let mut newest = self.newest.lock().unwrap_or_else(PoisonError::into_inner);
            let last = newest.entry(town).or_insert(0);
            if rev <= *last {
                // Seen already (a change noted both directly and by NOTIFY).
                return;
            }
            *last = rev;
        }
        let published = Arc::new(published);
        {
            let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            let list = kept.entry(town).or_default();
            list.push_back(Arc::clone(&published));
            while list.len() > KEPT {
                list.pop_front();
            }
        }
        let _ = self.out.send(published);
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.out.subscribe()
    }

    /// The newest revision published for a town (0 before any).
    pub fn newest(&self, town_id: i64) -> i64 {
        self.newest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&town_id)
            .copied()
            .unwrap_or(0)
    }

    /// Tells every stream to reload (after a change to many cases at once, such as the
    /// calendar counting every due date again).
    pub fn reload_all(&self, towns: &[i64], revs: impl Fn(i64) -> i64) {
        for &town in towns {
            let rev = revs(town);
            self.publish(Published::new(
                Change {
                    town_id: town,
                    rev,
                    case_id: 0,
                },
                None,
            ));
        }
    }

    /// What a stream of `town_id` that saw revision `after` last has missed, the town being
    /// at revision `current` now.
    pub fn resume(&self, town_id: i64, after: i64, current: i64) -> Resume {
        if after == current {
            return Resume::Replay(Vec::new());
        }
        if after > current {
            // A revision this server never gave (it restarted, or the caches were cleared).
            return Resume::Reload;
        }
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(list) = kept.get(&town_id) else {
            return Resume::Reload;
        };
        let newest = list.back().map_or(0, |p| p.change.rev);
        if after >= newest {
            // Changes up to `current` are committed but not published yet: they will come.
            return Resume::Replay(Vec::new());
        }
        // Revisions move by one per change; a gap before the first kept one means changes
        // this server never saw in full (or that were dropped): reload.
        let first = list.front().map_or(0, |p| p.change.rev);
        if after + 1 < first {
            return Resume::Reload;
        }
        Resume::Replay(
            list.iter()
                .filter(|p| p.change.rev > after)
                .cloned()
                .collect(),
        )
    }
}

/// Listens on `PG_CHANNEL` for as long as the server runs: each notification is noted for
/// the board cache (which patches instead of rebuilding), the town's revision and the
/// publisher. After a lost connection the caches are cleared (a change may have been missed)
/// and revisions are asked of the database until listening again.
async fn listen(state: AppState) {
    let mut delay = std::time::Duration::from_millis(200);
    loop {
        match sqlx::postgres::PgListener::connect(state.db.url()).await {
            Ok(mut listener) => match listener.listen(PG_CHANNEL).await {
                Ok(()) => {
                    state.clear_caches();
                    state.live.set_listening(true);
                    delay = std::time::Duration::from_millis(200);
                    // `None` or an error: the connection is gone.
                    while let Ok(Some(notification)) = listener.try_recv().await {
                        if let Some(change) = parse_payload(notification.payload()) {
                            heard(&state, change);
                        }
                    }
                    state.live.set_listening(false);
                    tracing::warn!("live: the PostgreSQL listener lost its connection");
                }
                Err(e) => tracing::warn!("live: LISTEN failed: {e}"),
            },
            Err(e) => tracing::warn!("live: the PostgreSQL listener cannot connect: {e}"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(std::time::Duration::from_secs(10));
    }
}

/// One change heard from PostgreSQL (this server's or another's).
fn heard(state: &AppState, change: Change) {
    // Noted for the board before the revision moves (a reader that sees the new revision
    // then patches).
    state
        .boards
        .note_change(change.town_id, change.rev, change.case_id);
    state
        .dashboards
        .store
        .note_change(change.town_id, change.rev, change.case_id);
    state.live.pg_observe(change.town_id, change.rev);
    state.live.note(change);
}

/// The card of one case as the board shows it, if it is on a board.
async fn load(state: &AppState, case_id: i64) -> Result<Option<Arc<CardEntry>>, sqlx::Error> {
    let mut conn = state.db.pool.acquire().await?;
    let mut entries = db::cases::board_entries_of(&mut conn, &[case_id]).await?;
    Ok(entries.pop().map(Arc::new))
}

/// The PostgreSQL channel that carries changes between instances.
pub const PG_CHANNEL: &str = "concord_changes";

/// The payload of a change on `PG_CHANNEL`: `town:rev:case`.
pub fn payload(change: Change) -> String {
    format!("{}:{}:{}", change.town_id, change.rev, change.case_id)
}

/// Parses a payload of `PG_CHANNEL`.
pub fn parse_payload(s: &str) -> Option<Change> {
    let mut parts = s.split(':').map(str::parse::<i64>);
    let (Some(Ok(town_id)), Some(Ok(rev)), Some(Ok(case_id)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(Change {
        town_id,
        rev,
        case_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_junk_is_refused() {
        let c = Change {
            town_id: 2,
            rev: 41,
            case_id: 900,
        };
        assert_eq!(parse_payload(&payload(c)), Some(c));
        assert_eq!(parse_payload("2:41"), None);
        assert_eq!(parse_payload("2:41:9:1"), None);
        assert_eq!(parse_payload("a:b:c"), None);
    }

    fn published(rev: i64) -> Published {
        Published::new(
            Change {
                town_id: 1,
                rev,
                case_id: rev,
            },
            None,
        )
    }

    #[test]
    fn a_stream_resumes_with_exactly_what_it_missed_or_reloads() {
        let hub = LiveHub::default();
        for rev in 1..=5 {
            hub.publish(published(rev));
        }
        // A change seen twice is published once.
        hub.publish(published(5));
        let revs = |r: Resume| match r {
            Resume::Replay(list) => Some(list.iter().map(|p| p.change.rev).collect::<Vec<_>>()),
            Resume::Reload => None,
        };
        assert_eq!(revs(hub.resume(1, 2, 5)), Some(vec![3, 4, 5]));
        assert_eq!(revs(hub.resume(1, 5, 5)), Some(vec![]));
        assert_eq!(revs(hub.resume(1, 0, 5)), Some(vec![1, 2, 3, 4, 5]));
        // Revision 6 is committed, not yet published: nothing to replay, it will come.
        assert_eq!(revs(hub.resume(1, 5, 6)), Some(vec![]));
        // A revision from before a restart: reload.
        assert_eq!(revs(hub.resume(1, 9, 5)), None);
        for rev in 6..=(KEPT as i64 + 10) {
            hub.publish(published(rev));
        }
        let now = KEPT as i64 + 10;
        // Revision 3 is no longer kept: reload.
        assert_eq!(revs(hub.resume(1, 3, now)), None);
        assert_eq!(revs(hub.resume(2, 7, 9)), None);
        assert_eq!(revs(hub.resume(2, 0, 0)), Some(vec![]));
    }
}
