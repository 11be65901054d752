//! Case clocks: which rule a case starts with, its due date, and the board's deadline badge.
//!
//! A case keeps the rule it started with (`ClockRule` is stored on the case), so changing the
//! defaults later never moves an existing deadline. A clock counts calendar days or the working
//! days of the holiday calendar (`crate::calendar`), stands still while the case is suspended
//! (`Clock::pauses`) and runs longer by approved extensions (`Clock::extension_days`, within
//! each track's `ExtensionRule`).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::error::Reason;
use crate::lang::Lang;
use crate::model::{CaseKind, Category, Channel, Stage};

/// Whether a clock counts calendar or working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Calendar,
    Working,
}

/// The legal track a case's clock follows (the rows of DESIGN.md's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// People's mediation: settled within a month as a rule.
    PeoplesMediation,
    /// Labour dispute mediation: 15 days, then the parties may go to arbitration.
    LabourMediation,
    /// Petition (信访): handled within 60 days.
    Petition,
    /// Consumer complaint to market supervision: mediation ends at 45 working days.
    Consumer,
    /// Legal aid: decide within 7 days.
    LegalAid,
    /// Court-delegated pre-filing mediation: 30 days.
    CourtDelegated,
    /// Legal consultation: 1 day.
    Consultation,
    /// Psychological service: 7 days.
    Psych,
    /// Grid reports and other demands: 20 days.
    Demand,
}

impl Track {
    /// The name of the track, shown next to the deadline.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Track::PeoplesMediation => lang.pick(
                "人民调解(一般一个月内调结)",
                "People's mediation (one month)",
            ),
            Track::LabourMediation => lang.pick(
                "劳动争议调解(15日,逾期可申请仲裁)",
                "Labour mediation (15 days, then arbitration)",
            ),
            Track::Petition => lang.pick("信访事项(60日内办结)", "Petition (60 days)"),
            Track::Consumer => lang.pick(
                "消费纠纷(45个工作日)",
                "Consumer complaint (45 working days)",
            ),
            Track::LegalAid => lang.pick("法律援助(7日内决定)", "Legal aid (decide within 7 days)"),
            Track::CourtDelegated => {
                lang.pick("诉前委派调解(30日)", "Court-delegated mediation (30 days)")
            }
            Track::Consultation => lang.pick("法律咨询(1日)", "Legal consultation (1 day)"),
            Track::Psych => lang.pick("心理服务(7日)", "Psychological service (7 days)"),
            Track::Demand => lang.pick("群众诉求(20日)", "Demand (20 days)"),
        }
    }

    /// A notice the case page shows for this track, if the law attaches one.
    pub fn notice(self, lang: Lang) -> Option<&'static str> {
        match self {
            Track::LabourMediation => Some(lang.pick(
                "自申请之日起15日内未达成协议的,当事人可以依法申请劳动争议仲裁。",
                "If no agreement is reached within 15 days of the application, the parties may apply for labour arbitration.",
            )),
            Track::PeoplesMediation => Some(lang.pick(
                "延长调解期限须经双方当事人同意。",
                "The mediation period may be extended only with both parties' consent.",
            )),
            _ => None,
        }
    }
}

/// What a track allows in extensions (延期) of its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionRule {
    /// Whether the clock may be extended at all.
    pub allowed: bool,
    /// At most one approved extension (a petition: 信访条例 Art. 33).
    pub once: bool,
    /// The most days one extension may add, in the clock's unit.
    pub max_days: u32,
    /// Both parties must consent, and the consent is recorded (人民调解).
    pub consent: bool,
}

impl ExtensionRule {
    /// Days an extension may add where a track sets no limit of its own.
    pub const DEFAULT_MAX_DAYS: u32 = 30;

    /// Why a request for `days` (with `consent` given or not) is refused under this rule,
    /// when `approved` extensions were granted before; `None` when it may be asked.
    pub fn refusal(
        self,
        days: u32,
        consent: bool,
        approved: u32,
    ) -> Option<(&'static str, Reason)> {
        if !self.allowed {
            return Some((
                "days",
                Reason::Other {
                    zh: "该类案件的期限依法不得延长。".into(),
                    en: "This kind of case's time limit cannot be extended.".into(),
                },
            ));
        }
        if self.once && approved > 0 {
            return Some((
                "days",
                Reason::Other {
                    zh: "该类案件只能延期一次,已经延期过。".into(),
                    en: "This kind of case may be extended once only, and it has been.".into(),
                },
            ));
        }
        if days == 0 || days > self.max_days {
            return Some((
                "days",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(self.max_days),
                },
            ));
        }
        if self.consent && !consent {
            return Some((
                "consent",
                Reason::Other {
                    zh: "延长调解期限须经双方当事人同意,请先征得并记录同意。".into(),
                    en: "Extending a mediation needs both parties' consent: obtain and record it first.".into(),
                },
            ));
        }
        None
    }

    /// The rule as the case page states it.
    pub fn text(self, lang: Lang) -> String {
        if !self.allowed {
            return lang
                .pick("期限不得延长。", "The time limit cannot be extended.")
                .to_owned();
        }
        let mut s = match lang {
            Lang::Zh => format!("可延期,每次至多 {} 日", self.max_days),
            Lang::En => format!("May be extended by at most {} days", self.max_days),
        };
        if self.once {
            s.push_str(lang.pick(",仅限一次", ", once only"));
        }
        if self.consent {
            s.push_str(lang.pick(",须双方当事人同意", ", with both parties' consent"));
        }
        s.push_str(lang.pick("。", "."));
        s
    }
}

