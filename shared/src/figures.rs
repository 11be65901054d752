//! The dashboard (统计): what a center's numbers are, how each rate is worked out, and which
//! cases stand behind each figure.
//!
//! The server counts; this module says what is counted. Every figure has a `Figure` and,
//! through `Dashboard::link`, the case-list filter that lists exactly the cases it counts, so
//! a person (and the API test) can always check a number against its cases.
//!
//! - **Received**: registered in the period.
//! - **Closed**: closed in the period (by the day of closing), whatever their result.
//! - **Resolution rate** (化解率): resolved ÷ (resolved + not resolved) over the cases closed
//!   in the period; withdrawn and not-accepted matters count in neither (`Resolution`).
//! - **On-time rate** (按期办结率): closed by the due date (the day itself included) ÷ closed.
//! - **Average days to close**: from registration to closing, over the cases closed.
//! - **Services**: legal aid, consultations and psychological services closed in the period.
//! - **Visitors**: matters brought in person (window, visitor hall) registered in the period.
//! - **Petitions** and **repeat petitions** (marked 重复信访) registered in the period.
//! - **On the spot** (就地化解): registered and closed at once, closed in the period; of them,
//!   those a grid worker reported.
//! - **Reported to the police** (防止民转刑): registered in the period and reported to the
//!   police station as a criminal risk.
//! - **Overdue**: open now, not suspended, past the due date (whatever the period).

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::api::{CaseFilter, SatisfactionFigures};
use crate::model::{
    CaseKind, Category, Channel, HandlerRef, Resolution, RiskFlag, Satisfaction, Timeliness,
};

/// The kinds that are services given (法律服务、心理服务), not matters settled.
pub const SERVICE_KINDS: [CaseKind; 3] =
    [CaseKind::LegalAid, CaseKind::Consultation, CaseKind::Psych];

/// The channels of a person who came to the center (来访).
pub const IN_PERSON_CHANNELS: [Channel; 2] = [Channel::Window, Channel::VisitorHall];

/// The longest period the dashboard covers, in days (five years).
pub const PERIOD_DAYS_MAX: i64 = 5 * 366;

/// The default rise (in per cent) above which a village's disputes count as rising.
pub const RISE_PCT_DEFAULT: u32 = 30;

/// A village rises only when it has at least this many more matters than before (so that
/// two against one is not "up 100 %").
pub const RISE_MIN_MORE: u64 = 3;

/// How many overdue cases the dashboard lists (the link shows them all).
pub const OVERDUE_SHOWN: usize = 20;

/// A rate in per cent with one decimal, rounded half up; none when there is nothing to divide.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| {
        let per_mille = (part * 1000 + whole / 2) / whole;
        per_mille as f64 / 10.0
    })
}

/// The periods a person picks from; `Custom` takes the two days typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodPreset {
    /// The calendar month so far.
    Month,
    /// The calendar quarter so far.
    Quarter,
    /// The calendar year so far.
    Year,
    /// The last twelve months, today included (the center's year).
    Last12,
}

impl PeriodPreset {
    pub const ALL: [PeriodPreset; 4] = [
        PeriodPreset::Month,
        PeriodPreset::Quarter,
        PeriodPreset::Year,
        PeriodPreset::Last12,
    ];

    /// The period's first and last day, as of `today`.
    pub fn range(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let first_of =
            |month: u32| NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today);
        let from = match self {
            PeriodPreset::Month => first_of(today.month()),
            PeriodPreset::Quarter => first_of((today.month() - 1) / 3 * 3 + 1),
            PeriodPreset::Year => first_of(1),
            PeriodPreset::Last12 => today
                .checked_sub_months(Months::new(12))
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .unwrap_or(today),
        };
        (from, today)
    }

    /// Which preset, if any, a period is as of `today`.
    pub fn of(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Option<PeriodPreset> {
        PeriodPreset::ALL
            .into_iter()
            .find(|p| p.range(today) == (from, to))
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            PeriodPreset::Month => lang.pick("本月", "This month"),
            PeriodPreset::Quarter => lang.pick("本季度", "This quarter"),
            PeriodPreset::Year => lang.pick("本年度", "This year"),
            PeriodPreset::Last12 => lang.pick("近一年", "Last 12 months"),
        }
    }
}

