//! The people of a center as the routing dialog weighs them: which mediator to suggest for a
//! case. A mediator whose specialties include the case's category comes first, then the one
//! with the fewest open cases, then one who serves the case's own village committee, then the
//! one with the fewest sessions this week; a mediator under 回避 for the case is never
//! suggested.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::lang::Lang;
use crate::model::{Category, HandlerRef, Quality, RosterKind};
use crate::validate::{Checker, NAME_MAX, is_valid_phone};
use crate::{FieldError, Reason};

/// How many suggestions the routing dialog shows.
pub const SUGGESTIONS_SHOWN: usize = 3;

/// A mediator as the server knows them, before ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: i64,
    pub name: String,
    pub specialties: Vec<Category>,
    /// Cases routed to them or in their handling now.
    pub open_cases: u32,
    /// Mediation sessions they sit in this week (Monday to Sunday), not cancelled.
    pub sessions_this_week: u32,
    /// The village committee they serve, if not the town's.
    pub serves_village: Option<i64>,
    /// Their closed cases followed up, and of those satisfied or basically satisfied.
    pub followed_up: u32,
    pub satisfied: u32,
}

/// A mediator suggested for a case, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub handler: HandlerRef,
    pub name: String,
    /// A specialist in the case's category.
    pub specialist: bool,
    pub category: Category,
    pub open_cases: u32,
    pub sessions_this_week: u32,
    /// Serves the case's own village committee.
    pub same_village: bool,
    /// 回访满意率 of their cases, in per cent, once any was followed up.
    pub satisfaction: Option<f64>,
}

impl Suggestion {
    /// Why, in one line: "邻里纠纷专长 · 在办 3 件 · 本周调解 1 场 · 本村调委会 · 回访满意率 90%".
    pub fn reason(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if self.specialist {
            parts.push(match lang {
                Lang::Zh => format!("{}专长", self.category.label(lang)),
                Lang::En => format!("{} specialist", self.category.label(lang)),
            });
        }
        parts.push(match lang {
            Lang::Zh => format!("在办 {} 件", self.open_cases),
            Lang::En if self.open_cases == 1 => "1 open case".to_owned(),
            Lang::En => format!("{} open cases", self.open_cases),
        });
        parts.push(match lang {
            Lang::Zh => format!("本周调解 {} 场", self.sessions_this_week),
            Lang::En if self.sessions_this_week == 1 => "1 session this week".to_owned(),
            Lang::En => format!("{} sessions this week", self.sessions_this_week),
        });
        if self.same_village {
            parts.push(lang.pick("本村调委会", "serves this village").to_owned());
        }
        if let Some(rate) = self.satisfaction {
            parts.push(match lang {
                Lang::Zh => format!("回访满意率 {rate:.0}%"),
                Lang::En => format!("{rate:.0} % satisfied at follow-up"),
            });
        }
        parts.join(lang.pick(" · ", ", "))
    }
}

/// The routing dialog's suggestions for a case, best first, and the mediators left out under
/// 回避 (by name, so the dialog can say why someone is missing).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
    pub excluded: Vec<String>,
}

