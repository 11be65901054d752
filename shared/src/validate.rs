//! Input validation that needs no database: lengths, phone and ID numbers, case codes, and the
//! intake form as a whole. The server runs it on every request; the browser runs the same code
//! to show errors before sending.

use crate::api::{
    IssueOpen311Client, NewParty, OPEN311_CLIENT_NAME_MAX, OPEN311_DESCRIPTION_MAX, OnlineRequest,
    Open311Submission, RATING_COMMENT_MAX, RegisterCase,
};
use crate::error::{FieldError, Reason};
use crate::lang::Lang;
use crate::model::{Outcome, PartyKind, PartySide};

/// Longest one-line summary of a case.
pub const SUMMARY_MAX: u32 = 100;
/// Longest facts text of a case.
pub const FACTS_MAX: u32 = 5000;
/// Longest request text of a case.
pub const REQUEST_MAX: u32 = 2000;
/// Longest party name.
pub const NAME_MAX: u32 = 50;
/// Longest short text (ethnicity, occupation).
pub const SHORT_MAX: u32 = 30;
/// Longest address.
pub const ADDRESS_MAX: u32 = 200;
/// Longest reason, note or result summary.
pub const NOTE_MAX: u32 = 5000;
/// Most parties on one case.
pub const PARTIES_MAX: usize = 30;
/// Longest ID number (a person's is 18 characters; an organisation's unified social credit
/// code is 18 too, older registration numbers shorter).
pub const ID_NUMBER_MAX: u32 = 30;
/// Longest phone number as typed.
pub const PHONE_MAX: u32 = 20;

/// Shortest account of what happened in an online request, in characters.
pub const ONLINE_FACTS_MIN: u32 = 10;
/// Longest account of what happened in an online request, in characters.
pub const ONLINE_FACTS_MAX: u32 = 2000;
/// Longest "what you would like" of an online request, in characters.
pub const ONLINE_REQUEST_MAX: u32 = 500;
/// Longest name on an online request, in characters.
pub const ONLINE_NAME_MAX: u32 = 40;

/// The alphabet of case codes: no 0/O, 1/I/L, so codes read aloud and typed from a receipt
/// without confusion.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters in a case code (after the `YYMM-` prefix).
pub const CODE_RANDOM_LEN: usize = 6;

/// Builds a case code such as `2611-7K3M9Q` from the year and month of registration and random
/// numbers (any `u32`s; each picks one character).
pub fn case_code(year: i32, month: u32, random: [u32; CODE_RANDOM_LEN]) -> String {
    let mut code = format!("{:02}{:02}-", year.rem_euclid(100), month);
    for r in random {
        code.push(char::from(
            CODE_ALPHABET[(r as usize) % CODE_ALPHABET.len()],
        ));
    }
    code
}

/// Normalises what a person typed as a case code: trims, upper-cases, and adds the dash if
/// missing. `None` if it cannot be a case code.
pub fn normalize_case_code(input: &str) -> Option<String> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let compact: String = cleaned.chars().filter(|c| *c != '-').collect();
    if compact.len() != 4 + CODE_RANDOM_LEN {
        return None;
    }
    let (date, random) = compact.split_at(4);
    let date_ok = date.chars().all(|c| c.is_ascii_digit());
    let random_ok = random.bytes().all(|b| CODE_ALPHABET.contains(&b));
    (date_ok && random_ok).then(|| format!("{date}-{random}"))
}

/// Whether `s` is a mainland mobile number (11 digits, starting 13–19) or a landline with area
/// code (`0` + 2–3 digits, optional dash, 7–8 digits).
pub fn is_valid_phone(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        return true;
    }
    let (area, number) = match s.split_once('-') {
        Some((a, n)) => (a, n),
        None if s.len() >= 10 => {
            // Without a dash the area code is ambiguous; accept 10–12 digits starting with 0
            // and then a non-zero digit (area codes are 010, 02x and 03xx–09xx).
            return s.starts_with('0')
                && (10..=12).contains(&s.len())
                && s.bytes().all(|c| c.is_ascii_digit())
                && !s[1..].starts_with('0')
                && !all_same_digit(&s[1..]);
        }
        None => return false,
    };
    // Local numbers do not start with 0.
    area.starts_with('0')
        && !area[1..].starts_with('0')
        && (3..=4).contains(&area.len())
        && (7..=8).contains(&number.len())
        && !number.starts_with('0')
        && area
            .bytes()
            .chain(number.bytes())
            .all(|c| c.is_ascii_digit())
        && !all_same_digit(number)
}

