//! Mediation agreements (migration 0013): the agreement of a case, its numbers, its
//! signatures, the judicial confirmation and the performance. SQL only; the rules are
//! `shared::agreement`.

use chrono::NaiveDate;
use shared::agreement::{AgreementText, Signer, Stroke};
use shared::model::{AgreementForm, ConfirmationRuling, Performance, SignMethod};
use sqlx::{AnyConnection, FromRow};

use super::{corrupt, parse_enum};

/// The SHA-256 of an agreement's signed text (`shared::agreement::signed_text`), in hex: what
/// each signature stores.
pub fn text_hash(signed_text: &str) -> String {
    use sha2::Digest;
    crate::auth::hex(&sha2::Sha256::digest(signed_text.as_bytes()))
}

/// A stored agreement.
#[derive(Debug, Clone, FromRow)]
pub struct AgreementRow {
    pub case_id: i64,
    pub town_id: i64,
    pub form: String,
    pub number: String,
    pub committee: String,
    pub text: String,
    pub version: i64,
    pub voided: i64,
    pub sealed_at: Option<i64>,
    pub sealed_by: Option<String>,
    pub effective_on: Option<String>,
    pub performance_due: Option<String>,
    pub confirm_applied_on: Option<String>,
    pub confirm_court: Option<String>,
    pub confirm_ruling: Option<String>,
    pub confirm_ruled_on: Option<String>,
    pub performance: Option<String>,
    pub performance_note: String,
    pub performance_on: Option<String>,
}

pub fn parse_day(what: &str, s: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("bad {what} `{s}`: {e}")))
}

fn day_of(what: &str, s: Option<&str>) -> Result<Option<NaiveDate>, sqlx::Error> {
    s.map(|s| parse_day(what, s)).transpose()
}

impl AgreementRow {
    pub fn form(&self) -> Result<AgreementForm, sqlx::Error> {
        parse_enum("agreement form", &self.form)
    }

    pub fn text(&self) -> Result<AgreementText, sqlx::Error> {
        serde_json::from_str(&self.text)
            .map_err(|e| corrupt(format!("bad agreement text of case {}: {e}", self.case_id)))
    }

    pub fn effective_on(&self) -> Result<Option<NaiveDate>, sqlx::Error> {
        day_of("effective day", self.effective_on.as_deref())
    }

    pub fn applied_on(&self) -> Result<Option<NaiveDate>, sqlx::Error> {
        day_of("application day", self.confirm_applied_on.as_deref())
    }

    pub fn ruled_on(&self) -> Result<Option<NaiveDate>, sqlx::Error> {
        day_of("ruling day", self.confirm_ruled_on.as_deref())
    }

    pub fn ruling(&self) -> Result<Option<ConfirmationRuling>, sqlx::Error> {
        self.confirm_ruling
            .as_deref()
            .map(|r| parse_enum("ruling", r))
            .transpose()
    }

    pub fn performance(&self) -> Result<Option<Performance>, sqlx::Error> {
        self.performance
            .as_deref()
            .map(|p| parse_enum("performance", p))
            .transpose()
    }

    pub fn performance_on(&self) -> Result<Option<NaiveDate>, sqlx::Error> {
        day_of("performance day", self.performance_on.as_deref())
    }
}

const SELECT: &str = "SELECT case_id, town_id, form, number, committee, text, version, voided, \
     sealed_at, sealed_by, effective_on, performance_due, confirm_applied_on, confirm_court, \
     confirm_ruling, confirm_ruled_on, performance, performance_note, performance_on \
     FROM agreements";

/// The agreement of a case, if one was drafted or recorded.
pub async fn of_case(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Option<AgreementRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE case_id = $1"))
        .bind(case_id)
        .fetch_optional(conn)
        .await
}

