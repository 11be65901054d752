//! `cargo xtask bench`: the benchmark of `docs/benchmarks.md`.
//!
//! For 2,000 and then 10,000 open cases (plus closed history) in a fresh SQLite database (or,
//! with `--postgres`, a database in a throwaway PostgreSQL cluster) it starts the release server on loopback and measures with `wrk` (Debian package), bounded in
//! time: the board at concurrency 1 and 16; a single case read and the public status look-up
//! at concurrency 16; stage transitions at concurrency 8 (each connection moves its own cases
//! Registered → Routed → Registered with the right versions, so every refused or failed
//! request shows as a non-2xx answer). It also reports the size of what the browser downloads
//! and how long the board with 2,000 cards takes to show in headless Chromium. Writes beside
//! reads: the board at concurrency 16 while 10 transitions a second run on a fixed schedule
//! (their latency measured from the scheduled time). And a flood of wrong sign-ins on 500
//! connections from 50 addresses: the server's memory and a signed-in person's latency
//! meanwhile.

use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, cargo, dist_dir, free_port, root, status, target_dir};

/// Password of the demo accounts the benchmark signs in with.
const DEMO_PASSWORD: &str = "concord-demo";
/// Seconds each wrk run lasts.
const SECONDS: u32 = 10;
/// Stage transitions a second beside the board in the mixed run.
const WRITES_PER_SECOND: u32 = 10;

/// One wrk run's numbers.
#[derive(Debug, Default)]
struct Numbers {
    p50_ms: f64,
    p99_ms: f64,
    rps: f64,
    requests: u64,
    failed: u64,
}

