//! The center's people as the routing dialog weighs them (`shared::roster`): each mediator's
//! specialties, open cases, sessions this week, the village committee they serve
//! (`users.org_unit_id`) and the satisfaction of their cases' latest follow-ups.

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
        "SELECT id, org_unit_id FROM users WHERE town_id = $1 AND role = 'mediator'",
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

/// Who covers a case's place now: the active town leaders of its village and grid workers of
/// its area and group, village first.
pub async fn grid_of_case(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<shared::model::GridContact>, sqlx::Error> {
    use shared::model::{GridContact, GridDuty};
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT u.display_name, u.role, o.level, o.name FROM cases c \
         JOIN users u ON u.org_unit_id IN (c.village_id, c.area_id, c.group_id) \
         JOIN org_units o ON o.id = u.org_unit_id \
         WHERE c.id = $1 AND u.active = 1 AND u.role IN ('grid_worker', 'town_leader') \
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
