//! Input validation that needs no database: lengths, phone and ID numbers, case codes, and the
//! intake form as a whole. The server runs it on every request; the browser runs the same code
//! to show errors before sending.

use crate::api::{NewParty, RegisterCase};
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
            // Without a dash the area code is ambiguous; accept 10–12 digits starting with 0.
            return s.starts_with('0')
                && (10..=12).contains(&s.len())
                && s.bytes().all(|c| c.is_ascii_digit());
        }
        None => return false,
    };
    area.starts_with('0')
        && (3..=4).contains(&area.len())
        && (7..=8).contains(&number.len())
        && area
            .bytes()
            .chain(number.bytes())
            .all(|c| c.is_ascii_digit())
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

    /// A required text: not blank, at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: u32) {
        if value.trim().is_empty() {
            self.fail(field, Reason::Required);
        } else {
            self.max_len(field, value, max);
        }
    }

    /// An optional text of at most `max` characters.
    pub fn max_len(&mut self, field: &str, value: &str, max: u32) {
        if value.chars().count() > max as usize {
            self.fail(field, Reason::TooLong { max });
        }
    }

    /// An optional text (None or blank is fine) of at most `max` characters.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: u32) {
        if let Some(v) = value {
            self.max_len(field, v, max);
        }
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
    c.required(&format!("{at}.name"), &party.name, NAME_MAX);
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
    if let Some(phone) = party
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        && !is_valid_phone(phone)
    {
        c.fail(format!("{at}.phone"), Reason::InvalidPhone);
    }
    if let Some(id) = party
        .id_number
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        && (party.kind == PartyKind::Person && !is_valid_id_number(id))
    {
        c.fail(format!("{at}.id_number"), Reason::InvalidIdNumber);
    }
}

/// Checks the intake form as far as it can without the database (the server then checks that
/// the village, area and group exist and nest).
pub fn check_register(req: &RegisterCase, lang: Lang) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::new(lang);
    c.required("summary", &req.summary, SUMMARY_MAX);
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

#[cfg(test)]
mod tests {
    use super::*;

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
