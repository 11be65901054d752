//! Registering a matter (`/cases/new`): the intake form and, once saved, the printable receipt.
//! Made for a trained clerk at the window: sensible defaults (a dispute received at the window,
//! low risk), one keyboard pass from top to bottom, Enter registers from any one-line field,
//! and nothing typed is lost when something is refused. Checks run in the browser with the
//! same `check_register` the server uses; the server's field errors land next to their fields.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::error::FieldError;
use shared::model::{
    CaseDetail, CaseKind, Category, Channel, Gender, OrgLevel, OrgUnit, Outcome, PartyKind,
    PartySide, RiskFlag, RiskLevel,
};
use shared::repeats::{RepeatMatch, id_key, phone_key};
use shared::validate::{ADDRESS_MAX, FACTS_MAX, NAME_MAX, REQUEST_MAX, SUMMARY_MAX};
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::intake::{IntakeForm, PartyRow, remap_party_errors, status_url};
use crate::logic::org::units_below;
use crate::logic::time;
use crate::session::use_session;

/// The intake page.
#[component]
pub fn IntakePage() -> impl IntoView {
    let session = use_session();
    let may_register = move || {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role.may_register()))
    };
    let form = RwSignal::new(IntakeForm::new());
    let saved = RwSignal::new(None::<CaseDetail>);
    // `/cases/new?visit=12`: a visit of the reception log becomes a case.
    let query = leptos_router::hooks::use_query_map();
    if let Some(visit) =
        query.with_untracked(|q| q.get("visit").and_then(|v| v.parse::<i64>().ok()))
    {
        spawn_local(async move {
            // Only a visit not yet registered, and only into a form nobody has typed in yet.
            if let Ok(v) = api::visit(visit).await
                && v.case.is_none()
                && form.try_with_untracked(|f| *f == IntakeForm::new()) == Some(true)
            {
                form.try_set(IntakeForm::from_visit(&v));
            }
        });
    }
    view! {
        <section class="page page-intake" data-testid="intake-page">
            {move || {
                if !may_register() {
                    view! {
                        <h1 class="page-title">{tr(T::IntakeTitle)}</h1>
                        <div class="state state-error" role="alert" data-testid="may-not-register">{tr(T::MayNotRegister)}</div>
                    }.into_any()
                } else if let Some(case) = saved.get() {
                    view! { <Receipt case form saved /> }.into_any()
                } else {
                    view! { <IntakeForm form saved /> }.into_any()
                }
            }}
        </section>
    }
}

/// Focuses the input named `name` (or the first of that name), if there is one.
fn focus_field(name: &str) -> bool {
    let selector = format!("[name=\"{name}\"]");
    if let Ok(Some(el)) = document().query_selector(&selector)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
        return true;
    }
    false
}

/// The input to focus for a refused field (an error about all parties goes to the first name).
fn focus_target(field: &str) -> String {
    match field {
        "parties" => "parties[0].name".to_owned(),
        f if f.starts_with("risk_flags") => "risk_flags".to_owned(),
        f => f.to_owned(),
    }
}

