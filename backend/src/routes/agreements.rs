//! The mediation agreement of a case (`shared::agreement`): `GET /cases/{id}/agreement` (the
//! agreement, or the template a new draft starts from), `PUT` (draft or change the written
//! text, against its version: a change voids every signature), `…/oral` (record an oral
//! agreement instead — never for a labour dispute), `…/signatures` (a party or the mediator
//! signs, carrying the hash of the text they were shown), `…/seal` (the committee's seal),
//! `…/confirmation` (the judicial confirmation: applied, court, ruling) and `…/performance`.
//!
//! Drafting, signing and sealing are the case's handler's, the lead's and the mediators' of its
//! sessions, while the case is in handling; what follows the agreement (confirmation,
//! performance) is recorded also after it closed. Whoever reads the case reads its agreement;
//! the parties' particulars, the names in the text and the drawn signatures are masked for
//! readers who may not see the parties.

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Datelike;
use shared::agreement::{
    self as rules, Agreement, AgreementParty, AgreementText, CaseAgreement, Confirmation,
    NewSignature, PerformanceRecord, RecordConfirmation, RecordOral, RecordPerformance,
    SaveAgreement, Signature, Signer,
};
use shared::model::{
    AgreementForm, AgreementStatus, EventKind, OrgLevel, Party, PartyKind, Role, SignMethod, Stage,
};
use shared::privacy::{Redactor, mask_name, mask_party};
use shared::workflow::{Act, CaseFacts};
use shared::{ApiError, ErrorKind, FieldError, Lang, Reason};
use sqlx::AnyConnection;

use crate::auth::CurrentUser;
use crate::db::agreements::{self as dba, AgreementRow, NewAgreement, NewSignatureRow};
use crate::db::cases::CaseRow;
use crate::db::mediation::{self as dbm, Which};
use crate::db::{self};
use crate::error::{AppError, AppJson, AppResult, IdPath, RequestLang};
use crate::routes::clock::{conflict, event};
use crate::routes::now_ms;
use crate::state::{AccessEntry, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/agreement", get(read).put(save))
        .route("/cases/{id}/agreement.pdf", get(pdf))
        .route("/cases/{id}/agreement/oral", post(record_oral))
        .route("/cases/{id}/agreement/signatures", post(sign))
        .route("/cases/{id}/agreement/seal", post(seal))
        .route("/cases/{id}/agreement/confirmation", put(confirm))
        .route("/cases/{id}/agreement/performance", put(perform))
        .route("/cases/{id}/follow-ups", get(follow_ups))
        .route("/cases/{id}/follow-ups/{follow_up}", put(record_follow_up))
}

/// What the reader may do with a case's agreement.
struct Access {
    /// Sees the parties unmasked (may see the case's parties, or mediates one of its sessions).
    sees_parties: bool,
    /// May draft, sign, seal and record what followed.
    may_edit: bool,
    /// The reader's seeing the parties is logged (they do not handle the case).
    logged: bool,
    /// The case is in handling (an agreement is drafted and signed only then).
    in_handling: bool,
}

async fn access(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
) -> AppResult<(CaseRow, CaseFacts, Access)> {
    let case = db::cases::by_id(conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let facts = case.facts()?;
    let mediates = dbm::summaries(conn, Which::Case(id))
        .await?
        .iter()
        .filter(|s| s.status != shared::model::SessionStatus::Cancelled)
        .any(|s| s.mediators.iter().any(|m| m.id == me.user.id));
    // `may_read` keeps to the reader's town (a county officer reads every town's, masked); a
    // session's mediator reads the cases of their own town's sessions.
    let mediates = mediates && me.actor.town_id == case.town_id;
    if !(shared::workflow::may_read(&me.actor, &facts) || mediates) {
        return Err(AppError::not_found());
    }
    let handles = facts.is_handled_by(&me.actor);
    let sees_parties = shared::privacy::may_see_parties(&me.actor, &facts) || mediates;
    let may_edit = Act::Mediate.is_permitted(&me.actor, &facts) || mediates;
    let in_handling = facts.stage == Stage::InHandling;
    Ok((
        case,
        facts,
        Access {
            sees_parties,
            may_edit,
            logged: sees_parties && !handles,
            in_handling,
        },
    ))
}

/// Logs a read of the agreement's unmasked parties by someone who does not handle the case.
async fn log_read(state: &AppState, me: &CurrentUser, id: i64, access: &Access) -> AppResult<()> {
    if access.logged {
        state
            .log_access(AccessEntry {
                case_id: id,
                user_id: me.user.id,
                at_ms: now_ms(),
                what: "agreement",
            })
            .await?;
    }
    Ok(())
}

fn not_yours(lang: Lang) -> AppError {
    ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "只有案件承办人、中心负责人或本案调解员可以制作调解协议。",
            "Only the case's handler, the lead or its mediators make the agreement.",
        ))
        .into()
}

