//! `cargo xtask fuzz [--examples N]`: a bounded property-based test of the real server against
//! its own OpenAPI document. Schemathesis (from PyPI, installed into `target/fuzz/venv`)
//! reads `/api/openapi.json`, generates requests for every operation — signed in as the demo
//! center's lead — and checks every answer: no server error, a documented status, the
//! documented content type, a body that fits the documented schema. Sign-out is left out (it
//! would end the session the rest runs in). Bounded: `--examples` per operation (default 30)
//! and five minutes in all.
//!
//! Then the same server is driven through Open311 GeoReport v2 by a real client library from
//! PyPI (`georeport`, in the same venv) with `tests/open311/client.py`: the administrator
//! issues a realtime and a batch API key, and the script lists and defines services, posts
//! requests, reads them back by id and in filtered lists, and resolves a token — in JSON and
//! in XML.

use std::fs;
use std::process::Command;

use crate::bench::{Server, http, json_strings};
use crate::{Result, cargo, status, target_dir};

/// The schemathesis release series the run is written for.
const SCHEMATHESIS: &str = "schemathesis>=4.25,<5";
/// The Open311 client library the script drives (its last release, 2023).
const GEOREPORT: &str = "georeport==0.3.1";
/// The longest the run may take, in seconds.
const TIME_LIMIT: &str = "300";

pub fn fuzz(args: &[String]) -> Result {
    let examples = args
        .iter()
        .position(|a| a == "--examples")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(30);
    let work = target_dir().join("fuzz");
    fs::create_dir_all(&work).map_err(|e| format!("could not create {}: {e}", work.display()))?;
    let venv = work.join("venv");
    let st = venv.join("bin").join("st");
    if !st.exists() {
        status(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        status(Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            SCHEMATHESIS,
        ]))?;
    }
    // Built with the workspace's features, as the tests build it, so nothing is compiled twice.
    status(cargo().args([
        "build",
        "--workspace",
        "--exclude",
        "concord-frontend",
        "--bins",
    ]))?;
    let exe = target_dir().join("debug").join("concord");
    let db = work.join("fuzz.db");
    crate::bench::remove_sqlite(&db);
    let server = Server::start_with(&exe, &format!("sqlite://{}", db.display()), 300, 300)?;
    let cookie = server.login("lead")?;
    let report = work.join("report");
    let _ = fs::remove_dir_all(&report);
    let outcome = status(
        Command::new("timeout")
            .arg(TIME_LIMIT)
            .arg(&st)
            .arg("run")
            .arg(format!("{}/api/openapi.json", server.base()))
            .args(["--header", &format!("Cookie: {cookie}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            ])
            .args(["--max-examples", &examples.to_string()])
            .args(["--seed", "20261201", "--generation-database", "none"])
            .args(["--phases", "examples,fuzzing"])
            .args(["--request-timeout", "10"])
            .args(["--exclude-path", "/api/auth/logout"])
            // The live stream never ends by design: a request to it would only time out.
            .args(["--exclude-path", "/api/events"])
            .env("SCHEMATHESIS_HOOKS", "")
            .current_dir(&work),
    );
    let client = open311_client(&server, &venv);
    drop(server);
    outcome.map_err(|e| {
        format!("the fuzz run found problems (or did not finish in {TIME_LIMIT} s): {e}")
    })?;
    client
}

/// Runs `tests/open311/client.py` against `server` with two fresh API keys.
fn open311_client(server: &Server, venv: &std::path::Path) -> Result {
    let python = venv.join("bin").join("python");
    let has_it = Command::new(&python)
        .args(["-c", "import georeport, xmltodict, requests"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_it {
        status(Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            GEOREPORT,
        ]))?;
    }
    let admin = server.login("admin")?;
    let issue = |name: &str, batch: bool| -> Result<String> {
        let body = format!(r#"{{"name":"{name}","batch":{batch}}}"#);
        let answer = http(
            server.port,
            "POST",
            "/api/admin/open311-clients",
            Some(&body),
            Some(&admin),
        )?;
        if answer.status != 201 {
            return Err(format!(
                "issuing an API key failed: {} {}",
                answer.status, answer.body
            ));
        }
        json_strings(&answer.body, r#""api_key":"#)
            .pop()
            .ok_or_else(|| format!("no api_key in {}", answer.body))
    };
    let realtime = issue("open311 client test", false)?;
    let batch = issue("open311 client test (batch)", true)?;
    let definition = http(
        server.port,
        "GET",
        "/open311/v2/services/labour.json",
        None,
        None,
    )?;
    let village = json_strings(&definition.body, r#""key":"#)
        .into_iter()
        .find(|k| k.parse::<i64>().is_ok())
        .ok_or_else(|| format!("no village in {}", definition.body))?;
    eprintln!("xtask: ── Open311 through a client library from PyPI ({GEOREPORT}) ──");
    status(
        Command::new(&python)
            .arg(
                crate::root()
                    .join("tests")
                    .join("open311")
                    .join("client.py"),
            )
            .args([&server.base(), &realtime, &batch, &village]),
    )
    .map_err(|e| format!("the Open311 client script failed: {e}"))
}
