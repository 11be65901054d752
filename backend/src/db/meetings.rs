//! Joint meetings (migration 0011): the meeting, who is invited, its agenda, its decisions,
//! and the counts of 三调对接. SQL only; the rules are `shared::meetings`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use shared::meetings::{
    AgendaFacts, AgendaItem, DockingRow, Invitee, NewMeeting, agenda_reasons, came_from,
};
use shared::model::{
    AgendaReason, CaseKind, Category, HandlerRef, LegalRoute, MediationKind, MeetingStatus,
    RiskLevel, Stage,
};
use sqlx::{AnyConnection, FromRow};

use super::cases::handler_of;
use super::{Arg, SqlBuilder, date_text, parse_date, parse_enum};

/// The local date-time as stored.
const STARTS_AT: &str = "%Y-%m-%dT%H:%M:%S";

fn starts_text(t: NaiveDateTime) -> String {
    t.format(STARTS_AT).to_string()
}

fn parse_starts(s: &str) -> Result<NaiveDateTime, sqlx::Error> {
    NaiveDateTime::parse_from_str(s, STARTS_AT)
        .map_err(|e| super::corrupt(format!("bad meeting time `{s}`: {e}")))
}

/// A meeting as stored.
#[derive(Debug, Clone, FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub town_id: i64,
    pub title: String,
    pub starts_at: String,
    pub place: String,
    pub period_from: String,
    pub period_to: String,
    pub status: String,
    pub minutes: String,
    pub created_by: i64,
    pub version: i64,
}

impl MeetingRow {
    pub fn starts(&self) -> Result<NaiveDateTime, sqlx::Error> {
        parse_starts(&self.starts_at)
    }
    pub fn period(&self) -> Result<(NaiveDate, NaiveDate), sqlx::Error> {
        Ok((parse_date(&self.period_from)?, parse_date(&self.period_to)?))
    }
    pub fn status(&self) -> Result<MeetingStatus, sqlx::Error> {
        parse_enum("status", &self.status)
    }
}

const MEETING_SELECT: &str = "SELECT id, town_id, title, starts_at, place, period_from, period_to, \
     status, minutes, created_by, version FROM meetings";

/// Stores a new meeting and its invitations; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    town_id: i64,
    m: &NewMeeting,
    by: i64,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let (Some(starts), Some(from), Some(to)) = (m.starts_at, m.period_from, m.period_to) else {
        return Err(super::corrupt(
            "a meeting without its time or period".to_owned(),
        ));
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meetings (town_id, title, starts_at, place, period_from, period_to, status, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8) RETURNING id",
    )
    .bind(town_id)
    .bind(m.title.trim())
    .bind(starts_text(starts))
    .bind(m.place.trim())
    .bind(date_text(from))
    .bind(date_text(to))
    .bind(by)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    for d in dedup(&m.departments) {
        sqlx::query("INSERT INTO meeting_departments (meeting_id, department_id) VALUES ($1, $2)")
            .bind(id)
            .bind(d)
            .execute(&mut *conn)
            .await?;
    }
    for p in dedup(&m.people) {
        sqlx::query("INSERT INTO meeting_people (meeting_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(p)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Of `ids`, those that are not active departments of the town.
pub async fn foreign_departments(
    conn: &mut AnyConnection,
    town_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    let known: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM departments WHERE town_id = $1 AND active = 1")
            .bind(town_id)
            .fetch_all(conn)
            .await?;
    Ok(ids.iter().copied().filter(|i| !known.contains(i)).collect())
}

/// Of `ids`, those that are not active people of the town.
pub async fn foreign_people(
    conn: &mut AnyConnection,
    town_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    let known: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE town_id = $1 AND active = 1")
            .bind(town_id)
            .fetch_all(conn)
            .await?;
    Ok(ids.iter().copied().filter(|i| !known.contains(i)).collect())
}

/// One meeting.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<MeetingRow>, sqlx::Error> {
    sqlx::query_as(&format!("{MEETING_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A town's meetings, latest first.
pub async fn of_town(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<MeetingRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MEETING_SELECT} WHERE town_id = $1 ORDER BY starts_at DESC, id DESC"
    ))
    .bind(town_id)
    .fetch_all(conn)
    .await
}

/// Who is invited: departments, then people (with names).
pub async fn invitees(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<(Vec<Invitee>, Vec<Invitee>), sqlx::Error> {
    let departments: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT d.id, d.name, m.attended FROM meeting_departments m \
         JOIN departments d ON d.id = m.department_id WHERE m.meeting_id = $1 ORDER BY d.id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    let people: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.display_name, m.attended FROM meeting_people m \
         JOIN users u ON u.id = m.user_id WHERE m.meeting_id = $1 ORDER BY u.id",
    )
    .bind(meeting_id)
    .fetch_all(conn)
    .await?;
    let invitee = |(id, name, attended): (i64, String, i64)| Invitee {
        id,
        name,
        attended: attended == 1,
    };
    Ok((
        departments.into_iter().map(invitee).collect(),
        people.into_iter().map(invitee).collect(),
    ))
}

/// A case as the agenda shows it, with what decides who may see it.
#[derive(Debug, Clone)]
pub struct AgendaCase {
    pub item: AgendaItem,
    pub handler: Option<HandlerRef>,
    /// `mediator:3,department:5`.
    pub cooperating: String,
}

type AgendaRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
    i64,
    i64,
    i64,
);