fn field(name: &str, reason: Reason, lang: Lang) -> AppError {
    AppError::fields(vec![FieldError::new(name, reason, lang)])
}

fn other(zh: &str, en: &str) -> Reason {
    Reason::Other {
        zh: zh.into(),
        en: en.into(),
    }
}

fn not_in_handling(lang: Lang) -> AppError {
    field(
        "stage",
        other(
            "案件在办理阶段才能制作、签署调解协议。",
            "An agreement is made and signed while the case is in handling.",
        ),
        lang,
    )
}

/// SHA-256 of the signed text, in hex.
fn hash(text: &str) -> String {
    dba::text_hash(text)
}

/// The name of the case's town, and the court a draft names by default (the county's
/// people's court when the town is in a county on record).
async fn town_and_court(conn: &mut AnyConnection, town_id: i64) -> AppResult<(String, String)> {
    let town = db::org::unit(conn, town_id)
        .await?
        .ok_or_else(|| AppError::internal("a case's town is missing"))?;
    let county = match town.parent_id {
        Some(p) => db::org::unit(conn, p)
            .await?
            .filter(|u| u.level == OrgLevel::County.as_str()),
        None => None,
    };
    let court = rules::default_court(&town.name, county.as_ref().map(|c| c.name.as_str()));
    Ok((town.name, court))
}

/// A new draft's text: the case's facts and request, the default court.
fn template(case: &CaseRow, court: String) -> AgreementText {
    AgreementText {
        facts: case.facts.clone(),
        disputes: case.request.clone(),
        court,
        ..AgreementText::default()
    }
}

/// The agreement as `access` may see it.
async fn build(
    conn: &mut AnyConnection,
    row: &AgreementRow,
    access: &Access,
) -> AppResult<Agreement> {
    let parties = db::cases::parties(conn, row.case_id).await?;
    let mut text = row.text()?;
    let signed = rules::signed_text(&row.number, &row.committee, &parties, &text);
    let mut text_hash = hash(&signed);
    let form = row.form()?;
    let mut signatures = Vec::new();
    for s in dba::signatures(conn, row.case_id).await? {
        signatures.push(Signature {
            signer: s.signer()?,
            name: s.name.clone(),
            method: s.method()?,
            strokes: s.strokes()?,
            signed_at: s.signed_at,
            recorded_by: s.recorded_by.clone(),
            matches: s.text_hash == text_hash,
            text_hash: s.text_hash,
        });
    }
    let valid: Vec<Signer> = signatures
        .iter()
        .filter(|s| s.matches)
        .map(|s| s.signer)
        .collect();
    let effective_on = row.effective_on()?;
    let status = if form == AgreementForm::Oral || effective_on.is_some() {
        AgreementStatus::InEffect
    } else {
        rules::status_of(&parties, &valid, row.sealed_at.is_some())
    };
    let unsigned = if form == AgreementForm::Written {
        rules::signatories(&parties)
            .into_iter()
            .filter(|s| !valid.contains(s))
            .collect()
    } else {
        Vec::new()
    };
    let masked = !access.sees_parties;
    let mut signed_text = signed;
    let mut shown_parties: Vec<AgreementParty> = parties
        .iter()
        .enumerate()
        .map(|(i, p)| AgreementParty {
            position: i as u32,
            party: p.clone(),
            representative: text.representative(i as u32).map(str::to_owned),
        })
        .collect();
    if masked {
        let redactor = Redactor::for_names(
            parties
                .iter()
                .filter(|p| p.kind != PartyKind::Organisation)
                .map(|p| p.name.as_str())
                .chain(text.representatives.iter().map(|r| r.name.as_str())),
        );
        for p in &mut shown_parties {
            p.party = mask_party(&p.party);
            p.representative = p.representative.as_deref().map(mask_name);
        }
        for r in &mut text.representatives {
            r.name = mask_name(&r.name);
        }
        for t in [
            &mut text.facts,
            &mut text.disputes,
            &mut text.responsibility,
            &mut text.performance_manner,
            &mut text.performance_place,
            &mut text.court,
        ] {
            *t = redactor.redact(t);
        }
        for term in &mut text.terms {
            term.text = redactor.redact(&term.text);
        }
        // The text as this reader may read it: the masked parties (no address, age or
        // occupation) and the redacted elements — never the unmasked text with names replaced.
        let masked_parties: Vec<Party> = parties.iter().map(mask_party).collect();
        signed_text = redactor.redact(&rules::signed_text(
            &row.number,
            &row.committee,
            &masked_parties,
            &text,
        ));
        // The hashes would let a guess at a name be checked offline; this reader never signs.
        text_hash = String::new();
        for s in &mut signatures {
            if matches!(s.signer, Signer::Party { .. }) {
                s.name = mask_name(&s.name);
            }
            s.strokes.clear();
            s.text_hash = String::new();
        }
    }
    let written = form == AgreementForm::Written;
    Ok(Agreement {
        case_id: row.case_id,
        form,
        status,
        number: row.number.clone(),
        committee: row.committee.clone(),
        copies: rules::copies(&parties),
        parties: shown_parties,
        signed_text,
        text_hash,
        signatures,
        unsigned,
        sealed_at: row.sealed_at,
        sealed_by: row.sealed_by.clone(),
        effective_on,
        voided: u32::try_from(row.voided).unwrap_or(0),
        confirmation: Confirmation {
            apply_by: effective_on
                .filter(|_| written)
                .map(rules::confirmation_deadline),
            applied_on: row.applied_on()?,
            court: row.confirm_court.clone(),
            ruling: row.ruling()?,
            ruled_on: row.ruled_on()?,
        },
        performance: PerformanceRecord {
            due: text.performance_due,
            state: row.performance()?,
            recorded_on: row.performance_on()?,
            note: if masked {
                String::new()
            } else {
                row.performance_note.clone()
            },
        },
        may_edit: access.may_edit,
        may_sign: access.may_edit
            && form == AgreementForm::Written
            && effective_on.is_none()
            && access.in_handling,
        version: row.version,
        text,
    })
}

