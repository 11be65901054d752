//! The typed client of the API under `/api` (the table in `shared::api`). Every request of the
//! app goes through here: it sends the interface language as `Accept-Language`, the session
//! cookie (same origin), and turns every failure into one `Error`.

pub mod download;
mod error;

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{
    Board, CaseFilter, CaseListItem, CaseReceipt, ExtensionDecision, IssueOpen311Client,
    IssuedOpen311Client, LoginRequest, NewCases, NewExtension, NewMessage, NewSuspension,
    NewUrging, NewView, NoteRequest, NotificationList, Open311Client, Page, PoliceNoticeList,
    RegisterCase, ResumeRequest, SavedView, SavedViews, TransitionRequest,
};
use shared::calendar::{CalendarYear, PutCalendarYear};
use shared::model::{CaseDetail, CaseEvent, Handler, OrgUnit, Urging, UserInfo};
use web_sys::RequestCredentials;

pub use error::{Error, kind_of_status};

use crate::i18n;
use crate::logic::filter;

/// A result of the API.
pub type Result<T> = std::result::Result<T, Error>;

thread_local! {
    static ON_UNAUTHORIZED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Sets what happens when a signed-in request is answered 401 (the session ended): the app
/// forgets the user and shows the sign-in page.
pub fn on_unauthorized(hook: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

fn session_ended() {
    ON_UNAUTHORIZED.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook();
        }
    });
}

fn prepare(builder: RequestBuilder) -> RequestBuilder {
    builder
        .header("Accept", "application/json")
        .header("Accept-Language", i18n::current().tag())
        .credentials(RequestCredentials::SameOrigin)
}

