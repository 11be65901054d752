//! The mediation agreement (调解协议书) and what follows it: its elements (人民调解法 第二十九条;
//! 司法部令第75号 第三十五条), the exact text the parties sign, amounts in capital numerals
//! (大写), who must sign before it takes effect, the judicial-confirmation window (第三十三条:
//! a joint application within 30 days of taking effect) and the record of performance.
//!
//! The server stores the text and, with every signature, a hash of the text as signed
//! ([`signed_text`] is what the hash covers). Changing the text voids every signature; a stored
//! signature whose hash is not the current text's is shown as an error, never as signed.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Reason};
use crate::lang::Lang;
use crate::model::{
    AgreementForm, AgreementStatus, Category, ConfirmationRuling, Party, PartySide, Performance,
    SignMethod,
};
use crate::validate::Checker;

/// Most agreed terms, and the longest term.
pub const TERMS_MAX: usize = 30;
pub const TERM_MAX: u32 = 500;
/// The longest facts, disputed matters and responsibilities.
pub const TEXT_MAX: u32 = 5000;
/// The longest one-line element (manner and place of performance, the court, a representative).
pub const LINE_MAX: u32 = 100;
/// The largest amount of one term, in fen (one billion yuan).
pub const AMOUNT_MAX_FEN: i64 = 100_000_000_000;
/// Days after taking effect within which the parties may apply for judicial confirmation.
pub const CONFIRMATION_DAYS: u64 = 30;
/// Days before that window closes when the handler is reminded.
pub const CONFIRMATION_REMIND_DAYS: u64 = 7;
/// The most strokes in one signature, and points in all its strokes.
pub const STROKES_MAX: usize = 300;
pub const POINTS_MAX: usize = 20_000;
/// How far ahead a deadline of performance may be, in days (ten years).
pub const PERFORMANCE_AHEAD_DAYS: u64 = 3653;
/// The longest note on performance.
pub const NOTE_MAX: u32 = 500;

/// One agreed term: what is to be done and, where money changes hands, how much (in fen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub text: String,
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// Who came for a party, by the party's position among the case's parties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Representative {
    pub position: u32,
    pub name: String,
}

/// The part of the agreement the mediator writes; the rest (number, committee, the parties'
/// particulars) comes from the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementText {
    /// The main facts of the dispute (纠纷主要事实).
    pub facts: String,
    /// The matters in dispute (争议事项).
    pub disputes: String,
    /// Each side's responsibility (各方当事人的责任).
    pub responsibility: String,
    /// The agreed terms (协议内容), numbered in order.
    pub terms: Vec<Term>,
    /// How, where and by when the terms are performed (履行方式、地点、期限).
    pub performance_manner: String,
    pub performance_place: String,
    #[serde(default)]
    pub performance_due: Option<NaiveDate>,
    /// The court the parties may apply to for judicial confirmation.
    pub court: String,
    #[serde(default)]
    pub representatives: Vec<Representative>,
}

impl AgreementText {
    /// Checks a written agreement's text: every element present, terms with sane amounts, a
    /// performance deadline not before `today`, representatives of parties that exist.
    pub fn check(
        &self,
        parties: usize,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.required("text.facts", &self.facts, TEXT_MAX);
        c.required("text.disputes", &self.disputes, TEXT_MAX);
        c.required("text.responsibility", &self.responsibility, TEXT_MAX);
        check_terms(&mut c, &self.terms);
        c.required_line(
            "text.performance_manner",
            &self.performance_manner,
            LINE_MAX,
        );
        c.required_line("text.performance_place", &self.performance_place, LINE_MAX);
        match self.performance_due {
            None => c.fail("text.performance_due", Reason::Required),
            Some(due) if due < today => c.fail(
                "text.performance_due",
                Reason::Other {
                    zh: "履行期限不能早于今天。".into(),
                    en: "The deadline of performance cannot be before today.".into(),
                },
            ),
            Some(due)
                if due
                    > today
                        .checked_add_days(Days::new(PERFORMANCE_AHEAD_DAYS))
                        .unwrap_or(today) =>
            {
                c.fail(
                    "text.performance_due",
                    Reason::Other {
                        zh: "履行期限不能超过十年。".into(),
                        en: "The deadline of performance cannot be more than ten years ahead."
                            .into(),
                    },
                );
            }
            Some(_) => {}
        }
        c.required_line("text.court", &self.court, LINE_MAX);
        for (i, rep) in self.representatives.iter().enumerate() {
            let at = format!("text.representatives[{i}]");
            if rep.position as usize >= parties {
                c.fail(format!("{at}.position"), Reason::NoSuchItem);
            } else if self.representatives[..i]
                .iter()
                .any(|r| r.position == rep.position)
            {
                c.fail(format!("{at}.position"), Reason::Duplicate);
            }
            c.required_line(&format!("{at}.name"), &rep.name, LINE_MAX);
        }
        c.finish()
    }

