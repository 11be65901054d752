//! The demo's people and logs beside its cases: households per group, the grid roster's
//! dates (with one handover on record), the grid workers' visits over the last months (the
//! demo's grid reports among them, each linked to its case), the mediator roster (qualities,
//! appointments, trainings, a legal helper per village), and a year of the reception and
//! service logs at about the seed's numbers (300+ visitors, 230+ services).

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::model::{ServiceKind, VisitOutcome, VisitPurpose, VisitTag};
use sqlx::AnyConnection;

use super::roster;
use super::write::Ids;
use crate::db;

/// Places of a visit in a group (a household by its number, or a place of the village).
const PLACES: &[&str] = &[
    "号户",
    "号户",
    "号户",
    "村委会",
    "田间地头",
    "农家书屋",
    "文化广场",
    "小卖部门口",
];

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "马", "赵", "周", "孙"];
const GIVEN: &[&str] = &[
    "桂兰", "建华", "秀英", "国强", "玉珍", "志刚", "红梅", "德福",
];

/// What a visit found, by tag: (tag, findings).
const FINDINGS: &[(VisitTag, &str)] = &[
    (VisitTag::Nothing, ""),
    (VisitTag::Nothing, ""),
    (VisitTag::Nothing, ""),
    (VisitTag::Nothing, ""),
    (
        VisitTag::Demand,
        "反映村道路灯损坏,夜间出行不便,已转村委会。",
    ),
    (
        VisitTag::Demand,
        "询问城乡居民医保缴费时间和标准,已当场解答。",
    ),
    (VisitTag::Risk, "独居老人,子女在外务工,冬季取暖需关注。"),
    (VisitTag::Risk, "两户因浇水顺序有口角,已提醒村调委会留意。"),
];

fn day_text(d: NaiveDate) -> String {
    db::date_text(d)
}

