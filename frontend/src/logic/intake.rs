//! The intake form's state and its translation into `RegisterCase`. Inputs are named by the
//! API's field paths (`summary`, `village_id`, `parties[0].phone`), so the server's field
//! errors land next to the right input. Blank party rows are left out of the request;
//! `remap_party_errors` turns the request's party indexes back into the form's rows.

use shared::Lang;
use shared::api::{ClosedOnTheSpot, NewParty, RegisterCase};
use shared::error::{FieldError, Reason};
use shared::model::{
    CaseKind, Category, Channel, Gender, Outcome, PartyKind, PartySide, RiskFlag, RiskLevel,
};
use shared::repeats::{RepeatMatch, RepeatSearch};
use shared::validate::{PARTIES_MAX, check_register, is_valid_id_number, is_valid_phone};

/// One party row of the form, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    /// Stable across additions and removals (the list's key).
    pub id: u32,
    pub side: PartySide,
    pub kind: PartyKind,
    pub name: String,
    /// `male`, `female` or empty.
    pub gender: String,
    pub age: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

impl PartyRow {
    /// An empty row.
    pub fn new(id: u32, side: PartySide) -> PartyRow {
        PartyRow {
            id,
            side,
            kind: PartyKind::Person,
            name: String::new(),
            gender: String::new(),
            age: String::new(),
            id_number: String::new(),
            phone: String::new(),
            address: String::new(),
        }
    }

    /// Whether nothing was typed in the row (it is then left out).
    pub fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.gender,
            &self.age,
            &self.id_number,
            &self.phone,
            &self.address,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// The whole intake form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeForm {
    pub kind: CaseKind,
    pub category: Option<Category>,
    pub channel: Channel,
    pub risk: RiskLevel,
    pub risk_flags: Vec<RiskFlag>,
    pub village: Option<i64>,
    pub area: Option<i64>,
    pub group: Option<i64>,
    pub parties: Vec<PartyRow>,
    pub summary: String,
    pub facts: String,
    pub request: String,
    pub on_the_spot: bool,
    pub spot_outcome: Option<Outcome>,
    pub spot_summary: String,
    /// The repeat check: the earlier case this matter is linked to, and the matches judged a
    /// different matter (codes).
    pub repeat_of: Option<String>,
    pub not_repeat_of: Vec<String>,
    /// The reception log's visit the matter came in with (linked on registering).
    pub from_visit: Option<i64>,
    next_id: u32,
}

impl Default for IntakeForm {
    fn default() -> Self {
        IntakeForm::new()
    }
}

impl IntakeForm {
    /// A fresh form: a dispute received at the window, low risk, with one applicant and one
    /// respondent row.
    pub fn new() -> IntakeForm {
        IntakeForm {
            kind: CaseKind::Dispute,
            category: None,
            channel: Channel::Window,
            risk: RiskLevel::Low,
            risk_flags: Vec::new(),
            village: None,
            area: None,
            group: None,
            parties: vec![
                PartyRow::new(1, PartySide::Applicant),
                PartyRow::new(2, PartySide::Respondent),
            ],
            summary: String::new(),
            facts: String::new(),
            request: String::new(),
            on_the_spot: false,
            spot_outcome: None,
            spot_summary: String::new(),
            repeat_of: None,
            not_repeat_of: Vec::new(),
            from_visit: None,
            next_id: 3,
        }
    }

    /// A form for a matter brought in a visit of the reception log: the kind its purpose
    /// suggests, received in person (at a window when the place says so, else the hall), the
    /// visitor as the applicant, the visit's notes as the facts; the visit is linked on
    /// registering.
    pub fn from_visit(visit: &shared::logs::Visit) -> IntakeForm {
        let mut form = IntakeForm::new();
        form.kind = visit.purpose.case_kind();
        form.channel =
            if visit.place.contains("窗口") || visit.place.to_lowercase().contains("window") {
                Channel::Window
            } else {
                Channel::VisitorHall
            };
        if !visit.masked {
            if let Some(row) = form.parties.first_mut() {
                row.name = visit.name.clone();
                row.phone = visit.phone.clone().unwrap_or_default();
            }
            form.facts = visit.note.clone();
        }
        form.from_visit = Some(visit.id);
        form
    }