fn all_same_digit(s: &str) -> bool {
    s.bytes().all(|b| Some(b) == s.bytes().next())
}

/// The last four digits of a phone number, used by the public status page.
pub fn phone_last_four(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
}

/// Whether `s` is an 18-character resident ID number with a correct check character (GB 11643).
pub fn is_valid_id_number(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// Whether `s` holds a control character other than a line break or a tab (NUL, escape,
/// backspace, the C1 controls, …), or a Unicode non-character: nothing a person types.
pub fn has_control_characters(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(c, '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}')
    })
}

/// Collects field errors while checking a request.
#[derive(Debug)]
pub struct Checker {
    lang: Lang,
    errors: Vec<FieldError>,
}

impl Checker {
    /// A checker whose messages are in `lang`.
    pub fn new(lang: Lang) -> Checker {
        Checker {
            lang,
            errors: Vec::new(),
        }
    }

    /// Records a refused field.
    pub fn fail(&mut self, field: impl Into<String>, reason: Reason) {
        self.errors.push(FieldError::new(field, reason, self.lang));
    }

    /// A required one-line text: not blank, at most `max` characters, no line breaks.
    pub fn required_line(&mut self, field: &str, value: &str, max: u32) {
        if value.trim().is_empty() {
            self.fail(field, Reason::Required);
        } else {
            self.one_line(field, value, max);
        }
    }

    /// A required text: not blank, at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: u32) {
        if value.trim().is_empty() {
            self.fail(field, Reason::Required);
        } else {
            self.max_len(field, value, max);
        }
    }

    /// An optional text of at most `max` characters, with no control characters but line
    /// breaks and tabs.
    pub fn max_len(&mut self, field: &str, value: &str, max: u32) {
        if value.chars().count() > max as usize {
            self.fail(field, Reason::TooLong { max });
        } else if has_control_characters(value) {
            self.fail(field, Reason::ControlCharacters);
        }
    }

    /// A one-line text (a name, a summary): as `max_len`, and no line breaks either.
    pub fn one_line(&mut self, field: &str, value: &str, max: u32) {
        if value.contains(['\n', '\r']) {
            self.fail(field, Reason::ControlCharacters);
        } else {
            self.max_len(field, value, max);
        }
    }

    /// An optional text (None or blank is fine) of at most `max` characters.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: u32) {
        if let Some(v) = value {
            self.max_len(field, v, max);
        }
    }

    /// Whether `field` has not been refused so far.
    pub fn is_fine(&self, field: &str) -> bool {
        !self.errors.iter().any(|e| e.field == field)
    }

    /// Whether nothing was refused so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The refused fields, or `Ok` if there are none.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// Checks one party of the intake form; `at` is its path prefix, e.g. `parties[0]`.
pub fn check_party(c: &mut Checker, at: &str, party: &NewParty) {
    c.required_line(&format!("{at}.name"), &party.name, NAME_MAX);
    c.optional(
        &format!("{at}.ethnicity"),
        party.ethnicity.as_deref(),
        SHORT_MAX,
    );
    c.optional(
        &format!("{at}.occupation"),
        party.occupation.as_deref(),
        SHORT_MAX,
    );
    c.optional(
        &format!("{at}.address"),
        party.address.as_deref(),
        ADDRESS_MAX,
    );
    if let Some(age) = party.age
        && age > 120
    {
        c.fail(format!("{at}.age"), Reason::OutOfRange { min: 0, max: 120 });
    }
    let phone_field = format!("{at}.phone");
    c.optional(&phone_field, party.phone.as_deref(), PHONE_MAX);
    if c.is_fine(&phone_field)
        && let Some(phone) = party
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        && !is_valid_phone(phone)
    {
        c.fail(phone_field, Reason::InvalidPhone);
    }
    let id_field = format!("{at}.id_number");
    c.optional(&id_field, party.id_number.as_deref(), ID_NUMBER_MAX);
    if c.is_fine(&id_field)
        && let Some(id) = party
            .id_number
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        && (party.kind == PartyKind::Person && !is_valid_id_number(id))
    {
        c.fail(id_field, Reason::InvalidIdNumber);
    }
}

