//! The mediation room (`DESIGN.md`, "The mediation room"): the center's rooms as data, the
//! sessions scheduled for a case (time, length, room, mediators, the parties invited), the
//! conflicts of interest that keep a mediator out of a case (回避), and the session sheet the
//! tablet fills in at the table — who came, the consent notice read out, and the record (笔录)
//! as speaker turns.
//!
//! The sheet is one versioned document: the tablet keeps it on the device until the server has
//! it, and a save made against an older version is refused (409), so that a change made on
//! another device is never overwritten without the person choosing.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    Attendance, CaseKind, Category, LegalRoute, PartySide, RoomKind, SessionOutcome, SessionStatus,
    Stage,
};
use crate::validate::{Checker, NOTE_MAX, has_control_characters};
use crate::{FieldError, Lang, Reason};

/// Longest room name, in characters.
pub const ROOM_NAME_MAX: u32 = 30;
/// Shortest and longest session, in minutes.
pub const SESSION_MINUTES_MIN: u32 = 15;
pub const SESSION_MINUTES_MAX: u32 = 480;
/// Most mediators on one session.
pub const SESSION_MEDIATORS_MAX: usize = 5;
/// Most speaker turns in one record, and the longest turn.
pub const TURNS_MAX: usize = 1000;
pub const TURN_MAX: u32 = 5000;
/// Longest name of a representative, of an "other" speaker, and of a 回避 reason.
pub const REPRESENTATIVE_MAX: u32 = 40;
pub const SPEAKER_MAX: u32 = 20;
pub const EXCLUSION_REASON_MAX: u32 = 200;
/// How far ahead a session can be scheduled, in days.
pub const SCHEDULE_AHEAD_DAYS: i64 = 366;

/// The parties' rights in people's mediation, read out at the start of every session
/// (人民调解法 第二十三条).
pub const CONSENT_NOTICE_ZH: &str = "根据《中华人民共和国人民调解法》第二十三条,当事人在人民调解活动中享有下列权利:\
(一)选择或者接受人民调解员;(二)接受调解、拒绝调解或者要求终止调解;\
(三)要求调解公开进行或者不公开进行;(四)自主表达意愿、自愿达成调解协议。\
调解不收取任何费用。";
pub const CONSENT_NOTICE_EN: &str = "Under Article 23 of the People's Mediation Law, the parties \
have the right to: (1) choose or accept the people's mediator; (2) accept mediation, refuse it, \
or ask for it to end; (3) ask for the mediation to be held in public or not; (4) express their \
wishes freely and reach an agreement of their own free will. Mediation is free of charge.";

/// The consent notice in `lang`.
pub fn consent_notice(lang: Lang) -> &'static str {
    lang.pick(CONSENT_NOTICE_ZH, CONSENT_NOTICE_EN)
}

/// A room of the center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    pub id: i64,
    pub town_id: i64,
    pub name: String,
    pub kind: RoomKind,
    /// A room taken out of use keeps its past sessions and takes no new ones.
    pub active: bool,
}

/// Adding or changing a room (`POST /api/rooms`, `PUT /api/rooms/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomChange {
    /// The room's town (the administrator works for every town).
    pub town_id: Option<i64>,
    pub name: String,
    pub kind: RoomKind,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl RoomChange {
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.town_id.is_none() {
            c.fail("town_id", Reason::Required);
        }
        c.required_line("name", &self.name, ROOM_NAME_MAX);
        c.finish()
    }
}

/// When a session that starts at `start` and lasts `minutes` ends.
pub fn ends_at(start: NaiveDateTime, minutes: u32) -> NaiveDateTime {
    start + Duration::minutes(i64::from(minutes))
}

