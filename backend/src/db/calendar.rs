//! The working-day calendar as stored: `calendar_days` and `calendar_years`.

use chrono::Datelike;
use shared::calendar::{Calendar, CalendarDay, DayKind, official_days, official_years};
use sqlx::{AnyConnection, FromRow};

use super::{corrupt, parse_date};

#[derive(Debug, FromRow)]
struct DayRow {
    day: String,
    kind: String,
    name: String,
}

/// The whole calendar.
pub async fn load(conn: &mut AnyConnection) -> Result<Calendar, sqlx::Error> {
    let rows: Vec<DayRow> =
        sqlx::query_as("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(&mut *conn)
            .await?;
    let years: Vec<i64> = sqlx::query_scalar("SELECT year FROM calendar_years ORDER BY year")
        .fetch_all(&mut *conn)
        .await?;
    let mut days = Vec::with_capacity(rows.len());
    for r in rows {
        let date = parse_date(&r.day)?;
        let kind = DayKind::parse(&r.kind)
            .ok_or_else(|| corrupt(format!("unknown calendar day kind `{}`", r.kind)))?;
        days.push(CalendarDay {
            date,
            kind,
            name: r.name,
        });
    }
    Ok(Calendar::new(
        days,
        years.into_iter().filter_map(|y| i32::try_from(y).ok()),
    ))
}

/// Replaces a year's entries and marks the year entered.
pub async fn replace_year(
    conn: &mut AnyConnection,
    year: i32,
    days: &[CalendarDay],
    by: Option<i64>,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2")
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .execute(&mut *conn)
        .await?;
    for d in days.iter().filter(|d| d.date.year() == year) {
        sqlx::query("INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)")
            .bind(d.date.format("%Y-%m-%d").to_string())
            .bind(d.kind.as_str())
            .bind(d.name.as_str())
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO calendar_years (year, entered_by, entered_at) VALUES ($1, $2, $3) \
         ON CONFLICT (year) DO UPDATE SET entered_by = $2, entered_at = $3",
    )
    .bind(i64::from(year))
    .bind(by)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Enters the official schedules that ship with Concord for the years not entered yet (an
/// administrator's edits of a year are never overwritten).
pub async fn seed_official(conn: &mut AnyConnection, at_ms: i64) -> Result<(), sqlx::Error> {
    let entered: Vec<i64> = sqlx::query_scalar("SELECT year FROM calendar_years")
        .fetch_all(&mut *conn)
        .await?;
    let days = official_days();
    for year in official_years() {
        if !entered.contains(&i64::from(year)) {
            replace_year(conn, year, &days, None, at_ms).await?;
        }
    }
    Ok(())
}

#[derive(Debug, FromRow)]
struct OpenClockRow {
    id: i64,
    town_id: i64,
    clock_track: String,
    clock_days: i64,
    clock_unit: String,
    clock_started_on: String,
    extension_days: i64,
    due_on: String,
}

/// Counts every open case's due date again on `calendar`; returns the towns whose cases
/// moved. The version is left alone: a due date moved by the calendar is nobody's edit and
/// must not make a person's next move a conflict.
pub async fn recount_open_cases(
    conn: &mut AnyConnection,
    calendar: &Calendar,
    today: chrono::NaiveDate,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<OpenClockRow> = sqlx::query_as(
        "SELECT id, town_id, clock_track, clock_days, clock_unit, clock_started_on, \
         extension_days, due_on FROM cases \
         WHERE stage IN ('registered', 'routed', 'in_handling')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let pauses = super::clock::pauses_by_case(&mut *conn).await?;
    let mut towns = Vec::new();
    for r in rows {
        let mut clock = super::cases::clock_of(
            &r.clock_track,
            r.clock_days,
            &r.clock_unit,
            &r.clock_started_on,
            r.extension_days,
        )?;
        clock.pauses = pauses.get(&r.id).cloned().unwrap_or_default();
        let due = super::date_text(clock.due_on(calendar, today));
        if due != r.due_on {
            sqlx::query("UPDATE cases SET due_on = $1 WHERE id = $2")
                .bind(&due)
                .bind(r.id)
                .execute(&mut *conn)
                .await?;
            if !towns.contains(&r.town_id) {
                towns.push(r.town_id);
            }
        }
    }
    Ok(towns)
}
