//! Personal data under 个人信息保护法: who may see parties unmasked, and how values are masked
//! for everyone else (张某, 138****1234) — in the party records and in free text
//! (`Redactor`: the case's own party names become their masked form, and anything shaped like
//! a phone, ID or bank-card number is masked).

use crate::model::{Party, PartyKind, Role};
use crate::workflow::{Actor, CaseFacts};

/// Whether `actor` may see the parties of a case unmasked: the center's lead and intake
/// clerks (who registered or route it), and the case's own handler. Everyone else — other
/// mediators, grid workers, town leaders, administrators, county officers and departments — sees masked
/// values.
pub fn may_see_parties(actor: &Actor, case: &CaseFacts) -> bool {
    if actor.town_id != case.town_id {
        return false;
    }
    match actor.role {
        Role::Lead | Role::Clerk => true,
        Role::Mediator | Role::Liaison => case.is_handled_by(actor),
        Role::Admin
        | Role::GridWorker
        | Role::TownLeader
        | Role::CountyOfficer
        | Role::CountyDepartment => false,
    }
}

/// Which cases' parties a role sees unmasked within its town, as a class (for lists and
/// boards, where one answer serves many cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyView {
    /// Every case's (center lead, intake clerks).
    All,
    /// Only the cases the person handles (mediators, department liaisons).
    OwnCases,
    /// None (grid workers, town leaders, administrators, county officers).
    Nothing,
}

impl PartyView {
    /// The class of `role` (agrees with `may_see_parties`).
    pub fn of(role: Role) -> PartyView {
        match role {
            Role::Lead | Role::Clerk => PartyView::All,
            Role::Mediator | Role::Liaison => PartyView::OwnCases,
            Role::Admin
            | Role::GridWorker
            | Role::TownLeader
            | Role::CountyOfficer
            | Role::CountyDepartment => PartyView::Nothing,
        }
    }
}

/// Whether reading the unmasked parties is logged: when the reader is not the case's handler.
pub fn is_logged_access(actor: &Actor, case: &CaseFacts) -> bool {
    may_see_parties(actor, case) && !case.is_handled_by(actor)
}

/// A person's name as 姓 + 某 (张某); a Latin name keeps its first letter (J***).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) if first.is_ascii() => format!("{first}***"),
        Some(first) => format!("{first}某"),
    }
}

/// A phone number with only its first three and last four digits shown.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// An ID number with only its first four and last four characters shown.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// The party as a reader without the right to personal data sees it. Organisations keep their
/// name; everything that identifies a person is masked or dropped.
pub fn mask_party(party: &Party) -> Party {
    Party {
        side: party.side,
        kind: party.kind,
        name: if party.kind == PartyKind::Organisation {
            party.name.clone()
        } else {
            mask_name(&party.name)
        },
        gender: party.gender,
        ethnicity: None,
        age: None,
        occupation: None,
        id_number: party.id_number.as_deref().map(mask_id),
        phone: party.phone.as_deref().map(mask_phone),
        address: party.address.as_ref().map(|_| "***".to_owned()),
        masked: true,
    }
}

/// Masks personal data in a case's free text (summary, facts, request, notes) for readers who
/// see its parties masked: every party's name — a person's full name wherever it appears,
/// even inside a longer word — becomes its masked form (张某), and every run of digits shaped
/// like a phone number, an ID number or a bank card is masked (`mask_digits`). Organisation
/// names are kept, as in the party records.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// (name, masked form), longest name first so that 张三丰 is replaced before 张三.
    names: Vec<(String, String)>,
}

impl Redactor {
    /// A redactor for a case with these parties.
    pub fn for_parties<'a>(parties: impl IntoIterator<Item = &'a Party>) -> Redactor {
        Redactor::for_names(
            parties
                .into_iter()
                .filter(|p| p.kind != PartyKind::Organisation)
                .map(|p| p.name.as_str()),
        )
    }

    /// A redactor for these personal names.
    pub fn for_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut names: Vec<(String, String)> = names
            .into_iter()
            .map(str::trim)
            .filter(|n| n.chars().count() >= 2)
            .map(|n| (n.to_owned(), mask_name(n)))
            .collect();
        names.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        names.dedup_by(|a, b| a.0 == b.0);
        Redactor { names }
    }

    /// `text` with names and number-shaped runs masked.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, masked) in &self.names {
            if out.contains(name.as_str()) {
                out = out.replace(name.as_str(), masked);
            }
        }
        mask_digits(&out)
    }
}