impl Track {
    /// What this track allows in extensions (DESIGN.md, "Default clocks").
    pub fn extension(self) -> ExtensionRule {
        let rule = |allowed, once, max_days, consent| ExtensionRule {
            allowed,
            once,
            max_days,
            consent,
        };
        match self {
            // People's mediation: only with both parties' consent.
            Track::PeoplesMediation => rule(true, false, 30, true),
            // Court-delegated pre-filing mediation: once, 30 days, with the parties' consent.
            Track::CourtDelegated => rule(true, true, 30, true),
            // A petition: one extension of at most 30 days, approved by the lead.
            Track::Petition => rule(true, true, 30, false),
            // Labour mediation ends at 15 days (then arbitration); a consumer mediation at 45
            // working days; legal aid decides within 7 days: none is extended (a wait for an
            // appraisal is a suspension, not an extension).
            Track::LabourMediation | Track::Consumer | Track::LegalAid => {
                rule(false, false, 0, false)
            }
            Track::Consultation | Track::Psych | Track::Demand => {
                rule(true, false, ExtensionRule::DEFAULT_MAX_DAYS, false)
            }
        }
    }
}

/// The rule a case's clock follows; stored with the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockRule {
    pub track: Track,
    pub days: u16,
    pub unit: DayUnit,
}

impl Track {
    /// Every track, in the design table's order.
    pub const ALL: [Track; 9] = [
        Track::PeoplesMediation,
        Track::LabourMediation,
        Track::Petition,
        Track::Consumer,
        Track::LegalAid,
        Track::CourtDelegated,
        Track::Consultation,
        Track::Psych,
        Track::Demand,
    ];

    /// The track's rule as DESIGN.md's table (and, where one applies, the law) sets it.
    pub fn standard(self) -> (u16, DayUnit) {
        match self {
            Track::PeoplesMediation | Track::CourtDelegated => (30, DayUnit::Calendar),
            Track::LabourMediation => (15, DayUnit::Calendar),
            Track::Petition => (60, DayUnit::Calendar),
            Track::Consumer => (45, DayUnit::Working),
            Track::LegalAid | Track::Psych => (7, DayUnit::Calendar),
            Track::Consultation => (1, DayUnit::Calendar),
            Track::Demand => (20, DayUnit::Calendar),
        }
    }

    /// Whether a law or a regulation fixes the time (labour mediation's 15 days, a
    /// petition's 60, a consumer complaint's 45 working days, legal aid's 7, a court's 30):
    /// a center may set a shorter target, never a longer one, and not change the unit.
    pub fn is_statutory(self) -> bool {
        matches!(
            self,
            Track::LabourMediation
                | Track::Petition
                | Track::Consumer
                | Track::LegalAid
                | Track::CourtDelegated
        )
    }

    /// The wire name (`peoples_mediation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Track::PeoplesMediation => "peoples_mediation",
            Track::LabourMediation => "labour_mediation",
            Track::Petition => "petition",
            Track::Consumer => "consumer",
            Track::LegalAid => "legal_aid",
            Track::CourtDelegated => "court_delegated",
            Track::Consultation => "consultation",
            Track::Psych => "psych",
            Track::Demand => "demand",
        }
    }

    /// The track of a wire name.
    pub fn parse(s: &str) -> Option<Track> {
        Track::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The longest default clock the administrator may set where no law fixes one, in days.
pub const CLOCK_DAYS_MAX: u16 = 365;

/// A track's default clock as the administrator sees it: the standard one and the one new
/// cases get (a case keeps the rule it started with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockSetting {
    pub track: Track,
    pub days: u16,
    pub unit: DayUnit,
    pub standard_days: u16,
    pub standard_unit: DayUnit,
    pub statutory: bool,
}

