//! The demo's cases, planned without a database: what each case is, who its parties are, and
//! its whole history as the events of the closed loop with their times and actors. Everything
//! comes from one seeded random generator, so the same size on the same day gives the same
//! cases; `write` stores the plan.
//!
//! Times are planned in the center's local time (working hours, mostly weekdays) and never lie
//! after `now`. Each case's clock is `ClockRule::default_for` its kind, category and channel,
//! started on the day it was registered, so its due date is what the server would have set.

use std::collections::HashSet;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc,
    Weekday,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use shared::api::{NewParty, is_publicly_restricted};
use shared::deadline::{Clock, ClockRule, DUE_SOON_DAYS, DayUnit};
use shared::model::{
    CaseKind, Category, Channel, EventKind, Gender, LegalRoute, Outcome, PartyKind, PartySide,
    RiskFlag, RiskLevel, Stage,
};
use shared::validate::{CODE_RANDOM_LEN, case_code};

use super::roster::{self, Dept, MEDIATORS, VILLAGES};
use super::texts::{self, Resp, Scenario};

/// The seed of the generator: the same seed, size and day give the same demo.
pub const SEED: u64 = 0x0C04_C04D_2025;

/// How many cases to plan. `None` parts take the default: a year of history shaped like the
/// seed's Guazhou (about 140 disputes resolved at 95 %, about 230 legal and psychological
/// services, 300-odd visitors) and a few dozen open cases in every stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSize {
    /// Exactly this many cases on the board (registered, routed, in handling, closed awaiting
    /// archive).
    pub open: Option<u32>,
    /// Exactly this many archived cases of history.
    pub closed: Option<u32>,
    /// For a sized load: this many towns in all, each with `open` and `closed` cases (the
    /// county benchmark); one when not given.
    pub towns: Option<u32>,
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Lead,
    /// An intake clerk, by index into `roster::CLERKS`.
    Clerk(usize),
    /// A mediator, by index into `roster::MEDIATORS`.
    Mediator(usize),
    /// The liaison of a department.
    Liaison(Dept),
    /// The full-time grid worker of an area, by index into `Layout::areas`.
    FullTime(usize),
    /// The auxiliary grid worker of a group, by index into `Layout::groups`.
    Auxiliary(usize),
}

/// Who handles a case: a mediator (index into `MEDIATORS`) or a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assignee {
    Mediator(usize),
    Dept(Dept),
}

impl Assignee {
    /// The handler's display name, as the server writes it into routing events.
    pub fn name(self) -> &'static str {
        match self {
            Assignee::Mediator(i) => MEDIATORS[i].name,
            Assignee::Dept(d) => d.name(),
        }
    }

    /// Who acts for this handler.
    pub fn who(self) -> Who {
        match self {
            Assignee::Mediator(i) => Who::Mediator(i),
            Assignee::Dept(d) => Who::Liaison(d),
        }
    }
}

/// The villages, areas and groups as flat lists (indices are what plans refer to).
#[derive(Debug, Clone)]
pub struct Layout {
    /// (village index, area name).
    pub areas: Vec<(usize, &'static str)>,
    /// (area index, group name).
    pub groups: Vec<(usize, &'static str)>,
}

impl Layout {
    /// The layout of `roster::VILLAGES`.
    pub fn new() -> Layout {
        let mut areas = Vec::new();
        let mut groups = Vec::new();
        for (v, village) in VILLAGES.iter().enumerate() {
            for (area_name, group_names) in village.areas {
                let a = areas.len();
                areas.push((v, *area_name));
                for g in *group_names {
                    groups.push((a, *g));
                }
            }
        }
        Layout { areas, groups }
    }

    fn areas_of(&self, village: usize) -> Vec<usize> {
        (0..self.areas.len())
            .filter(|&a| self.areas[a].0 == village)
            .collect()
    }

    fn groups_of(&self, area: usize) -> Vec<usize> {
        (0..self.groups.len())
            .filter(|&g| self.groups[g].0 == area)
            .collect()
    }
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::new()
    }
}

/// Where a matter arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub village: usize,
    pub area: Option<usize>,
    pub group: Option<usize>,
}

/// One event of a planned case's log.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEvent {
    pub at: DateTime<Utc>,
    pub who: Who,
    pub kind: EventKind,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub text: Option<String>,
    /// Labelled facts as the server writes them (`handler`, `outcome`, `route_told`,
    /// `retention_years`…); the archive number is added when it is given out.
    pub details: Vec<(String, String)>,
    pub public: bool,
}

/// One planned case, in its final state, with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCase {
    pub code: String,
    pub kind: CaseKind,
    pub category: Category,
    pub channel: Channel,
    pub risk: RiskLevel,
    pub risk_flags: Vec<RiskFlag>,
    pub summary: String,
    pub facts: String,
    pub request: String,
    pub place: Place,
    pub parties: Vec<NewParty>,
    pub registered_by: Who,
    pub registered_at: DateTime<Utc>,
    pub clock: Clock,
    pub due_on: NaiveDate,
    pub stage: Stage,
    pub handler: Option<Assignee>,
    pub cooperating: Vec<Assignee>,
    pub outcome: Option<Outcome>,
    pub outcome_summary: Option<String>,
    pub route_told: Option<LegalRoute>,
    pub retention_years: Option<u8>,
    pub routed_at: Option<DateTime<Utc>>,
    pub handling_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub events: Vec<PlannedEvent>,
    /// The code of the earlier case this one repeats (a repeat petition, 重复信访).
    pub repeat_of: Option<String>,
}

/// Every planned case, oldest registration first.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub today: NaiveDate,
    pub cases: Vec<PlannedCase>,
}

/// What a plan holds, for the report and the tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub cases: usize,
    /// Open cases per board column: registered, routed, in handling, closed awaiting archive.
    pub board: [usize; 4],
    pub archived: usize,
    /// Open (registered, routed, in handling) cases past their due date.
    pub overdue: usize,
    /// Open cases due today or within `DUE_SOON_DAYS` days.
    pub due_soon: usize,
    /// Disputes closed or archived with a result that counts in the resolution rate.
    pub disputes_counted: usize,
    /// Of those, resolved.
    pub disputes_resolved: usize,
    /// Resolution rate of disputes, in percent.
    pub dispute_resolution_rate: Option<f64>,
    /// Resolution rate over every kind, in percent.
    pub overall_resolution_rate: Option<f64>,
    /// Legal aid, consultations and psychological services given (closed or archived, with
    /// any result).
    pub services: usize,
    /// Cases that came through the reception window or the visitor hall.
    pub visitors: usize,
    pub petitions: usize,
    pub demands: usize,
    pub events: usize,
    pub parties: usize,
}