/// The period just before `from..=to`, of the same length (for "rising").
pub fn period_before(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = (to - from).num_days() + 1;
    let before_to = from.pred_opt().unwrap_or(from);
    let before_from = from
        .checked_sub_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(from);
    (before_from, before_to)
}

/// The calendar months a period touches, each cut to the period: (`2026-03`, first, last).
pub fn months_of(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut months = Vec::new();
    let mut start = from;
    while start <= to {
        let next = NaiveDate::from_ymd_opt(start.year(), start.month(), 1)
            .and_then(|d| d.checked_add_months(Months::new(1)));
        let Some(next) = next else { break };
        let end = next.pred_opt().unwrap_or(next).min(to);
        months.push((
            format!("{:04}-{:02}", start.year(), start.month()),
            start,
            end,
        ));
        start = next;
    }
    months
}

/// Whether a village's matters rose: at least `RISE_MIN_MORE` more than before, and by at
/// least `rise_pct` per cent (any rise from none, if by `RISE_MIN_MORE`).
pub fn is_rising(now: u64, before: u64, rise_pct: u32) -> bool {
    now >= before + RISE_MIN_MORE && now * 100 >= before * (100 + u64::from(rise_pct))
}

/// What the dashboard asks: the period (both days included; the last twelve months when
/// absent), a village (the whole town when absent), and the rise that flags a village.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DashboardQuery {
    /// The first day (`YYYY-MM-DD`, the center's time zone).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// The last day, included.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Only this village's matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<i64>,
    /// Per cent above the period before at which a village counts as rising (1–1000; 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rise: Option<u32>,
    /// Which town's figures: required of a county officer; anyone else sees their own town's
    /// and may not name another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<i64>,
}

impl DashboardQuery {
    /// The query as a URL's query string, without the `?` (empty when nothing is asked).
    pub fn query_string(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(d) = self.from {
            pairs.push(format!("from={}", d.format("%Y-%m-%d")));
        }
        if let Some(d) = self.to {
            pairs.push(format!("to={}", d.format("%Y-%m-%d")));
        }
        if let Some(v) = self.village {
            pairs.push(format!("village={v}"));
        }
        if let Some(r) = self.rise {
            pairs.push(format!("rise={r}"));
        }
        if let Some(t) = self.town {
            pairs.push(format!("town={t}"));
        }
        pairs.join("&")
    }

    /// The period asked for, as of `today`: checked (the last day not before the first, at
    /// most `PERIOD_DAYS_MAX` days) and the rise within 1–1000.
    pub fn check(
        &self,
        today: NaiveDate,
        lang: crate::Lang,
    ) -> Result<(NaiveDate, NaiveDate), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        let (default_from, default_to) = PeriodPreset::Last12.range(today);
        let to = self.to.unwrap_or(default_to);
        let from = match (self.from, self.to) {
            (Some(from), _) => from,
            (None, None) => default_from,
            (None, Some(to)) => PeriodPreset::Last12.range(to).0,
        };
        if to < from {
            c.fail("to", crate::api::period_reversed());
        } else if (to - from).num_days() + 1 > PERIOD_DAYS_MAX {
            c.fail(
                "from",
                crate::Reason::Other {
                    zh: "统计期间最长五年,请缩短期间。".into(),
                    en: "A period can be at most five years; shorten it.".into(),
                },
            );
        }
        if let Some(rise) = self.rise
            && !(1..=1000).contains(&rise)
        {
            c.fail(
                "rise",
                crate::Reason::Other {
                    zh: "上升幅度须在 1% 至 1000% 之间。".into(),
                    en: "The rise must be from 1 % to 1000 %.".into(),
                },
            );
        }
        c.finish().map(|()| (from, to))
    }
}