/// `cargo xtask bench [--seconds N] [--postgres]`.
pub fn bench(args: &[String]) -> Result {
    let postgres = args.iter().any(|a| a == "--postgres");
    // Only the live board's part (streams), on 10,000 open cards.
    let live_only = args.iter().any(|a| a == "--live");
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(SECONDS);
    if Command::new("wrk").arg("--version").output().is_err() {
        return Err("the benchmark needs wrk: apt-get install -y wrk".to_owned());
    }
    if args.iter().any(|a| a == "--export") {
        return export_bench(seconds);
    }
    if args.iter().any(|a| a == "--dashboard") {
        return dashboard_bench(seconds);
    }
    if args.iter().any(|a| a == "--county") {
        return county_bench(seconds, postgres);
    }
    let (bundle, work) = prepare(&["board-timing", "public-timing"])?;
    // Fresh databases each run; the other backend's results stay.
    for entry in fs::read_dir(&work).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with("bench-") {
            let _ = fs::remove_file(entry.path());
        }
    }

    let cluster = if postgres {
        Some(crate::postgres::Cluster::start_for_bench()?)
    } else {
        None
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "## Results ({} s per run, wrk, loopback, {})\n",
        seconds,
        if postgres {
            "PostgreSQL (fsync on, synchronous_commit off)"
        } else {
            "SQLite (WAL, synchronous FULL)"
        }
    );
    let _ = writeln!(
        report,
        "| open cards | request | concurrency | p50 ms | p99 ms | requests/s | requests | failed |"
    );
    let _ = writeln!(report, "|---:|---|---:|---:|---:|---:|---:|---:|");
    let mut board_seconds = None;
    let mut public = None;
    let mut cold_boards = Vec::new();
    let mut mixed = Vec::new();
    let mut board_sizes = None;
    let mut burst = None;
    let mut live = None;
    let sizes: &[u32] = if live_only {
        &[10_000]
    } else {
        &[2_000, 10_000]
    };
    for &open in sizes {
        let url = match &cluster {
            Some(c) => c.create_database(&format!("concord_bench_{open}"))?,
            None => format!(
                "sqlite://{}",
                work.join(format!("bench-{open}.db")).display()
            ),
        };
        let server = Server::start(&url, open, open)?;
        let cookie = server.login("lead")?;
        let board = "/api/board";
        // The first board after start builds the town's board from the database; the runs
        // below measure the warm server.
        let started = Instant::now();
        let first = http(server.port, "GET", board, None, Some(&cookie))?;
        if first.status != 200 {
            return Err(format!(
                "the board answered {}: {}",
                first.status, first.body
            ));
        }
        cold_boards.push((open, started.elapsed().as_secs_f64() * 1000.0));
        if open == 10_000 {
            live = Some(live_section(
                &server, &url, &work, &cookie, seconds, postgres,
            )?);
            if live_only {
                drop(server);
                continue;
            }
        }
        let mut row = |what: &str, conc: u32, n: &Numbers| {
            let _ = writeln!(
                report,
                "| {open} | {what} | {conc} | {:.2} | {:.2} | {:.0} | {} | {} |",
                n.p50_ms, n.p99_ms, n.rps, n.requests, n.failed
            );
        };
        row(
            "GET /api/board",
            1,
            &wrk(&server, &work, board, &cookie, 1, seconds, None)?,
        );
        let alone = wrk(&server, &work, board, &cookie, 16, seconds, None)?;
        row("GET /api/board", 16, &alone);
        // Writes beside reads: the board at concurrency 16 while 10 transitions a second run
        // on a fixed schedule.
        let readers = spawn_wrk(&server, board, &cookie, 16, seconds)?;
        let writes = scheduled_transitions(&server, &cookie, WRITES_PER_SECOND, seconds)?;
        let beside = finish_wrk(readers)?;
        row(
            &format!("GET /api/board beside {WRITES_PER_SECOND} transitions/s"),
            16,
            &beside,
        );
        row(
            &format!(
                "POST …/transitions, {WRITES_PER_SECOND}/s on a schedule beside the board (ms from the scheduled time; max {:.1})",
                writes.max_ms
            ),
            1,
            &Numbers {
                p50_ms: writes.p50_ms,
                p99_ms: writes.p99_ms,
                rps: writes.per_second,
                requests: writes.done,
                failed: writes.failed,
            },
        );
        mixed.push((open, alone.rps, beside.rps, beside.p99_ms, writes.p99_ms));
        // Free-text search over the town's cases, archived included: four characters go
        // through the trigram index, two fall back to a bounded scan.
        for (what, q) in [
            ("拖欠工资", "%E6%8B%96%E6%AC%A0%E5%B7%A5%E8%B5%84"),
            ("工资", "%E5%B7%A5%E8%B5%84"),
        ] {
            row(
                &format!("GET /api/cases?q={what}"),
                16,
                &wrk(
                    &server,
                    &work,
                    &format!("/api/cases?q={q}"),
                    &cookie,
                    16,
                    seconds,
                    None,
                )?,
            );
        }
        if open == 2_000 {
            // The first request that takes gzip starts the compression; a later one gets it.
            let gzip = ["Accept-Encoding: gzip"];
            http_with(server.port, "GET", board, None, Some(&cookie), &gzip)?;
            std::thread::sleep(Duration::from_millis(500));
            let gz = http_with(server.port, "GET", board, None, Some(&cookie), &gzip)?;
            board_sizes = Some((first.body.len(), content_length(&gz.headers)));
            let (case_id, code, last4) = server.sample_case(&cookie)?;
            row(
                "GET /api/cases/{id}",
                16,
                &wrk(
                    &server,
                    &work,
                    &format!("/api/cases/{case_id}"),
                    &cookie,
                    16,
                    seconds,
                    None,
                )?,
            );
            let body = format!(r#"{{"code":"{code}","phone_last4":"{last4}"}}"#);
            row(
                "POST /api/public/status",
                16,
                &wrk(
                    &server,
                    &work,
                    "/api/public/status",
                    "",
                    16,
                    seconds,
                    Some(&body),
                )?,
            );
            let script = server.transition_script(&work, &cookie, 8)?;
            row(
                "POST …/transitions",
                8,
                &wrk_script(&server, &script, 8, seconds)?,
            );
            board_seconds = Some(board_timing(&server)?);
            public = Some((
                public_sizes(&server, &code)?,
                public_timing(&server, &code, &last4)?,
            ));
            let other = server.login("clerk")?;
            burst = Some(sign_in_flood(&server, &work, &other, 500, 50, seconds)?);
        }
        drop(server);
    }
    let _ = writeln!(
        report,
        "\nThe first board request after start (cache cold, built from the database): {}.",
        cold_boards
            .iter()
            .map(|(open, ms)| format!("{ms:.0} ms with {open} open cards"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (open, alone, beside, p99, writes_p99) in &mixed {
        let _ = writeln!(
            report,
            "\nWith {open} open cards and {WRITES_PER_SECOND} writes/s beside it, the board keeps {:.0} % of its read-only rate ({beside:.0} of {alone:.0} requests/s; target ≥ 50 %) with p99 {p99:.1} ms (target < 50 ms); the writes' p99 from their scheduled time is {writes_p99:.1} ms (target < 50 ms).",
            beside / alone.max(1.0) * 100.0
        );
    }
    if let Some((raw, gz)) = board_sizes {
        let _ = writeln!(
            report,
            "\nThe board with 2,000 cards is {:.0} KiB of JSON, {:.0} KiB as sent gzipped (compressed once per version at the best level).",
            raw as f64 / 1024.0,
            gz as f64 / 1024.0
        );
    }
    if let Some(l) = &live {
        let _ = writeln!(report, "\n{}", l);
    }
    if let Some(b) = burst {
        let _ = writeln!(
            report,
            "\nA flood of wrong sign-ins on 500 connections from 50 addresses: {} answered in {seconds} s ({:.0}/s, every one 401 or 429), p99 {:.1} ms; the server's memory {} MB before, {} MB at its peak, {} MB after (target < 200 MB). Meanwhile a signed-in person's `GET /api/me`: p50 {:.2} ms, p99 {:.2} ms (target < 100 ms), {} failed.",
            b.flood.requests,
            b.flood.rps,
            b.flood.p99_ms,
            b.before_mb,
            b.peak_mb,
            b.after_mb,
            b.others.p50_ms,
            b.others.p99_ms,
            b.others.failed
        );
    }
    let _ = writeln!(report, "\n## What the browser downloads\n");
    let _ = writeln!(report, "| file | raw KiB | gzip KiB |\n|---|---:|---:|");
    let mut first_gz = 0;
    for file in bundle
        .first_load
        .iter()
        .map(String::as_str)
        .chain(["index.html"])
    {
        let path = dist_dir().join(file);
        let raw = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let gz = gzip_size(&path)?;
        first_gz += gz;
        let _ = writeln!(
            report,
            "| {file} | {:.1} | {:.1} |",
            raw as f64 / 1024.0,
            gz as f64 / 1024.0
        );
    }
    let _ = writeln!(
        report,
        "| **first load, in all** | | **{:.1}** (target < 350) |",
        first_gz as f64 / 1024.0
    );
    let mut all_gz = first_gz;
    for chunk in &bundle.chunks {
        all_gz += gzip_size(&dist_dir().join(chunk))?;
    }
    let _ = writeln!(
        report,
        "| every module, all pages visited | | {:.1} ({} split modules) |",
        all_gz as f64 / 1024.0,
        bundle.chunks.len()
    );
    let _ = writeln!(
        report,
        "\nThe pages loaded when first visited (the split modules each needs, its own and those it shares with other pages, each fetched once):\n\n| page | modules | gzip KiB |\n|---|---|---:|"
    );
    for (page, files) in &bundle.pages {
        let mut gz = 0;
        for file in files {
            gz += gzip_size(&dist_dir().join(file))?;
        }
        let _ = writeln!(
            report,
            "| {page} | {} | {:.1} |",
            files.len(),
            gz as f64 / 1024.0
        );
    }
    if let Some(((html, css), (form_ms, answer_ms))) = public {
        let _ = writeln!(
            report,
            "\nThe public look-up (`/status`, server-rendered, no script) is {:.1} KiB of HTML and {:.1} KiB of style sheet as sent gzipped ({:.1} KiB in all; the page needs nothing else). On slow 3G (400 ms latency, 400 kbit/s, cold cache, 360×640) the form is usable {form_ms:.0} ms after navigation starts and the answer is shown {answer_ms:.0} ms after the digits are sent (medians of three fresh browsers).",
            html as f64 / 1024.0,
            css as f64 / 1024.0,
            (html + css) as f64 / 1024.0,
        );
    }
    if let Some(ms) = board_seconds {
        let _ = writeln!(
            report,
            "\nThe board with 2,000 open cards shows its cards in headless Chromium {ms:.0} ms after navigation starts (median of 5 loads, signed in)."
        );
    }
    drop(cluster);
    let out = work.join(if postgres {
        "results-postgres.md"
    } else {
        "results.md"
    });
    fs::write(&out, &report).map_err(|e| format!("could not write {}: {e}", out.display()))?;
    println!("{report}");
    eprintln!("xtask: results written to {}", out.display());
    Ok(())
}

/// Cases of the ledger benchmark: a year's worth, most of them closed.
const EXPORT_OPEN: u32 = 2_000;
const EXPORT_CLOSED: u32 = 98_000;

/// `cargo xtask bench --export`: the ledger of 100,000 cases exported as CSV and as XLSX,
/// each alone and then with the board read at concurrency 16 beside it: the time to the
/// first byte and to the last, the size, and the server's resident memory before and at its
/// highest during the export (sampled every 20 ms).
/// Open cards and archived cases per town in the county benchmark, and its towns.
const COUNTY_OPEN: u32 = 2_000;
const COUNTY_TOWNS: u32 = 20;

/// Builds what a benchmark runs in a browser: the frontend, the release server and the
/// timing tools named (`concord-tests` binaries); returns the bundle and the folder the
/// benchmark's databases and reports go in.
fn prepare(timing_bins: &[&str]) -> Result<(crate::frontend::Bundle, PathBuf)> {
    let bundle = crate::frontend::build()?;
    crate::build_server()?;
    let mut args = vec!["build", "--release", "--package", "concord-tests"];
    for bin in timing_bins {
        args.extend(["--bin", bin]);
    }
    status(cargo().args(args))?;
    let work = target_dir().join("bench");
    fs::create_dir_all(&work).map_err(|e| format!("could not create {}: {e}", work.display()))?;
    Ok((bundle, work))
}

/// `cargo xtask bench --county [--postgres]`: one town of 2,000 open cases and a year of
/// history, then a county of 20 such towns (40,000 open cards): each town's board and a case
/// read as its lead (the first town's, the last's), the county board as the county officer,
/// the county dashboard, and the county board in headless Chromium.
fn county_bench(seconds: u32, postgres: bool) -> Result {
    let (_, work) = prepare(&["board-timing"])?;
    let cluster = if postgres {
        Some(crate::postgres::Cluster::start_for_bench()?)
    } else {
        None
    };
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "## The county: {COUNTY_TOWNS} towns × {COUNTY_OPEN} open cases ({backend}, {seconds} s per run, wrk, loopback)\n"
    );
    let _ = writeln!(
        report,
        "| towns | request | as | concurrency | p50 ms | p99 ms | requests/s | failed |"
    );
    let _ = writeln!(report, "|---:|---|---|---:|---:|---:|---:|---:|");
    let mut notes = Vec::new();
    for towns in [1, COUNTY_TOWNS] {
        let url = match &cluster {
            Some(c) => c.create_database(&format!("concord_county_{towns}"))?,
            None => {
                let db = work.join(format!("county-{towns}.db"));
                remove_sqlite(&db);
                format!("sqlite://{}", db.display())
            }
        };
        let loading = Instant::now();
        let server = Server::start_towns(
            &target_dir().join("release").join("concord"),
            &url,
            (COUNTY_OPEN, COUNTY_OPEN),
            towns,
        )?;
        notes.push(format!(
            "{towns} town(s): the demo loaded in {:.0} s",
            loading.elapsed().as_secs_f64()
        ));
        let mut readers = vec!["lead".to_owned()];
        if towns > 1 {
            readers.push(format!("lead_t{:02}", towns - 1));
        }
        for reader in &readers {
            let cookie = server.login(reader)?;
            // Warm: the town's board built once.
            let first = http(server.port, "GET", "/api/board", None, Some(&cookie))?;
            if first.status != 200 {
                return Err(format!("the board answered {}", first.status));
            }
            let id = json_numbers(&first.body, "\"id\":")
                .into_iter()
                .next()
                .ok_or("an empty board")?;
            for (label, path) in [
                ("board", "/api/board".to_owned()),
                ("case read", format!("/api/cases/{id}")),
            ] {
                let n = wrk(&server, &work, &path, &cookie, 10, seconds, None)?;
                let _ = writeln!(
                    report,
                    "| {towns} | {label} | {reader} | 10 | {:.1} | {:.1} | {:.0} | {} |",
                    n.p50_ms, n.p99_ms, n.rps, n.failed
                );
            }
        }
        if towns > 1 {
            let cookie = server.login("county")?;
            let started = Instant::now();
            let first = http(server.port, "GET", "/api/board", None, Some(&cookie))?;
            let cold = started.elapsed().as_secs_f64() * 1000.0;
            if first.status != 200 {
                return Err(format!("the county board answered {}", first.status));
            }
            let cards = first.body.matches("\"town_id\":").count();
            let gz = gzipped_len(&first.body)?;
            notes.push(format!(
                "the county board: {cards} cards, {:.1} MB of JSON ({:.1} MB gzipped), put together in {cold:.0} ms the first time",
                first.body.len() as f64 / 1e6,
                gz as f64 / 1e6
            ));
            // A county department's board: the county board filtered to its line per request.
            let hr = server.login("county_hr")?;
            for (label, path, conc, who, cookie) in [
                ("county board", "/api/board", 2, "county", &cookie),
                (
                    "county dashboard",
                    "/api/county/summary",
                    4,
                    "county",
                    &cookie,
                ),
                (
                    "county board (labour line)",
                    "/api/board",
                    4,
                    "county_hr",
                    &hr,
                ),
                (
                    "county dashboard (labour line)",
                    "/api/county/summary",
                    4,
                    "county_hr",
                    &hr,
                ),
            ] {
                let n = wrk(&server, &work, path, cookie, conc, seconds, None)?;
                let _ = writeln!(
                    report,
                    "| {towns} | {label} | {who} | {conc} | {:.1} | {:.1} | {:.0} | {} |",
                    n.p50_ms, n.p99_ms, n.rps, n.failed
                );
            }
            let shown = board_timing_as(&server, "county")?;
            notes.push(format!(
                "the county board ({cards} cards) shows its first cards in headless Chromium after {shown:.0} ms (median of five loads)"
            ));
        }
        drop(server);
    }
    let _ = writeln!(report);
    for n in &notes {
        let _ = writeln!(report, "- {n}");
    }
    print!("{report}");
    let file = work.join(if postgres {
        "county-postgres.md"
    } else {
        "county-sqlite.md"
    });
    fs::write(&file, &report).map_err(|e| format!("could not write {}: {e}", file.display()))?;
    eprintln!("xtask: the report is in {}", file.display());
    Ok(())
}

fn export_bench(seconds: u32) -> Result {
    crate::build_server()?;
    let work = target_dir().join("bench");
    fs::create_dir_all(&work).map_err(|e| format!("could not create {}: {e}", work.display()))?;
    let db = work.join("bench-export.db");
    remove_sqlite(&db);
    let loading = Instant::now();
    let server = Server::start(
        &format!("sqlite://{}", db.display()),
        EXPORT_OPEN,
        EXPORT_CLOSED,
    )?;
    let loaded = loading.elapsed().as_secs_f64();
    let cookie = server.login("lead")?;
    let pid = server.child.id();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "## The ledger export ({} cases, SQLite, loopback; the demo loaded in {loaded:.0} s)\n",
        EXPORT_OPEN + EXPORT_CLOSED
    );
    let _ = writeln!(
        report,
        "| format | beside | rows | MB | answer begins s | all s | rows/s | RSS before MB | RSS peak MB | board p50 / p99 ms meanwhile |"
    );
    let _ = writeln!(report, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for format in ["csv", "xlsx"] {
        for beside in [false, true] {
            let readers = if beside {
                Some(spawn_wrk(&server, "/api/board", &cookie, 16, seconds)?)
            } else {
                None
            };
            let (before, _) = memory_mb(pid);
            let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
            let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let sampler = {
                let (peak, done) = (std::sync::Arc::clone(&peak), std::sync::Arc::clone(&done));
                std::thread::spawn(move || {
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let (rss, _) = memory_mb(pid);
                        peak.fetch_max(rss, std::sync::atomic::Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(20));
                    }
                })
            };
            let got = download(server.port, &format!("/api/ledger.{format}"), &cookie)?;
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = sampler.join();
            let board = match readers {
                Some(child) => {
                    let n = finish_wrk(child)?;
                    format!(
                        "{:.1} / {:.1} ({} requests, {} failed)",
                        n.p50_ms, n.p99_ms, n.requests, n.failed
                    )
                }
                None => "—".to_owned(),
            };
            if got.status != 200 {
                return Err(format!("the {format} export answered {}", got.status));
            }
            let _ = writeln!(
                report,
                "| {format} | {} | {} | {:.1} | {:.2} | {:.1} | {:.0} | {before} | {} | {board} |",
                if beside { "board reads" } else { "alone" },
                got.rows,
                got.bytes as f64 / (1024.0 * 1024.0),
                got.first_byte,
                got.total,
                got.rows as f64 / got.total.max(0.001),
                peak.load(std::sync::atomic::Ordering::Relaxed),
            );
            // The board's wrk runs its full time; let it end before the next export.
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    drop(server);
    let out = work.join("results-export.md");
    fs::write(&out, &report).map_err(|e| format!("could not write {}: {e}", out.display()))?;
    println!("{report}");
    eprintln!("xtask: results written to {}", out.display());
    Ok(())
}

/// `cargo xtask bench --dashboard`: the dashboard of a year of 100,000 cases on SQLite: the
/// first after the start (which loads the town's rows), then built afresh (each request asks
/// what no earlier one did, so no answer is cached), for one
/// village, from the cache with wrk at concurrency 16, and built again and again while ten
/// stage transitions a second land beside it (each moves the town's revision).
fn dashboard_bench(seconds: u32) -> Result {
    crate::build_server()?;
    let work = target_dir().join("bench");
    fs::create_dir_all(&work).map_err(|e| format!("could not create {}: {e}", work.display()))?;
    let db = work.join("bench-dashboard.db");
    remove_sqlite(&db);
    let loading = Instant::now();
    let server = Server::start(
        &format!("sqlite://{}", db.display()),
        EXPORT_OPEN,
        EXPORT_CLOSED,
    )?;
    let loaded = loading.elapsed().as_secs_f64();
    let cookie = server.login("lead")?;
    let timed = |path: &str| -> Result<f64> {
        let start = Instant::now();
        let a = http(server.port, "GET", path, None, Some(&cookie))?;
        if a.status != 200 {
            return Err(format!("{path} answered {}: {}", a.status, a.body));
        }
        Ok(start.elapsed().as_secs_f64() * 1000.0)
    };
    let started = Instant::now();
    let first = http(server.port, "GET", "/api/dashboard", None, Some(&cookie))?;
    let first_ms = started.elapsed().as_secs_f64() * 1000.0;
    if first.status != 200 {
        return Err(format!(
            "/api/dashboard answered {}: {}",
            first.status, first.body
        ));
    }
    let received = json_numbers(&first.body, "\"received\":")
        .first()
        .copied()
        .unwrap_or(0);
    let village = json_numbers(&first.body, "\"village_id\":")
        .first()
        .copied();
    let mut cold = Vec::new();
    for rise in 1..=20 {
        cold.push(timed(&format!("/api/dashboard?rise={rise}"))?);
    }
    let mut one_village = Vec::new();
    if let Some(v) = village {
        for rise in 1..=10 {
            one_village.push(timed(&format!("/api/dashboard?village={v}&rise={rise}"))?);
        }
    }
    let cached = wrk(&server, &work, "/api/dashboard", &cookie, 16, seconds, None)?;
    // Beside writes: the transitions run on their schedule in a thread; the dashboard is asked
    // again as soon as it answers.
    let (beside, writes) = std::thread::scope(|scope| {
        let writer =
            scope.spawn(|| scheduled_transitions(&server, &cookie, WRITES_PER_SECOND, seconds));
        let mut beside = Vec::new();
        let until = Instant::now() + Duration::from_secs(u64::from(seconds));
        while Instant::now() < until {
            match timed("/api/dashboard") {
                Ok(ms) => beside.push(ms),
                Err(e) => return (Err(e), writer.join()),
            }
        }
        (Ok(beside), writer.join())
    });
    let beside = beside?;
    let writes = writes.map_err(|_| "the writer panicked".to_owned())??;
    let repeats = repeat_search(&server, &work, &cookie, seconds)?;
    drop(server);
    let stats = |v: &[f64]| -> String {
        if v.is_empty() {
            return "—".to_owned();
        }
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        format!(
            "{:.0} | {:.0} | {:.0} | {}",
            at(0.5),
            at(0.99),
            at(1.0),
            v.len()
        )
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "## The dashboard ({} cases over a year, SQLite, loopback; the demo loaded in {loaded:.0} s; the last twelve months received {received})\n",
        EXPORT_OPEN + EXPORT_CLOSED
    );
    let _ = writeln!(report, "| run | p50 ms | p99 ms | max ms | requests |");
    let _ = writeln!(report, "|---|---:|---:|---:|---:|");
    let _ = writeln!(
        report,
        "| the first after the start (loads the town's rows) | {first_ms:.0} | — | — | 1 |"
    );
    let _ = writeln!(report, "| built afresh, the town | {} |", stats(&cold));
    let _ = writeln!(
        report,
        "| built afresh, one village | {} |",
        stats(&one_village)
    );
    let _ = writeln!(
        report,
        "| from the cache, wrk c=16 | {:.1} | {:.1} | — | {} ({:.0}/s, {} failed) |",
        cached.p50_ms, cached.p99_ms, cached.requests, cached.rps, cached.failed
    );
    let _ = writeln!(
        report,
        "| rebuilt beside {WRITES_PER_SECOND} transitions/s | {} |",
        stats(&beside)
    );
    let _ = writeln!(
        report,
        "\nThe transitions meanwhile: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} done, {} failed).",
        writes.p50_ms, writes.p99_ms, writes.max_ms, writes.done, writes.failed
    );
    let _ = writeln!(
        report,
        "\n## The repeat check over the same {} cases (every one has an applicant, most a respondent too: over 100,000 parties)\n",
        EXPORT_OPEN + EXPORT_CLOSED
    );
    let _ = writeln!(
        report,
        "| `POST /api/repeats/search` | concurrency | p50 ms | p99 ms | requests/s | requests | failed |"
    );
    let _ = writeln!(report, "|---|---:|---:|---:|---:|---:|---:|");
    for (what, n) in &repeats {
        let _ = writeln!(
            report,
            "| {what} | 16 | {:.2} | {:.2} | {:.0} | {} | {} |",
            n.p50_ms, n.p99_ms, n.rps, n.requests, n.failed
        );
    }
    let out = work.join("results-dashboard.md");
    fs::write(&out, &report).map_err(|e| format!("could not write {}: {e}", out.display()))?;
    println!("{report}");
    eprintln!("xtask: results written to {}", out.display());
    Ok(())
}

/// The intake's repeat check (`POST /api/repeats/search`) at concurrency 16: a phone some party
/// has, a phone and an ID number nobody has, and the first again beside transitions on their
/// schedule. The server's per-person limit is lifted for the run (`CONCORD_REPEAT_SEARCHES`).
fn repeat_search(
    server: &Server,
    work: &Path,
    cookie: &str,
    seconds: u32,
) -> Result<Vec<(String, Numbers)>> {
    // A phone of the newest case's first party, as the lead reads it (unmasked).
    let list = http(
        server.port,
        "GET",
        "/api/cases?per_page=1",
        None,
        Some(cookie),
    )?;
    let id = json_numbers(&list.body, "\"id\":")
        .first()
        .copied()
        .ok_or("the case list is empty")?;
    let case = http(
        server.port,
        "GET",
        &format!("/api/cases/{id}"),
        None,
        Some(cookie),
    )?;
    let phone = case
        .body
        .split("\"phone\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the newest case has no phone")?
        .to_owned();
    let known = format!(r#"{{"phones":["{phone}"]}}"#);
    let check = http(
        server.port,
        "POST",
        "/api/repeats/search",
        Some(&known),
        Some(cookie),
    )?;
    if check.status != 200 || !check.body.contains("\"case_id\"") {
        return Err(format!(
            "the search for {phone} found nothing: {} {}",
            check.status, check.body
        ));
    }
    let unknown = r#"{"phones":["13000000000"],"id_numbers":["11010519491231002X"]}"#;
    let mut out = vec![
        (
            "a phone some party has".to_owned(),
            wrk(
                server,
                work,
                "/api/repeats/search",
                cookie,
                16,
                seconds,
                Some(&known),
            )?,
        ),
        (
            "a phone and an ID number nobody has".to_owned(),
            wrk(
                server,
                work,
                "/api/repeats/search",
                cookie,
                16,
                seconds,
                Some(unknown),
            )?,
        ),
    ];
    let (searches, writes) = std::thread::scope(|scope| {
        let writer =
            scope.spawn(|| scheduled_transitions(server, cookie, WRITES_PER_SECOND, seconds));
        let searches = wrk(
            server,
            work,
            "/api/repeats/search",
            cookie,
            16,
            seconds,
            Some(&known),
        );
        (searches, writer.join())
    });
    let writes = writes.map_err(|_| "the writer panicked".to_owned())??;
    out.push((
        format!(
            "a phone some party has, beside {WRITES_PER_SECOND} transitions/s (theirs: p99 {:.1} ms, {} failed)",
            writes.p99_ms, writes.failed
        ),
        searches?,
    ));
    Ok(out)
}

/// Removes a SQLite database and its companions (`-wal`, `-shm`, the serve lock), if any.
pub(crate) fn remove_sqlite(db: &Path) {
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(name);
    }
}

/// What a streamed download took.
struct Download {
    status: u16,
    rows: u64,
    bytes: u64,
    first_byte: f64,
    total: f64,
}

/// `GET path` read as it streams, counted and dropped (the body's bytes as sent, chunk
/// framing included).
fn download(port: u16, path: &str, cookie: &str) -> Result<Download> {
    let started = Instant::now();
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("could not connect: {e}"))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("could not send: {e}"))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut head = Vec::new();
    let mut bytes = 0u64;
    let mut first_byte = None;
    loop {
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("the download broke off: {e}"))?;
        if n == 0 {
            break;
        }
        if first_byte.is_none() {
            first_byte = Some(started.elapsed().as_secs_f64());
        }
        if head.len() < 4096 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            head.extend_from_slice(&buf[..n]);
        }
        bytes += n as u64;
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let rows = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("x-ledger-rows:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    Ok(Download {
        status,
        rows,
        bytes,
        first_byte: first_byte.unwrap_or(0.0),
        total: started.elapsed().as_secs_f64(),
    })
}

