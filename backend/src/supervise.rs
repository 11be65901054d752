//! The supervisor (督办): what the server does on its own clock. A routing nobody accepted
//! within its response time goes back to the center lead; deadlines escalate — due within 3
//! days: the handler is reminded; overdue: the center lead; overdue by 7 days: the town
//! leader in charge of the case's village. Each step happens once per case and level (the
//! `case_escalations` key), so a restart, or two servers ticking together, repeat nothing.
//!
//! `tick(state, now)` is one pass at instant `now`; the server runs it every
//! `Config::supervise_interval`, and tests call it with whatever `now` they need.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use shared::Lang;
use shared::deadline::DUE_SOON_DAYS;
use shared::model::{EventKind, NotificationKind, Role};
use shared::workflow::{self, Command, Lookups};
use sqlx::FromRow;

use crate::db;
use crate::db::events::NewEvent;
use crate::error::AppError;
use crate::state::AppState;

/// Days overdue at which the town leader is told.
pub const OVERDUE_TO_TOWN_LEADER_DAYS: i64 = 7;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// Routings returned to the center for want of an answer.
    pub expired: Vec<i64>,
    /// Escalation steps taken: (case, level).
    pub escalated: Vec<(i64, &'static str)>,
    /// Agreement reminders given: (case, `confirm` or `perform`).
    pub reminded: Vec<(i64, &'static str)>,
}

/// An escalation level: its stored name, the notification, and who is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    DueSoon,
    Overdue,
    OverdueWeek,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::DueSoon => "due_soon",
            Level::Overdue => "overdue",
            Level::OverdueWeek => "overdue_7",
        }
    }

    fn kind(self) -> NotificationKind {
        match self {
            Level::DueSoon => NotificationKind::DueSoon,
            Level::Overdue => NotificationKind::Overdue,
            Level::OverdueWeek => NotificationKind::OverdueWeek,
        }
    }

    /// The levels a case due on `due` has reached on `today`.
    fn reached(due: NaiveDate, today: NaiveDate) -> Vec<Level> {
        let left = (due - today).num_days();
        let mut levels = Vec::new();
        if left <= DUE_SOON_DAYS {
            levels.push(Level::DueSoon);
        }
        if left < 0 {
            levels.push(Level::Overdue);
        }
        if -left >= OVERDUE_TO_TOWN_LEADER_DAYS {
            levels.push(Level::OverdueWeek);
        }
        levels
    }
}

#[derive(Debug, FromRow)]
struct OpenRow {
    id: i64,
    town_id: i64,
    village_id: i64,
    handler_kind: Option<String>,
    handler_id: Option<i64>,
    due_on: String,
}

/// One pass of the supervisor at `now`.
pub async fn tick(state: &AppState, now: DateTime<Utc>) -> Result<TickReport, AppError> {
    let today = now.with_timezone(&state.config.timezone()).date_naive();
    let now_ms = now.timestamp_millis();
    let mut report = TickReport::default();
    let expired: Vec<i64> = {
        let mut conn = state.db.pool.acquire().await?;
        sqlx::query_scalar(
            "SELECT id FROM cases WHERE stage = 'routed' AND response_due_on IS NOT NULL \
             AND response_due_on < $1 ORDER BY id",
        )
        .bind(db::date_text(today))
        .fetch_all(&mut *conn)
        .await?
    };
    for id in expired {
        if expire(state, id, today, now_ms).await? {
            report.expired.push(id);
        }
    }
    // Cases that are open and due within the reminder window (or past it).
    let soon = db::date_text(today + Duration::days(DUE_SOON_DAYS));
    let open: Vec<OpenRow> = {
        let mut conn = state.db.pool.acquire().await?;
        sqlx::query_as(
            "SELECT id, town_id, village_id, handler_kind, handler_id, due_on FROM cases \
             WHERE stage IN ('registered', 'routed', 'in_handling') AND due_on <= $1 \
             AND suspended_on IS NULL ORDER BY id",
        )
        .bind(soon)
        .fetch_all(&mut *conn)
        .await?
    };
    for row in open {
        let due = db::parse_date(&row.due_on)?;
        let reached = Level::reached(due, today);
        if let Some(taken) = escalate(state, &row, &reached, now_ms).await? {
            report.escalated.push((row.id, taken.name()));
        }
    }
    // Agreements: the judicial-confirmation window's last week, the performance deadline.
    let window = i64::try_from(shared::agreement::CONFIRMATION_DAYS).unwrap_or(30);
    let due: Vec<(i64, &'static str)> = {
        let mut conn = state.db.pool.acquire().await?;
        db::agreements::reminders_due(&mut conn, today - Duration::days(window), today).await?
    };
    for (case_id, which) in due {
        if remind(state, case_id, which, now_ms).await? {
            report.reminded.push((case_id, which));
        }
    }
    // Follow-up visits that fall due.
    let visits: Vec<(i64, i64)> = {
        let mut conn = state.db.pool.acquire().await?;
        db::agreements::follow_ups_due(&mut conn, today).await?
    };
    for (id, case_id) in visits {
        if remind_follow_up(state, id, case_id, now_ms).await? {
            report.reminded.push((case_id, "follow_up"));
        }
    }
    Ok(report)
}

