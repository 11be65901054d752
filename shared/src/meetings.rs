//! Joint meetings (联席会议): the center meets the departments to analyse the disputes that
//! need it (定期召开联席会议,分析研判). A meeting is scheduled with the departments and people
//! invited and the period it reviews; its agenda is drawn from the cases that need it
//! (`AgendaReason`), the lead adding or removing items; in the meeting each decision (who does
//! what by when) is recorded against a case and becomes an urging on it (or, for a case no
//! handler holds, a task on its timeline); the minutes (纪要) print with the attendees and the
//! decisions. The "三调对接" view counts what came from and went to people's, administrative and
//! judicial mediation in the period.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    AgendaReason, CaseKind, Category, Channel, HandlerRef, LegalRoute, MediationKind,
    MeetingStatus, RiskLevel, Stage,
};
use crate::validate::{Checker, NOTE_MAX};

/// Longest title and place of a meeting, in characters.
pub const MEETING_TITLE_MAX: u32 = 60;
pub const MEETING_PLACE_MAX: u32 = 60;
/// Longest minutes (the summary written at the meeting).
pub const MINUTES_MAX: u32 = 5000;
/// Most departments and people invited to one meeting.
pub const INVITED_MAX: usize = 40;
/// Most items on one agenda.
pub const AGENDA_MAX: usize = 200;
/// How many declines put a case on the agenda.
pub const DECLINES_FOR_AGENDA: u32 = 2;

/// Where a matter that came in through `channel` came from, among the three mediations: a
/// village mediation committee (people's), the police (administrative, 警调对接), the court
/// (judicial, 诉调对接).
pub fn came_from(channel: Channel) -> Option<MediationKind> {
    match channel {
        Channel::VillageCommittee => Some(MediationKind::People),
        Channel::PoliceTransfer => Some(MediationKind::Administrative),
        Channel::CourtDelegated => Some(MediationKind::Judicial),
        _ => None,
    }
}

/// Where a matter went when the parties were told to take it elsewhere: to the court
/// (judicial) or to an administrative decision.
pub fn told_to(route: LegalRoute) -> Option<MediationKind> {
    match route {
        LegalRoute::Litigation => Some(MediationKind::Judicial),
        LegalRoute::Administrative => Some(MediationKind::Administrative),
        _ => None,
    }
}

/// Which of the three mediations a department belongs to, by its kind and name (as migration
/// 0011 sets it for the departments already there): the court and its tribunals judicial, the
/// judicial office and mediation committees people's, the police and the administrative
/// offices administrative; service rooms none.
pub fn mediation_of_department(
    name: &str,
    kind: crate::model::DepartmentKind,
) -> Option<MediationKind> {
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["法庭", "法院"]) {
        Some(MediationKind::Judicial)
    } else if has(&["司法所", "调委会"]) {
        Some(MediationKind::People)
    } else if kind == crate::model::DepartmentKind::Police
        || has(&["国土", "市场监管", "自然资源", "人社", "劳动"])
    {
        Some(MediationKind::Administrative)
    } else {
        None
    }
}

/// What the agenda needs to know of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgendaFacts {
    pub stage: Stage,
    /// The clock is suspended (中止).
    pub suspended: bool,
    pub due_on: NaiveDate,
    pub risk: RiskLevel,
    /// How many times a handler declined it.
    pub declines: u32,
    /// Escalated for being overdue.
    pub escalated: bool,
    /// Its latest mediation session ended without an agreement (continued or terminated).
    pub unresolved_session: bool,
}

/// Why a case belongs on the agenda, from what is known of it today.
pub fn agenda_reasons(f: AgendaFacts, today: NaiveDate) -> Vec<AgendaReason> {
    let mut reasons = Vec::new();
    if !f.stage.is_open() {
        return reasons;
    }
    if !f.suspended && f.due_on < today {
        reasons.push(AgendaReason::Overdue);
    }
    if f.risk == RiskLevel::High {
        reasons.push(AgendaReason::HighRisk);
    }
    if f.declines >= DECLINES_FOR_AGENDA {
        reasons.push(AgendaReason::DeclinedTwice);
    }
    if f.escalated {
        reasons.push(AgendaReason::Escalated);
    }
    if f.unresolved_session {
        reasons.push(AgendaReason::UnresolvedSession);
    }
    reasons
}

/// Scheduling a meeting (`POST /api/meetings`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMeeting {
    pub title: String,
    /// When it starts, in the center's time zone (`2026-12-10T09:30`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-10T09:30:00"))]
    pub starts_at: Option<NaiveDateTime>,
    #[serde(default)]
    pub place: String,
    /// The period the meeting reviews (both days included).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_from: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_to: Option<NaiveDate>,
    /// The town's departments invited.
    #[serde(default)]
    pub departments: Vec<i64>,
    /// The town's people invited (mediators, town leaders…).
    #[serde(default)]
    pub people: Vec<i64>,
}