/// Whether two bookings overlap (one ending exactly as the other starts does not).
pub fn overlaps(a: (NaiveDateTime, NaiveDateTime), b: (NaiveDateTime, NaiveDateTime)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Scheduling a session for a case (`POST /api/cases/{id}/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSession {
    /// When it starts, in the center's time zone (`2026-12-10T09:30:00`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-10T09:30:00"))]
    pub starts_at: Option<NaiveDateTime>,
    /// How long it is booked for, in minutes (15 to 480).
    pub minutes: u32,
    pub room_id: Option<i64>,
    /// The mediators (users of the town who mediate), at least one.
    #[serde(default)]
    pub mediators: Vec<i64>,
    /// The parties invited, by their position in the case's list of parties.
    #[serde(default)]
    pub parties: Vec<u32>,
    /// Queue a text message to each invited party with a phone number.
    #[serde(default)]
    pub notify_parties: bool,
}

impl NewSession {
    /// Checks what can be checked without the database, against the center's local time now.
    pub fn check(&self, now: NaiveDateTime, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        check_new_session(&mut c, "", self, now);
        c.finish()
    }
}

fn check_new_session(c: &mut Checker, at: &str, s: &NewSession, now: NaiveDateTime) {
    let f = |name: &str| format!("{at}{name}");
    match s.starts_at {
        None => c.fail(f("starts_at"), Reason::Required),
        Some(t) if t.date() < now.date() => c.fail(
            f("starts_at"),
            Reason::Other {
                zh: "调解时间不能早于今天。".into(),
                en: "A session cannot be scheduled before today.".into(),
            },
        ),
        Some(t) if (t.date() - now.date()).num_days() > SCHEDULE_AHEAD_DAYS => c.fail(
            f("starts_at"),
            Reason::Other {
                zh: "调解时间最多安排到一年以后。".into(),
                en: "A session can be scheduled at most a year ahead.".into(),
            },
        ),
        Some(_) => {}
    }
    if !(SESSION_MINUTES_MIN..=SESSION_MINUTES_MAX).contains(&s.minutes) {
        c.fail(
            f("minutes"),
            Reason::OutOfRange {
                min: i64::from(SESSION_MINUTES_MIN),
                max: i64::from(SESSION_MINUTES_MAX),
            },
        );
    }
    if s.room_id.is_none() {
        c.fail(f("room_id"), Reason::Required);
    }
    if s.mediators.is_empty() {
        c.fail(f("mediators"), Reason::Required);
    } else if s.mediators.len() > SESSION_MEDIATORS_MAX {
        c.fail(
            f("mediators"),
            Reason::OutOfRange {
                min: 1,
                max: SESSION_MEDIATORS_MAX as i64,
            },
        );
    } else if has_duplicates(&s.mediators) {
        c.fail(f("mediators"), Reason::Duplicate);
    }
    if s.parties.is_empty() {
        c.fail(f("parties"), Reason::Required);
    } else if has_duplicates(&s.parties) {
        c.fail(f("parties"), Reason::Duplicate);
    }
}

fn has_duplicates<T: Ord + Copy>(v: &[T]) -> bool {
    let mut s = v.to_vec();
    s.sort_unstable();
    s.windows(2).any(|w| w[0] == w[1])
}

/// A person named in a session (a mediator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

/// A session as listed: on the case page and in the day view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    pub id: i64,
    pub case_id: i64,
    pub code: String,
    pub category: Category,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-10T09:30:00"))]
    pub starts_at: NaiveDateTime,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-10T10:30:00"))]
    pub ends_at: NaiveDateTime,
    pub minutes: u32,
    pub room: Room,
    pub mediators: Vec<PersonRef>,
    pub status: SessionStatus,
    pub outcome: Option<SessionOutcome>,
    /// Parties invited.
    pub parties: u32,
}

/// A mediator kept out of a case (回避): a relative of a party, or otherwise not impartial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exclusion {
    pub user_id: i64,
    pub name: String,
    pub reason: String,
    pub recorded_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: DateTime<Utc>,
}

/// Recording a 回避 (`POST /api/cases/{id}/exclusions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewExclusion {
    pub user_id: Option<i64>,
    pub reason: String,
}

impl NewExclusion {
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.user_id.is_none() {
            c.fail("user_id", Reason::Required);
        }
        c.required_line("reason", &self.reason, EXCLUSION_REASON_MAX);
        c.finish()
    }
}

/// A case's sessions and 回避 (`GET /api/cases/{id}/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSessions {
    /// Earliest first.
    pub sessions: Vec<SessionSummary>,
    pub exclusions: Vec<Exclusion>,
    /// Whether the reader may schedule sessions and record 回避 (the handler or the lead, while
    /// the case is in handling).
    pub may_schedule: bool,
    /// The town's rooms in use and the people who may mediate, for the scheduling form.
    pub rooms: Vec<Room>,
    pub mediators: Vec<PersonRef>,
}

