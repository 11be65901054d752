//! Saved board views (`saved_views`): a person's own named filters, and the cases newly put on
//! a person's plate that they have not opened since (from their unread notifications).

use shared::api::{CaseFilter, SavedView};
use shared::workflow::Actor;
use sqlx::AnyConnection;

use super::{Arg, SqlBuilder, corrupt};

/// A person's saved views, in the order they were saved.
pub async fn list(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<SavedView>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, filter FROM saved_views WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, name, filter)| {
            let filter: CaseFilter = serde_json::from_str(&filter)
                .map_err(|e| corrupt(format!("saved view {id}: {e}")))?;
            Ok(SavedView { id, name, filter })
        })
        .collect()
}

/// Locks the person's row until the transaction ends, so that two saves at once see each
/// other's views (their count and names) on PostgreSQL too; SQLite writes one at a time.
pub async fn lock_person(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET id = id WHERE id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a view; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    filter: &CaseFilter,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let json = serde_json::to_string(filter).map_err(|e| corrupt(e.to_string()))?;
    sqlx::query_scalar(
        "INSERT INTO saved_views (user_id, name, filter, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(json)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Deletes one of the person's views; `false` if they have none of that id.
pub async fn delete(conn: &mut AnyConnection, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The cases newly on `actor`'s plate that they have not opened since: routed to them (and
/// still theirs, in Routed or In handling), or returned to the center (declined, or not
/// accepted in time, and still Registered with that return on the card) — each with an unread
/// notification saying so.
pub async fn new_cases(conn: &mut AnyConnection, actor: &Actor) -> Result<Vec<i64>, sqlx::Error> {
    let mut q = SqlBuilder::new(
        "SELECT DISTINCT n.case_id FROM notifications n JOIN cases c ON c.id = n.case_id \
         WHERE n.user_id = ",
    );
    q.bind(Arg::Int(actor.user_id))
        .push(" AND n.read_at IS NULL AND c.town_id = ")
        .bind(Arg::Int(actor.town_id))
        .push(" AND ((n.kind = 'routed' AND c.stage IN ('routed', 'in_handling') AND ");
    super::cases::mine(&mut q, actor);
    q.push(
        ") OR (n.kind IN ('declined', 'response_expired') AND c.stage = 'registered' \
         AND c.returned_by IS NOT NULL)) ORDER BY n.case_id",
    );
    sqlx::query_scalar_with(&q.sql, q.arguments()?)
        .fetch_all(conn)
        .await
}

/// Marks the person's unread notifications of one case read (they opened it); how many.
pub async fn mark_case_seen(
    conn: &mut AnyConnection,
    user_id: i64,
    case_id: i64,
    now_ms: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND case_id = $3 \
         AND read_at IS NULL",
    )
    .bind(now_ms)
    .bind(user_id)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