impl NewMeeting {
    /// Checks what can be checked without the database (the ids are checked against the town
    /// by the server).
    pub fn check(&self, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = Checker::new(lang);
        c.required_line("title", &self.title, MEETING_TITLE_MAX);
        c.max_len("place", &self.place, MEETING_PLACE_MAX);
        if self.starts_at.is_none() {
            c.fail("starts_at", crate::Reason::Required);
        }
        match (self.period_from, self.period_to) {
            (None, _) => c.fail("period_from", crate::Reason::Required),
            (_, None) => c.fail("period_to", crate::Reason::Required),
            (Some(from), Some(to)) if to < from => {
                c.fail("period_to", crate::api::period_reversed());
            }
            (Some(from), Some(to))
                if (to - from).num_days() + 1 > crate::figures::PERIOD_DAYS_MAX =>
            {
                c.fail(
                    "period_from",
                    crate::Reason::Other {
                        zh: "研判期间最长五年。".into(),
                        en: "A period can be at most five years.".into(),
                    },
                );
            }
            _ => {}
        }
        if self.departments.is_empty() {
            c.fail(
                "departments",
                crate::Reason::Other {
                    zh: "联席会议至少邀请一个部门。".into(),
                    en: "Invite at least one department to a joint meeting.".into(),
                },
            );
        }
        if self.departments.len() + self.people.len() > INVITED_MAX {
            c.fail(
                "people",
                crate::Reason::Other {
                    zh: format!("一次会议最多邀请 {INVITED_MAX} 个部门和人员。"),
                    en: format!("At most {INVITED_MAX} departments and people can be invited."),
                },
            );
        }
        c.finish()
    }
}

/// A meeting in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingSummary {
    pub id: i64,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub status: MeetingStatus,
    /// The departments invited, by name.
    pub departments: Vec<String>,
    /// Items on the agenda (for a liaison: their department's).
    pub items: u32,
    pub decisions: u32,
}

/// A department or a person invited, and whether they came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitee {
    pub id: i64,
    pub name: String,
    pub attended: bool,
}

/// A case on the agenda. No party and no free text: the agenda is read by every department
/// invited, so it names the case by code, kind, category and place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    pub id: i64,
    pub case_id: i64,
    pub code: String,
    pub kind: CaseKind,
    pub category: Category,
    pub village: String,
    pub stage: Stage,
    pub risk: RiskLevel,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// The handler's name, once routed.
    pub handler: Option<String>,
    /// Why it is on the agenda (`added` when the lead put it there).
    pub reasons: Vec<AgendaReason>,
}

/// A decision of the meeting on a case: who does what by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub id: i64,
    pub item_id: i64,
    pub case_id: i64,
    pub code: String,
    pub who: HandlerRef,
    /// The name of who does it.
    pub who_name: String,
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// Whether it was sent as an urging to the case's handler (else it is a task on the
    /// case's timeline: the case had no handler then).
    pub urged: bool,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

/// Recording a decision (`POST /api/meetings/{id}/decisions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDecision {
    pub item_id: i64,
    pub who: HandlerRef,
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
}

impl NewDecision {
    pub fn check(&self, today: NaiveDate, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = Checker::new(lang);
        c.required("what", &self.what, NOTE_MAX);
        let days = (self.due_on - today).num_days();
        if !(0..=crate::api::URGING_DAYS_MAX).contains(&days) {
            c.fail(
                "due_on",
                crate::Reason::Other {
                    zh: format!("完成期限须在今天至 {} 天内。", crate::api::URGING_DAYS_MAX),
                    en: format!(
                        "The date must be from today to {} days ahead.",
                        crate::api::URGING_DAYS_MAX
                    ),
                },
            );
        }
        c.finish()
    }
}

/// Putting a case on the agenda by its code (`POST /api/meetings/{id}/items`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddItem {
    pub code: String,
}

/// Recording that the meeting was held (`POST /api/meetings/{id}/held`): who came, and the
/// minutes' text. `version` is the meeting's, as read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldMeeting {
    pub version: i64,
    #[serde(default)]
    pub departments_attended: Vec<i64>,
    #[serde(default)]
    pub people_attended: Vec<i64>,
    #[serde(default)]
    pub minutes: String,
}

impl HoldMeeting {
    pub fn check(&self, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = Checker::new(lang);
        c.max_len("minutes", &self.minutes, MINUTES_MAX);
        c.finish()
    }
}

/// 三调对接 for the meeting's period: per kind of mediation, the matters that came from it
/// (by channel) and went to it (routed to a unit of that kind, or told to go to court or to
/// an administrative decision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DockingRow {
    pub kind: MediationKind,
    /// Registered in the period through the channel of that mediation.
    pub came_from: u64,
    /// Routed in the period to a unit of that mediation.
    pub routed_to: u64,
    /// Closed in the period with the parties told to go that way.
    pub told_to: u64,
}

