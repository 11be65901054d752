//! Repeat matters (重复信访): while a party's phone or ID number is typed at intake, the open
//! and recently closed cases of the town with the same number are shown, so the clerk can
//! link the new matter to the earlier one or say it is a different matter.
//!
//! Numbers are compared by their key (`phone_key`, `id_key`): the digits of a phone (a
//! landline's dash dropped), an ID number without spaces and in capitals. The server stores
//! the keys beside each party and indexes them.
//!
//! What a match shows follows the usual masking rules (`crate::privacy`): the party and the
//! number matched are always masked (enough to recognise, nothing to copy); the summary is
//! shown as typed only to those who see every case's parties (the center's lead and clerks),
//! redacted for everyone else (a grid worker learns that a match exists and its code).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::model::{CaseKind, Category, Stage};
use crate::validate::{Checker, is_valid_id_number, is_valid_phone};
use crate::{FieldError, Reason};

/// A closed case counts as recent (and so is shown as a possible earlier matter) for this
/// many days after its closing.
pub const RECENT_DAYS: i64 = 180;

/// Most numbers of each sort one search takes.
pub const NUMBERS_MAX: usize = 20;

/// Most matches one search answers (the newest first).
pub const MATCHES_MAX: usize = 20;

/// The key a phone number is compared by: its digits (a landline's dash dropped), or none
/// for fewer than seven digits.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then_some(digits)
}

/// The key an ID number (or an organisation's credit code) is compared by: its letters and
/// digits in capitals, or none for fewer than eight.
pub fn id_key(id_number: &str) -> Option<String> {
    let key: String = id_number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (key.len() >= 8).then_some(key)
}

/// What a search is asked for: the numbers typed so far, and the case being looked at (left
/// out of its own matches).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepeatSearch {
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub id_numbers: Vec<String>,
    /// A case to leave out (the one whose parties these are).
    #[serde(default)]
    pub exclude_case_id: Option<i64>,
}

impl RepeatSearch {
    /// Checks the numbers (each must be a valid phone, or a valid 18-character ID number) and
    /// returns their keys, each once.
    pub fn check(&self, lang: Lang) -> Result<(Vec<String>, Vec<String>), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        let too_many = |c: &mut Checker, field: &str| {
            c.fail(
                field,
                Reason::OutOfRange {
                    min: 0,
                    max: NUMBERS_MAX as i64,
                },
            );
        };
        if self.phones.len() > NUMBERS_MAX {
            too_many(&mut c, "phones");
        }
        if self.id_numbers.len() > NUMBERS_MAX {
            too_many(&mut c, "id_numbers");
        }
        if self.phones.is_empty() && self.id_numbers.is_empty() {
            c.fail("phones", Reason::Required);
        }
        let mut phones = Vec::new();
        for (i, p) in self.phones.iter().enumerate() {
            let p = p.trim();
            match phone_key(p) {
                Some(key) if is_valid_phone(p) => {
                    if !phones.contains(&key) {
                        phones.push(key);
                    }
                }
                _ => c.fail(format!("phones[{i}]"), Reason::InvalidPhone),
            }
        }
        let mut ids = Vec::new();
        for (i, id) in self.id_numbers.iter().enumerate() {
            let id = id.trim();
            match id_key(id) {
                Some(key)
                    if key.len() == 18
                        && (is_valid_id_number(&key)
                            || !key[..17].bytes().all(|b| b.is_ascii_digit())) =>
                {
                    if !ids.contains(&key) {
                        ids.push(key);
                    }
                }
                _ => c.fail(format!("id_numbers[{i}]"), Reason::InvalidIdNumber),
            }
        }
        c.finish().map(|()| (phones, ids))
    }
}

/// Which number two parties share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Phone,
    IdNumber,
}

impl MatchedBy {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            MatchedBy::Phone => lang.pick("电话相同", "Same phone"),
            MatchedBy::IdNumber => lang.pick("身份证号相同", "Same ID number"),
        }
    }
}

