//! Request and response bodies of the HTTP API under `/api`. Both sides (de)serialise these
//! same types, so the contract is checked by the compiler.
//!
//! | method & path                          | body → answer                                  | who            |
//! |----------------------------------------|------------------------------------------------|----------------|
//! | `POST /api/auth/login`                 | `LoginRequest` → `UserInfo` + session cookie   | anyone         |
//! | `POST /api/auth/logout`                | → 204                                          | signed in      |
//! | `GET  /api/me`                         | → `UserInfo`                                   | signed in      |
//! | `GET  /api/org`                        | → `Vec<OrgUnit>` (the user's town's subtree)   | signed in      |
//! | `GET  /api/departments`                | → `Vec<Department>`                            | signed in      |
//! | `GET  /api/handlers`                   | → `Vec<Handler>` (mediators and departments)   | signed in      |
//! | `GET  /api/board?CaseFilter`           | → `Board` (every open card)                    | signed in      |
//! | `GET  /api/cases?CaseFilter`           | → `Page<CaseListItem>` (archived included)     | signed in      |
//! | `POST /api/cases`                      | `RegisterCase` → `CaseDetail` (201)            | lead, clerk, grid worker |
//! | `GET  /api/cases/{id}`                 | → `CaseDetail`                                 | signed in, same town |
//! | `POST /api/cases/{id}/transitions`     | `TransitionRequest` → `CaseDetail`; 409 + current case if stale | see `workflow` |
//! | `POST /api/cases/{id}/notes`           | `NoteRequest` → `CaseEvent` (201)              | lead, handler  |
//! | `GET  /api/cases/{id}/timeline`        | → `Vec<CaseEvent>`                             | signed in, same town |
//! | `GET  /api/dashboard?DashboardQuery`   | → `figures::Dashboard`                         | lead, town leader, admin |
//! | `GET  /api/meetings`                   | → `Vec<meetings::MeetingSummary>`              | center, town leader, invited |
//! | `POST /api/meetings`                   | `NewMeeting` → `MeetingDetail` (201)           | lead           |
//! | `GET  /api/meetings/{id}`              | → `MeetingDetail` (an invitee: their cases)    | center, town leader, invited |
//! | `POST /api/meetings/{id}/items`        | `AddItem` → `MeetingDetail` (201)              | lead           |
//! | `DELETE /api/meetings/{id}/items/{item}` | → `MeetingDetail`                            | lead           |
//! | `POST /api/meetings/{id}/decisions`    | `NewDecision` → `MeetingDetail` (201)          | lead           |
//! | `POST /api/meetings/{id}/held`         | `HoldMeeting` → `MeetingDetail`                | lead           |
//! | `GET  /api/rooms`                      | → `Vec<mediation::Room>`                       | staff (admin: every town) |
//! | `POST /api/rooms`                      | `RoomChange` → `Room` (201)                    | admin          |
//! | `PUT  /api/rooms/{id}`                 | `RoomChange` → `Room`                          | admin          |
//! | `GET  /api/cases/{id}/sessions`        | → `CaseSessions`                               | who reads the case |
//! | `POST /api/cases/{id}/sessions`        | `NewSession` → `SessionDetail` (201)           | handler, lead  |
//! | `POST /api/cases/{id}/exclusions`      | `NewExclusion` → `CaseSessions` (201)          | handler, lead  |
//! | `DELETE /api/cases/{id}/exclusions/{user}` | → `CaseSessions`                           | handler, lead  |
//! | `GET  /api/sessions?day=`              | → `DaySessions`                                | town staff     |
//! | `GET  /api/sessions/{id}`              | → `SessionDetail`                              | who reads the case, its mediators |
//! | `PUT  /api/sessions/{id}/sheet`        | `SaveSheet` → `SheetSaved` (409: changed elsewhere) | its mediators, handler, lead |
//! | `POST /api/sessions/{id}/end`          | `EndSession` → `SessionDetail`                 | its mediators, handler, lead |
//! | `POST /api/sessions/{id}/cancel`       | → `SessionDetail`                              | handler, lead  |
//! | `POST /api/public/status`              | `StatusLookup` → `PublicStatus`                | anyone, rate-limited |
//!
//! Every failure answers with `ApiError`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    CaseCard, CaseKind, CaseSort, Category, Channel, Gender, HandlerRef, Outcome, PartyKind,
    PartySide, Resolution, RiskFlag, RiskLevel, Satisfaction, Stage, Timeliness,
};
use crate::workflow::Command;

