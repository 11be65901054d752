//! Setting up the org tree from a sheet (CSV or XLSX): one row per unit path — town, village,
//! area, group — with the town's letter code and the households where known. The sheet is
//! checked whole before anything is written: each row's errors by line and column, and what
//! it would add (a unit already in the tree is kept, not added twice).
//!
//! The header names the columns, in Chinese or English, in any order: 乡镇/town,
//! 村/village (村(社区)), 片/area, 组/group, 代码/code, 户数/households. Town is required; a
//! group needs its area, an area its village.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{OrgLevel, OrgUnit};
use crate::validate::has_control_characters;
use crate::{Lang, Reason};

/// Longest unit name.
pub const UNIT_NAME_MAX: usize = 30;
/// Most rows in one sheet.
pub const ROWS_MAX: usize = 5_000;
/// Most households a unit records.
pub const HOUSEHOLDS_MAX: u32 = 100_000;

/// The columns a sheet may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Town,
    Village,
    Area,
    Group,
    Code,
    Households,
}

impl Column {
    /// The column a header cell names, if any.
    pub fn of_header(cell: &str) -> Option<Column> {
        let c = cell.trim().trim_start_matches('\u{feff}').to_lowercase();
        Some(match c.as_str() {
            "乡镇" | "镇" | "乡" | "town" => Column::Town,
            "村" | "村(社区)" | "村\u{ff08}社区\u{ff09}" | "社区" | "村/社区" | "village" => {
                Column::Village
            }
            "片" | "片区" | "area" => Column::Area,
            "组" | "村民小组" | "group" => Column::Group,
            "代码" | "镇代码" | "code" => Column::Code,
            "户数" | "households" => Column::Households,
            _ => return None,
        })
    }

    /// The column's name as the errors say it.
    pub fn name(self) -> &'static str {
        match self {
            Column::Town => "town",
            Column::Village => "village",
            Column::Area => "area",
            Column::Group => "group",
            Column::Code => "code",
            Column::Households => "households",
        }
    }
}

/// The sheet to import: CSV text, or an XLSX workbook in base64 (its first sheet is read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgImport {
    pub format: SheetFormat,
    /// The CSV text, or the XLSX file in base64.
    pub data: String,
    /// Write it (only if no row has an error); otherwise only the preview.
    #[serde(default)]
    pub commit: bool,
}

/// A sheet's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

/// A unit typed in by the administrator: under `parent_id` (none: the county itself), its
/// name, and for a town its code. The level follows from the parent's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitForm {
    #[serde(default)]
    pub parent_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub code: Option<String>,
}

/// A unit of the tree as the administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: OrgLevel,
    pub name: String,
    /// A town's letter code.
    pub code: Option<String>,
}

/// A department or service room of a town as the administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentForm {
    pub town_id: i64,
    pub name: String,
    pub kind: crate::model::DepartmentKind,
    /// Working days to accept or decline a routing (1 to 30).
    pub response_days: u16,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Most working days a department may have to answer a routing.
pub const RESPONSE_DAYS_MAX: u16 = 30;

impl DepartmentForm {
    /// Checks the name and the response time.
    pub fn check(&self, lang: Lang) -> Result<(), Vec<crate::FieldError>> {
        let mut c = crate::validate::Checker::new(lang);
        if let Err(reason) = check_unit_name(&self.name) {
            c.fail("name", reason);
        }
        if !(1..=RESPONSE_DAYS_MAX).contains(&self.response_days) {
            c.fail(
                "response_days",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(RESPONSE_DAYS_MAX),
                },
            );
        }
        c.finish()
    }
}

/// A department as the administrator reads it (inactive ones too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminDepartment {
    pub id: i64,
    pub town_id: i64,
    pub name: String,
    pub kind: crate::model::DepartmentKind,
    pub response_days: u16,
    pub active: bool,
}

/// A town's center as its receipts and public pages name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownCenter {
    pub town_id: i64,
    pub center: crate::api::Center,
}

/// Longest center name, address and phone.
pub const CENTER_NAME_MAX: u32 = 60;
pub const CENTER_ADDRESS_MAX: u32 = 100;
pub const CENTER_PHONE_MAX: u32 = 20;

/// Checks a center's name (required), address and phone (one line each; the phone digits,
/// spaces, dashes and parentheses).
pub fn check_center(c: &crate::api::Center, lang: Lang) -> Result<(), Vec<crate::FieldError>> {
    let mut k = crate::validate::Checker::new(lang);
    k.required_line("name", &c.name, CENTER_NAME_MAX);
    k.one_line("address", &c.address, CENTER_ADDRESS_MAX);
    k.one_line("phone", &c.phone, CENTER_PHONE_MAX);
    if k.is_fine("phone")
        && !c
            .phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, ' ' | '-' | '(' | ')' | '+'))
    {
        k.fail("phone", Reason::InvalidPhone);
    }
    k.finish()
}

