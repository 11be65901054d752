//! Stores the demo: the org tree, the departments, the accounts and every case through the
//! backend's db layer (`db::org`, `db::users`, `db::cases`), the cases' parties and events with
//! multi-row inserts (`bulk`), all in one write transaction (on SQLite it holds the write
//! lock, so nothing else writes in between and nothing deadlocks). Either the whole demo is
//! stored or nothing.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use shared::api::NewParty;
use shared::model::{EventKind, HandlerRef, OrgLevel, PartySide, Role};
use shared::validate::phone_last_four;
use sqlx::AnyConnection;

use super::bulk;
use super::plan::{Assignee, Layout, Plan, PlannedCase, Who};
use super::roster::{self, Dept, VILLAGES};
use crate::db;
use crate::db::cases::NewCase;
use crate::db::events::NewEvent;
use crate::db::users::NewUser;
use shared::workflow::CaseState;

/// A demo account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: &'static str,
    pub role: Role,
    /// What the account stands for, e.g. "派出所" or "渠口村 一片".
    pub what: String,
}

/// Where the ids of what was stored are kept while writing cases.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    pub county: i64,
    pub town: i64,
    /// The town's letter code (its archive numbers').
    pub town_code: &'static str,
    pub villages: Vec<i64>,
    pub areas: Vec<i64>,
    pub groups: Vec<i64>,
    pub departments: HashMap<Dept, i64>,
    pub lead: i64,
    pub clerks: Vec<i64>,
    pub mediators: Vec<i64>,
    pub liaisons: HashMap<Dept, i64>,
    pub full_time: Vec<i64>,
    pub auxiliary: Vec<i64>,
    pub users: usize,
    /// The people of another town of the county (`demo::county`), who stand in for the
    /// plan's roles there; `None` for Guazhou itself.
    pub alias: Option<Alias>,
}

/// The names of another town's people, by the plan's roles: its lead, its one clerk (who
/// also registers what the plan has grid workers register: that town keeps no grid), its
/// mediators (the plan's mediators taken in turn) and its departments' liaisons.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alias {
    pub lead: &'static str,
    pub clerk: &'static str,
    pub mediators: Vec<&'static str>,
    pub liaisons: HashMap<Dept, &'static str>,
}

impl Ids {
    fn who(&self, who: Who) -> (i64, &'static str, Role) {
        if let Some(a) = &self.alias {
            return match who {
                Who::Lead => (self.lead, a.lead, Role::Lead),
                Who::Clerk(_) | Who::FullTime(_) | Who::Auxiliary(_) => {
                    (self.clerks[0], a.clerk, Role::Clerk)
                }
                Who::Mediator(i) => {
                    let k = i % self.mediators.len();
                    (self.mediators[k], a.mediators[k], Role::Mediator)
                }
                Who::Liaison(d) => match (self.liaisons.get(&d), a.liaisons.get(&d)) {
                    (Some(id), Some(name)) => (*id, name, Role::Liaison),
                    _ => (self.lead, a.lead, Role::Lead),
                },
            };
        }
        match who {
            Who::Lead => (self.lead, roster::LEAD.1, Role::Lead),
            Who::Clerk(i) => (self.clerks[i], roster::CLERKS[i].1, Role::Clerk),
            Who::Mediator(i) => (self.mediators[i], roster::MEDIATORS[i].name, Role::Mediator),
            Who::Liaison(d) => (
                self.liaisons.get(&d).copied().unwrap_or(self.lead),
                d.plan().liaison_name,
                Role::Liaison,
            ),
            Who::FullTime(a) => (
                self.full_time[a],
                roster::FULL_TIME_GRID_WORKERS[a],
                Role::GridWorker,
            ),
            Who::Auxiliary(g) => (
                self.auxiliary[g],
                roster::AUXILIARY_GRID_WORKERS[g],
                Role::GridWorker,
            ),
        }
    }

    fn handler(&self, a: Assignee) -> HandlerRef {
        match a {
            Assignee::Mediator(i) => HandlerRef::Mediator(self.mediators[i % self.mediators.len()]),
            Assignee::Dept(d) => {
                HandlerRef::Department(self.departments.get(&d).copied().unwrap_or(0))
            }
        }
    }
}

