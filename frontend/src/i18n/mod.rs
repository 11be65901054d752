//! The interface language: chosen in the header, remembered in `localStorage`, Chinese by
//! default. `T` holds every fixed string; this module adds the sentences with numbers in them
//! and the reactive helpers the views use.

mod texts;

use std::cell::Cell;

use leptos::prelude::*;
use shared::Lang;

pub use texts::T;

/// Where the chosen language is remembered.
pub const STORAGE_KEY: &str = "concord.lang";

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::Zh) };
}

/// The language of the interface now, for code outside the reactive tree (the API client's
/// `Accept-Language`).
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// The first language: the choice remembered from the switcher, else Chinese — the
/// interface is Chinese first, whatever language the browser itself prefers (a center's
/// tablet may well be set up in English).
pub fn initial_lang(stored: Option<&str>) -> Lang {
    match stored {
        Some(s) if !s.trim().is_empty() => Lang::from_accept_language(s),
        _ => Lang::Zh,
    }
}

/// Creates the language signal, provides it to the app, and keeps `<html lang>`, the storage
/// and the API client in step with it.
pub fn provide_lang() -> RwSignal<Lang> {
    let stored = local_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let lang = RwSignal::new(initial_lang(stored.as_deref()));
    provide_context(lang);
    Effect::new(move || {
        let l = lang.get();
        CURRENT.with(|c| c.set(l));
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", l.tag());
        }
        document().set_title(T::AppName.get(l));
    });
    lang
}

/// Remembers a chosen language.
pub fn remember(lang: Lang) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(STORAGE_KEY, lang.tag());
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The language signal of the app.
pub fn use_lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

/// A fixed string that follows the language (for text nodes and attributes).
pub fn tr(t: T) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || t.get(lang.get())
}

/// "90 分钟" / "90 min".
pub fn minutes(n: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{n} 分钟"),
        Lang::En => format!("{n} min"),
    }
}

/// "每次调解 15–480 分钟" / "A session lasts 15–480 minutes".
pub fn minutes_range(min: u32, max: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("每次调解可安排 {min}–{max} 分钟。"),
        Lang::En => format!("A session is booked for {min}–{max} minutes."),
    }
}

/// "离线:3 处更改未保存" / "Offline: 3 unsaved changes".
pub fn unsaved(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("离线:{n} 处更改未保存,网络恢复后自动发送"),
        Lang::En if n == 1 => "Offline: 1 unsaved change, sent when the network returns".to_owned(),
        Lang::En => format!("Offline: {n} unsaved changes, sent when the network returns"),
    }
}

/// "3 件" / "3 cases".
pub fn count_cases(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{n} 件"),
        Lang::En if n == 1 => "1 case".to_owned(),
        Lang::En => format!("{n} cases"),
    }
}

/// "Page 2 of 5" under the case list.
pub fn page_of(page: u32, pages: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第 {page} / {pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// How far a ledger export is: rows of rows (CSV), or what arrived (XLSX), and the seconds.
pub fn export_progress(rows: Option<(u64, u64)>, bytes: u64, seconds: u64, lang: Lang) -> String {
    let size = if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    };
    match (rows, lang) {
        (Some((done, all)), Lang::Zh) => format!("已接收 {done} / {all} 行({size}),{seconds} 秒"),
        (Some((done, all)), Lang::En) => {
            format!("{done} of {all} rows received ({size}), {seconds} s")
        }
        (None, Lang::Zh) => format!("已接收 {size},{seconds} 秒"),
        (None, Lang::En) => format!("{size} received, {seconds} s"),
    }
}

/// What an export gave: its rows, and whether the parties were masked.
pub fn exported(rows: u64, masked: bool, lang: Lang) -> String {
    match (lang, masked) {
        (Lang::Zh, true) => format!("台账已导出:{rows} 件(当事人信息已脱敏)"),
        (Lang::Zh, false) => format!("台账已导出:{rows} 件"),
        (Lang::En, true) => format!("Ledger exported: {rows} cases (parties masked)"),
        (Lang::En, false) => format!("Ledger exported: {rows} cases"),
    }
}

/// A handler's current load in the routing dialog.
pub fn open_load(n: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("在办 {n} 件"),
        Lang::En => format!("{n} open"),
    }
}

/// A retention period.
pub fn years(n: u8, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{n} 年"),
        Lang::En => format!("{n} years"),
    }
}

/// "案件 2611-7K3M9Q" / "Case 2611-7K3M9Q".
pub fn case_title(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("案件 {code}"),
        Lang::En => format!("Case {code}"),
    }
}

