//! The live board's benchmark: many open event streams (`GET /api/events`) on a big town, and
//! the time from sending a move to its arrival on every stream; then the transition rate with
//! the streams open. On PostgreSQL the streams are on a second server over the same database
//! (the change crosses by LISTEN/NOTIFY), and case reads per second are measured there.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Result;
use crate::bench::Server;

/// What the streams saw.
pub(crate) struct Arrivals {
    pub streams: usize,
    pub moves: usize,
    /// Milliseconds from sending each move to its arrival on each stream, sorted.
    pub ms: Vec<f64>,
    /// (stream, move) pairs that never arrived.
    pub missing: usize,
}

impl Arrivals {
    pub fn at(&self, q: f64) -> f64 {
        if self.ms.is_empty() {
            return f64::NAN;
        }
        self.ms[((self.ms.len() - 1) as f64 * q).round() as usize]
    }
}

/// Open `streams` event streams on `watch` (signed in with `cookie`), then make `moves` moves
/// through `mover`, one after another at `per_second`, and time their arrival.
pub(crate) fn arrivals<T>(
    watch: &Server,
    mover: &Server,
    cookie: &str,
    streams: usize,
    moves: usize,
    per_second: u32,
    during: impl FnOnce() -> Result<T>,
) -> Result<(Arrivals, T)> {
    // rev -> arrival instants, one per stream.
    let seen: Arc<Mutex<HashMap<i64, Vec<Instant>>>> = Arc::new(Mutex::new(HashMap::new()));
    let ready = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for _ in 0..streams {
        let (seen, ready, stop) = (Arc::clone(&seen), Arc::clone(&ready), Arc::clone(&stop));
        let port = watch.port;
        let cookie = cookie.to_owned();
        let handle = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || stream(port, &cookie, &seen, &ready, &stop))
            .map_err(|e| format!("could not start a stream thread: {e}"))?;
        handles.push(handle);
    }
    let started = Instant::now();
    while ready.load(Ordering::Acquire) < streams {
        if started.elapsed() > Duration::from_secs(60) {
            stop.store(true, Ordering::Release);
            return Err(format!(
                "only {} of {streams} streams opened within 60 s",
                ready.load(Ordering::Acquire)
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The moves: route a registered case and send it back, alternately; nothing else writes,
    // so the town's revision moves by one per move.
    let (cases, handler) = mover.registered(cookie)?;
    let mut cases: Vec<(i64, i64, bool)> =
        cases.into_iter().map(|(id, v)| (id, v, false)).collect();
    if cases.is_empty() {
        return Err("no registered case to move".to_owned());
    }
    let interval = Duration::from_secs(1) / per_second;
    let mut sent: Vec<(Instant, i64)> = Vec::new();
    let first_rev = current_rev(watch, cookie)?;
    let start = Instant::now();
    for k in 0..moves {
        let due = start + interval * u32::try_from(k).unwrap_or(0);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let n = cases.len();
        let case = &mut cases[k % n];
        let body = if case.2 {
            format!(
                r#"{{"version":{},"command":{{"type":"return","reason":"bench: back"}}}}"#,
                case.1
            )
        } else {
            format!(
                r#"{{"version":{},"command":{{"type":"route","handler":"{handler}","cooperating":[],"note":""}}}}"#,
                case.1
            )
        };
        let at = Instant::now();
        let answer = crate::bench::http(
            mover.port,
            "POST",
            &format!("/api/cases/{}/transitions", case.0),
            Some(&body),
            Some(cookie),
        )?;
        if answer.status != 200 {
            return Err(format!(
                "a move answered {}: {}",
                answer.status, answer.body
            ));
        }
        case.1 += 1;
        case.2 = !case.2;
        sent.push((at, first_rev + 1 + i64::try_from(k).unwrap_or(0)));
    }
    // Let the last ones arrive, then measure what else should run beside the open streams.
    std::thread::sleep(Duration::from_secs(2));
    let beside = during();
    stop.store(true, Ordering::Release);
    let beside = beside?;
    let seen = seen.lock().map_err(|_| "a stream thread panicked")?;
    let mut ms = Vec::new();
    let mut missing = 0;
    for (at, rev) in &sent {
        let arrived = seen.get(rev).map_or(&[][..], Vec::as_slice);
        missing += streams.saturating_sub(arrived.len());
        ms.extend(
            arrived
                .iter()
                .map(|t| t.saturating_duration_since(*at).as_secs_f64() * 1000.0),
        );
    }
    ms.sort_by(f64::total_cmp);
    drop(seen);
    // The stream threads end at their next read (a keep-alive within 15 s); not waited for.
    drop(handles);
    Ok((
        Arrivals {
            streams,
            moves,
            ms,
            missing,
        },
        beside,
    ))
}

/// The town's revision, from the board.
fn current_rev(server: &Server, cookie: &str) -> Result<i64> {
    let board = crate::bench::http(server.port, "GET", "/api/board", None, Some(cookie))?;
    crate::bench::json_numbers(&board.body, "\"rev\":")
        .first()
        .copied()
        .ok_or_else(|| "the board has no revision".to_owned())
}

/// One stream: reads events and notes when each revision arrived.
fn stream(
    port: u16,
    cookie: &str,
    seen: &Mutex<HashMap<i64, Vec<Instant>>>,
    ready: &AtomicUsize,
    stop: &AtomicBool,
) {
    let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(1)));
    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if tcp.write_all(request.as_bytes()).is_err() {
        return;
    }
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    let mut counted = false;
    while !stop.load(Ordering::Acquire) {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return,
            Ok(_) => {}
            Err(_) => continue,
        }
        if !counted && line.contains("event: hello") {
            counted = true;
            ready.fetch_add(1, Ordering::AcqRel);
        }
        let id = line
            .strip_prefix("id: ")
            .or_else(|| line.strip_prefix("id:"));
        if let Some(rev) = id.and_then(|i| i.trim().parse::<i64>().ok()) {
            let now = Instant::now();
            if let Ok(mut seen) = seen.lock() {
                seen.entry(rev).or_default().push(now);
            }
        }
    }
}
