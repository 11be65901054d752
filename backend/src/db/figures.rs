//! What the dashboard reads: one compact row per case (`FigureRow`, loaded once per town and
//! then only for the cases that changed), the overdue list, and the names its tables show.
//! What the figures mean is `shared::figures`; the case list counts the same things one by one
//! (`cases::list_where`), which is how the API test checks every figure.

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::model::{CaseKind, Category, Channel, HandlerRef, Outcome, Resolution, Satisfaction};
use sqlx::AnyConnection;

use super::cases::{SPOT_SQL, handler_of, on_time_sql};
use super::{Arg, SqlBuilder, date_text, parse_date, parse_enum};

/// What the dashboard counts of one case (`crate::dashboard` keeps these per town in memory
/// and adds them up for any period and place).
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub id: i64,
    pub kind: CaseKind,
    pub category: Category,
    pub village_id: i64,
    pub channel: Channel,
    pub handler: Option<HandlerRef>,
    pub registered_at: i64,
    pub closed_at: Option<i64>,
    /// The result's class, once closed.
    pub resolution: Option<Resolution>,
    /// Closed by the due date.
    pub on_time: bool,
    pub rating: Option<Satisfaction>,
    /// Registered and closed at once (就地化解).
    pub spot: bool,
    /// A petition marked as repeated.
    pub repeat_petition: bool,
    /// Reported to the police as a criminal risk.
    pub police: bool,
    /// The satisfaction recorded at the latest follow-up visit (回访).
    pub follow_up: Option<Satisfaction>,
}

/// The figure rows of a town's cases, or of some of them (`ids`).
pub async fn rows(
    conn: &mut AnyConnection,
    sqlite: bool,
    town_id: i64,
    offset_ms: i64,
    ids: Option<&[i64]>,
) -> Result<Vec<FigureRow>, sqlx::Error> {
    let mut q = SqlBuilder::new(&format!(
        "SELECT c.id, c.kind, c.category, c.village_id, c.channel, c.handler_kind, c.handler_id, \
         c.registered_at, c.closed_at, c.outcome, \
         CASE WHEN c.closed_at IS NOT NULL AND {} THEN 1 ELSE 0 END, c.rating, \
         CASE WHEN {SPOT_SQL} THEN 1 ELSE 0 END, \
         CASE WHEN (',' || c.risk_flags || ',') LIKE '%,repeat_petition,%' THEN 1 ELSE 0 END, \
         CASE WHEN n.case_id IS NULL THEN 0 ELSE 1 END, \
         (SELECT f.satisfaction FROM follow_ups f WHERE f.case_id = c.id \
          AND f.satisfaction IS NOT NULL ORDER BY f.id DESC LIMIT 1) \
         FROM cases c LEFT JOIN police_notices n ON n.case_id = c.id WHERE c.town_id = ",
        on_time_sql(sqlite, offset_ms)
    ));
    q.bind(Arg::Int(town_id));
    if let Some(ids) = ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND c.id IN (").bind_ids(ids).push(")");
    }
    type Row = (
        i64,
        String,
        String,
        i64,
        String,
        Option<String>,
        Option<i64>,
        i64,
        Option<i64>,
        Option<String>,
        i64,
        Option<String>,
        i64,
        i64,
        i64,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let outcome =
            r.9.as_deref()
                .map(|o| parse_enum::<Outcome>("outcome", o))
                .transpose()?;
        out.push(FigureRow {
            id: r.0,
            kind: parse_enum("kind", &r.1)?,
            category: parse_enum("category", &r.2)?,
            village_id: r.3,
            channel: parse_enum("channel", &r.4)?,
            handler: handler_of(r.5.as_deref(), r.6)?,
            registered_at: r.7,
            closed_at: r.8,
            resolution: outcome.filter(|_| r.8.is_some()).map(Resolution::of),
            on_time: r.10 == 1,
            rating: r
                .11
                .as_deref()
                .map(|v| parse_enum("rating", v))
                .transpose()?,
            spot: r.12 == 1,
            repeat_petition: r.1 == CaseKind::Petition.as_str() && r.13 == 1,
            police: r.14 == 1,
            follow_up: r
                .15
                .as_deref()
                .map(|v| parse_enum("follow-up satisfaction", v))
                .transpose()?,
        });
    }
    Ok(out)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// An open case past its due date, as the dashboard lists it.
#[derive(Debug, Clone)]
pub struct Overdue {
    pub id: i64,
    pub code: String,
    pub kind: CaseKind,
    pub category: Category,
    pub village: String,
    pub handler: Option<(String, i64)>,
    pub due_on: NaiveDate,
}

/// The open, not suspended cases past their due date (as `CaseFilter::overdue`) of a town
/// or one village: how many, and the `limit` most overdue.
pub async fn overdue(
    conn: &mut AnyConnection,
    town_id: i64,
    village_id: Option<i64>,
    today: NaiveDate,
    limit: usize,
) -> Result<(u64, Vec<Overdue>), sqlx::Error> {
    let condition = |q: &mut SqlBuilder| {
        q.push(
            " AND c.stage IN ('registered', 'routed', 'in_handling') \
             AND c.suspended_on IS NULL AND c.due_on < ",
        )
        .bind(Arg::Text(date_text(today)));
    };
    let mut q = SqlBuilder::new("SELECT COUNT(*) FROM cases c WHERE c.town_id = ");
    q.bind(Arg::Int(town_id));
    if let Some(v) = village_id {
        q.push(" AND c.village_id = ").bind(Arg::Int(v));
    }
    condition(&mut q);
    let total: i64 = sqlx::query_scalar_with(&q.sql, q.arguments()?)
        .fetch_one(&mut *conn)
        .await?;
    let mut q = SqlBuilder::new(
        "SELECT c.id, c.code, c.kind, c.category, v.name, c.handler_kind, c.handler_id, c.due_on \
         FROM cases c JOIN org_units v ON v.id = c.village_id WHERE c.town_id = ",
    );
    q.bind(Arg::Int(town_id));
    if let Some(v) = village_id {
        q.push(" AND c.village_id = ").bind(Arg::Int(v));
    }
    condition(&mut q);
    q.push(" ORDER BY c.due_on ASC, c.id ASC LIMIT ")
        .bind(Arg::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(conn)
        .await?;
    let mut list = Vec::with_capacity(rows.len());
    for (id, code, kind, category, village, hk, hid, due_on) in rows {
        list.push(Overdue {
            id,
            code,
            kind: parse_enum("kind", &kind)?,
            category: parse_enum("category", &category)?,
            village,
            handler: hk.zip(hid),
            due_on: parse_date(&due_on)?,
        });
    }
    Ok((count(total), list))
}

/// The names the tables show: the town's villages, its users and its departments, by id.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub villages: HashMap<i64, String>,
    pub users: HashMap<i64, String>,
    pub departments: HashMap<i64, String>,
}

/// The town's names.
pub async fn names(conn: &mut AnyConnection, town_id: i64) -> Result<Names, sqlx::Error> {
    let villages: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM org_units WHERE town_id = $1 AND level = 'village'")
            .bind(town_id)
            .fetch_all(&mut *conn)
            .await?;
    let users: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, display_name FROM users WHERE town_id = $1")
            .bind(town_id)
            .fetch_all(&mut *conn)
            .await?;
    let departments: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM departments WHERE town_id = $1")
            .bind(town_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Names {
        villages: villages.into_iter().collect(),
        users: users.into_iter().collect(),
        departments: departments.into_iter().collect(),
    })
}