impl ClockSetting {
    /// The setting of `track` with `current` (the administrator's) or the standard rule.
    pub fn of(track: Track, current: Option<(u16, DayUnit)>) -> ClockSetting {
        let (standard_days, standard_unit) = track.standard();
        let (days, unit) = current.unwrap_or((standard_days, standard_unit));
        ClockSetting {
            track,
            days,
            unit,
            standard_days,
            standard_unit,
            statutory: track.is_statutory(),
        }
    }
}

/// The administrator's default clock for a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockSettingForm {
    pub days: u16,
    pub unit: DayUnit,
}

impl ClockSettingForm {
    /// Checks it for `track`: 1 day at least; a statutory track no longer than its law and in
    /// its unit; any other at most [`CLOCK_DAYS_MAX`] days.
    pub fn check(&self, track: Track, lang: Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        let (standard, unit) = track.standard();
        let max = if track.is_statutory() {
            standard
        } else {
            CLOCK_DAYS_MAX
        };
        if !(1..=max).contains(&self.days) {
            c.fail(
                "days",
                if track.is_statutory() && self.days > max {
                    crate::Reason::Other {
                        zh: format!("法定期限为 {max} 天,中心只能定得更短。"),
                        en: format!("The law allows {max} days: a center may only set fewer."),
                    }
                } else {
                    crate::Reason::OutOfRange {
                        min: 1,
                        max: i64::from(max),
                    }
                },
            );
        }
        if track.is_statutory() && self.unit != unit {
            c.fail("unit", crate::Reason::NotAllowedHere);
        }
        c.finish()
    }
}

impl ClockRule {
    /// The default rule for a new case (DESIGN.md, "Default clocks").
    pub fn default_for(kind: CaseKind, category: Category, channel: Channel) -> ClockRule {
        let track = match kind {
            CaseKind::Dispute if channel == Channel::CourtDelegated => Track::CourtDelegated,
            CaseKind::Dispute if category == Category::Labour => Track::LabourMediation,
            CaseKind::Dispute if category == Category::Consumer => Track::Consumer,
            CaseKind::Dispute => Track::PeoplesMediation,
            CaseKind::Petition => Track::Petition,
            CaseKind::LegalAid => Track::LegalAid,
            CaseKind::Consultation => Track::Consultation,
            CaseKind::Psych => Track::Psych,
            CaseKind::Demand => Track::Demand,
        };
        let (days, unit) = track.standard();
        ClockRule { track, days, unit }
    }

    /// The rule for a new case with the administrator's default clocks (`settings`, by
    /// track) in place of the standard ones.
    pub fn for_new_case(
        kind: CaseKind,
        category: Category,
        channel: Channel,
        settings: &[(Track, u16, DayUnit)],
    ) -> ClockRule {
        let mut rule = ClockRule::default_for(kind, category, channel);
        if let Some((_, days, unit)) = settings.iter().find(|(t, _, _)| *t == rule.track) {
            rule.days = *days;
            rule.unit = *unit;
        }
        rule
    }

    /// The due date of a clock started on `start` that never paused.
    pub fn due_from(self, start: NaiveDate, calendar: &Calendar) -> NaiveDate {
        Clock::new(self, start).due_on(calendar, start)
    }
}

/// Working days a handler has to accept or decline a routing, unless its department says
/// otherwise (DESIGN.md: "department response to a routing").
pub const RESPONSE_DAYS_DEFAULT: i64 = 3;

/// The last day to answer a routing made on `routed_on`: `days` working days on.
pub fn response_due(routed_on: NaiveDate, days: u16, calendar: &Calendar) -> NaiveDate {
    let rule = ClockRule {
        track: Track::Demand,
        days,
        unit: DayUnit::Working,
    };
    Clock::new(rule, routed_on).due_on(calendar, routed_on)
}

/// What a clock counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClockStart {
    /// The center's registration of the matter (登记), which is its acceptance (受理).
    Acceptance,
    /// The party's application (申请): a labour mediation counts from it.
    Application,
}

impl ClockStart {
    /// The start a track's clock counts from.
    pub fn of(track: Track) -> ClockStart {
        match track {
            Track::LabourMediation | Track::LegalAid => ClockStart::Application,
            _ => ClockStart::Acceptance,
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match self {
            ClockStart::Acceptance => lang.pick("受理", "acceptance"),
            ClockStart::Application => lang.pick("申请", "application"),
        }
    }
}

/// A stretch during which a case was suspended: the clock stands on every day from `from` up
/// to the day before `until` (the day it resumed). An open pause (`until: None`) stands still
/// up to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pause {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<NaiveDate>,
}

