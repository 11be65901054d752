//! The ledger (矛盾纠纷排查化解台账): one row per case of the case list's filter, its columns
//! as DESIGN.md lists them (those whose data exists), written as CSV (UTF-8 with a BOM, so
//! that Excel opens Chinese correctly) or XLSX (a frozen header row, widths that fit Chinese
//! text, dates as dates). Both are written a chunk of rows at a time: the server never holds
//! the whole file (the XLSX sheet goes through `rust_xlsxwriter`'s constant-memory mode, its
//! rows in a temporary file until the zip is written out).
//!
//! Personal data is masked as on screen when the export is masked: parties through
//! `mask_party`, free text through the case's `Redactor`.

use std::collections::HashMap;
use std::io::Write;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use shared::Lang;
use shared::model::{
    CaseKind, Category, Channel, Extension, Outcome, Party, RiskLevel, Satisfaction, Stage, Urging,
};
use shared::privacy::{Redactor, mask_party};
use sqlx::AnyConnection;

use crate::db;
use crate::db::cases::CaseRow;
use crate::db::{from_millis, parse_date, parse_enum};

/// One cell of the ledger.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// An instant, in the centers' time zone.
    At(NaiveDateTime),
    Day(NaiveDate),
    Number(f64),
    Empty,
}

/// A column: its heading in each language and its width in XLSX (in characters of a Latin
/// font; a Chinese character takes about two).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub zh: &'static str,
    pub en: &'static str,
    pub width: f64,
}

/// The ledger's columns, in order.
pub const COLUMNS: &[Column] = &[
    Column {
        zh: "案件编号",
        en: "Code",
        width: 14.0,
    },
    Column {
        zh: "来源",
        en: "Source",
        width: 12.0,
    },
    Column {
        zh: "受理时间",
        en: "Received at",
        width: 17.0,
    },
    Column {
        zh: "登记人",
        en: "Registered by",
        width: 10.0,
    },
    Column {
        zh: "当事人",
        en: "Parties",
        width: 40.0,
    },
    Column {
        zh: "类型",
        en: "Kind",
        width: 10.0,
    },
    Column {
        zh: "类别",
        en: "Category",
        width: 14.0,
    },
    Column {
        zh: "村(社区)/片/组",
        en: "Village / area / group",
        width: 22.0,
    },
    Column {
        zh: "案情简述",
        en: "Summary",
        width: 30.0,
    },
    Column {
        zh: "主要事实",
        en: "Facts",
        width: 50.0,
    },
    Column {
        zh: "诉求",
        en: "Request",
        width: 36.0,
    },
    Column {
        zh: "风险等级",
        en: "Risk",
        width: 9.0,
    },
    Column {
        zh: "风险情形",
        en: "Risk signs",
        width: 20.0,
    },
    Column {
        zh: "办理程序",
        en: "Track",
        width: 26.0,
    },
    Column {
        zh: "承办单位/调解员",
        en: "Handler",
        width: 18.0,
    },
    Column {
        zh: "流转时间",
        en: "Routed at",
        width: 17.0,
    },
    Column {
        zh: "办理期限",
        en: "Deadline",
        width: 12.0,
    },
    Column {
        zh: "延期",
        en: "Extensions",
        width: 30.0,
    },
    Column {
        zh: "当前阶段",
        en: "Stage",
        width: 10.0,
    },
    Column {
        zh: "化解结果",
        en: "Result",
        width: 12.0,
    },
    Column {
        zh: "结果说明",
        en: "Result summary",
        width: 36.0,
    },
    Column {
        zh: "结案时间",
        en: "Closed at",
        width: 17.0,
    },
    Column {
        zh: "调解次数",
        en: "Sessions held",
        width: 9.0,
    },
    Column {
        zh: "调解协议",
        en: "Agreement",
        width: 22.0,
    },
    Column {
        zh: "协议金额(元)",
        en: "Amount (yuan)",
        width: 12.0,
    },
    Column {
        zh: "履行情况",
        en: "Performance",
        width: 18.0,
    },
    Column {
        zh: "司法确认",
        en: "Judicial confirmation",
        width: 22.0,
    },
    Column {
        zh: "回访",
        en: "Follow-up",
        width: 24.0,
    },
    Column {
        zh: "满意度",
        en: "Satisfaction",
        width: 10.0,
    },
    Column {
        zh: "满意度意见",
        en: "Resident's comment",
        width: 24.0,
    },
    Column {
        zh: "督办记录",
        en: "Urgings",
        width: 40.0,
    },
    Column {
        zh: "督办次数",
        en: "Urging count",
        width: 9.0,
    },
    Column {
        zh: "归档号",
        en: "Archive number",
        width: 16.0,
    },
];

