//! `/logs`: the reception log (来访接待) and the service log (法律、心理服务), a day (or a
//! period) at a time. The hall's clerk logs a visitor in seconds — the place and purpose are
//! kept for the next one, a group of five or more is flagged as it is typed — and a visit
//! becomes a case with one click (the intake form fills itself from it). Those who give legal
//! and psychological services log them beside it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::error::FieldError;
use shared::logs::{GROUP_VISIT, LogPeriod, NewService, NewVisit, Services, Visits, is_group};
use shared::model::{Role, ServiceKind, VisitPurpose};

use crate::api;
use crate::components::feedback::{Empty, ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::{self, T, tr, use_lang};
use crate::logic::time;
use crate::session::use_session;

/// What the page may do for the signed-in person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rights {
    log_visits: bool,
    read_visits: bool,
    log_services: bool,
}

impl Rights {
    fn of(role: Option<Role>) -> Rights {
        let staff = matches!(role, Some(Role::Lead | Role::Clerk));
        Rights {
            log_visits: staff,
            read_visits: staff || role == Some(Role::TownLeader),
            log_services: staff || matches!(role, Some(Role::Mediator | Role::Liaison)),
        }
    }
}

/// The logs page.
#[component]
pub fn LogsPage() -> impl IntoView {
    let session = use_session();
    let rights = Memo::new(move |_| Rights::of(session.user.with(|u| u.as_ref().map(|u| u.role))));
    let today = time::today();
    // `/logs?from=…&to=…` (the dashboard links so); today otherwise.
    let query = leptos_router::hooks::use_query_map();
    let day = |key: &str| {
        query.with_untracked(|q| {
            q.get(key)
                .and_then(|v| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok())
        })
    };
    let from = RwSignal::new(day("from").unwrap_or(today));
    let to = RwSignal::new(day("to").unwrap_or(today));
    let period = Memo::new(move |_| LogPeriod {
        from: Some(from.get()),
        to: Some(to.get()),
    });
    let day_input = move |id: &'static str, label: T, value: RwSignal<chrono::NaiveDate>| {
        view! {
            <div class="field field-inline">
                <label for=id>{tr(label)}</label>
                <input type="date" id=id name=id data-testid=id
                    prop:value=move || time::date(value.get())
                    on:change=move |ev| {
                        if let Ok(d) = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") {
                            value.set(d);
                        }
                    } />
            </div>
        }
    };
    view! {
        <section class="page page-logs" data-testid="logs-page">
            <div class="page-head">
                <h1 class="page-title">{tr(T::LogsTitle)}</h1>
                <p class="muted">{tr(T::LogsIntro)}</p>
            </div>
            <div class="logs-period" role="group" aria-label=tr(T::LogsPeriod)>
                {day_input("logs-from", T::LogsFrom, from)}
                {day_input("logs-to", T::LogsTo, to)}
            </div>
            <div class="logs-grid">
                <Show when=move || rights.get().read_visits>
                    <VisitsPanel period may_log=Signal::derive(move || rights.get().log_visits) />
                </Show>
                <Show when=move || rights.get().log_services || rights.get().read_visits>
                    <ServicesPanel period may_log=Signal::derive(move || rights.get().log_services) />
                </Show>
            </div>
        </section>
    }
}

/// One text input of a log's form: `id` (`visit-place`; the part after the dash is the
/// field's name in the request and its errors), its label and input type.
fn text_field<F: Send + Sync + 'static>(
    form: RwSignal<F>,
    errors: Signal<Vec<FieldError>>,
    (id, label, kind): (&'static str, T, &'static str),
    get: fn(&F) -> String,
    set: fn(&mut F, String),
) -> impl IntoView {
    let field = id.split_once('-').map_or(id, |(_, f)| f);
    view! {
        <div class=format!("field field-{field}")>
            <label for=id>{tr(label)}</label>
            <input id=id name=field type=kind aria-describedby=format!("err-{field}")
                prop:value=move || form.with(get)
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    form.update(|f| set(f, v));
                } />
            <FieldMessage name=field errors />
        </div>
    }
}

/// The visit form as typed (place and purpose kept for the next visitor).
#[derive(Debug, Clone, PartialEq, Eq)]
struct VisitForm {
    place: String,
    purpose: VisitPurpose,
    visitors: String,
    name: String,
    phone: String,
    note: String,
    case_code: String,
}

