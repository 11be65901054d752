//! The append-only case event log (timeline and audit trail) and the access log of unmasked
//! reads. Rows here are only ever inserted.

use shared::model::{CaseEvent, EventKind, Role, Stage};
use sqlx::{AnyConnection, FromRow};

use super::{from_millis, parse_enum};

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub case_id: i64,
    pub at_ms: i64,
    pub actor_id: i64,
    pub actor_name: &'a str,
    pub actor_role: Role,
    pub kind: EventKind,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub text: Option<&'a str>,
    pub details: Vec<(String, String)>,
    pub public: bool,
}

/// Appends an event; returns it as it reads on the timeline.
pub async fn insert(conn: &mut AnyConnection, e: &NewEvent<'_>) -> Result<CaseEvent, sqlx::Error> {
    let details = serde_json::to_string(&e.details).unwrap_or_else(|_| "[]".to_owned());
    let text = e.text.map(str::trim).filter(|t| !t.is_empty());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_events (case_id, at, actor_id, actor_name, actor_role, kind, \
         from_stage, to_stage, text, details, is_public) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(e.case_id)
    .bind(e.at_ms)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.actor_role.as_str())
    .bind(e.kind.as_str())
    .bind(e.from_stage.map(Stage::as_str))
    .bind(e.to_stage.map(Stage::as_str))
    .bind(text)
    .bind(details)
    .bind(i64::from(e.public))
    .fetch_one(conn)
    .await?;
    Ok(CaseEvent {
        id,
        at: from_millis(e.at_ms),
        actor_name: e.actor_name.to_owned(),
        actor_role: e.actor_role,
        kind: e.kind,
        from_stage: e.from_stage,
        to_stage: e.to_stage,
        text: text.map(str::to_owned),
        details: e.details.clone(),
        public: e.public,
        by_system: false,
    })
}

#[derive(Debug, FromRow)]
struct EventRow {
    id: i64,
    at: i64,
    actor_name: String,
    actor_role: String,
    kind: String,
    from_stage: Option<String>,
    to_stage: Option<String>,
    text: Option<String>,
    details: String,
    is_public: i64,
    by_system: i64,
}

/// A case's timeline, oldest first.
pub async fn timeline(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<CaseEvent>, sqlx::Error> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.id, e.at, e.actor_name, e.actor_role, e.kind, e.from_stage, e.to_stage, \
         e.text, e.details, e.is_public, CASE WHEN u.username = 'system' THEN 1 ELSE 0 END \
         AS by_system FROM case_events e JOIN users u ON u.id = e.actor_id \
         WHERE e.case_id = $1 ORDER BY e.id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let stage = |s: Option<String>| {
                s.as_deref()
                    .map(|s| parse_enum::<Stage>("stage", s))
                    .transpose()
            };
            Ok(CaseEvent {
                id: r.id,
                at: from_millis(r.at),
                actor_name: r.actor_name,
                actor_role: parse_enum("role", &r.actor_role)?,
                kind: parse_enum("event kind", &r.kind)?,
                from_stage: stage(r.from_stage)?,
                to_stage: stage(r.to_stage)?,
                text: r.text,
                details: serde_json::from_str(&r.details).unwrap_or_default(),
                public: r.is_public != 0,
                by_system: r.by_system != 0,
            })
        })
        .collect()
}

/// The notes published to the resident: (at in ms, text), oldest first.
pub async fn public_notes(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, text FROM case_events WHERE case_id = $1 AND is_public = 1 \
         AND text IS NOT NULL ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// How many access-log rows one statement inserts at most.
pub const ACCESS_ROWS_PER_STATEMENT: usize = 200;

/// Records reads of unmasked personal data: `(case_id, user_id, at_ms, what)`. Up to
/// [`ACCESS_ROWS_PER_STATEMENT`] rows are one statement (atomic even outside a transaction).
pub async fn log_accesses(
    conn: &mut AnyConnection,
    rows: &[(i64, i64, i64, &str)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ACCESS_ROWS_PER_STATEMENT) {
        let mut sql = String::from("INSERT INTO access_log (case_id, user_id, at, what) VALUES ");
        for i in 0..chunk.len() {
            let n = i * 4;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
        }
        let mut query = sqlx::query(&sql);
        for (case_id, user_id, at, what) in chunk {
            query = query.bind(*case_id).bind(*user_id).bind(*at).bind(*what);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
