//! Repeat matters (重复信访): the cases of a town with a party whose phone or ID number has a
//! given key (`parties.phone_key` / `id_key`, indexed), and the links between a case and the
//! earlier one it repeats (`cases.repeat_of`).

use std::collections::HashMap;

use shared::model::{PartyKind, RiskFlag};
use shared::privacy::{Redactor, mask_id, mask_name, mask_phone};
use shared::repeats::{CaseRef, MATCHES_MAX, MatchedBy, RepeatMatch, RepeatMatches};
use shared::validate::PARTIES_MAX;
use sqlx::{AnyConnection, FromRow};

use super::{Arg, SqlBuilder, from_millis, parse_enum};

#[derive(Debug, FromRow)]
struct MatchRow {
    id: i64,
    code: String,
    kind: String,
    category: String,
    stage: String,
    summary: String,
    registered_at: i64,
    closed_at: Option<i64>,
    handler_name: Option<String>,
    party_kind: String,
    party_name: String,
    phone: Option<String>,
    id_number: Option<String>,
    phone_key: Option<String>,
    id_key: Option<String>,
    repeat_of_code: Option<String>,
}

/// What the search is for: the town, the keys, a case to leave out, the oldest closing that
/// still counts (ms), and whether the reader sees every case's text unredacted.
pub struct Search<'a> {
    pub town_id: i64,
    pub phones: &'a [String],
    pub ids: &'a [String],
    pub exclude: Option<i64>,
    pub closed_since_ms: i64,
    pub sees_text: bool,
    /// The centers' UTC offset (ms), for the day of closing.
    pub offset_ms: i64,
}

/// The open and recently closed cases of the town with a party whose phone or ID number has
/// one of the keys, newest first; each case once (by the first number it matched).
pub async fn search(
    conn: &mut AnyConnection,
    s: &Search<'_>,
) -> Result<RepeatMatches, sqlx::Error> {
    let mut rows = Vec::new();
    for (column, keys) in [("phone_key", s.phones), ("id_key", s.ids)] {
        if keys.is_empty() {
            continue;
        }
        let mut q = SqlBuilder::new(
            "SELECT c.id, c.code, c.kind, c.category, c.stage, c.summary, c.registered_at, \
             c.closed_at, COALESCE(hu.display_name, hd.name) AS handler_name, \
             p.kind AS party_kind, p.name AS party_name, p.phone, p.id_number, p.phone_key, \
             p.id_key, (SELECT r.code FROM cases r WHERE r.id = c.repeat_of) AS repeat_of_code \
             FROM parties p JOIN cases c ON c.id = p.case_id \
             LEFT JOIN users hu ON c.handler_kind = 'mediator' AND hu.id = c.handler_id \
             LEFT JOIN departments hd ON c.handler_kind = 'department' AND hd.id = c.handler_id \
             WHERE p.",
        );
        q.push(column).push(" IN (");
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(Arg::Text(key.clone()));
        }
        q.push(") AND c.town_id = ")
            .bind(Arg::Int(s.town_id))
            .push(" AND (c.stage IN ('registered', 'routed', 'in_handling') OR c.closed_at >= ")
            .bind(Arg::Int(s.closed_since_ms))
            .push(")");
        if let Some(id) = s.exclude {
            q.push(" AND c.id <> ").bind(Arg::Int(id));
        }
        // Rows are parties: enough of them for one more case than is shown even when every
        // party of each case shares the number, to know whether there are more cases.
        q.push(" ORDER BY c.registered_at DESC, c.id DESC LIMIT ")
            .push(&((MATCHES_MAX + 1) * PARTIES_MAX).to_string());
        let found: Vec<MatchRow> = sqlx::query_as_with(&q.sql, q.arguments()?)
            .fetch_all(&mut *conn)
            .await?;
        rows.extend(found);
    }
    rows.sort_by_key(|r| std::cmp::Reverse((r.registered_at, r.id)));
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.id));
    let more = rows.len() > MATCHES_MAX;
    rows.truncate(MATCHES_MAX);
    let names = if s.sees_text {
        HashMap::new()
    } else {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        super::cases::names_of_cases(conn, &ids).await?
    };
    let mut matches = Vec::with_capacity(rows.len());
    for r in rows {
        let summary = if s.sees_text {
            r.summary.clone()
        } else {
            let case_names = names.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
            Redactor::for_names(case_names.iter().map(String::as_str)).redact(&r.summary)
        };
        let by_phone = r.phone_key.as_ref().is_some_and(|k| s.phones.contains(k));
        let (matched_by, number, key) = if by_phone {
            (
                MatchedBy::Phone,
                mask_phone(r.phone.as_deref().unwrap_or_default()),
                r.phone_key.clone().unwrap_or_default(),
            )
        } else {
            (
                MatchedBy::IdNumber,
                mask_id(r.id_number.as_deref().unwrap_or_default()),
                r.id_key.clone().unwrap_or_default(),
            )
        };
        let party_kind: PartyKind = parse_enum("party kind", &r.party_kind)?;
        let party = match party_kind {
            PartyKind::Person => mask_name(&r.party_name),
            PartyKind::Organisation => r.party_name.clone(),
        };
        matches.push(RepeatMatch {
            case_id: r.id,
            code: r.code,
            kind: parse_enum("kind", &r.kind)?,
            category: parse_enum("category", &r.category)?,
            stage: parse_enum("stage", &r.stage)?,
            summary,
            registered_at: from_millis(r.registered_at),
            closed_on: r
                .closed_at
                .map(|t| from_millis(t + s.offset_ms).date_naive()),
            handler_name: r.handler_name,
            matched_by,
            number,
            party,
            key,
            repeat_of: r.repeat_of_code,
        });
    }
    Ok(RepeatMatches { matches, more })
}

