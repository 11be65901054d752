//! The working-day calendar: China's public holidays and the make-up working days (调休) that
//! come with them, as data. Working days are Monday to Friday, except a public holiday, plus a
//! make-up Saturday or Sunday. The State Council publishes each year's schedule in the autumn
//! before; [`OFFICIAL`] ships the schedules published so far, an administrator enters or edits
//! the rest, and a year without a schedule is named by [`Calendar::missing_years`] so that the
//! admin screen warns instead of silently counting Monday to Friday.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// What a calendar entry makes of its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (法定节假日、放假): no work.
    Holiday,
    /// A make-up working day (调休上班), usually a Saturday or Sunday.
    Workday,
}

impl DayKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }

    /// The label on the calendar screen.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            DayKind::Holiday => lang.pick("放假", "Holiday"),
            DayKind::Workday => lang.pick("调休上班", "Make-up working day"),
        }
    }
}

/// One entry of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarDay {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday it belongs to (春节, 国庆节…).
    pub name: String,
}

/// One holiday of an official schedule: its name, the days off and the make-up working days
/// that go with it, as (month, day).
#[derive(Debug, Clone, Copy)]
pub struct OfficialHoliday {
    pub name: &'static str,
    pub off: &'static [(u32, u32)],
    pub work: &'static [(u32, u32)],
}

/// The State Council's schedules (国务院办公厅关于部分节假日安排的通知), by year.
/// 2025: 国办发明电〔2024〕12号 (2024-11-12). 2026: the notice of 2025-11-04. The 2027 notice
/// had not been published in any source this was checked against; enter it on the calendar
/// screen when it is.
pub const OFFICIAL: &[(i32, &[OfficialHoliday])] = &[
    (
        2025,
        &[
            OfficialHoliday {
                name: "元旦",
                off: &[(1, 1)],
                work: &[],
            },
            OfficialHoliday {
                name: "春节",
                off: &[
                    (1, 28),
                    (1, 29),
                    (1, 30),
                    (1, 31),
                    (2, 1),
                    (2, 2),
                    (2, 3),
                    (2, 4),
                ],
                work: &[(1, 26), (2, 8)],
            },
            OfficialHoliday {
                name: "清明节",
                off: &[(4, 4), (4, 5), (4, 6)],
                work: &[],
            },
            OfficialHoliday {
                name: "劳动节",
                off: &[(5, 1), (5, 2), (5, 3), (5, 4), (5, 5)],
                work: &[(4, 27)],
            },
            OfficialHoliday {
                name: "端午节",
                off: &[(5, 31), (6, 1), (6, 2)],
                work: &[],
            },
            OfficialHoliday {
                name: "国庆节、中秋节",
                off: &[
                    (10, 1),
                    (10, 2),
                    (10, 3),
                    (10, 4),
                    (10, 5),
                    (10, 6),
                    (10, 7),
                    (10, 8),
                ],
                work: &[(9, 28), (10, 11)],
            },
        ],
    ),
    (
        2026,
        &[
            OfficialHoliday {
                name: "元旦",
                off: &[(1, 1), (1, 2), (1, 3)],
                work: &[(1, 4)],
            },
            OfficialHoliday {
                name: "春节",
                off: &[
                    (2, 15),
                    (2, 16),
                    (2, 17),
                    (2, 18),
                    (2, 19),
                    (2, 20),
                    (2, 21),
                    (2, 22),
                    (2, 23),
                ],
                work: &[(2, 14), (2, 28)],
            },
            OfficialHoliday {
                name: "清明节",
                off: &[(4, 4), (4, 5), (4, 6)],
                work: &[],
            },
            OfficialHoliday {
                name: "劳动节",
                off: &[(5, 1), (5, 2), (5, 3), (5, 4), (5, 5)],
                work: &[(5, 9)],
            },
            OfficialHoliday {
                name: "端午节",
                off: &[(6, 19), (6, 20), (6, 21)],
                work: &[],
            },
            OfficialHoliday {
                name: "中秋节",
                off: &[(9, 25), (9, 26), (9, 27)],
                work: &[],
            },
            OfficialHoliday {
                name: "国庆节",
                off: &[
                    (10, 1),
                    (10, 2),
                    (10, 3),
                    (10, 4),
                    (10, 5),
                    (10, 6),
                    (10, 7),
                ],
                work: &[(9, 20), (10, 10)],
            },
        ],
    ),
];