/// Sign-in form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A party as entered on the intake form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewParty {
    pub side: PartySide,
    #[serde(default)]
    pub kind: PartyKind,
    pub name: String,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub age: Option<u8>,
    #[serde(default)]
    pub occupation: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// A matter resolved on the spot: registered and closed in one step (就地化解).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosedOnTheSpot {
    pub outcome: Outcome,
    pub summary: String,
}

/// The intake form: registers a new case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterCase {
    pub kind: CaseKind,
    pub category: Category,
    pub channel: Channel,
    pub risk: RiskLevel,
    #[serde(default)]
    pub risk_flags: Vec<RiskFlag>,
    pub summary: String,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub request: String,
    pub village_id: i64,
    #[serde(default)]
    pub area_id: Option<i64>,
    #[serde(default)]
    pub group_id: Option<i64>,
    pub parties: Vec<NewParty>,
    #[serde(default)]
    pub closed_on_the_spot: Option<ClosedOnTheSpot>,
    /// The code of an earlier case this matter repeats (重复信访), as the clerk linked it
    /// from the matches shown at intake (`POST /api/repeats/search`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<String>,
    /// Codes of matches the clerk looked at and judged a different matter (kept on the
    /// timeline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_repeat_of: Vec<String>,
    /// The reception log's visit this matter was brought in (`GET /api/visits/{id}`): linked
    /// to the new case in the same step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_visit: Option<i64>,
}

/// Longest free-text query (`CaseFilter::q`), in characters.
pub const Q_MAX: u32 = 100;

/// Filters of the board and the case list; every field is optional and travels in the query
/// string (and in the browser's URL).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CaseFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CaseKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<HandlerRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Only cases past their due date.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    /// Only cases the current user handles.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    /// Only cases routed and waiting for their handler to accept (待接收).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting: bool,
    /// Only open cases escalated past their handler (to the center or the town leader).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub escalated: bool,
    /// Only cases with an urging (督办) not yet acknowledged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urged: bool,
    /// Only cases of this town (the county board; a town's own readers see their town only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<i64>,
    /// Only cases escalated to the county and waiting for its instruction (上报县级).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub county: bool,
    /// Free text: matches the code, archive number, summary, facts, place and parties' names
    /// (names and text only where the reader may see the parties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Registered on or after this day (`YYYY-MM-DD`, the center's time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Registered on or before this day (included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Closed with this result (the case list and the ledger only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Rated so by the resident (the case list and the ledger only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Satisfaction>,
    /// Closed on or after this day (the case list and the ledger only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_from: Option<NaiveDate>,
    /// Closed on or before this day (included; the case list and the ledger only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_to: Option<NaiveDate>,
    /// Closed with a result of this class: resolved, not resolved, not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// Closed by the due date, or after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<Timeliness>,
    /// Only cases registered and closed on the spot (就地化解).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spot: bool,
    /// Only cases marked with this particular risk (e.g. a repeat petition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<RiskFlag>,
    /// Only cases whose criminal risk was reported to the police station (防止民转刑).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub police: bool,
    /// Only legal and psychological services (legal aid, consultation, psychological service).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service: bool,
    /// Only matters brought in person (the reception window or the visitor hall).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_person: bool,
    /// The order of the case list and the ledger (newest first when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<CaseSort>,
    /// 1-based page of `GET /api/cases`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size of `GET /api/cases` (at most `PER_PAGE_MAX`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

