//! The notification center in the header: the unread count, and a panel listing the newest
//! notifications with a link to each case; opening one marks it read. The count is fetched
//! on sign-in, every 30 seconds, and whenever the panel opens.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Lang;
use shared::api::NotificationList;
use shared::model::{Notification, NotificationKind};

use crate::api;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;

/// How often the unread count is fetched.
const POLL_MS: u64 = 30_000;

/// A notification's line: "新分派案件 · 接收期限 2026-12-07".
pub fn line(n: &Notification, lang: Lang) -> String {
    let what = n.kind.label(lang);
    let detail = match n.kind {
        NotificationKind::Routed if !n.text.is_empty() => {
            format!("{} {}", T::RespondBy.get(lang), n.text)
        }
        NotificationKind::DueSoon | NotificationKind::Overdue | NotificationKind::OverdueWeek => {
            format!("{} {}", T::DueOn.get(lang), n.text)
        }
        NotificationKind::Urged => format!("{} {}", T::UrgingDue.get(lang), n.text),
        _ => n.text.clone(),
    };
    if detail.is_empty() {
        what.to_owned()
    } else {
        format!("{what} · {detail}")
    }
}

/// The bell and its panel.
#[component]
pub fn NotificationBell() -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<NotificationList>);
    let open = RwSignal::new(false);
    let failed = RwSignal::new(false);

    let load = move || {
        spawn_local(async move {
            match api::notifications().await {
                Ok(l) => {
                    failed.set(false);
                    list.set(Some(l));
                }
                Err(_) => failed.set(true),
            }
        });
    };
    load();
    let handle = set_interval_with_handle(load, std::time::Duration::from_millis(POLL_MS)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });

    let unread = move || list.with(|l| l.as_ref().map_or(0, |l| l.unread));
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        if now_open {
            load();
        }
    };
    let read_all = move |_| {
        spawn_local(async move {
            if api::mark_read(None).await.is_ok() {
                load();
            }
        });
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };

    view! {
        <div class="notify" on:keydown=on_keydown>
            <button
                type="button"
                class="btn btn-ghost notify-bell"
                data-testid="notify-bell"
                data-unread=move || unread().to_string()
                aria-expanded=move || open.get().to_string()
                aria-controls="notify-panel"
                aria-label=move || format!("{} ({})", T::Notifications.get(lang.get()), unread())
                on:click=toggle
            >
                {tr(T::Notifications)}
                <Show when=move || { unread() > 0 }>
                    <span class="notify-count" data-testid="notify-count">{move || unread().to_string()}</span>
                </Show>
            </button>
            <Show when=move || open.get()>
                <section id="notify-panel" class="notify-panel" data-testid="notify-panel"
                    role="region" aria-label=tr(T::Notifications)>
                    <div class="notify-head">
                        <h2 class="notify-title">{tr(T::Notifications)}</h2>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="notify-read-all"
                            disabled=move || unread() == 0 on:click=read_all>
                            {tr(T::MarkAllRead)}
                        </button>
                    </div>
                    {move || {
                        let items = list.with(|l| l.as_ref().map(|l| l.items.clone()).unwrap_or_default());
                        if failed.get() && items.is_empty() {
                            return view! { <p class="notify-empty">{tr(T::NotificationsFailed)}</p> }.into_any();
                        }
                        if items.is_empty() {
                            return view! { <p class="notify-empty">{tr(T::NoNotifications)}</p> }.into_any();
                        }
                        view! {
                            <ul class="notify-list">
                                {items.into_iter().map(|n| {
                                    let id = n.id;
                                    let href = n.case_id.map_or_else(String::new, |c| format!("/cases/{c}"));
                                    let unread_item = !n.read;
                                    let code = n.case_code.clone().unwrap_or_default();
                                    let when = time::date_time(n.at);
                                    let text = n.clone();
                                    // The link opens the case (the router handles it); the
                                    // notification is marked read on the way.
                                    let go = move |_| {
                                        open.set(false);
                                        spawn_local(async move {
                                            let _ = api::mark_read(Some(id)).await;
                                            load();
                                        });
                                    };
                                    view! {
                                        <li class="notify-item" class:unread=unread_item data-testid="notify-item"
                                            data-kind=n.kind.as_str()>
                                            <a class="notify-open" href=href on:click=go>
                                                <span class="notify-code">{code}</span>
                                                <span class="notify-line">{move || line(&text, lang.get())}</span>
                                                <span class="notify-when">{when}</span>
                                            </a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_reads_as_one_line_in_either_language() {
        let n = Notification {
            id: 1,
            case_id: Some(2),
            case_code: Some("2612-ABCDEF".into()),
            kind: NotificationKind::Routed,
            text: "2026-12-07".into(),
            at: chrono::DateTime::<chrono::Utc>::default(),
            read: false,
        };
        assert_eq!(line(&n, Lang::Zh), "新分派案件 · 接收期限 2026-12-07");
        assert_eq!(
            line(&n, Lang::En),
            "Case routed to you · Respond by 2026-12-07"
        );
        let declined = Notification {
            kind: NotificationKind::Declined,
            text: "司法所:不属本所职责".into(),
            ..n
        };
        assert_eq!(line(&declined, Lang::Zh), "拒收退回 · 司法所:不属本所职责");
    }
}