const AGENDA_SELECT: &str = "SELECT c.id, c.code, c.kind, c.category, v.name, c.stage, c.risk, \
     c.due_on, c.suspended_on, c.handler_kind, c.handler_id, c.cooperating, \
     (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'declined'), \
     CASE WHEN EXISTS (SELECT 1 FROM case_escalations x WHERE x.case_id = c.id \
       AND x.level IN ('overdue', 'overdue_7')) THEN 1 ELSE 0 END, \
     CASE WHEN (SELECT s.outcome FROM mediation_sessions s WHERE s.case_id = c.id \
       AND s.status = 'ended' ORDER BY s.ended_at DESC, s.id DESC LIMIT 1) \
       IN ('continued', 'terminated') THEN 1 ELSE 0 END \
     FROM cases c JOIN org_units v ON v.id = c.village_id";

/// Which cases the agenda reads.
pub enum Which<'a> {
    /// The town's open cases that need a meeting (at most `limit`).
    Candidates { limit: usize },
    /// These cases (the agenda's).
    Ids(&'a [i64]),
}

/// Cases for the agenda, with their reasons as of `today` and the handler's names from
/// `names` (`mediator:3` → name).
pub async fn agenda_cases(
    conn: &mut AnyConnection,
    town_id: i64,
    which: Which<'_>,
    today: NaiveDate,
    names: &HashMap<HandlerRef, String>,
) -> Result<Vec<AgendaCase>, sqlx::Error> {
    let mut q = SqlBuilder::new(AGENDA_SELECT);
    q.push(" WHERE c.town_id = ").bind(Arg::Int(town_id));
    match which {
        Which::Candidates { limit } => {
            q.push(" AND c.stage IN ('registered', 'routed', 'in_handling') AND ((c.due_on < ")
                .bind(Arg::Text(date_text(today)))
                .push(
                    " AND c.suspended_on IS NULL) OR c.risk = 'high' \
                 OR (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id \
                     AND e.kind = 'declined') >= 2 \
                 OR EXISTS (SELECT 1 FROM case_escalations x WHERE x.case_id = c.id \
                     AND x.level IN ('overdue', 'overdue_7')) \
                 OR (SELECT s.outcome FROM mediation_sessions s WHERE s.case_id = c.id \
                     AND s.status = 'ended' ORDER BY s.ended_at DESC, s.id DESC LIMIT 1) \
                     IN ('continued', 'terminated')) \
                 ORDER BY c.due_on ASC, c.id ASC LIMIT ",
                )
                .bind(Arg::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        Which::Ids(ids) => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND c.id IN (").bind_ids(ids).push(")");
        }
    }
    let rows: Vec<AgendaRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let stage: Stage = parse_enum("stage", &r.5)?;
        let risk: RiskLevel = parse_enum("risk", &r.6)?;
        let due_on = parse_date(&r.7)?;
        let handler = handler_of(r.9.as_deref(), r.10)?;
        let declines = u32::try_from(r.12).unwrap_or(0);
        let reasons = agenda_reasons(
            AgendaFacts {
                stage,
                suspended: r.8.is_some(),
                due_on,
                risk,
                declines,
                escalated: r.13 == 1,
                unresolved_session: r.14 == 1,
            },
            today,
        );
        out.push(AgendaCase {
            item: AgendaItem {
                id: 0,
                case_id: r.0,
                code: r.1,
                kind: parse_enum::<CaseKind>("kind", &r.2)?,
                category: parse_enum::<Category>("category", &r.3)?,
                village: r.4,
                stage,
                risk,
                due_on,
                handler: handler.and_then(|h| names.get(&h).cloned()),
                reasons,
            },
            handler,
            cooperating: r.11,
        });
    }
    Ok(out)
}

