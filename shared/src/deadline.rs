//! Case clocks: which rule a case starts with, its due date, and the board's deadline badge.
//!
//! A case keeps the rule it started with (`ClockRule` is stored on the case), so changing the
//! defaults later never moves an existing deadline. Clocks count calendar days or working
//! days. Until the holiday calendar lands, working days are Monday to Friday; the calendar,
//! pauses (`Clock::paused_days`) and extensions (`Clock::extension_days`) plug into `Clock`.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

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

/// The rule a case's clock follows; stored with the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockRule {
    pub track: Track,
    pub days: u16,
    pub unit: DayUnit,
}

impl ClockRule {
    /// The default rule for a new case (DESIGN.md, "Default clocks").
    pub fn default_for(kind: CaseKind, category: Category, channel: Channel) -> ClockRule {
        let (track, days, unit) = match kind {
            CaseKind::Dispute if channel == Channel::CourtDelegated => {
                (Track::CourtDelegated, 30, DayUnit::Calendar)
            }
            CaseKind::Dispute if category == Category::Labour => {
                (Track::LabourMediation, 15, DayUnit::Calendar)
            }
            CaseKind::Dispute if category == Category::Consumer => {
                (Track::Consumer, 45, DayUnit::Working)
            }
            CaseKind::Dispute => (Track::PeoplesMediation, 30, DayUnit::Calendar),
            CaseKind::Petition => (Track::Petition, 60, DayUnit::Calendar),
            CaseKind::LegalAid => (Track::LegalAid, 7, DayUnit::Calendar),
            CaseKind::Consultation => (Track::Consultation, 1, DayUnit::Calendar),
            CaseKind::Psych => (Track::Psych, 7, DayUnit::Calendar),
            CaseKind::Demand => (Track::Demand, 20, DayUnit::Calendar),
        };
        ClockRule { track, days, unit }
    }

    /// The due date of a clock started on `start` that never paused.
    pub fn due_from(self, start: NaiveDate) -> NaiveDate {
        Clock {
            rule: self,
            started_on: start,
            paused_days: 0,
            extension_days: 0,
        }
        .due_on()
    }
}

/// A running clock: a rule, the day it started, and what moved it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub rule: ClockRule,
    pub started_on: NaiveDate,
    /// Calendar days the case was suspended (the clock stood still).
    pub paused_days: u32,
    /// Days added by an approved extension, in the rule's unit.
    pub extension_days: u32,
}

impl Clock {
    /// The last day on which the case is on time.
    pub fn due_on(&self) -> NaiveDate {
        let days = u32::from(self.rule.days) + self.extension_days;
        let due = match self.rule.unit {
            DayUnit::Calendar => self.started_on + Duration::days(i64::from(days)),
            DayUnit::Working => add_working_days(self.started_on, days),
        };
        due + Duration::days(i64::from(self.paused_days))
    }
}

/// The date `days` working days after `start` (Monday to Friday; the holiday calendar comes
/// later and replaces `is_working_day`).
pub fn add_working_days(start: NaiveDate, days: u32) -> NaiveDate {
    let mut date = start;
    let mut left = days;
    while left > 0 {
        date += Duration::days(1);
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Whether a date is a working day (weekdays, until the holiday calendar lands).
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
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
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
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

    #[test]
    fn calendar_clocks_count_every_day() {
        let rule = ClockRule {
            track: Track::PeoplesMediation,
            days: 30,
            unit: DayUnit::Calendar,
        };
        assert_eq!(rule.due_from(d(2026, 1, 15)), d(2026, 2, 14));
        assert_eq!(rule.due_from(d(2024, 2, 1)), d(2024, 3, 2));
    }

    #[test]
    fn working_day_clocks_skip_weekends() {
        // Friday 2026-11-27 + 1 working day = Monday 2026-11-30.
        assert_eq!(add_working_days(d(2026, 11, 27), 1), d(2026, 11, 30));
        assert_eq!(add_working_days(d(2026, 11, 23), 5), d(2026, 11, 30));
        assert_eq!(add_working_days(d(2026, 11, 23), 0), d(2026, 11, 23));
    }

    #[test]
    fn pauses_and_extensions_move_the_due_date() {
        let rule = ClockRule {
            track: Track::Petition,
            days: 60,
            unit: DayUnit::Calendar,
        };
        let clock = Clock {
            rule,
            started_on: d(2026, 1, 1),
            paused_days: 5,
            extension_days: 30,
        };
        assert_eq!(clock.due_on(), d(2026, 4, 6));
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