async fn send(
    request: std::result::Result<Request, gloo_net::Error>,
    watch_session: bool,
) -> Result<Response> {
    let request = request.map_err(|e| Error::Decode(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| Error::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let err = error::from_body(status, &body, i18n::current());
    if watch_session && err.is_unauthorized() {
        session_ended();
    }
    Err(err)
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T> {
    let text = response
        .text()
        .await
        .map_err(|e| Error::Network(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| Error::Decode(e.to_string()))
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T> {
    let response = send(prepare(Request::get(url)).build(), true).await?;
    decode(response).await
}

async fn post<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
    watch_session: bool,
) -> Result<T> {
    let response = send(prepare(Request::post(url)).json(body), watch_session).await?;
    decode(response).await
}

/// `POST /api/auth/login`: signs in and sets the session cookie.
pub async fn login(request: &LoginRequest) -> Result<UserInfo> {
    post("/api/auth/login", request, false).await
}

/// `POST /api/auth/logout`: ends the session.
pub async fn logout() -> Result<()> {
    send(prepare(Request::post("/api/auth/logout")).build(), false)
        .await
        .map(|_| ())
}

/// `GET /api/me`: who is signed in (401 if nobody).
pub async fn me() -> Result<UserInfo> {
    let response = send(prepare(Request::get("/api/me")).build(), false).await?;
    decode(response).await
}

/// `GET /api/org`: the user's town's org tree.
pub async fn org() -> Result<Vec<OrgUnit>> {
    get("/api/org").await
}

/// `GET /api/handlers`: mediators and departments a case can be routed to.
pub async fn handlers() -> Result<Vec<Handler>> {
    get("/api/handlers").await
}

/// `GET /api/board`: every open card the filter lets through.
pub async fn board(filter: &CaseFilter) -> Result<Board> {
    // The case list's own fields are not the board's (a URL carried over from the list).
    let filter = CaseFilter {
        from: None,
        to: None,
        outcome: None,
        rating: None,
        sort: None,
        ..filter.clone()
    };
    get(&filter::url("/api/board", &filter)).await
}

/// `GET /api/cases`: a page of every case (archived included) the filter lets through.
pub async fn cases(filter: &CaseFilter) -> Result<Page<CaseListItem>> {
    get(&filter::url("/api/cases", filter)).await
}

/// The dashboard for a period and place.
pub async fn dashboard(
    query: &shared::figures::DashboardQuery,
) -> Result<shared::figures::Dashboard> {
    get(&format!("/api/dashboard?{}", query.query_string())).await
}

/// The address of a ledger export (`csv` or `xlsx`) of the case list's filter (no page).
pub fn ledger_url(filter: &CaseFilter, format: &str, masked: bool) -> String {
    let mut query = filter::to_query(&CaseFilter {
        page: None,
        per_page: None,
        ..filter.clone()
    });
    if masked {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("masked=true");
    }
    if query.is_empty() {
        format!("/api/ledger.{format}")
    } else {
        format!("/api/ledger.{format}?{query}")
    }
}

/// `POST /api/cases`: registers a new case.
pub async fn register(request: &RegisterCase) -> Result<CaseDetail> {
    post("/api/cases", request, true).await
}

/// `POST /api/repeats/search`: open and recently closed cases with a party of these numbers.
pub async fn search_repeats(
    request: &shared::repeats::RepeatSearch,
) -> Result<shared::repeats::RepeatMatches> {
    post("/api/repeats/search", request, true).await
}

/// `PUT /api/cases/{id}/repeat-of`: links the case to the earlier one it repeats (or unlinks).
pub async fn link_repeat(id: i64, request: &shared::repeats::LinkRepeat) -> Result<CaseDetail> {
    put(&format!("/api/cases/{id}/repeat-of"), request).await
}

/// `GET /api/visits`: the reception log of a period.
pub async fn visits(period: &shared::logs::LogPeriod) -> Result<shared::logs::Visits> {
    get(&format!("/api/visits?{}", period_query(period))).await
}

/// `GET /api/visits/{id}`: one visit (the intake form fills itself from it).
pub async fn visit(id: i64) -> Result<shared::logs::Visit> {
    get(&format!("/api/visits/{id}")).await
}

/// `POST /api/visits`: logs a visitor.
pub async fn log_visit(request: &shared::logs::NewVisit) -> Result<shared::logs::Visit> {
    post("/api/visits", request, true).await
}

/// `GET /api/services`: the service log of a period.
pub async fn services(period: &shared::logs::LogPeriod) -> Result<shared::logs::Services> {
    get(&format!("/api/services?{}", period_query(period))).await
}

/// `POST /api/services`: logs a service given.
pub async fn log_service(
    request: &shared::logs::NewService,
) -> Result<shared::logs::ServiceRecord> {
    post("/api/services", request, true).await
}

/// `GET /api/logs/summary`: what the logs add up to over a period.
pub async fn log_summary(period: &shared::logs::LogPeriod) -> Result<shared::logs::LogSummary> {
    get(&format!("/api/logs/summary?{}", period_query(period))).await
}

fn period_query(period: &shared::logs::LogPeriod) -> String {
    let mut q = Vec::new();
    if let Some(d) = period.from {
        q.push(format!("from={}", d.format("%Y-%m-%d")));
    }
    if let Some(d) = period.to {
        q.push(format!("to={}", d.format("%Y-%m-%d")));
    }
    q.join("&")
}

/// `GET /api/cases/{id}/suggestions`: the mediators to suggest when routing the case.
pub async fn suggestions(id: i64) -> Result<shared::roster::Suggestions> {
    get(&format!("/api/cases/{id}/suggestions")).await
}

/// `GET /api/cases/{id}`.
pub async fn case(id: i64) -> Result<CaseDetail> {
    get(&format!("/api/cases/{id}")).await
}

/// `POST /api/cases/{id}/transitions`: moves a case; 409 carries the current case.
pub async fn transition(id: i64, request: &TransitionRequest) -> Result<CaseDetail> {
    post(&format!("/api/cases/{id}/transitions"), request, true).await
}

/// `POST /api/cases/{id}/notes`.
pub async fn add_note(id: i64, request: &NoteRequest) -> Result<CaseEvent> {
    post(&format!("/api/cases/{id}/notes"), request, true).await
}

/// `GET /api/cases/{id}/receipt`: the center, the expected date and how to look it up.
pub async fn receipt(id: i64) -> Result<CaseReceipt> {
    get(&format!("/api/cases/{id}/receipt")).await
}

/// `GET /api/cases/{id}/timeline`.
pub async fn timeline(id: i64) -> Result<Vec<CaseEvent>> {
    get(&format!("/api/cases/{id}/timeline")).await
}

/// `POST /api/cases/{id}/urgings`: the lead urges the handler.
pub async fn urge(id: i64, request: &NewUrging) -> Result<Urging> {
    post(&format!("/api/cases/{id}/urgings"), request, true).await
}

/// `GET /api/towns`: the county's towns with their villages.
pub async fn towns() -> Result<Vec<shared::county::TownInfo>> {
    get("/api/towns").await
}

/// `GET /api/county/summary`: the county dashboard from `from` (30 days back by default).
pub async fn county_summary(
    from: Option<chrono::NaiveDate>,
) -> Result<shared::county::CountySummary> {
    match from {
        Some(d) => {
            get(&format!(
                "/api/county/summary?from={}",
                d.format("%Y-%m-%d")
            ))
            .await
        }
        None => get("/api/county/summary").await,
    }
}

/// `POST /api/cases/{id}/transfer`: the lead transfers the case to another town's center.
pub async fn transfer(
    id: i64,
    request: &shared::county::TransferRequest,
) -> Result<shared::county::Transferred> {
    post(&format!("/api/cases/{id}/transfer"), request, true).await
}

/// `POST /api/cases/{id}/county-escalation`: the lead escalates the case to the county.
pub async fn escalate_to_county(
    id: i64,
    request: &shared::county::CountyText,
) -> Result<shared::county::CountyEscalation> {
    post(&format!("/api/cases/{id}/county-escalation"), request, true).await
}

/// `POST /api/cases/{id}/county-instruction`: a county officer's instruction.
pub async fn instruct(
    id: i64,
    request: &shared::county::CountyText,
) -> Result<shared::county::CountyEscalation> {
    post(
        &format!("/api/cases/{id}/county-instruction"),
        request,
        true,
    )
    .await
}

/// `POST /api/cases/{id}/urgings/{urging}/acknowledge`: the handler acknowledges.
pub async fn acknowledge(id: i64, urging: i64) -> Result<Urging> {
    let url = format!("/api/cases/{id}/urgings/{urging}/acknowledge");
    post(&url, &serde_json::json!({}), true).await
}

/// `POST /api/cases/{id}/suspend`: suspends the case's clock.
pub async fn suspend(id: i64, request: &NewSuspension) -> Result<CaseDetail> {
    post(&format!("/api/cases/{id}/suspend"), request, true).await
}

/// `POST /api/cases/{id}/resume`: the clock runs again.
pub async fn resume(id: i64, request: &ResumeRequest) -> Result<CaseDetail> {
    post(&format!("/api/cases/{id}/resume"), request, true).await
}

/// `POST /api/cases/{id}/extensions`: the handler asks for an extension.
pub async fn ask_extension(id: i64, request: &NewExtension) -> Result<CaseDetail> {
    post(&format!("/api/cases/{id}/extensions"), request, true).await
}

/// `POST /api/cases/{id}/extensions/{ext}/decision`: the lead decides.
pub async fn decide_extension(
    id: i64,
    ext: i64,
    request: &ExtensionDecision,
) -> Result<CaseDetail> {
    let url = format!("/api/cases/{id}/extensions/{ext}/decision");
    post(&url, request, true).await
}

/// `POST /api/cases/{id}/messages`: a message in the case's thread.
pub async fn send_message(id: i64, request: &NewMessage) -> Result<CaseDetail> {
    post(&format!("/api/cases/{id}/messages"), request, true).await
}

/// `GET /api/police-notices`: the risk reports (the station's own, or the town's).
pub async fn police_notices() -> Result<PoliceNoticeList> {
    get("/api/police-notices").await
}

/// `POST /api/police-notices/{id}/acknowledge`: the station acknowledges a report.
pub async fn acknowledge_notice(id: i64) -> Result<PoliceNoticeList> {
    let url = format!("/api/police-notices/{id}/acknowledge");
    post(&url, &serde_json::json!({}), true).await
}

/// `GET /api/notifications`: the newest notifications and the unread count.
pub async fn notifications() -> Result<NotificationList> {
    get("/api/notifications").await
}

/// `POST /api/notifications/{id}/read`, or `/api/notifications/read` for all (`None`).
pub async fn mark_read(id: Option<i64>) -> Result<()> {
    let url = match id {
        Some(id) => format!("/api/notifications/{id}/read"),
        None => "/api/notifications/read".to_owned(),
    };
    send(
        prepare(Request::post(&url)).json(&serde_json::json!({})),
        true,
    )
    .await
    .map(|_| ())
}

/// `GET /api/views`: the person's saved board views.
pub async fn views() -> Result<SavedViews> {
    get("/api/views").await
}

/// `POST /api/views`: saves a board view.
pub async fn save_view(request: &NewView) -> Result<SavedView> {
    post("/api/views", request, true).await
}

/// `DELETE /api/views/{id}`.
pub async fn delete_view(id: i64) -> Result<()> {
    send(
        prepare(Request::delete(&format!("/api/views/{id}"))).build(),
        true,
    )
    .await
    .map(|_| ())
}

/// `GET /api/board/new`: cases newly on the person's plate, not opened since.
pub async fn new_cases() -> Result<NewCases> {
    get("/api/board/new").await
}

/// `POST /api/cases/{id}/seen`: the person opened the case.
pub async fn mark_seen(id: i64) -> Result<()> {
    send(
        prepare(Request::post(&format!("/api/cases/{id}/seen"))).json(&serde_json::json!({})),
        true,
    )
    .await
    .map(|_| ())
}

/// `GET /api/admin/open311-clients`: the administrator's Open311 clients.
pub async fn open311_clients() -> Result<Vec<Open311Client>> {
    get("/api/admin/open311-clients").await
}

/// `POST /api/admin/open311-clients`: issues a client its API key (shown this once).
pub async fn issue_open311_client(request: &IssueOpen311Client) -> Result<IssuedOpen311Client> {
    post("/api/admin/open311-clients", request, true).await
}

/// `POST /api/admin/open311-clients/{id}/revoke`.
pub async fn revoke_open311_client(id: i64) -> Result<Open311Client> {
    post(
        &format!("/api/admin/open311-clients/{id}/revoke"),
        &serde_json::json!({}),
        true,
    )
    .await
}

/// `GET /api/calendar/{year}`.
pub async fn calendar(year: i32) -> Result<CalendarYear> {
    get(&format!("/api/calendar/{year}")).await
}

/// `PUT /api/calendar/{year}`: the administrator enters a year's schedule.
pub async fn put_calendar(year: i32, request: &PutCalendarYear) -> Result<CalendarYear> {
    let response = send(
        prepare(Request::put(&format!("/api/calendar/{year}"))).json(request),
        true,
    )
    .await?;
    decode(response).await
}

/// `GET /api/meetings`: the joint meetings the person may read.
pub async fn meetings() -> Result<Vec<shared::meetings::MeetingSummary>> {
    get("/api/meetings").await
}

/// `GET /api/meetings/{id}`.
pub async fn meeting(id: i64) -> Result<shared::meetings::MeetingDetail> {
    get(&format!("/api/meetings/{id}")).await
}

/// `POST /api/meetings`: schedules a meeting.
pub async fn create_meeting(
    request: &shared::meetings::NewMeeting,
) -> Result<shared::meetings::MeetingDetail> {
    post("/api/meetings", request, true).await
}

/// `POST /api/meetings/{id}/items`: puts a case on the agenda by its code.
pub async fn add_agenda_item(id: i64, code: &str) -> Result<shared::meetings::MeetingDetail> {
    let body = shared::meetings::AddItem {
        code: code.to_owned(),
    };
    post(&format!("/api/meetings/{id}/items"), &body, true).await
}

/// `DELETE /api/meetings/{id}/items/{item}`.
pub async fn remove_agenda_item(id: i64, item: i64) -> Result<shared::meetings::MeetingDetail> {
    let response = send(
        prepare(Request::delete(&format!("/api/meetings/{id}/items/{item}"))).build(),
        true,
    )
    .await?;
    decode(response).await
}

/// `POST /api/meetings/{id}/decisions`.
pub async fn decide(
    id: i64,
    request: &shared::meetings::NewDecision,
) -> Result<shared::meetings::MeetingDetail> {
    post(&format!("/api/meetings/{id}/decisions"), request, true).await
}

/// `POST /api/meetings/{id}/held`.
pub async fn hold_meeting(
    id: i64,
    request: &shared::meetings::HoldMeeting,
) -> Result<shared::meetings::MeetingDetail> {
    post(&format!("/api/meetings/{id}/held"), request, true).await
}

/// `PUT url` with a JSON body.
async fn put<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T> {
    let response = send(prepare(Request::put(url)).json(body), true).await?;
    decode(response).await
}

/// `GET /api/rooms`: the town's rooms (the administrator: every town's).
pub async fn rooms() -> Result<Vec<shared::mediation::Room>> {
    get("/api/rooms").await
}

/// `POST /api/rooms`: the administrator adds a room.
pub async fn add_room(request: &shared::mediation::RoomChange) -> Result<shared::mediation::Room> {
    post("/api/rooms", request, true).await
}

/// `PUT /api/rooms/{id}`: the administrator renames a room or takes it out of use.
pub async fn change_room(
    id: i64,
    request: &shared::mediation::RoomChange,
) -> Result<shared::mediation::Room> {
    put(&format!("/api/rooms/{id}"), request).await
}

/// `GET /api/cases/{id}/sessions`: the case's sessions and 回避.
pub async fn case_sessions(id: i64) -> Result<shared::mediation::CaseSessions> {
    get(&format!("/api/cases/{id}/sessions")).await
}

/// `POST /api/cases/{id}/sessions`: schedules a session.
pub async fn schedule_session(
    case: i64,
    request: &shared::mediation::NewSession,
) -> Result<shared::mediation::SessionDetail> {
    post(&format!("/api/cases/{case}/sessions"), request, true).await
}

/// `POST /api/cases/{id}/exclusions`: records a 回避.
pub async fn exclude_mediator(
    case: i64,
    request: &shared::mediation::NewExclusion,
) -> Result<shared::mediation::CaseSessions> {
    post(&format!("/api/cases/{case}/exclusions"), request, true).await
}

/// `DELETE /api/cases/{id}/exclusions/{user}`: lifts a 回避 recorded by mistake.
pub async fn lift_exclusion(case: i64, user: i64) -> Result<shared::mediation::CaseSessions> {
    let response = send(
        prepare(Request::delete(&format!(
            "/api/cases/{case}/exclusions/{user}"
        )))
        .build(),
        true,
    )
    .await?;
    decode(response).await
}

/// `GET /api/sessions?day=`: the town's sessions of a day.
pub async fn day_sessions(day: chrono::NaiveDate) -> Result<shared::mediation::DaySessions> {
    get(&format!("/api/sessions?day={}", day.format("%Y-%m-%d"))).await
}

/// `GET /api/sessions/{id}`.
pub async fn session(id: i64) -> Result<shared::mediation::SessionDetail> {
    get(&format!("/api/sessions/{id}")).await
}

/// `PUT /api/sessions/{id}/sheet`: saves the sheet against the version it was based on.
pub async fn save_sheet(
    id: i64,
    request: &shared::mediation::SaveSheet,
) -> Result<shared::mediation::SheetSaved> {
    put(&format!("/api/sessions/{id}/sheet"), request).await
}

/// `POST /api/sessions/{id}/end`.
pub async fn end_session(
    id: i64,
    request: &shared::mediation::EndSession,
) -> Result<shared::mediation::SessionDetail> {
    post(&format!("/api/sessions/{id}/end"), request, true).await
}

/// `POST /api/sessions/{id}/cancel`.
pub async fn cancel_session(id: i64) -> Result<shared::mediation::SessionDetail> {
    post(
        &format!("/api/sessions/{id}/cancel"),
        &serde_json::json!({}),
        true,
    )
    .await
}

/// `GET /api/cases/{id}/agreement`: the agreement, or the template of a new draft.
pub async fn agreement(case: i64) -> Result<shared::agreement::CaseAgreement> {
    get(&format!("/api/cases/{case}/agreement")).await
}

/// `PUT /api/cases/{id}/agreement`: drafts (version 0) or changes the written text.
pub async fn save_agreement(
    case: i64,
    request: &shared::agreement::SaveAgreement,
) -> Result<shared::agreement::Agreement> {
    put(&format!("/api/cases/{case}/agreement"), request).await
}

/// `POST /api/cases/{id}/agreement/oral`: records an oral agreement.
pub async fn record_oral(
    case: i64,
    request: &shared::agreement::RecordOral,
) -> Result<shared::agreement::Agreement> {
    post(&format!("/api/cases/{case}/agreement/oral"), request, true).await
}

/// `POST /api/cases/{id}/agreement/signatures`: a party or the mediator signs.
pub async fn sign_agreement(
    case: i64,
    request: &shared::agreement::NewSignature,
) -> Result<shared::agreement::Agreement> {
    post(
        &format!("/api/cases/{case}/agreement/signatures"),
        request,
        true,
    )
    .await
}

/// `POST /api/cases/{id}/agreement/seal`: records the committee's seal.
pub async fn seal_agreement(case: i64) -> Result<shared::agreement::Agreement> {
    post(
        &format!("/api/cases/{case}/agreement/seal"),
        &serde_json::json!({}),
        true,
    )
    .await
}

/// `PUT /api/cases/{id}/agreement/performance`.
pub async fn record_performance(
    case: i64,
    request: &shared::agreement::RecordPerformance,
) -> Result<shared::agreement::Agreement> {
    put(&format!("/api/cases/{case}/agreement/performance"), request).await
}

/// `PUT /api/cases/{id}/agreement/confirmation`.
pub async fn record_confirmation(
    case: i64,
    request: &shared::agreement::RecordConfirmation,
) -> Result<shared::agreement::Agreement> {
    put(
        &format!("/api/cases/{case}/agreement/confirmation"),
        request,
    )
    .await
}

/// `GET /api/cases/{id}/follow-ups`.
pub async fn follow_ups(case: i64) -> Result<shared::agreement::CaseFollowUps> {
    get(&format!("/api/cases/{case}/follow-ups")).await
}

/// `PUT /api/cases/{id}/follow-ups/{follow_up}`: records a follow-up visit.
pub async fn record_follow_up(
    case: i64,
    follow_up: i64,
    request: &shared::agreement::RecordFollowUp,
) -> Result<shared::agreement::CaseFollowUps> {
    put(
        &format!("/api/cases/{case}/follow-ups/{follow_up}"),
        request,
    )
    .await
}

/// `GET /api/roster/grid`: the town's grid roster.
pub async fn grid_roster(days: u32, month: &str) -> Result<shared::grid::GridRoster> {
    get(&format!("/api/roster/grid?days={days}&month={month}")).await
}

/// `POST /api/roster/grid/assign`: changes who covers a unit from a day on.
pub async fn assign_grid(request: &shared::grid::Assign) -> Result<shared::grid::GridRoster> {
    post("/api/roster/grid/assign", request, true).await
}

/// `PUT /api/roster/units/{id}/households`: records a unit's households.
pub async fn set_households(
    id: i64,
    request: &shared::grid::SetHouseholds,
) -> Result<shared::grid::GridRoster> {
    put(&format!("/api/roster/units/{id}/households"), request).await
}

/// `GET /api/grid/mine`: the grid worker's own units, their open cases and visits.
pub async fn my_grid() -> Result<shared::grid::MyGrid> {
    get("/api/grid/mine").await
}

/// `POST /api/grid/visits`: logs a visit (and registers its matter).
pub async fn log_grid_visit(
    request: &shared::grid::NewGridVisit,
) -> Result<shared::grid::GridVisit> {
    post("/api/grid/visits", request, true).await
}

/// `GET /api/grid/visits`: visits of a period, optionally one worker's.
pub async fn grid_visits(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    worker: Option<i64>,
) -> Result<shared::grid::GridVisits> {
    let worker = worker.map(|w| format!("&worker={w}")).unwrap_or_default();
    get(&format!(
        "/api/grid/visits?from={}&to={}{worker}",
        from.format("%Y-%m-%d"),
        to.format("%Y-%m-%d")
    ))
    .await
}

/// `GET /api/roster/people`: the town's mediators and legal helpers.
pub async fn roster_people() -> Result<shared::roster::PeopleRoster> {
    get("/api/roster/people").await
}

/// `POST /api/roster/people`: adds a person to the mediator roster.
pub async fn add_roster_person(
    request: &shared::roster::PersonForm,
) -> Result<shared::roster::RosterPerson> {
    post("/api/roster/people", request, true).await
}

/// `PUT /api/roster/people/{id}`: changes a person of the mediator roster.
pub async fn change_roster_person(
    id: i64,
    request: &shared::roster::PersonForm,
) -> Result<shared::roster::RosterPerson> {
    put(&format!("/api/roster/people/{id}"), request).await
}

/// `POST /api/roster/people/{id}/trainings`: records a training.
pub async fn add_training(
    id: i64,
    request: &shared::roster::NewTraining,
) -> Result<shared::roster::RosterPerson> {
    post(&format!("/api/roster/people/{id}/trainings"), request, true).await
}

/// `GET /api/roster/units/{id}/household-list`: a unit's household list.
pub async fn household_list(unit: i64) -> Result<shared::grid::Households> {
    get(&format!("/api/roster/units/{unit}/household-list")).await
}

/// `POST /api/roster/units/{id}/household-list`: adds a household.
pub async fn add_household(
    unit: i64,
    request: &shared::grid::HouseholdForm,
) -> Result<shared::grid::Households> {
    post(
        &format!("/api/roster/units/{unit}/household-list"),
        request,
        true,
    )
    .await
}

/// `DELETE /api/households/{id}`: removes a household from its list.
pub async fn delete_household(id: i64) -> Result<shared::grid::Households> {
    let response = send(
        prepare(Request::delete(&format!("/api/households/{id}"))).build(),
        true,
    )
    .await?;
    decode(response).await
}

/// `GET /api/admin/accounts`: every account.
pub async fn accounts() -> Result<shared::admin::Accounts> {
    get("/api/admin/accounts").await
}

/// `GET /api/admin/org`: the whole tree with the towns' codes.
pub async fn admin_org() -> Result<Vec<shared::orgsheet::AdminUnit>> {
    get("/api/admin/org").await
}

/// `POST /api/admin/org/units`: adds a unit.
pub async fn add_unit(form: &shared::orgsheet::UnitForm) -> Result<shared::orgsheet::AdminUnit> {
    post("/api/admin/org/units", form, true).await
}

/// `PUT /api/admin/org/units/{id}`: renames a unit.
pub async fn change_unit(
    id: i64,
    form: &shared::orgsheet::UnitForm,
) -> Result<shared::orgsheet::AdminUnit> {
    put(&format!("/api/admin/org/units/{id}"), form).await
}

/// `POST /api/admin/org/import`: checks (and with `commit`, writes) a sheet of the tree.
pub async fn import_org(req: &shared::orgsheet::OrgImport) -> Result<shared::orgsheet::OrgPreview> {
    post("/api/admin/org/import", req, true).await
}

/// `GET /api/categories`: every category as new cases get it, retired ones marked.
pub async fn categories() -> Result<Vec<shared::categories::CategorySetting>> {
    get("/api/categories").await
}

/// `PUT /api/admin/categories/{category}`: renames or retires a category for new cases.
pub async fn save_category(
    category: shared::model::Category,
    form: &shared::categories::CategoryForm,
) -> Result<shared::categories::CategorySetting> {
    put(
        &format!("/api/admin/categories/{}", category.as_str()),
        form,
    )
    .await
}

/// `GET /api/admin/clocks`: every track's default clock.
pub async fn admin_clocks() -> Result<Vec<shared::deadline::ClockSetting>> {
    get("/api/admin/clocks").await
}

/// `PUT /api/admin/clocks/{track}`: a track's default clock for new cases.
pub async fn save_clock(
    track: shared::deadline::Track,
    form: &shared::deadline::ClockSettingForm,
) -> Result<shared::deadline::ClockSetting> {
    put(&format!("/api/admin/clocks/{}", track.as_str()), form).await
}

/// `GET /api/admin/centers`: every town's center.
pub async fn admin_centers() -> Result<Vec<shared::orgsheet::TownCenter>> {
    get("/api/admin/centers").await
}

/// `PUT /api/admin/centers/{town}`: a town's center.
pub async fn save_center(
    town: i64,
    center: &shared::api::Center,
) -> Result<shared::orgsheet::TownCenter> {
    put(&format!("/api/admin/centers/{town}"), center).await
}

/// `GET /api/admin/departments`: every town's departments, inactive ones too.
pub async fn admin_departments() -> Result<Vec<shared::orgsheet::AdminDepartment>> {
    get("/api/admin/departments").await
}

/// `POST /api/admin/departments` (no id) or `PUT /api/admin/departments/{id}`.
pub async fn save_department(
    id: Option<i64>,
    form: &shared::orgsheet::DepartmentForm,
) -> Result<shared::orgsheet::AdminDepartment> {
    match id {
        Some(id) => put(&format!("/api/admin/departments/{id}"), form).await,
        None => post("/api/admin/departments", form, true).await,
    }
}

/// `POST /api/admin/accounts`: creates an account with a one-time password.
pub async fn create_account(
    request: &shared::admin::AccountForm,
) -> Result<shared::admin::IssuedPassword> {
    post("/api/admin/accounts", request, true).await
}

/// `PUT /api/admin/accounts/{id}`: changes an account.
pub async fn update_account(
    id: i64,
    request: &shared::admin::AccountForm,
) -> Result<shared::admin::Account> {
    put(&format!("/api/admin/accounts/{id}"), request).await
}

/// `POST /api/admin/accounts/{id}/reset-password`: a one-time password for the account.
pub async fn reset_password(id: i64) -> Result<shared::admin::IssuedPassword> {
    post(
        &format!("/api/admin/accounts/{id}/reset-password"),
        &serde_json::json!({}),
        true,
    )
    .await
}

/// `GET /api/admin/audit`: the administrative changes of a period.
pub async fn admin_audit(query: &shared::admin::AuditQuery) -> Result<shared::admin::AuditLog> {
    let mut q = Vec::new();
    if let Some(a) = query.action.as_deref().filter(|a| !a.is_empty()) {
        q.push(format!("action={a}"));
    }
    if let Some(d) = query.from {
        q.push(format!("from={}", d.format("%Y-%m-%d")));
    }
    if let Some(d) = query.to {
        q.push(format!("to={}", d.format("%Y-%m-%d")));
    }
    get(&format!("/api/admin/audit?{}", q.join("&"))).await
}

/// `POST /api/me/password`: changes the signed-in person's password.
pub async fn change_password(request: &shared::admin::ChangePassword) -> Result<UserInfo> {
    post("/api/me/password", request, true).await
}