/// The live board with 10,000 open cards: 1,000 streams, 100 moves at 10/s, the arrival
/// times; the transition rate at concurrency 8 with the streams open (and without, to
/// compare); on PostgreSQL the streams on a second server and its case reads per second.
fn live_section(
    server: &Server,
    url: &str,
    work: &Path,
    cookie: &str,
    seconds: u32,
    postgres: bool,
) -> Result<String> {
    const STREAMS: usize = 1_000;
    const TOWN_STREAMS: usize = 50;
    const MOVES: usize = 100;
    let script = server.transition_script(work, cookie, 8)?;
    let without = wrk_script(server, &script, 8, seconds)?;
    let second = if postgres {
        Some(Server::start_with(
            &target_dir().join("release").join("concord"),
            url,
            10_000,
            10_000,
        )?)
    } else {
        None
    };
    let watch = second.as_ref().unwrap_or(server);
    let watch_cookie = if postgres {
        watch.login("lead")?
    } else {
        cookie.to_owned()
    };
    // The case read, on the watching server.
    let case_reads = if postgres {
        let (case_id, _, _) = watch.sample_case(&watch_cookie)?;
        Some(wrk(
            watch,
            work,
            &format!("/api/cases/{case_id}"),
            &watch_cookie,
            16,
            seconds,
            None,
        )?)
    } else {
        None
    };
    // Where the machine's time goes while the streams are open: the server(s), and the rest
    // (the stream readers and wrk, on the same cores). 1,000 streams is the stress; 50 is
    // about what a town keeps open (a board or a case page per person on duty).
    let pids: Vec<u32> = std::iter::once(server.child.id())
        .chain(second.as_ref().map(|s| s.child.id()))
        .collect();
    let mut runs = Vec::new();
    for streams in [STREAMS, TOWN_STREAMS] {
        let script = server.transition_script(work, cookie, 8)?;
        let (arrived, (with, server_cpu, wall)) =
            crate::live_bench::arrivals(watch, server, &watch_cookie, streams, MOVES, 10, || {
                let before: f64 = pids.iter().map(|p| cpu_seconds(*p)).sum();
                let started = std::time::Instant::now();
                let numbers = wrk_script(server, &script, 8, seconds)?;
                let used = pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>() - before;
                Ok((numbers, used, started.elapsed().as_secs_f64()))
            })?;
        runs.push((arrived, with, server_cpu, wall));
    }
    // Without streams once more, after them: the first run of a fresh server is not the
    // steadiest, so the streams are compared with both.
    let script = server.transition_script(work, cookie, 8)?;
    let without_after = wrk_script(server, &script, 8, seconds)?;
    let mut out = String::new();
    for (arrived, with, server_cpu, wall) in runs {
        let share = 100.0 * server_cpu / (wall * cpus()).max(f64::EPSILON);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!(
            "Live board, 10,000 open cards: {} event streams{}; {} moves at 10/s; from sending a move to its arrival on every stream p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 < 250 ms), {} arrivals missing. Transitions at concurrency 8: {:.0}/s with the streams open, {:.0}/s without before them and {:.0}/s after (p99 {:.1}, {:.1} and {:.1} ms); meanwhile the server{} used {share:.0} % of the machine's {} cores, the stream readers and wrk the rest.",
            arrived.streams,
            if postgres {
                " on a second server over the same database"
            } else {
                ""
            },
            arrived.moves,
            arrived.at(0.5),
            arrived.at(0.99),
            arrived.at(1.0),
            arrived.missing,
            with.rps,
            without.rps,
            without_after.rps,
            with.p99_ms,
            without.p99_ms,
            without_after.p99_ms,
            if postgres { "s" } else { "" },
            cpus()
        ));
    }
    if let Some(reads) = case_reads {
        out.push_str(&format!(
            " Case reads on the second server (`GET /api/cases/{{id}}`, concurrency 16, revision known by LISTEN): {:.0}/s, p99 {:.2} ms (target > 12,000/s).",
            reads.rps, reads.p99_ms
        ));
    }
    drop(second);
    Ok(out)
}