impl CaseFilter {
    /// The filter of a ready-made board view.
    pub fn preset(view: crate::model::BoardView) -> CaseFilter {
        use crate::model::BoardView;
        let mut f = CaseFilter::default();
        match view {
            BoardView::Mine => f.mine = true,
            BoardView::Overdue => f.overdue = true,
            BoardView::Awaiting => f.awaiting = true,
            BoardView::Escalated => f.escalated = true,
            BoardView::Urged => f.urged = true,
        }
        f
    }

    /// The ready-made view this filter is exactly, if any (the board marks it chosen).
    pub fn as_preset(&self) -> Option<crate::model::BoardView> {
        let f = self.stored();
        crate::model::BoardView::ALL
            .iter()
            .copied()
            .find(|v| CaseFilter::preset(*v) == f)
    }

    /// The filter as a saved view keeps it: no page, the search text trimmed.
    pub fn stored(&self) -> CaseFilter {
        let q = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        CaseFilter {
            q,
            page: None,
            per_page: None,
            ..self.clone()
        }
    }

    /// Whether nothing is filtered (pages aside).
    pub fn is_blank(&self) -> bool {
        self.stored() == CaseFilter::default()
    }

    /// The fields set that only the case list and the ledger take (the board, which holds
    /// the open cards, refuses them by name).
    pub fn list_only_fields(&self) -> Vec<&'static str> {
        [
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("outcome", self.outcome.is_some()),
            ("rating", self.rating.is_some()),
            ("closed_from", self.closed_from.is_some()),
            ("closed_to", self.closed_to.is_some()),
            ("resolution", self.resolution.is_some()),
            ("timeliness", self.timeliness.is_some()),
            ("spot", self.spot),
            ("flag", self.flag.is_some()),
            ("police", self.police),
            ("service", self.service),
            ("in_person", self.in_person),
            ("sort", self.sort.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    /// Checks a list's (or the ledger's) filter: the free text within `Q_MAX`, and the period's
    /// last day not before its first.
    pub fn check(&self, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        if let Some(q) = &self.q {
            c.max_len("q", q, Q_MAX);
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to < from
        {
            c.fail("to", period_reversed());
        }
        if let (Some(from), Some(to)) = (self.closed_from, self.closed_to)
            && to < from
        {
            c.fail("closed_to", period_reversed());
        }
        c.finish()
    }
}

/// The reason the board (and a saved board view) refuses a field of the case list's own.
pub fn not_on_the_board() -> crate::error::Reason {
    crate::error::Reason::Other {
        zh: "看板不按此筛选,请到“案件列表”中查找。".to_owned(),
        en: "The board does not filter by this: look in the case list.".to_owned(),
    }
}

/// The reason a period whose last day is before its first is refused (on `to`).
pub fn period_reversed() -> crate::error::Reason {
    crate::error::Reason::Other {
        zh: "结束日期不能早于开始日期。".to_owned(),
        en: "The last day cannot be before the first.".to_owned(),
    }
}

/// A row of the case list: the card, and what the list shows of a closed case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseListItem {
    #[serde(flatten)]
    pub card: CaseCard,
    /// The result it was closed with.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    /// The archive number (归档号), once archived.
    #[serde(default)]
    pub archive_no: Option<String>,
    /// The resident's rating, if given.
    #[serde(default)]
    pub rating: Option<Satisfaction>,
}

/// A person's own named board view (a saved filter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub filter: CaseFilter,
}

/// A person's saved views, in the order they were saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedViews {
    pub views: Vec<SavedView>,
}

/// Most saved views per person.
pub const VIEWS_MAX: usize = 20;
/// Longest name of a saved view, in characters.
pub const VIEW_NAME_MAX: u32 = 30;

/// Saving the board's filter as a named view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewView {
    pub name: String,
    pub filter: CaseFilter,
}