/// The sessions of one day in the town (`GET /api/sessions?day=…`), for the day view per room
/// and per mediator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DaySessions {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: NaiveDate,
    /// Every room of the town (those out of use too, if a session of the day is in one).
    pub rooms: Vec<Room>,
    /// Earliest first; cancelled sessions are left out.
    pub sessions: Vec<SessionSummary>,
}

/// The day asked for (`GET /api/sessions?day=…`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DayQuery {
    /// The day (`YYYY-MM-DD`, the center's time zone; today when absent).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
}

/// Who speaks in a turn of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Speaker {
    /// A mediator of the session.
    Mediator { user_id: i64 },
    /// An invited party, by position.
    Party { position: u32 },
    /// Someone else present (a witness, a village cadre), named.
    Other { label: String },
}

/// One turn of the record (笔录): who said what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Turn {
    pub speaker: Speaker,
    pub text: String,
}

/// A party's check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckIn {
    pub position: u32,
    pub attendance: Attendance,
    /// Who came for the party, when `represented`.
    #[serde(default)]
    pub represented_by: String,
}

/// What the tablet fills in at the table: one document, saved whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSheet {
    /// When the session began, as the tablet saw it (the running clock counts from here).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// The consent notice was read out to the parties.
    #[serde(default)]
    pub consent_read: bool,
    /// One per invited party.
    #[serde(default)]
    pub attendance: Vec<CheckIn>,
    #[serde(default)]
    pub turns: Vec<Turn>,
}

impl SessionSheet {
    /// Checks the sheet against the parties invited (`positions`) and the session's mediators.
    pub fn check(
        &self,
        positions: &[u32],
        mediators: &[i64],
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self
            .started_at
            .is_some_and(|t| t > now + Duration::minutes(5))
        {
            c.fail(
                "started_at",
                Reason::Other {
                    zh: "开始时间不能晚于现在。".into(),
                    en: "The session cannot have begun in the future.".into(),
                },
            );
        }
        for (i, a) in self.attendance.iter().enumerate() {
            let at = format!("attendance[{i}]");
            if !positions.contains(&a.position) {
                c.fail(format!("{at}.position"), Reason::NoSuchItem);
            }
            if self.attendance[..i]
                .iter()
                .any(|b| b.position == a.position)
            {
                c.fail(format!("{at}.position"), Reason::Duplicate);
            }
            let by = format!("{at}.represented_by");
            if a.attendance == Attendance::Represented {
                c.required_line(&by, &a.represented_by, REPRESENTATIVE_MAX);
            } else {
                c.max_len(&by, &a.represented_by, REPRESENTATIVE_MAX);
            }
        }
        if self.turns.len() > TURNS_MAX {
            c.fail(
                "turns",
                Reason::OutOfRange {
                    min: 0,
                    max: TURNS_MAX as i64,
                },
            );
        }
        for (i, t) in self.turns.iter().enumerate() {
            let at = format!("turns[{i}]");
            match &t.speaker {
                Speaker::Mediator { user_id } if !mediators.contains(user_id) => {
                    c.fail(format!("{at}.speaker"), Reason::NoSuchItem);
                }
                Speaker::Party { position } if !positions.contains(position) => {
                    c.fail(format!("{at}.speaker"), Reason::NoSuchItem);
                }
                Speaker::Other { label } => {
                    c.required_line(&format!("{at}.speaker.label"), label, SPEAKER_MAX);
                }
                _ => {}
            }
            let text = format!("{at}.text");
            c.max_len(&text, &t.text, TURN_MAX);
            if c.is_fine(&text) && has_control_characters(&t.text.replace(['\n', '\t'], " ")) {
                c.fail(text, Reason::ControlCharacters);
            }
        }
        c.finish()
    }