/// The release server on a free loopback port with a fresh SQLite database of `open` open and
/// `closed` closed demo cases.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Server {
    fn start(url: &str, open: u32, closed: u32) -> Result<Server> {
        Server::start_with(
            &target_dir().join("release").join("concord"),
            url,
            open,
            closed,
        )
    }

    /// The server binary `exe` on a free loopback port over `url`, with the demo loaded
    /// (`open` cases on the board, `closed` archived).
    pub(crate) fn start_with(exe: &Path, url: &str, open: u32, closed: u32) -> Result<Server> {
        Server::start_towns(exe, url, (open, closed), 1)
    }

    /// `start_with` for a county of `towns` towns of the same size.
    fn start_towns(
        exe: &Path,
        url: &str,
        (open, closed): (u32, u32),
        towns: u32,
    ) -> Result<Server> {
        status(
            Command::new(exe)
                .current_dir(root())
                .args([
                    "demo",
                    "--open",
                    &open.to_string(),
                    "--closed",
                    &closed.to_string(),
                    "--towns",
                    &towns.to_string(),
                ])
                .env("CONCORD_DATABASE_URL", url)
                .env("CONCORD_ADMIN_PASSWORD", DEMO_PASSWORD)
                .env("CONCORD_DEMO_PASSWORD", DEMO_PASSWORD),
        )?;
        let port = free_port()?;
        let child = Command::new(exe)
            .current_dir(root())
            .arg("serve")
            .env("CONCORD_DATABASE_URL", url)
            .env("CONCORD_BIND", format!("127.0.0.1:{port}"))
            .env("CONCORD_STATIC_DIR", dist_dir())
            .env("CONCORD_ADMIN_PASSWORD", DEMO_PASSWORD)
            // The sign-in burst says which address each attempt comes from.
            .env("CONCORD_TRUST_PROXY", "true")
            // No escalations in the middle of a measurement (they write too).
            .env("CONCORD_SUPERVISE_SECONDS", "0")
            // The repeat check's per-person limit would stop wrk after 300 searches.
            .env("CONCORD_REPEAT_SEARCHES", "1000000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start the server: {e}"))?;
        let server = Server { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err("the server did not start listening within 30 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Signs in and returns the `Cookie` header value.
    pub(crate) fn login(&self, username: &str) -> Result<String> {
        let body = format!(r#"{{"username":"{username}","password":"{DEMO_PASSWORD}"}}"#);
        let answer = http(self.port, "POST", "/api/auth/login", Some(&body), None)?;
        if answer.status != 200 {
            return Err(format!(
                "login as {username} failed: {} {}",
                answer.status, answer.body
            ));
        }
        answer
            .headers
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("set-cookie")
                    .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
            })
            .ok_or_else(|| "login set no cookie".to_owned())
    }

    /// A case with an applicant's phone: its id, code and the phone's last four digits.
    fn sample_case(&self, cookie: &str) -> Result<(i64, String, String)> {
        let list = http(
            self.port,
            "GET",
            "/api/cases?stage=in_handling&per_page=20",
            None,
            Some(cookie),
        )?;
        for id in json_numbers(&list.body, "\"id\":") {
            let case = http(
                self.port,
                "GET",
                &format!("/api/cases/{id}"),
                None,
                Some(cookie),
            )?;
            let code = json_strings(&case.body, "\"code\":").into_iter().next();
            let phone = json_strings(&case.body, "\"phone\":")
                .into_iter()
                .find(|p| p.len() >= 4 && !p.contains('*'));
            if let (Some(code), Some(phone)) = (code, phone) {
                let last4 = phone[phone.len() - 4..].to_owned();
                return Ok((id, code, last4));
            }
        }
        Err("no case with a phone number among the first in-handling cases".to_owned())
    }

    /// Registered cases (id, version) — at most 200 — and a mediator to route them to.
    pub(crate) fn registered(&self, cookie: &str) -> Result<(Vec<(i64, i64)>, String)> {
        let list = http(
            self.port,
            "GET",
            "/api/cases?stage=registered&per_page=200",
            None,
            Some(cookie),
        )?;
        let ids = json_numbers(&list.body, "\"id\":");
        let versions = json_numbers(&list.body, "\"version\":");
        if ids.len() != versions.len() {
            return Err("the case list did not parse".to_owned());
        }
        let handlers = http(self.port, "GET", "/api/handlers", None, Some(cookie))?;
        let handler = json_strings(&handlers.body, "\"handler\":")
            .into_iter()
            .find(|h| h.starts_with("mediator:"))
            .ok_or("no mediator to route to")?;
        Ok((ids.into_iter().zip(versions).collect(), handler))
    }

    /// Writes a wrk Lua script in which each of `threads` threads (one connection each) moves
    /// its own registered cases to Routed and back, tracking their versions.
    fn transition_script(&self, work: &Path, cookie: &str, threads: u32) -> Result<PathBuf> {
        let (registered, handler) = self.registered(cookie)?;
        if registered.len() < threads as usize {
            return Err(format!(
                "need at least {threads} registered cases, found {}",
                registered.len()
            ));
        }
        let (ids, versions): (Vec<i64>, Vec<i64>) = registered.into_iter().unzip();
        let cases: Vec<String> = ids
            .iter()
            .zip(&versions)
            .map(|(i, v)| format!("{{{i},{v}}}"))
            .collect();
        let script = format!(
            r#"-- Generated by `cargo xtask bench`: stage transitions with correct versions.
local cases = {{{cases}}}
local threads = {threads}
local counter = 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end
function init(args)
  mine = {{}}
  for i = 1, #cases do
    if (i - 1) % threads == index then
      table.insert(mine, {{ id = cases[i][1], version = cases[i][2], routed = false }})
    end
  end
  next = 1
end
function request()
  current = mine[next]
  local body
  if current.routed then
    body = '{{"version":' .. current.version .. ',"command":{{"type":"return","reason":"bench: back to the center"}}}}'
  else
    body = '{{"version":' .. current.version .. ',"command":{{"type":"route","handler":"{handler}","cooperating":[],"note":""}}}}'
  end
  return wrk.format("POST", "/api/cases/" .. current.id .. "/transitions", {{["Content-Type"] = "application/json", ["Cookie"] = "{cookie}"}}, body)
end
function response(status, headers, body)
  if status == 200 then
    current.version = current.version + 1
    current.routed = not current.routed
  end
  next = next % #mine + 1
end
"#,
            cases = cases.join(",")
        );
        let path = work.join("transitions.lua");
        fs::write(&path, script).map_err(|e| format!("could not write {}: {e}", path.display()))?;
        Ok(path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs wrk against one URL (GET, or POST with a JSON body) and parses its numbers.
fn wrk(
    server: &Server,
    work: &Path,
    path: &str,
    cookie: &str,
    conc: u32,
    seconds: u32,
    post: Option<&str>,
) -> Result<Numbers> {
    let mut cmd = wrk_command(server, path, cookie, conc, seconds);
    if let Some(body) = post {
        let script = work.join("post.lua");
        let lua = format!(
            "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        );
        fs::write(&script, lua)
            .map_err(|e| format!("could not write {}: {e}", script.display()))?;
        cmd.arg("-s").arg(&script);
    }
    run_wrk(cmd)
}

/// wrk on `path` at concurrency `conc` for `seconds`, with the session cookie if any.
fn wrk_command(server: &Server, path: &str, cookie: &str, conc: u32, seconds: u32) -> Command {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        &conc.min(2).to_string(),
        "-c",
        &conc.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
    ]);
    if !cookie.is_empty() {
        cmd.args(["-H", &format!("Cookie: {cookie}")]);
    }
    cmd.arg(format!("{}{path}", server.base()));
    cmd
}

/// Starts wrk on a GET of `path` in the background (see `finish_wrk`).
fn spawn_wrk(server: &Server, path: &str, cookie: &str, conc: u32, seconds: u32) -> Result<Child> {
    let mut cmd = wrk_command(server, path, cookie, conc, seconds);
    eprintln!("xtask: {cmd:?} (in the background)");
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run wrk: {e}"))
}

/// Waits for a wrk started by `spawn_wrk` and parses its numbers.
fn finish_wrk(child: Child) -> Result<Numbers> {
    let out = child.wait_with_output().map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{text}");
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(parse_wrk(&text))
}

/// Latencies of writes sent on a fixed schedule, each measured from its scheduled time (so a
/// write that had to wait for an earlier one counts that wait too).
#[derive(Debug, Default)]
struct Scheduled {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    per_second: f64,
    done: u64,
    failed: u64,
}

/// Sends `per_second` stage transitions a second for `seconds` on a fixed schedule, moving
/// registered cases to Routed and back, one connection per request.
fn scheduled_transitions(
    server: &Server,
    cookie: &str,
    per_second: u32,
    seconds: u32,
) -> Result<Scheduled> {
    let (registered, handler) = server.registered(cookie)?;
    if registered.is_empty() {
        return Err("no registered case to move".to_owned());
    }
    let mut cases: Vec<(i64, i64, bool)> = registered
        .into_iter()
        .map(|(id, v)| (id, v, false))
        .collect();
    let interval = Duration::from_secs(1) / per_second;
    let total = per_second * seconds;
    let mut latencies = Vec::with_capacity(total as usize);
    let mut failed = 0;
    let start = Instant::now();
    for k in 0..total {
        let due = start + interval * k;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let n = cases.len();
        let case = &mut cases[k as usize % n];
        let body = if case.2 {
            format!(
                r#"{{"version":{},"command":{{"type":"return","reason":"bench: back to the center"}}}}"#,
                case.1
            )
        } else {
            format!(
                r#"{{"version":{},"command":{{"type":"route","handler":"{handler}","cooperating":[],"note":""}}}}"#,
                case.1
            )
        };
        let path = format!("/api/cases/{}/transitions", case.0);
        match http(server.port, "POST", &path, Some(&body), Some(cookie)) {
            Ok(a) if a.status == 200 => {
                case.1 += 1;
                case.2 = !case.2;
            }
            _ => failed += 1,
        }
        latencies.push(due.elapsed().as_secs_f64() * 1000.0);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(Scheduled {
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        per_second: total as f64 / elapsed,
        done: u64::from(total) - failed,
        failed,
    })
}

/// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
pub(crate) fn cpu_seconds(pid: u32) -> f64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) — utime and stime are the 12th
    // and 13th after it, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// The number of CPUs, for "share of the machine".
fn cpus() -> f64 {
    std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64)
}

/// A process's resident memory, now and at its peak (MB), from `/proc`.
fn memory_mb(pid: u32) -> (u64, u64) {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// What a flood of wrong sign-ins does to the server.
struct Burst {
    before_mb: u64,
    peak_mb: u64,
    after_mb: u64,
    /// The flood's numbers (every answer is a 401 or a 429: all "failed").
    flood: Numbers,
    /// A signed-in person's `GET /api/me`, one at a time, meanwhile.
    others: Numbers,
}

/// `connections` connections sending wrong sign-ins (from `addresses` addresses, as the
/// trusted proxy reports them) for `seconds`, while a signed-in person keeps asking
/// `GET /api/me` on one connection. Both are wrk processes, so the flood is made by a few
/// threads, not hundreds.
fn sign_in_flood(
    server: &Server,
    work: &Path,
    cookie: &str,
    connections: u32,
    addresses: u32,
    seconds: u32,
) -> Result<Burst> {
    let pid = server.child.id();
    let (before_mb, _) = memory_mb(pid);
    let script = work.join("sign-in-flood.lua");
    let lua = format!(
        r#"-- Generated by `cargo xtask bench`: wrong sign-ins from {addresses} addresses.
local i = 0
request = function()
  i = i + 1
  local body = '{{"username":"flood' .. i .. '","password":"wrong password"}}'
  return wrk.format("POST", "/api/auth/login", {{["Content-Type"] = "application/json", ["X-Forwarded-For"] = "198.18.0." .. (i % {addresses})}}, body)
end
"#
    );
    fs::write(&script, lua).map_err(|e| format!("could not write {}: {e}", script.display()))?;
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        "2",
        "-c",
        &connections.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
        "-s",
    ])
    .arg(&script)
    .arg(server.base());
    eprintln!("xtask: {cmd:?} (in the background)");
    let flood = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run wrk: {e}"))?;
    std::thread::sleep(Duration::from_millis(300));
    let others = run_wrk(wrk_command(
        server,
        "/api/me",
        cookie,
        1,
        seconds.saturating_sub(1).max(1),
    ))?;
    let flood = finish_wrk(flood)?;
    let (after_mb, peak_mb) = memory_mb(pid);
    Ok(Burst {
        before_mb,
        peak_mb,
        after_mb,
        flood,
        others,
    })
}

