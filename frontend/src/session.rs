//! Who is signed in. The app asks `GET /api/me` once at start; sign-in and sign-out update the
//! same signals, and a 401 on any later request ends the session in the browser too.

use leptos::prelude::*;
use shared::model::UserInfo;

/// The signed-in user, shared by every page.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The user, or `None` when nobody is signed in.
    pub user: RwSignal<Option<UserInfo>>,
    /// Whether the first `GET /api/me` has answered.
    pub checked: RwSignal<bool>,
}

impl Session {
    /// Creates the session and provides it to the app.
    pub fn provide() -> Session {
        let session = Session {
            user: RwSignal::new(None),
            checked: RwSignal::new(false),
        };
        provide_context(session);
        session
    }
}

/// The app's session.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session {
        user: RwSignal::new(None),
        checked: RwSignal::new(true),
    })
}

/// Where to go after signing in: the `next` parameter if it is a path on this site, else the
/// home page (which sends each role on). Anything that could leave the site (`//evil`, `https://…`) is ignored.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.starts_with("/login") =>
        {
            n.to_owned()
        }
        // The home page sends each role to its first page (the board; a grid worker's grid).
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_returns_only_to_pages_of_this_site() {
        assert_eq!(safe_next(Some("/cases/12")), "/cases/12");
        assert_eq!(safe_next(Some("/board?risk=high")), "/board?risk=high");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/login")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