impl Plan {
    /// Counts what the plan holds.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            cases: self.cases.len(),
            ..Summary::default()
        };
        let mut disputes = Vec::new();
        let mut all = Vec::new();
        for c in &self.cases {
            s.events += c.events.len();
            s.parties += c.parties.len();
            match c.stage {
                Stage::Registered => s.board[0] += 1,
                Stage::Routed => s.board[1] += 1,
                Stage::InHandling => s.board[2] += 1,
                Stage::Closed => s.board[3] += 1,
                Stage::Archived => s.archived += 1,
            }
            if c.stage.is_open() {
                let left = (c.due_on - self.today).num_days();
                if left < 0 {
                    s.overdue += 1;
                } else if left <= DUE_SOON_DAYS {
                    s.due_soon += 1;
                }
            }
            if matches!(c.channel, Channel::Window | Channel::VisitorHall) {
                s.visitors += 1;
            }
            match c.kind {
                CaseKind::Petition => s.petitions += 1,
                CaseKind::Demand => s.demands += 1,
                _ => {}
            }
            if let Some(outcome) = c.outcome {
                all.push(outcome);
                if c.kind == CaseKind::Dispute {
                    disputes.push(outcome);
                    if outcome.counts_in_rate() {
                        s.disputes_counted += 1;
                        if outcome.is_resolved() {
                            s.disputes_resolved += 1;
                        }
                    }
                }
                if matches!(
                    c.kind,
                    CaseKind::LegalAid | CaseKind::Consultation | CaseKind::Psych
                ) {
                    s.services += 1;
                }
            }
        }
        s.dispute_resolution_rate = shared::model::resolution_rate(disputes);
        s.overall_resolution_rate = shared::model::resolution_rate(all);
        s
    }
}

/// Plans the demo for `size`, as of `now` in the time zone `tz`.
pub fn plan(size: DemoSize, now: DateTime<Utc>, tz: FixedOffset) -> Plan {
    let mut g = Gen::new(now, tz);
    let mut cases = Vec::new();
    let history: Vec<Spec> = match size.closed {
        None => seed_history(&mut g.rng, size.open.is_none()),
        Some(n) => (0..n).map(|_| sized_history_spec(&mut g.rng)).collect(),
    };
    let open: Vec<Spec> = match size.open {
        None => default_open(),
        Some(n) => sized_open(&mut g.rng, n),
    };
    for (i, spec) in history.iter().chain(&open).enumerate() {
        // Each case draws from its own stream, so what one case's times consume (they depend
        // on the time of day) never changes the next case.
        g.rng = StdRng::seed_from_u64(SEED ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        cases.push(g.case(spec));
    }
    cases.sort_by_key(|c| c.registered_at);
    link_repeats(&mut cases);
    Plan {
        today: g.today,
        cases,
    }
}

/// Each repeat petition comes from the applicant of an earlier matter of its village that was
/// still open when the petition came in, and is linked to it as the clerk would have from the
/// intake's repeat check (same person: name, phone, ID number, in the texts too). A petition
/// with no such earlier matter loses the mark.
fn link_repeats(cases: &mut [PlannedCase]) {
    for i in 0..cases.len() {
        if !cases[i].risk_flags.contains(&RiskFlag::RepeatPetition) {
            continue;
        }
        let (at, village) = (cases[i].registered_at, cases[i].place.village);
        let applicant = |c: &PlannedCase| {
            c.parties
                .iter()
                .position(|p| p.side == PartySide::Applicant && p.kind == PartyKind::Person)
        };
        let earlier = (0..i).rev().find(|&j| {
            let e = &cases[j];
            e.place.village == village
                && e.registered_at < at
                && e.closed_at.is_none_or(|closed| closed > at)
                && e.repeat_of.is_none()
                && applicant(e).is_some()
        });
        let (Some(j), Some(pos)) = (earlier, applicant(&cases[i])) else {
            cases[i]
                .risk_flags
                .retain(|f| *f != RiskFlag::RepeatPetition);
            continue;
        };
        let code = cases[j].code.clone();
        let Some(person) = applicant(&cases[j]).map(|k| cases[j].parties[k].clone()) else {
            continue;
        };
        let c = &mut cases[i];
        let old_name = std::mem::replace(&mut c.parties[pos].name, person.name.clone());
        let party = &mut c.parties[pos];
        party.phone = person.phone;
        party.id_number = person.id_number;
        party.gender = person.gender;
        party.age = person.age;
        if !old_name.is_empty() {
            for text in [&mut c.summary, &mut c.facts, &mut c.request] {
                *text = text.replace(&old_name, &person.name);
            }
        }
        if let Some(e) = c
            .events
            .iter_mut()
            .find(|e| e.kind == EventKind::Registered)
        {
            e.details.push(("repeat_of".to_owned(), code.clone()));
        }
        c.repeat_of = Some(code);
    }
}

/// How a planned case ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Closed with `outcome` and archived.
    Archived,
    /// Closed with `outcome`, waiting on the board for the lead to archive it.
    AwaitingArchive,
    /// Still open in this stage, with its deadline `Due`.
    Open(Stage, Due),
}

/// Where an open case's deadline stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Past due by 1–12 days (`long`: by 7 days or more, when the town leader is told).
    Overdue { long: bool },
    /// Due today or within three days.
    Soon,
    /// More than three days left.
    OnTime,
}

/// What to plan for one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    kind: CaseKind,
    outcome: Option<Outcome>,
    end: End,
    /// Registered and closed in one step (就地化解).
    on_the_spot: bool,
    /// Sent back by a department once before its current routing (or, if registered, waiting
    /// to be routed again).
    returned: bool,
    /// Route to a department rather than a mediator, if the matter allows.
    to_department: Option<bool>,
}

impl Spec {
    fn closed(kind: CaseKind, outcome: Outcome) -> Spec {
        Spec {
            kind,
            outcome: Some(outcome),
            end: End::Archived,
            on_the_spot: false,
            returned: false,
            to_department: None,
        }
    }

    fn open(kind: CaseKind, stage: Stage, due: Due) -> Spec {
        Spec {
            kind,
            outcome: None,
            end: End::Open(stage, due),
            on_the_spot: false,
            returned: false,
            to_department: None,
        }
    }
}

/// The seed's year: fixed counts, shuffled. When `awaiting` is set, eight recently closed
/// cases wait on the board for archiving.
fn seed_history(rng: &mut StdRng, awaiting: bool) -> Vec<Spec> {
    use CaseKind::*;
    use Outcome::*;
    let mut specs = Vec::new();
    let mut add = |kind: CaseKind, outcome: Outcome, n: usize, spot: usize| {
        for i in 0..n {
            let mut s = Spec::closed(kind, outcome);
            s.on_the_spot = i < spot;
            specs.push(s);
        }
    };
    // Disputes: 141 resolved, 7 terminated (95.3 %), plus 3 withdrawn and 2 not accepted.
    add(Dispute, AgreementWritten, 58, 0);
    add(Dispute, AgreementOral, 50, 14);
    add(Dispute, Explained, 25, 8);
    add(Dispute, Supported, 5, 0);
    add(Dispute, NotSupported, 3, 0);
    add(Dispute, Terminated, 7, 0);
    add(Dispute, Withdrawn, 3, 0);
    add(Dispute, NotAccepted, 2, 0);
    // Services: 130 + 38 + 64 = 232.
    add(Consultation, Explained, 130, 90);
    add(LegalAid, Supported, 33, 0);
    add(LegalAid, NotSupported, 3, 0);
    add(LegalAid, Withdrawn, 2, 0);
    add(Psych, Supported, 58, 0);
    add(Psych, Explained, 6, 0);
    // Petitions and demands.
    add(Petition, Supported, 9, 0);
    add(Petition, Explained, 17, 0);
    add(Petition, NotSupported, 7, 0);
    add(Petition, Withdrawn, 1, 0);
    add(Petition, NotAccepted, 2, 0);
    add(Demand, Supported, 44, 0);
    add(Demand, Explained, 20, 0);
    add(Demand, NotSupported, 6, 0);
    add(Demand, Withdrawn, 2, 0);
    specs.shuffle(rng);
    if awaiting {
        let mut left = [(Dispute, 4), (Petition, 1), (Demand, 2), (LegalAid, 1)];
        for s in &mut specs {
            if let Some(slot) = left.iter_mut().find(|(k, n)| *k == s.kind && *n > 0)
                && !s.on_the_spot
                && s.outcome != Some(NotAccepted)
            {
                slot.1 -= 1;
                s.end = End::AwaitingArchive;
            }
        }
    }
    specs
}