    /// A fresh form that keeps the choices a clerk usually repeats (channel and village).
    pub fn next_after(&self) -> IntakeForm {
        IntakeForm {
            channel: self.channel,
            village: self.village,
            ..IntakeForm::new()
        }
    }

    /// Adds an empty party row; returns its id, or `None` at the limit.
    pub fn add_party(&mut self, side: PartySide) -> Option<u32> {
        if self.parties.len() >= PARTIES_MAX {
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        // Applicants stay above respondents.
        let at = match side {
            PartySide::Applicant => self
                .parties
                .iter()
                .rposition(|p| p.side == PartySide::Applicant)
                .map_or(0, |i| i + 1),
            _ => self.parties.len(),
        };
        self.parties.insert(at, PartyRow::new(id, side));
        Some(id)
    }

    /// Removes a party row.
    pub fn remove_party(&mut self, id: u32) {
        self.parties.retain(|p| p.id != id);
    }

    /// The row with this id.
    pub fn party_mut(&mut self, id: u32) -> Option<&mut PartyRow> {
        self.parties.iter_mut().find(|p| p.id == id)
    }

    /// The position of a row (its index in the input names).
    pub fn party_index(&self, id: u32) -> Option<usize> {
        self.parties.iter().position(|p| p.id == id)
    }

    /// Chooses a village; the area and group below it are cleared.
    pub fn set_village(&mut self, village: Option<i64>) {
        if self.village != village {
            self.village = village;
            self.area = None;
            self.group = None;
        }
    }

    /// Chooses an area; the group below it is cleared.
    pub fn set_area(&mut self, area: Option<i64>) {
        if self.area != area {
            self.area = area;
            self.group = None;
        }
    }

    /// Turns a risk flag on or off.
    pub fn toggle_flag(&mut self, flag: RiskFlag, on: bool) {
        self.risk_flags.retain(|f| *f != flag);
        if on {
            self.risk_flags.push(flag);
        }
    }

    /// The request to send, and for each of its parties the form row index it came from; or
    /// every field error, named by the form's input names.
    pub fn to_request(&self, lang: Lang) -> Result<(RegisterCase, Vec<usize>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut rows = Vec::new();
        let mut parties = Vec::new();
        for (i, row) in self.parties.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            let age = match row.age.trim() {
                "" => None,
                typed => match typed.parse::<u8>() {
                    Ok(age) => Some(age),
                    Err(_) => {
                        errors.push(FieldError::new(
                            format!("parties[{i}].age"),
                            Reason::OutOfRange { min: 0, max: 120 },
                            lang,
                        ));
                        None
                    }
                },
            };
            let person = row.kind == PartyKind::Person;
            rows.push(i);
            parties.push(NewParty {
                side: row.side,
                kind: row.kind,
                name: row.name.trim().to_owned(),
                gender: if person {
                    Gender::parse(&row.gender)
                } else {
                    None
                },
                ethnicity: None,
                age: if person { age } else { None },
                occupation: None,
                id_number: optional(&row.id_number),
                phone: optional(&row.phone).map(|p| p.replace(' ', "")),
                address: optional(&row.address),
            });
        }
        if self.category.is_none() {
            errors.push(FieldError::new("category", Reason::Required, lang));
        }
        if self.village.is_none() {
            errors.push(FieldError::new("village_id", Reason::Required, lang));
        }
        if self.on_the_spot && self.spot_outcome.is_none() {
            errors.push(FieldError::new(
                "closed_on_the_spot.outcome",
                Reason::Required,
                lang,
            ));
        }
        let request = RegisterCase {
            kind: self.kind,
            category: self.category.unwrap_or(Category::Other),
            channel: self.channel,
            risk: self.risk,
            risk_flags: self.risk_flags.clone(),
            summary: self.summary.trim().to_owned(),
            facts: self.facts.trim().to_owned(),
            request: self.request.trim().to_owned(),
            village_id: self.village.unwrap_or_default(),
            area_id: self.area,
            group_id: self.group,
            parties,
            closed_on_the_spot: if self.on_the_spot {
                Some(ClosedOnTheSpot {
                    outcome: self.spot_outcome.unwrap_or(Outcome::AgreementOral),
                    summary: self.spot_summary.trim().to_owned(),
                })
            } else {
                None
            },
            repeat_of: self.repeat_of.clone(),
            not_repeat_of: self.not_repeat_of.clone(),
            from_visit: self.from_visit,
        };
        if let Err(more) = check_register(&request, lang) {
            for e in remap_party_errors(more, &rows) {
                if !errors.iter().any(|f| f.field == e.field) {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            Ok((request, rows))
        } else {
            Err(errors)
        }
    }
}

impl IntakeForm {
    /// The complete, valid phone and ID numbers typed so far (each once), for the repeat
    /// check: a number is searched only once it is whole.
    pub fn numbers_to_check(&self) -> RepeatSearch {
        let mut search = RepeatSearch::default();
        for p in &self.parties {
            // As the request sends it (spaces dropped).
            let phone = p.phone.trim().replace(' ', "");
            if is_valid_phone(&phone) && !search.phones.contains(&phone) {
                search.phones.push(phone);
            }
            let id = p.id_number.trim().to_ascii_uppercase();
            if p.kind == PartyKind::Person
                && is_valid_id_number(&id)
                && !search.id_numbers.contains(&id)
            {
                search.id_numbers.push(id);
            }
        }
        search
    }

    /// Keeps only the repeat decisions about cases still among `matches` (a number changed:
    /// its matches, and what was decided about them, go).
    pub fn keep_decisions_for(&mut self, matches: &[RepeatMatch]) {
        let present = |code: &String| matches.iter().any(|m| &m.code == code);
        if self.repeat_of.as_ref().is_some_and(|c| !present(c)) {
            self.repeat_of = None;
        }
        self.not_repeat_of.retain(present);
    }

    /// Links the matter to the earlier case `code` (or, for the one linked, unlinks it).
    pub fn toggle_repeat_of(&mut self, code: &str) {
        self.not_repeat_of.retain(|c| c != code);
        if self.repeat_of.as_deref() == Some(code) {
            self.repeat_of = None;
        } else {
            self.repeat_of = Some(code.to_owned());
        }
    }

    /// Marks `code` as a different matter (or takes that back).
    pub fn toggle_not_repeat(&mut self, code: &str) {
        if self.repeat_of.as_deref() == Some(code) {
            self.repeat_of = None;
        }
        if self.not_repeat_of.iter().any(|c| c == code) {
            self.not_repeat_of.retain(|c| c != code);
        } else {
            self.not_repeat_of.push(code.to_owned());
        }
    }
}

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Rewrites `parties[i]…` paths of the request into the form's row indexes (`rows[i]`).
pub fn remap_party_errors(errors: Vec<FieldError>, rows: &[usize]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            if let Some(rest) = e.field.strip_prefix("parties[")
                && let Some((index, tail)) = rest.split_once(']')
                && let Ok(i) = index.parse::<usize>()
                && let Some(row) = rows.get(i)
            {
                e.field = format!("parties[{row}]{tail}");
            }
            e
        })
        .collect()
}