/// Writes the demo's grid, roster and logs.
pub(crate) async fn people_and_logs(
    conn: &mut AnyConnection,
    ids: &Ids,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> Result<(), sqlx::Error> {
    let today = now.with_timezone(&tz).date_naive();
    let now_ms = now.timestamp_millis();
    let mut rng = StdRng::seed_from_u64(0x6772_6964);
    let back = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);

    // Households per group; the roster's covers date from over a year ago, but the first
    // group's: its auxiliary grid worker took it over from the area's full-time one 120 days
    // ago.
    for (i, g) in ids.groups.iter().enumerate() {
        let n = 36 + (i as i64 * 17) % 45;
        sqlx::query("UPDATE org_units SET households = $1 WHERE id = $2")
            .bind(n)
            .bind(*g)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE grid_assignments SET starts_on = $1 WHERE town_id = $2")
        .bind(day_text(back(400)))
        .bind(ids.town)
        .execute(&mut *conn)
        .await?;
    if let (Some(group), Some(full_time)) = (ids.groups.first(), ids.full_time.first()) {
        sqlx::query("UPDATE grid_assignments SET starts_on = $1 WHERE unit_id = $2")
            .bind(day_text(back(120)))
            .bind(*group)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO grid_assignments (town_id, unit_id, user_id, starts_on, ends_on, \
             assigned_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ids.town)
        .bind(*group)
        .bind(*full_time)
        .bind(day_text(back(400)))
        .bind(day_text(back(120)))
        .bind(ids.lead)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }

    grid_visits(conn, ids, (today, tz), now_ms, &mut rng).await?;
    mediator_roster(conn, ids, today, now_ms).await?;
    logs(conn, ids, today, tz, &mut rng).await?;
    Ok(())
}

/// The grid reports of the last 75 days as visits linked to their cases, then routine visits:
/// each worker walks their units every week or so, except that the last village's groups were
/// last walked six weeks ago (the roster shows them as not visited).
async fn grid_visits(
    conn: &mut AnyConnection,
    ids: &Ids,
    (today, tz): (NaiveDate, FixedOffset),
    now_ms: i64,
    rng: &mut StdRng,
) -> Result<(), sqlx::Error> {
    let (units, names) = db::grid::units(&mut *conn, ids.town).await?;
    let covers: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT unit_id, user_id FROM grid_assignments WHERE town_id = $1 AND ends_on IS NULL",
    )
    .bind(ids.town)
    .fetch_all(&mut *conn)
    .await?;
    let cover_of = |unit: Option<i64>| {
        unit.and_then(|u| covers.iter().find(|(c, _)| *c == u).map(|(_, w)| *w))
    };
    let since_ms = now_ms - 75 * 86_400_000;
    type Report = (i64, i64, Option<i64>, Option<i64>, i64, i64, String);
    let reports: Vec<Report> = sqlx::query_as(&format!(
        "SELECT c.id, c.village_id, c.area_id, c.group_id, c.registered_at, \
             CASE WHEN {} THEN 1 ELSE 0 END, c.summary FROM cases c WHERE c.town_id = $1 \
             AND c.channel = 'grid_report' AND c.registered_at >= $2 ORDER BY c.id",
        db::cases::SPOT_SQL
    ))
    .bind(ids.town)
    .bind(since_ms)
    .fetch_all(&mut *conn)
    .await?;
    let mut key = 0u32;
    let mut next_key = || {
        key += 1;
        format!("demo-visit-{key:05}")
    };
    for (case_id, village, area, group, registered_at, spot, summary) in reports {
        let unit = group.or(area).unwrap_or(village);
        let Some(worker) = cover_of(group)
            .or(cover_of(area))
            .or(cover_of(Some(village)))
        else {
            continue;
        };
        let party: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT name, phone FROM parties WHERE case_id = $1 AND side = 'applicant' \
             ORDER BY position LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
        let (met, phone) = party.unwrap_or_default();
        let resolved = spot == 1;
        let visited_on = db::from_millis(registered_at)
            .with_timezone(&tz)
            .date_naive();
        db::grid::insert_visit(
            conn,
            &db::grid::VisitRow {
                town_id: ids.town,
                unit_id: unit,
                worker_id: worker,
                visited_on,
                place: &format!(
                    "{}{}号户",
                    names.get(&unit).cloned().unwrap_or_default(),
                    rng.gen_range(1..60)
                ),
                met: &met,
                phone: phone.as_deref(),
                findings: &summary,
                tags: VisitTag::Dispute.as_str().to_owned(),
                outcome: if resolved {
                    VisitOutcome::Resolved
                } else {
                    VisitOutcome::Reported
                },
                case_id: Some(case_id),
                photo: None,
                client_key: &next_key(),
                now_ms: registered_at,
            },
        )
        .await?;
    }
    let last_village = ids.villages.last().copied();
    for (unit, worker) in &covers {
        let Some(u) = units.iter().find(|u| u.id == *unit) else {
            continue;
        };
        let quiet = last_village
            .is_some_and(|v| *unit == v || db::grid::within(&units, v).contains(unit))
            && u.level == shared::model::OrgLevel::Group;
        // Town leaders walk their village every two weeks or so, grid workers every week.
        let step = if u.level == shared::model::OrgLevel::Village {
            14
        } else {
            6
        };
        let mut ago = if quiet { 42 } else { rng.gen_range(0..4) };
        while ago < 75 {
            let day = today.checked_sub_days(Days::new(ago)).unwrap_or(today);
            let (tag, findings) = FINDINGS[rng.gen_range(0..FINDINGS.len())];
            let place = PLACES[rng.gen_range(0..PLACES.len())];
            let place = if place == "号户" {
                format!("{}号户", rng.gen_range(1..60))
            } else {
                place.to_owned()
            };
            let met = format!(
                "{}{}",
                SURNAMES[rng.gen_range(0..SURNAMES.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            );
            db::grid::insert_visit(
                conn,
                &db::grid::VisitRow {
                    town_id: ids.town,
                    unit_id: *unit,
                    worker_id: *worker,
                    visited_on: day,
                    place: &place,
                    met: &met,
                    phone: None,
                    findings,
                    tags: tag.as_str().to_owned(),
                    outcome: VisitOutcome::Noted,
                    case_id: None,
                    photo: None,
                    client_key: &next_key(),
                    now_ms,
                },
            )
            .await?;
            ago += step + rng.gen_range(0..4);
        }
    }
    Ok(())
}

/// The mediators' qualities, appointments and trainings, and a legal helper per village.
async fn mediator_roster(
    conn: &mut AnyConnection,
    ids: &Ids,
    today: NaiveDate,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let trainings = |first: usize, count: usize| {
        roster::TRAININGS
            .iter()
            .cycle()
            .skip(first)
            .take(count)
            .map(|(ago, title, hours)| shared::roster::NewTraining {
                held_on: today.checked_sub_days(Days::new(*ago)).unwrap_or(today),
                title: (*title).to_owned(),
                hours: *hours,
            })
            .collect::<Vec<_>>()
    };
    for (i, m) in roster::MEDIATORS.iter().enumerate() {
        let Some(user) = ids.mediators.get(i) else {
            continue;
        };
        let qualities: Vec<&str> = m.qualities.iter().map(|q| q.as_str()).collect();
        let person: i64 = sqlx::query_scalar("SELECT id FROM roster_people WHERE user_id = $1")
            .bind(*user)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::query("UPDATE roster_people SET qualities = $1, appointed_on = $2 WHERE id = $3")
            .bind(qualities.join(","))
            .bind(m.appointed)
            .bind(person)
            .execute(&mut *conn)
            .await?;
        for t in trainings(i % 2, 2 + i % 3) {
            db::roster::insert_training(conn, person, &t, now_ms).await?;
        }
    }
    for (i, (name, specialties)) in roster::LEGAL_HELPERS.iter().enumerate() {
        let Some(village) = ids.villages.get(i) else {
            continue;
        };
        let phone = format!("139{:08}", 9_370_000 + i);
        let appointed = NaiveDate::from_ymd_opt(2023 + i32::from(i % 3 == 0), 3, 1);
        let id = db::roster::insert_person(
            conn,
            ids.town,
            &db::roster::PersonFields {
                kind: shared::model::RosterKind::LegalHelper.as_str(),
                name,
                phone: Some(&phone),
                serves_unit_id: Some(*village),
                appointed_on: appointed.map(db::date_text),
                qualities: "prestige,character".to_owned(),
                note: "",
                active: true,
            },
            now_ms,
        )
        .await?;
        db::roster::set_specialties(conn, id, specialties).await?;
        for t in trainings(2, 1 + i % 2) {
            db::roster::insert_training(conn, id, &t, now_ms).await?;
        }
    }
    Ok(())
}

/// A year of the reception and service logs: on working days a visitor or two at the hall
/// or a window (now and then a group), and a legal or psychological service.
async fn logs(
    conn: &mut AnyConnection,
    ids: &Ids,
    today: NaiveDate,
    tz: FixedOffset,
    rng: &mut StdRng,
) -> Result<(), sqlx::Error> {
    const PURPOSES: &[VisitPurpose] = &[
        VisitPurpose::Consultation,
        VisitPurpose::Consultation,
        VisitPurpose::Dispute,
        VisitPurpose::Dispute,
        VisitPurpose::Petition,
        VisitPurpose::FollowUp,
        VisitPurpose::Other,
    ];
    const KINDS: &[(ServiceKind, i64)] = &[
        (ServiceKind::LegalConsultation, 30),
        (ServiceKind::LegalConsultation, 20),
        (ServiceKind::LegalAidReferral, 40),
        (ServiceKind::DocumentHelp, 45),
        (ServiceKind::Counselling, 50),
    ];
    let receivers: Vec<i64> = std::iter::once(ids.lead)
        .chain(ids.clerks.iter().copied())
        .collect();
    let givers: Vec<i64> = ids
        .mediators
        .iter()
        .copied()
        .chain(ids.clerks.iter().copied())
        .collect();
    let at = |day: NaiveDate, hour: u32, minute: u32| {
        day.and_hms_opt(hour, minute, 0)
            .and_then(|t| t.and_local_timezone(tz).single())
            .map_or(0, |t| t.timestamp_millis())
    };
    for ago in 1..=365u64 {
        let Some(day) = today.checked_sub_days(Days::new(ago)) else {
            continue;
        };
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for _ in 0..(1 + u32::from(rng.gen_range(0..4) == 0)) {
            let purpose = PURPOSES[rng.gen_range(0..PURPOSES.len())];
            let visitors = if rng.gen_range(0..40) == 0 {
                rng.gen_range(5..12)
            } else {
                1 + i64::from(rng.gen_range(0..4) == 0)
            };
            let name = format!(
                "{}{}",
                SURNAMES[rng.gen_range(0..SURNAMES.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            );
            let by = receivers[rng.gen_range(0..receivers.len())];
            let at_ms = at(day, rng.gen_range(9..17), rng.gen_range(0..60));
            db::logs::insert_visit(
                conn,
                &db::logs::VisitRow {
                    town_id: ids.town,
                    at_ms,
                    place: if rng.gen_bool(0.6) {
                        "来访大厅"
                    } else {
                        "一号窗口"
                    },
                    purpose: purpose.as_str(),
                    visitors,
                    name: &name,
                    phone: None,
                    note: "",
                    received_by: by,
                    case_id: None,
                    recorded_by: by,
                    recorded_at_ms: at_ms,
                },
            )
            .await?;
        }
        {
            let (kind, minutes) = KINDS[rng.gen_range(0..KINDS.len())];
            let by = givers[rng.gen_range(0..givers.len())];
            let person = format!(
                "{}{}",
                SURNAMES[rng.gen_range(0..SURNAMES.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            );
            let at_ms = at(day, rng.gen_range(9..17), rng.gen_range(0..60));
            db::logs::insert_service(
                conn,
                &db::logs::ServiceRow {
                    town_id: ids.town,
                    at_ms,
                    kind: kind.as_str(),
                    person: &person,
                    given_by: by,
                    minutes,
                    note: "",
                    case_id: None,
                    recorded_by: by,
                    recorded_at_ms: at_ms,
                },
            )
            .await?;
        }
    }
    Ok(())
}