/// A clock's length: "30 日" / "45 个工作日".
pub fn clock_days(days: u16, working: bool, lang: Lang) -> String {
    match (lang, working) {
        (Lang::Zh, false) => format!("{days} 日"),
        (Lang::Zh, true) => format!("{days} 个工作日"),
        (Lang::En, false) if days == 1 => "1 day".to_owned(),
        (Lang::En, true) if days == 1 => "1 working day".to_owned(),
        (Lang::En, false) => format!("{days} days"),
        (Lang::En, true) => format!("{days} working days"),
    }
}

/// The notice after a successful move: "2611-7K3M9Q 已移至“分流”。"
pub fn moved(code: &str, stage: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{code} 已移至“{stage}”。"),
        Lang::En => format!("{code} moved to “{stage}”."),
    }
}

/// The label of a party row: "申请人 1".
pub fn party_heading(side: &str, n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{side} {n}"),
        Lang::En => format!("{side} {n}"),
    }
}

/// A timeline detail (the server's labelled key/value pairs) in the person's language: known
/// keys get their label, and values that are wire names of `shared`'s lists get theirs.
pub fn event_detail(key: &str, value: &str, lang: Lang) -> (String, String) {
    use shared::model::{LegalRoute, Outcome};
    let label = match key {
        "handler" => Some(T::HandlerLabel),
        "previous_handler" => Some(T::PreviousHandler),
        "cooperating" => Some(T::Cooperating),
        "outcome" => Some(T::Outcome),
        "route_told" => Some(T::RouteTold),
        "archive_no" => Some(T::ArchiveNo),
        "retention_years" => Some(T::Retention),
        "reason" => Some(T::Reason),
        "note" => Some(T::RouteNote),
        "respond_by" => Some(T::RespondBy),
        "level" => Some(T::EscalationLevel),
        "told" => Some(T::PeopleTold),
        "due_on" => Some(T::UrgingDue),
        "new_due_on" => Some(T::NewDueOn),
        "reason_kind" => Some(T::SuspendReasonLabel),
        "paused_days" => Some(T::PausedDays),
        "days" => Some(T::ExtensionDays),
        "consent" => Some(T::ConsentLabel),
        "department" => Some(T::PoliceStation),
        "repeat_of" => Some(T::RepeatOf),
        "not_repeat_of" => Some(T::NotRepeatOf),
        _ => None,
    };
    let key = label.map_or_else(|| key.to_owned(), |t| t.get(lang).to_owned());
    let value = match label {
        Some(T::Outcome) => Outcome::parse(value).map(|o| o.label(lang).to_owned()),
        Some(T::RouteTold) => LegalRoute::parse(value).map(|r| r.label(lang).to_owned()),
        Some(T::Retention) => value.parse::<u8>().ok().map(|n| years(n, lang)),
        Some(T::SuspendReasonLabel) => {
            shared::model::SuspendReason::parse(value).map(|r| r.label(lang).to_owned())
        }
        Some(T::ConsentLabel) => Some(
            if value == "true" {
                T::Yes.get(lang)
            } else {
                T::No.get(lang)
            }
            .to_owned(),
        ),
        Some(T::EscalationLevel) => {
            shared::model::NotificationKind::parse(value).map(|k| k.label(lang).to_owned())
        }
        _ => None,
    }
    .unwrap_or_else(|| value.to_owned());
    (key, value)
}

/// The awaiting chip's title: "须于 2026-12-07 前接收或拒收" / "To accept or decline by 2026-12-07".
pub fn awaiting_title(until: chrono::NaiveDate, lang: Lang) -> String {
    let d = until.format("%Y-%m-%d");
    match lang {
        Lang::Zh => format!("须于 {d} 前接收或拒收"),
        Lang::En => format!("To accept or decline by {d}"),
    }
}

/// Who sent a case back: "司法所退回" / "Declined by 司法所"; with no reason, nobody
/// answered in time: "司法所逾期未接收" / "司法所: no answer in time".
pub fn returned_by(by: &str, declined: bool, lang: Lang) -> String {
    match (lang, declined) {
        (Lang::Zh, true) => format!("{by}退回"),
        (Lang::Zh, false) => format!("{by}逾期未接收"),
        (Lang::En, true) => format!("Declined by {by}"),
        (Lang::En, false) => format!("{by}: no answer in time"),
    }
}

