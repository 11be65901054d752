//! The public pages, rendered on the server: the resident's status look-up and rating at
//! `/status` (`status`), and the online request form at `/request` (`request`).
//!
//! A resident on a village phone network should not download the staff app to learn where
//! their matter stands or to bring a new one, so these pages are plain HTML forms with one
//! small style sheet and no script: a few kilobytes, usable without JavaScript. What they do
//! is the API's own code (the same throttles, the same uniform "not found", the same masking).
//! The page's language is `?lang=en` (or the form's `lang`), else Chinese. Answers are never
//! cached.

pub(crate) mod request;
pub(crate) mod status;

use std::sync::LazyLock;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use sha2::{Digest, Sha256};
use shared::Lang;

use crate::state::AppState;

/// The public pages' style sheet, built into the server.
const STYLE: &str = include_str!("../../assets/public.css");

/// `/public-<hash>.css`: the style sheet's address carries its content hash, so it is cached
/// for a year and a new release is fetched at once.
static STYLE_PATH: LazyLock<String> = LazyLock::new(|| {
    let hash: String = Sha256::digest(STYLE.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("/public-{hash}.css")
});

/// The largest look-up or rating form accepted (short fields, a comment of 500 characters
/// percent-encoded, and the language).
pub const FORM_LIMIT: usize = 8 * 1024;

/// `/status`, `/request` and the style sheet.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(status::router())
        .merge(request::router())
        .route(STYLE_PATH.as_str(), get(style))
}

async fn style() -> Response {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLE,
    )
        .into_response()
}

/// The language: the page's own choice (`?lang=en`), else Chinese — like the staff app, the
/// page opens in Chinese whatever the browser prefers (a resident's phone is often set to
/// English by the shop that sold it); the switch in its corner changes it.
fn page_lang(chosen: Option<&str>) -> Lang {
    match chosen {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Which public page is showing (its link in the header is marked current).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Status,
    Request,
}

impl Tab {
    fn path(self) -> &'static str {
        match self {
            Tab::Status => "/status",
            Tab::Request => "/request",
        }
    }
}

/// A public page: the header (the two pages and the language switch) around `content`.
/// `keep` is the query to carry over when the language is switched (e.g. the code filled in).
fn layout(lang: Lang, tab: Tab, title: &str, keep: &[(&str, &str)], content: &Markup) -> Markup {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let (other, other_label, other_tag) = match lang {
        Lang::Zh => ("en", "English", "en"),
        Lang::En => ("zh", "中文", "zh-CN"),
    };
    let mut switch = format!("{}?lang={other}", tab.path());
    for (key, value) in keep.iter().filter(|(_, v)| !v.is_empty()) {
        switch.push('&');
        switch.push_str(key);
        switch.push('=');
        switch.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    }
    let link = |to: Tab| match lang {
        Lang::Zh => to.path().to_owned(),
        Lang::En => format!("{}?lang=en", to.path()),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.pick("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                title { (title) " · " (t("综治中心", "Governance center")) }
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href=(STYLE_PATH.as_str());
            }
            body {
                header.top {
                    span.brand { (t("综治中心", "Governance center")) }
                    a.lang href=(switch) hreflang=(other_tag) lang=(other_tag) data-testid="lang-switch" { (other_label) }
                }
                nav.tabs aria-label=(t("便民服务", "Services")) {
                    @for to in [Tab::Status, Tab::Request] {
                        a href=(link(to)) aria-current=[(to == tab).then_some("page")]
                            data-testid={"tab-" (to.path().trim_start_matches('/'))} {
                            @match to {
                                Tab::Status => { (t("进度查询", "Case status")) },
                                Tab::Request => { (t("网上反映", "Bring a matter")) },
                            }
                        }
                    }
                }
                (content)
            }
        }
    }
}

/// An HTML answer: never cached; a 429 says when to try again (`Retry-After`).
fn html_response(status: StatusCode, retry_after: Option<u64>, body: Markup) -> Response {
    let mut res = (
        status,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.into_string(),
    )
        .into_response();
    if let Some(seconds) = retry_after {
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    }
    res
}