/// A meeting whole (`GET /api/meetings/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingDetail {
    pub id: i64,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starts_at: NaiveDateTime,
    pub place: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_to: NaiveDate,
    pub status: MeetingStatus,
    /// Who called it (the center's lead).
    pub convened_by: String,
    pub minutes: String,
    pub version: i64,
    pub departments: Vec<Invitee>,
    pub people: Vec<Invitee>,
    /// The agenda (for a liaison: only their department's cases).
    pub items: Vec<AgendaItem>,
    /// Items on the agenda a liaison does not see (another department's cases).
    pub other_items: u32,
    pub decisions: Vec<Decision>,
    pub docking: Vec<DockingRow>,
    /// Cases that need the meeting and are not on the agenda (the lead's to add; empty for
    /// others).
    pub candidates: Vec<AgendaItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_agenda_takes_open_cases_that_need_the_meeting() {
        let today = day(2026, 12, 4);
        let late = day(2026, 12, 1);
        let reasons = |stage, suspended, due_on, risk, declines, escalated| {
            agenda_reasons(
                AgendaFacts {
                    stage,
                    suspended,
                    due_on,
                    risk,
                    declines,
                    escalated,
                    unresolved_session: false,
                },
                today,
            )
        };
        assert_eq!(
            reasons(Stage::InHandling, false, late, RiskLevel::Low, 0, false),
            vec![AgendaReason::Overdue]
        );
        assert!(
            reasons(Stage::InHandling, true, late, RiskLevel::Low, 0, false).is_empty(),
            "a suspended clock is not overdue"
        );
        assert_eq!(
            reasons(Stage::Registered, false, today, RiskLevel::High, 2, true),
            vec![
                AgendaReason::HighRisk,
                AgendaReason::DeclinedTwice,
                AgendaReason::Escalated
            ]
        );
        assert!(reasons(Stage::Routed, false, today, RiskLevel::Medium, 1, false).is_empty());
        assert!(
            reasons(Stage::Closed, false, late, RiskLevel::High, 3, true).is_empty(),
            "a closed case needs no meeting"
        );
        let after_session = AgendaFacts {
            stage: Stage::InHandling,
            suspended: false,
            due_on: today,
            risk: RiskLevel::Low,
            declines: 0,
            escalated: false,
            unresolved_session: true,
        };
        assert_eq!(
            agenda_reasons(after_session, today),
            vec![AgendaReason::UnresolvedSession]
        );
    }

    #[test]
    fn the_three_mediations_are_named_by_channel_and_route() {
        assert_eq!(
            came_from(Channel::CourtDelegated),
            Some(MediationKind::Judicial)
        );
        assert_eq!(
            came_from(Channel::VillageCommittee),
            Some(MediationKind::People)
        );
        assert_eq!(
            came_from(Channel::PoliceTransfer),
            Some(MediationKind::Administrative)
        );
        assert_eq!(came_from(Channel::Window), None);
        assert_eq!(
            told_to(LegalRoute::Litigation),
            Some(MediationKind::Judicial)
        );
        assert_eq!(told_to(LegalRoute::Arbitration), None);
    }

    #[test]
    fn a_meeting_needs_a_title_a_time_a_period_and_a_department() {
        let errors = NewMeeting::default()
            .check(crate::Lang::Zh)
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["title", "starts_at", "period_from", "departments"]
        );
        let good = NewMeeting {
            title: "第四季度联席会议".into(),
            starts_at: day(2026, 12, 10).and_hms_opt(9, 30, 0),
            place: "中心会议室".into(),
            period_from: Some(day(2026, 10, 1)),
            period_to: Some(day(2026, 12, 4)),
            departments: vec![1],
            people: vec![],
        };
        assert_eq!(good.check(crate::Lang::Zh), Ok(()));
        let reversed = NewMeeting {
            period_to: Some(day(2026, 9, 1)),
            ..good.clone()
        };
        let errors = reversed.check(crate::Lang::En).err().unwrap_or_default();
        assert_eq!(errors[0].field, "period_to");
        let crowded = NewMeeting {
            people: (1..=40).collect(),
            ..good
        };
        assert_eq!(
            crowded.check(crate::Lang::Zh).err().unwrap_or_default()[0].field,
            "people"
        );
    }

    #[test]
    fn a_decision_needs_what_and_a_date_within_ninety_days() {
        let today = day(2026, 12, 4);
        let d = NewDecision {
            item_id: 1,
            who: HandlerRef::Department(2),
            what: "  ".into(),
            due_on: day(2026, 11, 30),
        };
        let errors = d.check(today, crate::Lang::Zh).err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["what", "due_on"]);
        let fine = NewDecision {
            what: "国土所十日内完成现场勘界".into(),
            due_on: day(2026, 12, 14),
            ..d
        };
        assert_eq!(fine.check(today, crate::Lang::Zh), Ok(()));
    }
}