    /// The representative of the party at `position`, if one came.
    pub fn representative(&self, position: u32) -> Option<&str> {
        self.representatives
            .iter()
            .find(|r| r.position == position)
            .map(|r| r.name.as_str())
    }

    /// The sum of the terms' amounts, in fen.
    pub fn total_fen(&self) -> i64 {
        self.terms.iter().filter_map(|t| t.amount_fen).sum()
    }
}

fn check_terms(c: &mut Checker, terms: &[Term]) {
    if terms.is_empty() {
        c.fail("text.terms", Reason::Required);
    } else if terms.len() > TERMS_MAX {
        c.fail(
            "text.terms",
            Reason::OutOfRange {
                min: 1,
                max: TERMS_MAX as i64,
            },
        );
    }
    for (i, term) in terms.iter().enumerate() {
        c.required(&format!("text.terms[{i}].text"), &term.text, TERM_MAX);
        if let Some(fen) = term.amount_fen
            && !(1..=AMOUNT_MAX_FEN).contains(&fen)
        {
            c.fail(
                format!("text.terms[{i}].amount_fen"),
                Reason::OutOfRange {
                    min: 1,
                    max: AMOUNT_MAX_FEN,
                },
            );
        }
    }
}

/// Saving a written agreement's text (`PUT /api/cases/{id}/agreement`): `version` 0 drafts
/// it, otherwise the version it was read at (a stale one gets 409). A change to a text that
/// carries signatures voids them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveAgreement {
    pub text: AgreementText,
    pub version: i64,
}

/// Recording an oral agreement (`POST /api/cases/{id}/agreement/oral`): what the parties
/// agreed, as terms, written down by the mediator (人民调解法 第三十条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordOral {
    pub terms: Vec<Term>,
    /// When the parties agreed: the agreement takes effect then.
    pub agreed_on: NaiveDate,
}

impl RecordOral {
    /// Checks it: terms as a written agreement's, agreed between the registration (`earliest`)
    /// and today.
    pub fn check(
        &self,
        earliest: NaiveDate,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        check_terms(&mut c, &self.terms);
        if self.agreed_on > today || self.agreed_on < earliest {
            c.fail(
                "agreed_on",
                Reason::Other {
                    zh: format!("达成日期应在登记({earliest})之后、今天以前。"),
                    en: format!(
                        "The day agreed must fall between the registration ({earliest}) and today."
                    ),
                },
            );
        }
        let mut errors = c.finish().err().unwrap_or_default();
        for e in &mut errors {
            if let Some(rest) = e.field.strip_prefix("text.") {
                e.field = rest.to_owned();
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Chinese punctuation for a document: ASCII `, : ; ( ) ! ?` become their full-width forms,
/// except a comma between two digits (a thousands separator, 12,345.60).
pub fn chinese_punctuation(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let digit_around = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        out.push(match c {
            ',' if !digit_around => '\u{ff0c}',
            ':' => '\u{ff1a}',
            ';' => '\u{ff1b}',
            '(' => '\u{ff08}',
            ')' => '\u{ff09}',
            '!' => '\u{ff01}',
            '?' => '\u{ff1f}',
            other => other,
        });
    }
    out
}

/// The committee of a town (瓜州镇人民调解委员会).
pub fn committee(town: &str) -> String {
    format!("{town}人民调解委员会")
}

/// An agreement's number: the town's first character, the year, the town's count that year
/// (瓜调协〔2026〕12号).
pub fn number(town: &str, year: i32, n: i64) -> String {
    let short: String = town.chars().take(1).collect();
    format!("{short}调协〔{year}〕{n}号")
}

/// The court a draft names for judicial confirmation: the county's people's court when the
/// town is in a county on record.
pub fn default_court(town: &str, county: Option<&str>) -> String {
    match county {
        Some(c) => format!("{c}人民法院"),
        None => format!("{town}所在地基层人民法院"),
    }
}

/// Whether a category's disputes may be settled by an oral agreement: labour disputes always
/// need a written one (劳动争议调解仲裁法 第十四条).
pub fn oral_allowed(category: Category) -> bool {
    category != Category::Labour
}

/// The refusal of an oral agreement in a labour dispute.
pub fn labour_needs_written() -> Reason {
    Reason::Other {
        zh: "劳动争议经调解达成协议的,应当制作书面调解协议书(《劳动争议调解仲裁法》第十四条)。"
            .into(),
        en: "A labour dispute settled by mediation needs a written agreement (Labour Dispute \
             Mediation and Arbitration Law, Art. 14)."
            .into(),
    }
}

/// Who signs: a party (by position among the case's parties) or the mediator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "who", rename_all = "snake_case")]
pub enum Signer {
    Party { position: u32 },
    Mediator,
}

/// One stroke of a drawn signature: points `[x, y, pressure]`, x and y from 0 to 1 across
/// the pad (so it draws at any size), pressure from 0 to 1 (0.5 where the device gives none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stroke {
    pub points: Vec<[f32; 3]>,
}

/// Signing (`POST /api/cases/{id}/agreement/signatures`): `text_hash` is the hash of the text
/// the signatory was shown; the server refuses it if the text has changed since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSignature {
    pub signer: Signer,
    pub method: SignMethod,
    #[serde(default)]
    pub strokes: Vec<Stroke>,
    pub text_hash: String,
}

impl NewSignature {
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        match self.method {
            SignMethod::Drawn => {
                let points: usize = self.strokes.iter().map(|s| s.points.len()).sum();
                if self.strokes.is_empty() || points < 2 {
                    c.fail(
                        "strokes",
                        Reason::Other {
                            zh: "请在签名框内签名。".into(),
                            en: "Sign in the box first.".into(),
                        },
                    );
                } else if self.strokes.len() > STROKES_MAX || points > POINTS_MAX {
                    c.fail(
                        "strokes",
                        Reason::Other {
                            zh: "签名笔画过多,请清除后重签。".into(),
                            en: "Too many strokes: clear the box and sign again.".into(),
                        },
                    );
                } else if self.strokes.iter().flat_map(|s| &s.points).any(|p| {
                    !(0.0..=1.0).contains(&p[0])
                        || !(0.0..=1.0).contains(&p[1])
                        || !(0.0..=1.0).contains(&p[2])
                }) {
                    c.fail("strokes", Reason::OutOfRange { min: 0, max: 1 });
                }
            }
            SignMethod::Fingerprint => {
                if !self.strokes.is_empty() {
                    c.fail("strokes", Reason::NotAllowedHere);
                }
            }
        }
        if self.text_hash.len() != 64 || !self.text_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            c.fail("text_hash", Reason::Required);
        }
        c.finish()
    }
}