/// A running clock: a rule, the day it started, and what moved it since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub rule: ClockRule,
    pub started_on: NaiveDate,
    /// The stretches the case was suspended.
    pub pauses: Vec<Pause>,
    /// Days added by approved extensions, in the rule's unit.
    pub extension_days: u32,
}

/// How a due date came about, to explain it on the case page in either language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueExplained {
    /// The last day on which the case is on time.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    pub days: u32,
    pub unit: DayUnit,
    pub start: ClockStart,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub started_on: NaiveDate,
    /// Days the clock stood still while the case was suspended.
    pub paused_days: u32,
    pub extension_days: u32,
    /// Public holidays on weekdays that a working-day clock skipped.
    pub holidays_skipped: u32,
    /// Make-up working days (调休) on weekends that a working-day clock counted.
    pub makeup_days_counted: u32,
    /// For a calendar-day clock whose last day fell on a rest day: that day and the holiday's
    /// name (empty for an ordinary weekend); the due date is then the next working day
    /// (民法典 Art. 203).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<(String, String)>))]
    pub moved_from: Option<(NaiveDate, String)>,
    /// Whether the span reaches a year with no holiday schedule entered: the count there
    /// is Monday to Friday and may be wrong.
    pub uncovered_years: Vec<i32>,
}

impl Clock {
    /// A clock that never paused nor was extended.
    pub fn new(rule: ClockRule, started_on: NaiveDate) -> Clock {
        Clock {
            rule,
            started_on,
            pauses: Vec::new(),
            extension_days: 0,
        }
    }

    /// Days the clock has stood still so far (an open pause up to today).
    pub fn paused_days(&self, today: NaiveDate) -> u32 {
        self.pauses
            .iter()
            .map(|p| {
                let until = p.until.unwrap_or(today + Duration::days(1));
                u32::try_from((until - p.from).num_days()).unwrap_or(0)
            })
            .sum()
    }

    fn paused_on(&self, date: NaiveDate, today: NaiveDate) -> bool {
        self.pauses
            .iter()
            .any(|p| date >= p.from && p.until.map_or(date <= today, |until| date < until))
    }

    /// The due date and how it came about. The clock counts from the day after it started;
    /// a suspended day does not count; a working-day clock counts only working days of the
    /// calendar; a calendar-day clock whose last day is a rest day ends on the next working
    /// day.
    pub fn explain(&self, calendar: &Calendar, today: NaiveDate) -> DueExplained {
        let total = u32::from(self.rule.days) + self.extension_days;
        let mut out = DueExplained {
            due_on: self.started_on,
            days: u32::from(self.rule.days),
            unit: self.rule.unit,
            start: ClockStart::of(self.rule.track),
            started_on: self.started_on,
            paused_days: 0,
            extension_days: self.extension_days,
            holidays_skipped: 0,
            makeup_days_counted: 0,
            moved_from: None,
            uncovered_years: Vec::new(),
        };
        let note_year = |out: &mut DueExplained, date: NaiveDate| {
            let y = date.year();
            if !calendar.covers(y) && !out.uncovered_years.contains(&y) {
                out.uncovered_years.push(y);
            }
        };
        let mut date = self.started_on;
        let mut left = total;
        // At most a few years: a clock is days to months long.
        let mut guard = 0;
        while left > 0 && guard < 20_000 {
            guard += 1;
            date += Duration::days(1);
            if self.paused_on(date, today) {
                out.paused_days += 1;
                continue;
            }
            note_year(&mut out, date);
            match self.rule.unit {
                DayUnit::Calendar => left -= 1,
                DayUnit::Working => {
                    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                    if calendar.is_working_day(date) {
                        left -= 1;
                        if weekend {
                            out.makeup_days_counted += 1;
                        }
                    } else if !weekend {
                        out.holidays_skipped += 1;
                    }
                }
            }
        }
        if self.rule.unit == DayUnit::Calendar && !calendar.is_working_day(date) {
            let name = calendar
                .entry(date)
                .map(|(_, n)| n.to_owned())
                .unwrap_or_default();
            out.moved_from = Some((date, name));
            while !calendar.is_working_day(date) && guard < 20_000 {
                guard += 1;
                date += Duration::days(1);
                note_year(&mut out, date);
            }
        }
        out.due_on = date;
        out
    }

    /// The last day on which the case is on time.
    pub fn due_on(&self, calendar: &Calendar, today: NaiveDate) -> NaiveDate {
        self.explain(calendar, today).due_on
    }
}

