//! A unit's household list (户籍名单), as the center keeps it: read on the roster and on the
//! grid worker's phone (where choosing a household fills in the visit), kept by the lead, the
//! clerks and whoever covers the unit; masked for everyone else.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Lang;
use shared::error::FieldError;
use shared::grid::{Household, HouseholdForm, Households};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::use_lang;

/// The list of `unit` (and below it). `on_pick`, when given, offers "visit this household".
#[component]
pub fn HouseholdList(
    unit: i64,
    #[prop(optional)] on_pick: Option<Callback<Household>>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let list = RwSignal::new(None::<Result<Households, api::Error>>);
    let load = move || {
        spawn_local(async move {
            list.try_set(Some(api::household_list(unit).await));
        });
    };
    load();
    let form = RwSignal::new(HouseholdForm {
        head: String::new(),
        address: String::new(),
        phone: None,
        members: None,
        note: String::new(),
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let scope: &'static str = "household";
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = form.get_untracked();
        if let Err(f) = request.check(lang.get_untracked()) {
            errors.set(f);
            return;
        }
        spawn_local(async move {
            match api::add_household(unit, &request).await {
                Ok(l) => {
                    errors.set(Vec::new());
                    form.update(|f| {
                        f.head.clear();
                        f.phone = None;
                        f.members = None;
                        f.note.clear();
                    });
                    list.set(Some(Ok(l)));
                }
                Err(e) => {
                    let f = e.fields(lang.get_untracked());
                    if f.is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                    errors.set(f);
                }
            }
        });
    };
    let remove = move |id: i64| {
        spawn_local(async move {
            match api::delete_household(id).await {
                Ok(l) => list.set(Some(Ok(l))),
                Err(e) => notices.error(e.message(lang.get_untracked()), None),
            }
        });
    };
    let input = move |field: &'static str,
                      zh: &'static str,
                      en: &'static str,
                      kind: &'static str,
                      get: fn(&HouseholdForm) -> String,
                      set: fn(&mut HouseholdForm, String)| {
        let id = format!("household-{unit}-{field}");
        view! {
            <div class="field">
                <label for=id.clone()>{move || lang.get().pick(zh, en)}</label>
                <input id=id type=kind data-testid=format!("household-{field}")
                    prop:value=move || form.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)); } />
                <FieldMessage name=field errors=errs scope />
            </div>
        }
    };
    view! {
        <div class="household-list" data-testid="household-list">
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(l)) => {
                    let may_edit = l.may_edit;
                    view! {
                        {if l.items.is_empty() {
                            view! { <p class="muted">{move || lang.get().pick("尚未登记户籍名单。", "No household recorded yet.")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="households">
                                    {l.items.into_iter().map(|h| {
                                        let id = h.id;
                                        let picked = h.clone();
                                        view! {
                                            <li data-testid="household">
                                                <span><strong>{h.head.clone()}</strong>" "{h.address.clone()}
                                                    {h.phone.clone().map(|p| view! { " · " <span class="mono">{p}</span> })}
                                                    {h.members.map(|n| format!(" · {n}{}", if lang.get_untracked() == Lang::Zh { " 人" } else { " people" }))}
                                                </span>
                                                {(!h.note.is_empty()).then(|| view! { <span class="muted household-note">{h.note.clone()}</span> })}
                                                <span class="household-actions">
                                                    {on_pick.map(|pick| view! {
                                                        <button type="button" class="btn btn-secondary btn-small" data-testid="household-pick"
                                                            on:click=move |_| pick.run(picked.clone())>{move || lang.get().pick("走访此户", "Visit")}</button>
                                                    })}
                                                    {may_edit.then(|| view! {
                                                        <button type="button" class="btn btn-ghost btn-small" data-testid="household-remove"
                                                            on:click=move |_| remove(id)>{move || lang.get().pick("移除", "Remove")}</button>
                                                    })}
                                                </span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {may_edit.then(|| view! {
                            <form class="household-form" on:submit=add novalidate data-testid="household-form">
                                {input("head", "户主", "Head of household", "text", |f| f.head.clone(), |f, v| f.head = v)}
                                {input("address", "门牌地址", "Address", "text", |f| f.address.clone(), |f, v| f.address = v)}
                                {input("phone", "电话", "Phone", "tel", |f| f.phone.clone().unwrap_or_default(), |f, v| f.phone = Some(v).filter(|s| !s.trim().is_empty()))}
                                {input("members", "人口", "People", "number", |f| f.members.map(|n| n.to_string()).unwrap_or_default(), |f, v| f.members = v.trim().parse().ok().or_else(|| (!v.trim().is_empty()).then_some(0)))}
                                <button type="submit" class="btn btn-secondary btn-small" data-testid="household-add">{move || lang.get().pick("添加", "Add")}</button>
                            </form>
                        })}
                    }.into_any()
                }
            }}
        </div>
    }
}
