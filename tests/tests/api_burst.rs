//! A burst of sign-ins against the real server, alone in its test binary so that the
//! process's memory is the server's: 500 simultaneous wrong sign-ins from 50 addresses leave
//! it under 200 MB, every one is answered (401 or 429, never an error), and a signed-in person
//! is answered meanwhile. (The benchmark measures the release server's latency meanwhile.)

use std::time::{Duration, Instant};

use concord_tests::TestServer;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Sends one HTTP/1.1 request on a new connection; the status code of the answer.
async fn send(addr: &str, request: String) -> u16 {
    let Ok(mut tcp) = tokio::net::TcpStream::connect(addr).await else {
        return 0;
    };
    if tcp.write_all(request.as_bytes()).await.is_err() {
        return 0;
    }
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn resident_memory_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_simultaneous_wrong_sign_ins_keep_memory_bounded() {
    let server = TestServer::start_with(|c| c.trust_proxy = true).await;
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    let cookie = server.app().login("lead").await;
    let login = |i: usize| {
        let body = format!(r#"{{"username":"user{i}","password":"wrong password {i}"}}"#);
        format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             X-Forwarded-For: 198.18.0.{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            i % 50,
            body.len()
        )
    };
    let me = format!(
        "GET /api/me HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    for _round in 0..3 {
        let tasks: Vec<_> = (0..500)
            .map(|i| {
                let addr = addr.clone();
                let request = login(i);
                tokio::spawn(async move { send(&addr, request).await })
            })
            .collect();
        // Meanwhile, a signed-in person is answered.
        let started = Instant::now();
        let status = send(&addr, me.clone()).await;
        assert_eq!(
            status, 200,
            "the signed-in person is answered during the burst"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap_or(0));
        }
        let refused = statuses.iter().filter(|s| **s == 401).count();
        let limited = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!(
            refused + limited,
            500,
            "every sign-in answered 401 or 429: {statuses:?}"
        );
        assert!(refused >= 1);
    }
    let mb = resident_memory_mb();
    assert!(mb < 200, "the process holds {mb} MB after three bursts");
}
