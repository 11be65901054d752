//! `/admin/calendar`: the working-day calendar. Everyone signed in may read a year; the
//! administrator edits it — public holidays and make-up working days (调休) — and saves the
//! year whole. A year without a schedule (this one or the next) is warned about at the top:
//! deadlines that reach it count Monday to Friday until it is entered.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Lang;
use shared::calendar::{CalendarDay, CalendarYear, DayKind, PutCalendarYear, check_year};
use shared::error::FieldError;
use shared::model::Role;

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;
use crate::session::use_session;

/// One row being edited: the date as typed, the kind, the holiday's name.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    key: u32,
    date: String,
    kind: DayKind,
    name: String,
}

/// The sentence warning of years with no schedule.
pub fn missing_warning(years: &[i32], lang: Lang) -> String {
    let list: Vec<String> = years.iter().map(i32::to_string).collect();
    match lang {
        Lang::Zh => format!(
            "{} 年的节假日安排尚未录入:涉及这些年份的工作日期限暂按周一至周五计算。请按国务院办公厅通知录入。",
            list.join("、")
        ),
        Lang::En => format!(
            "No holiday schedule is entered for {}: working-day deadlines reaching it count Monday to Friday until it is. Enter it from the State Council's notice.",
            list.join(", ")
        ),
    }
}