/// The handler and the cooperating units on a card: "张调解 · 联合 司法所、国土所" /
/// "张调解 · with 司法所, 国土所".
pub fn handler_with(handler: &str, cooperating: &[String], lang: Lang) -> String {
    if cooperating.is_empty() {
        return handler.to_owned();
    }
    match lang {
        Lang::Zh => format!("{handler} · 联合 {}", cooperating.join("、")),
        Lang::En => format!("{handler} · with {}", cooperating.join(", ")),
    }
}

/// Under a party whose number matched: how many cases, pointing down to the check.
pub fn repeat_hint(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("⚠ 该当事人的电话或身份证号已有 {n} 件案件,请在下方核查是否重复"),
        Lang::En if n == 1 => {
            "⚠ A case already has this party's phone or ID number: check below whether this is a repeat".to_owned()
        }
        Lang::En => format!(
            "⚠ {n} cases already have this party's phone or ID number: check below whether this is a repeat"
        ),
    }
}

/// The services logged in the dashboard's period.
pub fn dash_logged_services(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("服务记录另有 {n} 次"),
        Lang::En => format!("{n} more in the service log"),
    }
}

/// The visitors logged in the dashboard's period.
pub fn dash_logged_visitors(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("来访登记 {n} 人次"),
        Lang::En => format!("{n} in the reception log"),
    }
}

/// After a visit is logged.
pub fn visit_logged(people: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("来访已登记({people} 人)。"),
        Lang::En if people == 1 => "Visit logged (1 person).".to_owned(),
        Lang::En => format!("Visit logged ({people} people)."),
    }
}

/// Under the visit form when the number makes a group visit.
pub fn group_visit_hint(n: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "{n} 人及以上为集体访:请引导推选不超过 {n} 名代表反映诉求(《信访工作条例》第二十条)。"
        ),
        Lang::En => format!(
            "{n} or more people make a group visit: ask them to choose at most {n} representatives (信访工作条例 Art. 20)."
        ),
    }
}

/// The reception log's totals.
pub fn visit_totals(entries: u32, people: u32, groups: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("共 {entries} 批 {people} 人次,其中集体访 {groups} 批。"),
        Lang::En => format!("{entries} visits, {people} people; {groups} group visits."),
    }
}

/// The service log's totals.
pub fn service_totals(legal: u32, psych: u32, minutes: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("法律服务 {legal} 次,心理服务 {psych} 次,共 {minutes} 分钟。"),
        Lang::En => {
            format!("{legal} legal and {psych} psychological services, {minutes} minutes in all.")
        }
    }
}

/// The repeat chip's title: which earlier case the card's case repeats.
pub fn repeat_of_title(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("重复事项,前案 {code}"),
        Lang::En => format!("Repeats case {code}"),
    }
}

/// Unacknowledged urgings on a card: "督办 2" / "Urged 2" (the count only above one).
pub fn urged(n: u32, lang: Lang) -> String {
    let word = T::UrgedChip.get(lang);
    if n > 1 {
        format!("{word} {n}")
    } else {
        word.to_owned()
    }
}

/// Characters typed of a limit: "12/100".
pub fn char_count(n: usize, max: u32) -> String {
    format!("{n}/{max}")
}

/// The dashboard's period under its title.
pub fn dash_period(from: &str, to: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("统计期间:{from} 至 {to}"),
        Lang::En => format!("Period: {from} to {to}"),
    }
}

/// "n closed".
pub fn dash_closed(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("办结 {n} 件"),
        Lang::En => format!("{n} closed"),
    }
}

/// "n not resolved".
pub fn dash_unresolved(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("未化解 {n}"),
        Lang::En => format!("{n} not resolved"),
    }
}

/// "n not counted" (withdrawn, not accepted).
pub fn dash_uncounted(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("不计入 {n}(撤回、不予受理)"),
        Lang::En => format!("{n} not counted (withdrawn, not accepted)"),
    }
}

/// "n closed late".
pub fn dash_late(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("超期办结 {n}"),
        Lang::En => format!("{n} closed late"),
    }
}

/// The average days to close.
pub fn dash_average_days(days: Option<f64>, lang: Lang) -> String {
    match (days, lang) {
        (Some(d), Lang::Zh) => format!("平均办结 {d:.1} 天"),
        (Some(d), Lang::En) => format!("{d:.1} days to close on average"),
        (None, Lang::Zh) => "平均办结天数 —".to_owned(),
        (None, Lang::En) => "days to close —".to_owned(),
    }
}

/// "of them n repeated".
pub fn dash_repeat(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("其中重复信访 {n}"),
        Lang::En => format!("{n} repeat petitions"),
    }
}

