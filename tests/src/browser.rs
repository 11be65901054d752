//! A headless Chromium driven over WebDriver (Debian's chromedriver), with the few gestures a
//! person makes: go to a page, click, type, choose, drag with a mouse or a finger, read text.
//!
//! chromedriver runs in its own process group, which is ended on drop, so no Chromium is left
//! behind. Screenshots of failing tests land in `target/browser-screenshots/`.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{
    InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction, TouchActions,
};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long a wait for something on the page lasts before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A boxed error with a sentence saying what was expected.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// The result of a browser step.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// A network line for Chromium's emulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Every request fails, as when the line is cut.
    Offline,
    /// Slow 3G as the issues measure it: 400 ms round-trip latency, 400 kbit/s each way.
    Slow3g,
    /// No emulation: the loopback's own speed.
    Online,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Network {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/chromium/network_conditions",
            session.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        // Throughput in bytes per second; -1 is "not limited".
        let (offline, latency, throughput) = match self {
            Network::Offline => (true, 0, -1),
            Network::Slow3g => (false, 400, 400_000 / 8),
            Network::Online => (false, 0, -1),
        };
        let body = json!({
            "network_conditions": {
                "offline": offline,
                "latency": latency,
                "download_throughput": throughput,
                "upload_throughput": throughput,
            }
        });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// A Chrome DevTools command through ChromeDriver (`goog/cdp/execute`).
#[derive(Debug, Clone)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// One Chromium window and its chromedriver.
pub struct Browser {
    pub client: Client,
    base_url: String,
    _driver: Driver,
}

/// The chromedriver process and Chromium's profile folder; ended and removed on drop.
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // End chromedriver's whole process group, Chromium included.
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn find(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

/// How often `click` and `fill` find an element again that the page drew anew.
const STALE_RETRIES: u32 = 5;

/// Whether a failure is WebDriver's "stale element reference" (the element was replaced).
fn is_stale(e: &Error) -> bool {
    e.to_string().contains("stale element")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a window of `width`×`height`; `touch`
    /// enables touch events (a tablet).
    pub async fn start(base_url: &str, width: u32, height: u32, touch: bool) -> Result<Browser> {
        let port = free_port()?;
        let chromedriver = find("CHROMEDRIVER", "/usr/bin/chromedriver");
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| {
                format!("could not start {chromedriver} (apt-get install chromium-driver): {e}")
            })?;
        let profile =
            std::env::temp_dir().join(format!("concord-chromium-{}-{port}", std::process::id()));
        let driver = Driver { child, profile };
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", driver.profile.display()),
            format!("--window-size={width},{height}"),
            // A browser that prefers English: the app must still open in Chinese.
            "--lang=en-US".to_owned(),
            "--accept-lang=en-US,en".to_owned(),
        ];
        if touch {
            args.push("--touch-events=enabled".to_owned());
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "binary": find("CONCORD_CHROMIUM", "/usr/bin/chromium"), "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await;
            match attempt {
                Ok(client) => break client,
                Err(_) if started.elapsed() < Duration::from_secs(20) => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => return Err(format!("chromedriver did not start a session: {e}").into()),
            }
        };
        client.set_window_size(width, height).await?;
        Ok(Browser {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            _driver: driver,
        })
    }

    /// Opens a path of the app (`/board`).
    pub async fn goto(&self, path: &str) -> Result {
        self.client
            .goto(&format!("{}{path}", self.base_url))
            .await?;
        Ok(())
    }

    /// Waits until an element matching `css` is on the page and returns it.
    pub async fn wait(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waited {PATIENCE:?} for `{css}`: {e}").into())
    }

    /// Waits at most `within` for an element matching `css`; says how long it took.
    pub async fn wait_within(&self, css: &str, within: Duration) -> Result<Duration> {
        let started = Instant::now();
        self.client
            .wait()
            .at_most(within)
            .every(Duration::from_millis(20))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("`{css}` did not appear within {within:?}: {e}"))?;
        Ok(started.elapsed())
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) -> Result {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if self.client.find_all(Locator::Css(css)).await?.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("`{css}` still on the page after {PATIENCE:?}").into())
    }

    /// Waits until the element matching `css` shows `needle` in its text, and returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < PATIENCE {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if text.contains(needle) {
                    return Ok(text);
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("`{css}` never showed “{needle}”; last text: “{last}”").into())
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.wait(css).await?.text().await?)
    }

    /// Clicks the element matching `css`, first scrolling it to the middle of the window. If
    /// something floats over it there (the sticky header, a toast), the click is dispatched
    /// to the element itself, as a person would move the page and click.
    ///
    /// A live page may draw the element anew between finding and clicking it (another change
    /// of the case arrives): a stale element is found again and clicked, a few times at most.
    pub async fn click(&self, css: &str) -> Result {
        let mut tries = 0;
        loop {
            match self.click_once(css).await {
                Err(e) if tries < STALE_RETRIES && is_stale(&e) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    async fn click_once(&self, css: &str) -> Result {
        let el = self.wait(css).await?;
        let arg = vec![serde_json::to_value(&el)?];
        let scroll = "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});";
        self.client.execute(scroll, arg.clone()).await?;
        match el.click().await {
            Ok(()) => Ok(()),
            Err(e) if e.to_string().contains("click intercepted") => {
                self.client.execute("arguments[0].click();", arg).await?;
                Ok(())
            }
            Err(e) => Err(format!("could not click `{css}`: {e}").into()),
        }
    }

    /// Clears the field matching `css` and types `text` into it (found again if the page drew
    /// it anew meanwhile, as `click`).
    pub async fn fill(&self, css: &str, text: &str) -> Result {
        let mut tries = 0;
        loop {
            let attempt = async {
                let el = self.wait(css).await?;
                el.clear().await?;
                el.send_keys(text)
                    .await
                    .map_err(|e| format!("could not type into `{css}`: {e}"))?;
                Result::Ok(())
            }
            .await;
            match attempt {
                Err(e) if tries < STALE_RETRIES && is_stale(&e) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    /// Chooses the option with `value` in the `<select>` matching `css`.
    pub async fn choose(&self, css: &str, value: &str) -> Result {
        self.wait(css)
            .await?
            .select_by_value(value)
            .await
            .map_err(|e| format!("could not choose {value} in `{css}`: {e}"))?;
        Ok(())
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Drags the element matching `from` onto the element matching `to` with a mouse, in small
    /// steps as a hand would.
    pub async fn drag_mouse(&self, from: &str, to: &str) -> Result {
        let steps = self
            .drag_steps(from, to, MOUSE_BUTTON_LEFT, Duration::ZERO)
            .await?;
        let mut mouse = MouseActions::new("mouse".to_owned());
        for step in steps {
            mouse = mouse.then(step);
        }
        self.client.perform_actions(mouse).await?;
        Ok(())
    }

    /// Drags the element matching `from` onto the element matching `to` with a finger (touch
    /// pointer events), pressing a moment first as a finger does.
    pub async fn drag_touch(&self, from: &str, to: &str) -> Result {
        let steps = self
            .drag_steps(from, to, 0, Duration::from_millis(150))
            .await?;
        let mut finger = TouchActions::new("finger".to_owned());
        for step in steps {
            finger = finger.then(step);
        }
        self.client.perform_actions(finger).await?;
        Ok(())
    }

    /// A finger rests on `from` (a long press, `hold`) and then drags it onto `to`.
    pub async fn long_press_drag(&self, from: &str, to: &str, hold: Duration) -> Result {
        let steps = self.drag_steps(from, to, 0, hold).await?;
        let mut finger = TouchActions::new("finger".to_owned());
        for step in steps {
            finger = finger.then(step);
        }
        self.client.perform_actions(finger).await?;
        Ok(())
    }

    /// A finger swipes across `on` by (`dx`, `dy`) without resting first.
    pub async fn swipe(&self, on: &str, dx: f64, dy: f64) -> Result {
        let el = self.wait(on).await?;
        let step = Some(Duration::from_millis(30));
        let mut finger = TouchActions::new("finger".to_owned())
            .then(PointerAction::MoveToElement {
                element: el,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down { button: 0 });
        for _ in 0..6 {
            finger = finger.then(PointerAction::MoveBy {
                duration: step,
                x: dx / 6.0,
                y: dy / 6.0,
            });
        }
        finger = finger.then(PointerAction::Up { button: 0 });
        self.client.perform_actions(finger).await?;
        Ok(())
    }

    /// One drag as pointer actions: press on the source, move off in two small steps, glide to
    /// just above the target's center, settle on it, release. WebDriver sends it as one call.
    async fn drag_steps(
        &self,
        from: &str,
        to: &str,
        button: u64,
        hold: Duration,
    ) -> Result<Vec<PointerAction>> {
        let (source, target) = (self.wait(from).await?, self.wait(to).await?);
        let step = Some(Duration::from_millis(40));
        let at = |element, duration, y| PointerAction::MoveToElement {
            element,
            duration,
            x: 0.0,
            y,
        };
        Ok(vec![
            at(source, None, 0.0),
            PointerAction::Down { button },
            PointerAction::Pause { duration: hold },
            PointerAction::MoveBy {
                duration: step,
                x: 12.0,
                y: 8.0,
            },
            PointerAction::MoveBy {
                duration: step,
                x: 24.0,
                y: 16.0,
            },
            at(target.clone(), Some(Duration::from_millis(250)), -10.0),
            at(target, step, 0.0),
            PointerAction::Up { button },
        ])
    }

    /// Checks the page as it is now with axe-core against the WCAG 2.1 A and AA rules; fails
    /// listing each violation (rule, impact, help and up to five elements). The script comes
    /// from `CONCORD_AXE_JS` (set by `cargo xtask test`, which installs axe-core from npm),
    /// else `target/axe/node_modules/axe-core/axe.min.js`.
    pub async fn expect_accessible(&self, what: &str) -> Result {
        let path = std::env::var_os("CONCORD_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/axe/node_modules/axe-core/axe.min.js")
            });
        let script = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "axe-core is not at {} ({e}); `cargo xtask test` installs it \
                 (npm install --prefix target/axe axe-core@4.10.3)",
                path.display()
            )
        })?;
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != json!(true) {
            // The UMD bundle sets `window.axe` when run as a plain script.
            self.client
                .execute(
                    &format!("(function () {{ {script} }}).call(window);"),
                    vec![],
                )
                .await?;
        }
        // Transitions and animations that end (a column fading back after a drag, a card
        // arriving) finish first: axe measures colours as painted, and a colour half-way
        // through a fade is not the page's colour. Endless ones (a spinner) are not waited for.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const ending = document.getAnimations().filter(a =>
                     a.playState === 'running' && Number.isFinite(a.effect.getComputedTiming().endTime));
                 Promise.race([
                     Promise.all(ending.map(a => a.finished.catch(() => null))),
                     new Promise(r => setTimeout(r, 3000)),
                 ]).then(() => done(true));",
                vec![],
            )
            .await?;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.axe.run(document, {
                     runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                     resultTypes: ['violations'],
                 }).then(
                     r => done(r.violations.map(v => ({
                         id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
                     }))),
                     e => done([{ id: 'axe-failed', impact: 'critical', help: String(e), nodes: [] }]),
                 );",
                vec![],
            )
            .await?;
        let violations = found
            .as_array()
            .cloned()
            .ok_or_else(|| format!("axe-core answered {found} on {what}, not a list"))?;
        if violations.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = violations
            .iter()
            .map(|v| {
                let nodes: Vec<&str> = v["nodes"]
                    .as_array()
                    .map(|n| n.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                format!(
                    "{} ({}): {}\n      {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                    nodes.join("\n      ")
                )
            })
            .collect();
        Err(format!(
            "axe-core found {} accessibility violation(s) on {what}:\n  {}",
            list.len(),
            list.join("\n  ")
        )
        .into())
    }

    /// Runs `script` (a function body ending in `return …`) in the page and returns its value.
    pub async fn eval<T: serde::de::DeserializeOwned>(&self, script: &str) -> Result<T> {
        let value = self.client.execute(script, vec![]).await?;
        serde_json::from_value(value.clone())
            .map_err(|e| format!("the page's script answered {value}: {e}").into())
    }

    /// Runs `script` asynchronously: it gets a callback as `arguments[0]` and answers by
    /// calling it (e.g. once a `fetch` in the page is done).
    pub async fn eval_async<T: serde::de::DeserializeOwned>(&self, script: &str) -> Result<T> {
        let value = self.client.execute_async(script, vec![]).await?;
        serde_json::from_value(value.clone())
            .map_err(|e| format!("the page's script answered {value}: {e}").into())
    }

    /// Sets Chromium's network emulation (ChromeDriver's `network_conditions`): a line cut, a
    /// slow one, or the machine's own again.
    pub async fn network(&self, line: Network) -> Result {
        self.client.issue_cmd(line).await?;
        Ok(())
    }

    /// Makes requests to URLs matching any of `patterns` (`*` wildcards) fail as if the line
    /// were cut, while the rest of the page (its files, other requests) still loads; an empty
    /// list blocks nothing again.
    pub async fn block_urls(&self, patterns: &[&str]) -> Result {
        self.client
            .issue_cmd(Cdp {
                cmd: "Network.enable",
                params: json!({}),
            })
            .await?;
        self.client
            .issue_cmd(Cdp {
                cmd: "Network.setBlockedURLs",
                params: json!({ "urls": patterns }),
            })
            .await?;
        Ok(())
    }

    /// Shows the page as it prints (CSS `@media print`), or as on screen again.
    pub async fn emulate_print(&self, print: bool) -> Result {
        let media = if print { "print" } else { "" };
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setEmulatedMedia",
                params: json!({ "media": media }),
            })
            .await?;
        Ok(())
    }

    /// Resizes the window (for screenshots at another size).
    pub async fn resize(&self, width: u32, height: u32) -> Result {
        self.client.set_window_size(width, height).await?;
        Ok(())
    }

    /// Saves a screenshot of the page as `target/browser-screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("browser-screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the WebDriver session (Chromium exits); the driver is ended on drop.
    pub async fn close(self) -> Result {
        self.client.clone().close().await?;
        Ok(())
    }
}
