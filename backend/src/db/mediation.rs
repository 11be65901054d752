//! The mediation room (migration 0012): rooms, sessions, their mediators and invited parties,
//! and 回避. SQL only; the rules are `shared::mediation`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use shared::mediation::{
    CheckIn, Exclusion, NewSession, PersonRef, Room, RoomChange, SessionSheet, SessionSummary,
    Turn, ends_at,
};
use shared::model::{Attendance, LegalRoute, Role, RoomKind, SessionOutcome, SessionStatus};
use sqlx::{AnyConnection, FromRow};

use super::{Arg, SqlBuilder, corrupt, from_millis, millis, parse_enum};

/// The local date-time as stored.
const LOCAL: &str = "%Y-%m-%dT%H:%M:%S";

pub fn local_text(t: NaiveDateTime) -> String {
    t.format(LOCAL).to_string()
}

fn parse_local(s: &str) -> Result<NaiveDateTime, sqlx::Error> {
    NaiveDateTime::parse_from_str(s, LOCAL)
        .map_err(|e| corrupt(format!("bad session time `{s}`: {e}")))
}

#[derive(Debug, FromRow)]
struct RoomRow {
    id: i64,
    town_id: i64,
    name: String,
    kind: String,
    active: i64,
}

impl RoomRow {
    fn room(self) -> Result<Room, sqlx::Error> {
        Ok(Room {
            id: self.id,
            town_id: self.town_id,
            name: self.name,
            kind: parse_enum::<RoomKind>("room kind", &self.kind)?,
            active: self.active != 0,
        })
    }
}

const ROOM_SELECT: &str = "SELECT id, town_id, name, kind, active FROM rooms";

/// The rooms of a town (every town's with `None`): in use first, then as they were added.
pub async fn rooms(conn: &mut AnyConnection, town: Option<i64>) -> Result<Vec<Room>, sqlx::Error> {
    let rows: Vec<RoomRow> = match town {
        Some(t) => {
            sqlx::query_as(&format!(
                "{ROOM_SELECT} WHERE town_id = $1 ORDER BY active DESC, id"
            ))
            .bind(t)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!("{ROOM_SELECT} ORDER BY town_id, active DESC, id"))
                .fetch_all(conn)
                .await?
        }
    };
    rows.into_iter().map(RoomRow::room).collect()
}