/// A signature as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signature {
    pub signer: Signer,
    /// The signatory's name (masked for readers who may not see the parties).
    pub name: String,
    pub method: SignMethod,
    /// The drawn strokes (empty for a fingerprint, and for readers who may not see parties).
    pub strokes: Vec<Stroke>,
    /// When, as unix milliseconds.
    pub signed_at: i64,
    /// Who recorded it (the staff member holding the tablet).
    pub recorded_by: String,
    /// The hash of the text as signed.
    pub text_hash: String,
    /// Whether that is the current text's hash; `false` is an error to show, never a signature.
    pub matches: bool,
}

/// A party as the agreement names it (from the case; masked for readers who may not see the
/// parties), with who came for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementParty {
    pub position: u32,
    pub party: Party,
    pub representative: Option<String>,
}

/// The judicial confirmation (司法确认): the window, and what was applied for and ruled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Confirmation {
    /// The last day of the window (30 days after taking effect).
    pub apply_by: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    pub court: Option<String>,
    pub ruling: Option<ConfirmationRuling>,
    pub ruled_on: Option<NaiveDate>,
}

/// Recording the judicial confirmation (`PUT /api/cases/{id}/agreement/confirmation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordConfirmation {
    pub applied_on: NaiveDate,
    pub court: String,
    #[serde(default)]
    pub ruling: Option<ConfirmationRuling>,
    #[serde(default)]
    pub ruled_on: Option<NaiveDate>,
}

impl RecordConfirmation {
    /// Checks it against the window that opened on `effective_on`.
    pub fn check(
        &self,
        effective_on: NaiveDate,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        let apply_by = confirmation_deadline(effective_on);
        if self.applied_on < effective_on || self.applied_on > apply_by {
            c.fail(
                "applied_on",
                Reason::Other {
                    zh: format!(
                        "申请日期应在协议生效之日({effective_on})起三十日内,即不晚于 {apply_by}。"
                    ),
                    en: format!(
                        "The application must be made within 30 days of the agreement taking \
                         effect on {effective_on}, so by {apply_by}."
                    ),
                },
            );
        } else if self.applied_on > today {
            c.fail(
                "applied_on",
                Reason::Other {
                    zh: "申请日期不能晚于今天。".into(),
                    en: "The day of application cannot be after today.".into(),
                },
            );
        }
        c.required_line("court", &self.court, LINE_MAX);
        match (self.ruling, self.ruled_on) {
            (Some(_), None) => c.fail("ruled_on", Reason::Required),
            (None, Some(_)) => c.fail("ruling", Reason::Required),
            (Some(_), Some(day)) if day < self.applied_on || day > today => c.fail(
                "ruled_on",
                Reason::Other {
                    zh: "裁定日期应在申请之后、今天以前。".into(),
                    en: "The ruling's day must fall between the application and today.".into(),
                },
            ),
            _ => {}
        }
        c.finish()
    }
}

