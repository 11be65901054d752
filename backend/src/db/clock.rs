//! A case's clock as stored beside the case: suspensions (`case_pauses`), extensions
//! (`case_extensions`), and the risk report to the police station (`police_notices`).

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::deadline::Pause;
use shared::model::{
    Extension, ExtensionStatus, PoliceNotice, RiskFlag, SuspendReason, Suspension, Urging,
};
use sqlx::{AnyConnection, FromRow};

use super::{SqlBuilder, date_text, from_millis, parse_date, parse_enum};

/// What a case page shows beside the case row: urgings, suspensions, extensions, the police
/// notice.
#[derive(Debug, Clone, Default)]
pub struct CaseExtras {
    pub urgings: Vec<Urging>,
    pub suspensions: Vec<Suspension>,
    pub extensions: Vec<Extension>,
    pub police_notice: Option<PoliceNotice>,
    /// The later cases linked as repeats of this one, oldest first.
    pub repeated_by: Vec<shared::repeats::CaseRef>,
    /// Who covers the case's place.
    pub grid: Vec<shared::model::GridContact>,
    /// The name of the town whose center has the case.
    pub town: String,
    /// Its escalations to the county, oldest first.
    pub county: Vec<shared::county::CountyEscalation>,
}

impl CaseExtras {
    /// The clock's pauses.
    pub fn pauses(&self) -> Vec<Pause> {
        pauses_of(&self.suspensions)
    }
}

/// The pauses of a case's suspensions.
pub fn pauses_of(suspensions: &[Suspension]) -> Vec<Pause> {
    suspensions
        .iter()
        .map(|s| Pause {
            from: s.from,
            until: s.until,
        })
        .collect()
}

/// Everything a case page shows beside the case row.
pub async fn extras(conn: &mut AnyConnection, case_id: i64) -> Result<CaseExtras, sqlx::Error> {
    Ok(CaseExtras {
        urgings: super::supervision::urgings(&mut *conn, case_id).await?,
        suspensions: suspensions(&mut *conn, case_id).await?,
        extensions: extensions(&mut *conn, case_id).await?,
        police_notice: notice_of_case(&mut *conn, case_id).await?,
        repeated_by: super::repeats::repeated_by(&mut *conn, case_id).await?,
        grid: super::roster::grid_of_case(&mut *conn, case_id).await?,
        town: super::county::town_of_case(&mut *conn, case_id).await?,
        county: super::county::escalations(&mut *conn, case_id).await?,
    })
}

#[derive(Debug, FromRow)]
struct PauseRow {
    id: i64,
    from_on: String,
    until_on: Option<String>,
    reason_kind: String,
    reason: String,
    by_name: String,
    resumed_name: Option<String>,
}

/// A case's suspensions, oldest first.
pub async fn suspensions(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<Suspension>, sqlx::Error> {
    let rows: Vec<PauseRow> = sqlx::query_as(
        "SELECT p.id, p.from_on, p.until_on, p.reason_kind, p.reason, b.display_name AS by_name, \
         r.display_name AS resumed_name FROM case_pauses p JOIN users b ON b.id = p.by_user \
         LEFT JOIN users r ON r.id = p.resumed_by WHERE p.case_id = $1 ORDER BY p.id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Suspension {
                id: r.id,
                from: parse_date(&r.from_on)?,
                until: r.until_on.as_deref().map(parse_date).transpose()?,
                reason_kind: parse_enum::<SuspendReason>("suspend reason", &r.reason_kind)?,
                reason: r.reason,
                by: r.by_name,
                resumed_by: r.resumed_name,
            })
        })
        .collect()
}

/// The pauses of many cases at once (for recounting due dates), by case.
pub async fn pauses_by_case(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashMap<i64, Vec<Pause>>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT case_id, from_on, until_on FROM case_pauses ORDER BY id")
            .fetch_all(conn)
            .await?;
    let mut out: std::collections::HashMap<i64, Vec<Pause>> = std::collections::HashMap::new();
    for (case_id, from, until) in rows {
        out.entry(case_id).or_default().push(Pause {
            from: parse_date(&from)?,
            until: until.as_deref().map(parse_date).transpose()?,
        });
    }
    Ok(out)
}

