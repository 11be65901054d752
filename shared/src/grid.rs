//! The grid (网格): who covers which village, area and group (镇领导包村、专职网格员包片、
//! 辅助网格员包组), with the history of who covered it when; the households of each unit; and
//! the grid workers' visits (民情走访), which can become cases in one step — settled on the
//! spot (就地化解: registered and closed at once, channel grid) or reported to the center
//! (registered, on the board).
//!
//! The person met and their phone are personal data: masked for readers who do not see
//! parties, in the findings too.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{
    CaseCard, CaseKind, Category, GridDuty, OrgLevel, Outcome, RiskLevel, Role, VisitOutcome,
    VisitTag,
};
use crate::privacy::{Redactor, mask_name, mask_phone};
use crate::repeats::CaseRef;
use crate::validate::{Checker, NAME_MAX, NOTE_MAX, SUMMARY_MAX, is_valid_phone};
use crate::{FieldError, Lang, Reason};

/// Units not visited in this many days are shown as such, unless the reader asks otherwise.
pub const UNVISITED_DAYS: u32 = 30;
/// The longest "not visited in N days" a roster view takes.
pub const UNVISITED_DAYS_MAX: u32 = 366;
/// How far back a visit may be dated, in days (a week's notebook typed in at once).
pub const VISIT_BACKDATE_DAYS: i64 = 30;
/// Longest household or place.
pub const PLACE_MAX: u32 = 60;
/// Longest findings.
pub const FINDINGS_MAX: u32 = 2000;
/// Largest photo, in bytes, after the browser has made it small.
pub const PHOTO_MAX_BYTES: usize = 150 * 1024;
/// The photo's longest side the browser resizes to, in pixels.
pub const PHOTO_MAX_SIDE: u32 = 1280;
/// Most households a unit records.
pub const HOUSEHOLDS_MAX: u32 = 100_000;

/// The duty of whoever covers a unit of this level, and the role it needs.
pub fn duty_of(level: OrgLevel) -> Option<(GridDuty, Role)> {
    match level {
        OrgLevel::Village => Some((GridDuty::Village, Role::TownLeader)),
        OrgLevel::Area => Some((GridDuty::Area, Role::GridWorker)),
        OrgLevel::Group => Some((GridDuty::Group, Role::GridWorker)),
        OrgLevel::County | OrgLevel::Town => None,
    }
}

/// The person covering a unit now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cover {
    pub user_id: i64,
    pub name: String,
    pub since: NaiveDate,
}

/// Someone who covered a unit before: from `from` to `until` (the last day, included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastCover {
    pub user_id: i64,
    pub name: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// A village, area or group on the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: OrgLevel,
    pub name: String,
    pub duty: GridDuty,
    /// Households, where the center records them.
    pub households: Option<u32>,
    /// Who covers it now; none is a gap.
    pub cover: Option<Cover>,
    /// Who covered it before, latest first.
    pub history: Vec<PastCover>,
    /// The latest visit to it (or to a unit below it).
    pub last_visit: Option<NaiveDate>,
    /// Visits to it (or below it) in the roster's window of days.
    pub visits: u32,
    /// Not visited in the roster's window of days.
    pub unvisited: bool,
    /// Open cases of the unit (and below it).
    pub open_cases: u32,
}

/// A grid worker's or town leader's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerMonth {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// The units they cover now.
    pub units: Vec<String>,
    /// Their visits in the roster's month, and of them settled on the spot and reported.
    pub visits: u32,
    pub resolved: u32,
    pub reported: u32,
}

/// A town's grid roster (`GET /api/roster/grid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridRoster {
    pub today: NaiveDate,
    /// The window "not visited" counts over, in days.
    pub days: u32,
    /// The month the workers' visits count over (`YYYY-MM`).
    pub month: String,
    /// Villages, each followed by its areas, each followed by its groups.
    pub units: Vec<GridUnit>,
    pub workers: Vec<WorkerMonth>,
    /// Units nobody covers.
    pub gaps: u32,
    /// Units not visited in `days`.
    pub unvisited: u32,
    /// Households recorded over the town's groups (or areas and villages without groups).
    pub households: u64,
    /// Whether the reader may change the roster.
    pub may_edit: bool,
    /// The town's active town leaders and grid workers, who can be given a unit.
    pub people: Vec<GridPerson>,
}