/// The heading of each column in `lang`.
pub fn headings(lang: Lang) -> Vec<&'static str> {
    COLUMNS.iter().map(|c| lang.pick(c.zh, c.en)).collect()
}

/// What a case's row is made of.
#[derive(Debug, Clone, Copy)]
pub struct CaseData<'a> {
    pub row: &'a CaseRow,
    pub parties: &'a [Party],
    pub urgings: &'a [Urging],
    pub extensions: &'a [Extension],
    pub mediation: Option<&'a db::agreements::LedgerMediation>,
}

/// The ledger row of a case (`COLUMNS.len()` cells), personal data masked if `masked`.
pub fn row(
    case: CaseData<'_>,
    masked: bool,
    lang: Lang,
    tz: FixedOffset,
) -> Result<Vec<Cell>, sqlx::Error> {
    let r = case.row;
    let redactor = masked.then(|| Redactor::for_parties(case.parties));
    let free = |t: &str| -> Cell {
        let t = match &redactor {
            Some(red) => red.redact(t),
            None => t.to_owned(),
        };
        text(t)
    };
    let local = |ms: i64| Cell::At(from_millis(ms).with_timezone(&tz).naive_local());
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let parties = case
        .parties
        .iter()
        .map(|p| {
            let p = if masked { mask_party(p) } else { p.clone() };
            let mut s = format!("{}:{}", p.side.label(lang), p.name);
            for extra in [&p.phone, &p.id_number, &p.address].into_iter().flatten() {
                s.push_str(", ");
                s.push_str(extra);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(";\n");
    let flags = r
        .risk_flags()?
        .iter()
        .map(|f| f.label(lang))
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "));
    let extensions = case
        .extensions
        .iter()
        .map(|e| {
            let reason = match &redactor {
                Some(red) => red.redact(&e.reason),
                None => e.reason.clone(),
            };
            format!(
                "{} +{}{} {}:{}",
                e.requested_at.with_timezone(&tz).format("%Y-%m-%d"),
                e.days,
                lang.pick("日", " days"),
                e.status.label(lang),
                reason
            )
        })
        .collect::<Vec<_>>()
        .join(";\n");
    let urgings = case
        .urgings
        .iter()
        .map(|u| {
            let what = match &redactor {
                Some(red) => red.redact(&u.what),
                None => u.what.clone(),
            };
            let answered = match &u.acknowledged_by {
                Some(by) => format!("{}{by}", lang.pick("已签收:", "acknowledged by ")),
                None => lang.pick("未签收", "not acknowledged").to_owned(),
            };
            format!(
                "{} {}:{what}({}{};{answered})",
                u.at.with_timezone(&tz).format("%Y-%m-%d"),
                u.by,
                lang.pick("限", "due "),
                day(u.due_on),
            )
        })
        .collect::<Vec<_>>()
        .join(";\n");
    let clock = r.clock(Vec::new())?;
    let outcome = r
        .outcome
        .as_deref()
        .map(|o| parse_enum::<Outcome>("outcome", o))
        .transpose()?;
    let rating = r
        .rating
        .as_deref()
        .map(|o| parse_enum::<Satisfaction>("rating", o))
        .transpose()?;
    let opt = |v: Option<&str>| v.map_or(Cell::Empty, |s| text(s.to_owned()));
    let (agreement, amount, performance, confirmation) =
        mediation_cells(case.mediation, redactor.as_ref(), lang)?;
    let follow_up = match case.mediation.and_then(|m| m.follow_up.as_ref()) {
        Some(f) => {
            let f = f.follow_up()?;
            match (f.done_on, f.way, f.satisfaction) {
                (Some(d), Some(w), Some(s)) => {
                    let mut out = format!("{} {} {}", day(d), w.label(lang), s.label(lang));
                    if !f.risks.is_empty() {
                        out.push_str(&format!("({})", f.risks));
                    }
                    out
                }
                _ => format!("{}{}", lang.pick("应于 ", "due "), day(f.due_on)),
            }
        }
        None => String::new(),
    };
    Ok(vec![
        text(r.code.clone()),
        text(
            parse_enum::<Channel>("channel", &r.channel)?
                .label(lang)
                .to_owned(),
        ),
        local(r.registered_at),
        text(r.registered_by_name.clone()),
        text(parties),
        text(
            parse_enum::<CaseKind>("kind", &r.kind)?
                .label(lang)
                .to_owned(),
        ),
        text(
            parse_enum::<Category>("category", &r.category)?
                .label(lang)
                .to_owned(),
        ),
        text(r.place()),
        free(&r.summary),
        free(&r.facts),
        free(&r.request),
        text(
            parse_enum::<RiskLevel>("risk", &r.risk)?
                .label(lang)
                .to_owned(),
        ),
        text(flags),
        text(clock.rule.track.label(lang).to_owned()),
        opt(r.handler_name.as_deref()),
        r.routed_at.map_or(Cell::Empty, local),
        Cell::Day(parse_date(&r.due_on)?),
        text(extensions),
        text(
            parse_enum::<Stage>("stage", &r.stage)?
                .label(lang)
                .to_owned(),
        ),
        opt(outcome.map(|o| o.label(lang))),
        r.outcome_summary.as_deref().map_or(Cell::Empty, free),
        r.closed_at.map_or(Cell::Empty, local),
        Cell::Number(case.mediation.map_or(0, |m| m.sessions_held) as f64),
        text(agreement),
        amount,
        text(performance),
        text(confirmation),
        match &redactor {
            Some(red) => text(red.redact(&follow_up)),
            None => text(follow_up),
        },
        opt(rating.map(|s| s.label(lang))),
        r.rating_comment.as_deref().map_or(Cell::Empty, free),
        text(urgings),
        Cell::Number(case.urgings.len() as f64),
        opt(r.archive_no.as_deref()),
    ])
}

/// The agreement's cells: its number and form and status, the amount of its terms, the
/// performance, the judicial confirmation.
fn mediation_cells(
    m: Option<&db::agreements::LedgerMediation>,
    redactor: Option<&Redactor>,
    lang: Lang,
) -> Result<(String, Cell, String, String), sqlx::Error> {
    let Some(a) = m.and_then(|m| m.agreement.as_ref()) else {
        return Ok((String::new(), Cell::Empty, String::new(), String::new()));
    };
    let form = a.form()?;
    let effective = a.effective_on()?;
    let state = match effective {
        Some(d) => format!("{} {d}", lang.pick("生效", "in effect from")),
        None => lang.pick("未生效", "not in effect").to_owned(),
    };
    let agreement = format!("{} {} {state}", a.number, form.label(lang));
    let total = a.text()?.total_fen();
    let amount = if total > 0 {
        Cell::Number(total as f64 / 100.0)
    } else {
        Cell::Empty
    };
    let performance = match a.performance()? {
        Some(p) => {
            let mut s = p.label(lang).to_owned();
            if !a.performance_note.is_empty() {
                let note = match redactor {
                    Some(r) => r.redact(&a.performance_note),
                    None => a.performance_note.clone(),
                };
                s.push_str(&format!("({note})"));
            }
            s
        }
        None => match &a.performance_due {
            Some(due) if effective.is_some() => format!("{}{due}", lang.pick("履行期限 ", "due ")),
            _ => String::new(),
        },
    };
    let confirmation = match (a.applied_on()?, a.ruling()?) {
        (Some(applied), ruling) => format!(
            "{} {applied} {}{}",
            lang.pick("申请", "applied"),
            a.confirm_court.clone().unwrap_or_default(),
            ruling.map_or_else(String::new, |r| format!(" {}", r.label(lang)))
        ),
        (None, _) => String::new(),
    };
    Ok((agreement, amount, performance, confirmation))
}

/// A text cell; empty text is an empty cell.
fn text(s: String) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

/// Some cases as the ledger needs them, loaded by id.
#[derive(Debug, Default)]
pub struct Loaded {
    pub rows: Vec<CaseRow>,
    pub parties: HashMap<i64, Vec<Party>>,
    pub urgings: HashMap<i64, Vec<Urging>>,
    pub extensions: HashMap<i64, Vec<Extension>>,
    pub mediation: HashMap<i64, db::agreements::LedgerMediation>,
}

impl Loaded {
    /// Loads the cases of `ids` (a few queries for them all, not a few per case).
    pub async fn load(conn: &mut AnyConnection, ids: &[i64]) -> Result<Loaded, sqlx::Error> {
        Ok(Loaded {
            rows: db::cases::by_ids(&mut *conn, ids).await?,
            parties: db::cases::parties_of_cases(&mut *conn, ids).await?,
            urgings: db::supervision::urgings_of_cases(&mut *conn, ids).await?,
            extensions: db::clock::extensions_of_cases(&mut *conn, ids).await?,
            mediation: db::agreements::ledger_of_cases(&mut *conn, ids).await?,
        })
    }

    /// The rows, in the order of `ids` (a case deleted meanwhile is left out).
    pub fn rows_in_order(
        &self,
        ids: &[i64],
        masked: bool,
        lang: Lang,
        tz: FixedOffset,
    ) -> Result<Vec<Vec<Cell>>, sqlx::Error> {
        let by_id: HashMap<i64, &CaseRow> = self.rows.iter().map(|r| (r.id, r)).collect();
        ids.iter()
            .filter_map(|id| by_id.get(id).map(|r| (*id, *r)))
            .map(|(id, r)| {
                row(
                    CaseData {
                        row: r,
                        parties: self.parties.get(&id).map_or(&[], Vec::as_slice),
                        urgings: self.urgings.get(&id).map_or(&[], Vec::as_slice),
                        extensions: self.extensions.get(&id).map_or(&[], Vec::as_slice),
                        mediation: self.mediation.get(&id),
                    },
                    masked,
                    lang,
                    tz,
                )
            })
            .collect()
    }
}

/// The byte-order mark that tells Excel a CSV file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// Appends one CSV record (RFC 4180: fields quoted where needed, CRLF line ends). A text
/// starting with `=`, `+`, `-`, `@` or a tab is prefixed with `'`, so that a spreadsheet
/// never runs it as a formula (CSV injection).
pub fn csv_record<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a Cell>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = match cell {
            Cell::Text(s) => {
                if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{s}")
                } else {
                    s.clone()
                }
            }
            Cell::At(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            Cell::Day(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        };
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

/// The CSV heading record, after the BOM.
pub fn csv_head(lang: Lang) -> String {
    let mut out = BOM.to_owned();
    let heads: Vec<Cell> = headings(lang)
        .into_iter()
        .map(|h| Cell::Text(h.to_owned()))
        .collect();
    csv_record(&mut out, &heads);
    out
}

/// Writes the XLSX ledger: the rows come in chunks from `chunks` (an `Err` stops the export
/// without writing a file), and the finished workbook goes to `out`. The sheet is written in
/// constant-memory mode, its rows in a temporary file under `tempdir`.
pub fn write_xlsx(
    chunks: impl IntoIterator<Item = Result<Vec<Vec<Cell>>, String>>,
    out: impl Write + Send,
    lang: Lang,
    title: &str,
    tempdir: &std::path::Path,
) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_tempdir(tempdir)?;
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE8_EE_F4))
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let at = Format::new()
        .set_num_format("yyyy-mm-dd hh:mm")
        .set_align(FormatAlign::Top)
        .set_align(FormatAlign::Left);
    let day = Format::new()
        .set_num_format("yyyy-mm-dd")
        .set_align(FormatAlign::Top)
        .set_align(FormatAlign::Left);
    let number = Format::new().set_align(FormatAlign::Top);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(title)?;
    for (i, column) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        sheet.set_column_width(col, column.width)?;
    }
    for (i, heading) in headings(lang).into_iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(i).unwrap_or(u16::MAX), heading, &head)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row_no: u32 = 1;
    for chunk in chunks {
        let chunk = chunk.map_err(XlsxError::ParameterError)?;
        for cells in chunk {
            for (i, cell) in cells.iter().enumerate() {
                let col = u16::try_from(i).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string_with_format(row_no, col, s, &wrap)?;
                    }
                    Cell::At(t) => {
                        sheet.write_datetime_with_format(row_no, col, t, &at)?;
                    }
                    Cell::Day(d) => {
                        sheet.write_datetime_with_format(row_no, col, d, &day)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number_with_format(row_no, col, *n, &number)?;
                    }
                    Cell::Empty => {}
                }
            }
            row_no += 1;
        }
    }
    sheet.autofilter(
        0,
        0,
        row_no.saturating_sub(1).max(1),
        u16::try_from(COLUMNS.len() - 1).unwrap_or(0),
    )?;
    workbook.save_to_writer(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let mut out = String::new();
        csv_record(
            &mut out,
            &[
                Cell::Text("plain".into()),
                Cell::Text("a,b".into()),
                Cell::Text("say \"hi\"".into()),
                Cell::Text("two\nlines".into()),
                Cell::Text("=HYPERLINK(\"x\")".into()),
                Cell::Text("-1".into()),
                Cell::Day(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default()),
                Cell::Number(3.0),
                Cell::Empty,
            ],
        );
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=HYPERLINK(\"\"x\"\")\",'-1,2026-03-01,3,\r\n"
        );
    }

    #[test]
    fn csv_head_starts_with_the_bom_and_names_every_column() {
        let head = csv_head(Lang::Zh);
        assert!(head.starts_with('\u{feff}'));
        assert_eq!(head.trim_end().split(',').count(), COLUMNS.len());
        assert!(head.contains("归档号"));
        assert!(csv_head(Lang::En).contains("Archive number"));
    }
}