#[utoipa::path(
    get,
    path = "/api/cases/{id}/agreement",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case's agreement (masked for readers who may not see the parties), or the template a new draft starts from", body = CaseAgreement),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<CaseAgreement>> {
    let mut conn = state.db.pool.acquire().await?;
    let (case, facts, access) = access(&mut conn, &me, id).await?;
    let category = case.category()?;
    let row = dba::of_case(&mut conn, id).await?;
    let may_draft = access.may_edit && facts.stage == Stage::InHandling;
    let out = match row {
        Some(row) => CaseAgreement {
            agreement: Some(build(&mut conn, &row, &access).await?),
            template: None,
            oral_allowed: rules::oral_allowed(category),
            may_edit: access.may_edit,
        },
        None => {
            let (_, court) = town_and_court(&mut conn, case.town_id).await?;
            CaseAgreement {
                agreement: None,
                template: may_draft.then(|| template(&case, court)),
                oral_allowed: rules::oral_allowed(category),
                may_edit: may_draft,
            }
        }
    };
    if out.agreement.is_some() {
        log_read(&state, &me, id, &access).await?;
    }
    Ok(Json(out))
}

#[utoipa::path(
    get,
    path = "/api/cases/{id}/agreement.pdf",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The agreement as a PDF on A4 for the case file (a CJK Song face subset into the file; masked for readers who may not see the parties)", content_type = "application/pdf"),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, no agreement yet, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server, or its PDF font is not installed (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn pdf(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<axum::response::Response> {
    use axum::http::HeaderValue;
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let agreement = {
        let mut conn = state.db.pool.acquire().await?;
        let (_, _, access) = access(&mut conn, &me, id).await?;
        let row = dba::of_case(&mut conn, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let out = build(&mut conn, &row, &access).await?;
        log_read(&state, &me, id, &access).await?;
        out
    };
    let font = state.config.pdf_font_path();
    let tz = state.config.timezone();
    let number = agreement.number.clone();
    let bytes =
        tokio::task::spawn_blocking(move || crate::agreement_pdf::render(&agreement, &font, tz))
            .await
            .map_err(|e| AppError::internal(format!("the PDF task failed: {e}")))?
            .map_err(|e| AppError::internal(e.to_string()))?;
    let name = format!("调解协议书-{number}.pdf");
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename=\"agreement-{id}.pdf\"; filename*=UTF-8''{encoded}"
    )) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The case for a change of its agreement by `me` (403 unless theirs to make), in handling
