//! `GET /api/events`: the live board's stream of server-sent events (see `crate::live`).
//!
//! Events: `card` (`{"rev": N, "card": CaseCard}`: a card as the reader sees it, new or
//! changed, or changed elsewhere — a note), `remove` (`{"rev": N, "id": case}`: gone from the reader's board — archived, or
//! out of a liaison's scope), `reload` (missed too much: load the board again), and `hello`
//! (`{"rev": N}`, first). Each `card` and `remove` carries the town's revision as its event
//! id, so a browser that reconnects sends `Last-Event-ID` and gets exactly what it missed.
//! The stream ends when the session does.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shared::ApiError;
use shared::model::Role;
use shared::workflow::Actor;
use tokio::sync::broadcast;

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppQuery, AppResult};
use crate::live::{Published, Resume};
use crate::state::AppState;

/// `/events`.
pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

/// The most bytes of waiting events put into one write.
const BATCH_MAX: usize = 256 * 1024;
/// How often an idle stream sends a comment, so that proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The shortest time between two writes to one stream. A change on a quiet stream goes out at
/// once; one that follows a write by less than this waits out the rest of it, with whatever
/// else arrives meanwhile, and all of it goes out in one write. Under a burst of changes a
/// stream then costs at most 20 writes (and wake-ups of its reader) a second instead of one per
/// change, and no change waits more than this. Measured in `cargo xtask bench --live`.
const WRITE_GAP: Duration = Duration::from_millis(50);

/// Where a stream starts.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct EventsQuery {
    /// The town revision the reader's board was loaded at (`Board::rev`); a reconnecting
    /// browser's `Last-Event-ID` takes precedence.
    after: Option<i64>,
}