/// A town leader or grid worker who can be given a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridPerson {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
}

/// The roster's view: the window of "not visited" days and the workers' month.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RosterQuery {
    /// Units not visited in this many days are shown as such (30 by default, 1–366).
    #[serde(default)]
    pub days: Option<u32>,
    /// The month workers' visits count over, `YYYY-MM` (this month by default).
    #[serde(default)]
    pub month: Option<String>,
}

impl RosterQuery {
    /// The window of days and the month's first day, checked.
    pub fn checked(
        &self,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(u32, NaiveDate), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        let days = self.days.unwrap_or(UNVISITED_DAYS);
        if !(1..=UNVISITED_DAYS_MAX).contains(&days) {
            c.fail(
                "days",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(UNVISITED_DAYS_MAX),
                },
            );
        }
        let month = match self.month.as_deref().map(str::trim) {
            None | Some("") => today.with_day(1),
            Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok(),
        };
        if month.is_none() {
            c.fail(
                "month",
                Reason::Other {
                    zh: "月份应写作 年-月,例如 2026-03。".to_owned(),
                    en: "Write the month as year-month, e.g. 2026-03.".to_owned(),
                },
            );
        }
        c.finish()?;
        Ok((days, month.unwrap_or(today)))
    }
}

/// The first day of the month after the one `first` starts.
pub fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// A change of who covers a unit, from a day on: the one covering it until then stops the day
/// before. Without `user_id` the unit is left uncovered (someone left; a gap until filled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assign {
    pub unit_id: i64,
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The first day the new person covers it (or the unit is uncovered).
    pub from: NaiveDate,
}

impl Assign {
    /// Checks the day: a change is recorded once it happens, so not after today (and, by the
    /// server, not before the current cover began).
    pub fn check(&self, today: NaiveDate, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.from > today {
            c.fail(
                "from",
                Reason::Other {
                    zh: "调整生效日期不能晚于今天:到了那天再登记。".to_owned(),
                    en: "A change cannot be dated after today: record it on the day.".to_owned(),
                },
            );
        }
        c.finish()
    }
}

/// The households a unit records (none: not recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetHouseholds {
    #[serde(default)]
    pub households: Option<u32>,
}

impl SetHouseholds {
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.households.is_some_and(|n| n > HOUSEHOLDS_MAX) {
            c.fail(
                "households",
                Reason::OutOfRange {
                    min: 0,
                    max: i64::from(HOUSEHOLDS_MAX),
                },
            );
        }
        c.finish()
    }
}

/// A household of a unit's list (户), as the center keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdForm {
    /// The head of the household (户主).
    pub head: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// People living in it.
    #[serde(default)]
    pub members: Option<u32>,
    #[serde(default)]
    pub note: String,
}

/// Most people one household records.
pub const MEMBERS_MAX: u32 = 50;

impl HouseholdForm {
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.required_line("head", &self.head, NAME_MAX);
        c.one_line("address", &self.address, crate::validate::ADDRESS_MAX);
        if let Some(phone) = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            && !is_valid_phone(phone)
        {
            c.fail("phone", Reason::InvalidPhone);
        }
        if self
            .members
            .is_some_and(|n| !(1..=MEMBERS_MAX).contains(&n))
        {
            c.fail(
                "members",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(MEMBERS_MAX),
                },
            );
        }
        c.max_len("note", &self.note, NOTE_MAX);
        c.finish()
    }
}

/// A household as the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    pub id: i64,
    pub unit_id: i64,
    pub head: String,
    pub address: String,
    pub phone: Option<String>,
    pub members: Option<u32>,
    pub note: String,
    /// The head, address and phone are masked for this reader.
    pub masked: bool,
}