/// unless `after_close`.
async fn for_change(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    id: i64,
    after_close: bool,
    lang: Lang,
) -> AppResult<(CaseRow, Access)> {
    if !db::cases::take_for_change(conn, id).await? {
        return Err(AppError::not_found());
    }
    let (case, facts, access) = access(conn, me, id).await?;
    if !access.may_edit {
        return Err(not_yours(lang));
    }
    let open = facts.stage == Stage::InHandling
        || (after_close && matches!(facts.stage, Stage::Closed | Stage::Archived));
    if !open {
        return Err(not_in_handling(lang));
    }
    Ok((case, access))
}

/// Commits a change to a case's agreement: the timeline event, the town's revision (the board
/// and the live stream hear it), and answers the agreement as it now stands.
async fn finish(
    state: &AppState,
    mut wtx: db::WriteTx,
    me: &CurrentUser,
    case: &CaseRow,
    access: &Access,
    events: Vec<(EventKind, Vec<(String, String)>)>,
) -> AppResult<Json<Agreement>> {
    let conn = &mut wtx.tx;
    let now = now_ms();
    for (kind, details) in events {
        db::events::insert(conn, &event(me, case.id, now, kind, None, details)).await?;
    }
    let row = dba::of_case(conn, case.id)
        .await?
        .ok_or_else(|| AppError::internal("an agreement just written is missing"))?;
    let out = build(conn, &row, access).await?;
    let rev = db::cases::bump_town(conn, case.town_id).await?;
    state
        .commit_case_change(wtx, case.town_id, case.id, rev)
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    put,
    path = "/api/cases/{id}/agreement",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = SaveAgreement,
    responses(
        (status = 200, description = "Drafted (version 0) or changed; a change to a text that carried signatures or the seal voids them all, noted on the timeline", body = Agreement),
        (status = 400, description = "Not valid JSON, or a field of the wrong type", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler, the lead or the case's mediators make the agreement, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "Changed meanwhile (stale version), drafted already, in effect (no longer changed), or recorded as an oral agreement", body = ApiError),
        (status = 422, description = "A missing element or a bad value, named by field; or the case is not in handling", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn save(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<SaveAgreement>,
) -> AppResult<Json<Agreement>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (case, access) = for_change(conn, &me, id, false, lang).await?;
    let parties = db::cases::parties(conn, id).await?;
    let today = state.config.today();
    req.text
        .check(parties.len(), today, lang)
        .map_err(AppError::fields)?;
    let now = now_ms();
    let existing = dba::of_case(conn, id).await?;
    let mut events = Vec::new();
    match existing {
        None if req.version == 0 => {
            let (town, _) = town_and_court(conn, case.town_id).await?;
            let n = dba::next_number(conn, case.town_id, today.year()).await?;
            let number = rules::number(&town, today.year(), n);
            dba::insert(
                conn,
                &NewAgreement {
                    case_id: id,
                    town_id: case.town_id,
                    form: AgreementForm::Written,
                    number: &number,
                    committee: &rules::committee(&town),
                    text: &req.text,
                    effective_on: None,
                    by: me.user.id,
                    at_ms: now,
                },
            )
            .await?;
            events.push((EventKind::AgreementDrafted, vec![("number".into(), number)]));
        }
        None => {
            return Err(conflict(
                "该案件的调解协议已不存在,请刷新。",
                "The agreement is no longer there: reload.",
                lang,
            ));
        }
        Some(row) => {
            if req.version == 0 {
                return Err(conflict(
                    "已有人为本案起草了调解协议,请刷新后在其基础上修改。",
                    "Someone has drafted this case's agreement already: reload and edit it.",
                    lang,
                ));
            }
            if row.form()? == AgreementForm::Oral {
                return Err(conflict(
                    "本案已记录口头协议。",
                    "An oral agreement is recorded for this case.",
                    lang,
                ));
            }
            if row.effective_on.is_some() {
                return Err(conflict(
                    "调解协议已生效,不能再修改。",
                    "The agreement is in effect and can no longer change.",
                    lang,
                ));
            }
            let changed = row.text()? != req.text;
            let signed = !dba::signatures(conn, id).await?.is_empty() || row.sealed_at.is_some();
            let void = changed && signed;
            if !dba::save_text(conn, id, req.version, &req.text, void, now).await? {
                return Err(conflict(
                    "调解协议已在其他设备上更改,请刷新后再修改。",
                    "The agreement changed on another device: reload it, then edit.",
                    lang,
                ));
            }
            if void {
                events.push((EventKind::AgreementVoided, vec![]));
            }
        }
    }
    finish(&state, wtx, &me, &case, &access, events).await
}

#[utoipa::path(
    post,
    path = "/api/cases/{id}/agreement/oral",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = RecordOral,
    responses(
        (status = 200, description = "Recorded: an oral agreement is in effect from the day agreed", body = Agreement),
        (status = 400, description = "Not valid JSON, or a field of the wrong type", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler, the lead or the case's mediators record the agreement, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The case has an agreement already", body = ApiError),
        (status = 422, description = "A bad term or day, named by field; a labour dispute (always written); or the case is not in handling", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn record_oral(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<RecordOral>,
) -> AppResult<Json<Agreement>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (case, access) = for_change(conn, &me, id, false, lang).await?;
    if !rules::oral_allowed(case.category()?) {
        return Err(field("form", rules::labour_needs_written(), lang));
    }
    let today = state.config.today();
    let registered = crate::db::from_millis(case.registered_at)
        .with_timezone(&state.config.timezone())
        .date_naive();
    req.check(registered, today, lang)
        .map_err(AppError::fields)?;
    if dba::of_case(conn, id).await?.is_some() {
        return Err(conflict(
            "本案已有调解协议。",
            "This case has an agreement already.",
            lang,
        ));
    }
    let (town, court) = town_and_court(conn, case.town_id).await?;
    let n = dba::next_number(conn, case.town_id, today.year()).await?;
    let number = rules::number(&town, today.year(), n);
    let text = AgreementText {
        terms: req.terms.clone(),
        court,
        ..AgreementText::default()
    };
    dba::insert(
        conn,
        &NewAgreement {
            case_id: id,
            town_id: case.town_id,
            form: AgreementForm::Oral,
            number: &number,
            committee: &rules::committee(&town),
            text: &text,
            effective_on: Some(req.agreed_on),
            by: me.user.id,
            at_ms: now_ms(),
        },
    )
    .await?;
    let events = vec![(
        EventKind::OralAgreement,
        vec![
            ("number".into(), number),
            ("agreed_on".into(), req.agreed_on.to_string()),
        ],
    )];
    finish(&state, wtx, &me, &case, &access, events).await
}

/// The written agreement of a case for a signature or the seal: drafted, not yet in effect.
async fn for_signing(
    conn: &mut AnyConnection,
    id: i64,
    lang: Lang,
) -> AppResult<(AgreementRow, Vec<Party>)> {
    let row = dba::of_case(conn, id).await?.ok_or_else(|| {
        field(
            "agreement",
            other("请先起草调解协议。", "Draft the agreement first."),
            lang,
        )
    })?;
    if row.form()? == AgreementForm::Oral {
        return Err(conflict(
            "口头协议无需签名。",
            "An oral agreement is not signed.",
            lang,
        ));
    }
    if row.effective_on.is_some() {
        return Err(conflict(
            "调解协议已生效。",
            "The agreement is in effect already.",
            lang,
        ));
    }
    let parties = db::cases::parties(conn, id).await?;
    Ok((row, parties))
}

/// Marks the agreement in effect today when the last signature or the seal completed it.
async fn maybe_take_effect(
    conn: &mut AnyConnection,
    row: &AgreementRow,
    parties: &[Party],
    today: chrono::NaiveDate,
    events: &mut Vec<(EventKind, Vec<(String, String)>)>,
) -> AppResult<()> {
    let text = row.text()?;
    let current = hash(&rules::signed_text(
        &row.number,
        &row.committee,
        parties,
        &text,
    ));
    let signed: Vec<Signer> = dba::signatures(conn, row.case_id)
        .await?
        .iter()
        .filter(|s| s.text_hash == current)
        .map(|s| s.signer())
        .collect::<Result<_, _>>()?;
    let sealed = dba::of_case(conn, row.case_id)
        .await?
        .is_some_and(|r| r.sealed_at.is_some());
    if rules::status_of(parties, &signed, sealed) == AgreementStatus::InEffect {
        dba::take_effect(conn, row.case_id, today).await?;
        events.push((
            EventKind::AgreementInEffect,
            vec![("effective_on".into(), today.to_string())],
        ));
    }
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/cases/{id}/agreement/signatures",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = NewSignature,
    responses(
        (status = 200, description = "Signed; the agreement takes effect when every party and the mediator have signed and the seal is recorded", body = Agreement),
        (status = 400, description = "Not valid JSON, or a field of the wrong type", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler, the lead or the case's mediators collect signatures (the mediator's own signature only by a mediator), or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "The text changed since it was shown (another hash), this signatory has signed already, or the agreement is oral or in effect", body = ApiError),
        (status = 422, description = "No strokes, strokes out of the pad, a party who does not sign, no draft yet; or the case is not in handling", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn sign(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<NewSignature>,
) -> AppResult<Json<Agreement>> {
    req.check(lang).map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (case, access) = for_change(conn, &me, id, false, lang).await?;
    let (row, parties) = for_signing(conn, id, lang).await?;
    let name = match req.signer {
        Signer::Party { position } => {
            match parties.get(position as usize).filter(|p| rules::signs(p)) {
                Some(p) => p.name.clone(),
                None => return Err(field("signer.position", Reason::NoSuchItem, lang)),
            }
        }
        Signer::Mediator => {
            if me.user.role != Role::Mediator {
                return Err(ApiError::new(ErrorKind::Forbidden, lang)
                    .with_message(lang.pick(
                        "调解员签名须由调解员本人签署。",
                        "The mediator's signature is signed by a mediator in person.",
                    ))
                    .into());
            }
            if req.method != SignMethod::Drawn {
                return Err(field("method", Reason::NotAllowedHere, lang));
            }
            me.name().to_owned()
        }
    };
    let current = hash(&rules::signed_text(
        &row.number,
        &row.committee,
        &parties,
        &row.text()?,
    ));
    if req.text_hash != current {
        return Err(conflict(
            "协议文本已更改,请让签名人重新阅读协议后再签名。",
            "The agreement's text has changed: let the signatory read it again, then sign.",
            lang,
        ));
    }
    let now = now_ms();
    // A signature given on another text (shown as an error) gives way to this one.
    dba::void_stale(conn, id, req.signer, &current, now).await?;
    let stored = dba::sign(
        conn,
        &NewSignatureRow {
            case_id: id,
            signer: req.signer,
            name: &name,
            method: req.method,
            strokes: &req.strokes,
            text_hash: &current,
            at_ms: now,
            recorded_by: me.name(),
        },
    )
    .await?;
    if !stored {
        return Err(conflict(
            "该签名人已经签过名。",
            "This signatory has signed already.",
            lang,
        ));
    }
    dba::touch(conn, id, now).await?;
    let who = match req.signer {
        Signer::Party { position } => format!("party:{}", position + 1),
        Signer::Mediator => "mediator".to_owned(),
    };
    let mut events = vec![(
        EventKind::AgreementSigned,
        vec![
            ("signer".into(), who),
            ("method".into(), req.method.label(Lang::Zh).to_owned()),
        ],
    )];
    maybe_take_effect(conn, &row, &parties, state.config.today(), &mut events).await?;
    finish(&state, wtx, &me, &case, &access, events).await
}

#[utoipa::path(
    post,
    path = "/api/cases/{id}/agreement/seal",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The committee's seal recorded; in effect if everyone has signed", body = Agreement),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler, the lead or the case's mediators record the seal, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 409, description = "Sealed already, oral, or in effect", body = ApiError),
        (status = 422, description = "No draft yet, or the case is not in handling", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn seal(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<Agreement>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (case, access) = for_change(conn, &me, id, false, lang).await?;
    let (row, parties) = for_signing(conn, id, lang).await?;
    if !dba::seal(conn, id, me.name(), now_ms()).await? {
        return Err(conflict(
            "已加盖调委会印章。",
            "The committee's seal is recorded already.",
            lang,
        ));
    }
    let mut events = vec![(EventKind::AgreementSealed, vec![])];
    maybe_take_effect(conn, &row, &parties, state.config.today(), &mut events).await?;
    finish(&state, wtx, &me, &case, &access, events).await
}

/// The agreement in effect of a case, for what follows it.
async fn in_effect(
    conn: &mut AnyConnection,
    id: i64,
    written_only: bool,
    lang: Lang,
) -> AppResult<(AgreementRow, chrono::NaiveDate)> {
    let row = dba::of_case(conn, id).await?;
    let form = row.as_ref().map(AgreementRow::form).transpose()?;
    match row {
        Some(row) if !(written_only && form == Some(AgreementForm::Oral)) => {
            match row.effective_on()? {
                Some(day) => Ok((row, day)),
                None => Err(field(
                    "agreement",
                    other("调解协议尚未生效。", "The agreement is not in effect yet."),
                    lang,
                )),
            }
        }
        _ => Err(field(
            "agreement",
            other(
                if written_only {
                    "只有已生效的书面调解协议可以申请司法确认。"
                } else {
                    "本案没有已生效的调解协议。"
                },
                if written_only {
                    "Only a written agreement in effect can be confirmed by a court."
                } else {
                    "This case has no agreement in effect."
                },
            ),
            lang,
        )),
    }
}

#[utoipa::path(
    put,
    path = "/api/cases/{id}/agreement/confirmation",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = RecordConfirmation,
    responses(
        (status = 200, description = "The joint application (within 30 days of taking effect), its court and, once known, the ruling", body = Agreement),
        (status = 400, description = "Not valid JSON, or a field of the wrong type", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler, the lead or the case's mediators record it, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 422, description = "Outside the window, a ruling without its day, no written agreement in effect — named by field", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn confirm(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<RecordConfirmation>,
) -> AppResult<Json<Agreement>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (case, access) = for_change(conn, &me, id, true, lang).await?;
    let (_, effective_on) = in_effect(conn, id, true, lang).await?;
    req.check(effective_on, state.config.today(), lang)
        .map_err(AppError::fields)?;
    dba::confirm(
        conn,
        id,
        req.applied_on,
        req.court.trim(),
        req.ruling,
        req.ruled_on,
        now_ms(),
    )
    .await?;
    let mut details = vec![
        ("applied_on".into(), req.applied_on.to_string()),
        ("court".into(), req.court.trim().to_owned()),
    ];
    if let Some(r) = req.ruling {
        details.push(("ruling".into(), r.label(Lang::Zh).to_owned()));
    }
    let events = vec![(EventKind::ConfirmationRecorded, details)];
    finish(&state, wtx, &me, &case, &access, events).await
}

#[utoipa::path(
    put,
    path = "/api/cases/{id}/agreement/performance",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = RecordPerformance,
    responses(
        (status = 200, description = "Performed, partly performed (with a note) or not performed (with a note), as of today", body = Agreement),
        (status = 400, description = "Not valid JSON, or a field of the wrong type", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the handler, the lead or the case's mediators record it, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 422, description = "A missing note, or no agreement in effect — named by field", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn perform(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<RecordPerformance>,
) -> AppResult<Json<Agreement>> {
    req.check(lang).map_err(AppError::fields)?;
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    let (case, access) = for_change(conn, &me, id, true, lang).await?;
    in_effect(conn, id, false, lang).await?;
    let today = state.config.today();
    dba::perform(conn, id, req.state, req.note.trim(), today, now_ms()).await?;
    let events = vec![(
        EventKind::PerformanceRecorded,
        vec![("performance".into(), req.state.label(Lang::Zh).to_owned())],
    )];
    finish(&state, wtx, &me, &case, &access, events).await
}

/// Whether `me` records a case's follow-ups: the lead, the clerks, the case's handler.
fn may_follow_up(me: &CurrentUser, facts: &CaseFacts) -> bool {
    matches!(me.user.role, Role::Lead | Role::Clerk) || facts.is_handled_by(&me.actor)
}

/// A case's follow-ups as `me` may see them.
async fn follow_ups_of(
    conn: &mut AnyConnection,
    me: &CurrentUser,
    case: &CaseRow,
    facts: &CaseFacts,
    sees_parties: bool,
) -> AppResult<shared::agreement::CaseFollowUps> {
    let rows = dba::follow_ups(conn, case.id).await?;
    let redactor = if sees_parties {
        None
    } else {
        let parties = db::cases::parties(conn, case.id).await?;
        let representatives: Vec<String> = match dba::of_case(conn, case.id).await? {
            Some(a) => a
                .text()?
                .representatives
                .into_iter()
                .map(|r| r.name)
                .collect(),
            None => Vec::new(),
        };
        Some(Redactor::for_names(
            parties
                .iter()
                .filter(|p| p.kind != PartyKind::Organisation)
                .map(|p| p.name.as_str())
                .chain(representatives.iter().map(String::as_str)),
        ))
    };
    let mut list = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut f = r.follow_up()?;
        if let Some(red) = &redactor {
            f.risks = red.redact(&f.risks);
        }
        list.push(f);
    }
    let dissatisfied = list
        .iter()
        .rev()
        .find(|f| f.done_on.is_some())
        .is_some_and(|f| f.satisfaction == Some(shared::model::Satisfaction::Dissatisfied));
    Ok(shared::agreement::CaseFollowUps {
        may_record: may_follow_up(me, facts)
            && matches!(facts.stage, Stage::Closed | Stage::Archived),
        may_reopen: dissatisfied && me.user.role == Role::Lead && facts.stage == Stage::Closed,
        follow_ups: list,
    })
}

#[utoipa::path(
    get,
    path = "/api/cases/{id}/follow-ups",
    tag = "agreements",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case's follow-up visits (回访), earliest first: one scheduled at each closing", body = shared::agreement::CaseFollowUps),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 404, description = "No such case, or not visible to this user", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn follow_ups(
    State(state): State<AppState>,
    me: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Json<shared::agreement::CaseFollowUps>> {
    let mut conn = state.db.pool.acquire().await?;
    let (case, facts, access) = access(&mut conn, &me, id).await?;
    let out = follow_ups_of(&mut conn, &me, &case, &facts, access.sees_parties).await?;
    if out.follow_ups.iter().any(|f| !f.risks.is_empty()) {
        log_read(&state, &me, id, &access).await?;
    }
    Ok(Json(out))
}

#[utoipa::path(
    put,
    path = "/api/cases/{id}/follow-ups/{follow_up}",
    tag = "agreements",
    params(
        ("id" = i64, Path, description = "The case's id"),
        ("follow_up" = i64, Path, description = "The follow-up's id"),
    ),
    request_body = shared::agreement::RecordFollowUp,
    responses(
        (status = 200, description = "Recorded (a second record corrects the first); a dissatisfied one tells the leads, who may reopen the case", body = shared::agreement::CaseFollowUps),
        (status = 400, description = "Not valid JSON, or a field of the wrong type", body = ApiError),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the lead, the clerks or the case's handler record follow-ups, or the request came from another site", body = ApiError),
        (status = 404, description = "No such case or follow-up, or not visible to this user", body = ApiError),
        (status = 413, description = "The body is larger than 256 KiB", body = ApiError),
        (status = 422, description = "A day outside closing..today, risks missing for a dissatisfied visit, or the case is not closed — named by field", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn record_follow_up(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    crate::routes::supervision::TwoIds(id, follow_up): crate::routes::supervision::TwoIds,
    AppJson(req): AppJson<shared::agreement::RecordFollowUp>,
) -> AppResult<Json<shared::agreement::CaseFollowUps>> {
    let mut wtx = state.db.begin_write().await?;
    let conn = &mut wtx.tx;
    if !db::cases::take_for_change(conn, id).await? {
        return Err(AppError::not_found());
    }
    let (case, facts, access) = access(conn, &me, id).await?;
    if !may_follow_up(&me, &facts) {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "只有中心负责人、受理员或案件承办人可以记录回访。",
                "Only the lead, the clerks or the case's handler record a follow-up.",
            ))
            .into());
    }
    if !matches!(facts.stage, Stage::Closed | Stage::Archived) {
        return Err(field(
            "stage",
            other(
                "案件办结后才能回访。",
                "A follow-up is made once the case is closed.",
            ),
            lang,
        ));
    }
    let row = dba::follow_up(conn, id, follow_up)
        .await?
        .ok_or_else(AppError::not_found)?;
    req.check(row.closed_on()?, state.config.today(), lang)
        .map_err(AppError::fields)?;
    let now = now_ms();
    dba::record_follow_up(
        conn,
        follow_up,
        req.done_on,
        req.way,
        req.satisfaction,
        req.risks.trim(),
        me.name(),
        now,
    )
    .await?;
    if req.satisfaction == shared::model::Satisfaction::Dissatisfied {
        let leads = db::supervision::leads_of(conn, case.town_id).await?;
        let text = format!("案件 {} 回访不满意,可重新办理。", case.code);
        db::supervision::notify(
            conn,
            &leads,
            Some(id),
            shared::model::NotificationKind::FollowUpDissatisfied,
            &text,
            now,
        )
        .await?;
    }
    let risks = req.risks.trim();
    db::events::insert(
        conn,
        &event(
            &me,
            id,
            now,
            EventKind::FollowUpRecorded,
            (!risks.is_empty()).then_some(risks),
            vec![
                ("way".into(), req.way.label(Lang::Zh).to_owned()),
                (
                    "satisfaction".into(),
                    req.satisfaction.label(Lang::Zh).to_owned(),
                ),
            ],
        ),
    )
    .await?;
    let out = follow_ups_of(conn, &me, &case, &facts, access.sees_parties).await?;
    let rev = db::cases::bump_town(conn, case.town_id).await?;
    state
        .commit_case_change(wtx, case.town_id, case.id, rev)
        .await?;
    Ok(Json(out))
}

/// Schedules the follow-up of a case that has just closed (in the closing's transaction): a
/// week on, or the day after its agreement's performance deadline.
pub(crate) async fn schedule_follow_up(
    conn: &mut AnyConnection,
    case_id: i64,
    town_id: i64,
    today: chrono::NaiveDate,
) -> AppResult<()> {
    let performance_due = match dba::of_case(conn, case_id).await? {
        Some(a) if a.effective_on.is_some() => a.text()?.performance_due,
        _ => None,
    };
    let due = rules::follow_up_due(today, performance_due);
    dba::schedule_follow_up(conn, case_id, town_id, today, due).await?;
    Ok(())
}