/// The counts of a group of cases (a kind, a category, a village…) over the period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Registered in the period.
    pub received: u64,
    /// Closed in the period.
    pub closed: u64,
    /// Of those closed: resolved, not resolved, not counted in the rate.
    pub resolved: u64,
    pub unresolved: u64,
    pub uncounted: u64,
    /// Of those closed: closed by the due date.
    pub on_time: u64,
    /// Of those closed: the days from registration to closing, added up (in hundredths of a
    /// day, so that the average keeps its decimal).
    pub centidays_to_close: u64,
    /// Of those closed: followed up (回访 recorded), and of those satisfied or basically
    /// satisfied at the latest visit — a mediator's satisfaction from the follow-ups.
    #[serde(default)]
    pub followed_up: u64,
    #[serde(default)]
    pub follow_up_satisfied: u64,
}

impl Counts {
    /// 化解率: resolved ÷ (resolved + not resolved), in per cent with one decimal.
    pub fn resolution_rate(&self) -> Option<f64> {
        rate(self.resolved, self.resolved + self.unresolved)
    }

    /// 按期办结率: closed on time ÷ closed.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.on_time, self.closed)
    }

    /// 回访满意率: satisfied or basically satisfied at the latest follow-up ÷ followed up.
    pub fn follow_up_rate(&self) -> Option<f64> {
        rate(self.follow_up_satisfied, self.followed_up)
    }

    /// Closed late.
    pub fn late(&self) -> u64 {
        self.closed.saturating_sub(self.on_time)
    }

    /// The average days from registration to closing, with one decimal.
    pub fn average_days(&self) -> Option<f64> {
        (self.closed > 0).then(|| {
            let tenths = (self.centidays_to_close + self.closed * 5) / (self.closed * 10);
            tenths as f64 / 10.0
        })
    }

    /// Adds another group's counts.
    pub fn add(&mut self, other: &Counts) {
        self.received += other.received;
        self.closed += other.closed;
        self.resolved += other.resolved;
        self.unresolved += other.unresolved;
        self.uncounted += other.uncounted;
        self.on_time += other.on_time;
        self.centidays_to_close += other.centidays_to_close;
        self.followed_up += other.followed_up;
        self.follow_up_satisfied += other.follow_up_satisfied;
    }
}

/// What a table of the dashboard is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Kind,
    Category,
    Village,
    Channel,
    /// The center's mediators.
    Handler,
    /// The departments cases were routed to.
    Department,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Kind,
        Dimension::Category,
        Dimension::Village,
        Dimension::Channel,
        Dimension::Handler,
        Dimension::Department,
    ];

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Dimension::Kind => lang.pick("按类型", "By kind"),
            Dimension::Category => lang.pick("按纠纷类别", "By category"),
            Dimension::Village => lang.pick("按村(社区)", "By village"),
            Dimension::Channel => lang.pick("按来源渠道", "By channel"),
            Dimension::Handler => lang.pick("按调解员", "By mediator"),
            Dimension::Department => lang.pick("按承办部门", "By department"),
        }
    }

    /// `filter` narrowed to the group `key` (a wire name, a village's id, a handler ref);
    /// `None` when the key does not belong to this dimension.
    pub fn narrow(self, filter: CaseFilter, key: &str) -> Option<CaseFilter> {
        let mut f = filter;
        match self {
            Dimension::Kind => f.kind = Some(CaseKind::parse(key)?),
            Dimension::Category => f.category = Some(Category::parse(key)?),
            Dimension::Village => f.village = Some(key.parse().ok()?),
            Dimension::Channel => f.channel = Some(Channel::parse(key)?),
            Dimension::Handler => match key.parse().ok()? {
                h @ HandlerRef::Mediator(_) => f.handler = Some(h),
                HandlerRef::Department(_) => return None,
            },
            Dimension::Department => match key.parse().ok()? {
                h @ HandlerRef::Department(_) => f.handler = Some(h),
                HandlerRef::Mediator(_) => return None,
            },
        }
        Some(f)
    }
}