/// What became of the terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceRecord {
    pub due: Option<NaiveDate>,
    pub state: Option<Performance>,
    pub recorded_on: Option<NaiveDate>,
    pub note: String,
}

/// Recording performance (`PUT /api/cases/{id}/agreement/performance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordPerformance {
    pub state: Performance,
    #[serde(default)]
    pub note: String,
}

impl RecordPerformance {
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.state != Performance::Performed {
            c.required("note", &self.note, NOTE_MAX);
        } else {
            c.max_len("note", &self.note, NOTE_MAX);
        }
        c.finish()
    }
}

/// Days after closing when the follow-up visit (回访) falls due, or after the performance
/// deadline when that is later.
pub const FOLLOW_UP_DAYS: u64 = 7;
/// The longest account of remaining risks.
pub const RISKS_MAX: u32 = 1000;

/// When the follow-up of a case closed on `closed_on` falls due: a week after closing, or the
/// day after the agreement's performance deadline when that is later.
pub fn follow_up_due(closed_on: NaiveDate, performance_due: Option<NaiveDate>) -> NaiveDate {
    let week = closed_on
        .checked_add_days(Days::new(FOLLOW_UP_DAYS))
        .unwrap_or(closed_on);
    match performance_due.and_then(|d| d.checked_add_days(Days::new(1))) {
        Some(after) if after > week => after,
        _ => week,
    }
}

/// A follow-up visit (回访): scheduled when the case closes, recorded by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: i64,
    pub case_id: i64,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub way: Option<crate::model::FollowUpWay>,
    pub satisfaction: Option<crate::model::Satisfaction>,
    /// Remaining risks, as staff noted them (masked for readers who may not see the parties).
    pub risks: String,
    pub recorded_by: Option<String>,
}

/// Recording a follow-up (`PUT /api/cases/{id}/follow-ups/{follow_up}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordFollowUp {
    pub done_on: NaiveDate,
    pub way: crate::model::FollowUpWay,
    pub satisfaction: crate::model::Satisfaction,
    #[serde(default)]
    pub risks: String,
}

impl RecordFollowUp {
    /// Checks it: done not before the case closed (`closed_on`) nor after `today`; risks
    /// described when the parties are not satisfied.
    pub fn check(
        &self,
        closed_on: NaiveDate,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.done_on < closed_on || self.done_on > today {
            c.fail(
                "done_on",
                Reason::Other {
                    zh: format!("回访日期应在结案({closed_on})之后、今天以前。"),
                    en: format!(
                        "The visit's day must fall between the closing ({closed_on}) and today."
                    ),
                },
            );
        }
        if self.satisfaction == crate::model::Satisfaction::Dissatisfied {
            c.required("risks", &self.risks, RISKS_MAX);
        } else {
            c.max_len("risks", &self.risks, RISKS_MAX);
        }
        c.finish()
    }
}

/// A case's follow-ups (`GET /api/cases/{id}/follow-ups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseFollowUps {
    pub follow_ups: Vec<FollowUp>,
    /// Whether the reader may record them.
    pub may_record: bool,
    /// Whether the latest recorded one was dissatisfied while the case is closed (not yet
    /// archived): the lead may reopen it.
    pub may_reopen: bool,
}

/// A case's agreement (`GET /api/cases/{id}/agreement`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agreement {
    pub case_id: i64,
    pub form: AgreementForm,
    pub status: AgreementStatus,
    /// The agreement's number (瓜调协〔2026〕12号).
    pub number: String,
    /// The committee (瓜州镇人民调解委员会).
    pub committee: String,
    pub parties: Vec<AgreementParty>,
    pub text: AgreementText,
    /// The whole text as the parties sign it ([`signed_text`]), masked for readers who may not
    /// see the parties.
    pub signed_text: String,
    /// SHA-256 of the unmasked signed text, in hex: what a signature must carry.
    pub text_hash: String,
    /// How many copies are made: one per party and one for the committee.
    pub copies: u32,
    pub signatures: Vec<Signature>,
    /// Who has yet to sign.
    pub unsigned: Vec<Signer>,
    /// When the committee's seal was recorded, and by whom.
    pub sealed_at: Option<i64>,
    pub sealed_by: Option<String>,
    pub effective_on: Option<NaiveDate>,
    /// How many times a change voided the signatures.
    pub voided: u32,
    pub confirmation: Confirmation,
    pub performance: PerformanceRecord,
    /// Whether the reader may change it (draft, sign, seal, record what followed).
    pub may_edit: bool,
    /// Whether the reader may collect signatures, record the seal or change the text now (a
    /// written agreement not yet in effect, the case in handling).
    #[serde(default)]
    pub may_sign: bool,
    pub version: i64,
}