/// The cases linked as repeats of `case_id`, oldest first.
pub async fn repeated_by(
    conn: &mut AnyConnection,
    case_id: i64,
) -> Result<Vec<CaseRef>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, code FROM cases WHERE repeat_of = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, code)| CaseRef { id, code })
        .collect())
}

/// An earlier case a matter may be linked to: its id, stage and what it repeats itself.
#[derive(Debug, Clone, FromRow)]
pub struct Earlier {
    pub id: i64,
    pub code: String,
    pub stage: String,
    pub repeat_of: Option<i64>,
    pub registered_at: i64,
}

/// The case with `code` in `town_id`, if any.
pub async fn earlier(
    conn: &mut AnyConnection,
    town_id: i64,
    code: &str,
) -> Result<Option<Earlier>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, stage, repeat_of, registered_at FROM cases WHERE code = $1 \
         AND town_id = $2",
    )
    .bind(code)
    .bind(town_id)
    .fetch_optional(conn)
    .await
}

/// Whether following `repeat_of` from `from` (at most 100 steps) reaches `target`: linking
/// `target` to `from` would then make a circle.
pub async fn leads_to(
    conn: &mut AnyConnection,
    from: i64,
    target: i64,
) -> Result<bool, sqlx::Error> {
    let mut at = Some(from);
    for _ in 0..100 {
        let Some(id) = at else { return Ok(false) };
        if id == target {
            return Ok(true);
        }
        at = sqlx::query_scalar::<_, Option<i64>>("SELECT repeat_of FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    }
    Ok(true)
}

/// Sets (or clears) the earlier case of `case_id` and its risk flags.
pub async fn set_link(
    conn: &mut AnyConnection,
    case_id: i64,
    repeat_of: Option<i64>,
    risk_flags: &[RiskFlag],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET repeat_of = $1, risk_flags = $2 WHERE id = $3")
        .bind(repeat_of)
        .bind(super::cases::join_list(risk_flags))
        .bind(case_id)
        .execute(conn)
        .await
        .map(drop)
}