/// One row of a breakdown: the group's wire key and label, and its counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakdownRow {
    /// `dispute`, `labour`, a village's id, `mediator:3`…
    pub key: String,
    /// The name shown (a vocabulary's label in the request's language, a village's or a
    /// person's name).
    pub label: String,
    pub counts: Counts,
}

/// A table of the dashboard: its rows, most matters first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub by: Dimension,
    pub rows: Vec<BreakdownRow>,
}

/// A month of the trend (cut to the period at either end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `2026-03`.
    pub month: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: NaiveDate,
    pub received: u64,
    pub closed: u64,
    pub resolved: u64,
}

/// An open case past its due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueCase {
    pub id: i64,
    pub code: String,
    pub kind: CaseKind,
    pub category: Category,
    pub village: String,
    /// The handler's name, once routed.
    pub handler: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// Calendar days past the due date.
    pub days_over: i64,
}

/// A village whose disputes rose against the period before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RisingVillage {
    pub village_id: i64,
    pub name: String,
    /// Disputes registered in the period.
    pub now: u64,
    /// Disputes registered in the period before, of the same length.
    pub before: u64,
}

/// The figures that are not a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Every kind together.
    pub all: Counts,
    /// Disputes (矛盾纠纷) alone: the seed's "化解矛盾纠纷 140 余件, 化解率 95%".
    pub disputes: Counts,
    pub services: u64,
    pub visitors: u64,
    pub petitions: u64,
    pub repeat_petitions: u64,
    pub on_the_spot: u64,
    /// Of those settled on the spot, reported by a grid worker.
    pub on_the_spot_grid: u64,
    pub police: u64,
    /// Open and overdue now.
    pub overdue: u64,
}

/// `GET /api/dashboard`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: NaiveDate,
    /// The village, when the dashboard is one village's.
    pub village: Option<i64>,
    /// Today in the center's time zone (the overdue list is as of today).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: NaiveDate,
    pub totals: Totals,
    /// The residents' ratings of the cases closed in the period.
    pub satisfaction: SatisfactionFigures,
    /// By kind, category, village, channel, mediator and department.
    pub breakdowns: Vec<Breakdown>,
    pub trend: Vec<MonthFigures>,
    /// The most overdue open cases (`OVERDUE_SHOWN` at most; `totals.overdue` counts all).
    pub overdue: Vec<OverdueCase>,
    /// The period before, of the same length, that "rising" compares with.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub before_from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub before_to: NaiveDate,
    /// The rise in per cent that flags a village.
    pub rise_pct: u32,
    /// Villages whose disputes rose, most risen first.
    pub rising: Vec<RisingVillage>,
}

/// A figure of the dashboard, for the link to its cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Received,
    Closed,
    Resolved,
    Unresolved,
    Uncounted,
    OnTime,
    Late,
    Services,
    Visitors,
    Petitions,
    RepeatPetitions,
    OnTheSpot,
    OnTheSpotGrid,
    Police,
    Overdue,
    Rated(Satisfaction),
}

impl Dashboard {
    /// The period's filter for cases registered in it (and the place).
    fn received_in(&self) -> CaseFilter {
        CaseFilter {
            from: Some(self.from),
            to: Some(self.to),
            village: self.village,
            ..CaseFilter::default()
        }
    }

    /// The period's filter for cases closed in it (and the place).
    fn closed_in(&self) -> CaseFilter {
        CaseFilter {
            closed_from: Some(self.from),
            closed_to: Some(self.to),
            village: self.village,
            ..CaseFilter::default()
        }
    }