/// The agenda's items: (item id, case id, reasons as stored).
pub async fn items(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Vec<(i64, i64, Vec<AgendaReason>)>, sqlx::Error> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, case_id, reasons FROM meeting_items WHERE meeting_id = $1 ORDER BY id",
    )
    .bind(meeting_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, case_id, reasons)| {
            let reasons = reasons
                .split(',')
                .filter(|r| !r.is_empty())
                .map(|r| parse_enum::<AgendaReason>("reasons", r))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((id, case_id, reasons))
        })
        .collect()
}

/// Puts a case on the agenda (nothing if it is there already); returns the item's id.
pub async fn insert_item(
    conn: &mut AnyConnection,
    meeting_id: i64,
    case_id: i64,
    reasons: &[AgendaReason],
    by: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let there: Option<i64> =
        sqlx::query_scalar("SELECT id FROM meeting_items WHERE meeting_id = $1 AND case_id = $2")
            .bind(meeting_id)
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
    if there.is_some() {
        return Ok(None);
    }
    let reasons: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
    let id = sqlx::query_scalar(
        "INSERT INTO meeting_items (meeting_id, case_id, reasons, added_by) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(meeting_id)
    .bind(case_id)
    .bind(reasons.join(","))
    .bind(by)
    .fetch_one(conn)
    .await?;
    Ok(Some(id))
}

/// How many items the agenda has.
pub async fn item_count(conn: &mut AnyConnection, meeting_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM meeting_items WHERE meeting_id = $1")
        .bind(meeting_id)
        .fetch_one(conn)
        .await
}

/// Takes an item off the agenda, if no decision was recorded on it; returns whether it was
/// there to take (`Err` is left to the caller: decided items stay).
pub async fn delete_item(
    conn: &mut AnyConnection,
    meeting_id: i64,
    item_id: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM meeting_items WHERE id = $1 AND meeting_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM meeting_decisions d WHERE d.item_id = meeting_items.id)",
    )
    .bind(item_id)
    .bind(meeting_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Whether an item has decisions.
pub async fn item_decided(conn: &mut AnyConnection, item_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meeting_decisions WHERE item_id = $1")
        .bind(item_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The case of an item of this meeting.
pub async fn item_case(
    conn: &mut AnyConnection,
    meeting_id: i64,
    item_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT case_id FROM meeting_items WHERE id = $1 AND meeting_id = $2")
        .bind(item_id)
        .bind(meeting_id)
        .fetch_optional(conn)
        .await
}

/// A decision as stored.
#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub id: i64,
    pub item_id: i64,
    pub case_id: i64,
    pub code: String,
    pub who_kind: String,
    pub who_id: i64,
    pub what: String,
    pub due_on: String,
    pub urging_id: Option<i64>,
    pub decided_by: String,
    pub decided_at: i64,
}

/// Records a decision.
#[expect(
    clippy::too_many_arguments,
    reason = "a decision's parts, each its own"
)]
pub async fn insert_decision(
    conn: &mut AnyConnection,
    meeting_id: i64,
    item_id: i64,
    case_id: i64,
    who: HandlerRef,
    what: &str,
    due_on: NaiveDate,
    urging_id: Option<i64>,
    by: i64,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let (kind, id) = super::cases::handler_columns(Some(who));
    sqlx::query_scalar(
        "INSERT INTO meeting_decisions (meeting_id, item_id, case_id, who_kind, who_id, what, \
         due_on, urging_id, decided_by, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(meeting_id)
    .bind(item_id)
    .bind(case_id)
    .bind(kind.unwrap_or_default())
    .bind(id.unwrap_or_default())
    .bind(what)
    .bind(date_text(due_on))
    .bind(urging_id)
    .bind(by)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// The meeting's decisions, in order.
pub async fn decisions(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Vec<DecisionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, d.item_id, d.case_id, c.code, d.who_kind, d.who_id, d.what, d.due_on, \
         d.urging_id, u.display_name AS decided_by, d.decided_at FROM meeting_decisions d \
         JOIN cases c ON c.id = d.case_id JOIN users u ON u.id = d.decided_by \
         WHERE d.meeting_id = $1 ORDER BY d.id",
    )
    .bind(meeting_id)
    .fetch_all(conn)
    .await
}

/// Counts per meeting of a town: (items, decisions).
pub async fn counts(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<HashMap<i64, (u32, u32)>, sqlx::Error> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT m.id, \
         (SELECT COUNT(*) FROM meeting_items i WHERE i.meeting_id = m.id), \
         (SELECT COUNT(*) FROM meeting_decisions d WHERE d.meeting_id = m.id) \
         FROM meetings m WHERE m.town_id = $1",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, i, d)| {
            (
                id,
                (u32::try_from(i).unwrap_or(0), u32::try_from(d).unwrap_or(0)),
            )
        })
        .collect())
}

