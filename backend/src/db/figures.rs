//! The dashboard's counts: grouped queries over a town's cases, each an index-only range
//! scan of the period (migration 0011's covering indexes), never a scan per figure. What the
//! figures mean is `shared::figures`; the case list counts the same things one by one
//! (`cases::list_where`), which is how the API test checks every figure.

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::figures::Counts;
use shared::model::{CaseKind, Category, Resolution, Satisfaction};
use sqlx::AnyConnection;

use super::cases::{SPOT_SQL, in_names, on_time_sql};
use super::{Arg, SqlBuilder, date_text, parse_date, parse_enum};

/// Where and when the counts are taken.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub town_id: i64,
    pub village_id: Option<i64>,
    /// The period's first instant and the first instant after it.
    pub from_ms: i64,
    pub until_ms: i64,
    /// The centers' time zone, in milliseconds east of UTC.
    pub offset_ms: i64,
}

/// What a table's rows are grouped by, in SQL (each a text key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Kind,
    Category,
    Village,
    Channel,
    /// `mediator:3`, `department:5` (the handler and the department tables both come from it).
    Handler,
}

impl Key {
    pub const ALL: [Key; 5] = [
        Key::Kind,
        Key::Category,
        Key::Village,
        Key::Channel,
        Key::Handler,
    ];

    fn sql(self) -> &'static str {
        match self {
            Key::Kind => "c.kind",
            Key::Category => "c.category",
            Key::Village => "CAST(c.village_id AS TEXT)",
            Key::Channel => "c.channel",
            Key::Handler => "(c.handler_kind || ':' || CAST(c.handler_id AS TEXT))",
        }
    }
}

/// The counts per group of one key, and what the kind and channel tables carry besides.
#[derive(Debug, Clone, Default)]
pub struct Grouped {
    /// Counts per key (a case without a handler has none in the handler table).
    pub counts: HashMap<String, Counts>,
    /// Key `Kind`: petitions marked as repeated, registered in the period.
    pub repeat_petitions: u64,
    /// Key `Kind`: the ratings of the cases closed in the period.
    pub ratings: [u64; 3],
    /// Key `Channel`: settled on the spot, per channel.
    pub on_the_spot: HashMap<String, u64>,
}

fn base(scope: &Scope, head: &str) -> SqlBuilder {
    let mut q = SqlBuilder::new(head);
    q.push(" FROM cases c WHERE c.town_id = ")
        .bind(Arg::Int(scope.town_id));
    if let Some(v) = scope.village_id {
        q.push(" AND c.village_id = ").bind(Arg::Int(v));
    }
    q
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The class of a result in SQL: `r` resolved, `u` not resolved, `n` not counted.
fn class_sql() -> String {
    let names = |class: Resolution| -> Vec<&'static str> {
        class.outcomes().iter().map(|o| o.as_str()).collect()
    };
    format!(
        "CASE WHEN {} THEN 'r' WHEN {} THEN 'u' ELSE 'n' END",
        in_names("c.outcome", &names(Resolution::Resolved)),
        in_names("c.outcome", &names(Resolution::Unresolved)),
    )
}

/// A range of milliseconds in the period: `column >= from AND column < until`.
fn within(q: &mut SqlBuilder, column: &str, scope: &Scope) {
    q.push(" AND ")
        .push(column)
        .push(" >= ")
        .bind(Arg::Int(scope.from_ms))
        .push(" AND ")
        .push(column)
        .push(" < ")
        .bind(Arg::Int(scope.until_ms));
}