/// The mediators to suggest for a case of `category` in `village_id`, best first (every one
/// but those excluded; the dialog shows the first `SUGGESTIONS_SHOWN`).
pub fn suggest(
    category: Category,
    village_id: i64,
    candidates: &[Candidate],
    excluded: &[i64],
) -> Vec<Suggestion> {
    let mut ranked: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !excluded.contains(&c.user_id))
        .collect();
    ranked.sort_by(|a, b| {
        let key = |c: &Candidate| {
            (
                !c.specialties.contains(&category),
                c.open_cases,
                c.serves_village != Some(village_id),
                c.sessions_this_week,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
    ranked
        .into_iter()
        .map(|c| Suggestion {
            handler: HandlerRef::Mediator(c.user_id),
            name: c.name.clone(),
            specialist: c.specialties.contains(&category),
            category,
            open_cases: c.open_cases,
            sessions_this_week: c.sessions_this_week,
            same_village: c.serves_village == Some(village_id),
            satisfaction: (c.followed_up > 0).then(|| {
                (f64::from(c.satisfied) * 1000.0 / f64::from(c.followed_up)).round() / 10.0
            }),
        })
        .collect()
}

/// Longest training title.
pub const TRAINING_TITLE_MAX: u32 = 100;
/// Most hours one training records.
pub const TRAINING_HOURS_MAX: u32 = 200;
/// Longest note on a person.
pub const PERSON_NOTE_MAX: u32 = 500;

/// A training a person of the roster took part in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Training {
    pub id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub hours: u32,
}

/// A training to record (`POST /api/roster/people/{id}/trainings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTraining {
    pub held_on: NaiveDate,
    pub title: String,
    pub hours: u32,
}

impl NewTraining {
    pub fn check(&self, today: NaiveDate, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.held_on > today {
            c.fail(
                "held_on",
                Reason::Other {
                    zh: "培训日期不能晚于今天。".to_owned(),
                    en: "The training's date cannot be after today.".to_owned(),
                },
            );
        }
        c.required_line("title", &self.title, TRAINING_TITLE_MAX);
        if !(1..=TRAINING_HOURS_MAX).contains(&self.hours) {
            c.fail(
                "hours",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(TRAINING_HOURS_MAX),
                },
            );
        }
        c.finish()
    }
}

/// A mediator or village legal helper as the roster records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonForm {
    pub kind: RosterKind,
    /// Ignored for a mediator with an account (the account's name is kept).
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// The village committee they serve; none: the town's committee.
    #[serde(default)]
    pub serves_unit_id: Option<i64>,
    #[serde(default)]
    pub appointed_on: Option<NaiveDate>,
    #[serde(default)]
    pub qualities: Vec<Quality>,
    #[serde(default)]
    pub specialties: Vec<Category>,
    #[serde(default)]
    pub note: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl PersonForm {
    pub fn check(&self, today: NaiveDate, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.required_line("name", &self.name, NAME_MAX);
        if let Some(phone) = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            && !is_valid_phone(phone)
        {
            c.fail("phone", Reason::InvalidPhone);
        }
        if self.appointed_on.is_some_and(|d| d > today) {
            c.fail(
                "appointed_on",
                Reason::Other {
                    zh: "聘任日期不能晚于今天。".to_owned(),
                    en: "The appointment cannot be dated after today.".to_owned(),
                },
            );
        }
        for (i, q) in self.qualities.iter().enumerate() {
            if self.qualities[..i].contains(q) {
                c.fail(format!("qualities[{i}]"), Reason::Duplicate);
            }
        }
        for (i, s) in self.specialties.iter().enumerate() {
            if self.specialties[..i].contains(s) {
                c.fail(format!("specialties[{i}]"), Reason::Duplicate);
            }
        }
        c.max_len("note", &self.note, PERSON_NOTE_MAX);
        c.finish()
    }
}

/// A person of the mediator roster with their load and satisfaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterPerson {
    pub id: i64,
    /// The mediator's account (cases are routed to it); none for a legal helper.
    pub user_id: Option<i64>,
    pub kind: RosterKind,
    pub name: String,
    /// Masked for readers who do not see personal data.
    pub phone: Option<String>,
    pub serves_unit_id: Option<i64>,
    /// The committee they serve (渠口村调委会, or the town's).
    pub serves: String,
    pub appointed_on: Option<NaiveDate>,
    pub qualities: Vec<Quality>,
    pub specialties: Vec<Category>,
    pub note: String,
    pub active: bool,
    pub trainings: Vec<Training>,
    pub training_hours: u32,
    /// Cases routed to them or in their handling now.
    pub open_cases: u32,
    pub sessions_this_week: u32,
    /// Their closed cases followed up, and of those satisfied or basically satisfied.
    pub followed_up: u32,
    pub satisfied: u32,
    /// Residents' ratings of their closed cases, and of those satisfied or basically.
    pub rated: u32,
    pub rated_satisfied: u32,
}

