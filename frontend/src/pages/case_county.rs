//! The case page's county panel: the town that has the case, its escalations to the county
//! with the county's instructions, and — for whoever may — the lead's transfer to another
//! town's center and escalation to the county, and a county officer's instruction.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::county::{CountyEscalation, CountyText, TownInfo, TransferRequest};
use shared::error::FieldError;
use shared::model::CaseDetail;

use crate::api;
use crate::components::feedback::report_failure;
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;

/// What the reader may do in the panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountyRights {
    /// Transfer the case to another town's center (the lead, before handling).
    pub transfer: bool,
    /// Escalate the case to the county (the lead, while open and none waits).
    pub escalate: bool,
    /// Answer the waiting escalation (a county officer).
    pub instruct: bool,
    /// The reader sees every town (name the case's town).
    pub county_wide: bool,
}

/// Which form is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Transfer,
    Escalate,
}

#[component]
pub fn CountyPanel(
    detail: CaseDetail,
    rights: CountyRights,
    on_change: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(None::<Open>);
    let CaseDetail {
        id,
        version,
        town,
        town_id: own_town,
        county: escalations,
        ..
    } = detail;
    let shown = rights.transfer
        || rights.escalate
        || rights.instruct
        || rights.county_wide
        || !escalations.is_empty();
    shown.then(|| view! {
        <section class="panel" aria-labelledby="county-title" data-testid="county">
            <h2 id="county-title" class="panel-title">{tr(T::CountyEscalationsTitle)}</h2>
            {rights.county_wide.then(|| view! {
                <dl class="facts facts-stack">
                    <div><dt>{tr(T::TownLabel)}</dt><dd data-testid="case-town">{town.clone()}</dd></div>
                </dl>
            })}
            {escalations.is_empty().then(|| view! { <p class="hint">{tr(T::CountyNone)}</p> })}
            <ul class="urgings">
                {escalations.into_iter().map(|e| view! { <EscalationItem e /> }).collect_view()}
            </ul>
            {rights.instruct.then(|| view! { <InstructForm id on_change /> })}
            {(rights.transfer || rights.escalate).then(|| view! {
                <div class="actions-row">
                    {rights.transfer.then(|| view! {
                        <button type="button" class="btn btn-secondary" data-testid="open-transfer"
                            aria-expanded=move || (open.get() == Some(Open::Transfer)).to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Some(Open::Transfer) { None } else { Some(Open::Transfer) })>
                            {tr(T::TransferOpen)}
                        </button>
                    })}
                    {rights.escalate.then(|| view! {
                        <button type="button" class="btn btn-secondary" data-testid="open-escalate"
                            aria-expanded=move || (open.get() == Some(Open::Escalate)).to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Some(Open::Escalate) { None } else { Some(Open::Escalate) })>
                            {tr(T::EscalateOpen)}
                        </button>
                    })}
                </div>
            })}
            {move || match open.get() {
                Some(Open::Transfer) => view! { <TransferForm id version own_town /> }.into_any(),
                Some(Open::Escalate) => view! { <EscalateForm id on_change /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    })
}

#[component]
fn EscalationItem(e: CountyEscalation) -> impl IntoView {
    let lang = use_lang();
    let pending = e.is_pending();
    view! {
        <li class="urging" class:open=pending data-testid="escalation" data-pending=pending.to_string()>
            <p class="urging-what prose">{e.reason.clone()}</p>
            <p class="urging-meta">{e.by.clone()} " · " {time::date_time(e.at)}</p>
            {match (e.instruction.clone(), e.instructed_by.clone(), e.instructed_at) {
                (Some(text), Some(by), Some(at)) => view! {
                    <div class="county-instruction" data-testid="instruction">
                        <p class="urging-meta"><strong>{tr(T::CountyInstructionLabel)}</strong>
                            " · " {by} " · " {time::date_time(at)}</p>
                        <p class="prose">{text}</p>
                    </div>
                }.into_any(),
                _ => view! {
                    <p class="urging-ack pending">{move || T::CountyWaiting.get(lang.get())}</p>
                }.into_any(),
            }}
        </li>
    }
}

/// A one-text form (the escalation, the instruction): its label, its button, what it sends.
#[component]
fn TextForm(
    field_id: &'static str,
    label: T,
    submit_label: T,
    done: T,
    testid: &'static str,
    send: Callback<CountyText, ()>,
    result: RwSignal<Option<Result<(), api::Error>>>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let text = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    Effect::new(move |_| match result.get() {
        Some(Ok(())) => {
            pending.set(false);
            text.set(String::new());
            notices.success(done.get(lang.get_untracked()));
            result.set(None);
        }
        Some(Err(err)) => {
            pending.set(false);
            report_failure(notices, &err, errors, lang.get_untracked());
            result.set(None);
        }
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = CountyText {
            text: text.get_untracked().trim().to_owned(),
        };
        if let Err(fields) = request.check(lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        send.run(request);
    };
    let described = format!("err-{testid}-text");
    view! {
        <form class="urge-form" on:submit=submit novalidate data-testid=testid>
            <div class="field">
                <label for=field_id>{tr(label)}</label>
                <textarea id=field_id name="text" rows="3" aria-describedby=described
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <FieldMessage name="text" errors=errors.into() scope=testid />
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                {move || if pending.get() { T::Saving.get(lang.get()) } else { submit_label.get(lang.get()) }}
            </button>
        </form>
    }
}

#[component]
fn EscalateForm(id: i64, on_change: Callback<()>) -> impl IntoView {
    let result = RwSignal::new(None::<Result<(), api::Error>>);
    let send = Callback::new(move |request: CountyText| {
        spawn_local(async move {
            let r = api::escalate_to_county(id, &request).await.map(|_| ());
            let ok = r.is_ok();
            result.set(Some(r));
            if ok {
                on_change.run(());
            }
        });
    });
    view! {
        <TextForm field_id="escalate-text" label=T::EscalateReason submit_label=T::EscalateSubmit
            done=T::EscalateDone testid="escalate-form" send result />
    }
}

#[component]
fn InstructForm(id: i64, on_change: Callback<()>) -> impl IntoView {
    let result = RwSignal::new(None::<Result<(), api::Error>>);
    let send = Callback::new(move |request: CountyText| {
        spawn_local(async move {
            let r = api::instruct(id, &request).await.map(|_| ());
            let ok = r.is_ok();
            result.set(Some(r));
            if ok {
                on_change.run(());
            }
        });
    });
    view! {
        <TextForm field_id="instruct-text" label=T::InstructLabel submit_label=T::InstructSubmit
            done=T::InstructDone testid="instruct-form" send result />
    }
}

#[component]
fn TransferForm(id: i64, version: i64, own_town: i64) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let navigate = use_navigate();
    let towns = RwSignal::new(Vec::<TownInfo>::new());
    let town = RwSignal::new(String::new());
    let village = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    spawn_local(async move {
        match api::towns().await {
            Ok(list) => towns.set(list.into_iter().filter(|t| t.id != own_town).collect()),
            Err(err) => notices.error(err.message(lang.get_untracked()), None),
        }
    });
    let villages = Memo::new(move |_| {
        let chosen = town.get().parse::<i64>().ok();
        towns.with(|ts| {
            ts.iter()
                .find(|t| Some(t.id) == chosen)
                .map(|t| t.villages.clone())
                .unwrap_or_default()
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let mut fields = Vec::new();
        if town.get_untracked().parse::<i64>().is_err() {
            fields.push(FieldError::new("town", shared::Reason::Required, l));
        }
        let village_id = village.get_untracked().parse::<i64>().unwrap_or(0);
        if village_id <= 0 {
            fields.push(FieldError::new("village_id", shared::Reason::Required, l));
        }
        let request = TransferRequest {
            village_id,
            reason: reason.get_untracked().trim().to_owned(),
            version,
        };
        if let Err(more) = request.check(l) {
            fields.extend(more);
        }
        if !fields.is_empty() {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::transfer(id, &request).await {
                Ok(done) => {
                    let l = lang.get_untracked();
                    notices.success(format!(
                        "{}:{} → {}",
                        T::TransferDone.get(l),
                        done.code,
                        done.town
                    ));
                    // The case is the other town's now: back to this town's board.
                    navigate("/board", Default::default());
                }
                Err(err) => {
                    pending.set(false);
                    report_failure(notices, &err, errors, lang.get_untracked());
                }
            }
        });
    };
    view! {
        <form class="urge-form transfer-form" on:submit=submit novalidate data-testid="transfer-form">
            <h3 class="subhead">{tr(T::TransferTitle)}</h3>
            <p class="hint">{tr(T::TransferHint)}</p>
            <div class="field">
                <label for="transfer-town">{tr(T::TransferTown)}</label>
                <select id="transfer-town" name="town" aria-describedby="err-transfer-town"
                    prop:value=move || town.get()
                    on:change=move |ev| {
                        town.set(event_target_value(&ev));
                        village.set(String::new());
                        errors.update(|e| e.retain(|x| x.field != "town"));
                    }>
                    <option value="">{move || T::ChooseTown.get(lang.get())}</option>
                    {move || towns.get().into_iter().map(|t| view! {
                        <option value=t.id.to_string()>{t.name}</option>
                    }).collect_view()}
                </select>
                <FieldMessage name="town" errors=errors.into() scope="transfer" />
            </div>
            <div class="field">
                <label for="transfer-village">{tr(T::TransferVillage)}</label>
                <select id="transfer-village" name="village_id" aria-describedby="err-transfer-village_id"
                    prop:value=move || village.get()
                    on:change=move |ev| {
                        village.set(event_target_value(&ev));
                        errors.update(|e| e.retain(|x| x.field != "village_id"));
                    }>
                    <option value="">{move || T::ChooseVillage.get(lang.get())}</option>
                    {move || villages.get().into_iter().map(|v| view! {
                        <option value=v.id.to_string()>{v.name}</option>
                    }).collect_view()}
                </select>
                <FieldMessage name="village_id" errors=errors.into() scope="transfer" />
            </div>
            <div class="field">
                <label for="transfer-reason">{tr(T::TransferReason)}</label>
                <textarea id="transfer-reason" name="reason" rows="2" aria-describedby="err-transfer-reason"
                    prop:value=move || reason.get()
                    on:input=move |ev| {
                        reason.set(event_target_value(&ev));
                        errors.update(|e| e.retain(|x| x.field != "reason"));
                    }></textarea>
                <FieldMessage name="reason" errors=errors.into() scope="transfer" />
            </div>
            <button type="submit" class="btn btn-primary" data-testid="transfer" disabled=move || pending.get()>
                {move || if pending.get() { T::Saving.get(lang.get()) } else { T::TransferSubmit.get(lang.get()) }}
            </button>
        </form>
    }
}