/// The counts of the period per `key`: cases received, and cases closed by class, on time and
/// days taken.
pub async fn grouped(
    conn: &mut AnyConnection,
    sqlite: bool,
    scope: &Scope,
    key: Key,
) -> Result<Grouped, sqlx::Error> {
    let mut out = Grouped::default();
    let k = key.sql();
    // Received.
    let repeat = if key == Key::Kind {
        "CASE WHEN c.kind = 'petition' AND (',' || c.risk_flags || ',') LIKE '%,repeat_petition,%' \
         THEN 1 ELSE 0 END"
    } else {
        "0"
    };
    // A constant is no grouping term (SQLite takes a number for a column's position,
    // PostgreSQL refuses it): only expressions are grouped by.
    let group = |terms: &[&str]| {
        let terms: Vec<&str> = terms
            .iter()
            .copied()
            .filter(|t| !matches!(*t, "0" | "''"))
            .collect();
        format!(" GROUP BY {}", terms.join(", "))
    };
    let mut q = base(scope, &format!("SELECT {k}, {repeat}, COUNT(*)"));
    within(&mut q, "c.registered_at", scope);
    q.push(&group(&[k, repeat]));
    let rows: Vec<(Option<String>, i64, i64)> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(&mut *conn)
        .await?;
    for (key, repeated, n) in rows {
        if repeated == 1 {
            out.repeat_petitions += count(n);
        }
        if let Some(key) = key {
            out.counts.entry(key).or_default().received += count(n);
        }
    }
    // Closed.
    let extra = match key {
        Key::Kind => "COALESCE(c.rating, '')".to_owned(),
        Key::Channel => format!("CASE WHEN {SPOT_SQL} THEN 'spot' ELSE '' END"),
        _ => "''".to_owned(),
    };
    let class = class_sql();
    let on_time = format!(
        "CASE WHEN {} THEN 1 ELSE 0 END",
        on_time_sql(sqlite, scope.offset_ms)
    );
    let mut q = base(
        scope,
        &format!(
            "SELECT {k}, {class}, {on_time}, {extra}, COUNT(*), \
             CAST(SUM(c.closed_at - c.registered_at) AS BIGINT)"
        ),
    );
    within(&mut q, "c.closed_at", scope);
    q.push(&group(&[k, &class, &on_time, &extra]));
    /// Group, class, on time (0/1), rating or spot, how many, milliseconds taken.
    type Row = (Option<String>, String, i64, String, i64, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(&mut *conn)
        .await?;
    for (group, class, on_time, extra, n, ms) in rows {
        let n = count(n);
        if key == Key::Kind && !extra.is_empty() {
            match parse_enum::<Satisfaction>("rating", &extra)? {
                Satisfaction::Satisfied => out.ratings[0] += n,
                Satisfaction::Basic => out.ratings[1] += n,
                Satisfaction::Dissatisfied => out.ratings[2] += n,
            }
        }
        if let Some(group) = group {
            if extra == "spot" {
                *out.on_the_spot.entry(group.clone()).or_default() += n;
            }
            let c = out.counts.entry(group).or_default();
            c.closed += n;
            match class.as_str() {
                "r" => c.resolved += n,
                "u" => c.unresolved += n,
                _ => c.uncounted += n,
            }
            if on_time == 1 {
                c.on_time += n;
            }
            // Hundredths of a day: 864,000 ms each.
            c.centidays_to_close += count(ms.unwrap_or(0)) / 864_000;
        }
    }
    Ok(out)
}

/// Per day of the period (days since 1970-01-01 in the centers' time zone): received,
/// closed, resolved.
pub async fn per_day(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<HashMap<i64, [u64; 3]>, sqlx::Error> {
    let mut days: HashMap<i64, [u64; 3]> = HashMap::new();
    let off = scope.offset_ms;
    let day = format!("((c.registered_at + {off}) / 86400000)");
    let mut q = base(scope, &format!("SELECT {day}, COUNT(*)"));
    within(&mut q, "c.registered_at", scope);
    q.push(&format!(" GROUP BY {day}"));
    let rows: Vec<(i64, i64)> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(&mut *conn)
        .await?;
    for (d, n) in rows {
        days.entry(d).or_default()[0] += count(n);
    }
    let day = format!("((c.closed_at + {off}) / 86400000)");
    let class = class_sql();
    let mut q = base(scope, &format!("SELECT {day}, {class}, COUNT(*)"));
    within(&mut q, "c.closed_at", scope);
    q.push(&format!(" GROUP BY {day}, {class}"));
    let rows: Vec<(i64, String, i64)> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(&mut *conn)
        .await?;
    for (d, class, n) in rows {
        let entry = days.entry(d).or_default();
        entry[1] += count(n);
        if class == "r" {
            entry[2] += count(n);
        }
    }
    Ok(days)
}

/// Cases registered in the period and reported to the police as a criminal risk.
pub async fn police(conn: &mut AnyConnection, scope: &Scope) -> Result<u64, sqlx::Error> {
    let mut q = base(scope, "SELECT COUNT(*)");
    within(&mut q, "c.registered_at", scope);
    q.push(" AND c.id IN (SELECT n.case_id FROM police_notices n WHERE n.town_id = ")
        .bind(Arg::Int(scope.town_id))
        .push(")");
    let n: i64 = sqlx::query_scalar_with(&q.sql, q.arguments()?)
        .fetch_one(conn)
        .await?;
    Ok(count(n))
}

/// Cases registered in the period, per village.
pub async fn received_per_village(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<HashMap<i64, u64>, sqlx::Error> {
    let mut q = base(scope, "SELECT c.village_id, COUNT(*)");
    within(&mut q, "c.registered_at", scope);
    q.push(" GROUP BY c.village_id");
    let rows: Vec<(i64, i64)> = sqlx::query_as_with(&q.sql, q.arguments()?)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|(v, n)| (v, count(n))).collect())
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

/// The open, not suspended cases past their due date (as `CaseFilter::overdue`): how many,
/// and the `limit` most overdue.
pub async fn overdue(
    conn: &mut AnyConnection,
    scope: &Scope,
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
    let mut q = base(scope, "SELECT COUNT(*)");
    condition(&mut q);
    let total: i64 = sqlx::query_scalar_with(&q.sql, q.arguments()?)
        .fetch_one(&mut *conn)
        .await?;
    let mut q = SqlBuilder::new(
        "SELECT c.id, c.code, c.kind, c.category, v.name, c.handler_kind, c.handler_id, c.due_on \
         FROM cases c JOIN org_units v ON v.id = c.village_id WHERE c.town_id = ",
    );
    q.bind(Arg::Int(scope.town_id));
    if let Some(v) = scope.village_id {
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