impl RosterPerson {
    /// 回访满意率, in per cent, once any case was followed up.
    pub fn follow_up_rate(&self) -> Option<f64> {
        percent(self.satisfied, self.followed_up)
    }

    /// The residents' rating, in per cent satisfied, once any rated.
    pub fn rating_rate(&self) -> Option<f64> {
        percent(self.rated_satisfied, self.rated)
    }
}

fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// The town's mediators and legal helpers (`GET /api/roster/people`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleRoster {
    pub people: Vec<RosterPerson>,
    /// Whether the reader may change it (the center lead).
    pub may_edit: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, name: &str, specialties: &[Category], open: u32) -> Candidate {
        Candidate {
            user_id: id,
            name: name.into(),
            specialties: specialties.to_vec(),
            open_cases: open,
            sessions_this_week: 0,
            serves_village: None,
            followed_up: 0,
            satisfied: 0,
        }
    }

    #[test]
    fn the_specialist_comes_first_then_the_lightest_load_then_the_village() {
        let mut near = candidate(4, "丁", &[], 1);
        near.serves_village = Some(7);
        let mut busy_week = candidate(5, "戊", &[], 1);
        busy_week.sessions_this_week = 3;
        let list = [
            candidate(1, "甲", &[Category::Labour], 0),
            candidate(2, "乙", &[Category::MarriageFamily, Category::Neighbour], 5),
            candidate(3, "丙", &[Category::MarriageFamily], 3),
            busy_week,
            near,
        ];
        let order: Vec<i64> = suggest(Category::MarriageFamily, 7, &list, &[])
            .iter()
            .map(|s| match s.handler {
                HandlerRef::Mediator(id) | HandlerRef::Department(id) => id,
            })
            .collect();
        // Specialists by load (丙 3 before 乙 5); then the others by load (甲 0), and at the
        // same load the village's own (丁) before the busier week (戊).
        assert_eq!(order, [3, 2, 1, 4, 5]);
    }

    #[test]
    fn an_excluded_mediator_is_never_suggested() {
        let list = [
            candidate(1, "甲", &[Category::Neighbour], 0),
            candidate(2, "乙", &[Category::Neighbour], 9),
        ];
        let s = suggest(Category::Neighbour, 7, &list, &[1]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].handler, HandlerRef::Mediator(2));
    }

    #[test]
    fn the_reason_says_why_in_both_languages() {
        let mut c = candidate(1, "甲", &[Category::MarriageFamily], 3);
        c.sessions_this_week = 1;
        c.serves_village = Some(7);
        c.followed_up = 3;
        c.satisfied = 2;
        let s = &suggest(Category::MarriageFamily, 7, &[c], &[])[0];
        assert_eq!(s.satisfaction, Some(66.7));
        assert_eq!(
            s.reason(Lang::Zh),
            "婚姻家庭专长 · 在办 3 件 · 本周调解 1 场 · 本村调委会 · 回访满意率 67%"
        );
        assert_eq!(
            s.reason(Lang::En),
            "Marriage & family specialist, 3 open cases, 1 session this week, serves this village, 67 % satisfied at follow-up"
        );
    }

    #[test]
    fn a_person_and_a_training_are_checked_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let mut p = PersonForm {
            kind: RosterKind::LegalHelper,
            name: "赵明白".into(),
            phone: Some("13800001111".into()),
            serves_unit_id: Some(3),
            appointed_on: Some(today),
            qualities: vec![Quality::Prestige, Quality::Legal],
            specialties: vec![Category::Neighbour],
            note: String::new(),
            active: true,
        };
        assert!(p.check(today, Lang::Zh).is_ok());
        p.name = " ".into();
        p.phone = Some("12".into());
        p.appointed_on = today.succ_opt();
        p.qualities = vec![Quality::Legal, Quality::Legal];
        let fields: Vec<String> = p
            .check(today, Lang::Zh)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "phone", "appointed_on", "qualities[1]"]);
        let t = NewTraining {
            held_on: today,
            title: "人民调解法培训".into(),
            hours: 0,
        };
        let fields: Vec<String> = t
            .check(today, Lang::En)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["hours"]);
    }
}