/// An earlier case with a party who shares a number with the one typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepeatMatch {
    pub case_id: i64,
    pub code: String,
    pub kind: CaseKind,
    pub category: Category,
    pub stage: Stage,
    /// The summary as the reader may see it (redacted unless they see every case's parties).
    pub summary: String,
    pub registered_at: DateTime<Utc>,
    pub closed_on: Option<NaiveDate>,
    pub handler_name: Option<String>,
    /// How the numbers agree, and the number as shown (masked: 138****5678).
    pub matched_by: MatchedBy,
    pub number: String,
    /// The earlier case's party, masked (张某).
    pub party: String,
    /// Which number of the search it matched (its key), so the form can show the match
    /// under the field it came from.
    pub key: String,
    /// The earlier case is itself linked as a repeat of this one.
    pub repeat_of: Option<String>,
}

impl RepeatMatch {
    /// Whether the earlier matter is still open (being handled): a petition about it is a
    /// repeat petition (重复信访).
    pub fn is_open(&self) -> bool {
        self.stage.is_open()
    }
}

/// The answer of a search: the matches, newest first (at most `MATCHES_MAX`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepeatMatches {
    pub matches: Vec<RepeatMatch>,
    /// More matched than are shown.
    pub more: bool,
}

/// Whether a new matter linked to an earlier one is a repeat petition (重复信访): a petition
/// about a matter still being handled.
pub fn is_repeat_petition(kind: CaseKind, earlier: Stage) -> bool {
    kind == CaseKind::Petition && earlier.is_open()
}

/// A case named by its id (for links) and its code (to show).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRef {
    pub id: i64,
    pub code: String,
}

/// Links a case to an earlier one (or unlinks it: `of` empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkRepeat {
    /// The earlier case's code; none to unlink.
    #[serde(default)]
    pub of: Option<String>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_what_is_not_the_number() {
        assert_eq!(phone_key("0937-5521234").as_deref(), Some("09375521234"));
        assert_eq!(phone_key(" 13812345678 ").as_deref(), Some("13812345678"));
        assert_eq!(phone_key("123456"), None);
        assert_eq!(
            id_key("62092219800101123x").as_deref(),
            Some("62092219800101123X")
        );
        assert_eq!(
            id_key("620922 19800101 123X").as_deref(),
            Some("62092219800101123X")
        );
        assert_eq!(id_key("1234"), None);
    }

    #[test]
    fn a_search_names_each_bad_number() {
        let search = RepeatSearch {
            phones: vec!["13812345678".into(), "12345".into(), "138 1234 5678".into()],
            id_numbers: vec!["62092219800101123".into()],
            exclude_case_id: None,
        };
        let errors = search.check(Lang::Zh).err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phones[1]", "phones[2]", "id_numbers[0]"]);
    }

    #[test]
    fn a_search_needs_a_number_and_keeps_each_once() {
        let empty = RepeatSearch::default()
            .check(Lang::En)
            .err()
            .unwrap_or_default();
        assert_eq!(empty.first().map(|e| e.field.as_str()), Some("phones"));
        let (phones, ids) = RepeatSearch {
            phones: vec!["0937-5521234".into(), "09375521234".into()],
            id_numbers: vec!["11010519491231002x".into(), "11010519491231002X".into()],
            exclude_case_id: Some(3),
        }
        .check(Lang::En)
        .unwrap_or_else(|e| panic!("refused: {e:?}"));
        assert_eq!(phones, ["09375521234"]);
        assert_eq!(ids, ["11010519491231002X"]);
    }

    #[test]
    fn only_a_petition_on_an_open_matter_is_a_repeat_petition() {
        assert!(is_repeat_petition(CaseKind::Petition, Stage::InHandling));
        assert!(is_repeat_petition(CaseKind::Petition, Stage::Registered));
        assert!(!is_repeat_petition(CaseKind::Petition, Stage::Closed));
        assert!(!is_repeat_petition(CaseKind::Dispute, Stage::Routed));
    }
}