    /// The case-list filter that lists exactly the cases `figure` counts (over the whole
    /// dashboard; narrow it with `Dimension::narrow` for a row of a breakdown). `Overdue` is a
    /// filter of the board as well as of the list.
    pub fn link(&self, figure: Figure) -> CaseFilter {
        let closed = self.closed_in();
        let received = self.received_in();
        match figure {
            Figure::Received => received,
            Figure::Closed => closed,
            Figure::Resolved => CaseFilter {
                resolution: Some(Resolution::Resolved),
                ..closed
            },
            Figure::Unresolved => CaseFilter {
                resolution: Some(Resolution::Unresolved),
                ..closed
            },
            Figure::Uncounted => CaseFilter {
                resolution: Some(Resolution::Uncounted),
                ..closed
            },
            Figure::OnTime => CaseFilter {
                timeliness: Some(Timeliness::OnTime),
                ..closed
            },
            Figure::Late => CaseFilter {
                timeliness: Some(Timeliness::Late),
                ..closed
            },
            Figure::Services => CaseFilter {
                service: true,
                ..closed
            },
            Figure::Visitors => CaseFilter {
                in_person: true,
                ..received
            },
            Figure::Petitions => CaseFilter {
                kind: Some(CaseKind::Petition),
                ..received
            },
            Figure::RepeatPetitions => CaseFilter {
                kind: Some(CaseKind::Petition),
                flag: Some(RiskFlag::RepeatPetition),
                ..received
            },
            Figure::OnTheSpot => CaseFilter {
                spot: true,
                ..closed
            },
            Figure::OnTheSpotGrid => CaseFilter {
                spot: true,
                channel: Some(Channel::GridReport),
                ..closed
            },
            Figure::Police => CaseFilter {
                police: true,
                ..received
            },
            Figure::Overdue => CaseFilter {
                overdue: true,
                village: self.village,
                ..CaseFilter::default()
            },
            Figure::Rated(rating) => CaseFilter {
                rating: Some(rating),
                ..closed
            },
        }
    }

    /// The link of a month of the trend: received, closed or resolved in that month.
    pub fn month_link(&self, month: &MonthFigures, figure: Figure) -> CaseFilter {
        let within = Dashboard {
            from: month.from,
            to: month.to,
            ..self.clone()
        };
        within.link(figure)
    }

    /// The link of a rising village: its disputes registered in the period.
    pub fn rising_link(&self, village: &RisingVillage) -> CaseFilter {
        CaseFilter {
            village: Some(village.village_id),
            kind: Some(CaseKind::Dispute),
            ..self.received_in()
        }
    }