/// Runs wrk with a script, one connection per thread.
fn wrk_script(server: &Server, script: &Path, conc: u32, seconds: u32) -> Result<Numbers> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        &conc.to_string(),
        "-c",
        &conc.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
        "-s",
    ]);
    cmd.arg(script).arg(server.base());
    run_wrk(cmd)
}

fn run_wrk(mut cmd: Command) -> Result<Numbers> {
    eprintln!("xtask: {cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| format!("could not run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{text}");
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(parse_wrk(&text))
}

/// Reads p50, p99, requests/s, the request count and failures out of wrk's report.
fn parse_wrk(text: &str) -> Numbers {
    let mut n = Numbers::default();
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("50%"), Some(v)) => n.p50_ms = millis(v),
            (Some("99%"), Some(v)) => n.p99_ms = millis(v),
            (Some("Requests/sec:"), Some(v)) => n.rps = v.parse().unwrap_or(0.0),
            _ => {}
        }
        if let Some(count) = line
            .split(" requests in ")
            .next()
            .filter(|_| line.contains(" requests in "))
        {
            n.requests = count.trim().parse().unwrap_or(0);
        }
        if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            n.failed += rest.trim().parse::<u64>().unwrap_or(0);
        }
        if let Some(rest) = line.strip_prefix("Socket errors:") {
            n.failed += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    n
}

