//! Cases and their parties: insert, read (with the names of their place and handler joined in
//! one query), stage updates guarded by `version`, the board's rows, the filtered and paged
//! list, the public look-up by code, archive numbers and the per-town revision counter.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{CaseFilter, CaseListItem, NewParty};
use shared::calendar::Calendar;
use shared::deadline::{Clock, ClockRule, DueExplained, Pause};
use shared::figures::{IN_PERSON_CHANNELS, SERVICE_KINDS};
use shared::model::{
    CaseCard, CaseDetail, CaseKind, CaseRating, CaseSort, Category, Channel, Extension, HandlerRef,
    LegalRoute, Outcome, Party, ReturnNote, RiskFlag, RiskLevel, Satisfaction, Stage, Suspension,
    Timeliness, Urging,
};
use shared::privacy::{PartyView, Redactor, mask_party};
use shared::repeats::{id_key, phone_key};
use shared::workflow::{Actor, CaseFacts, CaseState};
use sqlx::{AnyConnection, FromRow};

use super::clock::CaseExtras;
use super::{Arg, SqlBuilder, corrupt, date_text, from_millis, parse_date, parse_enum};

/// A serde enum's wire name (for `Track`, `DayUnit`, which have no `as_str`).
pub fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A serde enum from its wire name.
pub fn from_wire<T: DeserializeOwned>(what: &str, s: &str) -> Result<T, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| corrupt(format!("unknown {what} `{s}` in the database")))
}

/// Handler as two columns: kind (`mediator` / `department`) and id.
pub fn handler_columns(handler: Option<HandlerRef>) -> (Option<&'static str>, Option<i64>) {
    match handler {
        Some(HandlerRef::Mediator(id)) => (Some("mediator"), Some(id)),
        Some(HandlerRef::Department(id)) => (Some("department"), Some(id)),
        None => (None, None),
    }
}

pub fn handler_of(kind: Option<&str>, id: Option<i64>) -> Result<Option<HandlerRef>, sqlx::Error> {
    match (kind, id) {
        (Some("mediator"), Some(id)) => Ok(Some(HandlerRef::Mediator(id))),
        (Some("department"), Some(id)) => Ok(Some(HandlerRef::Department(id))),
        (None, _) => Ok(None),
        (Some(k), _) => Err(corrupt(format!("unknown handler kind `{k}`"))),
    }
}

pub(crate) fn join_list<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn split_list<T: std::str::FromStr>(what: &str, s: &str) -> Result<Vec<T>, sqlx::Error> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| parse_enum(what, p))
        .collect()
}

/// A new case as stored at registration.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub code: &'a str,
    pub town_id: i64,
    pub kind: CaseKind,
    pub category: Category,
    pub channel: Channel,
    pub risk: RiskLevel,
    pub risk_flags: &'a [RiskFlag],
    pub summary: &'a str,
    pub facts: &'a str,
    pub request: &'a str,
    pub village_id: i64,
    pub area_id: Option<i64>,
    pub group_id: Option<i64>,
    pub stage: Stage,
    pub outcome: Option<Outcome>,
    pub outcome_summary: Option<&'a str>,
    pub clock: Clock,
    pub due_on: NaiveDate,
    pub registered_at_ms: i64,
    pub registered_by: i64,
    pub closed_at_ms: Option<i64>,
    pub applicant_last4: &'a str,
}

/// Whether a case code is taken.
pub async fn code_exists(conn: &mut AnyConnection, code: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE code = $1")
        .bind(code)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Stores a new case; returns its id.
pub async fn insert(conn: &mut AnyConnection, c: &NewCase<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO cases (code, town_id, kind, category, channel, risk, risk_flags, summary, \
         facts, request, village_id, area_id, group_id, stage, outcome, outcome_summary, \
         clock_track, clock_days, clock_unit, clock_started_on, paused_days, extension_days, \
         due_on, registered_at, registered_by, closed_at, applicant_last4, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, 1) RETURNING id",
    )
    .bind(c.code)
    .bind(c.town_id)
    .bind(c.kind.as_str())
    .bind(c.category.as_str())
    .bind(c.channel.as_str())
    .bind(c.risk.as_str())
    .bind(join_list(c.risk_flags))
    .bind(c.summary)
    .bind(c.facts)
    .bind(c.request)
    .bind(c.village_id)
    .bind(c.area_id)
    .bind(c.group_id)
    .bind(c.stage.as_str())
    .bind(c.outcome.map(Outcome::as_str))
    .bind(c.outcome_summary)
    .bind(wire(&c.clock.rule.track))
    .bind(i64::from(c.clock.rule.days))
    .bind(wire(&c.clock.rule.unit))
    .bind(date_text(c.clock.started_on))
    .bind(i64::from(c.clock.paused_days(c.clock.started_on)))
    .bind(i64::from(c.clock.extension_days))
    .bind(date_text(c.due_on))
    .bind(c.registered_at_ms)
    .bind(c.registered_by)
    .bind(c.closed_at_ms)
    .bind(c.applicant_last4)
    .fetch_one(conn)
    .await
}

/// Records the resident's rating of a closed case, if it has none yet: one conditional
/// statement, so of two ratings sent together exactly one is kept. Bumps the version (the
/// case changed). Returns false when the case is not closed or is rated already.
pub async fn rate(
    conn: &mut AnyConnection,
    case_id: i64,
    satisfaction: Satisfaction,
    comment: Option<&str>,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE cases SET rating = $1, rating_comment = $2, rated_at = $3, version = version + 1 \
         WHERE id = $4 AND rating IS NULL AND stage IN ('closed', 'archived')",
    )
    .bind(satisfaction.as_str())
    .bind(comment)
    .bind(at_ms)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The cases of a town closed in `[from_ms, to_ms)` (either end open when `None`) and how
/// their residents rated them: `(closed, [satisfied, basically satisfied, dissatisfied])`.
pub async fn satisfaction_counts(
    conn: &mut AnyConnection,
    town_id: i64,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
) -> Result<(u64, [u64; 3]), sqlx::Error> {
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT rating, COUNT(*) FROM cases WHERE town_id = $1 \
         AND stage IN ('closed', 'archived') AND closed_at IS NOT NULL \
         AND closed_at >= $2 AND closed_at < $3 GROUP BY rating",
    )
    .bind(town_id)
    .bind(from_ms.unwrap_or(i64::MIN))
    .bind(to_ms.unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await?;
    let mut closed = 0;
    let mut counts = [0u64; 3];
    for (rating, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        closed += n;
        let rating = rating
            .as_deref()
            .map(|r| parse_enum::<Satisfaction>("rating", r))
            .transpose()?;
        match rating {
            Some(Satisfaction::Satisfied) => counts[0] += n,
            Some(Satisfaction::Basic) => counts[1] += n,
            Some(Satisfaction::Dissatisfied) => counts[2] += n,
            None => {}
        }
    }
    Ok((closed, counts))
}

/// Records the query code of a case none of whose applicants gave a phone.
pub async fn set_query_code(
    conn: &mut AnyConnection,
    case_id: i64,
    query_code: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET query_code = $1 WHERE id = $2")
        .bind(query_code)
        .bind(case_id)
        .execute(conn)
        .await
        .map(drop)
}

