//! The app's frame and router: the header, the notices, and one route per page (all but the
//! sign-in page loaded when first visited, `split`). Staff pages
//! wait for the session check and send a signed-out person to the sign-in page (and back
//! afterwards). The public status page (`/status`) is not here: the server renders it
//! (`backend::pages`), so a resident never downloads this app.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api;
use crate::components::feedback::Loading;
use crate::components::header::Header;
use crate::components::notice::{NoticeArea, Notices};
use crate::i18n::provide_lang;
use crate::logic::filter::encode_component;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::session::{Session, use_session};
use crate::split::{self, Deferred};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_lang();
    let session = Session::provide();
    Notices::provide();

    // Who is signed in? Asked once; sign-in and sign-out update the session afterwards.
    spawn_local(async move {
        let user = api::me().await.ok();
        session.user.set(user);
        session.checked.set(true);
    });
    // A 401 later on means the session ended on the server.
    api::on_unauthorized(move || session.user.set(None));

    view! {
        <Router>
            <div class="app">
                <Header />
                <main id="main" class="main" tabindex="-1">
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=Home />
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/board") view=|| view! { <Staff><Deferred load=split::board /></Staff> } />
                        <Route path=path!("/cases") view=|| view! { <Staff><Deferred load=split::cases /></Staff> } />
                        <Route path=path!("/cases/new") view=|| view! { <Staff><Deferred load=split::intake /></Staff> } />
                        <Route path=path!("/cases/:id") view=|| view! { <Staff><Deferred load=split::case /></Staff> } />
                        <Route path=path!("/cases/:id/agreement/print") view=|| view! { <Staff><Deferred load=split::agreement_print /></Staff> } />
                        <Route path=path!("/dashboard") view=|| view! { <Staff><Deferred load=split::dashboard /></Staff> } />
                        <Route path=path!("/county") view=|| view! { <Staff><Deferred load=split::county /></Staff> } />
                        <Route path=path!("/meetings") view=|| view! { <Staff><Deferred load=split::meetings /></Staff> } />
                        <Route path=path!("/meetings/:id") view=|| view! { <Staff><Deferred load=split::meeting /></Staff> } />
                        <Route path=path!("/sessions") view=|| view! { <Staff><Deferred load=split::sessions /></Staff> } />
                        <Route path=path!("/sessions/:id") view=|| view! { <Staff><Deferred load=split::session_room /></Staff> } />
                        <Route path=path!("/admin/rooms") view=|| view! { <Staff><Deferred load=split::rooms /></Staff> } />
                        <Route path=path!("/police") view=|| view! { <Staff><Deferred load=split::police /></Staff> } />
                        <Route path=path!("/logs") view=|| view! { <Staff><Deferred load=split::logs /></Staff> } />
                        <Route path=path!("/grid") view=|| view! { <Staff><Deferred load=split::grid /></Staff> } />
                        <Route path=path!("/password") view=|| view! { <Staff><Deferred load=split::password /></Staff> } />
                        <Route path=path!("/admin/org") view=|| view! { <Staff><Deferred load=split::setup /></Staff> } />
                        <Route path=path!("/admin/accounts") view=|| view! { <Staff><Deferred load=split::accounts /></Staff> } />
                        <Route path=path!("/admin/audit") view=|| view! { <Staff><Deferred load=split::audit /></Staff> } />
                        <Route path=path!("/roster") view=|| view! { <Staff><Deferred load=split::roster /></Staff> } />
                        <Route path=path!("/admin/calendar") view=|| view! { <Staff><Deferred load=split::calendar /></Staff> } />
                        <Route path=path!("/admin/open311") view=|| view! { <Staff><Deferred load=split::open311 /></Staff> } />
                    </Routes>
                </main>
                <NoticeArea />
            </div>
        </Router>
    }
}

/// `/`: the board for staff, else the sign-in page.
#[component]
fn Home() -> impl IntoView {
    let session = use_session();
    move || {
        if !session.checked.get() {
            view! { <Loading /> }.into_any()
        } else if session.user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.role == shared::model::Role::GridWorker)
        }) {
            // A grid worker starts on their phone page: their units' cases and the visit form.
            view! { <Redirect path="/grid" /> }.into_any()
        } else if session.user.with(Option::is_some) {
            view! { <Redirect path="/board" /> }.into_any()
        } else {
            view! { <Redirect path="/login" /> }.into_any()
        }
    }
}

/// A page for signed-in staff: waits for the session check, and sends anyone signed out to
/// the sign-in page with the way back in `next`.
#[component]
fn Staff(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let signed_in = Memo::new(move |_| session.user.with(Option::is_some));
    let must_change = Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.must_change_password))
    });
    move || {
        if !session.checked.get() {
            view! { <Loading /> }.into_any()
        } else if must_change.get() && location.pathname.get() != "/password" {
            // A one-time password: the person sets their own before anything else (the server
            // refuses the rest meanwhile).
            view! { <Redirect path="/password" /> }.into_any()
        } else if signed_in.get() {
            children().into_any()
        } else {
            let path = location.pathname.get_untracked();
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                path
            } else {
                format!("{path}?{search}")
            };
            let to = format!("/login?next={}", encode_component(&here));
            view! { <Redirect path=to /> }.into_any()
        }
    }
}