/// The live stream of the reader's town.
#[utoipa::path(
    get,
    path = "/api/events",
    tag = "cases",
    params(EventsQuery),
    responses(
        (status = 200, description = "`text/event-stream`: `hello`, then `card`, `remove` and `reload` events as the town's cases change", content_type = "text/event-stream", body = String),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 422, description = "`after` is not a revision number", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn events(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    AppQuery(q): AppQuery<EventsQuery>,
) -> AppResult<Response> {
    state.live.start(&state);
    if me.actor.role.is_county() {
        // The county hears every town. Revisions are per town, so a stream cannot resume
        // from one: `after` is the county board's revision (the sum of the towns'), and a
        // board behind it reloads.
        let sub = state.live.subscribe();
        let current = super::board::county_rev(&state).await?;
        let after = q.after.unwrap_or(current);
        let resume = if after == current {
            Resume::Replay(Vec::new())
        } else {
            Resume::Reload
        };
        return Ok(Feed::new(state, me, (after, current), resume, sub).into_response());
    }
    let town = me.actor.town_id;
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let current = state.town_rev(town).await?;
    let after = resumed.or(q.after).unwrap_or(current);
    // Subscribe before looking at what was kept: nothing falls between the two.
    let sub = state.live.subscribe();
    let resume = state.live.resume(town, after, current);
    Ok(Feed::new(state, me, (after, current), resume, sub).into_response())
}

impl IntoResponse for Feed {
    /// The response streaming the feed, from its reader's last revision. The feed is the
    /// response body itself, polled by the connection's own task: a change wakes one task per
    /// stream, not a feeding task and then the connection's.
    fn into_response(self) -> Response {
        let feed = self;
        let frames = futures_util::stream::unfold(feed, |mut feed| async move {
            let bytes = feed.next().await?;
            Some((Ok::<Bytes, std::convert::Infallible>(bytes), feed))
        });
        let mut response = Body::from_stream(frames).into_response();
        let h = response.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// An event on the wire: `id`, `event` and one `data` line (JSON has no newlines).
fn frame(id: Option<i64>, event: &str, data: &str) -> Bytes {
    let mut out = String::with_capacity(data.len() + 48);
    if let Some(id) = id {
        out.push_str("id: ");
        out.push_str(&id.to_string());
        out.push('\n');
    }
    out.push_str("event: ");
    out.push_str(event);
    out.push_str("\ndata: ");
    out.push_str(data);
    out.push_str("\n\n");
    Bytes::from(out)
}

/// What a reader may hear of: everything of their town, or — for a department liaison —
/// the cases of their department (the ids they were shown; a case leaving the scope is
/// removed once, a case never in it is never mentioned).
#[derive(Debug)]
enum Scope {
    Town,
    Department(HashSet<i64>),
    /// Every town (a county officer).
    County,
    /// Every town's cases of a county department's line: the ids it has seen.
    Line(HashSet<i64>),
}

/// The frame of one published change for this reader, if it concerns them. Readers of the
/// same view share one frame, made once per change (`Published::frame`).
fn event_for(p: &Published, actor: &Actor, scope: &mut Scope) -> Option<Bytes> {
    let rev = p.change.rev;
    let id = p.change.case_id;
    if id == 0 {
        return Some(frame(None, "reload", "{}"));
    }
    let readable = p.entry.as_ref().filter(|e| e.readable_by(actor));
    match (readable, scope) {
        (Some(entry), scope) => {
            if let Scope::Department(ids) | Scope::Line(ids) = scope {
                ids.insert(id);
            }
            let masked = !entry.sees_parties(actor);
            Some(p.frame(masked, || {
                let card = String::from_utf8_lossy(&entry.json[usize::from(masked)]);
                frame(
                    Some(rev),
                    "card",
                    &format!("{{\"rev\":{rev},\"card\":{card}}}"),
                )
            }))
        }
        (None, scope) => {
            if let Scope::Department(ids) | Scope::Line(ids) = scope
                && !ids.remove(&id)
            {
                return None;
            }
            Some(frame(
                Some(rev),
                "remove",
                &format!("{{\"rev\":{rev},\"id\":{id}}}"),
            ))
        }
    }
}

/// One stream's state, from its first write to its last: it runs until the reader goes (the
/// body is dropped), their session ends, or they fall too far behind.
struct Feed {
    state: AppState,
    me: CurrentUser,
    /// What the reader may hear of; worked out on the first write.
    scope: Option<Scope>,
    /// Where the stream starts: what it missed, or a reload (taken by the first write).
    resume: Option<Resume>,
    sub: broadcast::Receiver<Arc<Published>>,
    /// The last revision sent (or skipped as not the reader's).
    last: i64,
    /// The town's revision when the stream opened (the `hello`).
    current: i64,
    check: tokio::time::Interval,
    idle: tokio::time::Interval,
    /// When the stream was last written a change (`WRITE_GAP`).
    written: Option<tokio::time::Instant>,
    /// The last write has gone out (a reload after falling behind): end after it.
    ended: bool,
}

impl Feed {
    fn new(
        state: AppState,
        me: CurrentUser,
        (after, current): (i64, i64),
        resume: Resume,
        sub: broadcast::Receiver<Arc<Published>>,
    ) -> Self {
        let every = |period: Duration| {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            // A stream stalled for a while sends one keep-alive after, not a burst.
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks
        };
        Feed {
            check: every(state.config.stream_session_check),
            idle: every(KEEP_ALIVE),
            state,
            me,
            scope: None,
            resume: Some(resume),
            sub,
            last: after,
            current,
            written: None,
            ended: false,
        }
    }

    /// The reader's scope: a department liaison's and a county department's start from the
    /// ids they may see now.
    async fn scope(&self) -> Scope {
        let (state, actor) = (&self.state, &self.me.actor);
        match (actor.role, actor.department_id) {
            (Role::Liaison, Some(department)) => {
                let ids = match state.db.pool.acquire().await {
                    Ok(mut conn) => {
                        db::cases::ids_of_department(&mut conn, actor.town_id, department)
                            .await
                            .unwrap_or_default()
                    }
                    Err(_) => Vec::new(),
                };
                Scope::Department(ids.into_iter().collect())
            }
            (Role::Liaison, None) => Scope::Department(HashSet::new()),
            (Role::CountyOfficer, _) => Scope::County,
            (Role::CountyDepartment, _) => {
                let ids = match state.db.pool.acquire().await {
                    Ok(mut conn) => db::county::ids_in_line(&mut conn, actor.line)
                        .await
                        .unwrap_or_default(),
                    Err(_) => Vec::new(),
                };
                Scope::Line(ids.into_iter().collect())
            }
            _ => Scope::Town,
        }
    }

    /// The next write, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Bytes> {
        if self.ended {
            return None;
        }
        let Some(mut scope) = self.scope.take() else {
            // The first write: `hello`, then what the reader missed, or a reload.
            let mut scope = self.scope().await;
            let mut out = b"retry: 2000\n".to_vec();
            out.extend_from_slice(&frame(
                None,
                "hello",
                &format!("{{\"rev\":{}}}", self.current),
            ));
            match self.resume.take() {
                Some(Resume::Reload) => {
                    out.extend_from_slice(&frame(None, "reload", "{}"));
                    self.last = self.current;
                }
                Some(Resume::Replay(list)) => {
                    for p in list {
                        self.last = self.last.max(p.change.rev);
                        if let Some(event) = event_for(&p, &self.me.actor, &mut scope) {
                            out.extend_from_slice(&event);
                        }
                    }
                }
                None => {}
            }
            self.scope = Some(scope);
            return Some(Bytes::from(out));
        };
        let out = self.wait(&mut scope).await;
        self.scope = Some(scope);
        out
    }

    /// Waits for the next thing to write: changes, a keep-alive, or the end.
    async fn wait(&mut self, scope: &mut Scope) -> Option<Bytes> {
        let town = self.me.actor.town_id;
        loop {
            tokio::select! {
                received = self.sub.recv() => match received {
                    Ok(first) => {
                        let heard = |p: &Published, scope: &Scope, last: i64| match scope {
                            // Every town's change; a town-wide one (a rename) reloads.
                            Scope::County | Scope::Line(_) => true,
                            _ => p.change.town_id == town && p.change.rev > last,
                        };
                        if !heard(&first, scope, self.last) {
                            continue;
                        }
                        // Too soon after the last write: wait out the gap, so that what
                        // arrives meanwhile joins this write.
                        if let Some(ready) = self.written.map(|at| at + WRITE_GAP)
                            && ready > tokio::time::Instant::now()
                        {
                            tokio::time::sleep_until(ready).await;
                        }
                        // Whatever else is already waiting goes out in the same write: under
                        // a burst of changes a stream costs one write per burst, not per change.
                        let mut batch: Vec<u8> = Vec::new();
                        let mut next = Some(first);
                        while let Some(p) = next.take() {
                            if heard(&p, scope, self.last) {
                                self.last = p.change.rev;
                                if let Some(event) = event_for(&p, &self.me.actor, scope) {
                                    batch.extend_from_slice(&event);
                                }
                            }
                            if batch.len() >= BATCH_MAX {
                                break;
                            }
                            match self.sub.try_recv() {
                                Ok(p) => next = Some(p),
                                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                                    // Fell too far behind while gathering: what was gathered
                                    // goes out, then the board reloads.
                                    batch.extend_from_slice(&frame(None, "reload", "{}"));
                                    self.ended = true;
                                }
                                Err(_) => {}
                            }
                        }
                        if !batch.is_empty() {
                            // A write cut at `BATCH_MAX` is followed at once by the rest.
                            self.written = (batch.len() < BATCH_MAX)
                                .then(tokio::time::Instant::now);
                            return Some(Bytes::from(batch));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Too far behind to catch up from here: the board reloads.
                        self.ended = true;
                        return Some(frame(None, "reload", "{}"));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.idle.tick() => return Some(Bytes::from_static(b": keep-alive\n\n")),
                _ = self.check.tick() => {
                    if !session_alive(&self.state, &self.me).await {
                        return None;
                    }
                }
            }
        }
    }
}

/// Whether the stream's session still holds (signed out, expired or the account closed: no).
async fn session_alive(state: &AppState, me: &CurrentUser) -> bool {
    let now = chrono::Utc::now().timestamp_millis();
    let Ok(mut conn) = state.db.pool.acquire().await else {
        // The database is unreachable for a moment: keep the stream, check again later.
        return true;
    };
    match db::sessions::user_of(&mut conn, &me.token_hash, now).await {
        // The stream's scope was worked out from who the reader was when it opened: if the
        // administrator has since changed their role, town, department or line, it ends (the
        // browser reconnects under the new rules).
        Ok(Some((row, _))) => {
            row.active == 1
                && row.info().is_ok_and(|now| {
                    (now.role, now.town_id, now.department_id, &now.line)
                        == (
                            me.user.role,
                            me.user.town_id,
                            me.user.department_id,
                            &me.user.line,
                        )
                })
        }
        Ok(None) => false,
        Err(_) => true,
    }
}
