//! One county, many towns: the towns, transfers of a case between towns' centers, a town's
//! escalations to the county and the county's instructions, and the county's figures by
//! town (see `shared::county`).

use std::collections::HashMap;

use shared::county::{CountyEscalation, TownFigures, TownInfo, VillageRef};
use shared::model::{Category, CategorySet, Outcome};
use sqlx::{AnyConnection, FromRow};

use super::from_millis;

/// Every town of the deployment with its villages, in the order they were set up.
pub async fn towns(conn: &mut AnyConnection) -> Result<Vec<TownInfo>, sqlx::Error> {
    let towns: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, name, code FROM org_units WHERE level = 'town' ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    let villages: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, town_id FROM org_units WHERE level = 'village' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_town: HashMap<i64, Vec<VillageRef>> = HashMap::new();
    for (id, name, town) in villages {
        if let Some(town) = town {
            by_town
                .entry(town)
                .or_default()
                .push(VillageRef { id, name });
        }
    }
    Ok(towns
        .into_iter()
        .map(|(id, name, code)| TownInfo {
            villages: by_town.remove(&id).unwrap_or_default(),
            id,
            name,
            code,
        })
        .collect())
}

/// The ids of every town.
pub async fn town_ids(conn: &mut AnyConnection) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM org_units WHERE level = 'town' ORDER BY id")
        .fetch_all(conn)
        .await
}

/// The name of the town whose center has a case.
pub async fn town_of_case(conn: &mut AnyConnection, case_id: i64) -> Result<String, sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar(
        "SELECT t.name FROM cases c JOIN org_units t ON t.id = c.town_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await?;
    Ok(name.unwrap_or_default())
}

#[derive(Debug, FromRow)]
struct EscalationRow {
    id: i64,
    reason: String,
    by_name: String,
    at: i64,
    instruction: Option<String>,
    instructed_name: Option<String>,
    instructed_at: Option<i64>,
}

/// A case's escalations to the county, oldest first.
pub async fn escalations(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<CountyEscalation>, sqlx::Error> {
    let rows: Vec<EscalationRow> = sqlx::query_as(
        "SELECT e.id, e.reason, b.display_name AS by_name, e.at, e.instruction, \
         i.display_name AS instructed_name, e.instructed_at \
         FROM county_escalations e JOIN users b ON b.id = e.by_user \
         LEFT JOIN users i ON i.id = e.instructed_by WHERE e.case_id = $1 ORDER BY e.id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CountyEscalation {
            id: r.id,
            reason: r.reason,
            by: r.by_name,
            at: from_millis(r.at),
            instruction: r.instruction,
            instructed_by: r.instructed_name,
            instructed_at: r.instructed_at.map(from_millis),
        })
        .collect())
}

/// Records a town's escalation of a case to the county; `false` if one already waits.
pub async fn escalate(
    conn: &mut AnyConnection,
    case_id: i64,
    town_id: i64,
    reason: &str,
    by: i64,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let waiting: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM county_escalations WHERE case_id = $1 AND instructed_at IS NULL",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    if waiting.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO county_escalations (case_id, town_id, reason, by_user, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(town_id)
    .bind(reason)
    .bind(by)
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Answers the escalation of a case that waits for the county; `false` if none waits.
pub async fn instruct(
    conn: &mut AnyConnection,
    case_id: i64,
    text: &str,
    by: i64,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE county_escalations SET instruction = $1, instructed_by = $2, instructed_at = $3 \
         WHERE case_id = $4 AND instructed_at IS NULL",
    )
    .bind(text)
    .bind(by)
    .bind(at_ms)
    .bind(case_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Who is told of an escalation of a case of `category`: the active county officers, and the
/// active county departments whose line holds the category.
pub async fn officers(
    conn: &mut AnyConnection,
    category: Category,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, role, county_line FROM users WHERE active = 1 \
         AND role IN ('county_officer', 'county_department') ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, role, line)| {
            role == "county_officer" || line.split(',').any(|c| c == category.as_str())
        })
        .map(|(id, _, _)| id)
        .collect())
}

/// A case's move from one town to another's village, and why.
#[derive(Debug, Clone, Copy)]
pub struct Transfer<'a> {
    pub case_id: i64,
    pub from_town: i64,
    pub to_town: i64,
    pub village_id: i64,
    pub reason: &'a str,
}