/// Checks the intake form as far as it can without the database (the server then checks that
/// the village, area and group exist and nest).
pub fn check_register(req: &RegisterCase, lang: Lang) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::new(lang);
    c.required_line("summary", &req.summary, SUMMARY_MAX);
    c.max_len("facts", &req.facts, FACTS_MAX);
    c.max_len("request", &req.request, REQUEST_MAX);
    if req.parties.len() > PARTIES_MAX {
        c.fail(
            "parties",
            Reason::OutOfRange {
                min: 1,
                max: PARTIES_MAX as i64,
            },
        );
    }
    if !req.parties.iter().any(|p| p.side == PartySide::Applicant) {
        c.fail("parties", Reason::NeedsApplicant);
    }
    for (i, party) in req.parties.iter().enumerate() {
        check_party(&mut c, &format!("parties[{i}]"), party);
    }
    for (i, flag) in req.risk_flags.iter().enumerate() {
        if req.risk_flags[..i].contains(flag) {
            c.fail(format!("risk_flags[{i}]"), Reason::Duplicate);
        }
    }
    if let Some(spot) = &req.closed_on_the_spot {
        if !spot.outcome.is_resolved() {
            c.fail("closed_on_the_spot.outcome", Reason::NotAllowedHere);
        }
        c.required("closed_on_the_spot.summary", &spot.summary, NOTE_MAX);
    }
    if req
        .closed_on_the_spot
        .as_ref()
        .is_some_and(|s| s.outcome == Outcome::NotAccepted)
    {
        c.fail("closed_on_the_spot.outcome", Reason::NotAllowedHere);
    }
    c.finish()
}

/// Checks a resident's online request (the honeypot is the caller's: it is not a field a
/// person can correct). The phone is required: it is how the center calls back, and its last
/// four digits are how the resident looks the matter up.
pub fn check_online_request(req: &OnlineRequest, lang: Lang) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::new(lang);
    if req.kind.is_none() {
        c.fail("kind", Reason::Required);
    }
    if req.category.is_none() {
        c.fail("category", Reason::Required);
    }
    c.required("facts", &req.facts, ONLINE_FACTS_MAX);
    if c.is_fine("facts") && (req.facts.trim().chars().count() as u32) < ONLINE_FACTS_MIN {
        c.fail(
            "facts",
            Reason::TooShort {
                min: ONLINE_FACTS_MIN,
            },
        );
    }
    c.max_len("request", &req.request, ONLINE_REQUEST_MAX);
    if req.village_id.is_none() {
        c.fail("village_id", Reason::Required);
    }
    c.required_line("name", &req.name, ONLINE_NAME_MAX);
    c.required_line("phone", &req.phone, PHONE_MAX);
    if c.is_fine("phone") && !is_valid_phone(req.phone.trim()) {
        c.fail("phone", Reason::InvalidPhone);
    }
    if !req.consent {
        c.fail("consent", Reason::ConsentRequired);
    }
    c.finish()
}

/// Checks a request posted through Open311, naming the protocol's fields: `description`
/// (at least `ONLINE_FACTS_MIN` characters, at most the specification's 4,000),
/// `attribute[village]` (or `address_id`), `first_name` / `last_name` and `phone` (the
/// resident's, for the look-up and the center's call back).
pub fn check_open311_request(req: &Open311Submission, lang: Lang) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::new(lang);
    c.required("description", &req.description, OPEN311_DESCRIPTION_MAX);
    if c.is_fine("description")
        && (req.description.trim().chars().count() as u32) < ONLINE_FACTS_MIN
    {
        c.fail(
            "description",
            Reason::TooShort {
                min: ONLINE_FACTS_MIN,
            },
        );
    }
    if req.village_id.is_none() {
        c.fail("attribute[village]", Reason::Required);
    }
    if req.name.trim().is_empty() {
        c.fail("first_name", Reason::Required);
    } else {
        c.one_line("first_name", &req.name, ONLINE_NAME_MAX);
    }
    c.required_line("phone", &req.phone, PHONE_MAX);
    if c.is_fine("phone") && !is_valid_phone(req.phone.trim()) {
        c.fail("phone", Reason::InvalidPhone);
    }
    c.finish()
}

/// Checks the administrator's form issuing an Open311 API key.
pub fn check_open311_client(req: &IssueOpen311Client, lang: Lang) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::new(lang);
    c.required_line("name", &req.name, OPEN311_CLIENT_NAME_MAX);
    c.finish()
}

