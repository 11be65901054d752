//! `/police`: the risk reports (民转刑 or group-incident risk) the center sends the police
//! station on registration. The station's liaison acknowledges each; the center's lead and
//! clerks follow which are still unacknowledged.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::PoliceNoticeList;

use crate::api;
use crate::components::feedback::{Empty, ErrorBox, Loading};
use crate::components::notice::use_notices;
use crate::i18n::{T, tr, use_lang};
use crate::logic::time;
use crate::session::use_session;

/// The risk reports page.
#[component]
pub fn PolicePage() -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let session = use_session();
    let list = RwSignal::new(None::<Result<PoliceNoticeList, api::Error>>);
    let load = move || {
        spawn_local(async move {
            list.set(Some(api::police_notices().await));
        });
    };
    load();
    let station = Memo::new(move |_| session.user.with(|u| u.as_ref().is_some_and(|u| u.police)));
    let acknowledge = move |id: i64| {
        spawn_local(async move {
            match api::acknowledge_notice(id).await {
                Ok(fresh) => {
                    notices.success(T::PoliceAcknowledgedNotice.get(lang.get_untracked()));
                    list.set(Some(Ok(fresh)));
                }
                Err(err) => {
                    notices.error(err.message(lang.get_untracked()), None);
                    load();
                }
            }
        });
    };
    view! {
        <section class="page page-police" data-testid="police-page">
            <h1 class="page-title">{tr(T::PoliceTitle)}</h1>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! {
                    <ErrorBox error=err title=T::PoliceTitle retry=Callback::new(move |_| load()) />
                }.into_any(),
                Some(Ok(l)) if l.notices.is_empty() => view! { <Empty text=T::PoliceEmpty /> }.into_any(),
                Some(Ok(l)) => view! {
                    <ul class="police-list">
                        {l.notices.into_iter().map(|n| {
                            let pending = n.acknowledged_at.is_none();
                            let id = n.id;
                            let flags = n.risk_flags.clone();
                            let href = format!("/cases/{}", n.case_id);
                            view! {
                                <li class="panel police-notice" class:pending=pending data-testid="police-item"
                                    data-code=n.case_code data-pending=pending.to_string()>
                                    <div class="police-head">
                                        {if station.get_untracked() {
                                            view! { <strong class="card-code">{n.case_code.clone()}</strong> }.into_any()
                                        } else {
                                            view! { <a class="card-code" href=href>{n.case_code.clone()}</a> }.into_any()
                                        }}
                                        {flags.into_iter().map(|f| view! {
                                            <span class="tag tag-flag">{move || f.label(lang.get())}</span>
                                        }).collect_view()}
                                        <span class="muted">{n.village.clone()} " · " {time::date_time(n.at)}</span>
                                    </div>
                                    <p class="prose">{n.summary.clone()}</p>
                                    {match (n.acknowledged_by.clone(), n.acknowledged_at) {
                                        (Some(by), Some(at)) => view! {
                                            <p class="urging-ack">{move || format!("{} {by} {}", T::PoliceAckBy.get(lang.get()), time::date_time(at))}</p>
                                        }.into_any(),
                                        _ if station.get_untracked() => view! {
                                            <button type="button" class="btn btn-primary" data-testid="police-acknowledge"
                                                on:click=move |_| acknowledge(id)>{tr(T::PoliceAcknowledge)}</button>
                                        }.into_any(),
                                        _ => view! {
                                            <p class="urging-ack pending">{move || match &n.department {
                                                Some(_) => T::PoliceNoticePending.get(lang.get()),
                                                None => T::PoliceNoticeNoStation.get(lang.get()),
                                            }}</p>
                                        }.into_any(),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