/// The handler, or with none the town's leads: who is reminded of a case's agreement and
/// follow-up.
async fn reminded_people(
    conn: &mut sqlx::AnyConnection,
    row: &db::cases::CaseRow,
) -> Result<Vec<i64>, AppError> {
    let mut people = match db::cases::handler_of(row.handler_kind.as_deref(), row.handler_id)? {
        Some(unit) => db::supervision::people_of(conn, unit).await?,
        None => Vec::new(),
    };
    if people.is_empty() {
        people = db::supervision::leads_of(conn, row.town_id).await?;
    }
    Ok(people)
}

/// Reminds once of a follow-up visit that falls due; `false` if reminded meanwhile.
async fn remind_follow_up(
    state: &AppState,
    id: i64,
    case_id: i64,
    now_ms: i64,
) -> Result<bool, AppError> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    if !db::agreements::mark_follow_up_reminded(conn, id).await? {
        return Ok(false);
    }
    let Some(row) = db::cases::by_id(conn, case_id).await? else {
        return Ok(false);
    };
    let people = reminded_people(conn, &row).await?;
    let text = format!("案件 {} 应进行回访", row.code);
    db::supervision::notify(
        conn,
        &people,
        Some(case_id),
        NotificationKind::FollowUpDue,
        &text,
        now_ms,
    )
    .await?;
    wtx.tx.commit().await?;
    Ok(true)
}

/// Reminds the handler (or, with none, the town's leads) once of an agreement's window or
/// deadline; `false` if it was reminded meanwhile.
async fn remind(
    state: &AppState,
    case_id: i64,
    which: &'static str,
    now_ms: i64,
) -> Result<bool, AppError> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    if !db::agreements::mark_reminded(conn, case_id, which).await? {
        return Ok(false);
    }
    let (Some(row), Some(agreement)) = (
        db::cases::by_id(conn, case_id).await?,
        db::agreements::of_case(conn, case_id).await?,
    ) else {
        return Ok(false);
    };
    let people = reminded_people(conn, &row).await?;
    let (kind, text) = if which == "confirm" {
        let by = agreement
            .effective_on()?
            .map(shared::agreement::confirmation_deadline)
            .map_or_else(String::new, |d| d.to_string());
        (
            NotificationKind::ConfirmationDue,
            format!("调解协议 {} 可申请司法确认至 {by}", agreement.number),
        )
    } else {
        (
            NotificationKind::PerformanceDue,
            format!(
                "调解协议 {} 的履行期限 {} 已到,请记录履行情况",
                agreement.number,
                agreement.performance_due.as_deref().unwrap_or("")
            ),
        )
    };
    db::supervision::notify(conn, &people, Some(case_id), kind, &text, now_ms).await?;
    wtx.tx.commit().await?;
    Ok(true)
}

