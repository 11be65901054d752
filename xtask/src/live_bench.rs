//! The live board's benchmark: many open event streams (`GET /api/events`) on a big town, and
//! the time from sending a move to its arrival on every stream; then the transition rate with
//! the streams open. On PostgreSQL the streams are on a second server over the same database
//! (the change crosses by LISTEN/NOTIFY), and case reads per second are measured there.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    // One thread reads every stream (an event loop, as a browser's network stack would be
    // per machine): the readers cost the shared cores as little as they can.
    let ready = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // Whatever way this function returns, the reader stops (and closes its streams).
    let _stop_reader = StopOnDrop(Arc::clone(&stop));
    let reader = {
        let (ready, stop) = (Arc::clone(&ready), Arc::clone(&stop));
        let (port, cookie) = (watch.port, cookie.to_owned());
        std::thread::Builder::new()
            .name("streams".into())
            .spawn(move || read_streams(port, &cookie, streams, &ready, &stop))
            .map_err(|e| format!("could not start the stream reader: {e}"))?
    };
    let started = Instant::now();
    while ready.load(Ordering::Acquire) < streams {
        if started.elapsed() > Duration::from_secs(60) || reader.is_finished() {
            stop.store(true, Ordering::Release);
            let why = match reader.join() {
                Ok(Err(e)) => format!(": {e}"),
                _ => String::new(),
            };
            return Err(format!(
                "only {} of {streams} streams opened within 60 s{why}",
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
    let seen = reader
        .join()
        .map_err(|_| "the stream reader panicked".to_owned())??;
    let beside = beside?;
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

/// Sets the flag when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// One connection of the reader: what is left of its last line, and whether it said hello.
struct Conn {
    tcp: mio::net::TcpStream,
    request: Vec<u8>,
    sent: usize,
    carry: Vec<u8>,
    hello: bool,
}

/// Opens `n` event streams and reads them all on this thread until `stop`; returns when
/// each revision arrived on each stream (`rev` → one instant per stream).
fn read_streams(
    port: u16,
    cookie: &str,
    n: usize,
    ready: &AtomicUsize,
    stop: &AtomicBool,
) -> Result<HashMap<i64, Vec<Instant>>> {
    use mio::{Events, Interest, Poll, Token};
    let mut poll = Poll::new().map_err(|e| format!("poll: {e}"))?;
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .into_bytes();
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        let mut tcp =
            mio::net::TcpStream::connect(addr).map_err(|e| format!("connect stream {i}: {e}"))?;
        poll.registry()
            .register(&mut tcp, Token(i), Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| format!("register stream {i}: {e}"))?;
        conns.push(Conn {
            tcp,
            request: request.clone(),
            sent: 0,
            carry: Vec::new(),
            hello: false,
        });
    }
    let mut seen: HashMap<i64, Vec<Instant>> = HashMap::new();
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 256 * 1024];
    while !stop.load(Ordering::Acquire) {
        match poll.poll(&mut events, Some(Duration::from_millis(100))) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("poll: {e}")),
        }
        for event in &events {
            let Some(conn) = conns.get_mut(event.token().0) else {
                continue;
            };
            if event.is_writable() && conn.sent < conn.request.len() {
                match conn.tcp.write(&conn.request[conn.sent..]) {
                    Ok(k) => conn.sent += k,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotConnected => {}
                    Err(e) => return Err(format!("a stream could not send its request: {e}")),
                }
            }
            if !event.is_readable() {
                continue;
            }
            loop {
                match conn.tcp.read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => {
                        let now = Instant::now();
                        lines(conn, &buf[..k], |line| {
                            if let Some(id) = line.strip_prefix(b"id: ") {
                                let rev = std::str::from_utf8(id)
                                    .ok()
                                    .and_then(|t| t.trim().parse().ok());
                                if let Some(rev) = rev {
                                    seen.entry(rev).or_default().push(now);
                                }
                            } else if line == b"event: hello" {
                                return true;
                            }
                            false
                        })
                        .then(|| ready.fetch_add(1, Ordering::AcqRel));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
    }
    Ok(seen)
}

/// Feeds `chunk` to the connection's line splitter, calling `line` on each whole line (without
/// its `\n`); returns whether the stream said hello for the first time.
fn lines(conn: &mut Conn, chunk: &[u8], mut line: impl FnMut(&[u8]) -> bool) -> bool {
    let mut greeted = false;
    let mut rest = chunk;
    while let Some(end) = memchr::memchr(b'\n', rest) {
        let (head, tail) = rest.split_at(end);
        let whole: &[u8] = if conn.carry.is_empty() {
            head
        } else {
            conn.carry.extend_from_slice(head);
            &conn.carry
        };
        let whole = whole.strip_suffix(b"\r").unwrap_or(whole);
        if line(whole) && !conn.hello {
            conn.hello = true;
            greeted = true;
        }
        conn.carry.clear();
        rest = &tail[1..];
    }
    conn.carry.extend_from_slice(rest);
    greeted
}