#[component]
fn IntakeForm(form: RwSignal<IntakeForm>, saved: RwSignal<Option<CaseDetail>>) -> impl IntoView {
    let lang = use_lang();
    let org = LocalResource::new(api::org);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let general = RwSignal::new(None::<api::Error>);
    let pending = RwSignal::new(false);
    let errs = Signal::from(errors);
    // The repeat check's matches, for the hint under each party whose number matched.
    let found = RwSignal::new(Vec::<RepeatMatch>::new());

    let show_errors = move |fields: Vec<FieldError>| {
        let first = fields.first().map(|f| focus_target(&f.field));
        errors.set(fields);
        if let Some(name) = first {
            request_animation_frame(move || {
                if !focus_field(&name) {
                    focus_field("summary");
                }
            });
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let (request, rows) = match form.with_untracked(|f| f.to_request(l)) {
            Ok(r) => r,
            Err(fields) => {
                general.set(None);
                show_errors(fields);
                return;
            }
        };
        errors.set(Vec::new());
        general.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::register(&request).await;
            pending.set(false);
            match result {
                Ok(case) => {
                    saved.set(Some(case));
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
                Err(err) => {
                    let fields = remap_party_errors(err.fields(lang.get_untracked()), &rows);
                    general.set(Some(err));
                    show_errors(fields);
                }
            }
        });
    };

    view! {
        <div class="page-head">
            <h1 class="page-title">{tr(T::IntakeTitle)}</h1>
            <p class="muted">{tr(T::IntakeIntro)}</p>
        </div>
        <form class="intake" on:submit=submit novalidate data-testid="intake-form">
            <div class="intake-grid">
                <MatterSection form errors=errs />
                <PlaceSection form errors=errs org />
            </div>
            <PartiesSection form errors=errs found />
            <crate::pages::repeats::RepeatCheck
                search=Signal::derive(move || form.with(|f| f.numbers_to_check()))
                linked=Signal::derive(move || form.with(|f| f.repeat_of.clone()))
                different=Signal::derive(move || form.with(|f| f.not_repeat_of.clone()))
                on_link=Callback::new(move |code: String| form.update(|f| f.toggle_repeat_of(&code)))
                on_different=Callback::new(move |code: String| form.update(|f| f.toggle_not_repeat(&code)))
                on_matches=Callback::new(move |matches: Vec<RepeatMatch>| {
                    // Only when a decision is about a case no longer matched (a write would redraw
                    // the form); nothing once the form is gone.
                    let Some(mut pruned) = form.try_get_untracked() else { return };
                    pruned.keep_decisions_for(&matches);
                    found.try_set(matches);
                    if form.try_with_untracked(|f| *f != pruned) == Some(true) {
                        form.try_set(pruned);
                    }
                })
                petition=Signal::derive(move || form.with(|f| f.kind == CaseKind::Petition))
            />
            <ContentSection form errors=errs />
            <SpotSection form errors=errs />
            <div class="form-actions">
                {move || {
                    let fields = errors.with(|e| !e.is_empty());
                    let err = general.get();
                    (fields || err.is_some()).then(|| view! {
                        <p class="form-error" role="alert" data-testid="form-error">
                            {move || match &err {
                                Some(e) => e.message(lang.get()),
                                None => T::FixErrors.get(lang.get()).to_owned(),
                            }}
                        </p>
                    })
                }}
                <button type="submit" class="btn btn-primary btn-large" data-testid="submit-case"
                    disabled=move || pending.get()>
                    {move || if pending.get() { T::SavingCase.get(lang.get()) } else { T::SaveCase.get(lang.get()) }}
                </button>
            </div>
        </form>
    }
}

/// A select of one of `shared`'s vocabularies.
fn vocab_options<V: Copy + PartialEq + Send + Sync + 'static>(
    all: &'static [V],
    wire: fn(V) -> &'static str,
    label: fn(V, shared::Lang) -> &'static str,
    current: impl Fn() -> Option<V> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    all.iter()
        .map(|v| {
            let v = *v;
            view! {
                <option value=wire(v) selected=move || current() == Some(v)>{move || label(v, lang.get())}</option>
            }
        })
        .collect_view()
}

/// The categories offered for a new matter: not retired, under the names the administrator
/// gave them (the standard list until the server's arrives, or if it cannot).
fn category_options(
    settings: Option<Vec<shared::categories::CategorySetting>>,
    lang: shared::Lang,
    current: Option<Category>,
) -> impl IntoView {
    let offered: Vec<(Category, String)> = match settings {
        Some(list) => list
            .into_iter()
            .filter(|s| !s.retired || current == Some(s.category))
            .map(|s| (s.category, s.name.get(lang).to_owned()))
            .collect(),
        None => Category::ALL
            .iter()
            .map(|c| (*c, c.label(lang).to_owned()))
            .collect(),
    };
    offered
        .into_iter()
        .map(|(c, name)| view! { <option value=c.as_str() selected=current == Some(c)>{name}</option> })
        .collect_view()
}

