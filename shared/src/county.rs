//! One county, many towns: the towns of the deployment, a case moving from one town's center
//! to another's (移交: the matter is not within the first town's jurisdiction), a town
//! escalating a case to the county (上报县级) and the county's instruction (县级批示), and
//! the county's figures by town.
//!
//! Each town's center sees only its own cases; a county officer (县级政法干部) reads every
//! town's, parties masked, and acts only by instructing on what a town escalated.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Stage;
use crate::validate::Checker;
use crate::{FieldError, Lang, Reason};

/// Longest reason of a transfer or an escalation, and longest instruction.
pub const REASON_MAX: u32 = 500;

/// The stages from which a case may be transferred to another town: before anyone began
/// handling it (registered, or routed and not yet accepted).
pub const TRANSFERABLE: [Stage; 2] = [Stage::Registered, Stage::Routed];

/// A town of the county, with its villages (to pick where a transferred case belongs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownInfo {
    pub id: i64,
    pub name: String,
    /// The short code of its archive numbers (GZ).
    pub code: Option<String>,
    pub villages: Vec<VillageRef>,
}

/// A village, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageRef {
    pub id: i64,
    pub name: String,
}

/// The lead's transfer of a case to another town's center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferRequest {
    /// The village of the other town the matter belongs to.
    pub village_id: i64,
    /// Why the matter is the other town's (told to both centers, kept on the timeline).
    pub reason: String,
    /// The case's version as read (a case changed since is refused, 409).
    pub version: i64,
}

impl TransferRequest {
    /// Checks the reason (the village is the server's to check).
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.required("reason", &self.reason, REASON_MAX);
        c.finish()
    }
}

/// What a transfer did: the case, now in the other town's center (where its lead registers
/// and routes it again; the sending center no longer reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transferred {
    pub id: i64,
    pub code: String,
    pub town_id: i64,
    pub town: String,
}

/// A town's escalation of a case to the county, or the county's instruction on it: one text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyText {
    pub text: String,
}

impl CountyText {
    /// Checks the text: required, at most [`REASON_MAX`] characters.
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.required("text", &self.text, REASON_MAX);
        c.finish()
    }
}

/// One escalation of a case to the county, and the county's answer once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyEscalation {
    pub id: i64,
    /// Why the town escalated it (masked like the case's other free text).
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The county's instruction (县级批示), once given.
    pub instruction: Option<String>,
    pub instructed_by: Option<String>,
    pub instructed_at: Option<DateTime<Utc>>,
}

impl CountyEscalation {
    /// Whether it still waits for the county.
    pub fn is_pending(&self) -> bool {
        self.instructed_at.is_none()
    }
}

/// One town's line of the county dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownFigures {
    pub town_id: i64,
    pub town: String,
    /// Open cases (registered, routed, in handling).
    pub open: u32,
    /// Open cases past their due date.
    pub overdue: u32,
    /// Open cases due within three days.
    pub due_soon: u32,
    /// Closed cases waiting for the lead's archiving.
    pub closed_awaiting_archive: u32,
    /// Escalated to the county and not yet answered.
    pub county_pending: u32,
    /// Registered in the period.
    pub registered: u32,
    /// Closed in the period.
    pub closed: u32,
    /// Of those closed in the period, resolved (调解成功 or otherwise settled).
    pub resolved: u32,
    /// Of those closed in the period, closed by their due date.
    pub on_time: u32,
}

impl TownFigures {
    /// The share of closed cases resolved, in per cent (none closed: none).
    pub fn resolved_pct(&self) -> Option<u32> {
        pct(self.resolved, self.closed)
    }

    /// The share of closed cases closed by their due date, in per cent.
    pub fn on_time_pct(&self) -> Option<u32> {
        pct(self.on_time, self.closed)
    }

