//! Accounts and passwords: the administrator creates, edits, deactivates (never deletes: the
//! history keeps the name) and resets accounts; everyone changes their own password. A new or
//! reset password is the server's, shown once, and must be changed at the next sign-in.
//! Passwords are at least `PASSWORD_MIN` characters, not one of the most common ones, and not
//! the username. Every administrative change is kept in the audit log, before and after.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Category, Role};
use crate::validate::{Checker, NAME_MAX};
use crate::{FieldError, Lang, Reason};

/// Shortest password.
pub const PASSWORD_MIN: u32 = 10;
/// Longest password (hashing a huge one is work for nothing).
pub const PASSWORD_MAX: u32 = 128;
/// Shortest and longest username.
pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;

/// Passwords people choose most (the public lists' first entries, Chinese sites' among them),
/// compared without case. Anything on it is refused whatever its length.
pub const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "a123456789",
    "1234567890a",
    "1qaz2wsx3edc",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "qwertyuiop",
    "qwertyuiop123",
    "qwerty123456",
    "asdfghjkl1",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "p@ssw0rd123",
    "iloveyou123",
    "woaini1314",
    "woaini5201314",
    "5201314520",
    "1314520520",
    "abc1234567",
    "abcd123456",
    "abcdefghij",
    "aa12345678",
    "qq123456789",
    "admin12345",
    "admin123456",
    "administrator",
    "welcome123",
    "changeme123",
    "letmein123",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "9876543210",
    "0987654321",
    "123123123123",
    "123qweasdzxc",
    "qweasdzxc123",
    "zaq12wsxcde3",
    "concord-demo",
    "concord1234",
    "zonghe12345",
];

/// Checks a new password for `username`, under `field`.
pub fn check_password(c: &mut Checker, field: &str, password: &str, username: &str) {
    let length = password.chars().count();
    let lower = password.to_lowercase();
    if length < PASSWORD_MIN as usize {
        c.fail(
            field,
            Reason::Other {
                zh: format!("密码至少 {PASSWORD_MIN} 个字符。"),
                en: format!("A password has at least {PASSWORD_MIN} characters."),
            },
        );
    } else if length > PASSWORD_MAX as usize {
        c.fail(field, Reason::TooLong { max: PASSWORD_MAX });
    } else if COMMON_PASSWORDS.contains(&lower.as_str())
        || password.chars().all(|ch| password.starts_with(ch))
    {
        c.fail(
            field,
            Reason::Other {
                zh: "这个密码太常见,很容易被猜中,请换一个。".to_owned(),
                en: "This password is too common and easily guessed: choose another.".to_owned(),
            },
        );
    } else if !username.trim().is_empty() && lower.contains(&username.trim().to_lowercase()) {
        c.fail(
            field,
            Reason::Other {
                zh: "密码不能包含用户名。".to_owned(),
                en: "The password cannot contain the username.".to_owned(),
            },
        );
    }
}

/// A person's own password change (`POST /api/me/password`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePassword {
    pub current: String,
    pub new_password: String,
}

impl ChangePassword {
    pub fn check(&self, username: &str, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if self.current.is_empty() {
            c.fail("current", Reason::Required);
        }
        check_password(&mut c, "new_password", &self.new_password, username);
        if c.is_fine("new_password") && self.new_password == self.current {
            c.fail(
                "new_password",
                Reason::Other {
                    zh: "新密码不能与当前密码相同。".to_owned(),
                    en: "The new password must differ from the current one.".to_owned(),
                },
            );
        }
        c.finish()
    }
}

/// An account as the administrator sets it (`POST /api/admin/accounts`,
/// `PUT /api/admin/accounts/{id}`; the username only when creating).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountForm {
    #[serde(default)]
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The town whose center they work for (none only for an administrator).
    #[serde(default)]
    pub town_id: Option<i64>,
    /// A liaison's department or service room.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// A grid worker's, town leader's or mediator's unit.
    #[serde(default)]
    pub org_unit_id: Option<i64>,
    /// A county department's line: the categories whose cases it oversees in every town
    /// (at least one; no other role has one).
    #[serde(default)]
    pub line: Vec<Category>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Whether `name` is a username: lower-case letters, digits, `.`, `_` and `-`, starting with a