/// The default board: 40 open cases across the first three columns (the closed column holds
/// the history's cases awaiting archive), with some overdue and some due within three days.
fn default_open() -> Vec<Spec> {
    use CaseKind::*;
    use Due::*;
    use Stage::*;
    let mut specs = Vec::new();
    let add = |specs: &mut Vec<Spec>, kind: CaseKind, stage: Stage, due: Due, n: usize| {
        for _ in 0..n {
            specs.push(Spec::open(kind, stage, due));
        }
    };
    // Registered: 12, one consultation overdue, two due soon, two returned by a department.
    add(&mut specs, Dispute, Registered, OnTime, 5);
    add(
        &mut specs,
        Consultation,
        Registered,
        Overdue { long: false },
        1,
    );
    add(&mut specs, Consultation, Registered, Soon, 1);
    add(&mut specs, Demand, Registered, OnTime, 2);
    add(&mut specs, Petition, Registered, OnTime, 1);
    add(&mut specs, LegalAid, Registered, Soon, 1);
    add(&mut specs, Psych, Registered, OnTime, 1);
    for s in specs.iter_mut().take(2) {
        s.returned = true;
    }
    // Routed: 10, to mediators and departments; one overdue, two due soon.
    let first_routed = specs.len();
    add(&mut specs, Dispute, Routed, OnTime, 4);
    add(&mut specs, Dispute, Routed, Soon, 1);
    add(&mut specs, Dispute, Routed, Overdue { long: false }, 1);
    add(&mut specs, Petition, Routed, OnTime, 1);
    add(&mut specs, Demand, Routed, Soon, 1);
    add(&mut specs, Demand, Routed, OnTime, 1);
    add(&mut specs, Psych, Routed, OnTime, 1);
    for (i, s) in specs.iter_mut().skip(first_routed).enumerate() {
        s.to_department = Some(i % 2 == 0);
    }
    // In handling: 18; five overdue (two by a week or more), three due soon.
    add(&mut specs, Dispute, InHandling, OnTime, 4);
    add(&mut specs, Dispute, InHandling, Soon, 2);
    add(&mut specs, Dispute, InHandling, Overdue { long: false }, 2);
    add(&mut specs, Dispute, InHandling, Overdue { long: true }, 2);
    add(&mut specs, Petition, InHandling, OnTime, 1);
    add(&mut specs, Petition, InHandling, Overdue { long: false }, 1);
    add(&mut specs, Demand, InHandling, OnTime, 2);
    add(&mut specs, Demand, InHandling, Soon, 1);
    add(&mut specs, LegalAid, InHandling, OnTime, 1);
    add(&mut specs, Psych, InHandling, OnTime, 1);
    add(&mut specs, Consultation, InHandling, OnTime, 1);
    specs
}

/// Kinds of sized demos, with their shares.
const KIND_WEIGHTS: &[(CaseKind, u32)] = &[
    (CaseKind::Dispute, 36),
    (CaseKind::Consultation, 22),
    (CaseKind::LegalAid, 7),
    (CaseKind::Psych, 9),
    (CaseKind::Petition, 8),
    (CaseKind::Demand, 18),
];

/// Outcomes of closed cases of a kind, with their shares (disputes resolve at about 95 %).
fn outcome_weights(kind: CaseKind) -> &'static [(Outcome, u32)] {
    use Outcome::*;
    match kind {
        CaseKind::Dispute => &[
            (AgreementWritten, 400),
            (AgreementOral, 330),
            (Explained, 150),
            (Supported, 30),
            (NotSupported, 20),
            (Terminated, 49),
            (Withdrawn, 15),
            (NotAccepted, 6),
        ],
        CaseKind::Consultation => &[(Explained, 1)],
        CaseKind::LegalAid => &[(Supported, 88), (NotSupported, 8), (Withdrawn, 4)],
        CaseKind::Psych => &[(Supported, 90), (Explained, 10)],
        CaseKind::Petition => &[
            (Supported, 25),
            (Explained, 47),
            (NotSupported, 20),
            (Withdrawn, 3),
            (NotAccepted, 5),
        ],
        CaseKind::Demand => &[
            (Supported, 60),
            (Explained, 28),
            (NotSupported, 8),
            (Withdrawn, 4),
        ],
    }
}

fn sized_history_spec(rng: &mut StdRng) -> Spec {
    let kind = weighted(rng, KIND_WEIGHTS);
    let outcome = weighted(rng, outcome_weights(kind));
    let mut s = Spec::closed(kind, outcome);
    s.on_the_spot = match kind {
        CaseKind::Consultation => rng.gen_bool(0.7),
        CaseKind::Dispute => outcome_fits_spot(outcome) && rng.gen_bool(0.15),
        _ => false,
    };
    s
}

fn outcome_fits_spot(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::AgreementOral | Outcome::Explained)
}

/// `n` open cases: 40 % registered, 20 % routed, 25 % in handling, 15 % closed awaiting
/// archive; of the open ones about 12 % overdue and 15 % due within three days.
fn sized_open(rng: &mut StdRng, n: u32) -> Vec<Spec> {
    let n = n as usize;
    let registered = n * 40 / 100;
    let routed = n * 20 / 100;
    let closed = n * 15 / 100;
    let handling = n - registered - routed - closed;
    let mut specs = Vec::with_capacity(n);
    for (stage, count) in [
        (Stage::Registered, registered),
        (Stage::Routed, routed),
        (Stage::InHandling, handling),
        (Stage::Closed, closed),
    ] {
        for _ in 0..count {
            let kind = weighted(rng, KIND_WEIGHTS);
            if stage == Stage::Closed {
                let mut outcome = weighted(rng, outcome_weights(kind));
                if outcome == Outcome::NotAccepted {
                    outcome = Outcome::Explained;
                }
                let mut s = Spec::closed(kind, outcome);
                s.end = End::AwaitingArchive;
                specs.push(s);
                continue;
            }
            let roll = rng.gen_range(0..100);
            let due = if roll < 12 {
                Due::Overdue {
                    long: rng.gen_bool(0.3),
                }
            } else if roll < 27 {
                Due::Soon
            } else {
                Due::OnTime
            };
            let mut s = Spec::open(kind, stage, due);
            s.returned = stage != Stage::InHandling
                && matches!(kind, CaseKind::Dispute | CaseKind::Demand)
                && rng.gen_bool(0.03);
            specs.push(s);
        }
    }
    specs
}