impl NewView {
    /// Checks the fields against the person's `existing` views: a one-line name, not one of
    /// theirs already (ignoring case and spaces around it), a filter that filters something,
    /// a free text within `Q_MAX`, and room for one more view.
    pub fn check(
        &self,
        existing: &[SavedView],
        lang: crate::Lang,
    ) -> Result<(), Vec<crate::FieldError>> {
        use crate::error::Reason;
        let mut c = crate::validate::Checker::new(lang);
        c.required_line("name", &self.name, VIEW_NAME_MAX);
        let name = self.name.trim().to_lowercase();
        if c.is_fine("name")
            && existing
                .iter()
                .any(|v| v.name.trim().to_lowercase() == name)
        {
            c.fail(
                "name",
                Reason::Other {
                    zh: "已有同名的视图,请换一个名称。".into(),
                    en: "You already have a view of this name; choose another.".into(),
                },
            );
        }
        if c.is_fine("name") && existing.len() >= VIEWS_MAX {
            c.fail(
                "name",
                Reason::Other {
                    zh: format!("最多可保存 {VIEWS_MAX} 个视图,请先删除一个。"),
                    en: format!("At most {VIEWS_MAX} views can be saved; delete one first."),
                },
            );
        }
        if let Some(q) = &self.filter.q {
            c.max_len("filter.q", q, Q_MAX);
        }
        for field in self.filter.list_only_fields() {
            c.fail(format!("filter.{field}"), not_on_the_board());
        }
        if self.filter.is_blank() {
            c.fail(
                "filter",
                Reason::Other {
                    zh: "没有任何筛选条件:全部案件无需保存为视图。".into(),
                    en: "Nothing is filtered: the whole board needs no saved view.".into(),
                },
            );
        }
        c.finish()
    }
}

/// The cases newly put on the signed-in person's plate — routed to them, or returned to the
/// center — that they have not opened since (the board marks them "new").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCases {
    pub cases: Vec<i64>,
}

/// Largest page of `GET /api/cases`.
pub const PER_PAGE_MAX: u32 = 200;
/// Default page size of `GET /api/cases`.
pub const PER_PAGE_DEFAULT: u32 = 50;

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The board: every open card (registered, routed, in handling, closed-not-archived) that the
/// filter lets through, sorted overdue first, then by nearest deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    /// The server's today, in the center's time zone: the day badges are computed for.
    pub today: NaiveDate,
    /// The town's revision the board was built at: the live stream (`/api/events`) resumes
    /// from it.
    #[serde(default)]
    pub rev: i64,
    pub cards: Vec<CaseCard>,
}

/// A stage transition on a case read at `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionRequest {
    pub version: i64,
    pub command: Command,
}

/// A person's notifications, newest first, and how many are unread in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationList {
    pub items: Vec<crate::model::Notification>,
    pub unread: u64,
}

/// The lead's urging (督办单): what is asked of the handler, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUrging {
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
}

/// How far ahead an urging's date may be set.
pub const URGING_DAYS_MAX: i64 = 90;

impl NewUrging {
    /// Checks the urging on `today`: a request, and a date from today to 90 days on.
    pub fn check(&self, today: NaiveDate, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        c.required("what", &self.what, crate::validate::NOTE_MAX);
        let days = (self.due_on - today).num_days();
        if !(0..=URGING_DAYS_MAX).contains(&days) {
            c.fail(
                "due_on",
                crate::Reason::Other {
                    zh: format!("督办期限须在今天至 {URGING_DAYS_MAX} 天内。"),
                    en: format!("The date must be from today to {URGING_DAYS_MAX} days ahead."),
                },
            );
        }
        c.finish()
    }
}

/// Suspending a case's clock: why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSuspension {
    pub reason_kind: crate::model::SuspendReason,
    /// What the case waits for, in words.
    pub reason: String,
}

impl NewSuspension {
    /// Checks the fields: a reason in words.
    pub fn check(&self, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        c.required("reason", &self.reason, crate::validate::NOTE_MAX);
        c.finish()
    }
}

