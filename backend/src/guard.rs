//! Cross-site request forgery guard for the API. A state-changing request (any method but
//! GET, HEAD and OPTIONS) is refused with 403 when the browser says it comes from another
//! site: `Sec-Fetch-Site` other than `same-origin` or `none`, or — from browsers that do not
//! send that header — an `Origin` that is not this server's own (compared with `Host`).
//! Requests with neither header come from other software, not from a page a person was lured
//! to, and pass. With the session cookie's `SameSite=Lax` and writes taking only
//! `application/json` (`error::AppJson`, which a cross-site form cannot send without a
//! preflight), this closes the ways a foreign page could act with a signed-in person's
//! cookie — sign-out included.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::{ApiError, ErrorKind};

use crate::error::lang;

/// Middleware: refuses cross-site state-changing requests (see the module doc).
pub async fn same_origin(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers()) {
        let l = lang();
        let body = ApiError::new(ErrorKind::Forbidden, l).with_message(l.pick(
            "拒绝来自其他网站的请求。",
            "Requests from another site are refused.",
        ));
        return crate::error::error_response(body).into_response();
    }
    next.run(req).await
}

/// Whether the request's headers say it was sent by a page of another origin.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match (origin_host, host) {
        (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_cross_site;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_requests_from_another_site_are_cross_site() {
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        let own = [
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ];
        assert!(!is_cross_site(&headers(&own)));
        let foreign = [
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000"),
        ];
        assert!(is_cross_site(&headers(&foreign)));
        assert!(is_cross_site(&headers(&[
            ("origin", "null"),
            ("host", "a")
        ])));
        // The fetch metadata decides when both are sent.
        let both = [
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ];
        assert!(is_cross_site(&headers(&both)));
    }
}
