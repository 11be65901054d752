//! The reception log (`reception_visits`) and the service log (`service_records`).

use shared::logs::{ServiceRecord, Visit, is_group};
use shared::repeats::CaseRef;
use sqlx::{AnyConnection, FromRow};

use super::{from_millis, parse_enum};

/// A visit to store.
pub struct VisitRow<'a> {
    pub town_id: i64,
    pub at_ms: i64,
    pub place: &'a str,
    pub purpose: &'a str,
    pub visitors: i64,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub note: &'a str,
    pub received_by: i64,
    pub case_id: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at_ms: i64,
}

pub async fn insert_visit(conn: &mut AnyConnection, v: &VisitRow<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO reception_visits (town_id, at, place, purpose, visitors, name, phone, note, \
         received_by, case_id, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(v.town_id)
    .bind(v.at_ms)
    .bind(v.place)
    .bind(v.purpose)
    .bind(v.visitors)
    .bind(v.name)
    .bind(v.phone)
    .bind(v.note)
    .bind(v.received_by)
    .bind(v.case_id)
    .bind(v.recorded_by)
    .bind(v.recorded_at_ms)
    .fetch_one(conn)
    .await
}

#[derive(Debug, FromRow)]
struct VisitOut {
    id: i64,
    at: i64,
    place: String,
    purpose: String,
    visitors: i64,
    name: String,
    phone: Option<String>,
    note: String,
    received_name: String,
    case_id: Option<i64>,
    case_code: Option<String>,
    recorded_name: String,
}

const VISIT_SELECT: &str = "SELECT v.id, v.at, v.place, v.purpose, v.visitors, v.name, v.phone, \
    v.note, r.display_name AS received_name, v.case_id, c.code AS case_code, \
    b.display_name AS recorded_name FROM reception_visits v \
    JOIN users r ON r.id = v.received_by JOIN users b ON b.id = v.recorded_by \
    LEFT JOIN cases c ON c.id = v.case_id ";

fn visit_of(r: VisitOut) -> Result<Visit, sqlx::Error> {
    let visitors = u32::try_from(r.visitors).unwrap_or(1);
    Ok(Visit {
        id: r.id,
        at: from_millis(r.at),
        place: r.place,
        purpose: parse_enum("purpose", &r.purpose)?,
        visitors,
        group: is_group(visitors),
        name: r.name,
        phone: r.phone,
        note: r.note,
        received_by: r.received_name,
        case: r
            .case_id
            .zip(r.case_code)
            .map(|(id, code)| CaseRef { id, code }),
        recorded_by: r.recorded_name,
        masked: false,
    })
}

/// The town's visits in `[from_ms, until_ms)`, newest first.
pub async fn visits(
    conn: &mut AnyConnection,
    town_id: i64,
    from_ms: i64,
    until_ms: i64,
) -> Result<Vec<Visit>, sqlx::Error> {
    let rows: Vec<VisitOut> = sqlx::query_as(&format!(
        "{VISIT_SELECT} WHERE v.town_id = $1 AND v.at >= $2 AND v.at < $3 ORDER BY v.at DESC, v.id DESC"
    ))
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(visit_of).collect()
}

/// One visit of the town.
pub async fn visit(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
) -> Result<Option<Visit>, sqlx::Error> {
    let row: Option<VisitOut> = sqlx::query_as(&format!(
        "{VISIT_SELECT} WHERE v.id = $1 AND v.town_id = $2"
    ))
    .bind(id)
    .bind(town_id)
    .fetch_optional(conn)
    .await?;
    row.map(visit_of).transpose()
}

/// Links a visit of the town not yet linked to `case_id`; false if there is none such.
pub async fn link_visit(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
    case_id: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE reception_visits SET case_id = $1 WHERE id = $2 AND town_id = $3 \
         AND case_id IS NULL",
    )
    .bind(case_id)
    .bind(id)
    .bind(town_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// A service to store.
pub struct ServiceRow<'a> {
    pub town_id: i64,
    pub at_ms: i64,
    pub kind: &'a str,
    pub person: &'a str,
    pub given_by: i64,
    pub minutes: i64,
    pub note: &'a str,
    pub case_id: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at_ms: i64,
}

pub async fn insert_service(
    conn: &mut AnyConnection,
    s: &ServiceRow<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO service_records (town_id, at, kind, person, given_by, minutes, note, \
         case_id, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(s.town_id)
    .bind(s.at_ms)
    .bind(s.kind)
    .bind(s.person)
    .bind(s.given_by)
    .bind(s.minutes)
    .bind(s.note)
    .bind(s.case_id)
    .bind(s.recorded_by)
    .bind(s.recorded_at_ms)
    .fetch_one(conn)
    .await
}

#[derive(Debug, FromRow)]
struct ServiceOut {
    id: i64,
    at: i64,
    kind: String,
    person: String,
    given_by: i64,
    given_name: String,
    minutes: i64,
    note: String,
    case_id: Option<i64>,
    case_code: Option<String>,
    recorded_name: String,
}

/// The town's services in `[from_ms, until_ms)`, newest first; with `given_by`, only that
/// person's. Each comes with the id of who gave it.
pub async fn services(
    conn: &mut AnyConnection,
    town_id: i64,
    from_ms: i64,
    until_ms: i64,
    given_by: Option<i64>,
) -> Result<Vec<(i64, ServiceRecord)>, sqlx::Error> {
    let rows: Vec<ServiceOut> = sqlx::query_as(
        "SELECT s.id, s.at, s.kind, s.person, s.given_by, g.display_name AS given_name, \
         s.minutes, s.note, s.case_id, c.code AS case_code, b.display_name AS recorded_name \
         FROM service_records s JOIN users g ON g.id = s.given_by \
         JOIN users b ON b.id = s.recorded_by LEFT JOIN cases c ON c.id = s.case_id \
         WHERE s.town_id = $1 AND s.at >= $2 AND s.at < $3 \
         AND ($4 = 0 OR s.given_by = $4) ORDER BY s.at DESC, s.id DESC",
    )
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .bind(given_by.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.given_by,
                ServiceRecord {
                    id: r.id,
                    at: from_millis(r.at),
                    kind: parse_enum("service kind", &r.kind)?,
                    person: r.person,
                    given_by: r.given_name,
                    minutes: u32::try_from(r.minutes).unwrap_or(0),
                    note: r.note,
                    case: r
                        .case_id
                        .zip(r.case_code)
                        .map(|(id, code)| CaseRef { id, code }),
                    recorded_by: r.recorded_name,
                    masked: false,
                },
            ))
        })
        .collect()
}