/// Resuming a suspended case, with an optional note of what ended the wait.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResumeRequest {
    #[serde(default)]
    pub note: String,
}

/// An extension request: how many days, why, and whether both parties consented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewExtension {
    /// Days to add, in the clock's unit.
    pub days: u32,
    pub reason: String,
    /// Both parties consented (recorded; people's mediation requires it).
    #[serde(default)]
    pub consent: bool,
}

impl NewExtension {
    /// Checks the request against the track's rule, given how many extensions were approved.
    pub fn check(
        &self,
        rule: crate::deadline::ExtensionRule,
        approved: u32,
        lang: crate::Lang,
    ) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        c.required("reason", &self.reason, crate::validate::NOTE_MAX);
        if let Some((field, reason)) = rule.refusal(self.days, self.consent, approved) {
            c.fail(field, reason);
        }
        c.finish()
    }
}

/// The lead's decision on an extension request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionDecision {
    pub approve: bool,
    /// Why (required when refusing).
    #[serde(default)]
    pub note: String,
}

impl ExtensionDecision {
    /// Checks the fields: a refusal says why.
    pub fn check(&self, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        if self.approve {
            c.max_len("note", &self.note, crate::validate::NOTE_MAX);
        } else {
            c.required("note", &self.note, crate::validate::NOTE_MAX);
        }
        c.finish()
    }
}

/// A message in a case's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMessage {
    pub text: String,
}

impl NewMessage {
    /// Checks the fields: some text.
    pub fn check(&self, lang: crate::Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        c.required("text", &self.text, crate::validate::NOTE_MAX);
        c.finish()
    }
}

/// The risk reports to a police station: pending first, then the acknowledged, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoliceNoticeList {
    pub notices: Vec<crate::model::PoliceNotice>,
    pub pending: u32,
}

impl PoliceNoticeList {
    /// The list, with its count of reports not yet acknowledged.
    pub fn of(notices: Vec<crate::model::PoliceNotice>) -> PoliceNoticeList {
        let pending = notices
            .iter()
            .filter(|n| n.acknowledged_at.is_none())
            .count();
        PoliceNoticeList {
            pending: u32::try_from(pending).unwrap_or(u32::MAX),
            notices,
        }
    }
}

/// A note on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteRequest {
    pub text: String,
    /// Shown to the resident on the public status page.
    #[serde(default)]
    pub public: bool,
}

/// What the intake receipt prints besides the case: the town's center, when the matter is
/// due, and how the resident looks it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReceipt {
    pub code: String,
    /// The town's center (name, address, phone), when the administrator recorded it.
    pub center: Option<Center>,
    /// While open: the last day of the time limit.
    pub due_on: Option<NaiveDate>,
    /// The look-up page with the code filled in (what the QR code opens).
    pub lookup_url: String,
    /// How the resident proves it is theirs: the last four digits of an applicant's phone,
    /// or this query code when no applicant gave a phone.
    pub query_code: Option<String>,
}

/// A town's center as its receipts name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Center {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// The public status page's question: the case code and the last four digits of the
/// applicant's phone (or, when no applicant gave a phone, the receipt's query code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusLookup {
    pub code: String,
    pub phone_last4: String,
}

/// The public status page's answer: nothing personal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatus {
    pub code: String,
    /// For sensitive matters (family, minors, psychological service, legal aid, reports
    /// against officials) only "received / in progress / closed" is shown: the dates below
    /// and the unit are left out.
    pub restricted: bool,
    pub progress: PublicProgress,
    pub stage: Option<Stage>,
    pub kind: Option<CaseKind>,
    pub registered_on: NaiveDate,
    pub routed_on: Option<NaiveDate>,
    pub handling_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub archived_on: Option<NaiveDate>,
    /// The handling unit at department level (a department's name, or "the center's
    /// mediation room" for mediators) — never a person.
    pub handling_unit: Option<String>,
    pub on_time: Option<bool>,
    /// While open and not suspended: the last day of the time limit, as suspensions and
    /// extensions moved it.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// While open: the handling is suspended (waiting for a party, a hearing, an appraisal).
    #[serde(default)]
    pub suspended: bool,
    /// Once closed: how it ended (the kind of result, never the agreement's contents or
    /// amounts).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Once closed: the resident's rating, if given (it can be given once).
    #[serde(default)]
    pub rating: Option<Satisfaction>,
    pub notes: Vec<PublicNote>,
}