/// The center a new town starts with: its name, no address or phone yet.
pub fn default_center(town: &str) -> crate::api::Center {
    crate::api::Center {
        name: format!("{town}综治中心"),
        address: String::new(),
        phone: String::new(),
    }
}

/// One refused cell (or row: `column` empty), by its line in the sheet (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub line: u32,
    pub column: String,
    pub message: String,
}

/// What one row adds (the units of its path not yet in the tree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewRow {
    pub line: u32,
    /// The path, town first.
    pub path: Vec<String>,
    /// How many of its units are new.
    pub new_units: u32,
    pub households: Option<u32>,
}

/// The sheet checked: its rows, its errors, and how many units of each level it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgPreview {
    pub rows: Vec<PreviewRow>,
    pub errors: Vec<RowError>,
    pub new_towns: u32,
    pub new_villages: u32,
    pub new_areas: u32,
    pub new_groups: u32,
    /// Units already in the tree whose households or (a town's) code the sheet records.
    #[serde(default)]
    pub updated: u32,
    /// Whether it was written (asked to, and no errors).
    pub committed: bool,
}

/// One unit to add, by the path of names of its parents (town first) and its own — or, with
/// `existing`, a unit the tree has whose households or (a town's) missing code the sheet gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub level: OrgLevel,
    pub path: Vec<String>,
    pub existing: bool,
    /// A town's code.
    pub code: Option<String>,
    pub households: Option<u32>,
}

/// Splits CSV text into rows of cells (RFC 4180: commas, quoted cells with doubled quotes and
/// line breaks inside, CRLF or LF). Blank lines are kept (as rows of one empty cell) so that
/// line numbers match the file.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            ',' | '，' => row.push(std::mem::take(&mut cell)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            _ => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// A unit's name checked: trimmed, not blank, one line, at most [`UNIT_NAME_MAX`] characters.
pub fn check_unit_name(name: &str) -> Result<String, Reason> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Reason::Required);
    }
    if has_control_characters(name) {
        return Err(Reason::ControlCharacters);
    }
    if name.chars().count() > UNIT_NAME_MAX {
        return Err(Reason::TooLong {
            max: u32::try_from(UNIT_NAME_MAX).unwrap_or(u32::MAX),
        });
    }
    Ok(name.to_owned())
}

/// A town's letter code checked: 1 to 4 capital letters (GZ).
pub fn check_town_code(code: &str) -> Result<String, Reason> {
    let code = code.trim().to_uppercase();
    if (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(Reason::Other {
            zh: "镇代码为 1 至 4 个大写字母(如 GZ),用于归档编号。".into(),
            en: "A town code is 1 to 4 capital letters (GZ), used in archive numbers.".into(),
        })
    }
}

/// The existing tree by path of names (town first), with each town's code.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    paths: HashMap<Vec<String>, (OrgLevel, i64)>,
    codes: HashMap<String, String>,
}

impl Existing {
    /// The tree of `units` (every unit of the deployment) and each town's code (by town id).
    pub fn of(units: &[OrgUnit], codes: &HashMap<i64, String>) -> Existing {
        let by_id: HashMap<i64, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
        let mut out = Existing::default();
        for u in units {
            if u.level == OrgLevel::County {
                continue;
            }
            let mut path = vec![u.name.clone()];
            let mut at = u;
            while let Some(parent) = at.parent_id.and_then(|p| by_id.get(&p)) {
                if parent.level == OrgLevel::County {
                    break;
                }
                path.insert(0, parent.name.clone());
                at = parent;
            }
            if u.level == OrgLevel::Town
                && let Some(code) = codes.get(&u.id)
            {
                out.codes.insert(u.name.clone(), code.clone());
            }
            out.paths.insert(path, (u.level, u.id));
        }
        out
    }

    /// The id of the unit at `path`, if the tree has it.
    pub fn id_of(&self, path: &[String]) -> Option<i64> {
        self.paths.get(path).map(|(_, id)| *id)
    }
}

