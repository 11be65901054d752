//! The live stream of the reader's town (`GET /api/events`, server-sent events). The browser's
//! `EventSource` reconnects by itself after a network drop and sends the last event id, so
//! the server replays exactly what was missed (or says `reload`).

use shared::model::CaseCard;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

/// One event of the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// The stream is open; the town is at this revision.
    Hello(i64),
    /// A card, new or changed, at a revision.
    Card(i64, Box<CaseCard>),
    /// A case left the reader's board.
    Remove(i64, i64),
    /// Too much was missed: load the board again.
    Reload,
}

/// Parses one event's name and data; `None` for anything unknown or malformed.
pub fn parse(event: &str, data: &str) -> Option<LiveEvent> {
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    let rev = value.get("rev").and_then(serde_json::Value::as_i64);
    match event {
        "hello" => rev.map(LiveEvent::Hello),
        "card" => {
            let card = serde_json::from_value(value.get("card")?.clone()).ok()?;
            Some(LiveEvent::Card(rev?, card))
        }
        "remove" => Some(LiveEvent::Remove(
            rev?,
            value.get("id").and_then(serde_json::Value::as_i64)?,
        )),
        "reload" => Some(LiveEvent::Reload),
        _ => None,
    }
}

/// An open stream; closed when dropped.
pub struct LiveStream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl std::fmt::Debug for LiveStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveStream").finish_non_exhaustive()
    }
}

impl LiveStream {
    /// Opens the stream from revision `after` (from now, with `None`); `on_event` gets each event, `on_state`
    /// whether the stream is connected (false while the browser reconnects).
    pub fn open(
        after: Option<i64>,
        on_event: impl Fn(LiveEvent) + 'static,
        on_state: impl Fn(bool) + 'static,
    ) -> Option<LiveStream> {
        let url = match after {
            Some(after) => format!("/api/events?after={after}"),
            None => "/api/events".to_owned(),
        };
        let source = EventSource::new(&url).ok()?;
        let on_event = std::rc::Rc::new(on_event);
        let on_state = std::rc::Rc::new(on_state);
        let mut listeners = Vec::new();
        for name in ["hello", "card", "remove", "reload"] {
            let on_event = std::rc::Rc::clone(&on_event);
            let on_state = std::rc::Rc::clone(&on_state);
            let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let Some(message) = e.dyn_ref::<MessageEvent>() else {
                    return;
                };
                let data = message.data().as_string().unwrap_or_default();
                if name == "hello" {
                    on_state(true);
                }
                if let Some(event) = parse(name, &data) {
                    on_event(event);
                }
            });
            source
                .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
                .ok()?;
            listeners.push(listener);
        }
        let on_error = {
            let on_state = std::rc::Rc::clone(&on_state);
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_state(false))
        };
        source
            .add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
            .ok()?;
        listeners.push(on_error);
        Some(LiveStream {
            source,
            _listeners: listeners,
        })
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_and_junk_is_ignored() {
        assert_eq!(parse("hello", r#"{"rev":7}"#), Some(LiveEvent::Hello(7)));
        assert_eq!(
            parse("remove", r#"{"rev":8,"id":42}"#),
            Some(LiveEvent::Remove(8, 42))
        );
        assert_eq!(parse("reload", "{}"), Some(LiveEvent::Reload));
        assert_eq!(parse("card", r#"{"rev":9,"card":{"id":1}}"#), None);
        assert_eq!(parse("mystery", r#"{"rev":1}"#), None);
        assert_eq!(parse("hello", "not json"), None);
    }
}