impl Household {
    /// The household for a reader who may not see personal data.
    pub fn masked(mut self) -> Household {
        self.note = Redactor::for_names([self.head.as_str()]).redact(&self.note);
        self.head = mask_name(&self.head);
        if !self.address.is_empty() {
            self.address = "***".to_owned();
        }
        self.phone = self.phone.as_deref().map(mask_phone);
        self.masked = true;
        self
    }
}

/// A unit's household list (`GET /api/roster/units/{id}/household-list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Households {
    pub unit_id: i64,
    /// The unit's full name.
    pub unit: String,
    /// The households of the unit and of the units below it, by unit and head.
    pub items: Vec<Household>,
    /// Whether the reader may add and change households here.
    pub may_edit: bool,
}

/// A photo taken on a visit, made small in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitPhoto {
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub data: String,
}

/// The matter a visit found, when it becomes a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitMatter {
    pub kind: CaseKind,
    pub category: Category,
    pub risk: RiskLevel,
    /// One line for the board.
    pub summary: String,
    /// What the person asks for.
    #[serde(default)]
    pub request: String,
    /// The other side, if there is one (a neighbour, an employer).
    #[serde(default)]
    pub respondent: String,
    /// Settled on the spot: the result (a resolved one) and what was agreed.
    #[serde(default)]
    pub result: Option<Outcome>,
    #[serde(default)]
    pub result_summary: String,
    /// The earlier case this repeats, as the repeat check offered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_repeat_of: Vec<String>,
}

/// A visit logged by a grid worker (`POST /api/grid/visits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewGridVisit {
    /// Made by the device when the form is opened (8–64 letters, digits or `-`): sending the
    /// same visit again after a lost answer gives back the visit already logged.
    pub client_key: String,
    pub visited_on: NaiveDate,
    /// The village, area or group visited: one the visitor covers (or below it).
    pub unit_id: i64,
    /// The household or place (王家庄 3 号, 村委会门口).
    pub place: String,
    /// Who was met.
    #[serde(default)]
    pub met: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub findings: String,
    pub tags: Vec<VisitTag>,
    pub outcome: VisitOutcome,
    /// Needed when the outcome is resolved or reported.
    #[serde(default)]
    pub matter: Option<VisitMatter>,
    #[serde(default)]
    pub photo: Option<VisitPhoto>,
}