/// The generator's state: the random source, the clock, the codes given out.
struct Gen {
    rng: StdRng,
    tz: FixedOffset,
    now_local: NaiveDateTime,
    today: NaiveDate,
    layout: Layout,
    codes: HashSet<String>,
}

/// The center's working day, local time.
const DAY_START: (u32, u32) = (8, 30);
const DAY_END: (u32, u32) = (18, 0);

/// Minutes since midnight of an (hour, minute).
fn work_minute((hour, minute): (u32, u32)) -> u32 {
    hour * 60 + minute
}

impl Gen {
    fn new(now: DateTime<Utc>, tz: FixedOffset) -> Gen {
        let now_local = now.with_timezone(&tz).naive_local();
        Gen {
            rng: StdRng::seed_from_u64(SEED),
            tz,
            now_local,
            today: now_local.date(),
            layout: Layout::new(),
            codes: HashSet::new(),
        }
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let utc = local - Duration::seconds(i64::from(self.tz.local_minus_utc()));
        DateTime::from_naive_utc_and_offset(utc, Utc)
    }

    /// A time of the working day on `date`.
    fn work_time(&mut self, date: NaiveDate) -> NaiveDateTime {
        let start = work_minute(DAY_START);
        let end = work_minute(DAY_END);
        let minute = self.rng.gen_range(start..end);
        let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, self.rng.gen_range(0..60))
            .unwrap_or(NaiveTime::MIN);
        date.and_time(time)
    }

    /// The next moment after `prev`, `days` days later (the same day: a little later), on a
    /// weekday unless `weekends`.
    fn after(&mut self, prev: NaiveDateTime, days: i64, weekends: bool) -> NaiveDateTime {
        if days <= 0 {
            return prev + Duration::minutes(self.rng.gen_range(10..150));
        }
        let mut date = prev.date() + Duration::days(days);
        while !weekends && matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            date += Duration::days(1);
        }
        self.work_time(date)
    }

    /// Like `after`, but for open cases: never after now (squeezed in between instead).
    fn after_capped(&mut self, prev: NaiveDateTime, days: i64) -> NaiveDateTime {
        let next = self.after(prev, days, false);
        let cap = self.now_local - Duration::minutes(1);
        if next <= cap {
            next
        } else {
            let room = (cap - prev).num_seconds().max(2);
            prev + Duration::seconds(self.rng.gen_range(1..room))
        }
    }

    fn code(&mut self, registered: NaiveDate) -> String {
        loop {
            let random: [u32; CODE_RANDOM_LEN] = std::array::from_fn(|_| self.rng.r#gen());
            let code = case_code(registered.year(), registered.month(), random);
            if self.codes.insert(code.clone()) {
                return code;
            }
        }
    }

    /// Where a matter arose: a village by its weight; matters of residential compounds
    /// (小区) arise where there are some (`roster::VillagePlan::urban`).
    fn place(&mut self, urban: bool) -> Place {
        let weights: Vec<(usize, u32)> = VILLAGES
            .iter()
            .enumerate()
            .filter(|(_, v)| !urban || v.urban)
            .map(|(i, v)| (i, v.weight))
            .collect();
        let village = weighted(&mut self.rng, &weights);
        let area = self.layout.areas_of(village).choose(&mut self.rng).copied();
        let group = match area {
            Some(a) if self.rng.gen_bool(0.8) => {
                self.layout.groups_of(a).choose(&mut self.rng).copied()
            }
            _ => None,
        };
        Place {
            village,
            area,
            group,
        }
    }

    fn case(&mut self, spec: &Spec) -> PlannedCase {
        let scenario = pick_scenario(&mut self.rng, spec.kind);
        let urban = scenario.facts.contains("小区");
        let mut place = self.place(urban);
        let channel = self.channel(spec, scenario);
        let registered_by = match channel {
            Channel::GridReport | Channel::Screening => {
                if place.area.is_none() {
                    place.area = self.layout.areas_of(place.village).first().copied();
                }
                match (place.group, place.area) {
                    (Some(g), _) if self.rng.gen_bool(0.5) => Who::Auxiliary(g),
                    (_, Some(a)) => Who::FullTime(a),
                    _ => Who::Lead,
                }
            }
            _ if self.rng.gen_bool(0.1) => Who::Lead,
            _ => Who::Clerk(self.rng.gen_range(0..roster::CLERKS.len())),
        };
        let words = self.words(scenario, place);
        let mut flags: Vec<RiskFlag> = scenario
            .flags
            .iter()
            .copied()
            .filter(|_| self.rng.gen_bool(0.7))
            .collect();
        if spec.kind == CaseKind::Petition
            && self.rng.gen_bool(0.1)
            && !flags.contains(&RiskFlag::RepeatPetition)
        {
            flags.push(RiskFlag::RepeatPetition);
        }
        let risk = if flags.iter().any(|f| {
            matches!(
                f,
                RiskFlag::CriminalRisk | RiskFlag::ExtremeBehaviour | RiskFlag::GroupIncident
            )
        }) {
            if self.rng.gen_bool(0.5) {
                RiskLevel::High
            } else {
                RiskLevel::Medium
            }
        } else if self.rng.gen_bool(0.22) {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        };
        let rule = ClockRule::default_for(spec.kind, scenario.category, channel);
        let handler = self.handler(spec, scenario.category, channel);
        let cooperating = self.cooperating(spec.kind, scenario.category, channel, handler);

        let mut c = PlannedCase {
            code: String::new(),
            kind: spec.kind,
            category: scenario.category,
            channel,
            risk,
            risk_flags: flags,
            summary: words.summary,
            facts: words.facts,
            request: words.request,
            place,
            parties: words.parties,
            registered_by,
            repeat_of: None,
            registered_at: DateTime::<Utc>::MIN_UTC,
            clock: Clock::new(rule, self.today),
            due_on: self.today,
            stage: Stage::Registered,
            handler: None,
            cooperating: Vec::new(),
            outcome: None,
            outcome_summary: None,
            route_told: None,
            retention_years: None,
            routed_at: None,
            handling_at: None,
            closed_at: None,
            archived_at: None,
            events: Vec::new(),
        };
        let story = Story {
            spec: *spec,
            handler,
            cooperating,
            words_resolved: words.resolved,
            words_failed: words.failed,
            village: VILLAGES[place.village].name,
        };
        match spec.end {
            End::Archived | End::AwaitingArchive => self.closed_story(&mut c, &story),
            End::Open(stage, due) => self.open_story(&mut c, &story, stage, due),
        }
        c.code = self.code(c.clock.started_on);
        c
    }

    fn channel(&mut self, spec: &Spec, scenario: &Scenario) -> Channel {
        use Channel::*;
        if spec.on_the_spot && spec.kind == CaseKind::Consultation {
            // Answered at once, at the window or in the visitor hall.
            return weighted(&mut self.rng, &[(Window, 55), (VisitorHall, 45)]);
        }
        if spec.on_the_spot {
            return weighted(
                &mut self.rng,
                &[
                    (Window, 40),
                    (VisitorHall, 30),
                    (GridReport, 20),
                    (VillageCommittee, 10),
                ],
            );
        }
        let weights: &[(Channel, u32)] = match spec.kind {
            CaseKind::Dispute => match scenario.category {
                Category::Traffic | Category::Damages => &[
                    (Window, 25),
                    (VisitorHall, 15),
                    (PoliceTransfer, 30),
                    (CourtDelegated, 10),
                    (GridReport, 10),
                    (Hotline12345, 10),
                ],
                _ => &[
                    (Window, 30),
                    (VisitorHall, 20),
                    (GridReport, 16),
                    (VillageCommittee, 9),
                    (Hotline12345, 7),
                    (Online, 4),
                    (CourtDelegated, 5),
                    (PoliceTransfer, 5),
                    (Screening, 4),
                    (PetitionOffice, 2),
                ],
            },
            CaseKind::Consultation => &[
                (Window, 50),
                (VisitorHall, 40),
                (Online, 6),
                (Hotline12345, 4),
            ],
            CaseKind::LegalAid => &[
                (Window, 60),
                (VisitorHall, 30),
                (Online, 5),
                (GridReport, 5),
                (Hotline12345, 5),
            ],
            CaseKind::Psych => &[
                (VisitorHall, 36),
                (Window, 28),
                (GridReport, 22),
                (Screening, 10),
                (Online, 4),
                (Hotline12345, 4),
            ],
            CaseKind::Petition => &[
                (VisitorHall, 45),
                (PetitionOffice, 32),
                (Window, 10),
                (Online, 10),
                (Hotline12345, 5),
            ],
            CaseKind::Demand => &[
                (Hotline12345, 27),
                (GridReport, 22),
                (Online, 13),
                (Window, 20),
                (VisitorHall, 18),
            ],
        };
        weighted(&mut self.rng, weights)
    }

    /// The lead handler a matter is routed to.
    fn handler(&mut self, spec: &Spec, category: Category, channel: Channel) -> Assignee {
        use Dept::*;
        let mut options: Vec<(Assignee, u32)> = Vec::new();
        let depts = |list: &[(Dept, u32)]| -> Vec<(Assignee, u32)> {
            list.iter().map(|&(d, w)| (Assignee::Dept(d), w)).collect()
        };
        let specialists = |category: Category, weight: u32| -> Vec<(Assignee, u32)> {
            MEDIATORS
                .iter()
                .enumerate()
                .filter(|(_, m)| m.specialties.contains(&category))
                .map(|(i, _)| (Assignee::Mediator(i), weight))
                .collect()
        };
        match spec.kind {
            CaseKind::Consultation => {
                options = depts(&[(LegalRoom, 6), (LawSociety, 2), (Judicial, 2)]);
            }
            CaseKind::LegalAid => options = depts(&[(Judicial, 6), (LegalRoom, 4)]),
            CaseKind::Psych => options = depts(&[(PsychRoom, 1)]),
            CaseKind::Petition => {
                options.extend(depts(match category {
                    Category::Expropriation | Category::LandForest | Category::HousingHomestead => {
                        &[(Land, 5), (Judicial, 2)]
                    }
                    Category::Labour => &[(Judicial, 4), (LawSociety, 1)],
                    _ => &[(Judicial, 4)],
                }));
                options.extend(specialists(category, 2));
            }
            CaseKind::Demand => {
                options.extend(depts(match category {
                    Category::Consumer | Category::Business => &[(Market, 6)],
                    Category::LandForest | Category::HousingHomestead => &[(Land, 4)],
                    _ => &[(Judicial, 1)],
                }));
                options.extend(specialists(category, 3));
            }
            CaseKind::Dispute => {
                if channel == Channel::CourtDelegated {
                    options.extend(depts(&[(Tribunal, 4)]));
                }
                options.extend(specialists(category, 5));
                options.extend(depts(match category {
                    Category::Neighbour | Category::Damages => &[(Police, 2)],
                    Category::HousingHomestead | Category::LandForest => &[(Land, 3)],
                    Category::Expropriation => &[(Land, 3), (Judicial, 2)],
                    Category::Consumer => &[(Market, 8)],
                    Category::Business => &[(Market, 2)],
                    Category::Labour => &[(Judicial, 2), (LawSociety, 1)],
                    Category::Contract => &[(LawSociety, 2), (Tribunal, 1)],
                    Category::Traffic => &[(Police, 2), (Tribunal, 1)],
                    Category::Medical => &[(Judicial, 2), (LawSociety, 2)],
                    Category::MarriageFamily => &[(Judicial, 1), (Tribunal, 1)],
                    Category::Pollution => &[(Judicial, 1)],
                    _ => &[(Judicial, 1)],
                }));
            }
        }
        if options.is_empty() {
            options.push((Assignee::Dept(Judicial), 1));
        }
        if let Some(want_dept) = spec.to_department {
            let filtered: Vec<(Assignee, u32)> = options
                .iter()
                .copied()
                .filter(|(a, _)| matches!(a, Assignee::Dept(_)) == want_dept)
                .collect();
            if !filtered.is_empty() {
                options = filtered;
            }
        }
        weighted(&mut self.rng, &options)
    }

    /// Cooperating units (联合调处), sometimes.
    fn cooperating(
        &mut self,
        kind: CaseKind,
        category: Category,
        channel: Channel,
        handler: Assignee,
    ) -> Vec<Assignee> {
        if kind != CaseKind::Dispute || !matches!(handler, Assignee::Mediator(_)) {
            return Vec::new();
        }
        let unit = match (channel, category) {
            (Channel::CourtDelegated, _) => Some(Dept::Tribunal),
            (Channel::PoliceTransfer, _) => Some(Dept::Police),
            (_, Category::HousingHomestead | Category::LandForest) => Some(Dept::Land),
            (_, Category::MarriageFamily) => Some(Dept::PsychRoom),
            (_, Category::Labour) => Some(Dept::Judicial),
            _ => None,
        };
        match unit {
            Some(d) if self.rng.gen_bool(0.35) => vec![Assignee::Dept(d)],
            _ => Vec::new(),
        }
    }

    /// The texts and parties of a case.
    fn words(&mut self, s: &Scenario, place: Place) -> Words {
        let applicants = if s.flags.contains(&RiskFlag::GroupIncident) {
            self.rng.gen_range(1..=3)
        } else {
            1
        };
        let village = VILLAGES[place.village].name;
        let group = place.group.map_or("", |g| self.layout.groups[g].1);
        let mut parties = Vec::new();
        for _ in 0..applicants {
            let p = self.person(PartySide::Applicant, village, group);
            parties.push(p);
        }
        match s.respondent {
            Resp::Person => {
                let p = self.person(PartySide::Respondent, village, group);
                parties.push(p);
            }
            Resp::Org(names) => {
                let name = names.choose(&mut self.rng).copied().unwrap_or("某公司");
                let phone = format!("0937-55{:05}", self.rng.gen_range(0..100_000));
                parties.push(NewParty {
                    side: PartySide::Respondent,
                    kind: PartyKind::Organisation,
                    name: name.to_owned(),
                    phone: Some(phone),
                    address: Some("甘肃省酒泉市瓜州县".to_owned()),
                    ..NewParty::default()
                });
            }
            Resp::Nobody => {}
        }
        let a = parties.first().map(|p| p.name.clone()).unwrap_or_default();
        let b = parties
            .iter()
            .find(|p| p.side == PartySide::Respondent)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let n = if s.amount.1 > 0 {
            let hundreds = self.rng.gen_range(s.amount.0 / 100..=s.amount.1 / 100);
            (hundreds * 100).to_string()
        } else {
            String::new()
        };
        let m = ["二", "三", "四", "五", "六", "七", "八", "九"]
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("三");
        let fill = |t: &str| {
            t.replace("{A}", &a)
                .replace("{B}", &b)
                .replace("{V}", village)
                .replace("{G}", group)
                .replace("{N}", &n)
                .replace("{M}", m)
        };
        Words {
            summary: fill(s.summary),
            facts: fill(s.facts),
            request: fill(s.request),
            resolved: fill(s.resolved),
            failed: fill(s.failed),
            parties,
        }
    }

    /// A resident with plausible details: name, gender, age, ethnicity, occupation, a valid
    /// ID number of the county, a mobile phone and an address in the village.
    fn person(&mut self, side: PartySide, village: &str, group: &str) -> NewParty {
        let gender = if self.rng.gen_bool(0.55) {
            Gender::Male
        } else {
            Gender::Female
        };
        let surname = roster::SURNAMES
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("王");
        let given = roster::given_names(gender)
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("明");
        let age: u8 = self.rng.gen_range(22..=82);
        let occupation = if age >= 65 {
            "农民"
        } else {
            weighted(&mut self.rng, roster::OCCUPATIONS)
        };
        let ethnicity = weighted(&mut self.rng, roster::ETHNICITIES);
        let id_number = self.id_number(age, gender);
        let address = format!(
            "瓜州县瓜州镇{village}{group}{}号",
            self.rng.gen_range(1..=120)
        );
        NewParty {
            side,
            kind: PartyKind::Person,
            name: format!("{surname}{given}"),
            gender: Some(gender),
            ethnicity: Some(ethnicity.to_owned()),
            age: Some(age),
            occupation: Some(occupation.to_owned()),
            id_number: self.rng.gen_bool(0.85).then_some(id_number),
            phone: Some(self.mobile()),
            address: Some(address),
        }
    }

    /// A mainland mobile number.
    fn mobile(&mut self) -> String {
        const PREFIXES: &[&str] = &[
            "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158",
            "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "191", "193",
            "198", "199",
        ];
        let prefix = PREFIXES.choose(&mut self.rng).copied().unwrap_or("138");
        format!("{prefix}{:08}", self.rng.gen_range(0..100_000_000u32))
    }

    /// An 18-character ID number of the county with a correct check character.
    fn id_number(&mut self, age: u8, gender: Gender) -> String {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let year = self.today.year() - i32::from(age);
        let month = self.rng.gen_range(1..=12);
        let day = self.rng.gen_range(1..=28);
        let mut seq = self.rng.gen_range(0..500) * 2;
        if gender == Gender::Male {
            seq += 1;
        }
        let body = format!(
            "{}{year:04}{month:02}{day:02}{seq:03}",
            roster::COUNTY_ID_PREFIX
        );
        let sum: u32 = body
            .bytes()
            .zip(WEIGHTS)
            .map(|(c, w)| u32::from(c - b'0') * w)
            .sum();
        let check = char::from(CHECK[(sum % 11) as usize]);
        format!("{body}{check}")
    }

    /// How long a handler takes to close, in calendar days after accepting.
    fn handling_days(&mut self, c: &PlannedCase) -> i64 {
        let days = i64::from(c.clock.rule.days);
        let calendar = match c.clock.rule.unit {
            DayUnit::Calendar => days,
            DayUnit::Working => days * 7 / 5,
        };
        match c.kind {
            CaseKind::Consultation => self.rng.gen_range(0..=1),
            CaseKind::Psych => self.rng.gen_range(1..=6),
            CaseKind::LegalAid => self.rng.gen_range(1..=5),
            _ if self.rng.gen_bool(0.06) => calendar + self.rng.gen_range(1..=8),
            _ => self.rng.gen_range(2..=(calendar * 9 / 10).max(3)),
        }
    }

    /// A closed case: registered, routed (perhaps returned and routed again), accepted,
    /// worked on, closed; archived unless it awaits archiving. Or registered and closed on
    /// the spot, or not accepted.
    fn closed_story(&mut self, c: &mut PlannedCase, story: &Story) {
        let spec = story.spec;
        let outcome = spec.outcome.unwrap_or(Outcome::Explained);
        // Plan with relative times from a provisional registration day, then move the whole
        // history so that it ends before now: archived cases anywhere in the past year,
        // cases awaiting archive closed in the last few days.
        let start = self.today - Duration::days(400);
        let mut t = self.work_time(start);
        let reg_at = t;
        let mut events: Vec<(NaiveDateTime, PlannedEvent)> = Vec::new();
        let registrar = c.registered_by;
        events.push((
            t,
            event(
                registrar,
                EventKind::Registered,
                None,
                Some(Stage::Registered),
            ),
        ));
        let (summary, route) = self.outcome_text(c, story, outcome);
        let mut handler = None;
        let mut cooperating = Vec::new();
        if spec.on_the_spot {
            t = self.after(t, 0, true);
            let mut e = event(
                registrar,
                EventKind::ClosedOnTheSpot,
                Some(Stage::Registered),
                Some(Stage::Closed),
            );
            e.text = Some(summary.clone());
            e.details = vec![("outcome".into(), outcome.as_str().into())];
            events.push((t, e));
        } else if outcome == Outcome::NotAccepted {
            let gap = self.rng.gen_range(0..=2);
            t = self.after(t, gap, false);
            let who = if self.rng.gen_bool(0.5) {
                Who::Lead
            } else {
                Who::Clerk(0)
            };
            let mut e = event(
                who,
                EventKind::NotAccepted,
                Some(Stage::Registered),
                Some(Stage::Closed),
            );
            e.text = Some(summary.clone());
            if let Some(r) = route {
                e.details = vec![("route_told".into(), r.as_str().into())];
            }
            events.push((t, e));
        } else {
            t = self.routing(&mut events, t, story, true);
            handler = Some(story.handler);
            cooperating = story.cooperating.clone();
            let accept_gap = self.rng.gen_range(0..=2);
            t = self.after(t, accept_gap, false);
            events.push((
                t,
                event(
                    story.handler.who(),
                    EventKind::Accepted,
                    Some(Stage::Routed),
                    Some(Stage::InHandling),
                ),
            ));
            let total = self.handling_days(c);
            let weekends = self.rng.gen_bool(0.2);
            let close_at = self.after(t, total, weekends);
            self.notes(&mut events, c, story, t, close_at);
            t = close_at;
            let mut e = event(
                story.handler.who(),
                EventKind::Closed,
                Some(Stage::InHandling),
                Some(Stage::Closed),
            );
            e.text = Some(summary.clone());
            e.details = vec![("outcome".into(), outcome.as_str().into())];
            if let Some(r) = route {
                e.details.push(("route_told".into(), r.as_str().into()));
            }
            events.push((t, e));
        }
        if spec.end == End::Archived {
            let gap = self.rng.gen_range(1..=10);
            t = self.after(t, gap, false);
            let years = retention(c.kind, c.category, outcome);
            let mut e = event(
                Who::Lead,
                EventKind::Archived,
                Some(Stage::Closed),
                Some(Stage::Archived),
            );
            e.details = vec![("retention_years".into(), years.to_string())];
            events.push((t, e));
            c.retention_years = Some(years);
        }
        // Move the whole history, keeping the times of day, so that it ends before now:
        // archived cases anywhere in the past year, cases awaiting archive closed in the last
        // few days.
        let span = (t.date() - start).num_days();
        let end_day = if spec.end == End::AwaitingArchive {
            self.today - Duration::days(self.rng.gen_range(0..=3))
        } else {
            let room = (365 - span).max(1);
            self.today - Duration::days(1 + self.rng.gen_range(0..room))
        };
        let mut shift = end_day - t.date();
        let cap = self.now_local - Duration::minutes(5);
        while t + shift > cap {
            shift -= Duration::days(1);
        }
        let events: Vec<(NaiveDateTime, PlannedEvent)> =
            events.into_iter().map(|(at, e)| (at + shift, e)).collect();
        c.stage = if spec.end == End::Archived {
            Stage::Archived
        } else {
            Stage::Closed
        };
        c.handler = handler;
        c.cooperating = cooperating;
        c.outcome = Some(outcome);
        c.outcome_summary = Some(summary);
        c.route_told = route;
        self.finish(c, reg_at + shift, events);
    }

    /// An open case: registered on the day that puts its deadline where `due` says, then as
    /// far along the loop as `stage`, every step before now.
    fn open_story(&mut self, c: &mut PlannedCase, story: &Story, stage: Stage, due: Due) {
        let rule = c.clock.rule;
        let left: i64 = match due {
            Due::Overdue { long: true } => -self.rng.gen_range(7..=12),
            Due::Overdue { long: false } => -self.rng.gen_range(1..=6),
            Due::Soon => self.rng.gen_range(0..=DUE_SOON_DAYS),
            Due::OnTime => {
                let most = match rule.unit {
                    DayUnit::Calendar => i64::from(rule.days),
                    DayUnit::Working => i64::from(rule.days) * 7 / 5,
                };
                // Open cases were registered recently: most are early in their clock.
                let lo = DUE_SOON_DAYS + 1;
                if most <= lo {
                    most
                } else {
                    self.rng.gen_range(lo.max(most - 20)..=most)
                }
            }
        };
        let start = start_for(rule, self.today, left);
        let mut t = self.work_time(start);
        let cap = self.now_local - Duration::minutes(1);
        if t > cap {
            t = cap - Duration::minutes(self.rng.gen_range(5..120));
        }
        let reg_local = t;
        let mut events: Vec<(NaiveDateTime, PlannedEvent)> = Vec::new();
        events.push((
            t,
            event(
                c.registered_by,
                EventKind::Registered,
                None,
                Some(Stage::Registered),
            ),
        ));
        match stage {
            Stage::Registered if story.spec.returned => {
                self.routing(&mut events, t, story, false);
            }
            Stage::Routed | Stage::InHandling => {
                t = self.routing(&mut events, t, story, false);
                c.handler = Some(story.handler);
                c.cooperating = story.cooperating.clone();
                if stage == Stage::InHandling {
                    let gap = self.rng.gen_range(0..=2);
                    t = self.after_capped(t, gap);
                    events.push((
                        t,
                        event(
                            story.handler.who(),
                            EventKind::Accepted,
                            Some(Stage::Routed),
                            Some(Stage::InHandling),
                        ),
                    ));
                    self.notes(&mut events, c, story, t, cap);
                }
            }
            _ => {}
        }
        c.stage = stage;
        self.finish(c, reg_local, events);
    }

    /// Routing by the lead, after a day or so; with `story.spec.returned`, first a routing to
    /// a department that declines. For a registered case that was returned, the story ends
    /// with the return. Returns the time of the last event.
    fn routing(
        &mut self,
        events: &mut Vec<(NaiveDateTime, PlannedEvent)>,
        mut t: NaiveDateTime,
        story: &Story,
        past: bool,
    ) -> NaiveDateTime {
        let step = |g: &mut Gen, t: NaiveDateTime, days: i64| {
            if past {
                g.after(t, days, false)
            } else {
                g.after_capped(t, days)
            }
        };
        let open_registered = matches!(story.spec.end, End::Open(Stage::Registered, _));
        if story.spec.returned {
            let declining = [Dept::Police, Dept::Land, Dept::Market]
                .into_iter()
                .find(|d| Assignee::Dept(*d) != story.handler)
                .unwrap_or(Dept::Police);
            let gap = self.rng.gen_range(0..=1);
            t = step(self, t, gap);
            events.push((t, self.routed_event(Assignee::Dept(declining), &[])));
            let gap = self.rng.gen_range(1..=3);
            t = step(self, t, gap);
            let mut e = event(
                Who::Liaison(declining),
                EventKind::Returned,
                Some(Stage::Routed),
                Some(Stage::Registered),
            );
            e.text = texts::DECLINE_REASONS
                .choose(&mut self.rng)
                .map(|s| (*s).to_owned());
            e.details = vec![("previous_handler".into(), declining.name().into())];
            events.push((t, e));
            if open_registered {
                return t;
            }
        }
        let gap = if self.rng.gen_bool(0.6) { 0 } else { 1 };
        t = step(self, t, gap);
        events.push((t, self.routed_event(story.handler, &story.cooperating)));
        t
    }

    fn routed_event(&mut self, handler: Assignee, cooperating: &[Assignee]) -> PlannedEvent {
        let mut e = event(
            Who::Lead,
            EventKind::Routed,
            Some(Stage::Registered),
            Some(Stage::Routed),
        );
        e.details = vec![("handler".into(), handler.name().into())];
        if !cooperating.is_empty() {
            let names: Vec<&str> = cooperating.iter().map(|a| a.name()).collect();
            e.details.push(("cooperating".into(), names.join("、")));
        }
        e.text = texts::ROUTING_NOTES
            .choose(&mut self.rng)
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_owned());
        e
    }

    /// Zero to three progress notes of the handler between `from` and `until`.
    fn notes(
        &mut self,
        events: &mut Vec<(NaiveDateTime, PlannedEvent)>,
        c: &PlannedCase,
        story: &Story,
        from: NaiveDateTime,
        until: NaiveDateTime,
    ) {
        let span = (until - from).num_minutes();
        if span < 30 || c.kind == CaseKind::Consultation {
            return;
        }
        let n = self.rng.gen_range(0..=3);
        let mut times: Vec<i64> = (0..n).map(|_| self.rng.gen_range(1..span)).collect();
        times.sort_unstable();
        let restricted = is_publicly_restricted(c.kind, c.category, &c.risk_flags);
        for minutes in times {
            let mut at = from + Duration::minutes(minutes);
            // Notes written out of office hours move into the working day, if it fits.
            let in_office = self.work_time(at.date());
            let (open, close) = (work_minute(DAY_START), work_minute(DAY_END));
            let minute = at.time().hour() * 60 + at.time().minute();
            if !(open..close).contains(&minute) && in_office > from && in_office < until {
                at = in_office;
            }
            let public = !restricted && self.rng.gen_bool(0.25);
            let text = if public {
                texts::PUBLIC_NOTES.choose(&mut self.rng).copied()
            } else {
                match story.handler {
                    Assignee::Mediator(_) => texts::MEDIATOR_NOTES.choose(&mut self.rng).copied(),
                    Assignee::Dept(d) => texts::department_notes(d).choose(&mut self.rng).copied(),
                }
            };
            let mut e = event(story.handler.who(), EventKind::Note, None, None);
            e.text = text.map(|t| t.replace("{V}", story.village));
            e.public = public;
            events.push((at, e));
        }
    }

    /// The result's summary and the route told to the parties.
    fn outcome_text(
        &mut self,
        c: &PlannedCase,
        story: &Story,
        outcome: Outcome,
    ) -> (String, Option<LegalRoute>) {
        let a = c
            .parties
            .first()
            .map(|p| p.name.as_str())
            .unwrap_or("当事人");
        match outcome {
            Outcome::AgreementWritten => (
                format!(
                    "{}双方签订人民调解协议书,已告知可自协议生效之日起30日内共同向人民法院申请司法确认。",
                    story.words_resolved
                ),
                None,
            ),
            Outcome::AgreementOral => (
                format!(
                    "{}双方达成口头协议,已记录在卷,当场履行完毕。",
                    story.words_resolved
                ),
                None,
            ),
            Outcome::Supported => (story.words_resolved.clone(), None),
            Outcome::Explained => match c.kind {
                CaseKind::Consultation | CaseKind::Psych => (story.words_resolved.clone(), None),
                CaseKind::Dispute => (texts::EXPLAINED.to_owned(), None),
                _ => (
                    format!("经核查,已向{a}解释说明相关政策规定,{a}表示理解。"),
                    None,
                ),
            },
            Outcome::NotSupported => match c.kind {
                CaseKind::Dispute => (
                    "经调查核实,申请人的请求缺乏事实依据,未予支持,已释法说理,申请人表示理解。"
                        .to_owned(),
                    None,
                ),
                _ => (story.words_failed.clone(), None),
            },
            Outcome::Terminated => {
                let text = story.words_failed.clone();
                let route = if text.contains("仲裁") {
                    LegalRoute::Arbitration
                } else if ["起诉", "诉讼", "法院", "法庭"]
                    .iter()
                    .any(|k| text.contains(k))
                {
                    LegalRoute::Litigation
                } else if ["行政", "部门", "政府", "确权", "复议"]
                    .iter()
                    .any(|k| text.contains(k))
                {
                    LegalRoute::Administrative
                } else {
                    LegalRoute::Litigation
                };
                let text = if text.contains("告知") {
                    text
                } else {
                    format!("{text}已告知当事人可{}。", route.label(shared::Lang::Zh))
                };
                (text, Some(route))
            }
            Outcome::Withdrawn => (
                texts::WITHDRAWN
                    .choose(&mut self.rng)
                    .copied()
                    .unwrap_or("申请人申请撤回。")
                    .to_owned(),
                None,
            ),
            Outcome::NotAccepted => {
                let routes = [
                    LegalRoute::Litigation,
                    LegalRoute::Arbitration,
                    LegalRoute::Petition,
                ];
                let i = self.rng.gen_range(0..texts::NOT_ACCEPTED_REASONS.len());
                (
                    texts::NOT_ACCEPTED_REASONS[i].to_owned(),
                    Some(routes[i % routes.len()]),
                )
            }
        }
    }

    /// Fixes the registration and clock from the first event and stores the events in UTC.
    fn finish(
        &mut self,
        c: &mut PlannedCase,
        reg_local: NaiveDateTime,
        mut events: Vec<(NaiveDateTime, PlannedEvent)>,
    ) {
        events.sort_by_key(|(at, _)| *at);
        c.registered_at = self.utc(reg_local);
        c.clock.started_on = reg_local.date();
        c.due_on = c.clock.due_on(&OFFICIAL_CALENDAR, c.clock.started_on);
        c.events = events
            .into_iter()
            .map(|(at, mut e)| {
                e.at = self.utc(at);
                e
            })
            .collect();
        let last = |kinds: &[EventKind]| {
            c.events
                .iter()
                .rev()
                .find(|e| kinds.contains(&e.kind))
                .map(|e| e.at)
        };
        c.routed_at = last(&[EventKind::Routed]);
        c.handling_at = last(&[EventKind::Accepted]);
        c.closed_at = last(&[
            EventKind::Closed,
            EventKind::ClosedOnTheSpot,
            EventKind::NotAccepted,
        ]);
        c.archived_at = last(&[EventKind::Archived]);
    }
}

