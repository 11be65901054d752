//! Supervision as stored: urgings (`case_urgings`), escalation steps (`case_escalations`),
//! in-app notifications (`notifications`) and the residents' SMS outbox (`sms_outbox`).

use std::collections::HashMap;

use shared::model::{HandlerRef, Notification, NotificationKind, OutboxMessage, Urging};
use sqlx::{AnyConnection, FromRow};

use super::{SqlBuilder, date_text, from_millis, parse_date, parse_enum};

#[derive(Debug, FromRow)]
struct UrgingRow {
    case_id: i64,
    id: i64,
    what: String,
    due_on: String,
    by_name: String,
    at: i64,
    ack_name: Option<String>,
    acknowledged_at: Option<i64>,
}

/// A case's urgings, oldest first.
pub async fn urgings(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<Urging>, sqlx::Error> {
    Ok(urgings_of_cases(conn, &[case_id])
        .await?
        .remove(&case_id)
        .unwrap_or_default())
}

/// The urgings of each of some cases, oldest first (a case without any has no entry).
pub async fn urgings_of_cases(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<HashMap<i64, Vec<Urging>>, sqlx::Error> {
    let mut out: HashMap<i64, Vec<Urging>> = HashMap::new();
    for chunk in case_ids.chunks(500) {
        let mut q = SqlBuilder::new(
            "SELECT u.case_id, u.id, u.what, u.due_on, b.display_name AS by_name, u.at, \
             a.display_name AS ack_name, u.acknowledged_at \
             FROM case_urgings u JOIN users b ON b.id = u.by_user \
             LEFT JOIN users a ON a.id = u.acknowledged_by WHERE u.case_id IN (",
        );
        q.bind_ids(chunk).push(") ORDER BY u.case_id, u.id");
        let rows: Vec<UrgingRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            let urging = Urging {
                id: r.id,
                what: r.what,
                due_on: parse_date(&r.due_on)?,
                by: r.by_name,
                at: from_millis(r.at),
                acknowledged_by: r.ack_name,
                acknowledged_at: r.acknowledged_at.map(from_millis),
            };
            out.entry(r.case_id).or_default().push(urging);
        }
    }
    Ok(out)
}

/// Records an urging; returns its id.
pub async fn insert_urging(
    conn: &mut AnyConnection,
    case_id: i64,
    by: i64,
    at_ms: i64,
    what: &str,
    due_on: chrono::NaiveDate,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO case_urgings (case_id, by_user, at, what, due_on) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(case_id)
    .bind(by)
    .bind(at_ms)
    .bind(what)
    .bind(date_text(due_on))
    .fetch_one(conn)
    .await
}

/// Acknowledges an urging of this case not acknowledged yet; returns whether one was.
pub async fn acknowledge_urging(
    conn: &mut AnyConnection,
    case_id: i64,
    urging_id: i64,
    by: i64,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE case_urgings SET acknowledged_by = $1, acknowledged_at = $2 \
         WHERE id = $3 AND case_id = $4 AND acknowledged_at IS NULL",
    )
    .bind(by)
    .bind(at_ms)
    .bind(urging_id)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the urging exists on this case (acknowledged or not).
pub async fn urging_exists(
    conn: &mut AnyConnection,
    case_id: i64,
    urging_id: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM case_urgings WHERE id = $1 AND case_id = $2")
            .bind(urging_id)
            .bind(case_id)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Records an escalation step; `false` if it was taken before (each step happens once).
pub async fn take_escalation(
    conn: &mut AnyConnection,
    case_id: i64,
    level: &str,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO case_escalations (case_id, level, at) VALUES ($1, $2, $3) \
         ON CONFLICT (case_id, level) DO NOTHING",
    )
    .bind(case_id)
    .bind(level)
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The escalation steps taken on a case, as level names.
pub async fn escalations(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT level FROM case_escalations WHERE case_id = $1 ORDER BY at, level")
        .bind(case_id)
        .fetch_all(conn)
        .await
}

/// The active accounts that act for a unit: the mediator, or the department's liaisons.
pub async fn people_of(
    conn: &mut AnyConnection,
    unit: HandlerRef,
) -> Result<Vec<i64>, sqlx::Error> {
    match unit {
        HandlerRef::Mediator(id) => {
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND active = 1")
                .bind(id)
                .fetch_all(conn)
                .await
        }
        HandlerRef::Department(id) => {
            sqlx::query_scalar(
                "SELECT id FROM users WHERE department_id = $1 AND role = 'liaison' \
                 AND active = 1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(conn)
            .await
        }
    }
}

/// The town's active center leads.
pub async fn leads_of(conn: &mut AnyConnection, town_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE town_id = $1 AND role = 'lead' AND active = 1 ORDER BY id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await
}

/// The active town leaders in charge of a village (包村领导) now, as the grid roster says.
pub async fn town_leaders_of(
    conn: &mut AnyConnection,
    village_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT u.id FROM grid_assignments a JOIN users u ON u.id = a.user_id \
         WHERE a.unit_id = $1 AND a.ends_on IS NULL AND u.role = 'town_leader' \
         AND u.active = 1 ORDER BY u.id",
    )
    .bind(village_id)
    .fetch_all(conn)
    .await
}

/// The server's own account (timeouts and escalations are recorded as its acts).
pub async fn system_user(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = 'system'")
        .fetch_one(conn)
        .await
}

/// Notifies each of `users` once (a person named twice is told once).
pub async fn notify(
    conn: &mut AnyConnection,
    users: &[i64],
    case_id: Option<i64>,
    kind: NotificationKind,
    text: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    for (i, user) in users.iter().enumerate() {
        if users[..i].contains(user) {
            continue;
        }
        sqlx::query(
            "INSERT INTO notifications (user_id, case_id, kind, text, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(*user)
        .bind(case_id)
        .bind(kind.as_str())
        .bind(text)
        .bind(at_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, FromRow)]
struct NotificationRow {
    id: i64,
    case_id: Option<i64>,
    code: Option<String>,
    kind: String,
    text: String,
    at: i64,
    read_at: Option<i64>,
}

/// A person's newest notifications (at most `limit`) and how many are unread in all.
pub async fn notifications_of(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> Result<(Vec<Notification>, u64), sqlx::Error> {
    let rows: Vec<NotificationRow> = sqlx::query_as(
        "SELECT n.id, n.case_id, c.code, n.kind, n.text, n.at, n.read_at FROM notifications n \
         LEFT JOIN cases c ON c.id = n.case_id WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(Notification {
                id: r.id,
                case_id: r.case_id,
                case_code: r.code,
                kind: parse_enum("notification kind", &r.kind)?,
                text: r.text,
                at: from_millis(r.at),
                read: r.read_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((items, u64::try_from(unread).unwrap_or(0)))
}

/// Marks one of a person's notifications read (or all of them, with `id` `None`); returns
/// how many changed.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user_id: i64,
    id: Option<i64>,
    at_ms: i64,
) -> Result<u64, sqlx::Error> {
    let done = match id {
        Some(id) => {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 \
                 AND read_at IS NULL",
            )
            .bind(at_ms)
            .bind(user_id)
            .bind(id)
            .execute(conn)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            )
            .bind(at_ms)
            .bind(user_id)
            .execute(conn)
            .await?
        }
    };
    Ok(done.rows_affected())
}

/// Whether a notification of this person exists.
pub async fn notification_exists(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Queues a text message for a resident.
pub async fn queue_sms(
    conn: &mut AnyConnection,
    case_id: i64,
    phone: &str,
    text: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sms_outbox (case_id, phone, text, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(phone)
    .bind(text)
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, FromRow)]
struct OutboxRow {
    id: i64,
    case_id: Option<i64>,
    phone: String,
    text: String,
    status: String,
    created_at: i64,
}

/// The outbox, oldest first; only messages of `status` if given.
pub async fn outbox(
    conn: &mut AnyConnection,
    status: Option<&str>,
) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    const COLUMNS: &str = "SELECT id, case_id, phone, text, status, created_at FROM sms_outbox";
    let rows: Vec<OutboxRow> = match status {
        Some(status) => {
            sqlx::query_as(&format!("{COLUMNS} WHERE status = $1 ORDER BY id"))
                .bind(status)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query_as(&format!("{COLUMNS} ORDER BY id"))
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.id,
            case_id: r.case_id,
            phone: r.phone,
            text: r.text,
            status: r.status,
            created_at: from_millis(r.created_at),
        })
        .collect())
}