impl PublicStatus {
    /// Whether the resident may rate the result now: closed, and not rated yet.
    pub fn may_rate(&self) -> bool {
        self.progress == PublicProgress::Closed && self.rating.is_none()
    }
}

/// The resident's rating of a closed case (满意度), proved like a look-up: the code and the
/// last four digits of the applicant's phone (or the query code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateCase {
    pub code: String,
    pub phone_last4: String,
    pub satisfaction: Satisfaction,
    #[serde(default)]
    pub comment: String,
}

/// Longest rating comment, in characters.
pub const RATING_COMMENT_MAX: usize = 500;

/// The center's satisfaction figures over a period: the ratings residents gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionFigures {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub from: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub to: Option<NaiveDate>,
    /// Cases closed in the period (by the day they were closed).
    pub closed: u64,
    /// Of those, how many the residents rated, and how.
    pub rated: u64,
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub dissatisfied: u64,
    /// 满意 and 基本满意 over all ratings, in per cent with one decimal (none when no rating).
    pub satisfaction_rate: Option<f64>,
}

impl SatisfactionFigures {
    /// The figures from the count of each rating (and the cases closed).
    pub fn from_counts(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        closed: u64,
        satisfied: u64,
        basically_satisfied: u64,
        dissatisfied: u64,
    ) -> SatisfactionFigures {
        let rated = satisfied + basically_satisfied + dissatisfied;
        let satisfaction_rate = (rated > 0).then(|| {
            let per_mille = ((satisfied + basically_satisfied) * 1000 + rated / 2) / rated;
            per_mille as f64 / 10.0
        });
        SatisfactionFigures {
            from,
            to,
            closed,
            rated,
            satisfied,
            basically_satisfied,
            dissatisfied,
            satisfaction_rate,
        }
    }
}

/// A resident's request from the public form (网上诉求): it is registered as a case with the
/// channel "online". `website` is a honeypot: people never see it, so it stays empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnlineRequest {
    pub kind: Option<CaseKind>,
    pub category: Option<Category>,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub request: String,
    pub village_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// The resident ticked the consent to the processing of their personal data (PIPL
    /// Art. 14, 17) after reading what is stored and for how long.
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub website: String,
}

impl OnlineRequest {
    /// The card's summary: the first line of what happened, cut to fit with an ellipsis.
    pub fn summary(&self) -> String {
        summary_of(&self.facts)
    }
}

/// What a resident brought from outside the center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideMatter<'a> {
    pub kind: CaseKind,
    pub category: Category,
    pub village_id: i64,
    pub facts: &'a str,
    pub request: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
}

impl RegisterCase {
    /// The registration of a matter a resident brought from outside the center (the online
    /// form, an Open311 client): channel online, low risk until the center reviews it, the
    /// summary from the facts' first line, the resident as the one applicant with their phone.
    pub fn from_outside(m: &OutsideMatter<'_>) -> RegisterCase {
        RegisterCase {
            kind: m.kind,
            category: m.category,
            channel: Channel::Online,
            risk: RiskLevel::Low,
            risk_flags: Vec::new(),
            summary: summary_of(m.facts),
            facts: m.facts.trim().to_owned(),
            request: m.request.trim().to_owned(),
            village_id: m.village_id,
            area_id: None,
            group_id: None,
            parties: vec![NewParty {
                side: PartySide::Applicant,
                kind: PartyKind::Person,
                name: m.name.trim().to_owned(),
                phone: Some(m.phone.trim().to_owned()),
                ..NewParty::default()
            }],
            closed_on_the_spot: None,
            repeat_of: None,
            not_repeat_of: Vec::new(),
            from_visit: None,
        }
    }
}