pub async fn room(conn: &mut AnyConnection, id: i64) -> Result<Option<Room>, sqlx::Error> {
    let row: Option<RoomRow> = sqlx::query_as(&format!("{ROOM_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(RoomRow::room).transpose()
}

/// Whether another room of the town has this name.
pub async fn room_name_taken(
    conn: &mut AnyConnection,
    town: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rooms WHERE town_id = $1 AND name = $2 AND id <> $3",
    )
    .bind(town)
    .bind(name)
    .bind(except.unwrap_or(0))
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn insert_room(
    conn: &mut AnyConnection,
    town: i64,
    change: &RoomChange,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO rooms (town_id, name, kind, active) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(town)
    .bind(change.name.trim())
    .bind(change.kind.as_str())
    .bind(i64::from(change.active))
    .fetch_one(conn)
    .await
}

pub async fn update_room(
    conn: &mut AnyConnection,
    id: i64,
    change: &RoomChange,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rooms SET name = $1, kind = $2, active = $3 WHERE id = $4")
        .bind(change.name.trim())
        .bind(change.kind.as_str())
        .bind(i64::from(change.active))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The rooms a center starts with: two mediation rooms, the docking room, the legal-service
/// room and a reception window (the fixture and the demo; the administrator changes them).
pub const STARTING_ROOMS: [(&str, RoomKind); 5] = [
    ("第一调解室", RoomKind::Mediation),
    ("第二调解室", RoomKind::Mediation),
    ("诉调对接室", RoomKind::Docking),
    ("法律服务室", RoomKind::LegalService),
    ("一号接待窗口", RoomKind::Window),
];

/// Adds the starting rooms to a town; returns their ids in `STARTING_ROOMS` order.
pub async fn insert_starting_rooms(
    conn: &mut AnyConnection,
    town: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::new();
    for (name, kind) in STARTING_ROOMS {
        let change = RoomChange {
            town_id: Some(town),
            name: name.to_owned(),
            kind,
            active: true,
        };
        ids.push(insert_room(&mut *conn, town, &change).await?);
    }
    Ok(ids)
}

/// Takes the town's booking lock (see migration 0012): on PostgreSQL, bookings in one town wait
/// for each other from here to their commit.
pub async fn lock_bookings(conn: &mut AnyConnection, town: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rooms SET bookings = bookings + 1 WHERE town_id = $1")
        .bind(town)
        .execute(conn)
        .await?;
    Ok(())
}

/// A booking that overlaps the one asked for.
#[derive(Debug, Clone)]
pub struct Clash {
    /// The mediator booked twice (`None`: the room).
    pub mediator: Option<String>,
    pub code: String,
    pub room: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

#[derive(Debug, FromRow)]
struct ClashRow {
    code: String,
    room: String,
    room_id: i64,
    starts_at: String,
    ends_at: String,
    mediator: Option<String>,
    mediator_id: Option<i64>,
}

/// The live bookings (scheduled or in progress) of the town that overlap `[start, end)` in the
/// room or for one of the mediators, except session `except`.
pub async fn clashes(
    conn: &mut AnyConnection,
    town: i64,
    (start, end): (NaiveDateTime, NaiveDateTime),
    room_id: i64,
    mediators: &[i64],
    except: Option<i64>,
) -> Result<Vec<Clash>, sqlx::Error> {
    let rows: Vec<ClashRow> = sqlx::query_as(
        "SELECT c.code, r.name AS room, s.room_id, s.starts_at, s.ends_at, \
         u.display_name AS mediator, u.id AS mediator_id \
         FROM mediation_sessions s JOIN cases c ON c.id = s.case_id \
         JOIN rooms r ON r.id = s.room_id \
         LEFT JOIN session_mediators m ON m.session_id = s.id \
         LEFT JOIN users u ON u.id = m.user_id \
         WHERE s.town_id = $1 AND s.status IN ('scheduled', 'in_progress') \
         AND s.starts_at < $2 AND s.ends_at > $3 AND s.id <> $4 ORDER BY s.starts_at",
    )
    .bind(town)
    .bind(local_text(end))
    .bind(local_text(start))
    .bind(except.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Clash> = Vec::new();
    for r in rows {
        let clash = |mediator| -> Result<Clash, sqlx::Error> {
            Ok(Clash {
                mediator,
                code: r.code.clone(),
                room: r.room.clone(),
                starts_at: parse_local(&r.starts_at)?,
                ends_at: parse_local(&r.ends_at)?,
            })
        };
        if r.room_id == room_id
            && !out
                .iter()
                .any(|c| c.mediator.is_none() && c.code == r.code && c.room == r.room)
        {
            out.push(clash(None)?);
        }
        if let (Some(id), Some(name)) = (r.mediator_id, &r.mediator)
            && mediators.contains(&id)
        {
            out.push(clash(Some(name.clone()))?);
        }
    }
    Ok(out)
}

/// Stores a scheduled session with its mediators and invited parties; returns its id.
pub async fn insert_session(
    conn: &mut AnyConnection,
    case_id: i64,
    town: i64,
    s: &NewSession,
    by: i64,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let (Some(start), Some(room)) = (s.starts_at, s.room_id) else {
        return Err(corrupt("a session without its time or room".to_owned()));
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mediation_sessions (case_id, town_id, room_id, starts_at, ends_at, minutes, \
         status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8) \
         RETURNING id",
    )
    .bind(case_id)
    .bind(town)
    .bind(room)
    .bind(local_text(start))
    .bind(local_text(ends_at(start, s.minutes)))
    .bind(i64::from(s.minutes))
    .bind(by)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    for m in &s.mediators {
        sqlx::query("INSERT INTO session_mediators (session_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*m)
            .execute(&mut *conn)
            .await?;
    }
    for p in &s.parties {
        sqlx::query("INSERT INTO session_parties (session_id, position) VALUES ($1, $2)")
            .bind(id)
            .bind(i64::from(*p))
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// A session as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub case_id: i64,
    pub town_id: i64,
    pub room_id: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub minutes: i64,
    pub status: String,
    pub outcome: Option<String>,
    pub legal_route: Option<String>,
    pub next_session_id: Option<i64>,
    pub end_note: String,
    pub consent_read: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub turns: String,
    pub version: i64,
}

impl SessionRow {
    pub fn status(&self) -> Result<SessionStatus, sqlx::Error> {
        parse_enum("session status", &self.status)
    }
    pub fn outcome(&self) -> Result<Option<SessionOutcome>, sqlx::Error> {
        self.outcome
            .as_deref()
            .map(|o| parse_enum("session outcome", o))
            .transpose()
    }
    pub fn route(&self) -> Result<Option<LegalRoute>, sqlx::Error> {
        self.legal_route
            .as_deref()
            .map(|o| parse_enum("legal route", o))
            .transpose()
    }
    pub fn times(&self) -> Result<(NaiveDateTime, NaiveDateTime), sqlx::Error> {
        Ok((parse_local(&self.starts_at)?, parse_local(&self.ends_at)?))
    }
    pub fn turns(&self) -> Result<Vec<Turn>, sqlx::Error> {
        serde_json::from_str(&self.turns)
            .map_err(|e| corrupt(format!("bad record of session {}: {e}", self.id)))
    }
}

const SESSION_SELECT: &str = "SELECT id, case_id, town_id, room_id, starts_at, ends_at, minutes, \
     status, outcome, legal_route, next_session_id, end_note, consent_read, started_at, ended_at, \
     turns, version FROM mediation_sessions";

pub async fn session(conn: &mut AnyConnection, id: i64) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SESSION_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The mediators of a session, by name.
pub async fn mediators(
    conn: &mut AnyConnection,
    session: i64,
) -> Result<Vec<PersonRef>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM session_mediators m JOIN users u ON u.id = m.user_id \
         WHERE m.session_id = $1 ORDER BY u.display_name, u.id",
    )
    .bind(session)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| PersonRef { id, name })
        .collect())
}

/// The parties invited to a session with their check-in, by position.
pub async fn check_ins(
    conn: &mut AnyConnection,
    session: i64,
) -> Result<Vec<CheckIn>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT position, attendance, represented_by FROM session_parties WHERE session_id = $1 \
         ORDER BY position",
    )
    .bind(session)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(p, a, by)| {
            Ok(CheckIn {
                position: u32::try_from(p).map_err(|_| corrupt(format!("bad position {p}")))?,
                attendance: parse_enum::<Attendance>("attendance", &a)?,
                represented_by: by,
            })
        })
        .collect()
}