/// The official schedules as calendar entries, oldest first.
pub fn official_days() -> Vec<CalendarDay> {
    let mut days = Vec::new();
    for &(year, holidays) in OFFICIAL {
        for h in holidays {
            for (list, kind) in [(h.off, DayKind::Holiday), (h.work, DayKind::Workday)] {
                for &(m, d) in list {
                    if let Some(date) = NaiveDate::from_ymd_opt(year, m, d) {
                        days.push(CalendarDay {
                            date,
                            kind,
                            name: h.name.to_owned(),
                        });
                    }
                }
            }
        }
    }
    days.sort_by_key(|d| d.date);
    days
}

/// The years whose schedule ships with Concord.
pub fn official_years() -> impl Iterator<Item = i32> {
    OFFICIAL.iter().map(|&(y, _)| y)
}

/// A working-day calendar: the entries, and the years whose schedule has been entered (a year
/// can be entered with no entry at all, though the State Council has never published one so).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, (DayKind, String)>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// A calendar of the given entries, with these years entered.
    pub fn new(
        days: impl IntoIterator<Item = CalendarDay>,
        years: impl IntoIterator<Item = i32>,
    ) -> Calendar {
        Calendar {
            days: days
                .into_iter()
                .map(|d| (d.date, (d.kind, d.name)))
                .collect(),
            years: years.into_iter().collect(),
        }
    }

    /// The official schedules that ship with Concord.
    pub fn official() -> Calendar {
        Calendar::new(official_days(), official_years())
    }

    /// The calendar entry of a date, if any.
    pub fn entry(&self, date: NaiveDate) -> Option<(DayKind, &str)> {
        self.days.get(&date).map(|(k, n)| (*k, n.as_str()))
    }

    /// Whether people work on `date`: a make-up working day, or a weekday that is not a
    /// public holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some((DayKind::Workday, _)) => true,
            Some((DayKind::Holiday, _)) => false,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether the schedule of `year` has been entered.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The years of `from..=to` with no schedule entered.
    pub fn missing_years(&self, from: i32, to: i32) -> Vec<i32> {
        (from..=to).filter(|y| !self.covers(*y)).collect()
    }

    /// The years entered.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// The entries of one year, in date order.
    pub fn days_of(&self, year: i32) -> Vec<CalendarDay> {
        self.days
            .iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(date, (kind, name))| CalendarDay {
                date: *date,
                kind: *kind,
                name: name.clone(),
            })
            .collect()
    }
}

/// The first and last years the calendar screen accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// One year of the calendar, as the calendar screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarYear {
    pub year: i32,
    /// Whether the year's schedule has been entered (officially shipped or by an administrator).
    pub entered: bool,
    /// Its holidays and make-up working days, in date order.
    pub days: Vec<CalendarDay>,
    /// Of this year and the next (as of today), those with no schedule entered: deadlines that
    /// reach them count Monday to Friday, so the screen warns.
    pub missing_years: Vec<i32>,
}

/// An administrator's schedule for one year (replacing what was entered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PutCalendarYear {
    pub days: Vec<CalendarDay>,
}

/// Most entries in one year (the State Council's schedules have about 40).
pub const DAYS_MAX: usize = 120;

