//! Dates and times as the center reads them. Concord serves Chinese centers, so times are shown
//! in China Standard Time (UTC+8, no daylight saving), whatever the browser's zone.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

const CHINA_OFFSET_SECS: i32 = 8 * 3600;

fn china() -> FixedOffset {
    FixedOffset::east_opt(CHINA_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// `2026-11-03 14:05`, in China time.
pub fn date_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `2026-11-03`, in China time.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}

/// `2026-11-03`.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Today in China, from a Unix time in milliseconds (the browser's `Date.now()`).
pub fn today_from_millis(ms: f64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(ms as i64)
        .map(date_of)
        .unwrap_or_default()
}

/// Today in China, by the browser's clock.
pub fn today() -> NaiveDate {
    #[cfg(target_arch = "wasm32")]
    {
        today_from_millis(js_sys::Date::now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        date_of(Utc::now())
    }
}

/// Now, by the browser's clock.
pub fn now() -> DateTime<Utc> {
    #[cfg(target_arch = "wasm32")]
    {
        DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Utc::now()
    }
}

/// Now as a date and time on the center's wall clock (China time).
pub fn now_local() -> chrono::NaiveDateTime {
    now().with_timezone(&china()).naive_local()
}

/// `01:02:03` (or `12:34` under an hour): a running clock of `seconds`.
pub fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_china_time() {
        let at = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        // 2026-09-21 14:13:20 UTC is 22:13 in Beijing.
        assert_eq!(date_time(at), "2026-09-21 22:13");
        let late = DateTime::<Utc>::from_timestamp(1_790_035_200, 0).unwrap_or_default();
        // 2026-09-22 00:00 UTC is already 08:00 on the 22nd in Beijing.
        assert_eq!(date(date_of(late)), "2026-09-22");
        assert_eq!(date(today_from_millis(1_790_000_000_000.0)), "2026-09-21");
    }

    #[test]
    fn the_session_clock_shows_hours_only_once_there_are_some() {
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(754), "12:34");
        assert_eq!(clock(3723), "01:02:03");
        assert_eq!(clock(-5), "00:00");
    }
}