/// Masks every run of digits shaped like a phone number, an ID number or a bank card: seven
/// or more digits in all, in groups of at least three separated by single spaces or dashes
/// (so dates such as 2024-05-06 and amounts such as 5000 stay), an ID's final X included.
/// Mobile numbers keep their first three and last four digits (138****1234), ID numbers their
/// first four and last four (as `mask_id`), anything else only its last four.
pub fn mask_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digit groups starting at i.
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        loop {
            let group_start = j;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let len = j - group_start;
            if group_start > i && len < 3 {
                break;
            }
            digits += len;
            end = j;
            if j + 1 < chars.len() && matches!(chars[j], ' ' | '-') && chars[j + 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        let x_end = end < chars.len() && matches!(chars[end], 'X' | 'x') && digits == 17;
        let end = if x_end { end + 1 } else { end };
        let run: String = chars[i..end].iter().collect();
        if digits >= 7 && !(end < chars.len() && chars[end].is_ascii_alphanumeric()) {
            out.push_str(&mask_run(&run, digits, x_end));
        } else {
            out.push_str(&run);
        }
        i = end;
    }
    out
}

/// One number-shaped run, masked (see `mask_digits`).
fn mask_run(run: &str, digits: usize, id_with_x: bool) -> String {
    let plain = run
        .chars()
        .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
    if plain && digits == 11 && run.starts_with('1') {
        return mask_phone(run);
    }
    if plain && (digits == 18 || digits == 15 || id_with_x) {
        return mask_id(run);
    }
    // Keep the separators and the last four digits.
    let total = run.chars().filter(char::is_ascii_alphanumeric).count();
    let mut seen = 0;
    run.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                seen += 1;
                if seen > total.saturating_sub(4) {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HandlerRef, PartySide};

    fn actor(role: Role, user_id: i64, department_id: Option<i64>) -> Actor {
        Actor {
            line: crate::model::CategorySet::default(),
            user_id,
            role,
            town_id: 1,
            department_id,
        }
    }

    fn case(handler: Option<HandlerRef>) -> CaseFacts {
        CaseFacts {
            category: crate::model::Category::Neighbour,
            town_id: 1,
            stage: crate::model::Stage::InHandling,
            handler,
            cooperating: Vec::new(),
        }
    }

    #[test]
    fn masks_keep_only_what_identifies_nobody() {
        assert_eq!(mask_name("张三丰"), "张某");
        assert_eq!(mask_name("John"), "J***");
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_id("11010519491231002X"), "1101**********002X");
        let p = Party {
            side: PartySide::Applicant,
            name: "李四".into(),
            phone: Some("13912345678".into()),
            address: Some("瓜州镇某村 3 组 12 号".into()),
            age: Some(40),
            ..Party::default()
        };
        let m = mask_party(&p);
        assert_eq!(
            (
                m.name.as_str(),
                m.phone.as_deref(),
                m.address.as_deref(),
                m.age
            ),
            ("李某", Some("139****5678"), Some("***"), None)
        );
        assert!(m.masked);
    }

    #[test]
    fn only_the_center_and_the_cases_own_handler_see_parties() {
        let mediated = case(Some(HandlerRef::Mediator(7)));
        assert!(may_see_parties(&actor(Role::Lead, 1, None), &mediated));
        assert!(may_see_parties(&actor(Role::Clerk, 2, None), &mediated));
        assert!(may_see_parties(&actor(Role::Mediator, 7, None), &mediated));
        assert!(!may_see_parties(&actor(Role::Mediator, 8, None), &mediated));
        assert!(!may_see_parties(
            &actor(Role::GridWorker, 9, None),
            &mediated
        ));
        assert!(!may_see_parties(&actor(Role::Admin, 10, None), &mediated));
        let routed = case(Some(HandlerRef::Department(3)));
        assert!(may_see_parties(&actor(Role::Liaison, 11, Some(3)), &routed));
        assert!(!may_see_parties(
            &actor(Role::Liaison, 12, Some(4)),
            &routed
        ));
        let other_town = Actor {
            town_id: 2,
            ..actor(Role::Lead, 1, None)
        };
        assert!(!may_see_parties(&other_town, &mediated));
    }

    fn person(name: &str) -> Party {
        Party {
            name: name.into(),
            ..Party::default()
        }
    }

    #[test]
    fn free_text_loses_the_cases_party_names() {
        let parties = [
            person("田亮"),
            Party {
                side: PartySide::Respondent,
                ..person("王建国")
            },
        ];
        let r = Redactor::for_parties(&parties);
        assert_eq!(
            r.redact("田亮长期遭受丈夫王建国殴打,田亮申请法律援助起诉离婚"),
            "田某长期遭受丈夫王某殴打,田某申请法律援助起诉离婚"
        );
        // Inside a longer word the name is masked all the same.
        assert_eq!(r.redact("田亮亮说"), "田某亮说");
        // Other people's names are not the case's parties: kept.
        assert_eq!(r.redact("调解员李娜到场"), "调解员李娜到场");
    }

    #[test]
    fn longer_names_are_masked_before_the_shorter_names_inside_them() {
        let r = Redactor::for_names(["张三", "张三丰"]);
        assert_eq!(r.redact("张三丰与张三"), "张某与张某");
        let latin = Redactor::for_names(["John Smith"]);
        assert_eq!(latin.redact("met John Smith today"), "met J*** today");
    }

    #[test]
    fn organisations_keep_their_names_and_one_character_names_are_ignored() {
        let parties = [
            Party {
                kind: PartyKind::Organisation,
                ..person("瓜州县宏达建筑有限公司")
            },
            person("王"),
        ];
        let r = Redactor::for_parties(&parties);
        assert_eq!(
            r.redact("瓜州县宏达建筑有限公司拖欠王师傅工资"),
            "瓜州县宏达建筑有限公司拖欠王师傅工资"
        );
    }

    #[test]
    fn numbers_shaped_like_phones_ids_and_cards_are_masked() {
        let m = mask_digits;
        assert_eq!(m("电话13812341234联系"), "电话138****1234联系");
        assert_eq!(m("身份证62092219800101123X"), "身份证6209**********123X");
        assert_eq!(
            m("身份证620922198001011234。"),
            "身份证6209**********1234。"
        );
        assert_eq!(m("卡号 6222 0212 3456 7890"), "卡号 **** **** **** 7890");
        assert_eq!(m("固话0937-8821234"), "固话****-***1234");
        // Dates, amounts and case codes stay.
        assert_eq!(m("2024-05-06 欠款 50000 元"), "2024-05-06 欠款 50000 元");
        assert_eq!(m("案件 2611-7K3M9Q"), "案件 2611-7K3M9Q");
        assert_eq!(m("第3组12号"), "第3组12号");
    }

    #[test]
    fn the_party_view_of_a_role_agrees_with_may_see_parties() {
        let mine = case(Some(HandlerRef::Mediator(7)));
        let theirs = case(Some(HandlerRef::Mediator(8)));
        for role in [
            Role::Lead,
            Role::Clerk,
            Role::Mediator,
            Role::Liaison,
            Role::GridWorker,
            Role::TownLeader,
            Role::Admin,
        ] {
            let a = actor(role, 7, None);
            let expected = match PartyView::of(role) {
                PartyView::All => (true, true),
                PartyView::OwnCases => (may_see_parties(&a, &mine), false),
                PartyView::Nothing => (false, false),
            };
            assert_eq!(
                (may_see_parties(&a, &mine), may_see_parties(&a, &theirs)),
                expected,
                "{role:?}"
            );
        }
    }

    #[test]
    fn the_lead_reading_parties_is_logged_but_the_handler_is_not() {
        let mediated = case(Some(HandlerRef::Mediator(7)));
        assert!(is_logged_access(&actor(Role::Lead, 1, None), &mediated));
        assert!(!is_logged_access(
            &actor(Role::Mediator, 7, None),
            &mediated
        ));
        assert!(!is_logged_access(
            &actor(Role::GridWorker, 9, None),
            &mediated
        ));
    }
}