/// Every demo account, in the order they are created: the center lead, the clerks, the
/// mediators, the department liaisons, the town leaders, the full-time and the auxiliary
/// grid workers.
pub fn accounts() -> Vec<Account> {
    let layout = Layout::new();
    let mut out = Vec::new();
    let mut add = |username: String, display_name, role, what: String| {
        out.push(Account {
            username,
            display_name,
            role,
            what,
        });
    };
    add(
        roster::LEAD.0.to_owned(),
        roster::LEAD.1,
        Role::Lead,
        "综治中心负责人".to_owned(),
    );
    for (username, name) in roster::CLERKS {
        add(
            (*username).to_owned(),
            name,
            Role::Clerk,
            "受理窗口".to_owned(),
        );
    }
    for m in roster::MEDIATORS {
        let specialties: Vec<&str> = m
            .specialties
            .iter()
            .map(|c| c.label(shared::Lang::Zh))
            .collect();
        add(
            m.username.to_owned(),
            m.name,
            Role::Mediator,
            format!("{};{}", m.background, specialties.join("、")),
        );
    }
    for d in roster::DEPARTMENTS {
        add(
            d.liaison_username.to_owned(),
            d.liaison_name,
            Role::Liaison,
            d.name.to_owned(),
        );
    }
    for (i, v) in VILLAGES.iter().enumerate() {
        add(
            format!("leader{:02}", i + 1),
            v.leader,
            Role::TownLeader,
            format!("包村:{}", v.name),
        );
    }
    for (a, (v, area)) in layout.areas.iter().enumerate() {
        add(
            format!("grid{:02}", a + 1),
            roster::FULL_TIME_GRID_WORKERS[a],
            Role::GridWorker,
            format!("专职网格员,包片:{}{}", VILLAGES[*v].name, area),
        );
    }
    let first_aux = layout.areas.len();
    for (g, (a, group)) in layout.groups.iter().enumerate() {
        let (v, area) = layout.areas[*a];
        add(
            format!("grid{:02}", first_aux + g + 1),
            roster::AUXILIARY_GRID_WORKERS[g],
            Role::GridWorker,
            format!("辅助网格员,包组:{}{}{}", VILLAGES[v].name, area, group),
        );
    }
    out
}

/// Stores the org tree, departments and accounts (every one with `password_hash`).
pub(crate) async fn org_and_people(
    conn: &mut AnyConnection,
    password_hash: &str,
    now_ms: i64,
) -> Result<Ids, sqlx::Error> {
    let layout = Layout::new();
    let mut ids = Ids::default();
    let county =
        db::org::insert_unit(conn, None, OrgLevel::County, roster::COUNTY, None, None).await?;
    ids.county = county;
    let town = db::org::insert_unit(
        conn,
        Some(county),
        OrgLevel::Town,
        roster::TOWN,
        None,
        Some(roster::TOWN_CODE),
    )
    .await?;
    ids.town = town;
    ids.town_code = roster::TOWN_CODE;
    let center = db::org::CenterRow {
        name: roster::CENTER_NAME.to_owned(),
        address: roster::CENTER_ADDRESS.to_owned(),
        phone: roster::CENTER_PHONE.to_owned(),
    };
    db::org::put_center(conn, town, &center).await?;
    for v in VILLAGES {
        let id = db::org::insert_unit(
            conn,
            Some(town),
            OrgLevel::Village,
            v.name,
            Some(town),
            None,
        )
        .await?;
        ids.villages.push(id);
    }
    for (v, name) in &layout.areas {
        let id = db::org::insert_unit(
            conn,
            Some(ids.villages[*v]),
            OrgLevel::Area,
            name,
            Some(town),
            None,
        )
        .await?;
        ids.areas.push(id);
    }
    for (a, name) in &layout.groups {
        let id = db::org::insert_unit(
            conn,
            Some(ids.areas[*a]),
            OrgLevel::Group,
            name,
            Some(town),
            None,
        )
        .await?;
        ids.groups.push(id);
    }
    for d in roster::DEPARTMENTS {
        let id = db::org::insert_department(conn, town, d.name, d.kind, d.response_days).await?;
        ids.departments.insert(d.dept, id);
    }
    db::mediation::insert_starting_rooms(conn, town).await?;

    let mut user = async |username: &str,
                          display_name: &str,
                          role: Role,
                          department_id: Option<i64>,
                          org_unit_id: Option<i64>|
           -> Result<i64, sqlx::Error> {
        db::users::insert(
            conn,
            &NewUser {
                username,
                password_hash,
                display_name,
                role,
                town_id: Some(town),
                department_id,
                org_unit_id,
            },
            now_ms,
        )
        .await
    };
    ids.lead = user(roster::LEAD.0, roster::LEAD.1, Role::Lead, None, None).await?;
    for (username, name) in roster::CLERKS {
        let id = user(username, name, Role::Clerk, None, None).await?;
        ids.clerks.push(id);
    }
    for m in roster::MEDIATORS {
        let id = user(m.username, m.name, Role::Mediator, None, None).await?;
        ids.mediators.push(id);
    }
    for d in roster::DEPARTMENTS {
        let dept = ids.departments.get(&d.dept).copied();
        let id = user(
            d.liaison_username,
            d.liaison_name,
            Role::Liaison,
            dept,
            None,
        )
        .await?;
        ids.liaisons.insert(d.dept, id);
    }
    for (i, v) in VILLAGES.iter().enumerate() {
        let username = format!("leader{:02}", i + 1);
        let unit = ids.villages[i];
        user(&username, v.leader, Role::TownLeader, None, Some(unit)).await?;
    }
    for a in 0..layout.areas.len() {
        let username = format!("grid{:02}", a + 1);
        let unit = ids.areas[a];
        let id = user(
            &username,
            roster::FULL_TIME_GRID_WORKERS[a],
            Role::GridWorker,
            None,
            Some(unit),
        )
        .await?;
        ids.full_time.push(id);
    }
    for g in 0..layout.groups.len() {
        let username = format!("grid{:02}", layout.areas.len() + g + 1);
        let unit = ids.groups[g];
        let id = user(
            &username,
            roster::AUXILIARY_GRID_WORKERS[g],
            Role::GridWorker,
            None,
            Some(unit),
        )
        .await?;
        ids.auxiliary.push(id);
    }
    for (i, m) in roster::MEDIATORS.iter().enumerate() {
        db::users::add_specialties(conn, ids.mediators[i], m.specialties).await?;
    }
    ids.users = accounts().len();
    Ok(ids)
}

