//! The center's people as the routing dialog weighs them (`shared::roster`): each mediator's
//! specialties, open cases, sessions this week, the village committee they serve
//! (`roster_people.serves_unit_id`) and the satisfaction of their cases' latest follow-ups —
//! and the mediator roster itself: mediators and village legal helpers as people, with their
//! qualities, appointment, trainings, load and satisfaction.

use std::collections::HashMap;

use shared::roster::Candidate;
use sqlx::AnyConnection;

use super::cases::open_counts;
use super::users::mediators;
use shared::model::HandlerRef;

/// The town's active mediators as candidates; sessions count between the local times
/// `week_from` (inclusive) and `week_to` (exclusive), `YYYY-MM-DDTHH:MM:SS`.
pub async fn candidates(
    conn: &mut AnyConnection,
    town_id: i64,
    week_from: &str,
    week_to: &str,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let counts = open_counts(&mut *conn, town_id).await?;
    let people = mediators(&mut *conn, town_id).await?;
    let sessions: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT m.user_id, COUNT(*) FROM session_mediators m \
         JOIN mediation_sessions s ON s.id = m.session_id \
         WHERE s.town_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
         AND s.status <> 'cancelled' GROUP BY m.user_id",
    )
    .bind(town_id)
    .bind(week_from)
    .bind(week_to)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let serves: HashMap<i64, Option<i64>> = sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT user_id, serves_unit_id FROM roster_people \
         WHERE town_id = $1 AND user_id IS NOT NULL",
    )
    .bind(town_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    // The latest follow-up of each closed case a mediator handled.
    let follow_ups: Vec<(i64, String)> = sqlx::query_as(
        "SELECT c.handler_id, f.satisfaction FROM follow_ups f JOIN cases c ON c.id = f.case_id \
         WHERE c.town_id = $1 AND c.handler_kind = 'mediator' AND f.satisfaction IS NOT NULL \
         AND f.id = (SELECT MAX(g.id) FROM follow_ups g WHERE g.case_id = f.case_id \
         AND g.satisfaction IS NOT NULL)",
    )
    .bind(town_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut rates: HashMap<i64, (u32, u32)> = HashMap::new();
    for (user, satisfaction) in follow_ups {
        let entry = rates.entry(user).or_default();
        entry.0 += 1;
        let s: shared::model::Satisfaction = super::parse_enum("satisfaction", &satisfaction)?;
        entry.1 += u32::from(s.counts_as_satisfied());
    }
    Ok(people
        .into_iter()
        .map(|m| {
            let handler = HandlerRef::Mediator(m.id);
            let (followed_up, satisfied) = rates.get(&m.id).copied().unwrap_or_default();
            Candidate {
                user_id: m.id,
                name: m.display_name,
                specialties: m.specialties,
                open_cases: counts
                    .iter()
                    .find(|(h, _)| *h == handler)
                    .map_or(0, |(_, n)| *n),
                sessions_this_week: sessions
                    .get(&m.id)
                    .and_then(|n| u32::try_from(*n).ok())
                    .unwrap_or(0),
                serves_village: serves.get(&m.id).copied().flatten(),
                followed_up,
                satisfied,
            }
        })
        .collect())
}

/// Who covers a case's place now (`grid_assignments`): the town leader of its village and the
/// grid workers of its area and group, village first.
pub async fn grid_of_case(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<shared::model::GridContact>, sqlx::Error> {
    use shared::model::{GridContact, GridDuty};
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT u.display_name, u.role, o.level, o.name FROM cases c \
         JOIN grid_assignments a ON a.unit_id IN (c.village_id, c.area_id, c.group_id) \
         AND a.ends_on IS NULL \
         JOIN users u ON u.id = a.user_id \
         JOIN org_units o ON o.id = a.unit_id \
         WHERE c.id = $1 AND u.active = 1 \
         ORDER BY CASE o.level WHEN 'village' THEN 0 WHEN 'area' THEN 1 ELSE 2 END, u.display_name",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, _role, level, unit)| {
            let duty = match level.as_str() {
                "village" => GridDuty::Village,
                "area" => GridDuty::Area,
                "group" => GridDuty::Group,
                _ => return None,
            };
            Some(GridContact { name, duty, unit })
        })
        .collect())
}

/// A person of the mediator roster as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub phone: Option<String>,
    pub serves_unit_id: Option<i64>,
    pub appointed_on: Option<String>,
    pub qualities: String,
    pub note: String,
    pub active: i64,
}

