//! The header on every page: the product, navigation, the signed-in user and their role, the
//! language switch, and sign-out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::Lang;
use shared::model::Role;

use crate::api;
use crate::components::notifications::NotificationBell;
use crate::i18n::{self, T, tr, use_lang};
use crate::session::use_session;

/// The app's header.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let lang = use_lang();
    let navigate = use_navigate();
    let signed_in = Memo::new(move |_| session.user.with(Option::is_some));
    let may_register = Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role.may_register()))
    });

    let is_admin = Memo::new(move |_| {
        session.user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.role == shared::model::Role::Admin)
        })
    });

    // The county's officers: the county board and dashboard (no town's case list).
    let is_county = has_role(session, &[Role::CountyOfficer, Role::CountyDepartment]);

    // The figures: the center's lead, the town leaders and the administrator.
    let sees_figures = has_role(session, &[Role::Lead, Role::TownLeader, Role::Admin]);

    // Joint meetings: the center, the town leaders, and the departments they invite.
    // The day's sessions: everyone of a town who takes part in mediation or watches it.
    let sees_sessions = has_role(
        session,
        &[Role::Lead, Role::Clerk, Role::Mediator, Role::Liaison],
    );
    let sees_meetings = has_role(
        session,
        &[
            Role::Lead,
            Role::Clerk,
            Role::TownLeader,
            Role::Admin,
            Role::Liaison,
        ],
    );

    // The reception and service logs: the center's staff and town leaders read them; those who
    // give services log theirs.
    let sees_logs = has_role(
        session,
        &[Role::Lead, Role::Clerk, Role::TownLeader, Role::Mediator],
    );

    // The grid worker's phone page (their units, visits and cases) and the rosters.
    let has_grid = has_role(session, &[Role::GridWorker, Role::TownLeader]);
    let sees_roster = has_role(
        session,
        &[
            Role::Lead,
            Role::Clerk,
            Role::TownLeader,
            Role::GridWorker,
            Role::Mediator,
        ],
    );

    // The risk reports: the police station's liaisons, and the center's lead and clerks.
    let sees_police = Memo::new(move |_| {
        session.user.with(|u| {
            u.as_ref().is_some_and(|u| {
                u.police
                    || matches!(
                        u.role,
                        shared::model::Role::Lead | shared::model::Role::Clerk
                    )
            })
        })
    });

    let switch_lang = move |_| {
        let next = match lang.get_untracked() {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        i18n::remember(next);
        lang.set(next);
    };

    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Whatever the server says, the browser forgets the session.
            let _ = api::logout().await;
            session.user.set(None);
            navigate("/login", Default::default());
        });
    };

    view! {
        <header class="app-header">
            <a class="skip-link" href="#main">{tr(T::SkipToContent)}</a>
            <a class="brand" href="/board" data-testid="brand" aria-label=move || T::AppName.get(lang.get())>
                <span class="brand-mark" aria-hidden="true">"综"</span>
                <span class="brand-text">
                    <span class="brand-name">{tr(T::AppName)}</span>
                    <span class="brand-sub">{tr(T::AppSubtitle)}</span>
                </span>
            </a>
            <nav class="main-nav" aria-label=tr(T::MainNav)>
                <Show when=move || signed_in.get()>
                    <A href="/board" attr:data-testid="nav-board">{tr(T::NavBoard)}</A>
                </Show>
                <Show when=move || signed_in.get() && !is_county.get()>
                    <A href="/cases" exact=true attr:data-testid="nav-cases">{tr(T::NavCases)}</A>
                </Show>
                <Show when=move || is_county.get()>
                    <A href="/county" attr:data-testid="nav-county">{tr(T::NavCounty)}</A>
                </Show>
                <Show when=move || sees_figures.get()>
                    <A href="/dashboard" attr:data-testid="nav-dashboard">{tr(T::NavDashboard)}</A>
                </Show>
                <Show when=move || sees_meetings.get()>
                    <A href="/meetings" attr:data-testid="nav-meetings">{tr(T::NavMeetings)}</A>
                </Show>
                <Show when=move || sees_sessions.get()>
                    <A href="/sessions" attr:data-testid="nav-sessions">{tr(T::NavSessions)}</A>
                </Show>
                <Show when=move || may_register.get()>
                    <A href="/cases/new" attr:data-testid="nav-register">{tr(T::NavRegister)}</A>
                </Show>
                <Show when=move || sees_logs.get()>
                    <A href="/logs" attr:data-testid="nav-logs">{tr(T::NavLogs)}</A>
                </Show>
                <Show when=move || has_grid.get()>
                    <A href="/grid" attr:data-testid="nav-grid">{move || lang.get().pick("我的网格", "My grid")}</A>
                </Show>
                <Show when=move || sees_roster.get()>
                    <A href="/roster" attr:data-testid="nav-roster">{move || lang.get().pick("名册", "Rosters")}</A>
                </Show>
                <Show when=move || sees_police.get()>
                    <A href="/police" attr:data-testid="nav-police">{tr(T::NavPolice)}</A>
                </Show>
                <Show when=move || is_admin.get()>
                    <A href="/admin/org" attr:data-testid="nav-setup">{move || lang.get().pick("组织架构", "Org tree")}</A>
                </Show>
                <Show when=move || is_admin.get()>
                    <A href="/admin/accounts" attr:data-testid="nav-accounts">{move || lang.get().pick("账号", "Accounts")}</A>
                </Show>
                <Show when=move || is_admin.get()>
                    <A href="/admin/calendar" attr:data-testid="nav-calendar">{tr(T::NavCalendar)}</A>
                </Show>
                <Show when=move || is_admin.get()>
                    <A href="/admin/rooms" attr:data-testid="nav-rooms">{tr(T::NavRooms)}</A>
                </Show>
                <Show when=move || is_admin.get()>
                    <A href="/admin/open311" attr:data-testid="nav-open311">{tr(T::NavOpen311)}</A>
                </Show>
                <a href="/status" rel="external" data-testid="nav-status">{tr(T::NavStatus)}</a>
            </nav>
            <div class="header-tools">
                <button
                    type="button"
                    class="btn btn-ghost lang-switch"
                    data-testid="lang-switch"
                    data-lang=move || lang.get().tag()
                    aria-label=tr(T::Language)
                    on:click=switch_lang
                >
                    {tr(T::SwitchTo)}
                </button>
                {move || match session.user.get() {
                    Some(user) => {
                        let role = user.role;
                        view! {
                            <NotificationBell />
                            <span class="user" data-testid="current-user" data-username=user.username>
                                <a class="user-name" href="/password" data-testid="to-password"
                                    title=move || lang.get().pick("修改密码", "Change password")>{user.display_name.clone()}</a>
                                <span class="user-role" data-testid="current-role" data-role=role.as_str()>
                                    {move || role.label(lang.get())}
                                </span>
                            </span>
                            <button type="button" class="btn btn-ghost" data-testid="logout" on:click=logout.clone()>
                                {tr(T::Logout)}
                            </button>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <Show when=move || session.checked.get()>
                                <A href="/login" attr:class="btn btn-ghost" attr:data-testid="nav-login">
                                    {tr(T::SignIn)}
                                </A>
                            </Show>
                        }
                            .into_any()
                    }
                }}
            </div>
        </header>
    }
}

/// Whether the signed-in person has one of `roles` (a menu entry's rule).
fn has_role(session: crate::session::Session, roles: &'static [Role]) -> Memo<bool> {
    Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| roles.contains(&u.role)))
    })
}