    /// A breakdown, if the dashboard has it.
    pub fn breakdown(&self, by: Dimension) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.by == by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_rate_rounds_half_up_to_one_decimal_and_is_none_over_nothing() {
        assert_eq!(rate(141, 148), Some(95.3));
        assert_eq!(rate(1, 3), Some(33.3));
        assert_eq!(rate(2, 3), Some(66.7));
        assert_eq!(rate(1, 8), Some(12.5));
        assert_eq!(rate(0, 5), Some(0.0));
        assert_eq!(rate(5, 5), Some(100.0));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn resolution_rate_leaves_out_withdrawn_and_not_accepted() {
        let seed = Counts {
            closed: 153,
            resolved: 141,
            unresolved: 7,
            uncounted: 5,
            ..Counts::default()
        };
        assert_eq!(seed.resolution_rate(), Some(95.3));
        // Nothing closed: no rate, not 0 % and not 100 %.
        assert_eq!(Counts::default().resolution_rate(), None);
        assert_eq!(Counts::default().on_time_rate(), None);
        assert_eq!(Counts::default().average_days(), None);
        // Only withdrawn: closed, but no resolution rate; the on-time rate still counts them.
        let withdrawn = Counts {
            closed: 2,
            uncounted: 2,
            on_time: 1,
            centidays_to_close: 300,
            ..Counts::default()
        };
        assert_eq!(withdrawn.resolution_rate(), None);
        assert_eq!(withdrawn.on_time_rate(), Some(50.0));
        assert_eq!(withdrawn.late(), 1);
        assert_eq!(withdrawn.average_days(), Some(1.5));
        // Only terminated: 0 %.
        let terminated = Counts {
            closed: 1,
            unresolved: 1,
            ..Counts::default()
        };
        assert_eq!(terminated.resolution_rate(), Some(0.0));
        // The follow-ups' satisfaction: none followed up, no rate.
        assert_eq!(Counts::default().follow_up_rate(), None);
        let followed = Counts {
            closed: 4,
            followed_up: 3,
            follow_up_satisfied: 2,
            ..Counts::default()
        };
        assert_eq!(followed.follow_up_rate(), Some(66.7));
    }

    #[test]
    fn the_classes_of_results_cover_every_result_once() {
        use crate::model::Outcome;
        let mut seen = Vec::new();
        for class in Resolution::ALL {
            seen.extend(class.outcomes());
        }
        seen.sort();
        let mut all = Outcome::ALL.to_vec();
        all.sort();
        assert_eq!(seen, all);
        assert_eq!(Resolution::of(Outcome::Terminated), Resolution::Unresolved);
        assert_eq!(Resolution::of(Outcome::Withdrawn), Resolution::Uncounted);
        assert_eq!(Resolution::of(Outcome::NotAccepted), Resolution::Uncounted);
        assert_eq!(Resolution::of(Outcome::Explained), Resolution::Resolved);
    }

    #[test]
    fn average_days_keeps_one_decimal() {
        let c = Counts {
            closed: 3,
            centidays_to_close: 1000,
            ..Counts::default()
        };
        assert_eq!(c.average_days(), Some(3.3));
        let mut sum = c;
        sum.add(&c);
        assert_eq!(sum.closed, 6);
        assert_eq!(sum.average_days(), Some(3.3));
    }

    #[test]
    fn presets_cover_the_month_quarter_year_and_last_twelve_months() {
        let today = day(2026, 12, 4);
        assert_eq!(PeriodPreset::Month.range(today), (day(2026, 12, 1), today));
        assert_eq!(
            PeriodPreset::Quarter.range(today),
            (day(2026, 10, 1), today)
        );
        assert_eq!(PeriodPreset::Year.range(today), (day(2026, 1, 1), today));
        assert_eq!(PeriodPreset::Last12.range(today), (day(2025, 12, 5), today));
        assert_eq!(
            PeriodPreset::Quarter.range(day(2026, 3, 31)),
            (day(2026, 1, 1), day(2026, 3, 31))
        );
        assert_eq!(
            PeriodPreset::Last12.range(day(2024, 2, 29)),
            (day(2023, 3, 1), day(2024, 2, 29))
        );
        assert_eq!(
            PeriodPreset::of(day(2026, 1, 1), today, today),
            Some(PeriodPreset::Year)
        );
        assert_eq!(PeriodPreset::of(day(2026, 1, 2), today, today), None);
    }

    #[test]
    fn the_period_before_has_the_same_length() {
        assert_eq!(
            period_before(day(2026, 10, 1), day(2026, 12, 31)),
            (day(2026, 7, 1), day(2026, 9, 30))
        );
        assert_eq!(
            period_before(day(2026, 3, 1), day(2026, 3, 1)),
            (day(2026, 2, 28), day(2026, 2, 28))
        );
    }

    #[test]
    fn months_are_cut_to_the_period() {
        let months = months_of(day(2025, 12, 5), day(2026, 2, 10));
        assert_eq!(
            months,
            vec![
                ("2025-12".to_owned(), day(2025, 12, 5), day(2025, 12, 31)),
                ("2026-01".to_owned(), day(2026, 1, 1), day(2026, 1, 31)),
                ("2026-02".to_owned(), day(2026, 2, 1), day(2026, 2, 10)),
            ]
        );
        assert_eq!(months_of(day(2026, 2, 1), day(2026, 1, 1)), vec![]);
        assert_eq!(
            months_of(day(2025, 12, 5), day(2026, 12, 4)).len(),
            13,
            "a year from the 5th touches thirteen months"
        );
    }

    #[test]
    fn rising_needs_both_the_share_and_a_few_more_matters() {
        assert!(is_rising(13, 10, 30));
        assert!(!is_rising(12, 10, 30), "20 % is under 30 %");
        assert!(!is_rising(2, 1, 30), "up 100 % but only one more");
        assert!(is_rising(3, 0, 30), "from none, three");
        assert!(!is_rising(2, 0, 30));
        assert!(!is_rising(0, 0, 30));
        assert!(is_rising(20, 10, 100));
        assert!(!is_rising(19, 10, 100));
    }

    #[test]
    fn the_query_defaults_to_the_last_twelve_months_and_refuses_bad_periods() {
        use crate::Lang;
        let today = day(2026, 12, 4);
        let q = DashboardQuery::default();
        assert_eq!(q.check(today, Lang::Zh), Ok((day(2025, 12, 5), today)));
        let reversed = DashboardQuery {
            from: Some(day(2026, 3, 1)),
            to: Some(day(2026, 2, 1)),
            ..DashboardQuery::default()
        };
        let errors = reversed.check(today, Lang::En).err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "to");
        let long = DashboardQuery {
            from: Some(day(2019, 1, 1)),
            to: Some(day(2026, 1, 1)),
            ..DashboardQuery::default()
        };
        let errors = long.check(today, Lang::Zh).err().unwrap_or_default();
        assert_eq!(errors[0].field, "from");
        let rise = DashboardQuery {
            rise: Some(0),
            ..DashboardQuery::default()
        };
        let errors = rise.check(today, Lang::Zh).err().unwrap_or_default();
        assert_eq!(errors[0].field, "rise");
        let only_to = DashboardQuery {
            to: Some(day(2026, 6, 30)),
            ..DashboardQuery::default()
        };
        assert_eq!(
            only_to.check(today, Lang::Zh),
            Ok((day(2025, 7, 1), day(2026, 6, 30)))
        );
    }