/// The rows as the API takes them; a date that does not parse is kept out and reported.
fn to_request(year: i32, rows: &[Row], lang: Lang) -> Result<PutCalendarYear, Vec<FieldError>> {
    let mut days = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d") {
            Ok(date) => days.push(CalendarDay {
                date,
                kind: r.kind,
                name: r.name.trim().to_owned(),
            }),
            Err(_) => {
                errors.push(FieldError::new(
                    format!("days[{i}].date"),
                    shared::Reason::Required,
                    lang,
                ));
                days.push(CalendarDay {
                    date: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
                    kind: r.kind,
                    name: r.name.trim().to_owned(),
                });
            }
        }
    }
    let request = PutCalendarYear { days };
    if let Err(more) = check_year(year, &request, lang) {
        for e in more {
            if !errors.iter().any(|x: &FieldError| x.field == e.field) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(errors)
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let notices = use_notices();
    let is_admin = Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::Admin))
    });
    let year = RwSignal::new(time::today().year());
    let loaded = RwSignal::new(None::<Result<CalendarYear, api::Error>>);
    let rows = RwSignal::new(Vec::<Row>::new());
    let next_key = RwSignal::new(0u32);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saving = RwSignal::new(false);

    let set_rows = move |y: &CalendarYear| {
        let list: Vec<Row> = y
            .days
            .iter()
            .enumerate()
            .map(|(i, d)| Row {
                key: u32::try_from(i).unwrap_or(0),
                date: d.date.to_string(),
                kind: d.kind,
                name: d.name.clone(),
            })
            .collect();
        next_key.set(u32::try_from(list.len()).unwrap_or(0));
        rows.set(list);
        errors.set(Vec::new());
    };
    let load = move || {
        let y = year.get_untracked();
        loaded.set(None);
        spawn_local(async move {
            let result = api::calendar(y).await;
            if let Ok(c) = &result {
                set_rows(c);
            }
            loaded.set(Some(result));
        });
    };
    load();
    let go = move |delta: i32| {
        year.update(|y| *y += delta);
        load();
    };
    let add = move |_| {
        let key = next_key.get_untracked();
        next_key.set(key + 1);
        let y = year.get_untracked();
        rows.update(|r| {
            r.push(Row {
                key,
                date: format!("{y:04}-"),
                kind: DayKind::Holiday,
                name: String::new(),
            });
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let y = year.get_untracked();
        let request = match to_request(y, &rows.get_untracked(), l) {
            Ok(r) => r,
            Err(e) => {
                errors.set(e);
                return;
            }
        };
        saving.set(true);
        spawn_local(async move {
            let result = api::put_calendar(y, &request).await;
            saving.set(false);
            match result {
                Ok(c) => {
                    set_rows(&c);
                    loaded.set(Some(Ok(c)));
                    notices.success(T::CalendarSaved.get(lang.get_untracked()));
                }
                Err(err) => {
                    errors.set(err.fields(lang.get_untracked()));
                    notices.error(err.message(lang.get_untracked()), None);
                }
            }
        });
    };

    view! {
        <section class="page page-calendar" data-testid="calendar-page">
            <header class="page-head">
                <h1>{tr(T::CalendarTitle)}</h1>
                <div class="year-nav" role="group" aria-label=tr(T::CalendarYear)>
                    <button type="button" class="btn btn-secondary" data-testid="year-prev" on:click=move |_| go(-1)>
                        {tr(T::PreviousYear)}
                    </button>
                    <span class="year" data-testid="year" aria-live="polite">{move || year.get().to_string()}</span>
                    <button type="button" class="btn btn-secondary" data-testid="year-next" on:click=move |_| go(1)>
                        {tr(T::NextYear)}
                    </button>
                </div>
            </header>
            <p class="hint">{tr(T::CalendarHint)}</p>
            {move || match loaded.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(c)) => {
                    let missing = c.missing_years.clone();
                    let entered = c.entered;
                    view! {
                        {(!missing.is_empty()).then(|| view! {
                            <div class="state state-warn" role="alert" data-testid="calendar-missing">
                                {move || missing_warning(&missing, lang.get())}
                            </div>
                        })}
                        <p class="calendar-status" data-testid="calendar-status" data-entered=entered.to_string()>
                            {move || if entered { T::YearEntered.get(lang.get()) } else { T::YearNotEntered.get(lang.get()) }}
                        </p>
                    }.into_any()
                }
            }}
            <form class="calendar-form" on:submit=save novalidate>
                <div class="table-wrap">
                    <table class="table calendar-table">
                        <thead>
                            <tr>
                                <th scope="col">{tr(T::Date)}</th>
                                <th scope="col">{tr(T::DayKindLabel)}</th>
                                <th scope="col">{tr(T::HolidayName)}</th>
                                <th scope="col"><span class="visually-hidden">{tr(T::Remove)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || rows.get().into_iter().enumerate()
                                key=|(i, r)| (*i, r.key)
                                children=move |(i, r)| {
                                    let key = r.key;
                                    let set = move |f: &dyn Fn(&mut Row)| rows.update(|list| {
                                        if let Some(row) = list.iter_mut().find(|x| x.key == key) { f(row); }
                                    });
                                    let date_field = format!("days[{i}].date");
                                    let name_field = format!("days[{i}].name");
                                    let date_id = format!("cal-date-{key}");
                                    let kind_id = format!("cal-kind-{key}");
                                    let name_id = format!("cal-name-{key}");
                                    view! {
                                        <tr data-testid="calendar-row" data-kind=r.kind.as_str()>
                                            <td>
                                                <label class="visually-hidden" for=date_id.clone()>{tr(T::Date)}</label>
                                                <input type="date" id=date_id disabled=move || !is_admin.get()
                                                    aria-describedby=format!("err-{date_field}")
                                                    prop:value=r.date.clone()
                                                    on:change=move |ev| { let v = event_target_value(&ev); set(&|row| row.date = v.clone()); } />
                                                <FieldMessage name=date_field errors=errors.into() />
                                            </td>
                                            <td>
                                                <label class="visually-hidden" for=kind_id.clone()>{tr(T::DayKindLabel)}</label>
                                                <select id=kind_id disabled=move || !is_admin.get()
                                                    on:change=move |ev| {
                                                        let k = DayKind::parse(&event_target_value(&ev)).unwrap_or(DayKind::Holiday);
                                                        set(&|row| row.kind = k);
                                                    }>
                                                    {[DayKind::Holiday, DayKind::Workday].into_iter().map(|k| view! {
                                                        <option value=k.as_str() selected=k == r.kind>{move || k.label(lang.get())}</option>
                                                    }).collect_view()}
                                                </select>
                                            </td>
                                            <td>
                                                <label class="visually-hidden" for=name_id.clone()>{tr(T::HolidayName)}</label>
                                                <input type="text" id=name_id maxlength="30" disabled=move || !is_admin.get()
                                                    aria-describedby=format!("err-{name_field}")
                                                    prop:value=r.name.clone()
                                                    on:change=move |ev| { let v = event_target_value(&ev); set(&|row| row.name = v.clone()); } />
                                                <FieldMessage name=name_field errors=errors.into() />
                                            </td>
                                            <td>
                                                <Show when=move || is_admin.get()>
                                                    <button type="button" class="btn btn-ghost btn-small" data-testid="calendar-remove"
                                                        on:click=move |_| rows.update(|list| list.retain(|x| x.key != key))>
                                                        {tr(T::Remove)}
                                                    </button>
                                                </Show>
                                            </td>
                                        </tr>
                                    }
                                }
                            />
                        </tbody>
                    </table>
                </div>
                <Show when=move || is_admin.get()>
                    <div class="form-actions">
                        <button type="button" class="btn btn-secondary" data-testid="calendar-add" on:click=add>
                            {tr(T::AddDay)}
                        </button>
                        <button type="submit" class="btn btn-primary" data-testid="calendar-save" disabled=move || saving.get()>
                            {move || if saving.get() { T::Saving.get(lang.get()) } else { T::SaveYear.get(lang.get()) }}
                        </button>
                    </div>
                </Show>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_names_the_missing_years_in_either_language() {
        assert!(missing_warning(&[2027], Lang::Zh).starts_with("2027 年的节假日安排尚未录入"));
        assert!(missing_warning(&[2027, 2028], Lang::En).contains("2027, 2028"));
    }

    #[test]
    fn a_row_with_no_date_is_named_before_anything_is_sent() {
        let rows = vec![
            Row {
                key: 0,
                date: "2027-01-01".into(),
                kind: DayKind::Holiday,
                name: "元旦".into(),
            },
            Row {
                key: 1,
                date: "2027-".into(),
                kind: DayKind::Holiday,
                name: "春节".into(),
            },
        ];
        let err = to_request(2027, &rows, Lang::En).err().unwrap_or_default();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].field, "days[1].date");
        assert!(to_request(2027, &rows[..1], Lang::En).is_ok());
    }
}