fn check_client_key(c: &mut Checker, key: &str) {
    let fine = (8..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !fine {
        c.fail(
            "client_key",
            Reason::Other {
                zh: "应为 8 至 64 位字母、数字或连字符。".to_owned(),
                en: "8 to 64 letters, digits or hyphens.".to_owned(),
            },
        );
    }
}

/// The photo's bytes, checked: a JPEG or PNG of at most `PHOTO_MAX_BYTES`, whose bytes are
/// what the type says. `Err` names the field `photo`.
pub fn decode_photo(photo: &VisitPhoto, lang: Lang) -> Result<Vec<u8>, Vec<FieldError>> {
    use base64::Engine as _;
    let refuse =
        |zh: String, en: String| vec![FieldError::new("photo", Reason::Other { zh, en }, lang)];
    let kb = PHOTO_MAX_BYTES / 1024;
    // Checked before decoding: base64 is four characters for three bytes.
    if photo.data.len() / 4 * 3 > PHOTO_MAX_BYTES + 3 {
        return Err(refuse(
            format!("照片太大:最多 {kb} KB。"),
            format!("The photo is too large: at most {kb} KB."),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(photo.data.trim())
        .map_err(|_| {
            refuse(
                "照片数据无法读取。".to_owned(),
                "The photo's data cannot be read.".to_owned(),
            )
        })?;
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(refuse(
            format!("照片太大:最多 {kb} KB。"),
            format!("The photo is too large: at most {kb} KB."),
        ));
    }
    let fits = match photo.content_type.as_str() {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        _ => false,
    };
    if !fits {
        return Err(refuse(
            "只能上传 JPEG 或 PNG 照片。".to_owned(),
            "Only a JPEG or PNG photo can be attached.".to_owned(),
        ));
    }
    Ok(bytes)
}

impl NewGridVisit {
    /// Checks every field but the unit (which needs the roster) and the photo's bytes
    /// (`decode_photo`).
    pub fn check(&self, today: NaiveDate, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        check_client_key(&mut c, &self.client_key);
        let back = (today - self.visited_on).num_days();
        if !(0..=VISIT_BACKDATE_DAYS).contains(&back) {
            c.fail(
                "visited_on",
                Reason::Other {
                    zh: format!("走访日期不能晚于今天,也不能早于 {VISIT_BACKDATE_DAYS} 天前。"),
                    en: format!(
                        "The visit's date cannot be after today, nor more than {VISIT_BACKDATE_DAYS} days ago."
                    ),
                },
            );
        }
        c.required_line("place", &self.place, PLACE_MAX);
        c.one_line("met", &self.met, NAME_MAX);
        if let Some(phone) = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            && !is_valid_phone(phone)
        {
            c.fail("phone", Reason::InvalidPhone);
        }
        c.max_len("findings", &self.findings, FINDINGS_MAX);
        if self.tags.is_empty() {
            c.fail("tags", Reason::Required);
        } else if self.tags.contains(&VisitTag::Nothing) && self.tags.len() > 1 {
            c.fail(
                "tags",
                Reason::Other {
                    zh: "“无异常”不能与其他情况同时选择。".to_owned(),
                    en: "“Nothing to report” cannot go with another finding.".to_owned(),
                },
            );
        } else if self
            .tags
            .iter()
            .enumerate()
            .any(|(i, t)| self.tags[..i].contains(t))
        {
            c.fail("tags", Reason::Duplicate);
        }
        let found = !self.tags.contains(&VisitTag::Nothing) && !self.tags.is_empty();
        if found && self.findings.trim().is_empty() {
            c.fail("findings", Reason::Required);
        }
        match (self.outcome, &self.matter) {
            (VisitOutcome::Noted, Some(_)) => c.fail("matter", Reason::NotAllowedHere),
            (VisitOutcome::Noted, None) => {}
            (_, None) => c.fail("matter", Reason::Required),
            (outcome, Some(m)) => {
                if !found {
                    c.fail(
                        "outcome",
                        Reason::Other {
                            zh: "“无异常”的走访不能登记为案件。".to_owned(),
                            en: "A visit with nothing to report cannot become a case.".to_owned(),
                        },
                    );
                }
                if self.met.trim().is_empty() {
                    // The person met is the case's applicant.
                    c.fail("met", Reason::Required);
                }
                c.required_line("matter.summary", &m.summary, SUMMARY_MAX);
                c.max_len("matter.request", &m.request, crate::validate::REQUEST_MAX);
                c.one_line("matter.respondent", &m.respondent, NAME_MAX);
                if outcome == VisitOutcome::Resolved {
                    match m.result {
                        None => c.fail("matter.result", Reason::Required),
                        Some(r) if !r.is_resolved() => {
                            c.fail("matter.result", Reason::NotAllowedHere);
                        }
                        Some(_) => {}
                    }
                    c.required("matter.result_summary", &m.result_summary, NOTE_MAX);
                } else if m.result.is_some() {
                    c.fail("matter.result", Reason::NotAllowedHere);
                }
            }
        }
        if let Some(photo) = &self.photo
            && let Err(errors) = decode_photo(photo, lang)
        {
            for e in errors {
                c.fail(e.field, e.reason);
            }
        }
        c.finish()
    }
}

/// A visit as the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridVisit {
    pub id: i64,
    pub visited_on: NaiveDate,
    pub unit_id: i64,
    /// The unit's full name (渠口村一片一组).
    pub unit: String,
    pub worker: String,
    pub place: String,
    pub met: String,
    pub phone: Option<String>,
    pub findings: String,
    pub tags: Vec<VisitTag>,
    pub outcome: VisitOutcome,
    pub case: Option<CaseRef>,
    /// The photo is at `GET /api/grid/visits/{id}/photo`.
    pub has_photo: bool,
    /// The person met and their phone are masked for this reader.
    pub masked: bool,
}

impl GridVisit {
    /// The visit for a reader who may not see personal data: the person met and the phone
    /// masked, and in the findings their name, `others` (the case's parties) and anything
    /// shaped like a phone or ID number.
    pub fn masked(mut self, others: &[String]) -> GridVisit {
        let names = std::iter::once(self.met.as_str()).chain(others.iter().map(String::as_str));
        self.findings = Redactor::for_names(names).redact(&self.findings);
        self.met = mask_name(&self.met);
        self.phone = self.phone.as_deref().map(mask_phone);
        // The household or place is an address (or a head's name): masked as a party's
        // address is; the unit says where. The photo is for those who read visits unmasked.
        if !self.place.is_empty() {
            self.place = "***".to_owned();
        }
        self.has_photo = false;
        self.masked = true;
        self
    }
}

/// Visits over a period (`GET /api/grid/visits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridVisits {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<GridVisit>,
    pub resolved: u32,
    pub reported: u32,
}

impl GridVisits {
    pub fn of(from: NaiveDate, to: NaiveDate, items: Vec<GridVisit>) -> GridVisits {
        let count =
            |o| u32::try_from(items.iter().filter(|v| v.outcome == o).count()).unwrap_or(u32::MAX);
        GridVisits {
            from,
            to,
            resolved: count(VisitOutcome::Resolved),
            reported: count(VisitOutcome::Reported),
            items,
        }
    }
}

/// Which visits a list holds: a period (today by default; at most 366 days), and optionally
/// one worker's or one unit's (with what is below it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct VisitFilter {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub worker: Option<i64>,
    #[serde(default)]
    pub unit: Option<i64>,
}