/// The sheet as stored.
pub async fn sheet(
    conn: &mut AnyConnection,
    row: &SessionRow,
) -> Result<SessionSheet, sqlx::Error> {
    Ok(SessionSheet {
        started_at: row.started_at.map(from_millis),
        consent_read: row.consent_read != 0,
        attendance: check_ins(conn, row.id).await?,
        turns: row.turns()?,
    })
}

/// Saves the sheet if the session is still at `version`; a saved start moves a scheduled
/// session to in progress. `false` if the version moved on.
pub async fn save_sheet(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    sheet: &SessionSheet,
) -> Result<bool, sqlx::Error> {
    let turns = serde_json::to_string(&sheet.turns)
        .map_err(|e| corrupt(format!("cannot write a record: {e}")))?;
    let n = sqlx::query(
        "UPDATE mediation_sessions SET turns = $1, consent_read = $2, started_at = $3, \
         status = CASE WHEN $4 = 1 AND status = 'scheduled' THEN 'in_progress' ELSE status END, \
         version = version + 1 WHERE id = $5 AND version = $6 \
         AND status IN ('scheduled', 'in_progress')",
    )
    .bind(turns)
    .bind(i64::from(sheet.consent_read))
    .bind(sheet.started_at.map(millis))
    .bind(i64::from(sheet.started_at.is_some()))
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    for a in &sheet.attendance {
        sqlx::query(
            "UPDATE session_parties SET attendance = $1, represented_by = $2 \
             WHERE session_id = $3 AND position = $4",
        )
        .bind(a.attendance.as_str())
        .bind(a.represented_by.trim())
        .bind(id)
        .bind(i64::from(a.position))
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// How a session ended.
pub struct Ending<'a> {
    pub outcome: SessionOutcome,
    pub route: Option<LegalRoute>,
    pub next: Option<i64>,
    pub note: &'a str,
}

/// Ends a session still at `version`; `false` if it moved on.
pub async fn end(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    e: &Ending<'_>,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE mediation_sessions SET status = 'ended', outcome = $1, legal_route = $2, \
         next_session_id = $3, end_note = $4, ended_at = $5, version = version + 1 \
         WHERE id = $6 AND version = $7 AND status = 'in_progress'",
    )
    .bind(e.outcome.as_str())
    .bind(e.route.map(LegalRoute::as_str))
    .bind(e.next)
    .bind(e.note.trim())
    .bind(now_ms)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Cancels a scheduled session; `false` if it is no longer scheduled.
pub async fn cancel(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE mediation_sessions SET status = 'cancelled', version = version + 1 \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Which sessions to list.
pub enum Which {
    Case(i64),
    /// A town's day, cancelled ones left out.
    Day(i64, NaiveDate),
    One(i64),
}

#[derive(Debug, FromRow)]
struct SummaryRow {
    id: i64,
    case_id: i64,
    code: String,
    category: String,
    starts_at: String,
    ends_at: String,
    minutes: i64,
    status: String,
    outcome: Option<String>,
    room_id: i64,
    room_town: i64,
    room_name: String,
    room_kind: String,
    room_active: i64,
    parties: i64,
}

/// Sessions as listed, earliest first.
pub async fn summaries(
    conn: &mut AnyConnection,
    which: Which,
) -> Result<Vec<SessionSummary>, sqlx::Error> {
    let mut q = SqlBuilder::new(
        "SELECT s.id, s.case_id, c.code, c.category, s.starts_at, s.ends_at, s.minutes, s.status, \
         s.outcome, r.id AS room_id, r.town_id AS room_town, r.name AS room_name, \
         r.kind AS room_kind, r.active AS room_active, \
         (SELECT COUNT(*) FROM session_parties p WHERE p.session_id = s.id) AS parties \
         FROM mediation_sessions s JOIN cases c ON c.id = s.case_id \
         JOIN rooms r ON r.id = s.room_id WHERE ",
    );
    match which {
        Which::Case(id) => {
            q.push("s.case_id = ").bind(Arg::Int(id));
        }
        Which::One(id) => {
            q.push("s.id = ").bind(Arg::Int(id));
        }
        Which::Day(town, day) => {
            let from = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            let to = from + chrono::Duration::days(1);
            q.push("s.town_id = ")
                .bind(Arg::Int(town))
                .push(" AND s.status <> 'cancelled' AND s.starts_at >= ")
                .bind(Arg::Text(local_text(from)))
                .push(" AND s.starts_at < ")
                .bind(Arg::Text(local_text(to)));
        }
    }
    q.push(" ORDER BY s.starts_at, s.id");
    let rows: Vec<SummaryRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(&mut *conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut people: HashMap<i64, Vec<PersonRef>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new(
            "SELECT m.session_id, u.id, u.display_name FROM session_mediators m \
             JOIN users u ON u.id = m.user_id WHERE m.session_id IN (",
        );
        q.bind_ids(chunk).push(") ORDER BY u.display_name, u.id");
        let found: Vec<(i64, i64, String)> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for (s, id, name) in found {
            people.entry(s).or_default().push(PersonRef { id, name });
        }
    }
    rows.into_iter()
        .map(|r| {
            Ok(SessionSummary {
                id: r.id,
                case_id: r.case_id,
                code: r.code,
                category: parse_enum("category", &r.category)?,
                starts_at: parse_local(&r.starts_at)?,
                ends_at: parse_local(&r.ends_at)?,
                minutes: u32::try_from(r.minutes).unwrap_or(0),
                room: RoomRow {
                    id: r.room_id,
                    town_id: r.room_town,
                    name: r.room_name,
                    kind: r.room_kind,
                    active: r.room_active,
                }
                .room()?,
                mediators: people.remove(&r.id).unwrap_or_default(),
                status: parse_enum("session status", &r.status)?,
                outcome: r
                    .outcome
                    .as_deref()
                    .map(|o| parse_enum("session outcome", o))
                    .transpose()?,
                parties: u32::try_from(r.parties).unwrap_or(0),
            })
        })
        .collect()
}

/// The active people of the town who may mediate a session: mediators and department liaisons.
pub async fn mediators_of_town(
    conn: &mut AnyConnection,
    town: i64,
) -> Result<Vec<PersonRef>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, display_name FROM users WHERE town_id = $1 AND active = 1 \
         AND role IN ($2, $3) ORDER BY role DESC, display_name, id",
    )
    .bind(town)
    .bind(Role::Mediator.as_str())
    .bind(Role::Liaison.as_str())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| PersonRef { id, name })
        .collect())
}

