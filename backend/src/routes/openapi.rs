//! The API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` attributes
//! and the `shared` types (`ToSchema`, feature `openapi`), served at `/api/openapi.json`.
//! Signed-in endpoints use the `session` cookie (`concord_session`, set by
//! `POST /api/auth/login`). `cargo xtask fuzz` tests the server against this document.

use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::model::{CaseKind, Category, Channel, HandlerRef, RiskLevel, Stage};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::auth::SESSION_COOKIE;
use crate::state::AppState;

/// Every endpoint of `/api`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Concord API",
        description = "Case management for grassroots dispute-resolution and governance centers (综治中心). Every failure answers with one envelope, `ApiError`, whose `fields` name each refused field and why; messages follow `Accept-Language` (zh-CN by default, or en). State-changing requests from another site are refused, and bodies must be `application/json`."
    ),
    paths(
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::org::org,
        super::org::departments,
        super::org::handlers,
        super::board::board,
        super::cases::list,
        super::cases::register,
        super::cases::read,
        super::cases::transition,
        super::cases::add_note,
        super::cases::timeline,
        super::receipts::receipt,
        super::receipts::qr,
        super::live::events,
        super::calendar::read_year,
        super::calendar::put_year,
        super::public::status,
        super::public::rating,
        super::figures::satisfaction,
        super::figures::dashboard,
        super::meetings::list,
        super::meetings::create,
        super::meetings::read,
        super::meetings::add_item,
        super::meetings::remove_item,
        super::meetings::decide,
        super::meetings::held,
        super::mediation::rooms,
        super::mediation::add_room,
        super::mediation::change_room,
        super::mediation::case_sessions,
        super::mediation::schedule,
        super::mediation::exclude,
        super::mediation::lift_exclusion,
        super::mediation::day,
        super::mediation::read,
        super::mediation::save_sheet,
        super::mediation::end,
        super::mediation::cancel,
        super::agreements::read,
        super::agreements::pdf,
        super::agreements::save,
        super::agreements::record_oral,
        super::agreements::sign,
        super::agreements::seal,
        super::agreements::confirm,
        super::agreements::perform,
        super::agreements::follow_ups,
        super::agreements::record_follow_up,
        super::repeats::search,
        super::repeats::link,
        super::roster::suggestions,
        super::accounts::accounts,
        super::accounts::create,
        super::accounts::update,
        super::accounts::reset_password,
        super::accounts::audit,
        super::accounts::change_password,
        super::setup::tree,
        super::setup::add_unit,
        super::setup::change_unit,
        super::setup::import,
        super::setup::departments,
        super::setup::add_department,
        super::setup::change_department,
        super::setup::categories,
        super::setup::change_category,
        super::setup::clocks,
        super::setup::change_clock,
        super::setup::centers,
        super::setup::change_center,
        super::county::towns,
        super::county::summary,
        super::county::transfer,
        super::county::escalate,
        super::county::instruct,
        super::roster::people,
        super::roster::add_person,
        super::roster::change_person,
        super::roster::add_training,
        super::grid::roster,
        super::grid::assign,
        super::grid::households,
        super::grid::household_list,
        super::grid::add_household,
        super::grid::change_household,
        super::grid::delete_household,
        super::grid::mine,
        super::grid::visits,
        super::grid::log_visit,
        super::grid::photo,
        super::logs::visits,
        super::logs::visit,
        super::logs::log_visit,
        super::logs::services,
        super::logs::log_service,
        super::logs::summary,
        super::ledger::csv,
        super::ledger::xlsx,
        crate::pages::status::form,
        crate::pages::status::submit,
        crate::pages::status::submit_rating,
        crate::pages::request::form,
        crate::pages::request::submit,
        super::supervision::urge,
        super::supervision::acknowledge,
        super::supervision::notifications,
        super::supervision::read_all,
        super::supervision::read_one,
        super::clock::suspend,
        super::clock::resume,
        super::clock::ask_extension,
        super::clock::decide_extension,
        super::clock::message,
        super::clock::police_notices,
        super::clock::acknowledge_notice,
        super::views::views,
        super::views::save_view,
        super::views::delete_view,
        super::views::new_cases,
        super::views::seen,
        super::open311::clients,
        super::open311::issue,
        super::open311::revoke,
        crate::open311::services::discovery,
        crate::open311::services::services,
        crate::open311::services::definition,
        crate::open311::post::post_request,
        crate::open311::read::one_request,
        crate::open311::read::list_requests,
        crate::open311::read::token,
        openapi_json,
    ),
    // Types used only in query parameters are not collected from the paths.
    components(schemas(
        CaseKind,
        Category,
        Channel,
        HandlerRef,
        RiskLevel,
        Stage,
        crate::open311::Format
    )),
    modifiers(&SessionCookie),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "org", description = "The user's town: org tree, departments, handlers"),
        (name = "cases", description = "The board, the case list, registration, the closed loop"),
        (name = "calendar", description = "The working-day calendar: holidays and make-up working days"),
        (name = "supervision", description = "Urgings (督办) and notifications"),
        (name = "clock", description = "Suspensions, extensions, the message thread and risk reports to the police station"),
        (name = "public", description = "For residents, without an account"),
        (name = "pages", description = "The public pages residents open on a phone: server-rendered HTML forms (the status look-up and rating, the online request)"),
        (name = "figures", description = "The center's figures"),
        (name = "mediation", description = "The mediation room: rooms, sessions (clashes refused, 回避), the tablet's sheet (check-in, consent, the record) saved against its version, the outcome"),
        (name = "agreements", description = "The mediation agreement (调解协议书): drafted from the case, signed by each party and the mediator against the hash of the text they were shown (a change voids every signature), sealed, in effect; or an oral agreement recorded; then the judicial confirmation and the performance"),
        (name = "logs", description = "The reception log (来访接待: every visitor, a group of five or more flagged) and the service log (legal and psychological services given), each entry optionally naming its case"),
        (name = "grid", description = "The grid (网格): who covers which village, area and group with its history, gaps and households; the grid workers' visits (民情走访) from the phone, which become cases settled on the spot or reported; a grid worker's own units and their open cases"),
        (name = "roster", description = "The mediator roster: mediators and village legal helpers (法律明白人) with the selection standards recorded, the committee they serve, appointment, trainings, load and satisfaction"),
        (name = "meetings", description = "Joint meetings (联席会议) with the departments: the agenda drawn from the cases that need it, decisions that become urgings, the minutes, 三调对接"),
        (name = "ledger", description = "The ledger (矛盾纠纷排查化解台账) as CSV and XLSX: the case list's filter, every match, streamed; each export is in the audit log"),
        (name = "admin", description = "The administrator's settings: the org tree (typed, or imported from a CSV/XLSX sheet checked whole first), departments and service rooms, accounts (created, edited, deactivated, passwords reset to one-time ones), the audit log of those changes, Open311 clients and their API keys"),
        (name = "open311", description = "Open311 GeoReport v2 for other software (a county hotline, a city app): answers in JSON or XML as the path's extension says, errors as the specification's list of code and description. Posting needs an API key the administrator issued"),
        (name = "county", description = "One county, many towns: the towns, the county dashboard by town (county officers), a case's transfer to another town's center (wrong jurisdiction), a town's escalation to the county (上报县级) and the county's instruction (县级批示)"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Adds the session cookie as the `session` security scheme.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
            );
    }
}

/// `/openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// The document as JSON, built once.
fn document() -> Bytes {
    static DOC: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .map(Bytes::from)
            .unwrap_or_default()
    })
    .clone()
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content(("application/json")))),
)]
pub(crate) async fn openapi_json() -> Response {
    ([(CONTENT_TYPE, "application/json")], document()).into_response()
}