impl Agreement {
    /// Whether a stored signature does not match the text: an error to show.
    pub fn has_mismatch(&self) -> bool {
        self.signatures.iter().any(|s| !s.matches)
    }
}

/// The agreement of a case whose lead may draft one: either the stored one, or `None` with
/// what a new draft starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseAgreement {
    pub agreement: Option<Agreement>,
    /// A new draft's text from the case's facts and request (`None` once one exists).
    pub template: Option<AgreementText>,
    /// Whether an oral agreement may be recorded instead (not for labour disputes).
    pub oral_allowed: bool,
    pub may_edit: bool,
}

/// Whether the party at a position signs: applicants and respondents do; a representative
/// (代理人) is named beside them and does not sign for them here.
pub fn signs(party: &Party) -> bool {
    party.side != PartySide::Representative
}

/// Everyone who must sign a written agreement: each applicant and respondent, then the
/// mediator.
pub fn signatories(parties: &[Party]) -> Vec<Signer> {
    parties
        .iter()
        .enumerate()
        .filter(|(_, p)| signs(p))
        .map(|(i, _)| Signer::Party { position: i as u32 })
        .chain(std::iter::once(Signer::Mediator))
        .collect()
}

/// Where a written agreement stands, given who has validly signed and whether the seal is
/// recorded: in effect once every signatory has signed and the seal is on it.
pub fn status_of(parties: &[Party], signed: &[Signer], sealed: bool) -> AgreementStatus {
    let all = signatories(parties).iter().all(|s| signed.contains(s));
    if all && sealed {
        AgreementStatus::InEffect
    } else if signed.is_empty() && !sealed {
        AgreementStatus::Draft
    } else {
        AgreementStatus::Signing
    }
}

/// The last day to apply for judicial confirmation of an agreement in effect from `effective_on`.
pub fn confirmation_deadline(effective_on: NaiveDate) -> NaiveDate {
    effective_on
        .checked_add_days(Days::new(CONFIRMATION_DAYS))
        .unwrap_or(effective_on)
}

/// Whether the handler is to be reminded of the confirmation window on `today`: within its
/// last [`CONFIRMATION_REMIND_DAYS`] days and nothing applied for yet.
pub fn confirmation_reminder_due(c: &Confirmation, today: NaiveDate) -> bool {
    match c.apply_by {
        Some(by) if c.applied_on.is_none() => {
            today <= by
                && by.signed_duration_since(today).num_days() <= CONFIRMATION_REMIND_DAYS as i64
        }
        _ => false,
    }
}

/// An amount in fen as figures: `12,345.60`.
pub fn amount_in_figures(fen: i64) -> String {
    let yuan = fen / 100;
    let cents = fen % 100;
    let digits = yuan.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{cents:02}")
}

/// An amount in fen in capital Chinese numerals, as contracts write it (人民币大写):
/// 12,345.60 → 壹万贰仟叁佰肆拾伍元陆角整; 100.00 → 壹佰元整; 1,000,005.05 → 壹佰万零伍元零伍分.
pub fn amount_in_capitals(fen: i64) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    if fen <= 0 {
        return "零元整".to_owned();
    }
    let yuan = fen / 100;
    let jiao = (fen / 10 % 10) as usize;
    let fen_digit = (fen % 10) as usize;
    let mut out = String::new();
    if yuan > 0 {
        // Groups of four digits from the highest; zeros between non-zero digits are read once.
        let mut groups = Vec::new();
        let mut rest = yuan;
        while rest > 0 {
            groups.push((rest % 10_000) as usize);
            rest /= 10_000;
        }
        let mut pending_zero = false;
        for (g, &group) in groups.iter().enumerate().rev() {
            if group == 0 {
                pending_zero = !out.is_empty();
                continue;
            }
            if !out.is_empty() && (pending_zero || group < 1000) {
                out.push('零');
            }
            pending_zero = false;
            let mut zero_inside = false;
            for pos in (0..4).rev() {
                let d = group / 10usize.pow(pos as u32) % 10;
                if d == 0 {
                    zero_inside = true;
                    continue;
                }
                let started = group >= 10usize.pow(pos as u32 + 1);
                if zero_inside && started {
                    out.push('零');
                }
                zero_inside = false;
                out.push(DIGITS[d]);
                out.push_str(UNITS[pos]);
            }
            out.push_str(GROUPS[g.min(3)]);
        }
        out.push('元');
    }
    match (jiao, fen_digit) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    out
}