    /// The check-in of the party at `position`.
    pub fn attendance_of(&self, position: u32) -> Attendance {
        self.attendance
            .iter()
            .find(|a| a.position == position)
            .map_or(Attendance::Pending, |a| a.attendance)
    }

    /// How many things differ between this sheet and `other`: each turn added, removed or
    /// changed, each check-in, the consent and the start (the "N unsaved changes" of the
    /// tablet).
    pub fn changes_from(&self, other: &SessionSheet) -> usize {
        let mut n = usize::from(self.started_at != other.started_at)
            + usize::from(self.consent_read != other.consent_read);
        let positions = self
            .attendance
            .iter()
            .chain(&other.attendance)
            .map(|a| a.position);
        let mut seen = Vec::new();
        for p in positions {
            if seen.contains(&p) {
                continue;
            }
            seen.push(p);
            let mine = self.attendance.iter().find(|a| a.position == p);
            let theirs = other.attendance.iter().find(|a| a.position == p);
            if mine != theirs {
                n += 1;
            }
        }
        let longest = self.turns.len().max(other.turns.len());
        n + (0..longest)
            .filter(|&i| self.turns.get(i) != other.turns.get(i))
            .count()
    }
}

/// Saving the sheet (`PUT /api/sessions/{id}/sheet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveSheet {
    /// The version the sheet was based on; an older one is refused with 409.
    pub version: i64,
    pub sheet: SessionSheet,
}

/// The answer to a save: the new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetSaved {
    pub version: i64,
    pub status: SessionStatus,
}

/// An invited party, as the session shows them (masked for readers who may not see parties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionParty {
    pub position: u32,
    pub side: PartySide,
    pub name: String,
    pub masked: bool,
}

/// Ending a session (`POST /api/sessions/{id}/end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndSession {
    pub version: i64,
    pub outcome: Option<SessionOutcome>,
    /// Where the parties were told to go when mediation is terminated (人民调解法 第二十六条:
    /// arbitration, an administrative decision or litigation).
    #[serde(default)]
    pub route: Option<LegalRoute>,
    /// The next session, when the mediation continues later.
    #[serde(default)]
    pub next: Option<NewSession>,
    #[serde(default)]
    pub note: String,
}

/// The routes a terminated mediation can tell the parties (人民调解法 第二十六条).
pub const TERMINATION_ROUTES: [LegalRoute; 3] = [
    LegalRoute::Arbitration,
    LegalRoute::Administrative,
    LegalRoute::Litigation,
];

impl EndSession {
    pub fn check(&self, now: NaiveDateTime, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.max_len("note", &self.note, NOTE_MAX);
        match self.outcome {
            None => c.fail("outcome", Reason::Required),
            Some(SessionOutcome::Terminated) => match self.route {
                None => c.fail("route", Reason::Required),
                Some(r) if !TERMINATION_ROUTES.contains(&r) => c.fail(
                    "route",
                    Reason::UnknownValue {
                        allowed: TERMINATION_ROUTES
                            .iter()
                            .map(|r| r.as_str().to_owned())
                            .collect(),
                    },
                ),
                Some(_) => {}
            },
            Some(SessionOutcome::Continued) => match &self.next {
                None => c.fail("next", Reason::Required),
                Some(next) => check_new_session(&mut c, "next.", next, now),
            },
            Some(SessionOutcome::Agreement) => {}
        }
        if self.outcome != Some(SessionOutcome::Terminated) && self.route.is_some() {
            c.fail("route", Reason::NotAllowedHere);
        }
        if self.outcome != Some(SessionOutcome::Continued) && self.next.is_some() {
            c.fail("next", Reason::NotAllowedHere);
        }
        c.finish()
    }
}