#[component]
fn MatterSection(form: RwSignal<IntakeForm>, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let lang = use_lang();
    let categories = RwSignal::new(None::<Vec<shared::categories::CategorySetting>>);
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::categories().await {
            categories.try_set(Some(list));
        }
    });
    view! {
        <fieldset class="form-section">
            <legend>{tr(T::SectionMatter)}</legend>
            <div class="field-row">
                <div class="field">
                    <label for="f-kind">{tr(T::Kind)} <span class="req">"*"</span></label>
                    <select id="f-kind" name="kind" on:change=move |ev| {
                        if let Some(k) = CaseKind::parse(&event_target_value(&ev)) {
                            form.update(|f| f.kind = k);
                        }
                    }>
                        {vocab_options(CaseKind::ALL, CaseKind::as_str, CaseKind::label, move || Some(form.with(|f| f.kind)))}
                    </select>
                    <FieldMessage name="kind" errors />
                </div>
                <div class="field">
                    <label for="f-category">{tr(T::Category)} <span class="req">"*"</span></label>
                    <select id="f-category" name="category" aria-describedby="err-category" on:change=move |ev| {
                        let c = Category::parse(&event_target_value(&ev));
                        form.update(|f| f.category = c);
                    }>
                        <option value="" selected=move || form.with(|f| f.category.is_none())>{tr(T::Choose)}</option>
                        {move || category_options(categories.get(), lang.get(), form.with_untracked(|f| f.category))}
                    </select>
                    <FieldMessage name="category" errors />
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="f-channel">{tr(T::Channel)} <span class="req">"*"</span></label>
                    <select id="f-channel" name="channel" on:change=move |ev| {
                        if let Some(c) = Channel::parse(&event_target_value(&ev)) {
                            form.update(|f| f.channel = c);
                        }
                    }>
                        {vocab_options(Channel::ALL, Channel::as_str, Channel::label, move || Some(form.with(|f| f.channel)))}
                    </select>
                </div>
                <fieldset class="field">
                    <legend>{tr(T::Risk)} <span class="req">"*"</span></legend>
                    <div class="segmented" role="radiogroup">
                        {RiskLevel::ALL
                            .iter()
                            .map(|r| {
                                let r = *r;
                                let id = format!("f-risk-{}", r.as_str());
                                let label_for = id.clone();
                                view! {
                                    <input
                                        type="radio"
                                        id=id
                                        name="risk"
                                        value=r.as_str()
                                        prop:checked=move || form.with(|f| f.risk == r)
                                        on:change=move |_| form.update(|f| f.risk = r)
                                    />
                                    <label for=label_for class=format!("seg seg-risk-{}", r.as_str())>
                                        {move || r.label(lang.get())}
                                    </label>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            </div>
            <fieldset class="field">
                <legend>{tr(T::RiskFlags)} <span class="opt">{tr(T::Optional)}</span></legend>
                <div class="check-grid">
                    {RiskFlag::ALL
                        .iter()
                        .map(|flag| {
                            let flag = *flag;
                            let id = format!("f-flag-{}", flag.as_str());
                            let label_for = id.clone();
                            view! {
                                <label class="check" for=label_for>
                                    <input
                                        type="checkbox"
                                        id=id
                                        name="risk_flags"
                                        value=flag.as_str()
                                        prop:checked=move || form.with(|f| f.risk_flags.contains(&flag))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            form.update(|f| f.toggle_flag(flag, on));
                                        }
                                    />
                                    <span>{move || flag.label(lang.get())}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </fieldset>
    }
}

#[component]
fn PlaceSection(
    form: RwSignal<IntakeForm>,
    errors: Signal<Vec<FieldError>>,
    org: LocalResource<api::Result<Vec<OrgUnit>>>,
) -> impl IntoView {
    view! {
        <fieldset class="form-section">
            <legend>{tr(T::SectionPlace)}</legend>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match org.await {
                        Ok(units) => view! { <PlacePicker units form errors /> }.into_any(),
                        Err(err) => view! {
                            <ErrorBox error=err title=T::OrgFailed retry=Callback::new(move |_| org.refetch()) />
                        }.into_any(),
                    }
                })}
            </Suspense>
        </fieldset>
    }
}

#[component]
fn PlacePicker(
    units: Vec<OrgUnit>,
    form: RwSignal<IntakeForm>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let units = StoredValue::new(units);
    let villages = units.with_value(|u| units_below(u, None, OrgLevel::Village));
    // With a single village there is nothing to choose.
    if villages.len() == 1 && form.with_untracked(|f| f.village.is_none()) {
        let id = villages[0].id;
        form.update(|f| f.set_village(Some(id)));
    }
    let areas = Memo::new(move |_| {
        let village = form.with(|f| f.village);
        village
            .map(|v| units.with_value(|u| units_below(u, Some(v), OrgLevel::Area)))
            .unwrap_or_default()
    });
    let groups = Memo::new(move |_| {
        let area = form.with(|f| f.area);
        area.map(|a| units.with_value(|u| units_below(u, Some(a), OrgLevel::Group)))
            .unwrap_or_default()
    });
    let options = move |list: Vec<OrgUnit>, current: Option<i64>| {
        list.into_iter()
            .map(|u| {
                let selected = current == Some(u.id);
                view! { <option value=u.id.to_string() selected=selected>{u.name}</option> }
            })
            .collect_view()
    };
    let parse = |v: String| v.parse::<i64>().ok();
    view! {
        <div class="field">
            <label for="f-village">{tr(T::Village)} <span class="req">"*"</span></label>
            <select id="f-village" name="village_id" aria-describedby="err-village_id"
                on:change=move |ev| {
                    let v = parse(event_target_value(&ev));
                    form.update(|f| f.set_village(v));
                }>
                <option value="" selected=move || form.with(|f| f.village.is_none())>{tr(T::Choose)}</option>
                {move || options(villages.clone(), form.with(|f| f.village))}
            </select>
            <FieldMessage name="village_id" errors />
        </div>
        <div class="field-row">
            <div class="field">
                <label for="f-area">{tr(T::Area)} <span class="opt">{tr(T::Optional)}</span></label>
                <select id="f-area" name="area_id" disabled=move || areas.with(Vec::is_empty)
                    on:change=move |ev| {
                        let v = parse(event_target_value(&ev));
                        form.update(|f| f.set_area(v));
                    }>
                    <option value="" selected=move || form.with(|f| f.area.is_none())>{tr(T::NoneChosen)}</option>
                    {move || options(areas.get(), form.with(|f| f.area))}
                </select>
                <FieldMessage name="area_id" errors />
            </div>
            <div class="field">
                <label for="f-group">{tr(T::Group)} <span class="opt">{tr(T::Optional)}</span></label>
                <select id="f-group" name="group_id" disabled=move || groups.with(Vec::is_empty)
                    on:change=move |ev| {
                        let v = parse(event_target_value(&ev));
                        form.update(|f| f.group = v);
                    }>
                    <option value="" selected=move || form.with(|f| f.group.is_none())>{tr(T::NoneChosen)}</option>
                    {move || options(groups.get(), form.with(|f| f.group))}
                </select>
                <FieldMessage name="group_id" errors />
            </div>
        </div>
    }
}

#[component]
fn PartiesSection(
    form: RwSignal<IntakeForm>,
    errors: Signal<Vec<FieldError>>,
    found: RwSignal<Vec<RepeatMatch>>,
) -> impl IntoView {
    let add = move |side: PartySide| {
        let mut added = None;
        form.update(|f| added = f.add_party(side));
        if let Some(id) = added {
            request_animation_frame(move || {
                if let Some(i) = form.with_untracked(|f| f.party_index(id)) {
                    focus_field(&format!("parties[{i}].name"));
                }
            });
        }
    };
    view! {
        <fieldset class="form-section">
            <legend>{tr(T::SectionParties)}</legend>
            <FieldMessage name="parties" errors />
            <div class="parties">
                <For each=move || form.with(|f| f.parties.iter().map(|p| p.id).collect::<Vec<_>>()) key=|id| *id let:row_id>
                    <PartyRowView form row_id errors found />
                </For>
            </div>
            <div class="row-actions">
                <button type="button" class="btn btn-secondary" data-testid="add-applicant"
                    on:click=move |_| add(PartySide::Applicant)>
                    "+ " {tr(T::AddApplicant)}
                </button>
                <button type="button" class="btn btn-secondary" data-testid="add-respondent"
                    on:click=move |_| add(PartySide::Respondent)>
                    "+ " {tr(T::AddRespondent)}
                </button>
                <span class="hint">{tr(T::BlankRowsHint)}</span>
            </div>
        </fieldset>
    }
}

#[component]
fn PartyRowView(
    form: RwSignal<IntakeForm>,
    row_id: u32,
    errors: Signal<Vec<FieldError>>,
    found: RwSignal<Vec<RepeatMatch>>,
) -> impl IntoView {
    let lang = use_lang();
    let index = Memo::new(move |_| form.with(|f| f.party_index(row_id).unwrap_or(0)));
    let row = Memo::new(move |_| {
        form.with(|f| {
            f.parties
                .iter()
                .find(|p| p.id == row_id)
                .cloned()
                .unwrap_or_else(|| PartyRow::new(row_id, PartySide::Applicant))
        })
    });
    let name_of = move |field: &'static str| {
        Signal::derive(move || format!("parties[{}].{field}", index.get()))
    };
    let id_of = move |field: &'static str| move || format!("p{row_id}-{field}");
    let edit = move |change: Box<dyn FnOnce(&mut PartyRow)>| {
        form.update(|f| {
            if let Some(p) = f.party_mut(row_id) {
                change(p);
            }
        });
    };
    let heading = move || {
        let r = row.get();
        let l = lang.get();
        let n = form.with(|f| {
            f.parties
                .iter()
                .take(index.get() + 1)
                .filter(|p| p.side == r.side)
                .count()
        });
        i18n::party_heading(r.side.label(l), n, l)
    };
    let is_person = move || row.with(|r| r.kind == PartyKind::Person);

    // One text input of the row.
    let text_input = move |field: &'static str,
                           label: T,
                           kind: &'static str,
                           max: u32,
                           get: fn(&PartyRow) -> String,
                           set: fn(&mut PartyRow, String)| {
        let name = name_of(field);
        let described = move || format!("err-{}", name.get());
        view! {
            <div class=format!("field field-{field}")>
                <label for=id_of(field)>{tr(label)} {(field == "name").then(|| view! { <span class="req">"*"</span> })}</label>
                <input
                    id=id_of(field)
                    name=move || name.get()
                    type=kind
                    maxlength=max.to_string()
                    aria-describedby=described
                    prop:value=move || row.with(get)
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        edit(Box::new(move |p| set(p, v)));
                    }
                />
                <FieldMessage name=name errors />
            </div>
        }
    };

    view! {
        <fieldset class="party" data-testid="party-row" data-side=move || row.with(|r| r.side.as_str())>
            <legend>{heading}</legend>
            <div class="party-grid">
                <div class="field field-side">
                    <label for=id_of("side")>{tr(T::Side)}</label>
                    <select id=id_of("side") name=move || name_of("side").get() on:change=move |ev| {
                        if let Some(s) = PartySide::parse(&event_target_value(&ev)) {
                            edit(Box::new(move |p| p.side = s));
                        }
                    }>
                        {[PartySide::Applicant, PartySide::Respondent]
                            .into_iter()
                            .map(|s| view! {
                                <option value=s.as_str() selected=move || row.with(|r| r.side == s)>{move || s.label(lang.get())}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field field-kind">
                    <label for=id_of("kind")>{tr(T::PartyKind)}</label>
                    <select id=id_of("kind") name=move || name_of("kind").get() on:change=move |ev| {
                        if let Some(k) = PartyKind::parse(&event_target_value(&ev)) {
                            edit(Box::new(move |p| p.kind = k));
                        }
                    }>
                        {PartyKind::ALL
                            .iter()
                            .map(|k| {
                                let k = *k;
                                view! {
                                    <option value=k.as_str() selected=move || row.with(|r| r.kind == k)>{move || k.label(lang.get())}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                {text_input("name", T::Name, "text", NAME_MAX, |p| p.name.clone(), |p, v| p.name = v)}
                <Show when=is_person>
                    <div class="field field-gender">
                        <label for=id_of("gender")>{tr(T::Gender)}</label>
                        <select id=id_of("gender") name=move || name_of("gender").get() on:change=move |ev| {
                            let v = event_target_value(&ev);
                            edit(Box::new(move |p| p.gender = v));
                        }>
                            <option value="" selected=move || row.with(|r| r.gender.is_empty())>{tr(T::Dash)}</option>
                            {Gender::ALL
                                .iter()
                                .map(|g| {
                                    let g = *g;
                                    view! {
                                        <option value=g.as_str() selected=move || row.with(|r| r.gender == g.as_str())>{move || g.label(lang.get())}</option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {text_input("age", T::Age, "number", 3, |p| p.age.clone(), |p, v| p.age = v)}
                </Show>
                {text_input("phone", T::Phone, "tel", 20, |p| p.phone.clone(), |p, v| p.phone = v)}
                <Show when=is_person>
                    {text_input("id_number", T::IdNumber, "text", 18, |p| p.id_number.clone(), |p, v| p.id_number = v)}
                </Show>
                {text_input("address", T::Address, "text", ADDRESS_MAX, |p| p.address.clone(), |p, v| p.address = v)}
            </div>
            {move || {
                // This party's numbers among the repeat check's matches: said here, where the
                // number was typed, with a link down to the check.
                let (phone, id) = row.with(|r| {
                    (
                        phone_key(&r.phone.replace(' ', "")),
                        id_key(&r.id_number),
                    )
                });
                let n = found.with(|m| {
                    m.iter()
                        .filter(|m| Some(&m.key) == phone.as_ref() || Some(&m.key) == id.as_ref())
                        .count()
                });
                (n > 0).then(|| view! {
                    <p class="repeat-hint" data-testid="repeat-hint">
                        <a href="#repeat-check-title">{move || i18n::repeat_hint(n, lang.get())}</a>
                    </p>
                })
            }}
            <button type="button" class="btn btn-link btn-remove" data-testid="remove-party"
                hidden=move || form.with(|f| f.parties.len() <= 1)
                on:click=move |_| form.update(|f| f.remove_party(row_id))>
                {tr(T::RemoveParty)}
            </button>
        </fieldset>
    }
}

#[component]
fn ContentSection(form: RwSignal<IntakeForm>, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let summary_len = move || form.with(|f| f.summary.chars().count());
    view! {
        <fieldset class="form-section">
            <legend>{tr(T::SectionContent)}</legend>
            <div class="field">
                <label for="f-summary">
                    {tr(T::Summary)} <span class="req">"*"</span>
                    <span class="counter" class:over={move || summary_len() > SUMMARY_MAX as usize}>
                        {move || i18n::char_count(summary_len(), SUMMARY_MAX)}
                    </span>
                </label>
                <input id="f-summary" name="summary" type="text" aria-describedby="err-summary"
                    prop:value=move || form.with(|f| f.summary.clone())
                    on:input=move |ev| form.update(|f| f.summary = event_target_value(&ev)) />
                <FieldMessage name="summary" errors />
            </div>
            <div class="field">
                <label for="f-facts">{tr(T::Facts)} <span class="opt">{tr(T::Optional)}</span></label>
                <textarea id="f-facts" name="facts" rows="4" maxlength=FACTS_MAX.to_string()
                    prop:value=move || form.with(|f| f.facts.clone())
                    on:input=move |ev| form.update(|f| f.facts = event_target_value(&ev))></textarea>
                <FieldMessage name="facts" errors />
            </div>
            <div class="field">
                <label for="f-request">{tr(T::Request)} <span class="opt">{tr(T::Optional)}</span></label>
                <textarea id="f-request" name="request" rows="2" maxlength=REQUEST_MAX.to_string()
                    prop:value=move || form.with(|f| f.request.clone())
                    on:input=move |ev| form.update(|f| f.request = event_target_value(&ev))></textarea>
                <FieldMessage name="request" errors />
            </div>
        </fieldset>
    }
}

#[component]
fn SpotSection(form: RwSignal<IntakeForm>, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let lang = use_lang();
    let on = move || form.with(|f| f.on_the_spot);
    view! {
        <fieldset class="form-section form-section-spot">
            <label class="check check-strong" for="f-spot">
                <input type="checkbox" id="f-spot" name="on_the_spot" data-testid="on-the-spot"
                    prop:checked=on
                    on:change=move |ev| {
                        let v = event_target_checked(&ev);
                        form.update(|f| f.on_the_spot = v);
                    } />
                <span>{tr(T::OnTheSpot)}</span>
            </label>
            <Show when=on>
                <div class="field-row">
                    <div class="field">
                        <label for="f-spot-outcome">{tr(T::SpotOutcome)} <span class="req">"*"</span></label>
                        <select id="f-spot-outcome" name="closed_on_the_spot.outcome"
                            aria-describedby="err-closed_on_the_spot.outcome"
                            on:change=move |ev| {
                                let o = Outcome::parse(&event_target_value(&ev));
                                form.update(|f| f.spot_outcome = o);
                            }>
                            <option value="" selected=move || form.with(|f| f.spot_outcome.is_none())>{tr(T::Choose)}</option>
                            {Outcome::CLOSING
                                .iter()
                                .filter(|o| o.is_resolved())
                                .map(|o| {
                                    let o = *o;
                                    view! {
                                        <option value=o.as_str() selected=move || form.with(|f| f.spot_outcome == Some(o))>
                                            {move || o.label(lang.get())}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <FieldMessage name="closed_on_the_spot.outcome" errors />
                    </div>
                </div>
                <div class="field">
                    <label for="f-spot-summary">{tr(T::SpotSummary)} <span class="req">"*"</span></label>
                    <textarea id="f-spot-summary" name="closed_on_the_spot.summary" rows="2"
                        aria-describedby="err-closed_on_the_spot.summary"
                        prop:value=move || form.with(|f| f.spot_summary.clone())
                        on:input=move |ev| form.update(|f| f.spot_summary = event_target_value(&ev))></textarea>
                    <FieldMessage name="closed_on_the_spot.summary" errors />
                </div>
            </Show>
        </fieldset>
    }
}

/// The printable receipt after registering.
#[component]
fn Receipt(
    case: CaseDetail,
    form: RwSignal<IntakeForm>,
    saved: RwSignal<Option<CaseDetail>>,
) -> impl IntoView {
    let lang = use_lang();
    let origin = window().location().origin().unwrap_or_default();
    let url = status_url(&origin, &case.code);
    let code = case.code.clone();
    let registered_on = time::date(time::date_of(case.registered_at));
    let kind = case.kind;
    let category = case.category;
    let category_name = case.category_name.clone();
    let closed = !case.stage.is_open();
    let href = format!("/cases/{}", case.id);
    let id = case.id;
    // The center, the expected date and the look-up address come from the server (the
    // public address may differ from the one staff use).
    let facts = LocalResource::new(move || api::receipt(id));
    let facts = move || facts.get().and_then(Result::ok);
    let another = move |_| {
        form.update(|f| *f = f.next_after());
        saved.set(None);
        request_animation_frame(|| {
            focus_field("category");
        });
    };
    view! {
        <div class="receipt" data-testid="receipt">
            <div class="receipt-done no-print" role="status">
                <span class="receipt-check" aria-hidden="true">"✓"</span>
                {tr(T::Registered)}
            </div>
            <article class="receipt-paper">
                <header class="receipt-head">
                    <div class="receipt-center" data-testid="receipt-center">
                        {move || facts().and_then(|f| f.center).map(|c| c.name).unwrap_or_else(|| T::ReceiptCenter.get(lang.get()).to_owned())}
                    </div>
                    <h1 class="receipt-title">{tr(T::ReceiptTitle)}</h1>
                </header>
                <div class="receipt-code-label">{tr(T::ReceiptCode)}</div>
                <div class="receipt-code" data-testid="receipt-code">{case.code}</div>
                <dl class="receipt-facts">
                    <div><dt>{tr(T::ReceiptDate)}</dt><dd data-testid="receipt-date">{registered_on}</dd></div>
                    <div><dt>{tr(T::ReceiptKind)}</dt>
                        <dd>{move || format!("{} · {}", kind.label(lang.get()),
                            shared::categories::case_category(category, category_name.as_ref(), lang.get()))}</dd></div>
                    {move || facts().and_then(|f| f.due_on).map(|d| view! {
                        <div><dt>{tr(T::ReceiptDue)}</dt><dd data-testid="receipt-due">{time::date(d)}</dd></div>
                    })}
                </dl>
                {closed.then(|| view! { <p class="receipt-spot">{tr(T::ReceiptSpot)}</p> })}
                <section class="receipt-howto">
                    <h2>{tr(T::ReceiptHowTo)}</h2>
                    <div class="receipt-howto-body">
                        <img class="receipt-qr" src=format!("/api/cases/{id}/qr.svg") width="120" height="120"
                            alt=move || T::ReceiptQrAlt.get(lang.get()) data-testid="receipt-qr" />
                        <div>
                            <p>{tr(T::ReceiptVisit)} " "
                                <strong class="receipt-url" data-testid="receipt-url">
                                    {move || facts().map(|f| f.lookup_url).unwrap_or_else(|| url.clone())}
                                </strong>
                            </p>
                            {move || match facts().and_then(|f| f.query_code) {
                                Some(q) => view! {
                                    <p data-testid="receipt-query">{tr(T::ReceiptNoPhone)} " "
                                        <strong class="receipt-query-code mono" data-testid="receipt-query-code">{q}</strong>
                                    </p>
                                }.into_any(),
                                None => view! { <p>{tr(T::ReceiptEnter)}</p> }.into_any(),
                            }}
                        </div>
                    </div>
                </section>
                {move || facts().and_then(|f| f.center).map(|c| view! {
                    <p class="receipt-contact" data-testid="receipt-contact">
                        {c.address} " · " {tr(T::ReceiptPhone)} " " {c.phone}
                    </p>
                })}
                <p class="receipt-keep">{tr(T::ReceiptKeep)}</p>
            </article>
            <div class="receipt-actions no-print">
                <button type="button" class="btn btn-primary" data-testid="print-receipt"
                    on:click=move |_| { let _ = window().print(); }>
                    {tr(T::Print)}
                </button>
                <button type="button" class="btn btn-secondary" data-testid="new-case" on:click=another>
                    {tr(T::RegisterAnother)}
                </button>
                <a class="btn btn-secondary" href=href data-testid="open-case">{tr(T::OpenCase)}</a>
                <a class="btn btn-link" href=status_url(&origin, &code) rel="external" data-testid="receipt-status-link">{tr(T::NavStatus)}</a>
            </div>
        </div>
    }
}