/// Suspends a case from `from`: records the pause and marks the case.
pub async fn suspend(
    conn: &mut AnyConnection,
    case_id: i64,
    from: NaiveDate,
    reason_kind: SuspendReason,
    reason: &str,
    by: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO case_pauses (case_id, from_on, reason_kind, reason, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(date_text(from))
    .bind(reason_kind.as_str())
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE cases SET suspended_on = $1, suspend_reason = $2 WHERE id = $3")
        .bind(date_text(from))
        .bind(reason_kind.as_str())
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends a case's open suspension on `until` (the first day the clock runs again). Returns
/// false when the case was not suspended.
pub async fn resume(
    conn: &mut AnyConnection,
    case_id: i64,
    until: NaiveDate,
    by: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE case_pauses SET until_on = $1, resumed_by = $2, resumed_at = $3 \
         WHERE case_id = $4 AND until_on IS NULL",
    )
    .bind(date_text(until))
    .bind(by)
    .bind(at)
    .bind(case_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("UPDATE cases SET suspended_on = NULL, suspend_reason = NULL WHERE id = $1")
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(done > 0)
}

/// Stores a case's clock as counted now: its due date, paused and extension days.
pub async fn store_clock(
    conn: &mut AnyConnection,
    case_id: i64,
    due_on: NaiveDate,
    paused_days: u32,
    extension_days: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE cases SET due_on = $1, paused_days = $2, extension_days = $3 WHERE id = $4",
    )
    .bind(date_text(due_on))
    .bind(i64::from(paused_days))
    .bind(i64::from(extension_days))
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, FromRow)]
struct ExtensionRow {
    case_id: i64,
    id: i64,
    days: i64,
    reason: String,
    consent: i64,
    requested_name: String,
    requested_at: i64,
    status: String,
    decided_name: Option<String>,
    decided_at: Option<i64>,
    decision: Option<String>,
}