/// Moves a case to another town's center: to the village given, registered again there, with
/// no handler, cooperating unit or routing waiting for an answer; and records the transfer.
pub async fn transfer(
    conn: &mut AnyConnection,
    t: &Transfer<'_>,
    by: i64,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    let Transfer {
        case_id,
        from_town,
        to_town,
        village_id,
        reason,
    } = *t;
    sqlx::query(
        "UPDATE cases SET town_id = $1, village_id = $2, area_id = NULL, group_id = NULL, \
         stage = 'registered', handler_kind = NULL, handler_id = NULL, cooperating = '', \
         routed_at = NULL, response_due_on = NULL, returned_by = NULL, return_reason = NULL \
         WHERE id = $3",
    )
    .bind(to_town)
    .bind(village_id)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    // What the sending town left on the case: its urgings (to a handler the case no longer
    // has) are closed; its escalation steps start again at the receiving center; the case
    // leaves the agenda of its meetings not yet held; an unacknowledged risk report goes to
    // the receiving town's police station instead.
    sqlx::query(
        "UPDATE case_urgings SET acknowledged_at = $1, acknowledged_by = $2 \
         WHERE case_id = $3 AND acknowledged_at IS NULL",
    )
    .bind(at_ms)
    .bind(by)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM case_escalations WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM meeting_items WHERE case_id = $1 AND meeting_id IN \
         (SELECT id FROM meetings WHERE status = 'scheduled') \
         AND id NOT IN (SELECT item_id FROM meeting_decisions)",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    let station = super::clock::police_station(conn, to_town).await?;
    sqlx::query(
        "UPDATE police_notices SET town_id = $1, department_id = $2 \
         WHERE case_id = $3 AND acknowledged_at IS NULL",
    )
    .bind(to_town)
    .bind(station)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO case_transfers (case_id, from_town, to_town, reason, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(from_town)
    .bind(to_town)
    .bind(reason)
    .bind(by)
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Each town's cases registered and closed since `from_ms`, by town: registered, closed,
/// resolved, closed by the due date; and the escalations waiting for the county.
pub async fn period_figures(
    conn: &mut AnyConnection,
    sqlite: bool,
    from_ms: i64,
    offset_ms: i64,
    line: Option<CategorySet>,
) -> Result<HashMap<i64, TownFigures>, sqlx::Error> {
    let mut out: HashMap<i64, TownFigures> = HashMap::new();
    let only = line_sql("c.category", line);
    let registered: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT c.town_id, CAST(COUNT(*) AS BIGINT) FROM cases c WHERE c.registered_at >= $1{only} \
         GROUP BY c.town_id",
    ))
    .bind(from_ms)
    .fetch_all(&mut *conn)
    .await?;
    for (town, n) in registered {
        out.entry(town).or_default().registered = count(n);
    }
    let resolved: Vec<String> = Outcome::ALL
        .iter()
        .filter(|o| o.is_resolved())
        .map(|o| format!("'{}'", o.as_str()))
        .collect();
    let closed: Vec<(i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT c.town_id, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN c.outcome IN ({}) THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) \
         FROM cases c WHERE c.closed_at >= $1{only} GROUP BY c.town_id",
        resolved.join(", "),
        super::cases::on_time_sql(sqlite, offset_ms)
    ))
    .bind(from_ms)
    .fetch_all(&mut *conn)
    .await?;
    for (town, n, ok, on_time) in closed {
        let f = out.entry(town).or_default();
        f.closed = count(n);
        f.resolved = count(ok);
        f.on_time = count(on_time);
    }
    let pending: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT c.town_id, CAST(COUNT(*) AS BIGINT) FROM county_escalations e \
         JOIN cases c ON c.id = e.case_id WHERE e.instructed_at IS NULL{only} GROUP BY c.town_id",
    ))
    .fetch_all(conn)
    .await?;
    for (town, n) in pending {
        out.entry(town).or_default().county_pending = count(n);
    }
    Ok(out)
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `AND <column> IN (…)` for a county department's line (the codes are the vocabulary's own,
/// never user text); empty for no line (a county officer: every category).
pub fn line_sql(column: &str, line: Option<CategorySet>) -> String {
    match line {
        None => String::new(),
        Some(line) => {
            let codes: Vec<String> = line.iter().map(|c| format!("'{}'", c.as_str())).collect();
            if codes.is_empty() {
                " AND 1 = 0".to_owned()
            } else {
                format!(" AND {column} IN ({})", codes.join(", "))
            }
        }
    }
}

/// The ids of every town's cases of a county department's line that are not archived (the
/// ones a board may hold; a case's category never changes).
pub async fn ids_in_line(
    conn: &mut AnyConnection,
    line: CategorySet,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM cases WHERE stage <> 'archived'{}",
        line_sql("category", Some(line))
    ))
    .fetch_all(conn)
    .await
}