    #[test]
    fn each_figure_links_to_the_filter_of_its_cases() {
        let d = Dashboard {
            from: day(2026, 1, 1),
            to: day(2026, 12, 4),
            village: Some(7),
            today: day(2026, 12, 4),
            totals: Totals::default(),
            satisfaction: SatisfactionFigures::from_counts(None, None, 0, 0, 0, 0),
            breakdowns: Vec::new(),
            trend: Vec::new(),
            overdue: Vec::new(),
            before_from: day(2025, 1, 29),
            before_to: day(2025, 12, 31),
            rise_pct: 30,
            rising: Vec::new(),
        };
        let received = d.link(Figure::Received);
        assert_eq!(received.from, Some(d.from));
        assert_eq!(received.to, Some(d.to));
        assert_eq!(received.closed_from, None);
        assert_eq!(received.village, Some(7));
        let resolved = d.link(Figure::Resolved);
        assert_eq!(resolved.from, None);
        assert_eq!(resolved.closed_from, Some(d.from));
        assert_eq!(resolved.resolution, Some(Resolution::Resolved));
        let overdue = d.link(Figure::Overdue);
        assert!(overdue.overdue);
        assert!(overdue.list_only_fields().is_empty(), "the board takes it");
        let grid = d.link(Figure::OnTheSpotGrid);
        assert!(grid.spot);
        assert_eq!(grid.channel, Some(Channel::GridReport));
        let disputes = Dimension::Kind.narrow(resolved.clone(), "dispute");
        assert_eq!(
            disputes.map(|f| f.kind),
            Some(Some(CaseKind::Dispute)),
            "a row narrows the figure"
        );
        assert_eq!(
            Dimension::Handler.narrow(resolved.clone(), "department:3"),
            None
        );
        assert_eq!(
            Dimension::Department
                .narrow(resolved, "department:3")
                .and_then(|f| f.handler),
            Some(HandlerRef::Department(3))
        );
        for figure in [
            Figure::Received,
            Figure::Closed,
            Figure::Resolved,
            Figure::Police,
        ] {
            assert!(d.link(figure).check(crate::Lang::Zh).is_ok());
        }
    }
}