/// Cases stored per round of multi-row inserts of their parties and events.
const CASES_PER_ROUND: usize = 500;

/// Stores every case of the plan, then marks the town changed so cached boards are rebuilt.
pub(crate) async fn cases(
    conn: &mut AnyConnection,
    ids: &Ids,
    plan: &Plan,
    tz: FixedOffset,
) -> Result<(), sqlx::Error> {
    let archive_nos = archive_numbers(conn, ids, plan, tz).await?;
    // Repeats link to earlier cases, stored before them (the plan is in registration order).
    let mut ids_of_repeated: std::collections::HashMap<&str, i64> = plan
        .cases
        .iter()
        .filter_map(|c| c.repeat_of.as_deref().map(|code| (code, 0)))
        .collect();
    for (round, chunk) in plan.cases.chunks(CASES_PER_ROUND).enumerate() {
        let mut stored = Vec::with_capacity(chunk.len());
        for (j, c) in chunk.iter().enumerate() {
            let archive_no = archive_nos.get(&(round * CASES_PER_ROUND + j));
            let id = one_case(conn, ids, c, archive_no.cloned()).await?;
            if let Some(slot) = ids_of_repeated.get_mut(c.code.as_str()) {
                *slot = id;
            }
            if let Some(earlier) = c
                .repeat_of
                .as_deref()
                .and_then(|code| ids_of_repeated.get(code))
                .filter(|id| **id > 0)
            {
                db::repeats::set_link(conn, id, Some(*earlier), &c.risk_flags).await?;
            }
            stored.push((id, c, archive_no));
        }
        let parties: Vec<(i64, usize, &NewParty)> = stored
            .iter()
            .flat_map(|(id, c, _)| c.parties.iter().enumerate().map(|(i, p)| (*id, i, p)))
            .collect();
        bulk::parties(conn, &parties).await?;
        let mut events = Vec::new();
        for (case_id, c, archive_no) in &stored {
            for e in &c.events {
                let (actor_id, actor_name, actor_role) = ids.who(e.who);
                let mut details = e.details.clone();
                if e.kind == EventKind::Archived
                    && let Some(no) = archive_no
                {
                    details.insert(0, ("archive_no".to_owned(), (*no).clone()));
                }
                events.push(NewEvent {
                    case_id: *case_id,
                    at_ms: e.at.timestamp_millis(),
                    actor_id,
                    actor_name,
                    actor_role,
                    kind: e.kind,
                    from_stage: e.from,
                    to_stage: e.to,
                    text: e.text.as_deref(),
                    details,
                    public: e.public,
                });
            }
        }
        bulk::events(conn, &events).await?;
    }
    db::cases::bump_town(conn, ids.town).await.map(|_| ())
}

