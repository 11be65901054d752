//! Repeat matters (重复信访) in the browser: `RepeatCheck`, the list of open and recently
//! closed cases with a party of the same phone or ID number, shown at intake as the numbers
//! are typed (link as repeat, or judge a different matter), and `RepeatsPanel` on the case
//! page (what the case repeats, what repeats it, and for the lead and clerks the same check
//! with the link saved at once).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::model::CaseDetail;
use shared::repeats::{LinkRepeat, RepeatMatch, RepeatMatches, RepeatSearch};
use shared::validate::{is_valid_id_number, is_valid_phone};

use crate::api;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;

/// The matches of the numbers in `search`, searched again whenever they change. `linked` is
/// the code linked as the earlier case; `on_link` is called with a match's code (the linked
/// one again to unlink); `on_different`, when given, offers "a different matter" per match.
/// `on_matches` hears each new list (the intake form drops decisions about cases gone).
#[component]
pub fn RepeatCheck(
    #[prop(into)] search: Signal<RepeatSearch>,
    #[prop(into)] linked: Signal<Option<String>>,
    #[prop(into)] different: Signal<Vec<String>>,
    on_link: Callback<String>,
    #[prop(optional)] on_different: Option<Callback<String>>,
    on_matches: Callback<Vec<RepeatMatch>>,
    /// The new matter is a petition (linking it to an open matter marks it 重复信访).
    #[prop(into)]
    petition: Signal<bool>,
    /// A link is being saved (the buttons wait).
    #[prop(into, optional)]
    busy: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let result = RwSignal::new(None::<Result<RepeatMatches, api::Error>>);
    let checking = RwSignal::new(false);
    let seq = StoredValue::new(0u64);
    let numbers = Memo::new(move |_| search.get());
    Effect::new(move |_| {
        let s = numbers.get();
        let n = seq.get_value() + 1;
        seq.set_value(n);
        if s.phones.is_empty() && s.id_numbers.is_empty() {
            checking.set(false);
            result.set(None);
            on_matches.run(Vec::new());
            return;
        }
        checking.set(true);
        spawn_local(async move {
            let answer = api::search_repeats(&s).await;
            // A later search has started (this answer is for numbers no longer typed), or the
            // form is gone (the page left, the case registered): the answer is dropped.
            if seq.try_get_value() != Some(n) {
                return;
            }
            checking.try_set(false);
            if let Ok(found) = &answer {
                on_matches.run(found.matches.clone());
            }
            result.try_set(Some(answer));
        });
    });
    let shown = move || numbers.with(|s| !s.phones.is_empty() || !s.id_numbers.is_empty());
    view! {
        <Show when=shown>
            <section class="repeat-check" data-testid="repeat-check" aria-labelledby="repeat-check-title">
                <h3 id="repeat-check-title" class="repeat-title">{tr(T::RepeatCheckTitle)}</h3>
                <div aria-live="polite">
                    {move || {
                        if checking.get() {
                            return view! { <p class="hint" data-testid="repeat-checking">{tr(T::RepeatChecking)}</p> }.into_any();
                        }
                        match result.get() {
                            None => ().into_any(),
                            Some(Err(e)) => view! {
                                <p class="form-error" role="alert" data-testid="repeat-failed">
                                    {tr(T::RepeatCheckFailed)} " " {move || e.message(lang.get())}
                                </p>
                            }.into_any(),
                            Some(Ok(found)) if found.matches.is_empty() => view! {
                                <p class="hint" data-testid="repeat-none">{tr(T::RepeatNone)}</p>
                            }.into_any(),
                            Some(Ok(found)) => view! {
                                <p class="repeat-intro">{tr(T::RepeatCheckIntro)}</p>
                                <ul class="repeat-list">
                                    {found.matches.into_iter().map(|m| view! {
                                        <MatchItem m linked different on_link on_different petition busy />
                                    }).collect_view()}
                                </ul>
                                {found.more.then(|| view! { <p class="hint">{tr(T::RepeatMore)}</p> })}
                            }.into_any(),
                        }
                    }}
                </div>
            </section>
        </Show>
    }
}

#[component]
fn MatchItem(
    m: RepeatMatch,
    linked: Signal<Option<String>>,
    different: Signal<Vec<String>>,
    on_link: Callback<String>,
    on_different: Option<Callback<String>>,
    petition: Signal<bool>,
    busy: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let code = m.code.clone();
    let is_linked = {
        let code = code.clone();
        Memo::new(move |_| linked.with(|l| l.as_deref() == Some(code.as_str())))
    };
    let is_different = {
        let code = code.clone();
        Memo::new(move |_| different.with(|d| d.contains(&code)))
    };
    let open = m.is_open();
    let (stage, kind, category, matched_by) = (m.stage, m.kind, m.category, m.matched_by);
    let when = match m.closed_on {
        Some(day) => format!(
            "{} {}",
            T::ClosedOn.get(lang.get_untracked()),
            time::date(day)
        ),
        None => time::date(time::date_of(m.registered_at)),
    };
    let link_code = code.clone();
    let different_code = code.clone();
    view! {
        <li class="repeat-match" data-testid="repeat-match" data-code=code
            data-linked=move || is_linked.get().to_string()>
            <div class="repeat-head">
                <a class="card-code" href=format!("/cases/{}", m.case_id) target="_blank" rel="noopener"
                    data-testid="repeat-code">{code.clone()}</a>
                <span class=format!("stage-tag stage-{}", stage.as_str())>{move || stage.label(lang.get())}</span>
                <span class="muted">{move || format!("{} · {}", kind.label(lang.get()), category.label(lang.get()))}</span>
                <span class="muted nowrap">{when}</span>
            </div>
            <p class="repeat-summary" data-testid="repeat-summary">{m.summary.clone()}</p>
            <p class="repeat-meta">
                <span class="tag tag-flag">{move || matched_by.label(lang.get())}</span>
                " " <span class="mono">{m.number.clone()}</span>
                " · " {tr(T::RepeatMatchedParty)} " " {m.party.clone()}
                {m.handler_name.map(|h| view! { " · " {tr(T::HandlerLabel)} " " {h} })}
            </p>
            <div class="repeat-actions">
                <button type="button" class="btn btn-secondary btn-small" data-testid="link-repeat"
                    aria-pressed=move || is_linked.get().to_string()
                    disabled=move || busy.get()
                    on:click=move |_| on_link.run(link_code.clone())>
                    {move || if is_linked.get() { "✓ " } else { "" }} {tr(T::LinkAsRepeat)}
                </button>
                {on_different.map(|judge| view! {
                    <button type="button" class="btn btn-secondary btn-small" data-testid="not-repeat"
                        aria-pressed=move || is_different.get().to_string()
                        on:click=move |_| judge.run(different_code.clone())>
                        {move || if is_different.get() { "✓ " } else { "" }} {tr(T::DifferentMatter)}
                    </button>
                })}
            </div>
            <Show when=move || is_linked.get() && open && petition.get()>
                <p class="hint" data-testid="repeat-petition-note">{tr(T::RepeatPetitionNote)}</p>
            </Show>
        </li>
    }
}