/// wrk prints durations as `812.00us`, `1.52ms` or `1.02s`.
fn millis(v: &str) -> f64 {
    let split = v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let num: f64 = num.parse().unwrap_or(0.0);
    match unit {
        "us" => num / 1000.0,
        "ms" => num,
        "s" => num * 1000.0,
        "m" => num * 60_000.0,
        _ => num,
    }
}

/// A built file's size as the server sends it to a browser that takes gzip: its `.gz` twin,
/// which the build wrote at the best level.
fn gzip_size(path: &Path) -> Result<u64> {
    let mut twin = path.as_os_str().to_owned();
    twin.push(".gz");
    fs::metadata(&twin)
        .map(|m| m.len())
        .map_err(|e| format!("{}: no gzip twin ({e})", path.display()))
}

/// The gzipped sizes (bytes, best level) of the public look-up page and its style sheet.
fn public_sizes(server: &Server, code: &str) -> Result<(usize, usize)> {
    let path = format!("/status?code={code}");
    let plain = http(server.port, "GET", &path, None, None)?;
    let css = plain
        .body
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/public-") && h.ends_with(".css"))
        .ok_or("the status page names no style sheet")?
        .to_owned();
    let sheet = http(server.port, "GET", &css, None, None)?;
    Ok((gzipped_len(&plain.body)?, gzipped_len(&sheet.body)?))
}