/// "of them n by grid workers".
pub fn dash_by_grid(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("其中网格员 {n}"),
        Lang::En => format!("{n} by grid workers"),
    }
}

/// "as of today".
pub fn dash_as_of(day: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("截至 {day},不论期间"),
        Lang::En => format!("as of {day}, whatever the period"),
    }
}

/// "all n".
pub fn dash_all(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("全部 {n} 件"),
        Lang::En => format!("All {n}"),
    }
}

/// "n days".
pub fn days_over(n: i64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{n} 天"),
        Lang::En if n == 1 => "1 day".to_owned(),
        Lang::En => format!("{n} days"),
    }
}

/// What "rising" compares.
pub fn dash_rising_note(from: &str, to: &str, pct: u32, more: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "与前一同长期间({from} 至 {to})相比,受理矛盾纠纷增加 {pct}% 以上且至少多 {more} 件的村(社区)。"
        ),
        Lang::En => format!(
            "Villages that received at least {pct} % and {more} more disputes than in the period before ({from} to {to})."
        ),
    }
}

/// A month on the trend's axis (`2026-03`): "3月" or "Mar", with the year on the first and
/// on January.
pub fn month_label(month: &str, first: bool, lang: Lang) -> String {
    let (year, m) = month.split_once('-').unwrap_or((month, ""));
    let m: u32 = m.parse().unwrap_or(0);
    let with_year = first || m == 1;
    match lang {
        Lang::Zh if with_year => format!("{}年{m}月", &year[year.len().saturating_sub(2)..]),
        Lang::Zh => format!("{m}月"),
        Lang::En => {
            const NAMES: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let name = NAMES
                .get(m.saturating_sub(1) as usize)
                .copied()
                .unwrap_or("");
            if with_year {
                format!("{name} {}", &year[year.len().saturating_sub(2)..])
            } else {
                name.to_owned()
            }
        }
    }
}

/// "n items of other departments are not shown".
pub fn agenda_others(n: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("另有 {n} 项为其他部门的案件,不在此显示。"),
        Lang::En if n == 1 => {
            "One more item is another department's case, not shown here.".to_owned()
        }
        Lang::En => format!("{n} more items are other departments' cases, not shown here."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remembered_choice_else_chinese_is_the_first_language() {
        assert_eq!(initial_lang(Some("en")), Lang::En);
        assert_eq!(initial_lang(Some("zh-CN")), Lang::Zh);
        assert_eq!(initial_lang(Some("")), Lang::Zh);
        assert_eq!(initial_lang(None), Lang::Zh);
    }

    #[test]
    fn cooperating_units_follow_the_handler_on_a_card() {
        let units = ["司法所".to_owned(), "国土所".to_owned()];
        assert_eq!(handler_with("张调解", &[], Lang::Zh), "张调解");
        assert_eq!(
            handler_with("张调解", &units, Lang::Zh),
            "张调解 · 联合 司法所、国土所"
        );
        assert_eq!(
            handler_with("张调解", &units[..1], Lang::En),
            "张调解 · with 司法所"
        );
    }

    #[test]
    fn a_one_day_clock_is_singular_in_english() {
        assert_eq!(clock_days(1, false, Lang::En), "1 day");
        assert_eq!(clock_days(45, true, Lang::En), "45 working days");
        assert_eq!(clock_days(1, false, Lang::Zh), "1 日");
    }

    #[test]
    fn timeline_details_are_labelled_in_the_persons_language() {
        assert_eq!(
            event_detail("outcome", "agreement_written", Lang::Zh),
            ("办理结果".to_owned(), "达成书面调解协议".to_owned())
        );
        assert_eq!(
            event_detail("retention_years", "30", Lang::En),
            ("Retention period".to_owned(), "30 years".to_owned())
        );
        assert_eq!(
            event_detail("handler", "司法所", Lang::En),
            ("Lead handler".to_owned(), "司法所".to_owned())
        );
        assert_eq!(
            event_detail("mystery", "x", Lang::Zh),
            ("mystery".to_owned(), "x".to_owned())
        );
    }

    #[test]
    fn sentences_with_numbers_read_well_in_both_languages() {
        assert_eq!(count_cases(1, Lang::En), "1 case");
        assert_eq!(count_cases(12, Lang::Zh), "12 件");
        assert_eq!(clock_days(45, true, Lang::Zh), "45 个工作日");
        assert_eq!(
            moved("2611-ABCDEF", "分流", Lang::Zh),
            "2611-ABCDEF 已移至“分流”。"
        );
    }
}