impl DueExplained {
    /// The explanation as a sentence: "due 2026-03-18: 60 days from acceptance on
    /// 2026-01-16, paused 4 days, extended 10 days; 2 public holidays skipped and 1 make-up
    /// working day counted".
    pub fn text(&self, lang: Lang) -> String {
        let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut s = match (lang, self.unit) {
            (Lang::Zh, DayUnit::Calendar) => format!(
                "{} 到期:自{} {} 起 {} 日",
                fmt(self.due_on),
                self.start.label(lang),
                fmt(self.started_on),
                self.days
            ),
            (Lang::Zh, DayUnit::Working) => format!(
                "{} 到期:自{} {} 起 {} 个工作日",
                fmt(self.due_on),
                self.start.label(lang),
                fmt(self.started_on),
                self.days
            ),
            (Lang::En, unit) => format!(
                "due {}: {} {}days from {} on {}",
                fmt(self.due_on),
                self.days,
                if unit == DayUnit::Working {
                    "working "
                } else {
                    ""
                },
                self.start.label(lang),
                fmt(self.started_on)
            ),
        };
        if self.paused_days > 0 {
            s += &match lang {
                Lang::Zh => format!(",中止 {} 日", self.paused_days),
                Lang::En => format!(", paused {} days", self.paused_days),
            };
        }
        if self.extension_days > 0 {
            s += &match lang {
                Lang::Zh => format!(",延长 {} 日", self.extension_days),
                Lang::En => format!(", extended {} days", self.extension_days),
            };
        }
        if self.unit == DayUnit::Working
            && (self.holidays_skipped > 0 || self.makeup_days_counted > 0)
        {
            s += &match lang {
                Lang::Zh => format!(
                    ";跳过法定节假日 {} 天,计入调休上班日 {} 天",
                    self.holidays_skipped, self.makeup_days_counted
                ),
                Lang::En => format!(
                    "; {} public holiday{} skipped and {} make-up working day{} counted",
                    self.holidays_skipped,
                    if self.holidays_skipped == 1 { "" } else { "s" },
                    self.makeup_days_counted,
                    if self.makeup_days_counted == 1 {
                        ""
                    } else {
                        "s"
                    }
                ),
            };
        }
        if let Some((day, name)) = &self.moved_from {
            s += &match (lang, name.is_empty()) {
                (Lang::Zh, true) => format!(";期满日 {} 为休息日,顺延至下一个工作日", fmt(*day)),
                (Lang::Zh, false) => {
                    format!(
                        ";期满日 {} 为{}假期,顺延至假期后第一个工作日",
                        fmt(*day),
                        name
                    )
                }
                (Lang::En, true) => {
                    format!(
                        "; the last day, {}, is a rest day: moved to the next working day",
                        fmt(*day)
                    )
                }
                (Lang::En, false) => format!(
                    "; the last day, {}, falls in the {} holiday: moved to the first working day after it",
                    fmt(*day),
                    name
                ),
            };
        }
        if !self.uncovered_years.is_empty() {
            let years: Vec<String> = self.uncovered_years.iter().map(i32::to_string).collect();
            s += &match lang {
                Lang::Zh => format!(
                    "(注意:{} 年节假日安排尚未录入,按周一至周五计算)",
                    years.join("、")
                ),
                Lang::En => format!(
                    " (note: no holiday schedule entered for {}; counted Monday to Friday)",
                    years.join(", ")
                ),
            };
        }
        s
    }
}

/// The deadline badge of a card: green on time, amber due within 3 days, red overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DueBadge {
    /// Past the due date.
    Overdue,
    /// Due today or within the next 3 days.
    DueSoon,
    /// More than 3 days left.
    OnTime,
    /// The clock no longer runs (closed or archived).
    Stopped,
}

/// How many days before the due date a case turns amber.
pub const DUE_SOON_DAYS: i64 = 3;

impl DueBadge {
    /// The badge of a case in `stage` due on `due_on`, seen on `today`.
    pub fn for_case(stage: Stage, due_on: NaiveDate, today: NaiveDate) -> DueBadge {
        if !stage.is_open() {
            return DueBadge::Stopped;
        }
        let left = (due_on - today).num_days();
        if left < 0 {
            DueBadge::Overdue
        } else if left <= DUE_SOON_DAYS {
            DueBadge::DueSoon
        } else {
            DueBadge::OnTime
        }
    }