/// The size of `text` gzipped at the best level (what `gzip -9` sends).
fn gzipped_len(text: &str) -> Result<usize> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(text.as_bytes())
        .and_then(|()| gz.finish())
        .map(|out| out.len())
        .map_err(|e| format!("gzip: {e}"))
}

/// The public look-up on slow 3G: (form usable, answer shown) in ms.
fn public_timing(server: &Server, code: &str, digits: &str) -> Result<(f64, f64)> {
    let exe = target_dir().join("release").join("public-timing");
    let out = Command::new(exe)
        .args([server.base().as_str(), code, digits])
        .output()
        .map_err(|e| format!("could not run public-timing: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "public-timing failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut numbers = text.split_whitespace().map(str::parse::<f64>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(form)), Some(Ok(answer))) => Ok((form, answer)),
        _ => Err(format!("public-timing printed `{text}`")),
    }
}

/// How long the board with the server's open cards takes to show in headless Chromium (ms).
fn board_timing(server: &Server) -> Result<f64> {
    board_timing_as(server, "lead")
}

/// `board_timing` signed in as `user`.
fn board_timing_as(server: &Server, user: &str) -> Result<f64> {
    let exe = target_dir().join("release").join("board-timing");
    let out = Command::new(exe)
        .args([server.base().as_str(), user, DEMO_PASSWORD])
        .output()
        .map_err(|e| format!("could not run board-timing: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "board-timing failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    text.trim()
        .parse()
        .map_err(|_| format!("board-timing printed `{text}`"))
}

/// An HTTP answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    headers: String,
    pub(crate) body: String,
}

/// A minimal HTTP/1.1 request over loopback (the benchmark's set-up calls only).
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    cookie: Option<&str>,
) -> Result<Answer> {
    http_with(port, method, path, body, cookie, &[])
}