/// Checks a year's schedule: every date in the year, none twice, each with a holiday name.
pub fn check_year(
    year: i32,
    put: &PutCalendarYear,
    lang: Lang,
) -> Result<(), Vec<crate::FieldError>> {
    use crate::Reason;
    let mut c = crate::validate::Checker::new(lang);
    if !YEARS.contains(&year) {
        c.fail(
            "year",
            Reason::OutOfRange {
                min: i64::from(*YEARS.start()),
                max: i64::from(*YEARS.end()),
            },
        );
    }
    if put.days.len() > DAYS_MAX {
        c.fail(
            "days",
            Reason::OutOfRange {
                min: 0,
                max: DAYS_MAX as i64,
            },
        );
    }
    for (i, day) in put.days.iter().enumerate() {
        if day.date.year() != year {
            c.fail(format!("days[{i}].date"), Reason::NotAllowedHere);
        } else if put.days[..i].iter().any(|d| d.date == day.date) {
            c.fail(format!("days[{i}].date"), Reason::Duplicate);
        }
        c.required_line(
            &format!("days[{i}].name"),
            &day.name,
            crate::validate::SHORT_MAX,
        );
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_official_schedules_have_their_days_off_and_make_up_days() {
        let days = official_days();
        let count = |y: i32, k: DayKind| {
            days.iter()
                .filter(|d| d.date.year() == y && d.kind == k)
                .count()
        };
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 days off; 5 make-up days.
        assert_eq!(count(2025, DayKind::Holiday), 28);
        assert_eq!(count(2025, DayKind::Workday), 5);
        // 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off; 6 make-up days.
        assert_eq!(count(2026, DayKind::Holiday), 33);
        assert_eq!(count(2026, DayKind::Workday), 6);
        // Make-up days fall on weekends, and no date is listed twice.
        for day in days.iter().filter(|d| d.kind == DayKind::Workday) {
            assert!(
                matches!(day.date.weekday(), Weekday::Sat | Weekday::Sun),
                "{day:?}"
            );
        }
        let mut dates: Vec<NaiveDate> = days.iter().map(|d| d.date).collect();
        dates.dedup();
        assert_eq!(dates.len(), days.len());
    }

    #[test]
    fn make_up_saturdays_work_and_holiday_weekdays_do_not() {
        let cal = Calendar::official();
        // Saturday 2026-02-14 and Saturday 2026-02-28 are make-up working days.
        assert!(cal.is_working_day(d(2026, 2, 14)));
        assert!(cal.is_working_day(d(2026, 2, 28)));
        // Monday 2026-02-23 is still the Spring Festival.
        assert!(!cal.is_working_day(d(2026, 2, 23)));
        // An ordinary Saturday and an ordinary Tuesday.
        assert!(!cal.is_working_day(d(2026, 3, 7)));
        assert!(cal.is_working_day(d(2026, 3, 10)));
        assert_eq!(
            cal.entry(d(2026, 10, 1)),
            Some((DayKind::Holiday, "国庆节"))
        );
    }

    #[test]
    fn a_schedule_is_refused_field_by_field() {
        let day = |date, name: &str| CalendarDay {
            date,
            kind: DayKind::Holiday,
            name: name.to_owned(),
        };
        let put = PutCalendarYear {
            days: vec![
                day(d(2027, 1, 1), "元旦"),
                day(d(2026, 12, 31), "元旦"),
                day(d(2027, 1, 1), "元旦"),
                day(d(2027, 2, 6), " "),
            ],
        };
        let fields: Vec<String> = check_year(2027, &put, Lang::En)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["days[1].date", "days[2].date", "days[3].name"]);
        assert!(
            check_year(
                2027,
                &PutCalendarYear {
                    days: vec![day(d(2027, 1, 1), "元旦")]
                },
                Lang::Zh
            )
            .is_ok()
        );
        assert!(check_year(1999, &PutCalendarYear { days: vec![] }, Lang::Zh).is_err());
    }

    #[test]
    fn a_year_without_a_schedule_is_named() {
        let cal = Calendar::official();
        assert_eq!(cal.missing_years(2025, 2027), vec![2027]);
        let with_2027 = Calendar::new(official_days(), [2025, 2026, 2027]);
        assert!(with_2027.missing_years(2025, 2027).is_empty());
    }
}