/// The next agreement number of a town in a year (1, 2, …): the row's lock orders agreements
/// drafted together.
pub async fn next_number(
    conn: &mut AnyConnection,
    town_id: i64,
    year: i32,
) -> Result<i64, sqlx::Error> {
    super::next_in_year(conn, super::Counter::Agreement, town_id, year).await
}

/// A new agreement of a case.
pub struct NewAgreement<'a> {
    pub case_id: i64,
    pub town_id: i64,
    pub form: AgreementForm,
    pub number: &'a str,
    pub committee: &'a str,
    pub text: &'a AgreementText,
    /// For an oral agreement: the day the parties agreed (it is in effect from then).
    pub effective_on: Option<NaiveDate>,
    pub by: i64,
    pub at_ms: i64,
}

fn text_json(text: &AgreementText) -> Result<String, sqlx::Error> {
    serde_json::to_string(text).map_err(|e| corrupt(format!("agreement text: {e}")))
}

fn day_text(day: Option<NaiveDate>) -> Option<String> {
    day.map(|d| d.format("%Y-%m-%d").to_string())
}

pub async fn insert(conn: &mut AnyConnection, a: &NewAgreement<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO agreements (case_id, town_id, form, number, committee, text, \
         effective_on, performance_due, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(a.case_id)
    .bind(a.town_id)
    .bind(a.form.as_str())
    .bind(a.number)
    .bind(a.committee)
    .bind(text_json(a.text)?)
    .bind(day_text(a.effective_on))
    .bind(day_text(a.text.performance_due))
    .bind(a.by)
    .bind(a.at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the text of the agreement at `version`, voiding every signature in force and the
/// seal when `void` (the text changed). False when the version is stale.
pub async fn save_text(
    conn: &mut AnyConnection,
    case_id: i64,
    version: i64,
    text: &AgreementText,
    void: bool,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE agreements SET text = $1, performance_due = $2, version = version + 1, \
         voided = voided + $3, sealed_at = CASE WHEN $3 = 1 THEN NULL ELSE sealed_at END, \
         sealed_by = CASE WHEN $3 = 1 THEN NULL ELSE sealed_by END, updated_at = $4 \
         WHERE case_id = $5 AND version = $6 AND form = 'written' AND effective_on IS NULL",
    )
    .bind(text_json(text)?)
    .bind(day_text(text.performance_due))
    .bind(i64::from(void))
    .bind(at_ms)
    .bind(case_id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    if void {
        sqlx::query(
            "UPDATE agreement_signatures SET voided_at = $1 WHERE case_id = $2 AND voided_at IS NULL",
        )
        .bind(at_ms)
        .bind(case_id)
        .execute(conn)
        .await?;
    }
    Ok(true)
}

/// Bumps the agreement's version (a signature or the seal changed it).
pub async fn touch(conn: &mut AnyConnection, case_id: i64, at_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE agreements SET version = version + 1, updated_at = $1 WHERE case_id = $2")
        .bind(at_ms)
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored signature.
#[derive(Debug, Clone, FromRow)]
pub struct SignatureRow {
    pub signer: String,
    pub name: String,
    pub method: String,
    pub strokes: String,
    pub text_hash: String,
    pub signed_at: i64,
    pub recorded_by: String,
}

pub fn signer_text(signer: Signer) -> String {
    match signer {
        Signer::Party { position } => format!("party:{position}"),
        Signer::Mediator => "mediator".to_owned(),
    }
}

impl SignatureRow {
    pub fn signer(&self) -> Result<Signer, sqlx::Error> {
        if self.signer == "mediator" {
            return Ok(Signer::Mediator);
        }
        self.signer
            .strip_prefix("party:")
            .and_then(|p| p.parse().ok())
            .map(|position| Signer::Party { position })
            .ok_or_else(|| corrupt(format!("bad signer `{}`", self.signer)))
    }

    pub fn method(&self) -> Result<SignMethod, sqlx::Error> {
        parse_enum("sign method", &self.method)
    }

    pub fn strokes(&self) -> Result<Vec<Stroke>, sqlx::Error> {
        serde_json::from_str(&self.strokes).map_err(|e| corrupt(format!("bad strokes: {e}")))
    }
}

/// The signatures in force on a case's agreement, in the order given.
pub async fn signatures(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<SignatureRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT signer, name, method, strokes, text_hash, signed_at, recorded_by \
         FROM agreement_signatures WHERE case_id = $1 AND voided_at IS NULL ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// A new signature.
pub struct NewSignatureRow<'a> {
    pub case_id: i64,
    pub signer: Signer,
    pub name: &'a str,
    pub method: SignMethod,
    pub strokes: &'a [Stroke],
    pub text_hash: &'a str,
    pub at_ms: i64,
    pub recorded_by: &'a str,
}

/// Voids a signer's signature in force that does not carry `current_hash` (the text it was
/// given on is not the text now): the signatory may sign again.
pub async fn void_stale(
    conn: &mut AnyConnection,
    case_id: i64,
    signer: Signer,
    current_hash: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE agreement_signatures SET voided_at = $1 WHERE case_id = $2 AND signer = $3 \
         AND voided_at IS NULL AND text_hash <> $4",
    )
    .bind(at_ms)
    .bind(case_id)
    .bind(signer_text(signer))
    .bind(current_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores a signature; false when the signer has one in force already.
pub async fn sign(conn: &mut AnyConnection, s: &NewSignatureRow<'_>) -> Result<bool, sqlx::Error> {
    let strokes = serde_json::to_string(s.strokes).map_err(|e| corrupt(format!("strokes: {e}")))?;
    let done = sqlx::query(
        "INSERT INTO agreement_signatures (case_id, signer, name, method, strokes, text_hash, \
         signed_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (case_id, signer) WHERE voided_at IS NULL DO NOTHING",
    )
    .bind(s.case_id)
    .bind(signer_text(s.signer))
    .bind(s.name)
    .bind(s.method.as_str())
    .bind(strokes)
    .bind(s.text_hash)
    .bind(s.at_ms)
    .bind(s.recorded_by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the committee's seal; false when it is on already.
pub async fn seal(
    conn: &mut AnyConnection,
    case_id: i64,
    by: &str,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE agreements SET sealed_at = $1, sealed_by = $2, version = version + 1, \
         updated_at = $1 WHERE case_id = $3 AND sealed_at IS NULL AND form = 'written'",
    )
    .bind(at_ms)
    .bind(by)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the agreement in effect from `day`.
pub async fn take_effect(
    conn: &mut AnyConnection,
    case_id: i64,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE agreements SET effective_on = $1 WHERE case_id = $2 AND effective_on IS NULL",
    )
    .bind(day_text(Some(day)))
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the judicial confirmation.
pub async fn confirm(
    conn: &mut AnyConnection,
    case_id: i64,
    applied_on: NaiveDate,
    court: &str,
    ruling: Option<ConfirmationRuling>,
    ruled_on: Option<NaiveDate>,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE agreements SET confirm_applied_on = $1, confirm_court = $2, confirm_ruling = $3, \
         confirm_ruled_on = $4, version = version + 1, updated_at = $5 WHERE case_id = $6",
    )
    .bind(day_text(Some(applied_on)))
    .bind(court)
    .bind(ruling.map(|r| r.as_str()))
    .bind(day_text(ruled_on))
    .bind(at_ms)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the performance.
pub async fn perform(
    conn: &mut AnyConnection,
    case_id: i64,
    state: Performance,
    note: &str,
    on: NaiveDate,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE agreements SET performance = $1, performance_note = $2, performance_on = $3, \
         version = version + 1, updated_at = $4 WHERE case_id = $5",
    )
    .bind(state.as_str())
    .bind(note)
    .bind(day_text(Some(on)))
    .bind(at_ms)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Agreements whose reminders fall due by `today`: the confirmation window's last week with
/// nothing applied for (`confirm_reminded` not yet set), and performance deadlines reached
/// with nothing recorded. Each `(case_id, town_id, which)`, `which` being `confirm` or
/// `perform`; the caller marks them reminded in the same transaction.
pub async fn reminders_due(
    conn: &mut AnyConnection,
    confirm_from: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<(i64, &'static str)>, sqlx::Error> {
    // A window of an agreement effective on or after `confirm_from` closes within the week.
    let confirm: Vec<i64> = sqlx::query_scalar(
        "SELECT case_id FROM agreements WHERE form = 'written' AND effective_on IS NOT NULL \
         AND effective_on <= $1 AND effective_on >= $2 AND confirm_applied_on IS NULL \
         AND confirm_reminded = 0",
    )
    .bind(day_text(Some(confirm_from_end(confirm_from))))
    .bind(day_text(Some(confirm_from)))
    .fetch_all(&mut *conn)
    .await?;
    let perform: Vec<i64> = sqlx::query_scalar(
        "SELECT case_id FROM agreements WHERE effective_on IS NOT NULL \
         AND performance_due IS NOT NULL AND performance_due <= $1 AND performance IS NULL \
         AND perform_reminded = 0",
    )
    .bind(day_text(Some(today)))
    .fetch_all(conn)
    .await?;
    Ok(confirm
        .into_iter()
        .map(|c| (c, "confirm"))
        .chain(perform.into_iter().map(|c| (c, "perform")))
        .collect())
}

/// The window `confirm_from..=confirm_from + 7 days` of effective days whose confirmation
/// window closes within the week.
fn confirm_from_end(confirm_from: NaiveDate) -> NaiveDate {
    confirm_from
        .checked_add_days(chrono::Days::new(
            shared::agreement::CONFIRMATION_REMIND_DAYS,
        ))
        .unwrap_or(confirm_from)
}

/// Marks a reminder given (`which`: `confirm` or `perform`); false when it was already.
pub async fn mark_reminded(
    conn: &mut AnyConnection,
    case_id: i64,
    which: &str,
) -> Result<bool, sqlx::Error> {
    let sql = if which == "confirm" {
        "UPDATE agreements SET confirm_reminded = 1 WHERE case_id = $1 AND confirm_reminded = 0"
    } else {
        "UPDATE agreements SET perform_reminded = 1 WHERE case_id = $1 AND perform_reminded = 0"
    };
    let done = sqlx::query(sql).bind(case_id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// A stored follow-up visit.
#[derive(Debug, Clone, FromRow)]
pub struct FollowUpRow {
    pub id: i64,
    pub case_id: i64,
    pub closed_on: String,
    pub due_on: String,
    pub done_on: Option<String>,
    pub way: Option<String>,
    pub satisfaction: Option<String>,
    pub risks: String,
    pub recorded_by: Option<String>,
}

impl FollowUpRow {
    pub fn follow_up(&self) -> Result<shared::agreement::FollowUp, sqlx::Error> {
        Ok(shared::agreement::FollowUp {
            id: self.id,
            case_id: self.case_id,
            due_on: parse_day("follow-up day", &self.due_on)?,
            done_on: day_of("follow-up done", self.done_on.as_deref())?,
            way: self
                .way
                .as_deref()
                .map(|w| parse_enum("follow-up way", w))
                .transpose()?,
            satisfaction: self
                .satisfaction
                .as_deref()
                .map(|s| parse_enum("satisfaction", s))
                .transpose()?,
            risks: self.risks.clone(),
            recorded_by: self.recorded_by.clone(),
        })
    }

    pub fn closed_on(&self) -> Result<NaiveDate, sqlx::Error> {
        parse_day("closing day", &self.closed_on)
    }
}

const FOLLOW_UP_SELECT: &str = "SELECT id, case_id, closed_on, due_on, done_on, way, \
     satisfaction, risks, recorded_by FROM follow_ups";

/// Schedules the follow-up of a case closed on `closed_on`.
pub async fn schedule_follow_up(
    conn: &mut AnyConnection,
    case_id: i64,
    town_id: i64,
    closed_on: NaiveDate,
    due_on: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO follow_ups (case_id, town_id, closed_on, due_on) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(town_id)
    .bind(day_text(Some(closed_on)))
    .bind(day_text(Some(due_on)))
    .execute(conn)
    .await?;
    Ok(())
}

/// A case's follow-ups, earliest first.
pub async fn follow_ups(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<FollowUpRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} WHERE case_id = $1 ORDER BY id"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// One follow-up of a case.
pub async fn follow_up(
    conn: &mut AnyConnection,
    case_id: i64,
    id: i64,
) -> Result<Option<FollowUpRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} WHERE case_id = $1 AND id = $2"
    ))
    .bind(case_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Records a follow-up (a second record replaces the first: a correction).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn record_follow_up(
    conn: &mut AnyConnection,
    id: i64,
    done_on: NaiveDate,
    way: shared::model::FollowUpWay,
    satisfaction: shared::model::Satisfaction,
    risks: &str,
    by: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE follow_ups SET done_on = $1, way = $2, satisfaction = $3, risks = $4, \
         recorded_by = $5, recorded_at = $6 WHERE id = $7",
    )
    .bind(day_text(Some(done_on)))
    .bind(way.as_str())
    .bind(satisfaction.as_str())
    .bind(risks)
    .bind(by)
    .bind(at_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Follow-ups due by `today`, not done and not yet reminded: `(id, case_id)`.
pub async fn follow_ups_due(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, case_id FROM follow_ups WHERE done_on IS NULL AND reminded = 0 \
         AND due_on <= $1 ORDER BY id",
    )
    .bind(day_text(Some(today)))
    .fetch_all(conn)
    .await
}

/// Marks a follow-up's reminder given; false when it was already.
pub async fn mark_follow_up_reminded(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE follow_ups SET reminded = 1 WHERE id = $1 AND reminded = 0")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What the ledger shows of a case's mediation: sessions held, its agreement, its latest
/// follow-up.
#[derive(Debug, Clone, Default)]
pub struct LedgerMediation {
    pub sessions_held: i64,
    pub agreement: Option<AgreementRow>,
    pub follow_up: Option<FollowUpRow>,
}

/// The ledger's mediation columns of each of some cases (a case with none has no entry).
pub async fn ledger_of_cases(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<std::collections::HashMap<i64, LedgerMediation>, sqlx::Error> {
    let mut out: std::collections::HashMap<i64, LedgerMediation> = Default::default();
    for chunk in case_ids.chunks(500) {
        let mut q = super::SqlBuilder::new(
            "SELECT case_id, COUNT(*) FROM mediation_sessions WHERE status = 'ended' \
             AND case_id IN (",
        );
        q.bind_ids(chunk).push(") GROUP BY case_id");
        let held: Vec<(i64, i64)> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for (case, n) in held {
            out.entry(case).or_default().sessions_held = n;
        }
        let mut q = super::SqlBuilder::new(&format!("{SELECT} WHERE case_id IN ("));
        q.bind_ids(chunk).push(")");
        let agreements: Vec<AgreementRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for a in agreements {
            let case = a.case_id;
            out.entry(case).or_default().agreement = Some(a);
        }
        let mut q = super::SqlBuilder::new(&format!("{FOLLOW_UP_SELECT} WHERE case_id IN ("));
        q.bind_ids(chunk).push(") ORDER BY case_id, id");
        let visits: Vec<FollowUpRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        for f in visits {
            // The latest one wins (ordered by id).
            let case = f.case_id;
            out.entry(case).or_default().follow_up = Some(f);
        }
    }
    Ok(out)
}
