//! The center's logs beside its cases: the reception log (来访接待: every visitor to the hall
//! or a window, logged in seconds) and the service log (legal and psychological services
//! given). An entry may name the case it concerns; a visit may become a case.
//!
//! A group visit — five people or more — is flagged: 信访工作条例 Art. 20 asks a group to send
//! at most five representatives. The visitor's name and phone, and the person served, are
//! personal data: masked for readers who do not see parties.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{ServiceKind, VisitPurpose};
use crate::privacy::{mask_name, mask_phone};
use crate::repeats::CaseRef;
use crate::validate::{Checker, NAME_MAX, NOTE_MAX, is_valid_phone};
use crate::{FieldError, Lang, Reason};

/// From this many people a visit is a group visit (集体访).
pub const GROUP_VISIT: u32 = 5;
/// Most people one entry records.
pub const VISITORS_MAX: u32 = 500;
/// Longest window or room name.
pub const PLACE_MAX: u32 = 30;
/// Longest service, in minutes.
pub const SERVICE_MINUTES_MAX: u32 = 600;
/// How far back an entry may be dated (a visit logged after the rush), in days.
pub const BACKDATE_DAYS: i64 = 7;
/// The longest period one list covers, in days.
pub const LIST_DAYS_MAX: i64 = 366;

/// Checks an entry's time: not in the future (a minute's grace for clocks), not more than
/// `BACKDATE_DAYS` back.
fn check_at(c: &mut Checker, at: Option<DateTime<Utc>>, now: DateTime<Utc>) {
    if let Some(at) = at
        && (at > now + Duration::minutes(1) || at < now - Duration::days(BACKDATE_DAYS))
    {
        c.fail(
            "at",
            Reason::Other {
                zh: format!("时间不能晚于现在,也不能早于 {BACKDATE_DAYS} 天前。"),
                en: format!(
                    "The time cannot be later than now, nor more than {BACKDATE_DAYS} days ago."
                ),
            },
        );
    }
}

/// At most `max` characters, none of them control characters (`Checker::max_len`).
fn check_text(c: &mut Checker, field: &str, value: &str, max: u32) {
    c.max_len(field, value, max);
}

/// A visitor logged at the hall or a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewVisit {
    /// When they came; now if not given.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// The window or room (一号窗口, 来访大厅).
    pub place: String,
    pub purpose: VisitPurpose,
    /// How many came (1 if not given).
    #[serde(default)]
    pub visitors: Option<u32>,
    /// The visitor's (or the group's representative's) name.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub note: String,
    /// Who received them: a person of the center; the one logging if not given.
    #[serde(default)]
    pub received_by: Option<i64>,
    /// The case the visit concerns, by its code.
    #[serde(default)]
    pub case_code: Option<String>,
}

impl NewVisit {
    pub fn check(&self, lang: Lang, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        check_at(&mut c, self.at, now);
        c.required_line("place", &self.place, PLACE_MAX);
        if let Some(n) = self.visitors
            && !(1..=VISITORS_MAX).contains(&n)
        {
            c.fail(
                "visitors",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(VISITORS_MAX),
                },
            );
        }
        check_text(&mut c, "name", &self.name, NAME_MAX);
        if let Some(phone) = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            && !is_valid_phone(phone)
        {
            c.fail("phone", Reason::InvalidPhone);
        }
        check_text(&mut c, "note", &self.note, NOTE_MAX);
        c.finish()
    }
}

/// A logged visit, as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub place: String,
    pub purpose: VisitPurpose,
    pub visitors: u32,
    /// Five or more: a group visit (集体访).
    pub group: bool,
    pub name: String,
    pub phone: Option<String>,
    pub note: String,
    pub received_by: String,
    pub case: Option<CaseRef>,
    pub recorded_by: String,
    /// The name and phone are masked for this reader.
    pub masked: bool,
}