/// Returns one unanswered routing to the center; `false` if it changed meanwhile.
async fn expire(
    state: &AppState,
    id: i64,
    today: NaiveDate,
    now_ms: i64,
) -> Result<bool, AppError> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let Some(row) = db::cases::by_id(conn, id).await? else {
        return Ok(false);
    };
    let before = row.state()?;
    let lookups = Lookups {
        now_ms,
        today: Some(today),
        current_handler_name: row.handler_name.clone(),
        ..Lookups::default()
    };
    let Ok(applied) = workflow::apply_system(&Command::ExpireResponse, &before, &lookups, Lang::Zh)
    else {
        // Accepted or declined since the query: nothing to do.
        return Ok(false);
    };
    if !db::cases::update_stage(conn, id, row.version, &applied.state).await? {
        return Ok(false);
    }
    let system = db::supervision::system_user(conn).await?;
    db::events::insert(
        conn,
        &NewEvent {
            case_id: id,
            at_ms: now_ms,
            actor_id: system,
            actor_name: "系统",
            actor_role: Role::Admin,
            kind: applied.event.kind,
            from_stage: Some(applied.event.from),
            to_stage: Some(applied.event.to),
            text: None,
            details: applied.event.details,
            public: false,
        },
    )
    .await?;
    let leads = db::supervision::leads_of(conn, row.town_id).await?;
    let name = row.handler_name.clone().unwrap_or_default();
    let kind = NotificationKind::ResponseExpired;
    db::supervision::notify(conn, &leads, Some(id), kind, &name, now_ms).await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state.commit_case_change(wtx, row.town_id, id, rev).await?;
    Ok(true)
}

/// Takes the steps of `reached` not taken before, in one transaction. Only the highest of
/// them is told and recorded (a case first seen a week overdue tells the town leader, not
/// also the handler and the lead in the same minute); the lower ones are marked taken.
/// Returns the step told, if any.
async fn escalate(
    state: &AppState,
    row: &OpenRow,
    reached: &[Level],
    now_ms: i64,
) -> Result<Option<Level>, AppError> {
    if reached.is_empty() {
        return Ok(None);
    }
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let mut newly = None;
    for &level in reached {
        if db::supervision::take_escalation(conn, row.id, level.name(), now_ms).await? {
            newly = Some(level);
        }
    }
    let Some(level) = newly else {
        return Ok(None);
    };
    let handler = db::cases::handler_of(row.handler_kind.as_deref(), row.handler_id)?;
    let people = match (level, handler) {
        (Level::DueSoon, Some(unit)) => db::supervision::people_of(conn, unit).await?,
        // Nobody handles it yet: the center routes it, so the center is reminded.
        (Level::DueSoon, None) | (Level::Overdue, _) => {
            db::supervision::leads_of(conn, row.town_id).await?
        }
        (Level::OverdueWeek, _) => {
            let mut people = db::supervision::town_leaders_of(conn, row.village_id).await?;
            if people.is_empty() {
                // No town leader is in charge of the village: the lead is told again.
                people = db::supervision::leads_of(conn, row.town_id).await?;
            }
            people
        }
    };
    let due = row.due_on.clone();
    db::supervision::notify(conn, &people, Some(row.id), level.kind(), &due, now_ms).await?;
    let system = db::supervision::system_user(conn).await?;
    let told = people.len();
    db::events::insert(
        conn,
        &NewEvent {
            case_id: row.id,
            at_ms: now_ms,
            actor_id: system,
            actor_name: "系统",
            actor_role: Role::Admin,
            kind: EventKind::Escalated,
            from_stage: None,
            to_stage: None,
            text: None,
            details: vec![
                ("level".into(), level.name().into()),
                ("due_on".into(), due),
                ("told".into(), told.to_string()),
            ],
            public: false,
        },
    )
    .await?;
    let rev = db::cases::bump_town(conn, row.town_id).await?;
    state
        .commit_case_change(wtx, row.town_id, row.id, rev)
        .await?;
    Ok(Some(level))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default()
    }

    #[test]
    fn levels_are_reached_in_order() {
        let due = d(12, 10);
        assert!(Level::reached(due, d(12, 6)).is_empty());
        assert_eq!(Level::reached(due, d(12, 7)), vec![Level::DueSoon]);
        assert_eq!(Level::reached(due, d(12, 10)), vec![Level::DueSoon]);
        assert_eq!(
            Level::reached(due, d(12, 11)),
            vec![Level::DueSoon, Level::Overdue]
        );
        assert_eq!(
            Level::reached(due, d(12, 17)),
            vec![Level::DueSoon, Level::Overdue, Level::OverdueWeek]
        );
    }
}