#[derive(Debug, FromRow)]
struct ExclusionRow {
    user_id: i64,
    name: String,
    reason: String,
    recorded_by: String,
    recorded_at: i64,
}

/// The 回避 recorded on a case.
pub async fn exclusions(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<Exclusion>, sqlx::Error> {
    let rows: Vec<ExclusionRow> = sqlx::query_as(
        "SELECT e.user_id, u.display_name AS name, e.reason, b.display_name AS recorded_by, \
         e.recorded_at FROM case_exclusions e JOIN users u ON u.id = e.user_id \
         JOIN users b ON b.id = e.recorded_by WHERE e.case_id = $1 ORDER BY e.recorded_at",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Exclusion {
            user_id: r.user_id,
            name: r.name,
            reason: r.reason,
            recorded_by: r.recorded_by,
            recorded_at: from_millis(r.recorded_at),
        })
        .collect())
}

pub async fn insert_exclusion(
    conn: &mut AnyConnection,
    case_id: i64,
    user_id: i64,
    reason: &str,
    by: i64,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO case_exclusions (case_id, user_id, reason, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(user_id)
    .bind(reason.trim())
    .bind(by)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a 回避; `false` if there was none.
pub async fn delete_exclusion(
    conn: &mut AnyConnection,
    case_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM case_exclusions WHERE case_id = $1 AND user_id = $2")
        .bind(case_id)
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// The live sessions (scheduled or in progress) of a case that `user_id` mediates, as their
/// start times.
pub async fn live_sessions_of(
    conn: &mut AnyConnection,
    case_id: i64,
    user_id: i64,
) -> Result<Vec<NaiveDateTime>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT s.starts_at FROM mediation_sessions s JOIN session_mediators m \
         ON m.session_id = s.id WHERE s.case_id = $1 AND m.user_id = $2 \
         AND s.status IN ('scheduled', 'in_progress') ORDER BY s.starts_at",
    )
    .bind(case_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|s| parse_local(s)).collect()
}