/// The query code of a case (none when an applicant gave a phone).
pub async fn query_code(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT query_code FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(conn)
        .await
}

/// Stores one party of a case.
pub async fn insert_party(
    conn: &mut AnyConnection,
    case_id: i64,
    position: usize,
    p: &NewParty,
) -> Result<(), sqlx::Error> {
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    sqlx::query(
        "INSERT INTO parties (case_id, position, side, kind, name, gender, ethnicity, age, \
         occupation, id_number, phone, address, phone_key, id_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(case_id)
    .bind(i64::try_from(position).unwrap_or(i64::MAX))
    .bind(p.side.as_str())
    .bind(p.kind.as_str())
    .bind(p.name.trim())
    .bind(p.gender.map(|g| g.as_str()))
    .bind(trimmed(&p.ethnicity))
    .bind(p.age.map(i64::from))
    .bind(trimmed(&p.occupation))
    .bind(trimmed(&p.id_number).map(|s| s.to_ascii_uppercase()))
    .bind(trimmed(&p.phone))
    .bind(trimmed(&p.address))
    .bind(p.phone.as_deref().and_then(phone_key))
    .bind(p.id_number.as_deref().and_then(id_key))
    .execute(conn)
    .await?;
    Ok(())
}

/// A case as stored, with the names of its place, handler and registrar.
#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub code: String,
    pub town_id: i64,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub risk: String,
    pub risk_flags: String,
    pub summary: String,
    pub facts: String,
    pub request: String,
    pub village_id: i64,
    pub area_id: Option<i64>,
    pub group_id: Option<i64>,
    pub village_name: String,
    pub area_name: Option<String>,
    pub group_name: Option<String>,
    pub stage: String,
    pub handler_kind: Option<String>,
    pub handler_id: Option<i64>,
    pub handler_name: Option<String>,
    pub cooperating: String,
    pub outcome: Option<String>,
    pub outcome_summary: Option<String>,
    pub route_told: Option<String>,
    pub archive_no: Option<String>,
    pub clock_track: String,
    pub clock_days: i64,
    pub clock_unit: String,
    pub clock_started_on: String,
    pub paused_days: i64,
    pub extension_days: i64,
    pub due_on: String,
    pub registered_at: i64,
    pub registered_by_name: String,
    pub routed_at: Option<i64>,
    pub handling_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub archived_at: Option<i64>,
    pub applicant_last4: String,
    pub version: i64,
    pub response_due_on: Option<String>,
    pub returned_by: Option<String>,
    pub return_reason: Option<String>,
    /// While suspended: the day the clock stopped.
    pub suspended_on: Option<String>,
    /// Urgings not yet acknowledged.
    pub open_urgings: i64,
    /// The resident's rating (`Satisfaction`), its comment and when (ms), once given.
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<i64>,
    /// The earlier case this one repeats (its id and code), if linked.
    pub repeat_of: Option<i64>,
    pub repeat_of_code: Option<String>,
    /// The name its category had at registration, if renamed by then.
    pub category_zh: Option<String>,
    pub category_en: Option<String>,
}

/// A case's own category name from its two columns.
fn category_name(
    zh: Option<&String>,
    en: Option<&String>,
) -> Option<shared::categories::CategoryName> {
    zh.zip(en).map(|(zh, en)| shared::categories::CategoryName {
        zh: zh.clone(),
        en: en.clone(),
    })
}

const CASE_SELECT: &str = "SELECT c.id, c.code, c.town_id, c.kind, c.category, c.channel, \
    c.risk, c.risk_flags, c.summary, c.facts, c.request, c.village_id, c.area_id, c.group_id, \
    v.name AS village_name, a.name AS area_name, g.name AS group_name, c.stage, \
    c.handler_kind, c.handler_id, COALESCE(hu.display_name, hd.name) AS handler_name, \
    c.cooperating, c.outcome, c.outcome_summary, c.route_told, c.archive_no, c.clock_track, \
    c.clock_days, c.clock_unit, c.clock_started_on, c.paused_days, c.extension_days, c.due_on, \
    c.registered_at, ru.display_name AS registered_by_name, c.routed_at, c.handling_at, \
    c.closed_at, c.archived_at, c.applicant_last4, c.version, c.response_due_on, \
    c.returned_by, c.return_reason, c.suspended_on, c.rating, c.rating_comment, c.rated_at, \
    (SELECT COUNT(*) FROM case_urgings u WHERE u.case_id = c.id \
     AND u.acknowledged_at IS NULL) AS open_urgings, \
    c.repeat_of, (SELECT r.code FROM cases r WHERE r.id = c.repeat_of) AS repeat_of_code, \
    c.category_zh, c.category_en \
    FROM cases c \
    JOIN org_units v ON v.id = c.village_id \
    LEFT JOIN org_units a ON a.id = c.area_id \
    LEFT JOIN org_units g ON g.id = c.group_id \
    LEFT JOIN users hu ON c.handler_kind = 'mediator' AND hu.id = c.handler_id \
    LEFT JOIN departments hd ON c.handler_kind = 'department' AND hd.id = c.handler_id \
    JOIN users ru ON ru.id = c.registered_by ";