/// What keeps a session from ending: the consent not read, a party not checked in.
pub fn unready_to_end(sheet: &SessionSheet, positions: &[u32], lang: Lang) -> Vec<FieldError> {
    let mut out = Vec::new();
    if !sheet.consent_read || sheet.started_at.is_none() {
        out.push(FieldError::new(
            "consent_read",
            Reason::Other {
                zh: "请先向当事人宣读权利告知并开始调解。".into(),
                en: "Read the parties their rights and begin the session first.".into(),
            },
            lang,
        ));
    }
    for p in positions {
        if sheet.attendance_of(*p) == Attendance::Pending {
            out.push(FieldError::new(
                format!("attendance.{p}"),
                Reason::Other {
                    zh: "还有当事人未签到(到场、缺席或委托代理人)。".into(),
                    en: "Every party must be checked in (present, absent or represented).".into(),
                },
                lang,
            ));
            break;
        }
    }
    out
}

/// The whole session (`GET /api/sessions/{id}`): what the tablet shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionDetail {
    /// As listed: time, room, mediators, status, outcome.
    pub summary: SessionSummary,
    pub case_kind: CaseKind,
    pub stage: Stage,
    /// The case facts at hand (masked for readers who may not see the parties).
    pub case_summary: String,
    pub facts: String,
    pub request: String,
    pub parties: Vec<SessionParty>,
    pub sheet: SessionSheet,
    pub version: i64,
    pub route: Option<LegalRoute>,
    pub note: String,
    /// When the session was ended (the clock stops there).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ended_at: Option<DateTime<Utc>>,
    pub next_session_id: Option<i64>,
    /// Whether the reader may fill in the sheet and end the session (its mediators, the case's
    /// handler, the lead).
    pub may_record: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 10)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_default()
    }

    fn valid() -> NewSession {
        NewSession {
            starts_at: Some(at(9, 30)),
            minutes: 60,
            room_id: Some(1),
            mediators: vec![4],
            parties: vec![0, 1],
            notify_parties: true,
        }
    }

    #[test]
    fn bookings_that_touch_do_not_clash() {
        let a = (at(9, 0), ends_at(at(9, 0), 60));
        assert!(!overlaps(a, (at(10, 0), at(11, 0))));
        assert!(!overlaps((at(8, 0), at(9, 0)), a));
        assert!(overlaps(a, (at(9, 59), at(11, 0))));
        assert!(overlaps(a, (at(9, 15), at(9, 45))));
        assert!(overlaps((at(8, 0), at(12, 0)), a));
    }

    #[test]
    fn a_session_needs_time_length_room_mediator_and_party() {
        let now = at(8, 0);
        assert_eq!(valid().check(now, Lang::En), Ok(()));
        let errs = NewSession::default()
            .check(now, Lang::En)
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["starts_at", "minutes", "room_id", "mediators", "parties"]
        );
        let yesterday = NewSession {
            starts_at: Some(at(9, 0) - Duration::days(1)),
            ..valid()
        };
        let errs = yesterday.check(now, Lang::En).err().unwrap_or_default();
        assert_eq!(errs[0].field, "starts_at");
        assert!(errs[0].message.contains("before today"), "{errs:?}");
        let twice = NewSession {
            mediators: vec![4, 4],
            parties: vec![1, 1],
            minutes: 481,
            ..valid()
        };
        let fields: Vec<String> = twice
            .check(now, Lang::En)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["minutes", "mediators", "parties"]);
    }

    #[test]
    fn ending_needs_the_route_or_the_next_session() {
        let now = at(8, 0);
        let end = |outcome, route, next| EndSession {
            version: 1,
            outcome: Some(outcome),
            route,
            next,
            note: String::new(),
        };
        assert!(
            end(SessionOutcome::Agreement, None, None)
                .check(now, Lang::En)
                .is_ok()
        );
        let errs = end(SessionOutcome::Terminated, None, None)
            .check(now, Lang::En)
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].field, "route");
        let errs = end(SessionOutcome::Terminated, Some(LegalRoute::Petition), None)
            .check(now, Lang::En)
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].field, "route");
        assert!(
            end(
                SessionOutcome::Terminated,
                Some(LegalRoute::Litigation),
                None
            )
            .check(now, Lang::En)
            .is_ok()
        );
        let errs = end(SessionOutcome::Continued, None, None)
            .check(now, Lang::En)
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].field, "next");
        let next = NewSession {
            room_id: None,
            ..valid()
        };
        let errs = end(SessionOutcome::Continued, None, Some(next))
            .check(now, Lang::En)
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].field, "next.room_id");
        let errs = end(
            SessionOutcome::Agreement,
            Some(LegalRoute::Litigation),
            Some(valid()),
        )
        .check(now, Lang::En)
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["route", "next"]);
    }

    fn sheet() -> SessionSheet {
        SessionSheet {
            started_at: None,
            consent_read: false,
            attendance: vec![CheckIn {
                position: 0,
                attendance: Attendance::Present,
                represented_by: String::new(),
            }],
            turns: vec![Turn {
                speaker: Speaker::Mediator { user_id: 4 },
                text: "双方陈述。".into(),
            }],
        }
    }

    #[test]
    fn the_sheet_names_what_it_cannot_take() {
        let now = Utc::now();
        assert_eq!(sheet().check(&[0, 1], &[4], now, Lang::En), Ok(()));
        let mut bad = sheet();
        bad.attendance.push(CheckIn {
            position: 1,
            attendance: Attendance::Represented,
            represented_by: " ".into(),
        });
        bad.attendance.push(CheckIn {
            position: 7,
            attendance: Attendance::Absent,
            represented_by: String::new(),
        });
        bad.turns.push(Turn {
            speaker: Speaker::Party { position: 9 },
            text: "x".repeat(TURN_MAX as usize + 1),
        });
        bad.turns.push(Turn {
            speaker: Speaker::Mediator { user_id: 5 },
            text: "a\u{7}b".into(),
        });
        bad.started_at = Some(now + Duration::hours(1));
        let fields: Vec<String> = bad
            .check(&[0, 1], &[4], now, Lang::En)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "started_at",
                "attendance[1].represented_by",
                "attendance[2].position",
                "turns[1].speaker",
                "turns[1].text",
                "turns[2].speaker",
                "turns[2].text",
            ]
        );
        let mut lines = sheet();
        lines.turns[0].text = "第一行\n第二行\t缩进".into();
        assert!(lines.check(&[0], &[4], now, Lang::En).is_ok());
    }

    #[test]
    fn unsaved_changes_are_counted_one_per_thing() {
        let saved = sheet();
        assert_eq!(saved.changes_from(&saved), 0);
        let mut local = saved.clone();
        local.consent_read = true;
        local.turns[0].text.push('好');
        local.turns.push(Turn {
            speaker: Speaker::Party { position: 0 },
            text: "同意。".into(),
        });
        local.attendance[0].attendance = Attendance::Absent;
        local.attendance.push(CheckIn {
            position: 1,
            attendance: Attendance::Present,
            represented_by: String::new(),
        });
        assert_eq!(local.changes_from(&saved), 5);
        assert_eq!(saved.changes_from(&local), 5);
    }

    #[test]
    fn a_session_ends_once_everyone_is_checked_in_and_told_their_rights() {
        let mut s = sheet();
        let errs = unready_to_end(&s, &[0, 1], Lang::En);
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["consent_read", "attendance.1"]);
        s.consent_read = true;
        s.started_at = Some(Utc::now());
        assert!(unready_to_end(&s, &[0], Lang::En).is_empty());
    }
}