/// Checks a sheet's rows (the first is the header) against the tree: the preview, and the
/// units to add, parents before children (empty when any row has an error).
pub fn check_sheet(
    rows: &[Vec<String>],
    existing: &Existing,
    lang: Lang,
) -> (OrgPreview, Vec<NewUnit>) {
    let mut preview = OrgPreview::default();
    let mut e = Errors {
        list: Vec::new(),
        lang,
    };
    // The header is the first line with anything in it (a sheet may start lower down).
    let first = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()));
    let header_line = first.map_or(1, |i| i + 1);
    let Some(header) = first.map(|i| &rows[i]) else {
        e.fail(
            1,
            "",
            Reason::Other {
                zh: "表格是空的:第一行应为表头(乡镇、村、片、组)。".into(),
                en: "The sheet is empty: its first line names the columns (town, village, area, group).".into(),
            },
        );
        preview.errors = e.list;
        return (preview, Vec::new());
    };
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(header.len());
    let mut seen = HashMap::new();
    for (i, cell) in header.iter().enumerate() {
        let column = Column::of_header(cell);
        match column {
            None if !cell.trim().is_empty() => e.fail(
                header_line,
                cell.trim(),
                Reason::Other {
                    zh: format!("不认识的列“{}”:可用的列为 乡镇、村、片、组、代码、户数。", cell.trim()),
                    en: format!("Unknown column “{}”: the columns are town, village, area, group, code, households.", cell.trim()),
                },
            ),
            Some(c) if seen.insert(c, i).is_some() => {
                e.fail(header_line, c.name(), Reason::Duplicate)
            }
            _ => {}
        }
        columns.push(column);
    }
    if !seen.contains_key(&Column::Town) {
        e.fail(header_line, "town", Reason::Required);
    }
    if rows.len() - header_line > ROWS_MAX {
        e.fail(
            rows.len(),
            "",
            Reason::Other {
                zh: format!("一次最多导入 {ROWS_MAX} 行。"),
                en: format!("At most {ROWS_MAX} rows at a time."),
            },
        );
    }
    if !e.list.is_empty() {
        preview.errors = e.list;
        return (preview, Vec::new());
    }
    let mut planned: HashMap<Vec<String>, usize> = HashMap::new();
    let mut adds: Vec<NewUnit> = Vec::new();
    let mut added: std::collections::HashSet<Vec<String>> = std::collections::HashSet::new();
    let mut codes: HashMap<String, (String, usize)> = HashMap::new();
    let levels = [
        (Column::Town, OrgLevel::Town),
        (Column::Village, OrgLevel::Village),
        (Column::Area, OrgLevel::Area),
        (Column::Group, OrgLevel::Group),
    ];
    for (index, row) in rows.iter().enumerate().skip(header_line) {
        let line = index + 1;
        let cell = |c: Column| {
            seen.get(&c)
                .and_then(|i| row.get(*i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let before = e.list.len();
        let mut path: Vec<String> = Vec::new();
        let mut gap: Option<Column> = None;
        for (column, _) in levels {
            let value = cell(column);
            if value.is_empty() {
                if gap.is_none() {
                    gap = Some(column);
                }
                continue;
            }
            if let Some(missing) = gap {
                e.fail(
                    line,
                    missing.name(),
                    Reason::Other {
                        zh: format!("填了“{}”就要填它的上级。", value),
                        en: format!("“{value}” needs the unit above it."),
                    },
                );
                break;
            }
            match check_unit_name(&value) {
                Ok(name) => path.push(name),
                Err(reason) => {
                    e.fail(line, column.name(), reason);
                    break;
                }
            }
        }
        if path.is_empty() && e.list.len() == before {
            e.fail(line, "town", Reason::Required);
        }
        let code = cell(Column::Code);
        let code = if code.is_empty() {
            None
        } else {
            match check_town_code(&code) {
                Ok(c) => Some(c),
                Err(reason) => {
                    e.fail(line, "code", reason);
                    None
                }
            }
        };
        let households = cell(Column::Households);
        let households = if households.is_empty() {
            None
        } else {
            match households.parse::<u32>() {
                Ok(n) if n <= HOUSEHOLDS_MAX => Some(n),
                _ => {
                    e.fail(
                        line,
                        "households",
                        Reason::OutOfRange {
                            min: 0,
                            max: i64::from(HOUSEHOLDS_MAX),
                        },
                    );
                    None
                }
            }
        };
        if e.list.len() > before {
            continue;
        }
        // A town's code: as the tree has it, and the same on every row that gives it.
        if let (Some(code), Some(town)) = (&code, path.first()) {
            let known = existing
                .codes
                .get(town)
                .cloned()
                .or_else(|| codes.get(town).map(|(c, _)| c.clone()));
            match known {
                Some(k) if &k != code => {
                    e.fail(
                        line,
                        "code",
                        Reason::Other {
                            zh: format!("{town}的代码已是 {k}。"),
                            en: format!("{town}'s code is {k} already."),
                        },
                    );
                    continue;
                }
                _ => {
                    let taken = codes
                        .iter()
                        .find(|(t, (c, _))| c == code && *t != town)
                        .map(|(t, _)| t.clone())
                        .or_else(|| {
                            existing
                                .codes
                                .iter()
                                .find(|(t, c)| *c == code && *t != town)
                                .map(|(t, _)| t.clone())
                        });
                    if let Some(other) = taken {
                        e.fail(
                            line,
                            "code",
                            Reason::Other {
                                zh: format!("代码 {code} 已属于{other}。"),
                                en: format!("The code {code} is {other}'s."),
                            },
                        );
                        continue;
                    }
                    codes.insert(town.clone(), (code.clone(), line));
                }
            }
        }
        if let Some(&first) = planned.get(&path) {
            e.fail(
                line,
                "",
                Reason::Other {
                    zh: format!("与第 {first} 行重复。"),
                    en: format!("The same as line {first}."),
                },
            );
            continue;
        }
        planned.insert(path.clone(), line);
        let mut new_units = 0;
        for depth in 1..=path.len() {
            let prefix = &path[..depth];
            let level = levels[depth - 1].1;
            let already = existing.paths.contains_key(prefix) || added.contains(prefix);
            if !already {
                added.insert(prefix.to_vec());
                new_units += 1;
                match level {
                    OrgLevel::Town => preview.new_towns += 1,
                    OrgLevel::Village => preview.new_villages += 1,
                    OrgLevel::Area => preview.new_areas += 1,
                    OrgLevel::Group | OrgLevel::County => preview.new_groups += 1,
                }
                adds.push(NewUnit {
                    level,
                    path: prefix.to_vec(),
                    existing: false,
                    code: None,
                    households: None,
                });
            }
        }
        preview.rows.push(PreviewRow {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            path: path.clone(),
            new_units,
            households,
        });
        if let Some(unit) = adds.iter_mut().rev().find(|a| a.path == path) {
            unit.households = households;
        } else if households.is_some() {
            // A unit the tree has: its households are recorded.
            adds.push(NewUnit {
                level: levels[path.len() - 1].1,
                path: path.clone(),
                existing: true,
                code: None,
                households,
            });
        }
    }
    // A town the tree has without a code gets the one the sheet gives.
    for (town, (code, _)) in &codes {
        let path = vec![town.clone()];
        if existing.paths.contains_key(&path) && !existing.codes.contains_key(town) {
            adds.push(NewUnit {
                level: OrgLevel::Town,
                path,
                existing: true,
                code: Some(code.clone()),
                households: None,
            });
        }
    }
    // A new town needs its code (the archive numbers); an existing one keeps its own.
    for unit in adds
        .iter_mut()
        .filter(|a| a.level == OrgLevel::Town && !a.existing)
    {
        match codes.get(&unit.path[0]) {
            Some((code, _)) => unit.code = Some(code.clone()),
            None => {
                let line = planned
                    .iter()
                    .filter(|(p, _)| p.first() == unit.path.first())
                    .map(|(_, l)| *l)
                    .min()
                    .unwrap_or(2);
                e.fail(
                    line,
                    "code",
                    Reason::Other {
                        zh: format!("新乡镇“{}”需要填写代码(如 GZ)。", unit.path[0]),
                        en: format!("The new town “{}” needs a code (GZ).", unit.path[0]),
                    },
                );
            }
        }
    }
    e.list.sort_by_key(|r| r.line);
    if !e.list.is_empty() {
        adds.clear();
    }
    preview.updated = u32::try_from(adds.iter().filter(|a| a.existing).count()).unwrap_or(0);
    preview.errors = e.list;
    (preview, adds)
}

/// The errors of a sheet as they are found.
struct Errors {
    list: Vec<RowError>,
    lang: Lang,
}

impl Errors {
    fn fail(&mut self, line: usize, column: &str, reason: Reason) {
        let f = crate::FieldError::new(column, reason, self.lang);
        self.list.push(RowError {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: f.field,
            message: f.message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &str) -> Vec<Vec<String>> {
        parse_csv(csv)
    }

    fn tree() -> Existing {
        let units = vec![
            OrgUnit {
                id: 1,
                parent_id: None,
                level: OrgLevel::County,
                name: "瓜州县".into(),
            },
            OrgUnit {
                id: 2,
                parent_id: Some(1),
                level: OrgLevel::Town,
                name: "瓜州镇".into(),
            },
            OrgUnit {
                id: 3,
                parent_id: Some(2),
                level: OrgLevel::Village,
                name: "渠口村".into(),
            },
        ];
        Existing::of(&units, &HashMap::from([(2, "GZ".to_owned())]))
    }

    fn errors(p: &OrgPreview) -> Vec<(u32, &str)> {
        p.errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect()
    }

    #[test]
    fn csv_cells_follow_rfc_4180() {
        let parsed =
            parse_csv("\u{feff}乡镇,村\r\n\"瓜州镇\",\"渠口村, 一\"\"片\"\"\"\n\n柳园镇，白墩子村");
        assert_eq!(parsed[0], ["乡镇", "村"]);
        assert_eq!(parsed[1], ["瓜州镇", "渠口村, 一\"片\""]);
        assert_eq!(parsed[2], [""]);
        assert_eq!(parsed[3], ["柳园镇", "白墩子村"]);
    }

    #[test]
    fn a_good_sheet_adds_what_is_new_parents_first() {
        let sheet = rows(
            "town,village,area,group,code,households\n\
             瓜州镇,渠口村,渠口村一片,一组,,42\n\
             瓜州镇,三工村,,,GZ,\n\
             柳园镇,白墩子村,,,LY,\n",
        );
        let (p, adds) = check_sheet(&sheet, &tree(), Lang::En);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(
            (p.new_towns, p.new_villages, p.new_areas, p.new_groups),
            (1, 2, 1, 1)
        );
        let levels: Vec<(OrgLevel, usize)> = adds.iter().map(|a| (a.level, a.path.len())).collect();
        assert_eq!(
            levels,
            [
                (OrgLevel::Area, 3),
                (OrgLevel::Group, 4),
                (OrgLevel::Village, 2),
                (OrgLevel::Town, 1),
                (OrgLevel::Village, 2)
            ]
        );
        assert_eq!(adds[1].households, Some(42));
        assert_eq!(adds[3].code.as_deref(), Some("LY"));
        assert_eq!(p.rows[0].new_units, 2);
    }

    #[test]
    fn every_kind_of_bad_row_is_named_by_line_and_column() {
        let long = "长".repeat(31);
        let sheet = rows(&format!(
            "乡镇,村,片,组,代码,户数\n\
             ,渠口村,,,,\n\
             瓜州镇,,一片,,,\n\
             瓜州镇,{long},,,,\n\
             瓜州镇,渠口村,,,XX,\n\
             柳园镇,白墩子村,,,GZ,\n\
             瓜州镇,三工村,,,,-3\n\
             瓜州镇,三工村,,,,\n\
             瓜州镇,三工村,,,,\n\
             锁阳城镇,堡子村,,,,\n\
             西湖镇,西湖村,,,x9,\n"
        ));
        let (p, adds) = check_sheet(&sheet, &tree(), Lang::Zh);
        assert!(adds.is_empty());
        assert_eq!(
            errors(&p),
            [
                (2, "town"),
                (3, "village"),
                (4, "village"),
                (5, "code"),
                (6, "code"),
                (7, "households"),
                (9, ""),
                (10, "code"),
                (11, "code"),
            ]
        );
        assert!(p.errors[7].message.contains("锁阳城镇"));
    }

    #[test]
    fn a_bad_header_stops_before_the_rows() {
        let (p, _) = check_sheet(&rows("村,片,备注\n渠口村,一片,x\n"), &tree(), Lang::En);
        assert_eq!(errors(&p), [(1, "备注"), (1, "town")]);
        let (p, _) = check_sheet(&rows("town,town\n"), &tree(), Lang::En);
        assert_eq!(errors(&p), [(1, "town")]);
        let (p, _) = check_sheet(&[], &tree(), Lang::En);
        assert_eq!(errors(&p), [(1, "")]);
        // A sheet starting lower down: its first line with anything is the header.
        let (p, adds) = check_sheet(&rows("\n,,\n乡镇,村\n瓜州镇,新村\n"), &tree(), Lang::En);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows[0].line, 4);
        assert_eq!(adds.len(), 1);
    }

    #[test]
    fn households_of_a_unit_already_there_are_recorded() {
        let (p, adds) = check_sheet(
            &rows("乡镇,村,户数\n瓜州镇,渠口村,120\n"),
            &tree(),
            Lang::En,
        );
        assert!(p.errors.is_empty());
        assert_eq!(p.new_villages, 0);
        assert_eq!(adds.len(), 1);
        assert!(adds[0].existing && adds[0].households == Some(120));
    }
}