/// A unit a grid worker covers, for their phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyUnit {
    pub id: i64,
    pub level: OrgLevel,
    /// The full name (渠口村一片).
    pub name: String,
    /// The unit and the units below it, with their full names: where a visit can be logged.
    pub within: Vec<(i64, String)>,
    pub last_visit: Option<NaiveDate>,
}

/// A grid worker's own grid (`GET /api/grid/mine`): the units they cover, the open cases of
/// those units (and only those), and their visits this month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyGrid {
    pub units: Vec<MyUnit>,
    pub cases: Vec<CaseCard>,
    pub visits_this_month: u32,
    /// Their latest visits (up to 20).
    pub recent: Vec<GridVisit>,
}

/// Tags as stored: a comma list.
pub fn tags_to_text(tags: &[VisitTag]) -> String {
    tags.iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Tags from their stored comma list (unknown ones skipped).
pub fn tags_from_text(text: &str) -> Vec<VisitTag> {
    text.split(',').filter_map(VisitTag::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn visit() -> NewGridVisit {
        NewGridVisit {
            client_key: "abcd-1234".to_owned(),
            visited_on: day("2026-03-10"),
            unit_id: 1,
            place: "王家庄 3 号".to_owned(),
            met: "王大山".to_owned(),
            phone: Some("13800001111".to_owned()),
            findings: "与邻居因排水沟争执。".to_owned(),
            tags: vec![VisitTag::Dispute],
            outcome: VisitOutcome::Noted,
            matter: None,
            photo: None,
        }
    }

    fn matter() -> VisitMatter {
        VisitMatter {
            kind: CaseKind::Dispute,
            category: Category::Neighbour,
            risk: RiskLevel::Low,
            summary: "排水沟纠纷".to_owned(),
            request: String::new(),
            respondent: "李四".to_owned(),
            result: None,
            result_summary: String::new(),
            repeat_of: None,
            not_repeat_of: vec![],
        }
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_plain_visit_passes_and_its_date_is_bounded() {
        let today = day("2026-03-10");
        assert!(visit().check(today, Lang::Zh).is_ok());
        let mut v = visit();
        v.visited_on = day("2026-03-11");
        assert_eq!(fields(v.check(today, Lang::Zh)), ["visited_on"]);
        v.visited_on = day("2026-02-07");
        assert_eq!(fields(v.check(today, Lang::Zh)), ["visited_on"]);
        v.visited_on = day("2026-02-08");
        assert!(v.check(today, Lang::Zh).is_ok());
    }

    #[test]
    fn tags_are_needed_and_nothing_to_report_stands_alone() {
        let today = day("2026-03-10");
        let mut v = visit();
        v.tags = vec![];
        assert_eq!(fields(v.check(today, Lang::En)), ["tags"]);
        v.tags = vec![VisitTag::Nothing, VisitTag::Risk];
        assert_eq!(fields(v.check(today, Lang::En)), ["tags"]);
        v.tags = vec![VisitTag::Risk, VisitTag::Risk];
        assert_eq!(fields(v.check(today, Lang::En)), ["tags"]);
        // Something found needs findings; nothing found does not.
        v.tags = vec![VisitTag::Risk];
        v.findings = " ".to_owned();
        assert_eq!(fields(v.check(today, Lang::En)), ["findings"]);
        v.tags = vec![VisitTag::Nothing];
        assert!(v.check(today, Lang::En).is_ok());
    }

    #[test]
    fn an_outcome_needs_its_matter_and_a_settled_one_its_result() {
        let today = day("2026-03-10");
        let mut v = visit();
        v.outcome = VisitOutcome::Reported;
        assert_eq!(fields(v.check(today, Lang::Zh)), ["matter"]);
        v.matter = Some(matter());
        assert!(v.check(today, Lang::Zh).is_ok());
        v.outcome = VisitOutcome::Resolved;
        assert_eq!(
            fields(v.check(today, Lang::Zh)),
            ["matter.result", "matter.result_summary"]
        );
        let mut m = matter();
        m.result = Some(Outcome::Terminated);
        m.result_summary = "双方同意疏通水沟。".to_owned();
        v.matter = Some(m.clone());
        assert_eq!(fields(v.check(today, Lang::Zh)), ["matter.result"]);
        m.result = Some(Outcome::AgreementOral);
        v.matter = Some(m);
        assert!(v.check(today, Lang::Zh).is_ok());
        // A noted visit carries no matter; one with nothing found becomes no case.
        v.outcome = VisitOutcome::Noted;
        assert_eq!(fields(v.check(today, Lang::Zh)), ["matter"]);
        v.outcome = VisitOutcome::Reported;
        v.matter = Some(matter());
        v.tags = vec![VisitTag::Nothing];
        assert_eq!(fields(v.check(today, Lang::Zh)), ["outcome"]);
        // The person met becomes the applicant: needed.
        v.tags = vec![VisitTag::Demand];
        v.met = String::new();
        assert_eq!(fields(v.check(today, Lang::Zh)), ["met"]);
    }

    #[test]
    fn a_photo_must_be_a_small_jpeg_or_png_that_is_what_it_says() {
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        let ok = VisitPhoto {
            content_type: "image/jpeg".to_owned(),
            data: b64(&jpeg),
        };
        assert_eq!(decode_photo(&ok, Lang::Zh).ok(), Some(jpeg.to_vec()));
        let png_named_jpeg = VisitPhoto {
            content_type: "image/jpeg".to_owned(),
            data: b64(b"\x89PNG\r\n\x1a\n...."),
        };
        assert!(decode_photo(&png_named_jpeg, Lang::Zh).is_err());
        let gif = VisitPhoto {
            content_type: "image/gif".to_owned(),
            data: b64(b"GIF89a"),
        };
        assert!(decode_photo(&gif, Lang::Zh).is_err());
        let garbage = VisitPhoto {
            content_type: "image/jpeg".to_owned(),
            data: "not base64!".to_owned(),
        };
        assert!(decode_photo(&garbage, Lang::Zh).is_err());
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(PHOTO_MAX_BYTES + 1, 0);
        let big = VisitPhoto {
            content_type: "image/jpeg".to_owned(),
            data: b64(&big),
        };
        let errors = decode_photo(&big, Lang::En).err().unwrap_or_default();
        assert!(errors[0].message.contains("150 KB"), "{errors:?}");
        let mut v = visit();
        v.photo = Some(big);
        assert_eq!(fields(v.check(day("2026-03-10"), Lang::En)), ["photo"]);
    }

    #[test]
    fn the_roster_query_checks_its_days_and_month() {
        let today = day("2026-12-05");
        let q = RosterQuery::default();
        assert_eq!(
            q.checked(today, Lang::Zh).ok(),
            Some((30, day("2026-12-01")))
        );
        let q = RosterQuery {
            days: Some(0),
            month: Some("2026-13".to_owned()),
        };
        assert_eq!(
            fields(q.checked(today, Lang::Zh).map(drop)),
            ["days", "month"]
        );
        assert_eq!(next_month(day("2026-12-01")), day("2027-01-01"));
        assert_eq!(next_month(day("2026-02-01")), day("2026-03-01"));
    }

    #[test]
    fn masking_hides_the_person_met_in_the_findings_too() {
        let v = GridVisit {
            id: 1,
            visited_on: day("2026-03-10"),
            unit_id: 1,
            unit: "渠口村一片".to_owned(),
            worker: "张网格".to_owned(),
            place: "王家庄".to_owned(),
            met: "王大山".to_owned(),
            phone: Some("13800001111".to_owned()),
            findings: "王大山说李四堵了水沟,电话 13900002222。".to_owned(),
            tags: vec![VisitTag::Dispute],
            outcome: VisitOutcome::Noted,
            case: None,
            has_photo: true,
            masked: false,
        }
        .masked(&["李四".to_owned()]);
        assert_eq!(v.met, "王某");
        assert!(!v.findings.contains("王大山") && !v.findings.contains("李四"));
        assert!(!v.findings.contains("13900002222"));
        assert_eq!(v.phone.as_deref(), Some("138****1111"));
        assert_eq!(v.place, "***");
        assert!(v.masked && !v.has_photo);
    }

    #[test]
    fn a_household_is_checked_and_masked() {
        let mut h = HouseholdForm {
            head: "王大山".to_owned(),
            address: "渠口村一组 5 号".to_owned(),
            phone: Some("13600002222".to_owned()),
            members: Some(4),
            note: "王大山之母独居。".to_owned(),
        };
        assert!(h.check(Lang::Zh).is_ok());
        h.head = String::new();
        h.members = Some(0);
        h.phone = Some("1".to_owned());
        assert_eq!(fields(h.check(Lang::Zh)), ["head", "phone", "members"]);
        let shown = Household {
            id: 1,
            unit_id: 2,
            head: "王大山".to_owned(),
            address: "渠口村一组 5 号".to_owned(),
            phone: Some("13600002222".to_owned()),
            members: Some(4),
            note: "王大山之母独居。".to_owned(),
            masked: false,
        }
        .masked();
        assert_eq!(
            (shown.head.as_str(), shown.address.as_str()),
            ("王某", "***")
        );
        assert!(!shown.note.contains("王大山"));
        assert_eq!(shown.phone.as_deref(), Some("136****2222"));
    }

    #[test]
    fn tags_round_trip_through_text() {
        let tags = vec![VisitTag::Dispute, VisitTag::Risk];
        assert_eq!(tags_from_text(&tags_to_text(&tags)), tags);
        assert!(tags_from_text("").is_empty());
    }

    #[test]
    fn each_level_has_its_duty() {
        assert_eq!(
            duty_of(OrgLevel::Village),
            Some((GridDuty::Village, Role::TownLeader))
        );
        assert_eq!(
            duty_of(OrgLevel::Group),
            Some((GridDuty::Group, Role::GridWorker))
        );
        assert_eq!(duty_of(OrgLevel::Town), None);
    }
}