/// The mediation sessions of the demo: the open cases a mediator handles get sessions today and
/// tomorrow (two rooms, four slots a day, so no room or mediator is booked twice), each with
/// its applicants and respondents invited.
pub(crate) async fn sessions(
    conn: &mut AnyConnection,
    ids: &Ids,
    now: chrono::DateTime<chrono::Utc>,
    tz: FixedOffset,
) -> Result<usize, sqlx::Error> {
    const SLOTS: [(u32, u32); 4] = [(9, 0), (10, 30), (14, 0), (15, 30)];
    let rooms: Vec<i64> = db::mediation::rooms(conn, Some(ids.town))
        .await?
        .iter()
        .filter(|r| r.kind == shared::model::RoomKind::Mediation)
        .map(|r| r.id)
        .collect();
    let cases: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, handler_id FROM cases WHERE town_id = $1 AND stage = 'in_handling' \
         AND handler_kind = 'mediator' ORDER BY id LIMIT 8",
    )
    .bind(ids.town)
    .fetch_all(&mut *conn)
    .await?;
    let today = now.with_timezone(&tz).date_naive();
    let mut n = 0;
    for (i, (case_id, mediator)) in cases.into_iter().enumerate() {
        let day = today + chrono::Days::new(u64::try_from(i / SLOTS.len()).unwrap_or(0));
        let (h, m) = SLOTS[i % SLOTS.len()];
        let parties: Vec<u32> = sqlx::query_scalar::<_, i64>(
            "SELECT position FROM parties WHERE case_id = $1 AND side <> 'representative' \
             ORDER BY position",
        )
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|p| u32::try_from(p).ok())
        .collect();
        let (Some(room), false) = (rooms.get(i % rooms.len().max(1)), parties.is_empty()) else {
            continue;
        };
        let session = shared::mediation::NewSession {
            starts_at: day.and_hms_opt(h, m, 0),
            minutes: 90,
            room_id: Some(*room),
            mediators: vec![mediator],
            parties,
            notify_parties: false,
        };
        db::mediation::insert_session(
            conn,
            case_id,
            ids.town,
            &session,
            ids.lead,
            now.timestamp_millis(),
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Agreements for the demo's tablets: of the open cases a mediator handles, the latest one has
/// a written agreement drafted and the one before is being signed (its parties have signed;
/// the mediator's signature and the seal are still to come).
pub(crate) async fn agreements(
    conn: &mut AnyConnection,
    ids: &Ids,
    now: chrono::DateTime<chrono::Utc>,
    tz: FixedOffset,
) -> Result<usize, sqlx::Error> {
    use shared::agreement::{self as rules, AgreementText, Signer, Stroke, Term};
    let cases: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, facts, request FROM cases WHERE town_id = $1 AND stage = 'in_handling' \
         AND handler_kind = 'mediator' ORDER BY id DESC LIMIT 2",
    )
    .bind(ids.town)
    .fetch_all(&mut *conn)
    .await?;
    let Some(town) = db::org::unit(conn, ids.town).await? else {
        return Ok(0);
    };
    let county = match town.parent_id {
        Some(p) => db::org::unit(conn, p).await?.map(|u| u.name),
        None => None,
    };
    let today = now.with_timezone(&tz).date_naive();
    let at_ms = now.timestamp_millis();
    let committee = rules::committee(&town.name);
    let mut n = 0;
    for (i, (case_id, facts, request)) in cases.into_iter().enumerate() {
        let text = AgreementText {
            facts,
            disputes: request,
            responsibility: "双方对纠纷的发生均有一定责任,经调解自愿协商分担。".into(),
            terms: vec![
                Term {
                    text: "被申请人一次性赔偿申请人损失。".into(),
                    amount_fen: Some(260_000),
                },
                Term {
                    text: "协议履行完毕后,双方就本纠纷不再追究。".into(),
                    amount_fen: None,
                },
            ],
            performance_manner: "现金当面支付,申请人出具收条".into(),
            performance_place: format!("{}综治中心调解室", town.name),
            performance_due: today.checked_add_days(chrono::Days::new(15)),
            court: rules::default_court(&town.name, county.as_deref()),
            representatives: vec![],
        };
        let seq = db::agreements::next_number(conn, ids.town, today.year()).await?;
        let number = rules::number(&town.name, today.year(), seq);
        db::agreements::insert(
            conn,
            &db::agreements::NewAgreement {
                case_id,
                town_id: ids.town,
                form: shared::model::AgreementForm::Written,
                number: &number,
                committee: &committee,
                text: &text,
                effective_on: None,
                by: ids.lead,
                at_ms,
            },
        )
        .await?;
        if i == 1 {
            let parties = db::cases::parties(conn, case_id).await?;
            let hash = db::agreements::text_hash(&rules::signed_text(
                &number, &committee, &parties, &text,
            ));
            for signer in rules::signatories(&parties) {
                let Signer::Party { position } = signer else {
                    continue;
                };
                let Some(party) = parties.get(position as usize) else {
                    continue;
                };
                // A few strokes of a hand-written name, as a tablet records them.
                let strokes: Vec<Stroke> = (0..3u8)
                    .map(|k| {
                        let x0 = 0.15 + 0.25 * f32::from(k);
                        Stroke {
                            points: (0..12u8)
                                .map(|p| {
                                    let t = f32::from(p) / 11.0;
                                    [
                                        x0 + 0.18 * t,
                                        0.35 + 0.3 * (t * 6.0 + f32::from(k)).sin().abs(),
                                        0.4 + 0.3 * t,
                                    ]
                                })
                                .collect(),
                        }
                    })
                    .collect();
                db::agreements::sign(
                    conn,
                    &db::agreements::NewSignatureRow {
                        case_id,
                        signer,
                        name: &party.name,
                        method: shared::model::SignMethod::Drawn,
                        strokes: &strokes,
                        text_hash: &hash,
                        at_ms,
                        recorded_by: roster::LEAD.1,
                    },
                )
                .await?;
            }
        }
        n += 1;
    }
    Ok(n)
}