impl Visit {
    /// The visit as a reader who may not see personal data gets it: the name and phone
    /// masked, and in the note the visitor's name, `others` (the linked case's parties) and
    /// anything shaped like a phone or ID number.
    pub fn masked(mut self, others: &[String]) -> Visit {
        let names = std::iter::once(self.name.as_str()).chain(others.iter().map(String::as_str));
        self.note = crate::privacy::Redactor::for_names(names).redact(&self.note);
        self.name = mask_name(&self.name);
        self.phone = self.phone.as_deref().map(mask_phone);
        self.masked = true;
        self
    }
}

/// A legal or psychological service given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewService {
    /// When it was given; now if not given.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    pub kind: ServiceKind,
    /// The person served.
    #[serde(default)]
    pub person: String,
    /// Who gave it: a person of the center; the one logging if not given.
    #[serde(default)]
    pub given_by: Option<i64>,
    pub minutes: u32,
    #[serde(default)]
    pub note: String,
    /// The case it concerns, by its code.
    #[serde(default)]
    pub case_code: Option<String>,
}

impl NewService {
    pub fn check(&self, lang: Lang, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        check_at(&mut c, self.at, now);
        check_text(&mut c, "person", &self.person, NAME_MAX);
        if !(1..=SERVICE_MINUTES_MAX).contains(&self.minutes) {
            c.fail(
                "minutes",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(SERVICE_MINUTES_MAX),
                },
            );
        }
        check_text(&mut c, "note", &self.note, NOTE_MAX);
        c.finish()
    }
}

/// A service given, as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: ServiceKind,
    pub person: String,
    pub given_by: String,
    pub minutes: u32,
    pub note: String,
    pub case: Option<CaseRef>,
    pub recorded_by: String,
    pub masked: bool,
}

impl ServiceRecord {
    /// The service as a reader who may not see personal data gets it: the person masked, and
    /// in the note their name, `others` (the linked case's parties) and numbers.
    pub fn masked(mut self, others: &[String]) -> ServiceRecord {
        let names = std::iter::once(self.person.as_str()).chain(others.iter().map(String::as_str));
        self.note = crate::privacy::Redactor::for_names(names).redact(&self.note);
        self.person = mask_name(&self.person);
        self.masked = true;
        self
    }
}

/// The period a log lists: both days included; today when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct LogPeriod {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl LogPeriod {
    /// The days, checked: `to` not before `from`, at most `LIST_DAYS_MAX` days.
    pub fn days(
        &self,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(NaiveDate, NaiveDate), Vec<FieldError>> {
        self.days_within(today, LIST_DAYS_MAX, lang)
    }

    /// The days, checked: `to` not before `from`, at most `max_days` days.
    pub fn days_within(
        &self,
        today: NaiveDate,
        max_days: i64,
        lang: Lang,
    ) -> Result<(NaiveDate, NaiveDate), Vec<FieldError>> {
        let from = self.from.unwrap_or(self.to.unwrap_or(today));
        let to = self.to.unwrap_or(self.from.unwrap_or(today));
        let mut c = Checker::new(lang);
        if to < from {
            c.fail("to", crate::api::period_reversed());
        } else if (to - from).num_days() >= max_days {
            c.fail(
                "from",
                Reason::OutOfRange {
                    min: 1,
                    max: max_days,
                },
            );
        }
        c.finish().map(|()| (from, to))
    }
}

/// The reception log of a period, newest first, with its totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visits {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub items: Vec<Visit>,
    /// Entries, people, and group visits (five or more).
    pub entries: u32,
    pub people: u32,
    pub groups: u32,
}

impl Visits {
    /// The log with its totals.
    pub fn of(from: NaiveDate, to: NaiveDate, items: Vec<Visit>) -> Visits {
        Visits {
            from: Some(from),
            to: Some(to),
            entries: u32::try_from(items.len()).unwrap_or(u32::MAX),
            people: items.iter().map(|v| v.visitors).sum(),
            groups: u32::try_from(items.iter().filter(|v| v.group).count()).unwrap_or(u32::MAX),
            items,
        }
    }
}