/// The card summary of a matter written by a resident (or a program): the first line of what
/// happened, cut to `ONLINE_SUMMARY_CHARS` with an ellipsis.
pub fn summary_of(facts: &str) -> String {
    let first = facts
        .trim()
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let max = ONLINE_SUMMARY_CHARS;
    if first.chars().count() <= max {
        first.to_owned()
    } else {
        let mut s: String = first.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// How long an online request's card summary is at most, in characters.
pub const ONLINE_SUMMARY_CHARS: usize = 40;

/// The coarse progress every case shows publicly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PublicProgress {
    Received,
    InProgress,
    Closed,
}

impl PublicProgress {
    /// The coarse progress of a stage.
    pub fn of(stage: Stage) -> PublicProgress {
        match stage {
            Stage::Registered => PublicProgress::Received,
            Stage::Routed | Stage::InHandling => PublicProgress::InProgress,
            Stage::Closed | Stage::Archived => PublicProgress::Closed,
        }
    }

    /// The label shown to the resident.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            PublicProgress::Received => lang.pick("已受理", "Received"),
            PublicProgress::InProgress => lang.pick("办理中", "In progress"),
            PublicProgress::Closed => lang.pick("已办结", "Closed"),
        }
    }
}

/// A note the center published for the resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicNote {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// Whether a matter shows only its coarse progress publicly.
pub fn is_publicly_restricted(kind: CaseKind, category: Category, flags: &[RiskFlag]) -> bool {
    matches!(kind, CaseKind::Psych | CaseKind::LegalAid)
        || category == Category::MarriageFamily
        || flags
            .iter()
            .any(|f| matches!(f, RiskFlag::Minors | RiskFlag::AgainstOfficials))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_recognised_and_nothing_else_is() {
        use crate::model::BoardView;
        for v in BoardView::ALL {
            let f = CaseFilter::preset(*v);
            assert_eq!(f.as_preset(), Some(*v), "{v:?}");
            assert!(!f.is_blank());
            let paged = CaseFilter {
                page: Some(3),
                ..f.clone()
            };
            assert_eq!(paged.as_preset(), Some(*v), "pages do not matter");
            let more = CaseFilter {
                risk: Some(RiskLevel::High),
                ..f
            };
            assert_eq!(
                more.as_preset(),
                None,
                "a preset and more is not the preset"
            );
        }
        assert_eq!(CaseFilter::default().as_preset(), None);
        assert!(BoardView::Mine.offered_to(crate::model::Role::Mediator));
        assert!(!BoardView::Mine.offered_to(crate::model::Role::Lead));
        assert!(BoardView::Urged.offered_to(crate::model::Role::Lead));
    }

    #[test]
    fn a_new_view_names_its_field_and_why() {
        let lang = crate::Lang::En;
        let view = |name: &str, filter: CaseFilter| NewView {
            name: name.into(),
            filter,
        };
        let urged = CaseFilter::preset(crate::model::BoardView::Urged);
        assert!(view("督办 东村", urged.clone()).check(&[], lang).is_ok());
        let fields = |r: Result<(), Vec<crate::FieldError>>| {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(view("  ", urged.clone()).check(&[], lang)), ["name"]);
        assert_eq!(
            fields(view("a\nb", urged.clone()).check(&[], lang)),
            ["name"]
        );
        assert_eq!(
            fields(view(&"长".repeat(31), urged.clone()).check(&[], lang)),
            ["name"]
        );
        assert_eq!(
            fields(view("all", CaseFilter::default()).check(&[], lang)),
            ["filter"]
        );
        let spaces = CaseFilter {
            q: Some("   ".into()),
            page: Some(2),
            ..CaseFilter::default()
        };
        assert_eq!(fields(view("all", spaces).check(&[], lang)), ["filter"]);
        let long_q = CaseFilter {
            q: Some("x".repeat(101)),
            ..CaseFilter::default()
        };
        assert_eq!(fields(view("x", long_q).check(&[], lang)), ["filter.q"]);
        let mine = SavedView {
            id: 1,
            name: "East Village".into(),
            filter: urged.clone(),
        };
        let dup = view(" east village ", urged.clone()).check(std::slice::from_ref(&mine), lang);
        assert!(
            dup.as_ref()
                .is_err_and(|e| e[0].message.contains("already")),
            "{dup:?}"
        );
        let full: Vec<SavedView> = (0..VIEWS_MAX as i64)
            .map(|i| SavedView {
                id: i,
                name: format!("v{i}"),
                filter: urged.clone(),
            })
            .collect();
        let over = view("one more", urged).check(&full, lang);
        assert!(
            over.as_ref()
                .is_err_and(|e| e[0].field == "name" && e[0].message.contains("20")),
            "{over:?}"
        );
    }

    #[test]
    fn sensitive_matters_are_restricted_publicly() {
        assert!(is_publicly_restricted(
            CaseKind::Psych,
            Category::Other,
            &[]
        ));
        assert!(is_publicly_restricted(
            CaseKind::LegalAid,
            Category::Contract,
            &[]
        ));
        assert!(is_publicly_restricted(
            CaseKind::Dispute,
            Category::MarriageFamily,
            &[]
        ));
        assert!(is_publicly_restricted(
            CaseKind::Dispute,
            Category::Neighbour,
            &[RiskFlag::Minors]
        ));
        assert!(is_publicly_restricted(
            CaseKind::Petition,
            Category::Other,
            &[RiskFlag::AgainstOfficials]
        ));
        assert!(!is_publicly_restricted(
            CaseKind::Dispute,
            Category::Labour,
            &[RiskFlag::GroupIncident]
        ));
    }

    #[test]
    fn an_empty_filter_is_an_empty_query() {
        let json = serde_json::to_string(&CaseFilter::default()).unwrap_or_default();
        assert_eq!(json, "{}");
    }
}