/// The name and role of an active person of the town, if `user_id` is one.
pub async fn person_of_town(
    conn: &mut AnyConnection,
    town_id: i64,
    user_id: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT display_name, role FROM users WHERE id = $1 AND town_id = $2 AND active = 1",
    )
    .bind(user_id)
    .bind(town_id)
    .fetch_optional(conn)
    .await
}

/// What the town's logs add up to in `[from_ms, until_ms)`.
pub async fn summary(
    conn: &mut AnyConnection,
    town_id: i64,
    from_ms: i64,
    until_ms: i64,
) -> Result<shared::logs::LogSummary, sqlx::Error> {
    // SUM is cast back to BIGINT: PostgreSQL sums BIGINT as NUMERIC.
    let (visits, visitors, groups): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(visitors), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN visitors >= $4 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM reception_visits WHERE town_id = $1 AND at >= $2 AND at < $3",
    )
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .bind(i64::from(shared::logs::GROUP_VISIT))
    .fetch_one(&mut *conn)
    .await?;
    let kinds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*) FROM service_records WHERE town_id = $1 AND at >= $2 \
         AND at < $3 GROUP BY kind",
    )
    .bind(town_id)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&mut *conn)
    .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut out = shared::logs::LogSummary {
        visits: count(visits),
        visitors: count(visitors),
        group_visits: count(groups),
        ..Default::default()
    };
    for (kind, n) in kinds {
        let kind: shared::model::ServiceKind = parse_enum("service kind", &kind)?;
        if kind.is_psychological() {
            out.psychological_services += count(n);
        } else {
            out.legal_services += count(n);
        }
    }
    Ok(out)
}