    /// Adds another town's figures (the county's total line).
    pub fn add(&mut self, other: &TownFigures) {
        self.open += other.open;
        self.overdue += other.overdue;
        self.due_soon += other.due_soon;
        self.closed_awaiting_archive += other.closed_awaiting_archive;
        self.county_pending += other.county_pending;
        self.registered += other.registered;
        self.closed += other.closed;
        self.resolved += other.resolved;
        self.on_time += other.on_time;
    }
}

fn pct(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| {
        let p = (u64::from(part) * 100 + u64::from(whole) / 2) / u64::from(whole);
        u32::try_from(p).unwrap_or(100)
    })
}

/// The county dashboard: every town's line over a period, and the county's total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountySummary {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: NaiveDate,
    /// The period's first day (registered and closed are counted from it through today).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    pub towns: Vec<TownFigures>,
    pub total: TownFigures,
}

/// The longest period the county dashboard counts over, in days.
pub const PERIOD_DAYS_MAX: i64 = 366;

/// The county dashboard's query: the period's first day (30 days back when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CountyQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
}

impl CountyQuery {
    /// The period's first day on `today`: refused if after today or more than a year back.
    pub fn from_on(&self, today: NaiveDate, lang: Lang) -> Result<NaiveDate, Vec<FieldError>> {
        let from = self
            .from
            .unwrap_or_else(|| today - chrono::Duration::days(29));
        let mut c = Checker::new(lang);
        if from > today {
            c.fail(
                "from",
                Reason::Other {
                    zh: "统计期间不能从今天以后开始。".into(),
                    en: "The period cannot start after today.".into(),
                },
            );
        } else if (today - from).num_days() >= PERIOD_DAYS_MAX {
            c.fail(
                "from",
                Reason::Other {
                    zh: format!("统计期间最长 {PERIOD_DAYS_MAX} 天。"),
                    en: format!("The period is at most {PERIOD_DAYS_MAX} days."),
                },
            );
        }
        c.finish().map(|()| from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn a_reason_and_an_instruction_are_required_and_bounded() {
        let t = TransferRequest {
            village_id: 1,
            reason: "  ".into(),
            version: 1,
        };
        let errors = t.check(Lang::Zh).err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "reason");
        let long = CountyText {
            text: "字".repeat(501),
        };
        assert_eq!(
            long.check(Lang::En).err().unwrap_or_default()[0].field,
            "text"
        );
        assert!(
            CountyText {
                text: "请县司法局协调".into()
            }
            .check(Lang::Zh)
            .is_ok()
        );
    }

    #[test]
    fn the_period_defaults_to_thirty_days_and_is_bounded() {
        let today = day("2026-12-05");
        let q = CountyQuery::default();
        assert_eq!(q.from_on(today, Lang::Zh), Ok(day("2026-11-06")));
        let future = CountyQuery {
            from: Some(day("2026-12-06")),
        };
        assert_eq!(
            future.from_on(today, Lang::En).err().unwrap_or_default()[0].field,
            "from"
        );
        // 366 days with both ends counted, at most.
        let longer = CountyQuery {
            from: Some(day("2025-12-04")),
        };
        assert!(longer.from_on(today, Lang::En).is_err());
        let year = CountyQuery {
            from: Some(day("2025-12-05")),
        };
        assert_eq!(year.from_on(today, Lang::En), Ok(day("2025-12-05")));
    }

    #[test]
    fn shares_round_and_totals_add_up() {
        let mut a = TownFigures {
            closed: 3,
            resolved: 2,
            on_time: 3,
            open: 5,
            ..TownFigures::default()
        };
        assert_eq!(a.resolved_pct(), Some(67));
        assert_eq!(a.on_time_pct(), Some(100));
        assert_eq!(TownFigures::default().resolved_pct(), None);
        a.add(&TownFigures {
            closed: 1,
            resolved: 1,
            open: 2,
            ..TownFigures::default()
        });
        assert_eq!((a.open, a.closed, a.resolved), (7, 4, 3));
        assert_eq!(a.resolved_pct(), Some(75));
    }
}