/// A client program of the Open311 GeoReport v2 API (a county hotline, a city app), as the
/// administrator sees it. Its API key is shown once, when it is issued; only `key_hint` (the
/// key's first characters) is kept readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Open311Client {
    pub id: i64,
    pub name: String,
    pub key_hint: String,
    /// The client is answered in batch mode: a posted request gets a token, which
    /// `/open311/v2/tokens/{token}` turns into the request's id. Otherwise the id comes at once.
    pub batch: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// When the administrator revoked the key; a revoked key is refused (403).
    pub revoked_at: Option<DateTime<Utc>>,
    /// How many requests the client has posted.
    pub requests: i64,
}

/// Issues an API key to a new Open311 client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueOpen311Client {
    pub name: String,
    #[serde(default)]
    pub batch: bool,
}

/// A newly issued client with its API key: the only time the key is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedOpen311Client {
    pub client: Open311Client,
    pub api_key: String,
}

/// Longest Open311 client name, in characters.
pub const OPEN311_CLIENT_NAME_MAX: u32 = 60;

/// A request posted through Open311 (`POST /open311/v2/requests.{format}`), as read from its
/// form: the service (our category) is resolved first (an unknown one is a 404).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Open311Submission {
    /// `attribute[kind]`: what help is asked for; a dispute when not given.
    pub kind: Option<CaseKind>,
    /// `attribute[village]`, or else `address_id`, or else the one village `address_string`
    /// names.
    pub village_id: Option<i64>,
    pub description: String,
    /// `last_name` and `first_name` together (family name first, as Chinese writes it).
    pub name: String,
    pub phone: String,
}

/// Longest Open311 description, in characters (the specification's limit).
pub const OPEN311_DESCRIPTION_MAX: u32 = 4000;