/// One case by id.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    sqlx::query_as(&format!("{CASE_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The id of the case with this code.
pub async fn id_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM cases WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// Takes a case for a change: bumps its version, which on PostgreSQL also holds the row's
/// lock until the transaction ends, so that two changes of one case run one after the other
/// (on SQLite the write lock does that already). Returns false when there is no such case.
pub async fn take_for_change(conn: &mut AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("UPDATE cases SET version = version + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// The town of a case.
pub async fn town_of(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT town_id FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

impl CaseRow {
    /// The case's stage.
    pub fn stage(&self) -> Result<Stage, sqlx::Error> {
        parse_enum("stage", &self.stage)
    }

    /// The case's lead handler.
    pub fn handler(&self) -> Result<Option<HandlerRef>, sqlx::Error> {
        handler_of(self.handler_kind.as_deref(), self.handler_id)
    }

    /// The case's category.
    pub fn category(&self) -> Result<shared::model::Category, sqlx::Error> {
        parse_enum("category", &self.category)
    }

    /// What the rules need to know of the case.
    pub fn facts(&self) -> Result<CaseFacts, sqlx::Error> {
        Ok(CaseFacts {
            town_id: self.town_id,
            category: self.category()?,
            stage: self.stage()?,
            handler: self.handler()?,
            cooperating: split_list("handler", &self.cooperating)?,
        })
    }

    /// The case's risk flags.
    pub fn risk_flags(&self) -> Result<Vec<RiskFlag>, sqlx::Error> {
        split_list("risk flag", &self.risk_flags)
    }

    /// The stored due date.
    pub fn due_on(&self) -> Result<NaiveDate, sqlx::Error> {
        parse_date(&self.due_on)
    }

    /// "Village / area / group".
    pub fn place(&self) -> String {
        let mut place = self.village_name.clone();
        for part in [&self.area_name, &self.group_name].into_iter().flatten() {
            place.push_str(" / ");
            place.push_str(part);
        }
        place
    }

    /// The case's clock: the rule it started with, its start, its extensions, and the
    /// `pauses` of its suspensions (`db::clock`).
    pub fn clock(&self, pauses: Vec<Pause>) -> Result<Clock, sqlx::Error> {
        let mut clock = clock_of(
            &self.clock_track,
            self.clock_days,
            &self.clock_unit,
            &self.clock_started_on,
            self.extension_days,
        )?;
        clock.pauses = pauses;
        Ok(clock)
    }

    /// The case's due date and how it came about, on `calendar`.
    pub fn explain_due(
        &self,
        pauses: Vec<Pause>,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<DueExplained, sqlx::Error> {
        Ok(self.clock(pauses)?.explain(calendar, today))
    }

    /// The case as the case page shows it. `parties` are the stored (unmasked) parties; when
    /// `masked`, they are masked and so is the free text (`shared::privacy::Redactor`).
    /// The resident's rating and when it was given, once given.
    pub fn rating(&self) -> Result<Option<(Satisfaction, i64)>, sqlx::Error> {
        match (&self.rating, self.rated_at) {
            (Some(r), Some(at)) => Ok(Some((parse_enum("rating", r)?, at))),
            _ => Ok(None),
        }
    }

    pub fn into_detail(
        self,
        parties: &[Party],
        extras: &CaseExtras,
        masked: bool,
        due_explained: DueExplained,
    ) -> Result<CaseDetail, sqlx::Error> {
        let redactor = masked.then(|| Redactor::for_parties(parties));
        let text = |t: &str| match &redactor {
            Some(r) => r.redact(t),
            None => t.to_owned(),
        };
        let parties_masked = masked;
        let parties = if masked {
            parties.iter().map(mask_party).collect()
        } else {
            parties.to_vec()
        };
        let clock = self.clock(Vec::new())?.rule;
        Ok(CaseDetail {
            id: self.id,
            code: self.code.clone(),
            town_id: self.town_id,
            kind: parse_enum("kind", &self.kind)?,
            category: parse_enum("category", &self.category)?,
            channel: parse_enum("channel", &self.channel)?,
            risk: parse_enum("risk", &self.risk)?,
            risk_flags: self.risk_flags()?,
            summary: text(&self.summary),
            facts: text(&self.facts),
            request: text(&self.request),
            village_id: self.village_id,
            area_id: self.area_id,
            group_id: self.group_id,
            place: self.place(),
            stage: self.stage()?,
            handler: self.handler()?,
            handler_name: self.handler_name.clone(),
            cooperating: split_list("handler", &self.cooperating)?,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| parse_enum::<Outcome>("outcome", o))
                .transpose()?,
            outcome_summary: self.outcome_summary.as_deref().map(text),
            route_told: self
                .route_told
                .as_deref()
                .map(|r| parse_enum::<LegalRoute>("route", r))
                .transpose()?,
            archive_no: self.archive_no.clone(),
            rating: self.rating()?.map(|(satisfaction, at)| CaseRating {
                satisfaction,
                comment: self.rating_comment.as_deref().map(text),
                at: from_millis(at),
            }),
            clock,
            due_on: self.due_on()?,
            due_explained,
            awaiting_until: self
                .response_due_on
                .as_deref()
                .map(parse_date)
                .transpose()?,
            returned: self.returned_by.clone().map(|by| ReturnNote {
                by,
                reason: self.return_reason.as_deref().map(text),
            }),
            urgings: extras
                .urgings
                .iter()
                .map(|u| Urging {
                    what: text(&u.what),
                    ..u.clone()
                })
                .collect(),
            suspensions: extras
                .suspensions
                .iter()
                .map(|p| Suspension {
                    reason: text(&p.reason),
                    ..p.clone()
                })
                .collect(),
            extensions: extras
                .extensions
                .iter()
                .map(|e| Extension {
                    reason: text(&e.reason),
                    decision: e.decision.as_deref().map(text),
                    ..e.clone()
                })
                .collect(),
            extension_rule: clock.track.extension(),
            police_notice: extras.police_notice.clone(),
            registered_at: from_millis(self.registered_at),
            registered_by: self.registered_by_name.clone(),
            routed_at: self.routed_at.map(from_millis),
            handling_at: self.handling_at.map(from_millis),
            closed_at: self.closed_at.map(from_millis),
            archived_at: self.archived_at.map(from_millis),
            parties,
            parties_masked,
            repeat_of: self
                .repeat_of
                .zip(self.repeat_of_code.clone())
                .map(|(id, code)| shared::repeats::CaseRef { id, code }),
            repeated_by: extras.repeated_by.clone(),
            grid: extras.grid.clone(),
            town: extras.town.clone(),
            category_name: category_name(self.category_zh.as_ref(), self.category_en.as_ref()),
            county: extras
                .county
                .iter()
                .map(|e| shared::county::CountyEscalation {
                    reason: text(&e.reason),
                    instruction: e.instruction.as_deref().map(text),
                    ..e.clone()
                })
                .collect(),
            version: self.version,
        })
    }
}

#[derive(Debug, FromRow)]
struct PartyRow {
    case_id: i64,
    side: String,
    kind: String,
    name: String,
    gender: Option<String>,
    ethnicity: Option<String>,
    age: Option<i64>,
    occupation: Option<String>,
    id_number: Option<String>,
    phone: Option<String>,
    address: Option<String>,
}

/// The parties of a case, unmasked, in the order entered.
pub async fn parties(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<Party>, sqlx::Error> {
    Ok(parties_of_cases(conn, &[case_id])
        .await?
        .remove(&case_id)
        .unwrap_or_default())
}

/// The parties of each of some cases, unmasked, in the order entered (a case without
/// parties has no entry).
pub async fn parties_of_cases(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<HashMap<i64, Vec<Party>>, sqlx::Error> {
    let mut out: HashMap<i64, Vec<Party>> = HashMap::new();
    for chunk in case_ids.chunks(500) {
        let mut q = SqlBuilder::new(
            "SELECT case_id, side, kind, name, gender, ethnicity, age, occupation, id_number, \
             phone, address FROM parties WHERE case_id IN (",
        );
        q.bind_ids(chunk).push(") ORDER BY case_id, position");
        let rows: Vec<PartyRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            let party = Party {
                side: parse_enum("party side", &r.side)?,
                kind: parse_enum("party kind", &r.kind)?,
                name: r.name,
                gender: r
                    .gender
                    .as_deref()
                    .map(|g| parse_enum("gender", g))
                    .transpose()?,
                ethnicity: r.ethnicity,
                age: r.age.and_then(|a| u8::try_from(a).ok()),
                occupation: r.occupation,
                id_number: r.id_number,
                phone: r.phone,
                address: r.address,
                masked: false,
            };
            out.entry(r.case_id).or_default().push(party);
        }
    }
    Ok(out)
}

/// Cases by id (those that exist), in no particular order.
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<CaseRow>, sqlx::Error> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new(CASE_SELECT);
        q.push("WHERE c.id IN (");
        q.bind_ids(chunk).push(")");
        out.extend(
            sqlx::query_as_with::<_, CaseRow, _>(&q.sql, q.arguments()?)
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    Ok(out)
}

impl CaseRow {
    /// The case's state as the workflow changes it.
    pub fn state(&self) -> Result<CaseState, sqlx::Error> {
        let row = self;
        Ok(CaseState {
            town_id: row.town_id,
            category: row.category()?,
            stage: row.stage()?,
            handler: row.handler()?,
            cooperating: split_list("handler", &row.cooperating)?,
            outcome: row
                .outcome
                .as_deref()
                .map(|o| parse_enum("outcome", o))
                .transpose()?,
            outcome_summary: row.outcome_summary.clone(),
            route_told: row
                .route_told
                .as_deref()
                .map(|r| parse_enum("route", r))
                .transpose()?,
            archive_no: row.archive_no.clone(),
            retention_years: None,
            routed_at: row.routed_at,
            handling_at: row.handling_at,
            closed_at: row.closed_at,
            archived_at: row.archived_at,
            response_due_on: row.response_due_on.as_deref().map(parse_date).transpose()?,
            returned_by: row.returned_by.clone(),
            return_reason: row.return_reason.clone(),
        })
    }
}

/// Applies a transition if the case is still at `version`; returns whether it was (a stale
/// version changes nothing and returns `false`).
pub async fn update_stage(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    c: &CaseState,
) -> Result<bool, sqlx::Error> {
    let (handler_kind, handler_id) = handler_columns(c.handler);
    let done = sqlx::query(
        "UPDATE cases SET stage = $1, handler_kind = $2, handler_id = $3, cooperating = $4, \
         outcome = $5, outcome_summary = $6, route_told = $7, archive_no = $8, \
         retention_years = COALESCE($9, retention_years), routed_at = $10, handling_at = $11, \
         closed_at = $12, archived_at = $13, response_due_on = $16, returned_by = $17, \
         return_reason = $18, version = version + 1 \
         WHERE id = $14 AND version = $15",
    )
    .bind(c.stage.as_str())
    .bind(handler_kind)
    .bind(handler_id)
    .bind(join_list(&c.cooperating))
    .bind(c.outcome.map(Outcome::as_str))
    .bind(c.outcome_summary.as_deref())
    .bind(c.route_told.map(LegalRoute::as_str))
    .bind(c.archive_no.as_deref())
    .bind(c.retention_years.map(i64::from))
    .bind(c.routed_at)
    .bind(c.handling_at)
    .bind(c.closed_at)
    .bind(c.archived_at)
    .bind(id)
    .bind(version)
    .bind(c.response_due_on.map(date_text))
    .bind(c.returned_by.as_deref())
    .bind(c.return_reason.as_deref())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a change to one of a town's cases (boards cached by any server are then rebuilt).
pub async fn bump_town(conn: &mut AnyConnection, town_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO town_revisions (town_id, rev) VALUES ($1, 1) \
         ON CONFLICT (town_id) DO UPDATE SET rev = town_revisions.rev + 1 RETURNING rev",
    )
    .bind(town_id)
    .fetch_one(conn)
    .await
}

/// Takes the town's revision row without moving it: on PostgreSQL a row lock held until
/// commit, so writes that take it run one after the other per town (SQLite's write lock
/// already does). The revision moves once, at `bump_town`.
pub async fn lock_town(conn: &mut AnyConnection, town_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO town_revisions (town_id, rev) VALUES ($1, 0) \
         ON CONFLICT (town_id) DO UPDATE SET rev = town_revisions.rev",
    )
    .bind(town_id)
    .execute(conn)
    .await
    .map(drop)
}

/// The town's revision counter (0 before its first case).
pub async fn town_rev(conn: &mut AnyConnection, town_id: i64) -> Result<i64, sqlx::Error> {
    let rev: Option<i64> = sqlx::query_scalar("SELECT rev FROM town_revisions WHERE town_id = $1")
        .bind(town_id)
        .fetch_optional(conn)
        .await?;
    Ok(rev.unwrap_or(0))
}

/// The next archive number of a town in a year (1, 2, …).
pub async fn next_archive_no(
    conn: &mut AnyConnection,
    town_id: i64,
    year: i32,
) -> Result<i64, sqlx::Error> {
    super::next_in_year(conn, super::Counter::Archive, town_id, year).await
}

/// A card with what the board's filters look at besides the card itself, and its redacted
/// form for readers who see the case's parties masked.
#[derive(Debug, Clone)]
pub struct CardEntry {
    pub card: CaseCard,
    /// The card with its summary redacted (`shared::privacy::Redactor`).
    pub masked: CaseCard,
    /// Lower-cased code, summary, facts, party names and place, for the free-text filter of
    /// readers who may see the parties.
    pub haystack: String,
    /// Lower-cased code and place only, for everyone else's free-text filter.
    pub public_haystack: String,
    /// `card` and `masked` as JSON, made once, so a board is put together from its cards'
    /// JSON without serialising them again.
    pub json: [Vec<u8>; 2],
    /// The cooperating units (联合调处), for department scoping.
    pub cooperating: Vec<HandlerRef>,
}

impl CardEntry {
    /// Whether `actor` may see this card at all (`shared::workflow::may_read`; a town's
    /// board holds that town's cards, the county board every town's).
    pub fn readable_by(&self, actor: &Actor) -> bool {
        // Only liaisons and county departments are scoped; the facts are built for them alone.
        !matches!(
            actor.role,
            shared::model::Role::Liaison | shared::model::Role::CountyDepartment
        ) || shared::workflow::may_read(
            actor,
            &CaseFacts {
                town_id: self.card.town_id,
                category: self.card.category,
                stage: self.card.stage,
                handler: self.card.handler,
                cooperating: self.cooperating.clone(),
            },
        )
    }

    /// Whether `actor` sees this card's parties (and so its unredacted text).
    pub fn sees_parties(&self, actor: &Actor) -> bool {
        match PartyView::of(actor.role) {
            PartyView::All => true,
            PartyView::OwnCases => is_mine(self.card.handler, actor),
            PartyView::Nothing => false,
        }
    }

    /// The card as `actor` may see it.
    pub fn card_for(&self, actor: &Actor) -> &CaseCard {
        if self.sees_parties(actor) {
            &self.card
        } else {
            &self.masked
        }
    }

    /// Whether the card passes `filter` for `actor` on `today` (the board's filter; the list
    /// applies the same filter in SQL). Free text `q` (lower-cased) searches names and text
    /// only on cards whose parties `actor` may see; on the others, the code and place.
    pub fn matches(&self, filter: &CaseFilter, actor: &Actor, today: NaiveDate, q: &str) -> bool {
        let c = &self.card;
        filter.kind.is_none_or(|k| k == c.kind)
            && filter.category.is_none_or(|k| k == c.category)
            && filter.channel.is_none_or(|k| k == c.channel)
            && filter.village.is_none_or(|v| v == c.village_id)
            && filter.handler.is_none_or(|h| Some(h) == c.handler)
            && filter.risk.is_none_or(|r| r == c.risk)
            && filter.stage.is_none_or(|s| s == c.stage)
            && (!filter.overdue
                || (c.stage.is_open() && c.suspended_on.is_none() && c.due_on < today))
            && (!filter.mine || is_mine(c.handler, actor))
            && (!filter.awaiting
                || (c.stage == shared::model::Stage::Routed && c.awaiting_until.is_some()))
            && (!filter.escalated || c.is_escalated(today))
            && (!filter.urged || c.open_urgings > 0)
            && filter.town.is_none_or(|t| t == c.town_id)
            && (!filter.county || c.county_pending)
            && (q.is_empty()
                || if self.sees_parties(actor) {
                    self.haystack.contains(q)
                } else {
                    self.public_haystack.contains(q)
                })
    }
}

/// A clock from its stored columns.
pub fn clock_of(
    track: &str,
    days: i64,
    unit: &str,
    started_on: &str,
    extension_days: i64,
) -> Result<Clock, sqlx::Error> {
    let rule = ClockRule {
        track: from_wire("clock track", track)?,
        days: u16::try_from(days).map_err(|_| corrupt("clock days".into()))?,
        unit: from_wire("clock unit", unit)?,
    };
    Ok(Clock {
        rule,
        started_on: parse_date(started_on)?,
        pauses: Vec::new(),
        extension_days: u32::try_from(extension_days)
            .map_err(|_| corrupt("extension days".into()))?,
    })
}

/// Whether `actor` is the handler `handler` names.
pub fn is_mine(handler: Option<HandlerRef>, actor: &Actor) -> bool {
    handler.is_some_and(|h| actor.is_unit(h))
}

#[derive(Debug, FromRow)]
struct CardRow {
    id: i64,
    code: String,
    summary: String,
    kind: String,
    category: String,
    channel: String,
    village_id: i64,
    village: String,
    risk: String,
    stage: String,
    handler_kind: Option<String>,
    handler_id: Option<i64>,
    handler_name: Option<String>,
    due_on: String,
    registered_at: i64,
    version: i64,
    facts: String,
    area_name: Option<String>,
    group_name: Option<String>,
    cooperating: String,
    response_due_on: Option<String>,
    returned_by: Option<String>,
    return_reason: Option<String>,
    open_urgings: i64,
    suspended_on: Option<String>,
    pending_extensions: i64,
    police_pending: i64,
    escalation: Option<String>,
    repeat_of_code: Option<String>,
    town_id: i64,
    county_pending: i64,
    category_zh: Option<String>,
    category_en: Option<String>,
}

impl CardRow {
    /// The entry, with `names` the case's personal party names and `units` the names of
    /// (at least) its cooperating units.
    fn into_entry(
        self,
        names: &[String],
        units: &HashMap<HandlerRef, String>,
    ) -> Result<CardEntry, sqlx::Error> {
        let cooperating = split_list::<HandlerRef>("handler", &self.cooperating)?;
        let cooperating_names = cooperating
            .iter()
            .filter_map(|u| units.get(u).cloned())
            .collect();
        let stage: shared::model::Stage = parse_enum("stage", &self.stage)?;
        let escalation = match self.escalation.as_deref() {
            Some(level) if stage.is_open() => Some(parse_enum("escalation", level)?),
            _ => None,
        };
        let mut public_haystack = format!("{}\n{}", self.code, self.village);
        for part in [&self.area_name, &self.group_name].into_iter().flatten() {
            public_haystack.push('\n');
            public_haystack.push_str(part);
        }
        let mut haystack = format!("{public_haystack}\n{}\n{}", self.summary, self.facts);
        for name in names {
            haystack.push('\n');
            haystack.push_str(name);
        }
        let redactor = Redactor::for_names(names.iter().map(String::as_str));
        let redacted = redactor.redact(&self.summary);
        let returned = self.returned_by.clone().map(|by| ReturnNote {
            by,
            reason: self.return_reason.clone(),
        });
        let returned_masked = returned.as_ref().map(|r| ReturnNote {
            by: r.by.clone(),
            reason: r.reason.as_deref().map(|t| redactor.redact(t)),
        });
        let awaiting_until = self
            .response_due_on
            .as_deref()
            .map(parse_date)
            .transpose()?;
        let card = CaseCard {
            awaiting_until,
            returned,
            open_urgings: u32::try_from(self.open_urgings).unwrap_or(0),
            suspended_on: self.suspended_on.as_deref().map(parse_date).transpose()?,
            extension_pending: self.pending_extensions > 0,
            police_pending: self.police_pending > 0,
            escalation,
            cooperating_names,
            repeat_of: self.repeat_of_code,
            town_id: self.town_id,
            county_pending: self.county_pending > 0,
            category_name: category_name(self.category_zh.as_ref(), self.category_en.as_ref()),
            id: self.id,
            kind: parse_enum("kind", &self.kind)?,
            category: parse_enum("category", &self.category)?,
            channel: parse_enum("channel", &self.channel)?,
            risk: parse_enum("risk", &self.risk)?,
            stage,
            handler: handler_of(self.handler_kind.as_deref(), self.handler_id)?,
            due_on: parse_date(&self.due_on)?,
            registered_at: from_millis(self.registered_at),
            code: self.code,
            summary: self.summary,
            village_id: self.village_id,
            village: self.village,
            handler_name: self.handler_name,
            version: self.version,
        };
        let masked = CaseCard {
            summary: redacted,
            returned: returned_masked,
            ..card.clone()
        };
        let json = [
            serde_json::to_vec(&card).map_err(|e| corrupt(e.to_string()))?,
            serde_json::to_vec(&masked).map_err(|e| corrupt(e.to_string()))?,
        ];
        Ok(CardEntry {
            card,
            masked,
            haystack: haystack.to_lowercase(),
            public_haystack: public_haystack.to_lowercase(),
            json,
            cooperating,
        })
    }
}

/// Personal party names per case, for the cases `case_sql` selects (a `SELECT c.id …`
/// subquery over `cases c` with its arguments).
async fn person_names(
    conn: &mut AnyConnection,
    rows: &[CardRow],
) -> Result<std::collections::HashMap<i64, Vec<String>>, sqlx::Error> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    names_of_cases(conn, &ids).await
}

/// Personal party names per case, for `case_ids` (in batches of 500).
pub async fn names_of_cases(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, sqlx::Error> {
    let mut names: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for chunk in case_ids.chunks(500) {
        let mut q = SqlBuilder::new(
            "SELECT case_id, name FROM parties WHERE kind <> 'organisation' AND case_id IN (",
        );
        q.bind_ids(chunk).push(")");
        let found: Vec<(i64, String)> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for (case_id, name) in found {
            names.entry(case_id).or_default().push(name);
        }
    }
    Ok(names)
}

/// Card rows into entries, with their cases' party names.
async fn entries_of(
    conn: &mut AnyConnection,
    rows: Vec<CardRow>,
) -> Result<Vec<CardEntry>, sqlx::Error> {
    let names = person_names(conn, &rows).await?;
    let mut wanted = std::collections::BTreeSet::new();
    for r in &rows {
        wanted.extend(split_list::<HandlerRef>("handler", &r.cooperating)?);
    }
    let units = unit_names(conn, &wanted).await?;
    rows.into_iter()
        .map(|r| {
            let n = names.get(&r.id).map_or(&[][..], Vec::as_slice);
            r.into_entry(n, &units)
        })
        .collect()
}

/// The names of handling units (departments' names, mediators' display names).
async fn unit_names(
    conn: &mut AnyConnection,
    units: &std::collections::BTreeSet<HandlerRef>,
) -> Result<HashMap<HandlerRef, String>, sqlx::Error> {
    let mut out = HashMap::new();
    let departments: Vec<i64> = units
        .iter()
        .filter_map(|u| match u {
            HandlerRef::Department(id) => Some(*id),
            HandlerRef::Mediator(_) => None,
        })
        .collect();
    let mediators: Vec<i64> = units
        .iter()
        .filter_map(|u| match u {
            HandlerRef::Mediator(id) => Some(*id),
            HandlerRef::Department(_) => None,
        })
        .collect();
    for (ids, sql, unit) in [
        (
            departments,
            "SELECT id, name FROM departments WHERE id IN (",
            HandlerRef::Department as fn(i64) -> HandlerRef,
        ),
        (
            mediators,
            "SELECT id, display_name FROM users WHERE id IN (",
            HandlerRef::Mediator,
        ),
    ] {
        for chunk in ids.chunks(500) {
            let mut q = SqlBuilder::new(sql);
            q.bind_ids(chunk).push(")");
            let found: Vec<(i64, String)> = sqlx::query_as_with(&q.sql, q.arguments()?)
                .fetch_all(&mut *conn)
                .await?;
            out.extend(found.into_iter().map(|(id, name)| (unit(id), name)));
        }
    }
    Ok(out)
}

const CARD_SELECT: &str = "SELECT c.id, c.code, c.summary, c.kind, c.category, c.channel, \
    c.village_id, v.name AS village, c.risk, c.stage, c.handler_kind, c.handler_id, \
    COALESCE(hu.display_name, hd.name) AS handler_name, c.due_on, c.registered_at, c.version, \
    c.facts, a.name AS area_name, g.name AS group_name, c.cooperating, c.response_due_on, \
    c.returned_by, c.return_reason, \
    (SELECT COUNT(*) FROM case_urgings u WHERE u.case_id = c.id \
     AND u.acknowledged_at IS NULL) AS open_urgings, c.suspended_on, \
    (SELECT COUNT(*) FROM case_extensions e WHERE e.case_id = c.id \
     AND e.status = 'pending') AS pending_extensions, \
    (SELECT COUNT(*) FROM police_notices n WHERE n.case_id = c.id \
     AND n.acknowledged_at IS NULL) AS police_pending, \
    (SELECT MAX(e.level) FROM case_escalations e WHERE e.case_id = c.id \
     AND e.level IN ('overdue', 'overdue_7')) AS escalation, \
    (SELECT r.code FROM cases r WHERE r.id = c.repeat_of) AS repeat_of_code, c.town_id, \
    (SELECT COUNT(*) FROM county_escalations ce WHERE ce.case_id = c.id \
     AND ce.instructed_at IS NULL) AS county_pending, c.category_zh, c.category_en \
    FROM cases c \
    JOIN org_units v ON v.id = c.village_id \
    LEFT JOIN org_units a ON a.id = c.area_id \
    LEFT JOIN org_units g ON g.id = c.group_id \
    LEFT JOIN users hu ON c.handler_kind = 'mediator' AND hu.id = c.handler_id \
    LEFT JOIN departments hd ON c.handler_kind = 'department' AND hd.id = c.handler_id ";

/// Every card of a town's board (stages registered to closed), unsorted.
pub async fn board_entries(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<CardEntry>, sqlx::Error> {
    let rows: Vec<CardRow> = sqlx::query_as(&format!(
        "{CARD_SELECT} WHERE c.town_id = $1 \
         AND c.stage IN ('registered', 'routed', 'in_handling', 'closed')"
    ))
    .bind(town_id)
    .fetch_all(&mut *conn)
    .await?;
    entries_of(conn, rows).await
}

/// The board entries of those of `case_ids` that are on their town's board (not archived).
pub async fn board_entries_of(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<Vec<CardEntry>, sqlx::Error> {
    let mut entries = Vec::new();
    for chunk in case_ids.chunks(500) {
        let mut q = SqlBuilder::new(CARD_SELECT);
        q.push("WHERE c.stage IN ('registered', 'routed', 'in_handling', 'closed') AND c.id IN (");
        q.bind_ids(chunk).push(")");
        let rows: Vec<CardRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        entries.extend(entries_of(conn, rows).await?);
    }
    Ok(entries)
}

/// The periods a case list or ledger covers, as milliseconds: of registration and of
/// closing, each from the first instant of its first day up to (not including) the first
/// instant after its last; and the centers' time zone (for "closed by the due date").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub registered_from_ms: Option<i64>,
    pub registered_until_ms: Option<i64>,
    pub closed_from_ms: Option<i64>,
    pub closed_until_ms: Option<i64>,
    /// The centers' time zone, in milliseconds east of UTC.
    pub offset_ms: i64,
}

impl Bounds {
    /// The bounds of `filter`'s periods in the centers' time zone.
    pub fn of(config: &crate::config::Config, filter: &CaseFilter) -> Bounds {
        let (registered_from_ms, registered_until_ms) = config.day_bounds(filter.from, filter.to);
        let (closed_from_ms, closed_until_ms) =
            config.day_bounds(filter.closed_from, filter.closed_to);
        Bounds {
            registered_from_ms,
            registered_until_ms,
            closed_from_ms,
            closed_until_ms,
            offset_ms: config.offset_ms(),
        }
    }
}

/// The day (days since 1970-01-01) of the due date `c.due_on`, in SQL.
pub(crate) fn due_day_sql(sqlite: bool) -> &'static str {
    if sqlite {
        "CAST(julianday(c.due_on) - 2440587.5 AS INTEGER)"
    } else {
        "(CAST(c.due_on AS DATE) - DATE '1970-01-01')"
    }
}

/// "Closed by the due date" (the day itself included), in SQL, for a closed case `c`.
pub(crate) fn on_time_sql(sqlite: bool, offset_ms: i64) -> String {
    format!(
        "((c.closed_at + {offset_ms}) / 86400000 <= {})",
        due_day_sql(sqlite)
    )
}

/// "Registered and closed at once" (就地化解), in SQL: closed without ever being routed, and
/// not refused at intake.
pub(crate) const SPOT_SQL: &str =
    "(c.closed_at IS NOT NULL AND c.routed_at IS NULL AND c.outcome <> 'not_accepted')";

/// `column IN ('a', 'b')` for wire names (vocabulary only: never a person's text).
pub(crate) fn in_names(column: &str, names: &[&str]) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("{column} IN ({})", list.join(", "))
}

/// The `FROM` that `list_where` needs (without the handler's and registrar's names).
const LIST_FROM: &str = "FROM cases c JOIN org_units v ON v.id = c.village_id \
    LEFT JOIN org_units a ON a.id = c.area_id LEFT JOIN org_units g ON g.id = c.group_id";

/// The `WHERE` of the case list and the ledger: a town's cases (every stage, archived
/// included) that pass `filter` and that `actor` may list. `FROM` must join as `LIST_FROM`
/// does: `cases c`, `org_units v` (village) and, left, `org_units a` (area), `org_units g`
/// (group).
pub(crate) fn list_where(
    sqlite: bool,
    town_id: i64,
    filter: &CaseFilter,
    bounds: Bounds,
    actor: &Actor,
    today: NaiveDate,
) -> SqlBuilder {
    let mut w;
    if actor.role.is_county() {
        // The county's roles list every town's cases (`town` narrows to one); a county
        // department only its line's (`shared::workflow::may_read`).
        w = SqlBuilder::new(" WHERE 1 = 1");
        let line = (actor.role == shared::model::Role::CountyDepartment).then_some(actor.line);
        w.push(&super::county::line_sql("c.category", line));
    } else {
        w = SqlBuilder::new(" WHERE c.town_id = ");
        w.bind(Arg::Int(town_id));
    }
    let eq = |w: &mut SqlBuilder, column: &str, value: Option<String>| {
        if let Some(v) = value {
            w.push(" AND ").push(column).push(" = ").bind(Arg::Text(v));
        }
    };
    eq(&mut w, "c.kind", filter.kind.map(|v| v.as_str().to_owned()));
    eq(
        &mut w,
        "c.category",
        filter.category.map(|v| v.as_str().to_owned()),
    );
    eq(
        &mut w,
        "c.channel",
        filter.channel.map(|v| v.as_str().to_owned()),
    );
    eq(&mut w, "c.risk", filter.risk.map(|v| v.as_str().to_owned()));
    eq(
        &mut w,
        "c.stage",
        filter.stage.map(|v| v.as_str().to_owned()),
    );
    if let Some(v) = filter.village {
        w.push(" AND c.village_id = ").bind(Arg::Int(v));
    }
    if let Some(h) = filter.handler {
        let (kind, id) = handler_columns(Some(h));
        w.push(" AND c.handler_kind = ")
            .bind(Arg::Text(kind.unwrap_or_default().to_owned()))
            .push(" AND c.handler_id = ")
            .bind(Arg::Int(id.unwrap_or_default()));
    }
    if filter.overdue {
        w.push(
            " AND c.stage IN ('registered', 'routed', 'in_handling') \
             AND c.suspended_on IS NULL AND c.due_on < ",
        )
        .bind(Arg::Text(date_text(today)));
    }
    if filter.mine {
        w.push(" AND ");
        mine(&mut w, actor);
    }
    if filter.awaiting {
        w.push(" AND c.stage = 'routed' AND c.response_due_on IS NOT NULL");
    }
    if filter.escalated {
        // As `CaseCard::is_escalated`: escalated, and still overdue (not suspended).
        w.push(
            " AND c.stage IN ('registered', 'routed', 'in_handling') \
             AND c.suspended_on IS NULL AND c.due_on < ",
        )
        .bind(Arg::Text(date_text(today)))
        .push(
            " AND EXISTS (SELECT 1 FROM case_escalations e WHERE e.case_id = c.id \
             AND e.level IN ('overdue', 'overdue_7'))",
        );
    }
    if filter.urged {
        w.push(
            " AND EXISTS (SELECT 1 FROM case_urgings u WHERE u.case_id = c.id \
             AND u.acknowledged_at IS NULL)",
        );
    }
    if let Some(town) = filter.town {
        w.push(" AND c.town_id = ").bind(Arg::Int(town));
    }
    if filter.county {
        w.push(
            " AND EXISTS (SELECT 1 FROM county_escalations ce WHERE ce.case_id = c.id \
             AND ce.instructed_at IS NULL)",
        );
    }
    if actor.role == shared::model::Role::Liaison {
        // A liaison lists only the cases their department leads or cooperates on
        // (`shared::workflow::may_read`).
        let department = actor.department_id.unwrap_or_default();
        w.push(" AND ((c.handler_kind = 'department' AND c.handler_id = ")
            .bind(Arg::Int(department))
            .push(") OR (',' || c.cooperating || ',') LIKE ")
            .bind(Arg::Text(format!(
                "%,{},%",
                HandlerRef::Department(department)
            )))
            .push(")");
    }
    let q = filter.q.as_deref().map(str::trim).unwrap_or("");
    if !q.is_empty() {
        let pattern = format!("%{}%", like_escape(&q.to_lowercase()));
        let like = |w: &mut SqlBuilder, columns: &[&str]| {
            w.push("(");
            for (i, col) in columns.iter().enumerate() {
                if i > 0 {
                    w.push(" OR ");
                }
                w.push("LOWER(")
                    .push(col)
                    .push(") LIKE ")
                    .bind(Arg::Text(pattern.clone()))
                    .push(" ESCAPE '\\'");
            }
            w.push(")");
        };
        const PUBLIC: [&str; 5] = ["c.code", "c.archive_no", "v.name", "a.name", "g.name"];
        // On SQLite a query of three or more characters goes through the trigram indexes
        // (migration 0002); on PostgreSQL the trigram indexes serve the LIKE itself.
        let indexed = sqlite && q.chars().count() >= 3;
        let phrase = format!("\"{}\"", q.to_lowercase().replace('"', "\"\""));
        let full = |w: &mut SqlBuilder| {
            w.push("(");
            like(w, &PUBLIC);
            if indexed {
                w.push(" OR c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ")
                    .bind(Arg::Text(phrase.clone()))
                    .push(
                        ") OR c.id IN (SELECT p.case_id FROM parties p WHERE p.id IN \
                           (SELECT rowid FROM party_search WHERE party_search MATCH ",
                    )
                    .bind(Arg::Text(phrase.clone()))
                    .push(")))");
            } else {
                w.push(" OR ");
                like(w, &["c.summary", "c.facts", "c.request"]);
                w.push(" OR EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id AND LOWER(p.name) LIKE ")
                    .bind(Arg::Text(pattern.clone()))
                    .push(" ESCAPE '\\'))");
            }
        };
        // Names and free text are searched only where the reader may see the parties.
        w.push(" AND ");
        match PartyView::of(actor.role) {
            PartyView::All => full(&mut w),
            PartyView::OwnCases => {
                w.push("(");
                like(&mut w, &PUBLIC);
                w.push(" OR (");
                mine(&mut w, actor);
                w.push(" AND ");
                full(&mut w);
                w.push("))");
            }
            PartyView::Nothing => like(&mut w, &PUBLIC),
        }
    }
    if let Some(from) = bounds.registered_from_ms {
        w.push(" AND c.registered_at >= ").bind(Arg::Int(from));
    }
    if let Some(until) = bounds.registered_until_ms {
        w.push(" AND c.registered_at < ").bind(Arg::Int(until));
    }
    if let Some(from) = bounds.closed_from_ms {
        w.push(" AND c.closed_at >= ").bind(Arg::Int(from));
    }
    if let Some(until) = bounds.closed_until_ms {
        w.push(" AND c.closed_at < ").bind(Arg::Int(until));
    }
    if let Some(class) = filter.resolution {
        let names: Vec<&str> = class.outcomes().iter().map(|o| o.as_str()).collect();
        w.push(" AND c.closed_at IS NOT NULL AND ")
            .push(&in_names("c.outcome", &names));
    }
    match filter.timeliness {
        Some(Timeliness::OnTime) => {
            w.push(" AND c.closed_at IS NOT NULL AND ")
                .push(&on_time_sql(sqlite, bounds.offset_ms));
        }
        Some(Timeliness::Late) => {
            w.push(" AND c.closed_at IS NOT NULL AND NOT ")
                .push(&on_time_sql(sqlite, bounds.offset_ms));
        }
        None => {}
    }
    if filter.spot {
        w.push(" AND ").push(SPOT_SQL);
    }
    if let Some(flag) = filter.flag {
        w.push(" AND (',' || c.risk_flags || ',') LIKE ")
            .bind(Arg::Text(format!("%,{},%", flag.as_str())));
    }
    if filter.police {
        w.push(" AND EXISTS (SELECT 1 FROM police_notices n WHERE n.case_id = c.id)");
    }
    if filter.service {
        let names: Vec<&str> = SERVICE_KINDS.iter().map(|k| k.as_str()).collect();
        w.push(" AND ").push(&in_names("c.kind", &names));
    }
    if filter.in_person {
        let names: Vec<&str> = IN_PERSON_CHANNELS.iter().map(|k| k.as_str()).collect();
        w.push(" AND ").push(&in_names("c.channel", &names));
    }
    eq(
        &mut w,
        "c.outcome",
        filter.outcome.map(|v| v.as_str().to_owned()),
    );
    eq(
        &mut w,
        "c.rating",
        filter.rating.map(|v| v.as_str().to_owned()),
    );
    w
}

/// The `ORDER BY` of the case list and the ledger (ties broken by id, so pages never
/// overlap).
pub(crate) fn list_order(sort: Option<CaseSort>) -> &'static str {
    match sort.unwrap_or(CaseSort::Newest) {
        CaseSort::Newest => " ORDER BY c.registered_at DESC, c.id DESC",
        CaseSort::Oldest => " ORDER BY c.registered_at ASC, c.id ASC",
        CaseSort::Due => " ORDER BY c.due_on ASC, c.id ASC",
        CaseSort::Closed => " ORDER BY c.closed_at IS NULL, c.closed_at DESC, c.id DESC",
        CaseSort::Code => " ORDER BY c.code ASC, c.id ASC",
    }
}

/// A page of a town's cases (every stage, archived included) that pass `filter`, in its
/// order, and how many pass in all.
#[expect(clippy::too_many_arguments, reason = "a query's parts, each its own")]
pub async fn list(
    conn: &mut AnyConnection,
    town_id: i64,
    filter: &CaseFilter,
    bounds: Bounds,
    actor: &Actor,
    today: NaiveDate,
    page: u32,
    per_page: u32,
) -> Result<(Vec<CaseListItem>, u64), sqlx::Error> {
    let sqlite = conn.backend_name() == "SQLite";
    let mut w = list_where(sqlite, town_id, filter, bounds, actor, today);
    let count_sql = format!("SELECT COUNT(*) {LIST_FROM}{}", w.sql);
    let total: i64 = sqlx::query_scalar_with(&count_sql, w.arguments()?)
        .fetch_one(&mut *conn)
        .await?;
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    w.push(list_order(filter.sort))
        .push(" LIMIT ")
        .bind(Arg::Int(i64::from(per_page)))
        .push(" OFFSET ")
        .bind(Arg::Int(offset));
    let sql = format!("{CARD_SELECT}{}", w.sql);
    let rows: Vec<CardRow> = sqlx::query_as_with(&sql, w.arguments()?)
        .fetch_all(&mut *conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut closing: HashMap<i64, ClosingRow> = HashMap::new();
    if !ids.is_empty() {
        let mut q = SqlBuilder::new(
            "SELECT id, outcome, closed_at, archive_no, rating FROM cases WHERE id IN (",
        );
        q.bind_ids(&ids).push(")");
        let found: Vec<ClosingRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        closing.extend(found.into_iter().map(|r| (r.id, r)));
    }
    let mut items = Vec::with_capacity(rows.len());
    for entry in entries_of(conn, rows).await? {
        let card = entry.card_for(actor).clone();
        let row = closing.remove(&card.id);
        let closed = row.as_ref();
        items.push(CaseListItem {
            outcome: closed
                .and_then(|r| r.outcome.as_deref())
                .map(|o| parse_enum::<Outcome>("outcome", o))
                .transpose()?,
            closed_at: closed.and_then(|r| r.closed_at).map(from_millis),
            archive_no: closed.and_then(|r| r.archive_no.clone()),
            rating: closed
                .and_then(|r| r.rating.as_deref())
                .map(|o| parse_enum::<Satisfaction>("rating", o))
                .transpose()?,
            card,
        });
    }
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// The ids of every case of the list's `filter`, in its order (for the ledger, which then
/// loads them a chunk at a time).
pub async fn listed_ids(
    conn: &mut AnyConnection,
    town_id: i64,
    filter: &CaseFilter,
    bounds: Bounds,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Vec<i64>, sqlx::Error> {
    let sqlite = conn.backend_name() == "SQLite";
    let mut w = list_where(sqlite, town_id, filter, bounds, actor, today);
    w.push(list_order(filter.sort));
    let sql = format!("SELECT c.id {LIST_FROM}{}", w.sql);
    sqlx::query_scalar_with(&sql, w.arguments()?)
        .fetch_all(conn)
        .await
}

/// What the case list shows of a closed case.
#[derive(FromRow)]
struct ClosingRow {
    id: i64,
    outcome: Option<String>,
    closed_at: Option<i64>,
    archive_no: Option<String>,
    rating: Option<String>,
}

/// Appends the condition "`actor` handles the case" (false for roles that handle none).
pub(crate) fn mine(w: &mut SqlBuilder, actor: &Actor) {
    match actor.role {
        shared::model::Role::Mediator => {
            w.push("(c.handler_kind = 'mediator' AND c.handler_id = ")
                .bind(Arg::Int(actor.user_id))
                .push(")");
        }
        shared::model::Role::Liaison if actor.department_id.is_some() => {
            w.push("(c.handler_kind = 'department' AND c.handler_id = ")
                .bind(Arg::Int(actor.department_id.unwrap_or_default()))
                .push(")");
        }
        _ => {
            w.push("1 = 0");
        }
    }
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// How many open cases each handler of a town has.
pub async fn open_counts(
    conn: &mut AnyConnection,
    town_id: i64,
) -> Result<Vec<(HandlerRef, u32)>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT handler_kind, handler_id, COUNT(*) FROM cases WHERE town_id = $1 \
         AND stage IN ('registered', 'routed', 'in_handling') AND handler_kind IS NOT NULL \
         AND handler_id IS NOT NULL GROUP BY handler_kind, handler_id",
    )
    .bind(town_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(kind, id, n)| {
            let handler = handler_of(Some(&kind), Some(id))?;
            Ok(handler.map(|h| (h, u32::try_from(n).unwrap_or(u32::MAX))))
        })
        .filter_map(Result::transpose)
        .collect()
}

/// How many cases there are (all towns); for tests and the demo loader.
pub async fn count(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(conn)
        .await
}

/// An instant's date in a time zone.
pub fn local_date(at: DateTime<Utc>, tz: chrono::FixedOffset) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The ids of a town's cases a department leads or cooperates on (a liaison's scope).
pub async fn ids_of_department(
    conn: &mut AnyConnection,
    town_id: i64,
    department_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM cases WHERE town_id = $1 AND ((handler_kind = 'department' \
         AND handler_id = $2) OR (',' || cooperating || ',') LIKE $3)",
    )
    .bind(town_id)
    .bind(department_id)
    .bind(format!("%,{},%", HandlerRef::Department(department_id)))
    .fetch_all(conn)
    .await
}
