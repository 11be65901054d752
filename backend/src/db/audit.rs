//! The audit log (`audit_log`): actions on many cases at once, first the ledger exports.
//! The per-case reads of personal data stay in `access_log`.

use sqlx::{AnyConnection, FromRow};

/// An entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub town_id: i64,
    pub user_id: i64,
    pub at: i64,
    pub action: String,
    /// A JSON object whose shape depends on `action`.
    pub detail: String,
}

/// Records an action; returns the entry's id.
pub async fn record(
    conn: &mut AnyConnection,
    town_id: i64,
    user_id: i64,
    at_ms: i64,
    action: &str,
    detail: &serde_json::Value,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO audit_log (town_id, user_id, at, action, detail) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(town_id)
    .bind(user_id)
    .bind(at_ms)
    .bind(action)
    .bind(detail.to_string())
    .fetch_one(conn)
    .await
}

/// A town's entries, newest first.
pub async fn of_town(
    conn: &mut AnyConnection,
    town_id: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, town_id, user_id, at, action, detail FROM audit_log WHERE town_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(town_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}