    /// The badge's text, e.g. "逾期 3 天" / "3 days overdue".
    pub fn text(self, due_on: NaiveDate, today: NaiveDate, lang: Lang) -> String {
        let left = (due_on - today).num_days();
        match (self, lang) {
            (DueBadge::Overdue, Lang::Zh) => format!("逾期 {} 天", -left),
            (DueBadge::Overdue, Lang::En) => format!("{} d overdue", -left),
            (DueBadge::DueSoon, Lang::Zh) if left == 0 => "今日到期".to_owned(),
            (DueBadge::DueSoon, Lang::En) if left == 0 => "due today".to_owned(),
            (DueBadge::DueSoon | DueBadge::OnTime, Lang::Zh) => format!("剩 {left} 天"),
            (DueBadge::DueSoon | DueBadge::OnTime, Lang::En) => format!("{left} d left"),
            (DueBadge::Stopped, _) => due_on.format("%Y-%m-%d").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn extension_rules_follow_each_track() {
        let petition = Track::Petition.extension();
        assert_eq!(petition.refusal(30, false, 0), None);
        assert_eq!(petition.refusal(31, false, 0).map(|r| r.0), Some("days"));
        assert_eq!(petition.refusal(0, false, 0).map(|r| r.0), Some("days"));
        assert_eq!(petition.refusal(10, false, 1).map(|r| r.0), Some("days"));
        let mediation = Track::PeoplesMediation.extension();
        assert_eq!(
            mediation.refusal(15, false, 0).map(|r| r.0),
            Some("consent")
        );
        assert_eq!(mediation.refusal(15, true, 3), None);
        for track in [Track::LabourMediation, Track::Consumer, Track::LegalAid] {
            assert!(track.extension().refusal(1, true, 0).is_some(), "{track:?}");
        }
        assert_eq!(
            petition.text(Lang::En),
            "May be extended by at most 30 days, once only."
        );
        assert_eq!(
            mediation.text(Lang::Zh),
            "可延期,每次至多 30 日,须双方当事人同意。"
        );
    }

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_center_sets_a_shorter_target_never_a_longer_legal_time() {
        let form = |days, unit| ClockSettingForm { days, unit };
        assert!(
            form(45, DayUnit::Calendar)
                .check(Track::Petition, Lang::Zh)
                .is_ok()
        );
        let fields = |r: Result<(), Vec<crate::FieldError>>| {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(form(61, DayUnit::Calendar).check(Track::Petition, Lang::Zh)),
            ["days"]
        );
        assert_eq!(
            fields(form(0, DayUnit::Calendar).check(Track::Demand, Lang::Zh)),
            ["days"]
        );
        assert!(
            form(30, DayUnit::Working)
                .check(Track::Consumer, Lang::En)
                .is_ok()
        );
        assert_eq!(
            fields(form(45, DayUnit::Calendar).check(Track::Consumer, Lang::En)),
            ["unit"]
        );
        assert!(
            form(90, DayUnit::Working)
                .check(Track::Demand, Lang::En)
                .is_ok()
        );
        assert_eq!(
            fields(form(366, DayUnit::Calendar).check(Track::Demand, Lang::En)),
            ["days"]
        );
        let rule = ClockRule::for_new_case(
            CaseKind::Petition,
            Category::Neighbour,
            Channel::Window,
            &[(Track::Petition, 45, DayUnit::Calendar)],
        );
        assert_eq!((rule.track, rule.days), (Track::Petition, 45));
        for t in Track::ALL {
            assert_eq!(Track::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap_or_default(),
                format!("\"{}\"", t.as_str())
            );
        }
    }

    #[test]
    fn default_clocks_follow_the_design_table() {
        let rule = |k, c, ch| ClockRule::default_for(k, c, ch);
        assert_eq!(
            rule(CaseKind::Dispute, Category::Neighbour, Channel::Window).days,
            30
        );
        assert_eq!(
            rule(CaseKind::Dispute, Category::Labour, Channel::Window).track,
            Track::LabourMediation
        );
        assert_eq!(
            rule(CaseKind::Dispute, Category::Labour, Channel::Window).days,
            15
        );
        assert_eq!(
            rule(
                CaseKind::Dispute,
                Category::Neighbour,
                Channel::CourtDelegated
            )
            .track,
            Track::CourtDelegated
        );
        let consumer = rule(CaseKind::Dispute, Category::Consumer, Channel::Window);
        assert_eq!((consumer.days, consumer.unit), (45, DayUnit::Working));
        assert_eq!(
            rule(CaseKind::Petition, Category::Other, Channel::PetitionOffice).days,
            60
        );
        assert_eq!(
            rule(CaseKind::LegalAid, Category::Other, Channel::Window).days,
            7
        );
        assert_eq!(
            rule(CaseKind::Consultation, Category::Other, Channel::Window).days,
            1
        );
        assert_eq!(
            rule(CaseKind::Psych, Category::Other, Channel::Window).days,
            7
        );
        assert_eq!(
            rule(CaseKind::Demand, Category::Other, Channel::GridReport).days,
            20
        );
    }

    fn rule(days: u16, unit: DayUnit) -> ClockRule {
        let track = match unit {
            DayUnit::Working => Track::Consumer,
            DayUnit::Calendar => Track::Petition,
        };
        ClockRule { track, days, unit }
    }

    fn explain(rule: ClockRule, start: NaiveDate, pauses: Vec<Pause>, ext: u32) -> DueExplained {
        Clock {
            rule,
            started_on: start,
            pauses,
            extension_days: ext,
        }
        .explain(&Calendar::official(), d(2026, 12, 1))
    }

    // Every expected date below was counted by hand on the 2025 and 2026 schedules.

    #[test]
    fn calendar_clocks_count_every_day_and_a_last_rest_day_moves_on() {
        let cal = Calendar::official();
        // 2026-02-14 is a Saturday, but a make-up working day: it stays.
        assert_eq!(
            rule(30, DayUnit::Calendar).due_from(d(2026, 1, 15), &cal),
            d(2026, 2, 14)
        );
        // 2024 has no schedule entered: Saturday 2024-03-02 moves to Monday, with a warning.
        let e = explain(rule(30, DayUnit::Calendar), d(2024, 2, 1), vec![], 0);
        assert_eq!(e.due_on, d(2024, 3, 4));
        assert_eq!(e.moved_from, Some((d(2024, 3, 2), String::new())));
        assert_eq!(e.uncovered_years, vec![2024]);
    }

    #[test]
    fn a_calendar_clock_ending_in_national_day_ends_after_it() {
        // 2026-09-03 + 30 days = Saturday 2026-10-03, in the National Day holiday (Oct 1–7).
        let e = explain(rule(30, DayUnit::Calendar), d(2026, 9, 3), vec![], 0);
        assert_eq!(e.due_on, d(2026, 10, 8));
        assert_eq!(e.moved_from, Some((d(2026, 10, 3), "国庆节".to_owned())));
        assert!(e.text(Lang::En).contains("falls in the 国庆节 holiday"));
    }

    #[test]
    fn working_days_across_the_spring_festival_count_its_make_up_saturdays() {
        // From Thursday 2026-02-12, 7 working days: Fri 13 (1), make-up Sat 14 (2), the
        // festival Feb 15–23 (weekdays 16–20 and 23 skipped), Tue 24 … Fri 27 (3–6), make-up
        // Sat 28 (7).
        let e = explain(rule(7, DayUnit::Working), d(2026, 2, 12), vec![], 0);
        assert_eq!(e.due_on, d(2026, 2, 28));
        assert_eq!((e.holidays_skipped, e.makeup_days_counted), (6, 2));
        assert!(e.uncovered_years.is_empty());
    }

    #[test]
    fn working_days_across_mid_autumn_and_national_day() {
        // From Friday 2026-09-18, 10 working days: make-up Sun 20 (1), Mon 21 … Thu 24 (2–5),
        // Fri 25 (中秋) skipped, Mon 28 … Wed 30 (6–8), Oct 1, 2, 5, 6, 7 skipped, Thu 8 (9),
        // Fri 9 (10).
        let e = explain(rule(10, DayUnit::Working), d(2026, 9, 18), vec![], 0);
        assert_eq!(e.due_on, d(2026, 10, 9));
        assert_eq!((e.holidays_skipped, e.makeup_days_counted), (6, 1));
        // The same span in 2025: from Friday 2025-09-26, 3 working days: make-up Sun 28 (1),
        // Mon 29 (2), Tue 30 (3).
        let e = explain(rule(3, DayUnit::Working), d(2025, 9, 26), vec![], 0);
        assert_eq!(e.due_on, d(2025, 9, 30));
        // … and 4: Oct 1–8 off (Wed 1 – Fri 3 and Mon 6 – Wed 8 skipped), Thu Oct 9 (4).
        let e = explain(rule(4, DayUnit::Working), d(2025, 9, 26), vec![], 0);
        assert_eq!(e.due_on, d(2025, 10, 9));
        assert_eq!((e.holidays_skipped, e.makeup_days_counted), (6, 1));
        // … and 6: Fri 10 (5), make-up Sat Oct 11 (6).
        let e = explain(rule(6, DayUnit::Working), d(2025, 9, 26), vec![], 0);
        assert_eq!(e.due_on, d(2025, 10, 11));
        assert_eq!((e.holidays_skipped, e.makeup_days_counted), (6, 2));
    }

    #[test]
    fn a_clock_that_starts_on_a_holiday() {
        // Started Saturday 2026-10-03 (National Day): Oct 5–7 skipped, Thu 8 (1), Fri 9 (2),
        // make-up Sat 10 (3).
        let e = explain(rule(3, DayUnit::Working), d(2026, 10, 3), vec![], 0);
        assert_eq!(e.due_on, d(2026, 10, 10));
        assert_eq!((e.holidays_skipped, e.makeup_days_counted), (3, 1));
    }

    #[test]
    fn a_pause_that_spans_a_holiday() {
        // Suspended Apr 3 and resumed Apr 8 2026: Apr 3–7 stand still (清明 Apr 4–6 inside).
        let pause = Pause {
            from: d(2026, 4, 3),
            until: Some(d(2026, 4, 8)),
        };
        // 30 calendar days from Apr 1 + 5 paused = May 6 (the day after Labour Day's May 1–5).
        let e = explain(rule(30, DayUnit::Calendar), d(2026, 4, 1), vec![pause], 0);
        assert_eq!((e.due_on, e.paused_days), (d(2026, 5, 6), 5));
        // 5 working days from Thu Apr 2: Apr 3–7 paused, Wed 8 … Fri 10 (1–3), Mon 13 (4),
        // Tue 14 (5). The holiday inside the pause is not counted as skipped.
        let e = explain(rule(5, DayUnit::Working), d(2026, 4, 2), vec![pause], 0);
        assert_eq!(
            (e.due_on, e.paused_days, e.holidays_skipped),
            (d(2026, 4, 14), 5, 0)
        );
        // A pause still open stands still up to today.
        let open = Pause {
            from: d(2026, 11, 20),
            until: None,
        };
        let e = explain(rule(30, DayUnit::Calendar), d(2026, 11, 10), vec![open], 0);
        assert_eq!(e.paused_days, 12);
    }

    #[test]
    fn a_clock_over_the_year_boundary() {
        // From Tue 2025-12-30, 5 working days: Wed 31 (1), Jan 1–2 skipped, make-up Sun Jan 4
        // (2), Mon 5 … Wed 7 (3–5).
        let e = explain(rule(5, DayUnit::Working), d(2025, 12, 30), vec![], 0);
        assert_eq!(e.due_on, d(2026, 1, 7));
        assert_eq!((e.holidays_skipped, e.makeup_days_counted), (2, 1));
        // Into 2027, whose schedule is not entered: Monday to Friday, and said so.
        let e = explain(rule(5, DayUnit::Working), d(2026, 12, 29), vec![], 0);
        assert_eq!(e.due_on, d(2027, 1, 5));
        assert_eq!(e.uncovered_years, vec![2027]);
        assert!(e.text(Lang::Zh).contains("2027 年节假日安排尚未录入"));
    }

    #[test]
    fn a_due_date_explains_itself_in_both_languages() {
        let pause = Pause {
            from: d(2026, 2, 1),
            until: Some(d(2026, 2, 5)),
        };
        // 60 + 10 days and 4 paused from 2026-01-16: Tuesday 2026-03-31.
        let e = explain(rule(60, DayUnit::Calendar), d(2026, 1, 16), vec![pause], 10);
        assert_eq!(e.due_on, d(2026, 3, 31));
        assert_eq!(
            e.text(Lang::En),
            "due 2026-03-31: 60 days from acceptance on 2026-01-16, paused 4 days, extended 10 days"
        );
        assert_eq!(
            e.text(Lang::Zh),
            "2026-03-31 到期:自受理 2026-01-16 起 60 日,中止 4 日,延长 10 日"
        );
        let e = explain(rule(7, DayUnit::Working), d(2026, 2, 12), vec![], 0);
        assert_eq!(
            e.text(Lang::En),
            "due 2026-02-28: 7 working days from acceptance on 2026-02-12; 6 public holidays skipped and 2 make-up working days counted"
        );
    }

    #[test]
    fn badges_turn_amber_within_three_days_and_red_when_overdue() {
        let due = d(2026, 11, 30);
        assert_eq!(
            DueBadge::for_case(Stage::Routed, due, d(2026, 11, 26)),
            DueBadge::OnTime
        );
        assert_eq!(
            DueBadge::for_case(Stage::Routed, due, d(2026, 11, 27)),
            DueBadge::DueSoon
        );
        assert_eq!(
            DueBadge::for_case(Stage::Routed, due, d(2026, 11, 30)),
            DueBadge::DueSoon
        );
        assert_eq!(
            DueBadge::for_case(Stage::Routed, due, d(2026, 12, 1)),
            DueBadge::Overdue
        );
        assert_eq!(
            DueBadge::for_case(Stage::Closed, due, d(2026, 12, 9)),
            DueBadge::Stopped
        );
        assert_eq!(
            DueBadge::Overdue.text(due, d(2026, 12, 3), Lang::En),
            "3 d overdue"
        );
        assert_eq!(DueBadge::DueSoon.text(due, due, Lang::Zh), "今日到期");
    }
}