/// One party's line in the agreement: side, name and the particulars the case holds (in the
/// document's punctuation once it passes through [`chinese_punctuation`]).
pub fn party_line(position: u32, party: &Party, representative: Option<&str>) -> String {
    let side = party.side.label(Lang::Zh);
    let mut parts = vec![party.name.clone()];
    if let Some(g) = party.gender {
        parts.push(g.label(Lang::Zh).to_owned());
    }
    if let Some(e) = party.ethnicity.as_deref().filter(|e| !e.is_empty()) {
        parts.push(e.to_owned());
    }
    if let Some(age) = party.age {
        parts.push(format!("{age}岁"));
    }
    if let Some(o) = party.occupation.as_deref().filter(|o| !o.is_empty()) {
        parts.push(o.to_owned());
    }
    if let Some(id) = party.id_number.as_deref().filter(|i| !i.is_empty()) {
        parts.push(format!("身份证号 {id}"));
    }
    if let Some(a) = party.address.as_deref().filter(|a| !a.is_empty()) {
        parts.push(format!("住 {a}"));
    }
    let mut line = format!("{}. {side}:{}", position + 1, parts.join(","));
    if let Some(rep) = representative {
        line.push_str(&format!("\n   委托代理人:{rep}"));
    }
    line
}

/// The agreed terms as lines, numbered, each amount in figures and capitals, and their total
/// when there are several.
pub fn terms_lines(text: &AgreementText) -> Vec<String> {
    let mut out: Vec<String> = text
        .terms
        .iter()
        .enumerate()
        .map(|(i, term)| {
            let mut line = format!("{}. {}", i + 1, term.text.trim());
            if let Some(fen) = term.amount_fen {
                line.push_str(&format!(
                    "(金额:人民币{}元,大写:{})",
                    amount_in_figures(fen),
                    amount_in_capitals(fen)
                ));
            }
            line
        })
        .collect();
    let total = text.total_fen();
    if total > 0 && text.terms.iter().filter(|t| t.amount_fen.is_some()).count() > 1 {
        out.push(format!(
            "以上金额合计人民币{}元(大写:{})。",
            amount_in_figures(total),
            amount_in_capitals(total)
        ));
    }
    out
}

/// The agreement's whole text as the parties sign it, in Chinese: what the hash of a signature
/// covers and what the print view and the PDF lay out. Any change to an element changes it.
pub fn signed_text(
    number: &str,
    committee: &str,
    parties: &[Party],
    text: &AgreementText,
) -> String {
    let mut out = format!("人民调解协议书\n编号:{number}\n调解委员会:{committee}\n\n当事人\n");
    for (i, party) in parties.iter().enumerate() {
        let position = i as u32;
        out.push_str(&party_line(position, party, text.representative(position)));
        out.push('\n');
    }
    out.push_str(&format!("\n纠纷主要事实\n{}\n", text.facts.trim()));
    out.push_str(&format!("\n争议事项\n{}\n", text.disputes.trim()));
    out.push_str(&format!(
        "\n各方当事人的责任\n{}\n",
        text.responsibility.trim()
    ));
    out.push_str("\n经调解,自愿达成如下协议:\n");
    for line in terms_lines(text) {
        out.push_str(&line);
        out.push('\n');
    }
    let due = text
        .performance_due
        .map_or_else(String::new, |d| d.format("%Y年%m月%d日").to_string());
    out.push_str(&format!(
        "\n履行方式:{}\n履行地点:{}\n履行期限:{due}前\n",
        text.performance_manner.trim(),
        text.performance_place.trim()
    ));
    out.push_str(&format!(
        "\n本协议自各方当事人签名(盖章或按指印)、人民调解员签名并加盖人民调解委员会印章之日起生效。\
         当事人可以自本协议生效之日起三十日内共同向{}申请司法确认。\n",
        text.court.trim()
    ));
    out.push_str(&format!(
        "\n本协议一式{}份,当事人各执一份,人民调解委员会留存一份。\n",
        copies(parties)
    ));
    chinese_punctuation(&out)
}

