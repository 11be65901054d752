//! Multi-row inserts of the append-only rows of demo cases (parties and events) and the
//! reservation of archive numbers, so a benchmark-sized demo costs hundreds of statements
//! instead of a hundred thousand round trips (on PostgreSQL each statement is one). The rows
//! are exactly what `db::cases::insert_party` and `db::events::insert` write, column for
//! column; cases themselves go through `db::cases`.

use shared::api::NewParty;
use shared::repeats::{id_key, phone_key};
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments};

use crate::db::events::NewEvent;

/// Rows per statement. Far below both databases' limits on bound parameters; larger
/// statements were slower on SQLite (10,000 + 10,000 cases: 27 s with 400 rows, 9 s with 50).
const ROWS_PER_STATEMENT: usize = 50;

/// Stores parties: (case id, position, party).
pub(crate) async fn parties(
    conn: &mut AnyConnection,
    rows: &[(i64, usize, &NewParty)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut args = AnyArguments::default();
        let mut sql = String::from(
            "INSERT INTO parties (case_id, position, side, kind, name, gender, ethnicity, age, \
             occupation, id_number, phone, address, phone_key, id_key) VALUES ",
        );
        let mut n = 0;
        for (i, (case_id, position, p)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&placeholders(&mut n, 14));
            let trimmed = |s: &Option<String>| {
                s.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            add(&mut args, *case_id)?;
            add(&mut args, i64::try_from(*position).unwrap_or(i64::MAX))?;
            add(&mut args, p.side.as_str().to_owned())?;
            add(&mut args, p.kind.as_str().to_owned())?;
            add(&mut args, p.name.trim().to_owned())?;
            add(&mut args, p.gender.map(|g| g.as_str().to_owned()))?;
            add(&mut args, trimmed(&p.ethnicity))?;
            add(&mut args, p.age.map(i64::from))?;
            add(&mut args, trimmed(&p.occupation))?;
            add(
                &mut args,
                trimmed(&p.id_number).map(|s| s.to_ascii_uppercase()),
            )?;
            add(&mut args, trimmed(&p.phone))?;
            add(&mut args, trimmed(&p.address))?;
            add(&mut args, p.phone.as_deref().and_then(phone_key))?;
            add(&mut args, p.id_number.as_deref().and_then(id_key))?;
        }
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Appends events, in the order given (their ids follow that order, as the timeline reads
/// them).
pub(crate) async fn events(
    conn: &mut AnyConnection,
    rows: &[NewEvent<'_>],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut args = AnyArguments::default();
        let mut sql = String::from(
            "INSERT INTO case_events (case_id, at, actor_id, actor_name, actor_role, kind, \
             from_stage, to_stage, text, details, is_public) VALUES ",
        );
        let mut n = 0;
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&placeholders(&mut n, 11));
            let details = serde_json::to_string(&e.details).unwrap_or_else(|_| "[]".to_owned());
            let text = e
                .text
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            add(&mut args, e.case_id)?;
            add(&mut args, e.at_ms)?;
            add(&mut args, e.actor_id)?;
            add(&mut args, e.actor_name.to_owned())?;
            add(&mut args, e.actor_role.as_str().to_owned())?;
            add(&mut args, e.kind.as_str().to_owned())?;
            add(&mut args, e.from_stage.map(|s| s.as_str().to_owned()))?;
            add(&mut args, e.to_stage.map(|s| s.as_str().to_owned()))?;
            add(&mut args, text)?;
            add(&mut args, details)?;
            add(&mut args, i64::from(e.public))?;
        }
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Reserves `count` archive numbers of a town in a year from its counter; returns the first
/// (the reserved ones are `first .. first + count`), as `db::cases::next_archive_no` would
/// have given them one by one.
pub(crate) async fn reserve_archive_numbers(
    conn: &mut AnyConnection,
    town_id: i64,
    year: i32,
    count: i64,
) -> Result<i64, sqlx::Error> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO archive_counters (town_id, year, last_no) VALUES ($1, $2, $3) \
         ON CONFLICT (town_id, year) DO UPDATE SET last_no = archive_counters.last_no + $3 \
         RETURNING last_no",
    )
    .bind(town_id)
    .bind(i64::from(year))
    .bind(count)
    .fetch_one(conn)
    .await?;
    Ok(last - count + 1)
}

/// `($n+1, $n+2, …)` for one row of `columns` values.
fn placeholders(n: &mut usize, columns: usize) -> String {
    let mut out = String::from("(");
    for c in 0..columns {
        if c > 0 {
            out.push_str(", ");
        }
        *n += 1;
        out.push('$');
        out.push_str(&n.to_string());
    }
    out.push(')');
    out
}

fn add<'q, T>(args: &mut AnyArguments<'q>, value: T) -> Result<(), sqlx::Error>
where
    T: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    args.add(value).map_err(sqlx::Error::Encode)
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_on_from_row_to_row() {
        let mut n = 0;
        assert_eq!(placeholders(&mut n, 3), "($1, $2, $3)");
        assert_eq!(placeholders(&mut n, 2), "($4, $5)");
    }
}