/// `http` with extra header lines (`Name: value`).
fn http_with(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    cookie: Option<&str>,
    extra: &[&str],
) -> Result<Answer> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("could not connect: {e}"))?;
    let body = body.unwrap_or("");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("could not send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("could not read: {e}"))?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = raw.split_once("\r\n\r\n").ok_or("malformed HTTP answer")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Ok(Answer {
        status,
        headers: head.to_owned(),
        body,
    })
}

/// The `Content-Length` of an answer's head (0 if none).
fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0)
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        // A binary (compressed) body read as text may not split at a character: stop there.
        let (Some(chunk), Some(next)) = (after.get(..size), after.get(size..)) else {
            break;
        };
        out.push_str(chunk);
        rest = next.trim_start_matches("\r\n");
    }
    out
}

/// Every integer after `key` in a JSON text (good enough for the set-up's flat lists).
pub(crate) fn json_numbers(text: &str, key: &str) -> Vec<i64> {
    text.match_indices(key)
        .filter_map(|(i, _)| {
            let rest = &text[i + key.len()..];
            let end = rest
                .find(|c: char| !c.is_ascii_digit() && c != '-')
                .unwrap_or(rest.len());
            rest[..end].parse().ok()
        })
        .collect()
}

/// Every string after `key` in a JSON text.
pub(crate) fn json_strings(text: &str, key: &str) -> Vec<String> {
    text.match_indices(key)
        .filter_map(|(i, _)| {
            let rest = text[i + key.len()..].strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_reports_are_parsed() {
        let text = "Running 10s test @ http://127.0.0.1:1/api/board\n  2 threads and 16 connections\n  Latency Distribution\n     50%    1.52ms\n     75%    2.00ms\n     90%    2.50ms\n     99%  812.00us\n  12345 requests in 10.00s, 1.00GB read\n  Non-2xx or 3xx responses: 3\nRequests/sec:   1234.50\n";
        let n = parse_wrk(text);
        assert_eq!(
            (n.p50_ms, n.p99_ms, n.requests, n.failed),
            (1.52, 0.812, 12345, 3)
        );
        assert!((n.rps - 1234.5).abs() < 1e-9);
    }

    #[test]
    fn flat_json_values_are_found() {
        let body =
            r#"{"items":[{"id":12,"version":3,"code":"2611-ABCDEF"},{"id":13,"version":1}]}"#;
        assert_eq!(json_numbers(body, "\"id\":"), vec![12, 13]);
        assert_eq!(json_numbers(body, "\"version\":"), vec![3, 1]);
        assert_eq!(
            json_strings(body, "\"code\":"),
            vec!["2611-ABCDEF".to_owned()]
        );
        assert_eq!(dechunk("5\r\nhello\r\n0\r\n\r\n"), "hello");
    }
}