/// How many copies: one per party who signs and one for the committee.
pub fn copies(parties: &[Party]) -> u32 {
    parties.iter().filter(|p| signs(p)).count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gender, PartyKind};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_document_takes_full_width_punctuation_but_keeps_thousands_separators() {
        assert_eq!(
            chinese_punctuation("申请人:张三,45岁(金额:3,000.00元)"),
            "申请人\u{ff1a}张三\u{ff0c}45岁\u{ff08}金额\u{ff1a}3,000.00元\u{ff09}"
        );
    }

    #[test]
    fn amounts_read_in_capitals_as_contracts_write_them() {
        let cases = [
            (1_234_560, "壹万贰仟叁佰肆拾伍元陆角整"),
            (10_000, "壹佰元整"),
            (100_000_505, "壹佰万零伍元零伍分"),
            (5, "伍分"),
            (50, "伍角整"),
            (1_000_000, "壹万元整"),
            (1_010_000, "壹万零壹佰元整"),
            (100_100_000, "壹佰万壹仟元整"),
            (20_000_000_000, "贰亿元整"),
            (1_000_010_000, "壹仟万零壹佰元整"),
            (30_005_000, "叁拾万零伍拾元整"),
            (1_001, "壹拾元零壹分"),
            (8_000_000_000, "捌仟万元整"),
            (100_000_000_000, "壹拾亿元整"),
            (12_34, "壹拾贰元叁角肆分"),
        ];
        for (fen, words) in cases {
            assert_eq!(amount_in_capitals(fen), words, "{fen} fen");
        }
        assert_eq!(amount_in_figures(1_234_560), "12,345.60");
        assert_eq!(amount_in_figures(5), "0.05");
        assert_eq!(amount_in_figures(10_000_000_000), "100,000,000.00");
    }

    fn party(side: PartySide, name: &str) -> Party {
        Party {
            side,
            kind: PartyKind::Person,
            name: name.into(),
            gender: Some(Gender::Male),
            ethnicity: Some("汉族".into()),
            age: Some(45),
            occupation: Some("农民".into()),
            id_number: None,
            phone: Some("13812345678".into()),
            address: Some("瓜州镇南岔村三组".into()),
            masked: false,
        }
    }

    fn text() -> AgreementText {
        AgreementText {
            facts: "两家因宅基地界线发生争执。".into(),
            disputes: "界墙位置及赔偿。".into(),
            responsibility: "被申请人越界砌墙,负主要责任。".into(),
            terms: vec![
                Term {
                    text: "被申请人拆除越界部分界墙。".into(),
                    amount_fen: None,
                },
                Term {
                    text: "被申请人赔偿申请人损失。".into(),
                    amount_fen: Some(300_000),
                },
            ],
            performance_manner: "现金当面支付".into(),
            performance_place: "瓜州镇综治中心".into(),
            performance_due: Some(day(2026, 12, 31)),
            court: "瓜州县人民法院".into(),
            representatives: vec![Representative {
                position: 1,
                name: "李四(儿子)".into(),
            }],
        }
    }

    #[test]
    fn the_signed_text_carries_every_element_and_changes_with_any_of_them() {
        let parties = [
            party(PartySide::Applicant, "张三"),
            party(PartySide::Respondent, "李大"),
        ];
        let t = text();
        let signed = signed_text("瓜调协〔2026〕3号", "瓜州镇人民调解委员会", &parties, &t);
        for needle in [
            "瓜调协〔2026〕3号",
            "瓜州镇人民调解委员会",
            "1. 申请人:张三,男,汉族,45岁,农民,住 瓜州镇南岔村三组",
            "2. 被申请人:李大",
            "委托代理人:李四(儿子)",
            "两家因宅基地界线",
            "界墙位置及赔偿",
            "负主要责任",
            "1. 被申请人拆除越界部分界墙。",
            "人民币3,000.00元,大写:叁仟元整",
            "履行方式:现金当面支付",
            "履行地点:瓜州镇综治中心",
            "2026年12月31日前",
            "三十日内共同向瓜州县人民法院申请司法确认",
            "一式3份",
        ] {
            let needle = chinese_punctuation(needle);
            assert!(signed.contains(&needle), "missing {needle} in\n{signed}");
        }
        let mut changed = t;
        changed.terms[1].amount_fen = Some(300_001);
        assert_ne!(
            signed,
            signed_text(
                "瓜调协〔2026〕3号",
                "瓜州镇人民调解委员会",
                &parties,
                &changed
            )
        );
    }

    #[test]
    fn every_missing_element_is_named() {
        let empty = AgreementText::default();
        let errors = empty
            .check(2, day(2026, 12, 1), Lang::Zh)
            .err()
            .unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "text.facts",
                "text.disputes",
                "text.responsibility",
                "text.terms",
                "text.performance_manner",
                "text.performance_place",
                "text.performance_due",
                "text.court",
            ]
        );
        let mut t = text();
        t.terms[0].amount_fen = Some(0);
        t.performance_due = Some(day(2026, 11, 30));
        t.representatives.push(Representative {
            position: 5,
            name: "王五".into(),
        });
        let errors = t
            .check(2, day(2026, 12, 1), Lang::En)
            .err()
            .unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "text.terms[0].amount_fen",
                "text.performance_due",
                "text.representatives[1].position",
            ]
        );
        assert!(text().check(2, day(2026, 12, 1), Lang::Zh).is_ok());
    }

    #[test]
    fn it_takes_effect_once_everyone_signed_and_the_seal_is_on() {
        let parties = [
            party(PartySide::Applicant, "张三"),
            party(PartySide::Representative, "李四"),
            party(PartySide::Respondent, "李大"),
        ];
        let p0 = Signer::Party { position: 0 };
        let p2 = Signer::Party { position: 2 };
        let m = Signer::Mediator;
        assert_eq!(signatories(&parties), [p0, p2, m]);
        assert_eq!(copies(&parties), 3);
        assert_eq!(status_of(&parties, &[], false), AgreementStatus::Draft);
        assert_eq!(status_of(&parties, &[p0], false), AgreementStatus::Signing);
        assert_eq!(
            status_of(&parties, &[p0, p2, m], false),
            AgreementStatus::Signing
        );
        assert_eq!(
            status_of(&parties, &[p0, m], true),
            AgreementStatus::Signing
        );
        assert_eq!(
            status_of(&parties, &[m, p2, p0], true),
            AgreementStatus::InEffect
        );
    }

    #[test]
    fn the_confirmation_window_is_thirty_days_and_reminds_in_its_last_week() {
        let effective = day(2026, 12, 20);
        assert_eq!(confirmation_deadline(effective), day(2027, 1, 19));
        let mut c = Confirmation {
            apply_by: Some(confirmation_deadline(effective)),
            ..Confirmation::default()
        };
        assert!(!confirmation_reminder_due(&c, day(2027, 1, 11)));
        assert!(confirmation_reminder_due(&c, day(2027, 1, 12)));
        assert!(confirmation_reminder_due(&c, day(2027, 1, 19)));
        assert!(!confirmation_reminder_due(&c, day(2027, 1, 20)));
        c.applied_on = Some(day(2027, 1, 5));
        assert!(!confirmation_reminder_due(&c, day(2027, 1, 15)));

        let late = RecordConfirmation {
            applied_on: day(2027, 1, 20),
            court: "瓜州县人民法院".into(),
            ruling: None,
            ruled_on: None,
        };
        let errors = late
            .check(effective, day(2027, 2, 1), Lang::Zh)
            .err()
            .unwrap_or_default();
        assert_eq!(errors[0].field, "applied_on");
        assert!(
            errors[0].message.contains("2027-01-19"),
            "{}",
            errors[0].message
        );
        let ruled = RecordConfirmation {
            applied_on: day(2027, 1, 5),
            court: "瓜州县人民法院".into(),
            ruling: Some(ConfirmationRuling::Confirmed),
            ruled_on: None,
        };
        let errors = ruled
            .check(effective, day(2027, 2, 1), Lang::Zh)
            .err()
            .unwrap_or_default();
        assert_eq!(errors[0].field, "ruled_on");
    }

    #[test]
    fn the_follow_up_is_a_week_after_closing_or_after_the_performance_deadline() {
        assert_eq!(follow_up_due(day(2026, 12, 5), None), day(2026, 12, 12));
        assert_eq!(
            follow_up_due(day(2026, 12, 5), Some(day(2026, 12, 8))),
            day(2026, 12, 12)
        );
        assert_eq!(
            follow_up_due(day(2026, 12, 5), Some(day(2026, 12, 31))),
            day(2027, 1, 1)
        );
        let visit = RecordFollowUp {
            done_on: day(2026, 12, 4),
            way: crate::model::FollowUpWay::Phone,
            satisfaction: crate::model::Satisfaction::Dissatisfied,
            risks: String::new(),
        };
        let errors = visit
            .check(day(2026, 12, 5), day(2026, 12, 20), Lang::Zh)
            .err()
            .unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["done_on", "risks"]);
    }

    #[test]
    fn a_signature_needs_strokes_in_the_pad_or_a_fingerprint_alone() {
        let hash = "a".repeat(64);
        let drawn = |points: Vec<[f32; 3]>| NewSignature {
            signer: Signer::Mediator,
            method: SignMethod::Drawn,
            strokes: vec![Stroke { points }],
            text_hash: hash.clone(),
        };
        assert!(
            drawn(vec![[0.1, 0.1, 0.5], [0.2, 0.3, 0.5]])
                .check(Lang::Zh)
                .is_ok()
        );
        assert_eq!(
            drawn(vec![[0.1, 0.1, 0.5]])
                .check(Lang::Zh)
                .err()
                .unwrap_or_default()[0]
                .field,
            "strokes"
        );
        assert_eq!(
            drawn(vec![[0.1, 0.1, 0.5], [1.5, 0.3, 0.5]])
                .check(Lang::Zh)
                .err()
                .unwrap_or_default()[0]
                .field,
            "strokes"
        );
        let finger = NewSignature {
            signer: Signer::Party { position: 0 },
            method: SignMethod::Fingerprint,
            strokes: vec![],
            text_hash: "nothex".into(),
        };
        assert_eq!(
            finger.check(Lang::Zh).err().unwrap_or_default()[0].field,
            "text_hash"
        );
        assert!(!oral_allowed(Category::Labour));
        assert!(oral_allowed(Category::Neighbour));
    }
}