impl VisitForm {
    fn new(lang: shared::Lang) -> VisitForm {
        VisitForm {
            place: T::VisitorHallPlace.get(lang).to_owned(),
            purpose: VisitPurpose::Dispute,
            visitors: "1".into(),
            name: String::new(),
            phone: String::new(),
            note: String::new(),
            case_code: String::new(),
        }
    }

    fn people(&self) -> Option<u32> {
        self.visitors.trim().parse().ok()
    }

    fn request(&self) -> NewVisit {
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        NewVisit {
            at: None,
            place: self.place.trim().to_owned(),
            purpose: self.purpose,
            // A number that does not parse is sent as 0, which the server refuses by name.
            visitors: Some(self.people().unwrap_or(0)),
            name: self.name.trim().to_owned(),
            phone: optional(&self.phone),
            note: self.note.trim().to_owned(),
            received_by: None,
            case_code: optional(&self.case_code),
        }
    }
}

#[component]
fn VisitsPanel(period: Memo<LogPeriod>, may_log: Signal<bool>) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let list = RwSignal::new(None::<Result<Visits, api::Error>>);
    // Each load is numbered: an answer that comes after a later load started is dropped, so
    // the table always shows the period the inputs show.
    let seq = StoredValue::new(0u64);
    let load = move || {
        let p = period.get_untracked();
        let n = seq.get_value() + 1;
        seq.set_value(n);
        spawn_local(async move {
            let answer = api::visits(&p).await;
            if seq.try_get_value() == Some(n) {
                list.try_set(Some(answer));
            }
        });
    };
    Effect::new(move |_| {
        period.track();
        load();
    });
    let form = RwSignal::new(VisitForm::new(lang.get_untracked()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let errs = Signal::from(errors);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = form.with_untracked(VisitForm::request);
        if let Err(fields) = request.check(lang.get_untracked(), time::now()) {
            errors.set(fields);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let answer = api::log_visit(&request).await;
            pending.set(false);
            match answer {
                Ok(v) => {
                    errors.set(Vec::new());
                    notices.success(i18n::visit_logged(v.visitors, lang.get_untracked()));
                    // The place and purpose stay for the next visitor.
                    form.update(|f| {
                        *f = VisitForm {
                            place: f.place.clone(),
                            purpose: f.purpose,
                            ..VisitForm::new(lang.get_untracked())
                        };
                    });
                    load();
                }
                Err(e) => {
                    errors.set(e.fields(lang.get_untracked()));
                    if e.fields(lang.get_untracked()).is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                }
            }
        });
    };
    let text = move |id, label, kind, get, set| text_field(form, errs, (id, label, kind), get, set);
    let group = move || form.with(|f| f.people().is_some_and(is_group));
    view! {
        <section class="panel" aria-labelledby="visits-title" data-testid="visits">
            <h2 id="visits-title" class="panel-title">{tr(T::VisitsTitle)}</h2>
            <Show when=move || may_log.get()>
                <form class="log-form" on:submit=submit novalidate data-testid="visit-form">
                    <div class="log-grid">
                        {text("visit-place", T::VisitPlace, "text", |f| f.place.clone(), |f, v| f.place = v)}
                        <div class="field field-purpose">
                            <label for="visit-purpose">{tr(T::VisitPurposeLabel)}</label>
                            <select id="visit-purpose" name="purpose" on:change=move |ev| {
                                if let Some(p) = VisitPurpose::parse(&event_target_value(&ev)) {
                                    form.update(|f| f.purpose = p);
                                }
                            }>
                                {VisitPurpose::ALL.iter().map(|p| {
                                    let p = *p;
                                    view! { <option value=p.as_str() selected=move || form.with(|f| f.purpose == p)>{move || p.label(lang.get())}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        {text("visit-visitors", T::VisitPeople, "number", |f| f.visitors.clone(), |f, v| f.visitors = v)}
                        {text("visit-name", T::VisitName, "text", |f| f.name.clone(), |f, v| f.name = v)}
                        {text("visit-phone", T::Phone, "tel", |f| f.phone.clone(), |f, v| f.phone = v)}
                        {text("visit-case_code", T::LinkedCase, "text", |f| f.case_code.clone(), |f, v| f.case_code = v)}
                    </div>
                    <div class="field">
                        <label for="visit-note">{tr(T::VisitNote)}</label>
                        <textarea id="visit-note" name="note" rows="2" aria-describedby="err-note"
                            prop:value=move || form.with(|f| f.note.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.note = v); }></textarea>
                        <FieldMessage name="note" errors=errs />
                    </div>
                    <Show when=group>
                        <p class="group-warning" role="status" data-testid="group-warning">{move || i18n::group_visit_hint(GROUP_VISIT, lang.get())}</p>
                    </Show>
                    <FieldMessage name="at" errors=errs />
                    <FieldMessage name="received_by" errors=errs />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" data-testid="log-visit" disabled=move || pending.get()>
                            {tr(T::LogVisit)}
                        </button>
                    </div>
                </form>
            </Show>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e title=T::VisitsTitle retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(v)) => view! { <VisitList visits=v may_register=may_log.get() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn VisitList(visits: Visits, may_register: bool) -> impl IntoView {
    let lang = use_lang();
    let (entries, people, groups) = (visits.entries, visits.people, visits.groups);
    view! {
        <p class="log-totals" data-testid="visit-totals">{move || i18n::visit_totals(entries, people, groups, lang.get())}</p>
        {if visits.items.is_empty() {
            view! { <Empty text=T::NoVisits /> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="log-table" data-testid="visit-list">
                        <thead><tr>
                            <th scope="col">{tr(T::LogTime)}</th>
                            <th scope="col">{tr(T::VisitPurposeLabel)}</th>
                            <th scope="col">{tr(T::VisitName)}</th>
                            <th scope="col">{tr(T::VisitPeople)}</th>
                            <th scope="col">{tr(T::ReceivedBy)}</th>
                            <th scope="col">{tr(T::LinkedCase)}</th>
                        </tr></thead>
                        <tbody>
                            {visits.items.into_iter().map(|v| {
                                let purpose = v.purpose;
                                view! {
                                    <tr data-testid="visit-row" data-group=v.group.to_string()>
                                        <td class="nowrap">{time::date_time(v.at)}<br /><span class="muted">{v.place.clone()}</span></td>
                                        <td>{move || purpose.label(lang.get())}{(!v.note.is_empty()).then(|| view! { <br /><span class="muted">{v.note.clone()}</span> })}</td>
                                        <td>{if v.name.is_empty() { "—".to_owned() } else { v.name.clone() }}{v.phone.clone().map(|p| view! { <br /><span class="mono">{p}</span> })}</td>
                                        <td class="nowrap">{v.visitors}{v.group.then(|| view! { " " <span class="chip chip-urged" data-testid="group-visit">{tr(T::GroupVisit)}</span> })}</td>
                                        <td>{v.received_by.clone()}</td>
                                        <td>{match v.case.clone() {
                                            Some(c) => view! { <a class="mono" href=format!("/cases/{}", c.id)>{c.code}</a> }.into_any(),
                                            None if may_register => view! {
                                                <a class="btn btn-secondary btn-small" data-testid="register-from-visit"
                                                    href=format!("/cases/new?visit={}", v.id)>{tr(T::RegisterFromVisit)}</a>
                                            }.into_any(),
                                            None => view! { <span class="muted">"—"</span> }.into_any(),
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// The service form as typed (the kind kept for the next one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServiceForm {
    kind: ServiceKind,
    person: String,
    minutes: String,
    note: String,
    case_code: String,
}

impl ServiceForm {
    fn new() -> ServiceForm {
        ServiceForm {
            kind: ServiceKind::LegalConsultation,
            person: String::new(),
            minutes: "30".into(),
            note: String::new(),
            case_code: String::new(),
        }
    }

    fn request(&self) -> NewService {
        NewService {
            at: None,
            kind: self.kind,
            person: self.person.trim().to_owned(),
            given_by: None,
            minutes: self.minutes.trim().parse().unwrap_or(0),
            note: self.note.trim().to_owned(),
            case_code: Some(self.case_code.trim().to_owned()).filter(|c| !c.is_empty()),
        }
    }
}

#[component]
fn ServicesPanel(period: Memo<LogPeriod>, may_log: Signal<bool>) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let list = RwSignal::new(None::<Result<Services, api::Error>>);
    // Each load is numbered: an answer that comes after a later load started is dropped, so
    // the table always shows the period the inputs show.
    let seq = StoredValue::new(0u64);
    let load = move || {
        let p = period.get_untracked();
        let n = seq.get_value() + 1;
        seq.set_value(n);
        spawn_local(async move {
            let answer = api::services(&p).await;
            if seq.try_get_value() == Some(n) {
                list.try_set(Some(answer));
            }
        });
    };
    Effect::new(move |_| {
        period.track();
        load();
    });
    let form = RwSignal::new(ServiceForm::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let errs = Signal::from(errors);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = form.with_untracked(ServiceForm::request);
        if let Err(fields) = request.check(lang.get_untracked(), time::now()) {
            errors.set(fields);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let answer = api::log_service(&request).await;
            pending.set(false);
            match answer {
                Ok(_) => {
                    errors.set(Vec::new());
                    notices.success(T::ServiceLogged.get(lang.get_untracked()));
                    form.update(|f| {
                        *f = ServiceForm {
                            kind: f.kind,
                            ..ServiceForm::new()
                        };
                    });
                    load();
                }
                Err(e) => {
                    errors.set(e.fields(lang.get_untracked()));
                    if e.fields(lang.get_untracked()).is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                }
            }
        });
    };
    let text = move |id, label, kind, get, set| text_field(form, errs, (id, label, kind), get, set);
    view! {
        <section class="panel" aria-labelledby="services-title" data-testid="services">
            <h2 id="services-title" class="panel-title">{tr(T::ServicesTitle)}</h2>
            <Show when=move || may_log.get()>
                <form class="log-form" on:submit=submit novalidate data-testid="service-form">
                    <div class="log-grid">
                        <div class="field field-kind">
                            <label for="service-kind">{tr(T::ServiceKindLabel)}</label>
                            <select id="service-kind" name="kind" on:change=move |ev| {
                                if let Some(k) = ServiceKind::parse(&event_target_value(&ev)) {
                                    form.update(|f| f.kind = k);
                                }
                            }>
                                {ServiceKind::ALL.iter().map(|k| {
                                    let k = *k;
                                    view! { <option value=k.as_str() selected=move || form.with(|f| f.kind == k)>{move || k.label(lang.get())}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        {text("service-person", T::ServicePerson, "text", |f| f.person.clone(), |f, v| f.person = v)}
                        {text("service-minutes", T::ServiceMinutes, "number", |f| f.minutes.clone(), |f, v| f.minutes = v)}
                        {text("service-case_code", T::LinkedCase, "text", |f| f.case_code.clone(), |f, v| f.case_code = v)}
                    </div>
                    <div class="field">
                        <label for="service-note">{tr(T::VisitNote)}</label>
                        <textarea id="service-note" name="note" rows="2" aria-describedby="err-note"
                            prop:value=move || form.with(|f| f.note.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.note = v); }></textarea>
                        <FieldMessage name="note" errors=errs />
                    </div>
                    <FieldMessage name="at" errors=errs />
                    <FieldMessage name="given_by" errors=errs />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" data-testid="log-service" disabled=move || pending.get()>
                            {tr(T::LogService)}
                        </button>
                    </div>
                </form>
            </Show>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e title=T::ServicesTitle retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(s)) => view! { <ServiceList services=s /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ServiceList(services: Services) -> impl IntoView {
    let lang = use_lang();
    let (legal, psych, minutes) = (services.legal, services.psychological, services.minutes);
    view! {
        <p class="log-totals" data-testid="service-totals">{move || i18n::service_totals(legal, psych, minutes, lang.get())}</p>
        {if services.items.is_empty() {
            view! { <Empty text=T::NoServices /> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="log-table" data-testid="service-list">
                        <thead><tr>
                            <th scope="col">{tr(T::LogTime)}</th>
                            <th scope="col">{tr(T::ServiceKindLabel)}</th>
                            <th scope="col">{tr(T::ServicePerson)}</th>
                            <th scope="col">{tr(T::ServiceGivenBy)}</th>
                            <th scope="col">{tr(T::ServiceMinutes)}</th>
                            <th scope="col">{tr(T::LinkedCase)}</th>
                        </tr></thead>
                        <tbody>
                            {services.items.into_iter().map(|s| {
                                let kind = s.kind;
                                view! {
                                    <tr data-testid="service-row">
                                        <td class="nowrap">{time::date_time(s.at)}</td>
                                        <td>{move || kind.label(lang.get())}{(!s.note.is_empty()).then(|| view! { <br /><span class="muted">{s.note.clone()}</span> })}</td>
                                        <td>{if s.person.is_empty() { "—".to_owned() } else { s.person.clone() }}</td>
                                        <td>{s.given_by.clone()}</td>
                                        <td class="nowrap">{s.minutes}</td>
                                        <td>{s.case.clone().map_or_else(
                                            || view! { <span class="muted">"—"</span> }.into_any(),
                                            |c| view! { <a class="mono" href=format!("/cases/{}", c.id)>{c.code}</a> }.into_any(),
                                        )}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}