/// Archive numbers in the order the cases were archived (`GZ-2026-0001`, …), reserved from
/// the town's counters, so archiving later continues the sequence.
async fn archive_numbers(
    conn: &mut AnyConnection,
    ids: &Ids,
    plan: &Plan,
    tz: FixedOffset,
) -> Result<HashMap<usize, String>, sqlx::Error> {
    let mut archived: Vec<(i32, DateTime<Utc>, usize)> = plan
        .cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            c.archived_at
                .map(|at| (at.with_timezone(&tz).year(), at, i))
        })
        .collect();
    archived.sort();
    let mut out = HashMap::with_capacity(archived.len());
    for year_cases in archived.chunk_by(|a, b| a.0 == b.0) {
        let year = year_cases[0].0;
        let count = i64::try_from(year_cases.len()).unwrap_or(i64::MAX);
        let first = bulk::reserve_archive_numbers(conn, ids.town, year, count).await?;
        for (k, (_, _, i)) in year_cases.iter().enumerate() {
            let n = first + i64::try_from(k).unwrap_or(0);
            out.insert(*i, format!("{}-{year}-{n:04}", ids.town_code));
        }
    }
    Ok(out)
}

/// Stores a case in its final stage; returns its id.
async fn one_case(
    conn: &mut AnyConnection,
    ids: &Ids,
    c: &PlannedCase,
    archive_no: Option<String>,
) -> Result<i64, sqlx::Error> {
    let last4: Vec<String> = c
        .parties
        .iter()
        .filter(|p| p.side == PartySide::Applicant)
        .filter_map(|p| p.phone.as_deref().and_then(phone_last_four))
        .collect();
    let (registrar, _, _) = ids.who(c.registered_by);
    let case_id = db::cases::insert(
        conn,
        &NewCase {
            code: &c.code,
            town_id: ids.town,
            kind: c.kind,
            category: c.category,
            channel: c.channel,
            risk: c.risk,
            risk_flags: &c.risk_flags,
            summary: &c.summary,
            facts: &c.facts,
            request: &c.request,
            village_id: ids.villages[c.place.village % ids.villages.len()],
            area_id: c.place.area.and_then(|a| ids.areas.get(a).copied()),
            group_id: c.place.group.and_then(|g| ids.groups.get(g).copied()),
            stage: c.stage,
            outcome: c.outcome,
            outcome_summary: c.outcome_summary.as_deref(),
            clock: c.clock.clone(),
            due_on: c.due_on,
            registered_at_ms: c.registered_at.timestamp_millis(),
            registered_by: registrar,
            closed_at_ms: c.closed_at.map(|t| t.timestamp_millis()),
            applicant_last4: &last4.join(" "),
        },
    )
    .await?;
    // A risky matter was reported to the police station on the day; the station acknowledged
    // all but the last day's reports.
    if shared::model::RiskFlag::needs_police_notice(&c.risk_flags) {
        let station = ids.departments.get(&Dept::Police).copied();
        let at = c.registered_at.timestamp_millis();
        let notice = db::clock::insert_notice(conn, case_id, ids.town, station, at).await?;
        let day_old = c.registered_at < chrono::Utc::now() - chrono::Duration::days(1);
        if let (true, Some(liaison)) = (day_old, ids.liaisons.get(&Dept::Police)) {
            db::clock::acknowledge_notice(conn, notice, *liaison, at + 2 * 3_600_000).await?;
        }
    }
    let moved = c.routed_at.is_some() || c.route_told.is_some() || archive_no.is_some();
    if moved {
        let change = CaseState {
            town_id: ids.town,
            category: c.category,
            stage: c.stage,
            handler: c.handler.map(|h| ids.handler(h)),
            cooperating: c.cooperating.iter().map(|h| ids.handler(*h)).collect(),
            outcome: c.outcome,
            outcome_summary: c.outcome_summary.clone(),
            route_told: c.route_told,
            archive_no,
            retention_years: c.retention_years,
            routed_at: c.routed_at.map(|t| t.timestamp_millis()),
            handling_at: c.handling_at.map(|t| t.timestamp_millis()),
            closed_at: c.closed_at.map(|t| t.timestamp_millis()),
            archived_at: c.archived_at.map(|t| t.timestamp_millis()),
            response_due_on: None,
            returned_by: None,
            return_reason: None,
        };
        db::cases::update_stage(conn, case_id, 1, &change).await?;
    }
    supervision_of(conn, ids, c, case_id).await?;
    Ok(case_id)
}