/// The town's mediators and legal helpers, active first, mediators before legal helpers, then
/// by name. A mediator
/// with an account goes by the account's name.
pub async fn people(conn: &mut AnyConnection, town_id: i64) -> Result<Vec<PersonRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.user_id, p.kind, COALESCE(u.display_name, p.name) AS name, p.phone, \
         p.serves_unit_id, p.appointed_on, p.qualities, p.note, \
         CASE WHEN p.active = 1 AND COALESCE(u.active, 1) = 1 THEN 1 ELSE 0 END AS active \
         FROM roster_people p LEFT JOIN users u ON u.id = p.user_id WHERE p.town_id = $1 \
         ORDER BY active DESC, CASE p.kind WHEN 'mediator' THEN 0 ELSE 1 END, name, p.id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await
}

/// One person of the town's roster.
pub async fn person(
    conn: &mut AnyConnection,
    town_id: i64,
    id: i64,
) -> Result<Option<PersonRow>, sqlx::Error> {
    Ok(people(conn, town_id)
        .await?
        .into_iter()
        .find(|p| p.id == id))
}

/// Every person's specialties.
pub async fn specialties(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<HashMap<i64, Vec<shared::model::Category>>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.person_id, s.category FROM roster_specialties s \
         JOIN roster_people p ON p.id = s.person_id WHERE p.town_id = $1 ORDER BY s.category",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<i64, Vec<shared::model::Category>> = HashMap::new();
    for (person, category) in rows {
        out.entry(person)
            .or_default()
            .push(super::parse_enum("category", &category)?);
    }
    Ok(out)
}

/// Every person's trainings, latest first.
pub async fn trainings(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<HashMap<i64, Vec<shared::roster::Training>>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT t.person_id, t.id, t.held_on, t.title, t.hours FROM roster_trainings t \
         JOIN roster_people p ON p.id = t.person_id WHERE p.town_id = $1 \
         ORDER BY t.held_on DESC, t.id DESC",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<i64, Vec<shared::roster::Training>> = HashMap::new();
    for (person, id, held_on, title, hours) in rows {
        out.entry(person)
            .or_default()
            .push(shared::roster::Training {
                id,
                held_on: super::parse_date(&held_on)?,
                title,
                hours: u32::try_from(hours).unwrap_or(0),
            });
    }
    Ok(out)
}

/// Residents' ratings of the closed cases each mediator handled: (rated, satisfied).
pub async fn ratings(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<HashMap<i64, (u32, u32)>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT handler_id, rating FROM cases WHERE town_id = $1 \
         AND handler_kind = 'mediator' AND rating IS NOT NULL",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (user, rating) in rows {
        let s: shared::model::Satisfaction = super::parse_enum("rating", &rating)?;
        let entry = out.entry(user).or_default();
        entry.0 += 1;
        entry.1 += u32::from(s.counts_as_satisfied());
    }
    Ok(out)
}

/// A person's fields as the roster form sets them.
#[derive(Debug)]
pub struct PersonFields<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub serves_unit_id: Option<i64>,
    pub appointed_on: Option<String>,
    pub qualities: String,
    pub note: &'a str,
    pub active: bool,
}

/// Adds a person without an account (a legal helper, or a mediator not yet given one).
pub async fn insert_person(
    conn: &mut AnyConnection,
    town_id: i64,
    f: &PersonFields<'_>,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO roster_people (town_id, user_id, kind, name, phone, serves_unit_id, \
         appointed_on, qualities, note, active, created_at) \
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(town_id)
    .bind(f.kind)
    .bind(f.name)
    .bind(f.phone)
    .bind(f.serves_unit_id)
    .bind(&f.appointed_on)
    .bind(&f.qualities)
    .bind(f.note)
    .bind(i64::from(f.active))
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Changes a person (the kind stays).
pub async fn update_person(
    conn: &mut AnyConnection,
    id: i64,
    f: &PersonFields<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE roster_people SET name = $1, phone = $2, serves_unit_id = $3, \
         appointed_on = $4, qualities = $5, note = $6, active = $7 WHERE id = $8",
    )
    .bind(f.name)
    .bind(f.phone)
    .bind(f.serves_unit_id)
    .bind(&f.appointed_on)
    .bind(&f.qualities)
    .bind(f.note)
    .bind(i64::from(f.active))
    .bind(id)
    .execute(conn)
    .await
    .map(drop)
}

/// Replaces a person's specialties.
pub async fn set_specialties(
    conn: &mut AnyConnection,
    id: i64,
    categories: &[shared::model::Category],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM roster_specialties WHERE person_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for c in categories {
        sqlx::query("INSERT INTO roster_specialties (person_id, category) VALUES ($1, $2)")
            .bind(id)
            .bind(c.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records a training.
pub async fn insert_training(
    conn: &mut AnyConnection,
    person_id: i64,
    t: &shared::roster::NewTraining,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO roster_trainings (person_id, held_on, title, hours, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person_id)
    .bind(super::date_text(t.held_on))
    .bind(t.title.trim())
    .bind(i64::from(t.hours))
    .bind(now_ms)
    .fetch_one(conn)
    .await
}