/// A case's extension requests, oldest first.
pub async fn extensions(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<Extension>, sqlx::Error> {
    Ok(extensions_of_cases(conn, &[case_id])
        .await?
        .remove(&case_id)
        .unwrap_or_default())
}

/// The extension requests of each of some cases, oldest first (a case without any has no
/// entry).
pub async fn extensions_of_cases(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<HashMap<i64, Vec<Extension>>, sqlx::Error> {
    let mut out: HashMap<i64, Vec<Extension>> = HashMap::new();
    for chunk in case_ids.chunks(500) {
        let mut q = SqlBuilder::new(
            "SELECT e.case_id, e.id, e.days, e.reason, e.consent, \
             q.display_name AS requested_name, e.requested_at, e.status, \
             d.display_name AS decided_name, e.decided_at, e.decision \
             FROM case_extensions e JOIN users q ON q.id = e.requested_by \
             LEFT JOIN users d ON d.id = e.decided_by WHERE e.case_id IN (",
        );
        q.bind_ids(chunk).push(") ORDER BY e.case_id, e.id");
        let rows: Vec<ExtensionRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            let extension = Extension {
                id: r.id,
                days: u32::try_from(r.days).unwrap_or(0),
                reason: r.reason,
                consent: r.consent != 0,
                requested_by: r.requested_name,
                requested_at: from_millis(r.requested_at),
                status: parse_enum::<ExtensionStatus>("extension status", &r.status)?,
                decided_by: r.decided_name,
                decided_at: r.decided_at.map(from_millis),
                decision: r.decision,
            };
            out.entry(r.case_id).or_default().push(extension);
        }
    }
    Ok(out)
}

/// Records an extension request; returns its id.
pub async fn insert_extension(
    conn: &mut AnyConnection,
    case_id: i64,
    days: u32,
    reason: &str,
    consent: bool,
    by: i64,
    at: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO case_extensions (case_id, days, reason, consent, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(i64::from(days))
    .bind(reason)
    .bind(i64::from(consent))
    .bind(by)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// Decides a pending request. Returns false when it was decided already.
pub async fn decide_extension(
    conn: &mut AnyConnection,
    case_id: i64,
    id: i64,
    status: ExtensionStatus,
    by: i64,
    at: i64,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE case_extensions SET status = $1, decided_by = $2, decided_at = $3, decision = $4 \
         WHERE id = $5 AND case_id = $6 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(by)
    .bind(at)
    .bind((!note.is_empty()).then_some(note))
    .bind(id)
    .bind(case_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

#[derive(Debug, FromRow)]
struct NoticeRow {
    id: i64,
    case_id: i64,
    code: String,
    summary: String,
    village: String,
    risk: String,
    risk_flags: String,
    department: Option<String>,
    at: i64,
    ack_name: Option<String>,
    acknowledged_at: Option<i64>,
}

const NOTICE_SELECT: &str = "SELECT n.id, n.case_id, c.code, c.summary, v.name AS village, \
    c.risk, c.risk_flags, d.name AS department, n.at, a.display_name AS ack_name, \
    n.acknowledged_at FROM police_notices n JOIN cases c ON c.id = n.case_id \
    JOIN org_units v ON v.id = c.village_id LEFT JOIN departments d ON d.id = n.department_id \
    LEFT JOIN users a ON a.id = n.acknowledged_by ";

impl NoticeRow {
    /// The notice, with the summary's personal names masked by `mask`.
    fn into_notice(self, mask: impl Fn(i64, &str) -> String) -> Result<PoliceNotice, sqlx::Error> {
        let risk_flags: Result<Vec<RiskFlag>, sqlx::Error> = self
            .risk_flags
            .split(',')
            .filter(|f| !f.is_empty())
            .map(|f| parse_enum::<RiskFlag>("risk flag", f))
            .collect();
        Ok(PoliceNotice {
            id: self.id,
            case_id: self.case_id,
            summary: mask(self.case_id, &self.summary),
            case_code: self.code,
            village: self.village,
            risk: parse_enum("risk", &self.risk)?,
            risk_flags: risk_flags?,
            department: self.department,
            at: from_millis(self.at),
            acknowledged_by: self.ack_name,
            acknowledged_at: self.acknowledged_at.map(from_millis),
        })
    }
}

/// A redactor of each case's personal party names, read in one query per 500 cases (as the
/// board's cards are masked).
async fn masker(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<std::collections::HashMap<i64, shared::privacy::Redactor>, sqlx::Error> {
    let names = super::cases::names_of_cases(conn, case_ids).await?;
    // Every case gets one, so that numbers typed into a summary are masked even where a case
    // has no personal party.
    Ok(case_ids
        .iter()
        .map(|id| {
            let of_case = names.get(id).map_or(&[][..], Vec::as_slice);
            let redactor = shared::privacy::Redactor::for_names(of_case.iter().map(String::as_str));
            (*id, redactor)
        })
        .collect())
}

/// The police notice of a case, if it has one (summary masked).
pub async fn notice_of_case(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Option<PoliceNotice>, sqlx::Error> {
    let row: Option<NoticeRow> = sqlx::query_as(&format!("{NOTICE_SELECT} WHERE n.case_id = $1"))
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let masks = masker(conn, &[case_id]).await?;
    row.into_notice(|id, t| masks.get(&id).map_or_else(|| t.to_owned(), |r| r.redact(t)))
        .map(Some)
}

/// The notices to a police station (or, for `None`, every notice of the town), pending
/// first, then newest first; at most `limit`.
pub async fn notices(
    conn: &mut AnyConnection,
    town_id: i64,
    department_id: Option<i64>,
    limit: i64,
) -> Result<Vec<PoliceNotice>, sqlx::Error> {
    // Department 0 is nobody: `None` lists the whole town.
    let sql = format!(
        "{NOTICE_SELECT} WHERE n.town_id = $1 AND ($2 = 0 OR n.department_id = $2) \
         ORDER BY CASE WHEN n.acknowledged_at IS NULL THEN 0 ELSE 1 END, n.id DESC LIMIT $3"
    );
    let rows: Vec<NoticeRow> = sqlx::query_as(&sql)
        .bind(town_id)
        .bind(department_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
    let masks = masker(conn, &ids).await?;
    rows.into_iter()
        .map(|r| {
            r.into_notice(|id, t| masks.get(&id).map_or_else(|| t.to_owned(), |m| m.redact(t)))
        })
        .collect()
}

/// A notice's case and station, by the notice's id.
pub async fn notice_target(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<(i64, i64, Option<i64>)>, sqlx::Error> {
    sqlx::query_as("SELECT case_id, town_id, department_id FROM police_notices WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The town's police station, if it has one (the first active one).
pub async fn police_station(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM departments WHERE town_id = $1 AND kind = 'police' AND active = 1 \
         ORDER BY id LIMIT 1",
    )
    .bind(town_id)
    .fetch_optional(conn)
    .await
}

/// Records the notice of a case (once per case); returns its id.
pub async fn insert_notice(
    conn: &mut AnyConnection,
    case_id: i64,
    town_id: i64,
    department_id: Option<i64>,
    at: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO police_notices (case_id, town_id, department_id, at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(case_id)
    .bind(town_id)
    .bind(department_id)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// Acknowledges a notice. Returns false when it was acknowledged already.
pub async fn acknowledge_notice(
    conn: &mut AnyConnection,
    id: i64,
    by: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE police_notices SET acknowledged_by = $1, acknowledged_at = $2 \
         WHERE id = $3 AND acknowledged_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// The administrator's default clocks, by track (tracks not set follow their standard rule).
pub async fn clock_settings(
    conn: &mut AnyConnection,
) -> Result<Vec<(shared::deadline::Track, u16, shared::deadline::DayUnit)>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT track, days, unit FROM clock_settings ORDER BY track")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(track, days, unit)| {
            Ok((
                super::cases::from_wire("clock track", &track)?,
                u16::try_from(days).map_err(|_| super::corrupt("clock days".into()))?,
                super::cases::from_wire("clock unit", &unit)?,
            ))
        })
        .collect()
}

/// Sets a track's default clock.
pub async fn put_clock_setting(
    conn: &mut AnyConnection,
    track: shared::deadline::Track,
    days: u16,
    unit: shared::deadline::DayUnit,
    by: i64,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    let unit = match unit {
        shared::deadline::DayUnit::Calendar => "calendar",
        shared::deadline::DayUnit::Working => "working",
    };
    sqlx::query(
        "INSERT INTO clock_settings (track, days, unit, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (track) DO UPDATE SET days = excluded.days, \
         unit = excluded.unit, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(track.as_str())
    .bind(i64::from(days))
    .bind(unit)
    .bind(at_ms)
    .bind(by)
    .execute(conn)
    .await
    .map(drop)
}
