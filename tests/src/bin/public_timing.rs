//! `public-timing BASE_URL CODE DIGITS`: the public status look-up on a slow 3G line
//! (Chromium's network emulation through ChromeDriver: 400 ms latency, 400 kbit/s each way),
//! from a cold cache. Prints two numbers in milliseconds, the medians of three fresh
//! browsers: the form usable (its `load` event after navigation starts), and the answer
//! shown after the digits are sent (the answer page's `load` event after its navigation
//! starts). Used by `cargo xtask bench`.

use std::process::ExitCode;

use concord_tests::browser::{Browser, Network, Result};

/// The `load` event of the current page, in ms after its navigation started.
const LOADED: &str = r#"
const done = arguments[arguments.length - 1];
function check() {
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav && nav.loadEventEnd > 0) { done(nav.loadEventEnd); } else { setTimeout(check, 20); }
}
check();
"#;

async fn loaded(browser: &Browser) -> Result<f64> {
    let value = browser.client.execute_async(LOADED, Vec::new()).await?;
    value
        .as_f64()
        .ok_or_else(|| format!("the page answered {value}").into())
}

async fn once(base: &str, code: &str, digits: &str) -> Result<(f64, f64)> {
    let browser = Browser::start(base, 360, 640, true).await?;
    browser.network(Network::Slow3g).await?;
    browser.goto(&format!("/status?code={code}")).await?;
    let form = loaded(&browser).await?;
    browser.fill("input[name=phone_last4]", digits).await?;
    browser.click("[data-testid=lookup]").await?;
    browser.wait("[data-testid=status-result]").await?;
    let answer = loaded(&browser).await?;
    browser.close().await?;
    Ok((form, answer))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, code, digits] = args.as_slice() else {
        eprintln!("usage: public-timing BASE_URL CODE DIGITS");
        return ExitCode::from(2);
    };
    let mut forms = Vec::new();
    let mut answers = Vec::new();
    for _ in 0..3 {
        match once(base, code, digits).await {
            Ok((form, answer)) => {
                forms.push(form);
                answers.push(answer);
            }
            Err(e) => {
                eprintln!("public-timing: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    forms.sort_by(f64::total_cmp);
    answers.sort_by(f64::total_cmp);
    println!("{:.0} {:.0}", forms[1], answers[1]);
    ExitCode::SUCCESS
}
