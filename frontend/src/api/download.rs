//! Downloads a file from the API with progress: the answer is read as it streams (bytes, and
//! for CSV its records), kept as the chunks that arrived, and handed to the browser as a file
//! once complete. A download cut off midway is an error, never a short file.

use gloo_net::http::Request;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, ReadableStreamDefaultReader, Url};

use super::{Error, Result, error, session_ended};
use crate::i18n;

/// How far a download is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes received.
    pub bytes: u64,
    /// A CSV's records received, the heading included (line breaks outside quoted fields;
    /// always 0 for other files).
    pub lines: u64,
    /// The rows the server said are coming (`X-Ledger-Rows`), if it said.
    pub rows: Option<u64>,
    /// Whether the server masked personal data (`X-Ledger-Masked`).
    pub masked: bool,
}

fn js_error(e: &JsValue) -> Error {
    Error::Network(format!("{e:?}"))
}

/// Counts a CSV's record ends in `bytes`: line breaks outside quoted fields (a field may hold
/// line breaks; `quoted` carries whether the last chunk ended inside one).
pub fn record_ends(bytes: &[u8], quoted: &mut bool) -> u64 {
    let mut n = 0;
    for b in bytes {
        match b {
            b'"' => *quoted = !*quoted,
            b'\n' if !*quoted => n += 1,
            _ => {}
        }
    }
    n
}

/// Fetches `url` and saves it as `file_name`, calling `progress` as it arrives; returns the
/// final progress. `csv`: count the records as they come.
pub async fn save(
    url: &str,
    file_name: &str,
    csv: bool,
    progress: impl Fn(Progress),
) -> Result<Progress> {
    let response = Request::get(url)
        .header("Accept-Language", i18n::current().tag())
        .credentials(web_sys::RequestCredentials::SameOrigin)
        .send()
        .await
        .map_err(|e| Error::Network(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let err = error::from_body(status, &body, i18n::current());
        if err.is_unauthorized() {
            session_ended();
        }
        return Err(err);
    }
    let headers = response.headers();
    let mut now = Progress {
        rows: headers.get("x-ledger-rows").and_then(|v| v.parse().ok()),
        masked: headers.get("x-ledger-masked").as_deref() == Some("true"),
        ..Progress::default()
    };
    let kind = headers
        .get("content-type")
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    progress(now);
    let body = response
        .body()
        .ok_or_else(|| Error::Decode("the answer has no body".to_owned()))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = Array::new();
    let mut quoted = false;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| js_error(&e))?;
        let done = Reflect::get(&step, &JsValue::from_str("done"))
            .map_err(|e| js_error(&e))?
            .as_bool()
            .unwrap_or(true);
        if done {
            break;
        }
        let value: Uint8Array = Reflect::get(&step, &JsValue::from_str("value"))
            .map_err(|e| js_error(&e))?
            .unchecked_into();
        now.bytes += u64::from(value.length());
        if csv {
            now.lines += record_ends(&value.to_vec(), &mut quoted);
        }
        chunks.push(&value);
        progress(now);
    }
    let options = BlobPropertyBag::new();
    options.set_type(&kind);
    let blob = Blob::new_with_u8_array_sequence_and_options(&chunks, &options)
        .map_err(|e| js_error(&e))?;
    let href = Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| Error::Decode("no document".to_owned()))?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error(&e))?
        .unchecked_into();
    link.set_href(&href);
    link.set_download(file_name);
    link.set_hidden(true);
    if let Some(body) = document.body() {
        let _ = body.append_child(&link);
        link.click();
        let _ = body.remove_child(&link);
    }
    // The browser has taken the file once the click is handled; the URL can go after that.
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&href);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(now)
}

#[cfg(test)]
mod tests {
    use super::record_ends;

    #[test]
    fn records_are_counted_outside_quotes_across_chunks() {
        let mut quoted = false;
        let first = "code,parties\r\nA,\"张三;\n李";
        let second = "四\"\r\nB,\"say \"\"hi\"\"\"\r\n";
        assert_eq!(record_ends(first.as_bytes(), &mut quoted), 1);
        assert!(quoted, "the chunk ended inside a field");
        assert_eq!(record_ends(second.as_bytes(), &mut quoted), 2);
        assert!(!quoted);
    }
}
