//! `board-timing BASE_URL USERNAME PASSWORD`: how long the board takes to show its cards in
//! headless Chromium, in milliseconds after navigation starts (the median of five loads,
//! signed in). Used by `cargo xtask bench`; prints one number.

use std::process::ExitCode;

use concord_tests::browser::{Browser, Result};

/// Resolves with `performance.now()` (ms since navigation start) once the first card is on
/// the page and the column counters are filled in.
const CARDS_SHOWN: &str = r#"
const done = arguments[arguments.length - 1];
function check() {
  if (document.querySelector('[data-testid^="card-"]')) { done(performance.now()); }
  else { requestAnimationFrame(check); }
}
check();
"#;

async fn measure(base: &str, username: &str, password: &str) -> Result<f64> {
    let browser = Browser::start(base, 1280, 800, false).await?;
    browser.goto("/login").await?;
    browser.fill("input[name=username]", username).await?;
    browser.fill("input[name=password]", password).await?;
    browser.click("[data-testid=login-submit]").await?;
    browser.wait("[data-testid=board]").await?;
    let mut times = Vec::new();
    for _ in 0..5 {
        browser.goto("/board").await?;
        let value = browser
            .client
            .execute_async(CARDS_SHOWN, Vec::new())
            .await?;
        times.push(
            value
                .as_f64()
                .ok_or_else(|| format!("the page answered {value}"))?,
        );
    }
    browser.close().await?;
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, username, password] = args.as_slice() else {
        eprintln!("usage: board-timing BASE_URL USERNAME PASSWORD");
        return ExitCode::from(2);
    };
    match measure(base, username, password).await {
        Ok(ms) => {
            println!("{ms:.0}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("board-timing: {e}");
            ExitCode::FAILURE
        }
    }
}