/// The service log of a period, newest first, with its totals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Services {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub items: Vec<ServiceRecord>,
    /// Legal and psychological services, and their minutes.
    pub legal: u32,
    pub psychological: u32,
    pub minutes: u32,
}

impl Services {
    /// The log with its totals.
    pub fn of(from: NaiveDate, to: NaiveDate, items: Vec<ServiceRecord>) -> Services {
        let psychological = items.iter().filter(|s| s.kind.is_psychological()).count();
        Services {
            from: Some(from),
            to: Some(to),
            legal: u32::try_from(items.len() - psychological).unwrap_or(u32::MAX),
            psychological: u32::try_from(psychological).unwrap_or(u32::MAX),
            minutes: items.iter().map(|s| s.minutes).sum(),
            items,
        }
    }
}

/// What the logs add up to over a period (the dashboard shows it beside the case figures:
/// the seed's "300 余人次来访" and "230 余次法律和心理服务" are counted here as well).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogSummary {
    pub visits: u64,
    pub visitors: u64,
    pub group_visits: u64,
    pub legal_services: u64,
    pub psychological_services: u64,
}

impl LogSummary {
    /// Services of both sorts.
    pub fn services(&self) -> u64 {
        self.legal_services + self.psychological_services
    }
}

/// Whether a visit of `n` people is a group visit.
pub fn is_group(n: u32) -> bool {
    n >= GROUP_VISIT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_visit_names_each_bad_field() {
        let visit = NewVisit {
            at: Some(now() + Duration::hours(1)),
            place: " ".into(),
            purpose: VisitPurpose::Dispute,
            visitors: Some(0),
            name: "x".repeat(51),
            phone: Some("12345".into()),
            note: "\u{1b}".into(),
            received_by: None,
            case_code: None,
        };
        assert_eq!(
            fields(visit.check(Lang::Zh, now())),
            ["at", "place", "visitors", "name", "phone", "note"]
        );
        let ok = NewVisit {
            at: Some(now() - Duration::days(6)),
            place: "一号窗口".into(),
            purpose: VisitPurpose::Petition,
            visitors: Some(12),
            name: String::new(),
            phone: Some("13812345678".into()),
            note: String::new(),
            received_by: None,
            case_code: None,
        };
        assert_eq!(ok.check(Lang::En, now()), Ok(()));
        let old = NewVisit {
            at: Some(now() - Duration::days(8)),
            ..ok
        };
        assert_eq!(fields(old.check(Lang::En, now())), ["at"]);
    }

    #[test]
    fn five_people_make_a_group_visit() {
        assert!(!is_group(4));
        assert!(is_group(5));
    }

    #[test]
    fn a_service_needs_its_minutes() {
        let service = NewService {
            at: None,
            kind: ServiceKind::Counselling,
            person: String::new(),
            given_by: None,
            minutes: 0,
            note: String::new(),
            case_code: None,
        };
        assert_eq!(fields(service.check(Lang::Zh, now())), ["minutes"]);
        let long = NewService {
            minutes: 601,
            ..service.clone()
        };
        assert_eq!(fields(long.check(Lang::Zh, now())), ["minutes"]);
        let fine = NewService {
            minutes: 45,
            ..service
        };
        assert_eq!(fine.check(Lang::Zh, now()), Ok(()));
    }

    #[test]
    fn a_period_is_checked() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default();
        let today = day(5);
        assert_eq!(
            LogPeriod::default().days(today, Lang::Zh),
            Ok((today, today))
        );
        let one = LogPeriod {
            from: Some(day(1)),
            to: None,
        };
        assert_eq!(one.days(today, Lang::Zh), Ok((day(1), day(1))));
        let backwards = LogPeriod {
            from: Some(day(5)),
            to: Some(day(1)),
        };
        assert!(backwards.days(today, Lang::Zh).is_err());
    }
}