/// letter.
pub fn is_username(name: &str) -> bool {
    (USERNAME_MIN..=USERNAME_MAX).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

impl AccountForm {
    /// Checks the form (the town, department and unit against the org tree is the server's).
    pub fn check(&self, creating: bool, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        if creating && !is_username(self.username.trim()) {
            c.fail(
                "username",
                Reason::Other {
                    zh: format!(
                        "用户名为 {USERNAME_MIN} 至 {USERNAME_MAX} 位小写字母、数字、点、下划线或连字符,以字母开头。"
                    ),
                    en: format!(
                        "A username is {USERNAME_MIN} to {USERNAME_MAX} lower-case letters, digits, dots, underscores or hyphens, starting with a letter."
                    ),
                },
            );
        }
        c.required_line("display_name", &self.display_name, NAME_MAX);
        match (self.role, self.town_id) {
            (role, Some(_)) if role.is_county_wide() => c.fail("town_id", Reason::NotAllowedHere),
            (role, None) if role.is_county_wide() => {}
            (_, None) => c.fail("town_id", Reason::Required),
            (_, Some(_)) => {}
        }
        match (self.role, self.department_id) {
            (Role::Liaison, None) => c.fail("department_id", Reason::Required),
            (Role::Liaison, Some(_)) | (_, None) => {}
            (_, Some(_)) => c.fail("department_id", Reason::NotAllowedHere),
        }
        if self.org_unit_id.is_some()
            && !matches!(
                self.role,
                Role::GridWorker | Role::TownLeader | Role::Mediator
            )
        {
            c.fail("org_unit_id", Reason::NotAllowedHere);
        }
        match (self.role, self.line.is_empty()) {
            (Role::CountyDepartment, true) => c.fail(
                "line",
                Reason::Other {
                    zh: "县级部门至少要分管一类事项。".into(),
                    en: "A county department oversees at least one category.".into(),
                },
            ),
            (Role::CountyDepartment, false) => {
                for (i, category) in self.line.iter().enumerate() {
                    if self.line[..i].contains(category) {
                        c.fail(format!("line[{i}]"), Reason::Duplicate);
                    }
                }
            }
            (_, false) => c.fail("line", Reason::NotAllowedHere),
            (_, true) => {}
        }
        c.finish()
    }
}

/// An account as the administrator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub town_id: Option<i64>,
    /// The town's name ('' for the administrator).
    pub town: String,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub org_unit_id: Option<i64>,
    pub org_unit: Option<String>,
    /// A county department's line (empty for every other role).
    #[serde(default)]
    pub line: Vec<Category>,
    pub active: bool,
    /// Signs in with a password the administrator was given: must change it first.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

/// Every account of the deployment, by town, role and name; and every town's departments and
/// service rooms (a liaison's choice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accounts {
    pub items: Vec<Account>,
    pub departments: Vec<DepartmentRef>,
}

/// A department or service room of a town.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRef {
    pub id: i64,
    pub town_id: i64,
    pub name: String,
}

/// A password the server made for an account (a new one, or reset), shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedPassword {
    pub account: Account,
    /// The one-time password to hand to the person; they must change it at sign-in.
    pub password: String,
}

/// One administrative change (who, when, what, before and after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `account.create`, `account.update`, `account.reset_password`, `password.change`.
    pub action: String,
    /// What was changed (the account's username).
    pub target: String,
    /// The changed fields before and after, as JSON objects ('' when none).
    pub before: String,
    pub after: String,
}

/// The audit log's filter: an action, a period (both days included).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// The audit log's entries, newest first (at most `AUDIT_PAGE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLog {
    pub items: Vec<AuditEntry>,
}

/// Most entries one read of the audit log gives.
pub const AUDIT_PAGE: i64 = 500;

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_password_is_long_uncommon_and_not_the_username() {
        let change = |new: &str| ChangePassword {
            current: "old-password-1".into(),
            new_password: new.into(),
        };
        assert!(
            change("河西走廊的风很大2026")
                .check("zhang", Lang::Zh)
                .is_ok()
        );
        assert_eq!(
            fields(change("short1").check("zhang", Lang::Zh)),
            ["new_password"]
        );
        assert_eq!(
            fields(change("Password123").check("zhang", Lang::Zh)),
            ["new_password"]
        );
        assert_eq!(
            fields(change("aaaaaaaaaaaa").check("zhang", Lang::Zh)),
            ["new_password"]
        );
        assert_eq!(
            fields(change("zhang-2026-xyz").check("zhang", Lang::Zh)),
            ["new_password"]
        );
        assert_eq!(
            fields(change("old-password-1").check("zhang", Lang::Zh)),
            ["new_password"]
        );
        let long = "x1".repeat(70);
        assert_eq!(
            fields(change(&long).check("zhang", Lang::Zh)),
            ["new_password"]
        );
        let none = ChangePassword {
            current: String::new(),
            new_password: "a-good-long-one".into(),
        };
        assert_eq!(fields(none.check("zhang", Lang::En)), ["current"]);
    }

    #[test]
    fn an_account_needs_what_its_role_needs() {
        let form = |role, town, dept| AccountForm {
            line: Vec::new(),
            username: "zhang.san".into(),
            display_name: "张三".into(),
            role,
            town_id: town,
            department_id: dept,
            org_unit_id: None,
            active: true,
        };
        assert!(
            form(Role::Clerk, Some(1), None)
                .check(true, Lang::Zh)
                .is_ok()
        );
        assert!(form(Role::Admin, None, None).check(true, Lang::Zh).is_ok());
        assert_eq!(
            fields(form(Role::Admin, Some(1), None).check(true, Lang::Zh)),
            ["town_id"]
        );
        assert_eq!(
            fields(form(Role::Clerk, None, None).check(true, Lang::Zh)),
            ["town_id"]
        );
        assert_eq!(
            fields(form(Role::Liaison, Some(1), None).check(true, Lang::Zh)),
            ["department_id"]
        );
        assert_eq!(
            fields(form(Role::Clerk, Some(1), Some(2)).check(true, Lang::Zh)),
            ["department_id"]
        );
        let mut bad = form(Role::Lead, Some(1), None);
        bad.username = "Zhang San".into();
        bad.org_unit_id = Some(3);
        assert_eq!(
            fields(bad.check(true, Lang::Zh)),
            ["username", "org_unit_id"]
        );
        // The username is not checked when editing.
        assert!(
            form(Role::Lead, Some(1), None)
                .check(false, Lang::Zh)
                .is_ok()
        );
    }

    #[test]
    fn usernames_are_plain() {
        assert!(is_username("lead_b") && is_username("grid01") && is_username("a.b-c"));
        assert!(
            !is_username("ab")
                && !is_username("1abc")
                && !is_username("张三")
                && !is_username("a b")
        );
    }
}
