//! The staff pages that are not needed at first, each in a wasm module of its own (code
//! splitting, `wasm_split`): the build cuts every function below, and all it alone uses, out of
//! the main module, and the browser fetches it the first time its page is shown. The main
//! module keeps the frame, the sign-in page and what every page shares.
//!
//! A module that cannot be fetched (the network dropped, or a new version was deployed and the
//! old files are gone) does not stop the app: the page says so and offers to try again or to
//! reload the page. `wasm_split`'s `fallible` mode gives that error instead of a panic.

use std::future::Future;

use futures_util::FutureExt;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

use crate::components::feedback::Loading;
use crate::i18n::{T, tr};

/// A page's module could not be fetched.
#[derive(Debug, Clone, Copy)]
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// What a split function gives: the page's view, once its module is there.
pub type Page = Result<AnyView, NotLoaded>;

#[wasm_split(board, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn board() -> Page {
    Ok(view! { <crate::pages::board::BoardPage /> }.into_any())
}

#[wasm_split(case, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn case() -> Page {
    Ok(view! { <crate::pages::case::CasePage /> }.into_any())
}

#[wasm_split(agreement_print, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn agreement_print() -> Page {
    Ok(view! { <crate::pages::agreement_print::AgreementPrintPage /> }.into_any())
}

#[wasm_split(cases, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn cases() -> Page {
    Ok(view! { <crate::pages::cases::CasesPage /> }.into_any())
}

#[wasm_split(setup, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn setup() -> Page {
    Ok(view! { <crate::pages::setup::SetupPage /> }.into_any())
}

#[wasm_split(county, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn county() -> Page {
    Ok(view! { <crate::pages::county::CountyPage /> }.into_any())
}

#[wasm_split(dashboard, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn dashboard() -> Page {
    Ok(view! { <crate::pages::dashboard::DashboardPage /> }.into_any())
}

#[wasm_split(meetings, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn meetings() -> Page {
    Ok(view! { <crate::pages::meetings::MeetingsPage /> }.into_any())
}

#[wasm_split(meeting, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn meeting() -> Page {
    Ok(view! { <crate::pages::meetings::MeetingPage /> }.into_any())
}

#[wasm_split(sessions, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn sessions() -> Page {
    Ok(view! { <crate::pages::sessions::SessionsDayPage /> }.into_any())
}

#[wasm_split(session_room, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn session_room() -> Page {
    Ok(view! { <crate::pages::session_room::SessionRoomPage /> }.into_any())
}

#[wasm_split(rooms, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn rooms() -> Page {
    Ok(view! { <crate::pages::sessions::RoomsPage /> }.into_any())
}

#[wasm_split(intake, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn intake() -> Page {
    Ok(view! { <crate::pages::intake::IntakePage /> }.into_any())
}

#[wasm_split(accounts, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn accounts() -> Page {
    Ok(view! { <crate::pages::accounts::AccountsPage /> }.into_any())
}

#[wasm_split(audit, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn audit() -> Page {
    Ok(view! { <crate::pages::accounts::AuditPage /> }.into_any())
}

#[wasm_split(password, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn password() -> Page {
    Ok(view! { <crate::pages::accounts::PasswordPage /> }.into_any())
}

#[wasm_split(grid, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn grid() -> Page {
    Ok(view! { <crate::pages::grid::GridPage /> }.into_any())
}

#[wasm_split(roster, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn roster() -> Page {
    Ok(view! { <crate::pages::roster::RosterPage /> }.into_any())
}

#[wasm_split(logs, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn logs() -> Page {
    Ok(view! { <crate::pages::logs::LogsPage /> }.into_any())
}

#[wasm_split(police, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn police() -> Page {
    Ok(view! { <crate::pages::police::PolicePage /> }.into_any())
}

#[wasm_split(calendar, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn calendar() -> Page {
    Ok(view! { <crate::pages::calendar::CalendarPage /> }.into_any())
}

#[wasm_split(open311, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn open311() -> Page {
    Ok(view! { <crate::pages::open311::Open311Page /> }.into_any())
}

/// Where a page's module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Fetching,
    Failed,
    Shown,
}

/// Shows the page `load` gives, with "loading…" while its module is fetched, and a way to try
/// again when it could not be.
///
/// Not a `<Suspense>`: a Suspense would also wait for every resource read inside the page, and
/// show "loading…" in place of the whole page (dropping what has focus) each time one of them
/// reloads, such as the case page's cooperating units on a live event. The page is made once,
/// when its module is there, and then stays.
#[component]
pub fn Deferred<F, Fut>(
    /// One of the split functions above.
    load: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Page> + 'static,
{
    let stage = RwSignal::new(Stage::Fetching);
    let page = StoredValue::new_local(None::<AnyView>);
    let owner = Owner::current().unwrap_or_default();
    let settle = move |loaded: Page| match loaded {
        Ok(view) => {
            page.set_value(Some(view));
            stage.set(Stage::Shown);
        }
        Err(NotLoaded) => stage.set(Stage::Failed),
    };
    // The page is made under this component's owner, so it sees the frame's context and goes
    // when the route does; a fetch still under way then is dropped.
    let fetch = move || {
        owner.with(|| {
            let mut loading = Box::pin(load());
            // A module fetched before is there at once: no "loading…" flash.
            match loading.as_mut().now_or_never() {
                Some(loaded) => settle(loaded),
                None => {
                    stage.set(Stage::Fetching);
                    spawn_local_scoped_with_cancellation(async move { settle(loading.await) });
                }
            }
        })
    };
    fetch();
    move || match stage.get() {
        Stage::Fetching => view! { <Loading /> }.into_any(),
        Stage::Failed => {
            let fetch = fetch.clone();
            view! { <NotLoadedBox retry=move |_| fetch() /> }.into_any()
        }
        Stage::Shown => page
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
    }
}

/// "This page could not be loaded" with "try again" and "reload".
#[component]
fn NotLoadedBox(retry: impl Fn(leptos::ev::MouseEvent) + 'static) -> impl IntoView {
    let reload = |_| {
        let _ = window().location().reload();
    };
    view! {
        <section class="page">
            <div class="state state-error" role="alert" data-testid="page-not-loaded">
                <strong>{tr(T::PageNotLoaded)}</strong>
                <span>{tr(T::PageNotLoadedWhy)}</span>
                <div class="state-actions">
                    <button type="button" class="btn btn-secondary" on:click=retry>
                        {tr(T::Retry)}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=reload>
                        {tr(T::ReloadPage)}
                    </button>
                </div>
            </div>
        </section>
    }
}
