//! The administrator's categories: a dispute category renamed for new cases (a case keeps
//! the name it was registered under) or retired (no longer offered for new cases; cases
//! already in it keep it).

use serde::{Deserialize, Serialize};

use crate::model::Category;
use crate::validate::Checker;
use crate::{FieldError, Lang};

/// Longest category name.
pub const NAME_MAX: u32 = 20;

/// A category's name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryName {
    pub zh: String,
    pub en: String,
}

impl CategoryName {
    /// The name in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The standard name of `category`.
    pub fn standard(category: Category) -> CategoryName {
        CategoryName {
            zh: category.label(Lang::Zh).to_owned(),
            en: category.label(Lang::En).to_owned(),
        }
    }
}

/// The name a case shows for its category: the one it was registered under, else the
/// standard one.
pub fn case_category(category: Category, own: Option<&CategoryName>, lang: Lang) -> String {
    own.map_or_else(
        || category.label(lang).to_owned(),
        |n| n.get(lang).to_owned(),
    )
}

/// A category as the administrator and the intake form see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategorySetting {
    pub category: Category,
    /// The name new cases get.
    pub name: CategoryName,
    /// Whether it differs from the standard name.
    pub renamed: bool,
    /// Not offered for new cases.
    pub retired: bool,
}

impl CategorySetting {
    /// The setting of `category` with the administrator's name (if any) and state.
    pub fn of(category: Category, name: Option<CategoryName>, retired: bool) -> CategorySetting {
        let standard = CategoryName::standard(category);
        let name = name.unwrap_or_else(|| standard.clone());
        CategorySetting {
            renamed: name != standard,
            category,
            name,
            retired,
        }
    }
}

/// The administrator's change to a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryForm {
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub retired: bool,
}

impl CategoryForm {
    /// Checks both names: required, one line, at most [`NAME_MAX`] characters.
    pub fn check(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        c.required_line("zh", &self.zh, NAME_MAX);
        c.required_line("en", &self.en, NAME_MAX);
        c.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_shows_the_name_it_was_registered_under() {
        let own = CategoryName {
            zh: "邻里关系纠纷".into(),
            en: "Neighbourhood".into(),
        };
        assert_eq!(
            case_category(Category::Neighbour, Some(&own), Lang::Zh),
            "邻里关系纠纷"
        );
        assert_eq!(
            case_category(Category::Neighbour, None, Lang::Zh),
            Category::Neighbour.label(Lang::Zh)
        );
        let s = CategorySetting::of(Category::Neighbour, None, false);
        assert!(!s.renamed);
        let s = CategorySetting::of(Category::Neighbour, Some(own), true);
        assert!(s.renamed && s.retired);
    }

    #[test]
    fn both_names_are_required_and_short() {
        let form = |zh: &str, en: &str| CategoryForm {
            zh: zh.into(),
            en: en.into(),
            retired: false,
        };
        assert!(
            form("邻里关系纠纷", "Neighbourhood")
                .check(Lang::Zh)
                .is_ok()
        );
        let fields: Vec<String> = form(" ", &"x".repeat(21))
            .check(Lang::En)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["zh", "en"]);
    }
}