/// Checks a rating's comment (the rest is the look-up's).
pub fn check_rating_comment(comment: &str, lang: Lang) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::new(lang);
    c.max_len("comment", comment, RATING_COMMENT_MAX as u32);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online() -> OnlineRequest {
        OnlineRequest {
            kind: Some(crate::model::CaseKind::Dispute),
            category: Some(crate::model::Category::Labour),
            facts: "包工头拖欠三个月工资,多次讨要未果。".to_owned(),
            request: "希望尽快结清工资".to_owned(),
            village_id: Some(7),
            name: "张三".to_owned(),
            phone: "13812345678".to_owned(),
            consent: true,
            website: String::new(),
        }
    }

    fn open311() -> Open311Submission {
        Open311Submission {
            kind: None,
            village_id: Some(7),
            description: "包工头拖欠三个月工资,多次讨要未果。".to_owned(),
            name: "张三".to_owned(),
            phone: "13812345678".to_owned(),
        }
    }

    fn open311_refused(req: &Open311Submission) -> Vec<(String, Reason)> {
        check_open311_request(req, Lang::Zh)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.reason))
            .collect()
    }

    #[test]
    fn an_open311_request_names_the_protocols_fields() {
        assert!(open311_refused(&open311()).is_empty());
        let empty = Open311Submission::default();
        assert_eq!(
            open311_refused(&empty),
            vec![
                ("description".to_owned(), Reason::Required),
                ("attribute[village]".to_owned(), Reason::Required),
                ("first_name".to_owned(), Reason::Required),
                ("phone".to_owned(), Reason::Required),
            ]
        );
        let short = Open311Submission {
            description: "太短了".to_owned(),
            phone: "12345".to_owned(),
            name: "张\n三".to_owned(),
            ..open311()
        };
        assert_eq!(
            open311_refused(&short),
            vec![
                ("description".to_owned(), Reason::TooShort { min: 10 }),
                ("first_name".to_owned(), Reason::ControlCharacters),
                ("phone".to_owned(), Reason::InvalidPhone),
            ]
        );
        let long = Open311Submission {
            description: "字".repeat(4001),
            ..open311()
        };
        assert_eq!(
            open311_refused(&long),
            vec![("description".to_owned(), Reason::TooLong { max: 4000 })]
        );
        let at_the_limit = Open311Submission {
            description: "字".repeat(4000),
            ..open311()
        };
        assert!(open311_refused(&at_the_limit).is_empty());
    }

    #[test]
    fn an_open311_client_needs_a_one_line_name() {
        let ok = IssueOpen311Client {
            name: "县12345热线".to_owned(),
            batch: false,
        };
        assert!(check_open311_client(&ok, Lang::Zh).is_ok());
        for bad in ["", "  ", "a\nb"] {
            let req = IssueOpen311Client {
                name: bad.to_owned(),
                batch: true,
            };
            assert!(check_open311_client(&req, Lang::Zh).is_err(), "{bad:?}");
        }
        let long = IssueOpen311Client {
            name: "名".repeat(61),
            batch: false,
        };
        assert!(check_open311_client(&long, Lang::En).is_err());
    }

    fn refused(req: &OnlineRequest) -> Vec<(String, Reason)> {
        check_online_request(req, Lang::Zh)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.field, f.reason))
            .collect()
    }

    #[test]
    fn a_complete_online_request_passes() {
        assert_eq!(refused(&online()), vec![]);
    }

    #[test]
    fn an_online_request_names_each_missing_or_bad_field() {
        assert_eq!(
            refused(&OnlineRequest::default()),
            vec![
                ("kind".to_owned(), Reason::Required),
                ("category".to_owned(), Reason::Required),
                ("facts".to_owned(), Reason::Required),
                ("village_id".to_owned(), Reason::Required),
                ("name".to_owned(), Reason::Required),
                ("phone".to_owned(), Reason::Required),
                ("consent".to_owned(), Reason::ConsentRequired),
            ]
        );
        let mut req = online();
        req.facts = "工资没给".to_owned();
        req.phone = "12345".to_owned();
        req.name = "张\n三".to_owned();
        req.request = "要".repeat(501);
        assert_eq!(
            refused(&req),
            vec![
                ("facts".to_owned(), Reason::TooShort { min: 10 }),
                ("request".to_owned(), Reason::TooLong { max: 500 }),
                ("name".to_owned(), Reason::ControlCharacters),
                ("phone".to_owned(), Reason::InvalidPhone),
            ]
        );
        req = online();
        req.facts = "字".repeat(2001);
        req.consent = false;
        assert_eq!(
            refused(&req),
            vec![
                ("facts".to_owned(), Reason::TooLong { max: 2000 }),
                ("consent".to_owned(), Reason::ConsentRequired),
            ]
        );
    }

    #[test]
    fn an_online_summary_is_the_first_line_cut_with_an_ellipsis() {
        let mut req = online();
        req.facts = "\n  邻居家的狗每天夜里叫  \n第二行".to_owned();
        assert_eq!(req.summary(), "邻居家的狗每天夜里叫");
        req.facts = "字".repeat(100);
        let summary = req.summary();
        assert_eq!(summary.chars().count(), crate::api::ONLINE_SUMMARY_CHARS);
        assert!(summary.ends_with('…'));
    }

    #[test]
    fn satisfaction_figures_round_to_one_decimal() {
        let f = crate::api::SatisfactionFigures::from_counts(None, None, 9, 1, 1, 1);
        assert_eq!(f.rated, 3);
        assert_eq!(f.satisfaction_rate, Some(66.7));
        let none = crate::api::SatisfactionFigures::from_counts(None, None, 4, 0, 0, 0);
        assert_eq!(none.satisfaction_rate, None);
    }

    #[test]
    fn phones_accept_mobiles_and_landlines_only() {
        for ok in [
            "13812341234",
            "19900001111",
            "0937-1234567",
            "010-12345678",
            "09371234567",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "00000000000",
            "0000-0000000",
            "0937-0000000",
            "07777777777",
            "1381234123",
            "138123412345",
            "12812341234",
            "1381234abcd",
            "937-1234567",
            "0937-12345",
            "+8613812341234",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn control_characters_are_refused_in_every_text() {
        let mut c = Checker::new(Lang::En);
        c.required("summary", "\u{0}", 100);
        c.max_len("facts", "a\u{1b}[31m", 100);
        c.max_len("request", "第一行\n第二行\t制表", 100);
        c.one_line("name", "张\n三", 50);
        c.max_len("note", "\u{85}", 100);
        let errors = c.finish().err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["summary", "facts", "name", "note"]);
        assert!(errors.iter().all(|e| e.reason == Reason::ControlCharacters));
    }

    #[test]
    fn every_party_field_is_capped() {
        let party = NewParty {
            side: PartySide::Applicant,
            kind: PartyKind::Organisation,
            name: "某公司".into(),
            id_number: Some("9".repeat(1_900_000)),
            phone: Some("1".repeat(500)),
            ..NewParty::default()
        };
        let mut c = Checker::new(Lang::Zh);
        check_party(&mut c, "parties[0]", &party);
        let errors = c.finish().err().unwrap_or_default();
        let got: Vec<(&str, &Reason)> = errors
            .iter()
            .map(|e| (e.field.as_str(), &e.reason))
            .collect();
        assert_eq!(
            got,
            [
                ("parties[0].phone", &Reason::TooLong { max: PHONE_MAX }),
                (
                    "parties[0].id_number",
                    &Reason::TooLong { max: ID_NUMBER_MAX }
                ),
            ]
        );
    }

    #[test]
    fn id_numbers_need_the_right_check_character() {
        assert!(is_valid_id_number("11010519491231002X"));
        assert!(is_valid_id_number("11010519491231002x"));
        assert!(!is_valid_id_number("110105194912310021"));
        assert!(!is_valid_id_number("1101051949123100"));
    }

    #[test]
    fn case_codes_are_built_and_normalised() {
        let code = case_code(2026, 11, [0, 1, 2, 3, 30, 31]);
        assert_eq!(code, "2611-2345Z2");
        assert_eq!(normalize_case_code(" 2611-2345z2 "), Some(code.clone()));
        assert_eq!(normalize_case_code("26112345Z2"), Some(code));
        assert_eq!(normalize_case_code("2611-2345Z"), None);
        assert_eq!(
            normalize_case_code("2611-2345O2"),
            None,
            "O is not in the alphabet"
        );
        assert_eq!(normalize_case_code("AB11-2345Z2"), None);
    }

    #[test]
    fn last_four_digits_come_from_the_digits_only() {
        assert_eq!(phone_last_four("0937-1234567").as_deref(), Some("4567"));
        assert_eq!(phone_last_four("123"), None);
    }
}