/// Marks the meeting held with who came and its minutes, if it is still at `version`;
/// returns whether it was.
pub async fn hold(
    conn: &mut AnyConnection,
    meeting_id: i64,
    version: i64,
    departments: &[i64],
    people: &[i64],
    minutes: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE meetings SET status = 'held', minutes = $1, held_at = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND status = 'scheduled'",
    )
    .bind(minutes)
    .bind(now_ms)
    .bind(meeting_id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for (table, column, ids) in [
        ("meeting_departments", "department_id", departments),
        ("meeting_people", "user_id", people),
    ] {
        let mut q = SqlBuilder::new(&format!(
            "UPDATE {table} SET attended = CASE WHEN {column} IN ("
        ));
        if ids.is_empty() {
            q.push("NULL");
        } else {
            q.bind_ids(ids);
        }
        q.push(") THEN 1 ELSE 0 END WHERE meeting_id = ")
            .bind(Arg::Int(meeting_id));
        sqlx::query_with(&q.sql, q.arguments()?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Bumps the meeting's version (after its agenda or decisions changed).
pub async fn touch(conn: &mut AnyConnection, meeting_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE meetings SET version = version + 1 WHERE id = $1")
        .bind(meeting_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the meeting invites this department.
pub async fn invites_department(
    conn: &mut AnyConnection,
    meeting_id: i64,
    department_id: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM meeting_departments WHERE meeting_id = $1 AND department_id = $2",
    )
    .bind(meeting_id)
    .bind(department_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Whether the meeting invites this person.
pub async fn invites_person(
    conn: &mut AnyConnection,
    meeting_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM meeting_people WHERE meeting_id = $1 AND user_id = $2",
    )
    .bind(meeting_id)
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// 三调对接 over a period (`[from_ms, until_ms)`): per mediation, what came from it, was routed
/// to it and was told to go to it.
pub async fn docking(
    conn: &mut AnyConnection,
    town_id: i64,
    from_ms: i64,
    until_ms: i64,
) -> Result<Vec<DockingRow>, sqlx::Error> {
    let mut rows: Vec<DockingRow> = MediationKind::ALL
        .iter()
        .map(|k| DockingRow {
            kind: *k,
            came_from: 0,
            routed_to: 0,
            told_to: 0,
        })
        .collect();
    let mut add = |kind: MediationKind, pick: fn(&mut DockingRow) -> &mut u64, n: i64| {
        if let Some(row) = rows.iter_mut().find(|r| r.kind == kind) {
            *pick(row) += u64::try_from(n).unwrap_or(0);
        }
    };
    let came: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.channel, COUNT(*) FROM cases c WHERE c.town_id = $1 \
         AND c.registered_at >= $2 AND c.registered_at < $3 GROUP BY c.channel",
    )
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&mut *conn)
    .await?;
    for (channel, n) in came {
        if let Some(kind) = came_from(parse_enum("channel", &channel)?) {
            add(kind, |r| &mut r.came_from, n);
        }
    }
    let routed: Vec<(Option<String>, Option<String>, i64)> = sqlx::query_as(
        "SELECT c.handler_kind, d.mediation, COUNT(*) FROM cases c \
         LEFT JOIN departments d ON c.handler_kind = 'department' AND d.id = c.handler_id \
         WHERE c.town_id = $1 AND c.routed_at >= $2 AND c.routed_at < $3 \
         GROUP BY c.handler_kind, d.mediation",
    )
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&mut *conn)
    .await?;
    for (kind, mediation, n) in routed {
        let of = match (kind.as_deref(), mediation.as_deref()) {
            // The center's own mediators are people's mediators.
            (Some("mediator"), _) => Some(MediationKind::People),
            (_, Some(m)) => Some(parse_enum::<MediationKind>("mediation", m)?),
            _ => None,
        };
        if let Some(of) = of {
            add(of, |r| &mut r.routed_to, n);
        }
    }
    let told: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.route_told, COUNT(*) FROM cases c WHERE c.town_id = $1 \
         AND c.closed_at >= $2 AND c.closed_at < $3 AND c.route_told IS NOT NULL \
         GROUP BY c.route_told",
    )
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&mut *conn)
    .await?;
    for (route, n) in told {
        if let Some(kind) =
            shared::meetings::told_to(parse_enum::<LegalRoute>("route_told", &route)?)
        {
            add(kind, |r| &mut r.told_to, n);
        }
    }
    Ok(rows)
}