/// What supervision left on an open demo case: a routing still waiting for acceptance is an
/// unread notification to its handler (marked "new" on their board); a matter in handling
/// past its due date has an urging (督办) from the lead, acknowledged if it is a week old.
async fn supervision_of(
    conn: &mut AnyConnection,
    ids: &Ids,
    c: &PlannedCase,
    case_id: i64,
) -> Result<(), sqlx::Error> {
    use shared::model::{NotificationKind, Stage};
    let Some(handler) = c.handler.map(|h| ids.handler(h)) else {
        return Ok(());
    };
    let people = db::supervision::people_of(conn, handler).await?;
    let now = Utc::now();
    if c.stage == Stage::Routed {
        let at = c.routed_at.unwrap_or(c.registered_at).timestamp_millis();
        db::supervision::notify(
            conn,
            &people,
            Some(case_id),
            NotificationKind::Routed,
            "",
            at,
        )
        .await?;
    }
    let today = now.date_naive();
    if c.stage == Stage::InHandling && c.due_on < today {
        let at = (now - chrono::Duration::days(((today - c.due_on).num_days()).min(9)))
            .timestamp_millis();
        let due = today + chrono::Duration::days(3);
        let what = "已超过办理期限,请于三日内报告调解进展并说明逾期原因。";
        let urging = db::supervision::insert_urging(conn, case_id, ids.lead, at, what, due).await?;
        let due_text = due.format("%Y-%m-%d").to_string();
        db::supervision::notify(
            conn,
            &people,
            Some(case_id),
            NotificationKind::Urged,
            &due_text,
            at,
        )
        .await?;
        if (today - c.due_on).num_days() >= 7 {
            let by = people.first().copied().unwrap_or(ids.lead);
            db::supervision::acknowledge_urging(conn, case_id, urging, by, at + 3_600_000).await?;
        }
    }
    Ok(())
}
