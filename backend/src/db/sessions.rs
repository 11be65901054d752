//! Sessions (by the hash of their token) and the failed sign-ins that throttle logins.

use sqlx::AnyConnection;

use super::users::UserRow;

/// Stores a new session.
pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    now_ms: i64,
    expires_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now_ms)
    .bind(expires_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The active user of an unexpired session, and when the session expires.
pub async fn user_of(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
) -> Result<Option<(UserRow, i64)>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT s.user_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((user_id, expires)) = row else {
        return Ok(None);
    };
    Ok(super::users::by_id(conn, user_id)
        .await?
        .map(|u| (u, expires)))
}

/// Ends a session.
pub async fn delete(conn: &mut AnyConnection, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes expired sessions and old failed sign-ins.
pub async fn prune(
    conn: &mut AnyConnection,
    now_ms: i64,
    failures_before_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(failures_before_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed sign-ins since `since_ms`: for this username from this address, and from this
/// address in all.
pub async fn recent_failures(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    since_ms: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let pair: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND ip = $2 AND at >= $3",
    )
    .bind(username)
    .bind(ip)
    .bind(since_ms)
    .fetch_one(&mut *conn)
    .await?;
    let ip_total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at >= $2")
            .bind(ip)
            .bind(since_ms)
            .fetch_one(conn)
            .await?;
    Ok((pair, ip_total))
}

/// Records a failed sign-in.
pub async fn record_failure(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(ip)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the failed sign-ins of a username from an address (after a successful one).
pub async fn clear_failures(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1 AND ip = $2")
        .bind(username)
        .bind(ip)
        .execute(conn)
        .await?;
    Ok(())
}