/// What a case's story needs to know besides the case.
struct Story {
    spec: Spec,
    handler: Assignee,
    cooperating: Vec<Assignee>,
    words_resolved: String,
    words_failed: String,
    village: &'static str,
}

/// A case's filled-in texts and parties.
struct Words {
    summary: String,
    facts: String,
    request: String,
    resolved: String,
    failed: String,
    parties: Vec<NewParty>,
}

fn event(who: Who, kind: EventKind, from: Option<Stage>, to: Option<Stage>) -> PlannedEvent {
    PlannedEvent {
        at: DateTime::<Utc>::MIN_UTC,
        who,
        kind,
        from,
        to,
        text: None,
        details: Vec::new(),
        public: false,
    }
}

/// How long an archived file is kept: 30 years for land and homestead agreements, else 10.
fn retention(kind: CaseKind, category: Category, outcome: Outcome) -> u8 {
    let lasting = matches!(
        category,
        Category::HousingHomestead | Category::LandForest | Category::Expropriation
    );
    if kind == CaseKind::Dispute && lasting && outcome == Outcome::AgreementWritten {
        30
    } else {
        10
    }
}

/// The calendar demo due dates are counted on: the official schedules, as a fresh database
/// holds them.
static OFFICIAL_CALENDAR: std::sync::LazyLock<shared::calendar::Calendar> =
    std::sync::LazyLock::new(shared::calendar::Calendar::official);

/// The latest day a clock can start so that it is due `left` days from `today` (negative:
/// overdue), never after today.
fn start_for(rule: ClockRule, today: NaiveDate, left: i64) -> NaiveDate {
    let target = today + Duration::days(left);
    let mut start = today;
    for _ in 0..400 {
        if rule.due_from(start, &OFFICIAL_CALENDAR) <= target {
            return start;
        }
        start -= Duration::days(1);
    }
    start
}

/// A scenario of `kind`.
fn pick_scenario(rng: &mut StdRng, kind: CaseKind) -> &'static Scenario {
    let list = texts::scenarios(kind);
    let i = rng.gen_range(0..list.len());
    &list[i]
}

/// One of `items`, with the chance of its weight.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (item, w) in items {
        if roll < *w {
            return *item;
        }
        roll -= w;
    }
    items[0].0
}
