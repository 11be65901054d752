//! Short notices at the edge of the screen: a move that worked, a move that was refused.
//! Successes fade after a few seconds; refusals stay until dismissed.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{T, tr};

/// How a notice is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Error,
}

/// One notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub tone: Tone,
    pub text: String,
    /// An optional link: where, and its label.
    pub link: Option<(String, T)>,
}

/// The app's notices.
#[derive(Debug, Clone, Copy)]
pub struct Notices {
    list: RwSignal<Vec<Notice>>,
    next: RwSignal<u64>,
}

/// Most notices on screen at once.
const MAX_SHOWN: usize = 3;

impl Notices {
    /// Creates the notices and provides them to the app.
    pub fn provide() -> Notices {
        let notices = Notices {
            list: RwSignal::new(Vec::new()),
            next: RwSignal::new(1),
        };
        provide_context(notices);
        notices
    }

    /// Shows a notice.
    pub fn push(&self, tone: Tone, text: impl Into<String>, link: Option<(String, T)>) {
        let id = self.next.get_untracked();
        self.next.set(id + 1);
        let notice = Notice {
            id,
            tone,
            text: text.into(),
            link,
        };
        self.list.update(|list| {
            list.push(notice);
            let extra = list.len().saturating_sub(MAX_SHOWN);
            list.drain(..extra);
        });
        if tone == Tone::Success {
            let list = self.list;
            set_timeout(
                move || {
                    if !list.is_disposed() {
                        list.update(|l| l.retain(|n| n.id != id));
                    }
                },
                Duration::from_secs(5),
            );
        }
    }

    /// A success notice.
    pub fn success(&self, text: impl Into<String>) {
        self.push(Tone::Success, text, None);
    }

    /// An error notice.
    pub fn error(&self, text: impl Into<String>, link: Option<(String, T)>) {
        self.push(Tone::Error, text, link);
    }

    /// Removes a notice.
    pub fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|n| n.id != id));
    }
}

/// The app's notices.
pub fn use_notices() -> Notices {
    use_context::<Notices>().unwrap_or_else(Notices::provide)
}

/// Where notices appear.
#[component]
pub fn NoticeArea() -> impl IntoView {
    let notices = use_notices();
    view! {
        <div class="notices" aria-live="polite">
            <For each=move || notices.list.get() key=|n| n.id let:notice>
                {
                    let id = notice.id;
                    let class = match notice.tone {
                        Tone::Success => "notice notice-success",
                        Tone::Error => "notice notice-error",
                    };
                    let role = match notice.tone {
                        Tone::Success => "status",
                        Tone::Error => "alert",
                    };
                    view! {
                        <div class=class role=role data-testid="notice">
                            <span class="notice-text">{notice.text.clone()}</span>
                            {notice.link.map(|(href, label)| view! {
                                <a class="notice-link" href=href on:click=move |_| notices.dismiss(id)>{tr(label)}</a>
                            })}
                            <button type="button" class="notice-close" aria-label=tr(T::Dismiss)
                                data-testid="notice-dismiss" on:click=move |_| notices.dismiss(id)>
                                "×"
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
