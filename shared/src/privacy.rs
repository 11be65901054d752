//! Personal data under 个人信息保护法: who may see parties unmasked, and how values are masked
//! for everyone else (张某, 138****1234).

use crate::model::{Party, PartyKind, Role};
use crate::workflow::{Actor, CaseFacts};

/// Whether `actor` may see the parties of a case unmasked: the center's lead and intake
/// clerks (who registered or route it), and the case's own handler. Everyone else — other
/// mediators, grid workers, town leaders, administrators — sees masked values.
pub fn may_see_parties(actor: &Actor, case: &CaseFacts) -> bool {
    if actor.town_id != case.town_id {
        return false;
    }
    match actor.role {
        Role::Lead | Role::Clerk => true,
        Role::Mediator | Role::Liaison => case.is_handled_by(actor),
        Role::Admin | Role::GridWorker | Role::TownLeader => false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HandlerRef, PartySide};

    fn actor(role: Role, user_id: i64, department_id: Option<i64>) -> Actor {
        Actor {
            user_id,
            role,
            town_id: 1,
            department_id,
        }
    }

    fn case(handler: Option<HandlerRef>) -> CaseFacts {
        CaseFacts {
            town_id: 1,
            stage: crate::model::Stage::InHandling,
            handler,
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
