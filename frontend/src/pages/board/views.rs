//! The board's views: "all cases", the ready-made views offered to the person's role
//! (`shared::model::BoardView`: my cases, overdue, awaiting acceptance, escalated, urged and
//! not acknowledged) and the person's own named views, saved on the server. A view is only a
//! filter: choosing one puts it in the URL like any other filter, and the view whose filter
//! the board shows is marked pressed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FieldError;
use shared::api::{CaseFilter, NewView, SavedView, VIEW_NAME_MAX};
use shared::model::BoardView;

use crate::api;
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::session::use_session;

/// Puts the keyboard focus on the element matching `css` once it is drawn (after the control
/// that had it went away: the save form closed, a view was deleted).
fn focus_later(css: &'static str) {
    request_animation_frame(move || {
        if let Ok(Some(el)) = document().query_selector(css)
            && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
        {
            let _ = el.focus();
        }
    });
}

/// The row of views above the filter bar.
#[component]
pub fn ViewBar(
    filter: Memo<CaseFilter>,
    set_filter: Callback<(CaseFilter, bool)>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let notices = use_notices();
    let saved = RwSignal::new(Vec::<SavedView>::new());
    spawn_local(async move {
        match api::views().await {
            Ok(list) => saved.set(list.views),
            Err(err) if !err.is_unauthorized() => notices.error(
                format!(
                    "{}: {}",
                    T::ViewsFailed.get(lang.get_untracked()),
                    err.message(lang.get_untracked())
                ),
                None,
            ),
            Err(_) => {}
        }
    });
    let presets = move || {
        let role = session.user.with(|u| u.as_ref().map(|u| u.role));
        BoardView::ALL
            .iter()
            .copied()
            .filter(|v| role.is_some_and(|r| v.offered_to(r)))
            .collect::<Vec<_>>()
    };
    let current = Memo::new(move |_| filter.with(CaseFilter::stored));
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saving = RwSignal::new(false);
    // A filter worth saving: something filtered, not a ready-made view, not saved already.
    let can_save = move || {
        current.with(|f| {
            !f.is_blank()
                && f.as_preset().is_none()
                && saved.with(|s| !s.iter().any(|v| v.filter == *f))
        })
    };
    let choose = move |f: CaseFilter| set_filter.run((f, false));
    let save = move || {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        let request = NewView {
            name: name.get_untracked(),
            filter: current.get_untracked(),
        };
        spawn_local(async move {
            let result = api::save_view(&request).await;
            saving.set(false);
            let l = lang.get_untracked();
            match result {
                Ok(view) => {
                    saved.update(|s| s.push(view));
                    errors.set(Vec::new());
                    name.set(String::new());
                    naming.set(false);
                    notices.success(T::ViewSaved.get(l));
                    // The new view is the one chosen now.
                    focus_later("[data-testid=saved-view] .view-chip[aria-pressed=true]");
                }
                Err(err) => {
                    let fields = err.fields(l);
                    if fields.iter().any(|f| f.field == "name") {
                        errors.set(fields);
                    } else {
                        notices.error(err.message(l), None);
                    }
                }
            }
        });
    };
    let remove = move |view: SavedView| {
        spawn_local(async move {
            let l = lang.get_untracked();
            match api::delete_view(view.id).await {
                Ok(()) => {
                    saved.update(|s| s.retain(|v| v.id != view.id));
                    focus_later("[data-testid=view-all]");
                    notices.success(format!("{}:{}", T::ViewDeleted.get(l), view.name));
                }
                Err(err) => notices.error(err.message(l), None),
            }
        });
    };

    view! {
        <div class="view-bar" role="group" data-testid="views" aria-label=move || T::ViewsLabel.get(lang.get())>
            <button type="button" class="view-chip" data-testid="view-all"
                aria-pressed=move || current.with(CaseFilter::is_blank).to_string()
                on:click=move |_| choose(CaseFilter::default())>
                {tr(T::ViewAll)}
            </button>
            <For each=presets key=|v| *v let:view>
                <button type="button" class="view-chip" data-testid=format!("view-{}", view.as_str())
                    aria-pressed=move || (current.with(CaseFilter::as_preset) == Some(view)).to_string()
                    on:click=move |_| choose(CaseFilter::preset(view))>
                    {move || view.label(lang.get())}
                </button>
            </For>
            <For each=move || saved.get() key=|v| v.id let:view>
                {
                    let (chosen, deleted) = (view.clone(), view.clone());
                    let pressed_filter = view.filter.clone();
                    let label = view.name.clone();
                    let shown = view.name.clone();
                    view! {
                        <span class="view-saved" data-testid="saved-view" data-name=view.name>
                            <button type="button" class="view-chip"
                                aria-pressed=move || current.with(|f| *f == pressed_filter).to_string()
                                on:click=move |_| choose(chosen.filter.clone())>
                                {shown}
                            </button>
                            <button type="button" class="view-delete" data-testid="delete-view"
                                aria-label=move || format!("{} {}", T::DeleteView.get(lang.get()), label)
                                title=move || T::DeleteView.get(lang.get())
                                on:click=move |_| remove(deleted.clone())>
                                <span aria-hidden="true">"×"</span>
                            </button>
                        </span>
                    }
                }
            </For>
            <Show when=move || can_save() && !naming.get()>
                <button type="button" class="btn btn-link view-save-open" data-testid="save-view"
                    on:click=move |_| {
                        errors.set(Vec::new());
                        naming.set(true);
                        request_animation_frame(|| {
                            if let Some(el) = document()
                                .get_element_by_id("view-name")
                                .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
                            {
                                let _ = el.focus();
                            }
                        });
                    }>
                    {tr(T::SaveView)}
                </button>
            </Show>
            <Show when=move || naming.get()>
                <form class="view-save" data-testid="save-view-form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        save();
                    }>
                    <label for="view-name" class="visually-hidden">{tr(T::ViewName)}</label>
                    <input type="text" id="view-name" name="view_name" data-testid="view-name"
                        autocomplete="off" maxlength=VIEW_NAME_MAX.to_string()
                        aria-describedby="err-view-name"
                        aria-invalid=move || errors.with(|e| !e.is_empty()).to_string()
                        placeholder=move || T::ViewNamePlaceholder.get(lang.get())
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" {
                                naming.set(false);
                                focus_later("[data-testid=save-view]");
                            }
                        } />
                    <button type="submit" class="btn btn-primary btn-small" data-testid="view-save"
                        disabled=move || saving.get()>{tr(T::ViewSave)}</button>
                    <button type="button" class="btn btn-link" on:click=move |_| {
                        naming.set(false);
                        focus_later("[data-testid=save-view]");
                    }>
                        {tr(T::Cancel)}
                    </button>
                    <FieldMessage name="name" scope="view" errors=errors.into() />
                </form>
            </Show>
        </div>
    }
}