/// The public status page's address for a case code, given the site's origin.
pub fn status_url(origin: &str, code: &str) -> String {
    format!(
        "{}/status?code={}",
        origin.trim_end_matches('/'),
        crate::logic::filter::encode_component(code)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> IntakeForm {
        let mut form = IntakeForm::new();
        form.category = Some(Category::Neighbour);
        form.village = Some(5);
        form.summary = "  邻里排水纠纷 ".into();
        if let Some(row) = form.party_mut(1) {
            row.name = "张三".into();
            row.phone = "138 1234 1234".into();
            row.age = "45".into();
            row.gender = "male".into();
        }
        form
    }

    fn fields(r: Result<(RegisterCase, Vec<usize>), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn a_match(code: &str) -> RepeatMatch {
        RepeatMatch {
            case_id: 1,
            code: code.into(),
            kind: CaseKind::Petition,
            category: Category::Neighbour,
            stage: shared::model::Stage::InHandling,
            summary: String::new(),
            registered_at: chrono::DateTime::default(),
            closed_on: None,
            handler_name: None,
            matched_by: shared::repeats::MatchedBy::Phone,
            number: "138****5678".into(),
            party: "张某".into(),
            key: "13812345678".into(),
            repeat_of: None,
        }
    }

    #[test]
    fn only_whole_numbers_are_checked_for_repeats() {
        let mut form = filled();
        // Spaces are dropped, as the request does.
        assert_eq!(form.numbers_to_check().phones, ["13812341234"]);
        if let Some(row) = form.party_mut(1) {
            // Ten digits: not yet whole.
            row.phone = "1381234123".into();
            row.id_number = "11010519491231002x".into();
        }
        if let Some(row) = form.party_mut(2) {
            row.phone = " 13812341234 ".into();
        }
        let search = form.numbers_to_check();
        assert_eq!(search.phones, ["13812341234"]);
        assert_eq!(search.id_numbers, ["11010519491231002X"]);
    }

    #[test]
    fn repeat_decisions_follow_the_matches() {
        let mut form = filled();
        form.toggle_repeat_of("0101-AAAA");
        form.toggle_not_repeat("0102-BBBB");
        assert_eq!(form.repeat_of.as_deref(), Some("0101-AAAA"));
        // Judging the linked case different unlinks it.
        form.toggle_not_repeat("0101-AAAA");
        assert_eq!(form.repeat_of, None);
        assert_eq!(form.not_repeat_of, ["0102-BBBB", "0101-AAAA"]);
        form.toggle_repeat_of("0102-BBBB");
        assert_eq!(form.not_repeat_of, ["0101-AAAA"]);
        // A number changed: decisions about cases no longer matched go.
        form.keep_decisions_for(&[a_match("0101-AAAA")]);
        assert_eq!(form.repeat_of, None);
        assert_eq!(form.not_repeat_of, ["0101-AAAA"]);
        let (request, _) = {
            form.toggle_repeat_of("0101-AAAA");
            form.to_request(Lang::Zh)
                .unwrap_or_else(|e| panic!("refused: {e:?}"))
        };
        assert_eq!(request.repeat_of.as_deref(), Some("0101-AAAA"));
        assert!(request.not_repeat_of.is_empty());
    }

    #[test]
    fn a_visit_fills_the_form_and_is_linked() {
        let visit = shared::logs::Visit {
            id: 7,
            at: chrono::DateTime::default(),
            place: "二号窗口".into(),
            purpose: shared::model::VisitPurpose::Petition,
            visitors: 6,
            group: true,
            name: "王五".into(),
            phone: Some("13700001111".into()),
            note: "反映征地补偿未兑现".into(),
            received_by: "王受理".into(),
            case: None,
            recorded_by: "王受理".into(),
            masked: false,
        };
        let form = IntakeForm::from_visit(&visit);
        assert_eq!(
            (form.kind, form.channel),
            (CaseKind::Petition, Channel::Window)
        );
        assert_eq!(form.parties[0].name, "王五");
        assert_eq!(form.parties[0].phone, "13700001111");
        assert_eq!(form.facts, "反映征地补偿未兑现");
        assert_eq!(form.from_visit, Some(7));
        let hall = shared::logs::Visit {
            place: "来访大厅".into(),
            purpose: shared::model::VisitPurpose::Consultation,
            ..visit
        };
        let form = IntakeForm::from_visit(&hall);
        assert_eq!(
            (form.kind, form.channel),
            (CaseKind::Consultation, Channel::VisitorHall)
        );
    }

    #[test]
    fn a_fresh_form_asks_for_the_essentials() {
        let form = IntakeForm::new();
        assert_eq!(
            fields(form.to_request(Lang::Zh)),
            vec!["category", "village_id", "summary", "parties"]
        );
    }

    #[test]
    fn blank_rows_are_left_out_and_values_are_trimmed() {
        let (req, rows) = filled()
            .to_request(Lang::Zh)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(req.parties.len(), 1);
        assert_eq!(rows, vec![0]);
        assert_eq!(req.summary, "邻里排水纠纷");
        assert_eq!(req.parties[0].phone.as_deref(), Some("13812341234"));
        assert_eq!(req.parties[0].age, Some(45));
        assert_eq!(req.parties[0].gender, Some(Gender::Male));
        assert_eq!(req.village_id, 5);
        assert!(req.closed_on_the_spot.is_none());
    }

    #[test]
    fn party_errors_point_at_the_forms_rows() {
        let mut form = filled();
        let id = form.add_party(PartySide::Respondent).unwrap_or_default();
        if let Some(row) = form.party_mut(id) {
            row.name = "李四".into();
            row.phone = "12345".into();
            row.age = "abc".into();
        }
        // Row 1 (the default respondent) stays blank; the new row is row 2.
        assert_eq!(
            fields(form.to_request(Lang::Zh)),
            vec!["parties[2].age", "parties[2].phone"]
        );
    }

    #[test]
    fn applicants_are_added_above_respondents() {
        let mut form = IntakeForm::new();
        let id = form.add_party(PartySide::Applicant).unwrap_or_default();
        assert_eq!(form.party_index(id), Some(1));
        assert_eq!(form.parties[2].side, PartySide::Respondent);
        form.remove_party(id);
        assert_eq!(form.parties.len(), 2);
    }

    #[test]
    fn choosing_another_village_clears_area_and_group() {
        let mut form = filled();
        form.area = Some(8);
        form.group = Some(9);
        form.set_village(Some(5));
        assert_eq!((form.area, form.group), (Some(8), Some(9)));
        form.set_area(Some(10));
        assert_eq!(form.group, None);
        form.group = Some(11);
        form.set_village(Some(6));
        assert_eq!((form.area, form.group), (None, None));
    }

    #[test]
    fn resolved_on_the_spot_needs_a_resolved_outcome_and_summary() {
        let mut form = filled();
        form.on_the_spot = true;
        assert_eq!(
            fields(form.to_request(Lang::Zh)),
            vec!["closed_on_the_spot.outcome", "closed_on_the_spot.summary"]
        );
        form.spot_outcome = Some(Outcome::Terminated);
        form.spot_summary = "调解无果".into();
        assert_eq!(
            fields(form.to_request(Lang::Zh)),
            vec!["closed_on_the_spot.outcome"]
        );
        form.spot_outcome = Some(Outcome::Explained);
        let (req, _) = form
            .to_request(Lang::Zh)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            req.closed_on_the_spot.map(|s| s.outcome),
            Some(Outcome::Explained)
        );
    }

    #[test]
    fn the_next_form_keeps_channel_and_village() {
        let mut form = filled();
        form.channel = Channel::VisitorHall;
        let next = form.next_after();
        assert_eq!(next.channel, Channel::VisitorHall);
        assert_eq!(next.village, Some(5));
        assert!(next.summary.is_empty());
        assert_eq!(
            status_url("https://x.example/", "2611-ABCDEF"),
            "https://x.example/status?code=2611-ABCDEF"
        );
    }
}
