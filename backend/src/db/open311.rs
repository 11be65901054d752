//! Open311 GeoReport v2: the client programs holding an API key (`open311_clients`, keys kept
//! as their SHA-256 only) and the requests they posted (`open311_requests`: the opaque request
//! id and token of each, and its case).

use shared::api::Open311Client;
use sqlx::{AnyConnection, FromRow};

use super::{Arg, SqlBuilder, from_millis};

/// A client as stored.
#[derive(Debug, Clone, FromRow)]
struct ClientRow {
    id: i64,
    name: String,
    key_hint: String,
    batch: i64,
    created_at: i64,
    created_by: String,
    revoked_at: Option<i64>,
    requests: i64,
}

impl From<ClientRow> for Open311Client {
    fn from(r: ClientRow) -> Open311Client {
        Open311Client {
            id: r.id,
            name: r.name,
            key_hint: r.key_hint,
            batch: r.batch != 0,
            created_at: from_millis(r.created_at),
            created_by: r.created_by,
            revoked_at: r.revoked_at.map(from_millis),
            requests: r.requests,
        }
    }
}

const CLIENT_COLUMNS: &str = "c.id, c.name, c.key_hint, c.batch, c.created_at, \
    COALESCE((SELECT u.display_name FROM users u WHERE u.id = c.created_by), '') AS created_by, \
    c.revoked_at, (SELECT COUNT(*) FROM open311_requests r WHERE r.client_id = c.id) AS requests";

/// Every client, newest first.
pub async fn clients(conn: &mut AnyConnection) -> Result<Vec<Open311Client>, sqlx::Error> {
    let rows: Vec<ClientRow> = sqlx::query_as(&format!(
        "SELECT {CLIENT_COLUMNS} FROM open311_clients c ORDER BY c.id DESC"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Open311Client::from).collect())
}

/// One client.
pub async fn client(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Open311Client>, sqlx::Error> {
    let row: Option<ClientRow> = sqlx::query_as(&format!(
        "SELECT {CLIENT_COLUMNS} FROM open311_clients c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Open311Client::from))
}

/// A new client.
#[derive(Debug, Clone)]
pub struct NewClient<'a> {
    pub name: &'a str,
    pub key_hash: &'a str,
    pub key_hint: &'a str,
    pub batch: bool,
    pub created_by: i64,
}

/// Stores a new client; returns its id.
pub async fn insert_client(
    conn: &mut AnyConnection,
    c: &NewClient<'_>,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO open311_clients (name, key_hash, key_hint, batch, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(c.name)
    .bind(c.key_hash)
    .bind(c.key_hint)
    .bind(i64::from(c.batch))
    .bind(now_ms)
    .bind(c.created_by)
    .fetch_one(conn)
    .await
}

/// Revokes a client's key (once: a revoked key keeps the moment it was first revoked).
/// `false` if there is no such client.
pub async fn revoke(conn: &mut AnyConnection, id: i64, now_ms: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE open311_clients SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
    )
    .bind(id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The client a key belongs to, if the key is one issued and not revoked: its id and whether
/// it is answered in batch mode.
pub async fn client_by_key(
    conn: &mut AnyConnection,
    key_hash: &str,
) -> Result<Option<(i64, bool)>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, batch FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(key_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, batch)| (id, batch != 0)))
}

/// A request posted through Open311.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub request_id: &'a str,
    pub token: &'a str,
    pub case_id: i64,
    pub client_id: i64,
}

/// Records that a case came from an Open311 client, with its request id and token.
pub async fn insert_request(
    conn: &mut AnyConnection,
    r: &NewRequest<'_>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO open311_requests (request_id, token, case_id, client_id, requested_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(r.request_id)
    .bind(r.token)
    .bind(r.case_id)
    .bind(r.client_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// When a request's case last changed: its newest timeline entry.
const UPDATED: &str =
    "COALESCE((SELECT MAX(e.at) FROM case_events e WHERE e.case_id = r.case_id), 0)";

/// The case of a request id, and when it last changed (ms).
pub async fn case_of_request(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT r.case_id, {UPDATED} FROM open311_requests r WHERE r.request_id = $1"
    ))
    .bind(request_id)
    .fetch_optional(conn)
    .await
}

/// The request id a token stands for.
pub async fn request_of_token(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT request_id FROM open311_requests WHERE token = $1")
        .bind(token)
        .fetch_optional(conn)
        .await
}

/// What `GET /requests` searches by.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Request ids: when given, every other filter is ignored.
    pub ids: Vec<String>,
    /// Categories (service codes); empty for all.
    pub categories: Vec<String>,
    /// `Some(true)` open only, `Some(false)` closed only, `None` both.
    pub open: Option<bool>,
    /// Requested at or after / at or before, in milliseconds.
    pub from_ms: i64,
    pub to_ms: i64,
    pub limit: i64,
}

/// The requests a query finds, newest first: their request ids, cases and when each case
/// last changed (ms).
pub async fn find_requests(
    conn: &mut AnyConnection,
    q: &RequestQuery,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT r.request_id, r.case_id, {UPDATED} FROM open311_requests r \
         JOIN cases c ON c.id = r.case_id WHERE "
    ));
    let list = |sql: &mut SqlBuilder, values: &[String]| {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Text(v.clone()));
        }
    };
    if q.ids.is_empty() {
        sql.push("r.requested_at >= ")
            .bind(Arg::Int(q.from_ms))
            .push(" AND r.requested_at <= ")
            .bind(Arg::Int(q.to_ms));
        if !q.categories.is_empty() {
            sql.push(" AND c.category IN (");
            list(&mut sql, &q.categories);
            sql.push(")");
        }
        match q.open {
            Some(true) => sql.push(" AND c.stage NOT IN ('closed', 'archived')"),
            Some(false) => sql.push(" AND c.stage IN ('closed', 'archived')"),
            None => &mut sql,
        };
    } else {
        sql.push("r.request_id IN (");
        list(&mut sql, &q.ids);
        sql.push(")");
    }
    sql.push(" ORDER BY r.requested_at DESC, r.case_id DESC LIMIT ")
        .bind(Arg::Int(q.limit));
    sqlx::query_as_with(&sql.sql, sql.arguments()?)
        .fetch_all(conn)
        .await
}