/// The numbers of a case's parties as the case page shows them (unmasked only), for the
/// check on the case page.
fn numbers_of(detail: &CaseDetail) -> RepeatSearch {
    let mut search = RepeatSearch {
        exclude_case_id: Some(detail.id),
        ..RepeatSearch::default()
    };
    if detail.parties_masked {
        return search;
    }
    for p in &detail.parties {
        if let Some(phone) = p.phone.as_deref().filter(|v| is_valid_phone(v))
            && !search.phones.iter().any(|q| q == phone)
        {
            search.phones.push(phone.to_owned());
        }
        if let Some(id) = p.id_number.as_deref().filter(|v| is_valid_id_number(v))
            && !search.id_numbers.iter().any(|q| q == id)
        {
            search.id_numbers.push(id.to_owned());
        }
    }
    search
}

/// The case page's panel: the earlier case this one repeats, the later ones that repeat it,
/// and (for those who may link) the check of its parties' numbers with the link saved at once.
#[component]
pub fn RepeatsPanel(
    detail: CaseDetail,
    may_link: bool,
    changed: Callback<CaseDetail>,
) -> impl IntoView {
    let lang = use_lang();
    let search = numbers_of(&detail);
    let has_numbers = !search.phones.is_empty() || !search.id_numbers.is_empty();
    if detail.repeat_of.is_none() && detail.repeated_by.is_empty() && !(may_link && has_numbers) {
        return ().into_any();
    }
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<api::Error>);
    let (id, version) = (detail.id, detail.version);
    let linked_code = detail.repeat_of.as_ref().map(|r| r.code.clone());
    let save = move |of: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api::link_repeat(id, &LinkRepeat { of, version }).await;
            busy.set(false);
            match answer {
                Ok(d) => changed.run(d),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_link = {
        let linked_code = linked_code.clone();
        Callback::new(move |code: String| {
            if linked_code.as_deref() == Some(code.as_str()) {
                save(None);
            } else {
                save(Some(code));
            }
        })
    };
    // The note "will be marked 重复信访 once registered" is the intake's: here the mark shows
    // among the case's risk flags as soon as the link is saved.
    let repeat_of = detail.repeat_of;
    let repeated_by = detail.repeated_by;
    view! {
        <section class="panel" aria-labelledby="repeats-title" data-testid="repeats">
            <h2 id="repeats-title" class="panel-title">{tr(T::RepeatsTitle)}</h2>
            <dl class="facts">
                <div class="wide"><dt>{tr(T::RepeatOf)}</dt><dd data-testid="repeat-of">
                    {match repeat_of {
                        Some(r) => view! {
                            <a class="mono" href=format!("/cases/{}", r.id)>{r.code.clone()}</a>
                            {may_link.then(|| view! {
                                " " <button type="button" class="btn btn-link" data-testid="unlink-repeat"
                                    disabled=move || busy.get()
                                    on:click=move |_| save(None)>{tr(T::Unlink)}</button>
                            })}
                        }.into_any(),
                        None => view! { <span class="muted">{tr(T::RepeatNoLink)}</span> }.into_any(),
                    }}
                </dd></div>
                {(!repeated_by.is_empty()).then(|| view! {
                    <div class="wide"><dt>{tr(T::RepeatedBy)}</dt><dd class="tags" data-testid="repeated-by">
                        {repeated_by.into_iter().map(|r| view! {
                            <a class="mono" href=format!("/cases/{}", r.id)>{r.code}</a>
                        }).collect_view()}
                    </dd></div>
                })}
            </dl>
            {move || error.get().map(|e| view! {
                <p class="form-error" role="alert" data-testid="repeat-link-error">{e.message(lang.get())}</p>
            })}
            {(may_link && has_numbers).then(|| view! {
                <RepeatCheck
                    search=Signal::derive(move || search.clone())
                    linked=Signal::derive(move || linked_code.clone())
                    different=Signal::derive(Vec::new)
                    on_link
                    on_matches=Callback::new(|_| {})
                    petition=Signal::derive(|| false)
                    busy=Signal::from(busy)
                />
            })}
        </section>
    }
    .into_any()
}
