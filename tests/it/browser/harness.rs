//! Driving Debian's chromium from the tests: one headless browser per test (its own
//! profile directory, so cookies never mix between tests), a page that records console
//! errors, uncaught exceptions and Content-Security-Policy violations, keyboard and
//! selection helpers, and screenshots under `target/screenshots/`.
//!
//! Without a chromium the tests say loudly that they were skipped; with `CI=true` a
//! missing chromium fails them.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{
    Browser as CdpBrowser, Emulation, Input, Log, Page as Cdp, Runtime,
};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

/// How long a wait for the page lasts before the test fails.
const WAIT: Duration = Duration::from_secs(15);

/// Browsers running at once: chromium is heavy, and the machine may have two cores.
const MAX_BROWSERS: usize = 2;

static SLOTS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// The chromium to drive: `LOOP_CHROMIUM`, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LOOP_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&dirs).map(move |dir| dir.join(name)))
    .find(|path| path.is_file())
}

/// A running headless chromium, counted against [`MAX_BROWSERS`] until dropped.
pub struct Chromium {
    browser: Browser,
    _profile: tempfile::TempDir,
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let (count, freed) = &SLOTS;
        *count.lock().expect("slots") -= 1;
        freed.notify_one();
    }
}

/// Starts a chromium for this test, or `None` (after saying so loudly) when there is none
/// on this machine. With `CI=true` a missing chromium fails the test instead.
pub fn chromium_or_skip(test: &str) -> Option<Chromium> {
    let Some(path) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "{test}: no chromium found (CI=true requires one; install it with `apt-get install chromium`)"
            );
        }
        eprintln!(
            "\n*** SKIPPED {test}: no chromium on this machine. Install it (apt-get install chromium) \
             or set LOOP_CHROMIUM to run the browser tests. ***\n"
        );
        return None;
    };
    let (count, freed) = &SLOTS;
    let mut running = count.lock().expect("slots");
    while *running >= MAX_BROWSERS {
        running = freed.wait(running).expect("slots");
    }
    *running += 1;
    drop(running);
    let profile = tempfile::tempdir().expect("profile directory");
    let flags = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--lang=en-GB",
    ];
    let options = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(path),
        user_data_dir: Some(profile.path().to_path_buf()),
        window_size: Some((1280, 900)),
        idle_browser_timeout: Duration::from_secs(600),
        args: flags.iter().map(std::ffi::OsStr::new).collect(),
        ..LaunchOptions::default()
    };
    let browser = match Browser::new(options) {
        Ok(browser) => browser,
        Err(error) => {
            let (count, freed) = &SLOTS;
            *count.lock().expect("slots") -= 1;
            freed.notify_one();
            panic!("{test}: chromium did not start: {error}");
        }
    };
    Some(Chromium {
        browser,
        _profile: profile,
    })
}

/// What went wrong in the page: console errors, uncaught exceptions, CSP violations,
/// assets that failed to load.
type Problems = Arc<Mutex<Vec<String>>>;

/// A tab on the app at `base`.
pub struct Page {
    tab: Arc<Tab>,
    base: String,
    problems: Problems,
    /// Prefix of this page's screenshot names.
    name: String,
}

/// Reported to the page's console so the listener sees it (the script is added by the
/// DevTools protocol, outside the page's CSP).
const CSP_WATCH: &str = "document.addEventListener('securitypolicyviolation', (e) => \
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') \
    + ' at ' + e.sourceFile + ':' + e.lineNumber));";

impl Chromium {
    /// A new tab on the app served at `base`, watched for errors.
    pub fn page(&self, base: &str, name: &str) -> Page {
        let tab = self.browser.new_tab().expect("a tab");
        tab.set_default_timeout(WAIT);
        let problems: Problems = Arc::new(Mutex::new(Vec::new()));
        let log = problems.clone();
        tab.add_event_listener(Arc::new(move |event: &Event| {
            let problem = match event {
                Event::RuntimeConsoleAPICalled(called)
                    if matches!(
                        called.params.Type,
                        Runtime::ConsoleAPICalledEventTypeOption::Error
                            | Runtime::ConsoleAPICalledEventTypeOption::Assert
                    ) =>
                {
                    let words: Vec<String> = called
                        .params
                        .args
                        .iter()
                        .map(|arg| {
                            arg.value
                                .as_ref()
                                .map(|v| v.to_string())
                                .or_else(|| arg.description.clone())
                                .unwrap_or_default()
                        })
                        .collect();
                    Some(format!("console.error: {}", words.join(" ")))
                }
                Event::RuntimeExceptionThrown(thrown) => {
                    let details = &thrown.params.exception_details;
                    let description = details
                        .exception
                        .as_ref()
                        .and_then(|e| e.description.clone())
                        .unwrap_or_default();
                    Some(format!("uncaught: {} {description}", details.text))
                }
                Event::LogEntryAdded(added) => {
                    let entry = &added.params.entry;
                    let network = matches!(entry.source, Log::LogEntrySource::Network);
                    let asset = entry.url.as_deref().is_some_and(|u| u.contains("/assets/"));
                    // API answers such as 401 (signed out) or 409 are part of the app's
                    // flow; a failed asset is not.
                    (matches!(entry.level, Log::LogEntryLevel::Error) && (!network || asset)).then(
                        || {
                            format!(
                                "log: {} {}",
                                entry.text,
                                entry.url.clone().unwrap_or_default()
                            )
                        },
                    )
                }
                _ => None,
            };
            if let Some(problem) = problem {
                log.lock().expect("problems").push(problem);
            }
        }))
        .expect("listener");
        tab.enable_runtime().expect("runtime events");
        tab.enable_log().expect("log events");
        tab.call_method(Cdp::AddScriptToEvaluateOnNewDocument {
            source: CSP_WATCH.to_owned(),
            world_name: None,
            include_command_line_api: None,
            run_immediately: None,
        })
        .expect("CSP watch");
        Page {
            tab,
            base: base.trim_end_matches('/').to_owned(),
            problems,
            name: name.to_owned(),
        }
    }
}

impl Page {
    /// Opens `path` of the app and waits for it to load.
    pub fn open(&self, path: &str) {
        // Page.navigate answers once the new document is committed; then its load is
        // waited for here (the crate's own navigation wait can miss its event).
        self.tab
            .navigate_to(&format!("{}{path}", self.base))
            .expect("navigate");
        self.wait_until("document.readyState === 'complete'", "the page to load");
    }

    /// Reloads the page (as the browser's reload button does) and waits for the new
    /// document to load.
    pub fn reload(&self) {
        self.eval("(window.__beforeReload = true)");
        self.tab.reload(false, None).expect("reload");
        self.wait_until(
            "!window.__beforeReload && document.readyState === 'complete'",
            "the reloaded page",
        );
    }

    /// Lets the page use the clipboard as a focused window would, reading included, so a
    /// test can check what a copy button copied (see [`Page::clipboard`]).
    pub fn allow_clipboard(&self) {
        self.tab
            .call_method(CdpBrowser::GrantPermissions {
                permissions: vec![
                    CdpBrowser::PermissionType::ClipboardReadWrite,
                    CdpBrowser::PermissionType::ClipboardSanitizedWrite,
                ],
                origin: Some(self.base.clone()),
                browser_context_id: None,
            })
            .expect("clipboard permission");
        self.tab
            .call_method(Emulation::SetFocusEmulationEnabled { enabled: true })
            .expect("focus emulation");
    }

    /// The text on the clipboard (after [`Page::allow_clipboard`]).
    pub fn clipboard(&self) -> String {
        let result = self
            .tab
            .evaluate("navigator.clipboard.readText()", true)
            .expect("read the clipboard");
        result
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Whether `condition` becomes true within `time`.
    fn becomes(&self, condition: &str, time: Duration) -> bool {
        let deadline = Instant::now() + time;
        while Instant::now() < deadline {
            if self.eval(condition) == Value::Bool(true) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Signs in through the sign-in page and waits for the start page (the overview for
    /// owners and admins, the review page for everyone else).
    pub fn sign_in(&self, email: &str, password: &str) {
        self.open("/login");
        self.fill("input[type=email]", email);
        self.fill("input[type=password]", password);
        self.press("Enter");
        self.wait_until(
            "location.pathname !== '/login' && !!document.querySelector('.topbar')",
            "the start page after sign-in",
        );
    }

    /// Chooses `value` in the `<select>` matching `selector`, as a person would.
    pub fn choose(&self, selector: &str, value: &str) {
        let (sel, val) = (
            serde_json::to_string(selector).expect("quote"),
            serde_json::to_string(value).expect("quote"),
        );
        self.wait_for(selector);
        self.eval(&format!(
            "(() => {{ const el = document.querySelector({sel}); el.value = {val}; \
             el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
        ));
    }

    /// Evaluates `js` (an expression) in the page; its value as JSON.
    pub fn eval(&self, js: &str) -> Value {
        let wrapped = format!("JSON.stringify((() => {{ return ({js}); }})()) ?? 'null'");
        let result = self.tab.evaluate(&wrapped, false).expect("evaluate");
        result
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null)
    }

    /// Waits until `condition` (a JS expression) is true.
    pub fn wait_until(&self, condition: &str, what: &str) {
        if self.becomes(condition, WAIT) {
            return;
        }
        let loaded = self.eval(
            "performance.getEntriesByType('resource').map((e) => e.name.replace(location.origin, '') + ' ' + Math.round(e.duration)).join(', ')",
        );
        panic!(
            "[{}] timed out waiting for {what} ({condition}); page text: {}; problems: {:?}; \
             ready state: {}; resources loaded: {loaded}",
            self.name,
            self.text(),
            self.problems(),
            self.eval("document.readyState"),
        );
    }

    /// Waits until the page's text contains `text`.
    pub fn wait_text(&self, text: &str) {
        let quoted = serde_json::to_string(text).expect("quote");
        self.wait_until(
            &format!("document.body.innerText.includes({quoted})"),
            &format!("the text {text:?}"),
        );
    }

    /// Waits for an element.
    pub fn wait_for(&self, selector: &str) {
        let quoted = serde_json::to_string(selector).expect("quote");
        self.wait_until(
            &format!("!!document.querySelector({quoted})"),
            &format!("an element {selector}"),
        );
    }

    /// The visible text of the page.
    pub fn text(&self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Clicks (with the mouse) the middle of the first element that `find` (a JS
    /// expression) yields, once there is one.
    fn click_found(&self, find: &str, what: &str) {
        self.wait_until(&format!("!!({find})"), what);
        let middle = self.eval(&format!(
            "(() => {{ const el = {find}; el.scrollIntoView({{block: 'center'}}); const r = el.getBoundingClientRect(); \
             return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        let (x, y) = (
            middle[0].as_f64().unwrap_or(0.0),
            middle[1].as_f64().unwrap_or(0.0),
        );
        self.tab
            .click_point(headless_chrome::browser::tab::point::Point { x, y })
            .expect("click");
    }

    /// Clicks the first element matching `selector`.
    pub fn click(&self, selector: &str) {
        let quoted = serde_json::to_string(selector).expect("quote");
        self.click_found(
            &format!("document.querySelector({quoted})"),
            &format!("an element {selector}"),
        );
    }

    /// Clicks the enabled button whose text contains `label`.
    pub fn click_button(&self, label: &str) {
        let quoted = serde_json::to_string(label).expect("quote");
        self.click_found(
            &format!("[...document.querySelectorAll('button')].find((b) => !b.disabled && b.innerText.includes({quoted}))"),
            &format!("an enabled button {label:?}"),
        );
    }

    /// Focuses the field `selector`, selects what it holds and types `text` over it.
    pub fn fill(&self, selector: &str, text: &str) {
        let quoted = serde_json::to_string(selector).expect("quote");
        self.wait_for(selector);
        self.eval(&format!(
            "(() => {{ const el = document.querySelector({quoted}); el.focus(); if (el.select) el.select(); return true; }})()"
        ));
        self.type_text(text);
    }

    /// Presses a key (`ArrowRight`, `Enter`, `a`, …) as a person would.
    pub fn press(&self, key: &str) {
        self.tab.press_key(key).expect("key press");
    }

    /// Types text into whatever has focus (as one input, the way a keyboard's input
    /// method would insert it).
    pub fn type_text(&self, text: &str) {
        self.tab
            .call_method(Input::InsertText {
                text: text.to_owned(),
            })
            .expect("type");
    }

    /// Selects the first occurrence of `text` inside the element `selector`, as a person
    /// dragging over it would.
    pub fn select_text(&self, selector: &str, text: &str) {
        let (sel, needle) = (
            serde_json::to_string(selector).expect("quote"),
            serde_json::to_string(text).expect("quote"),
        );
        let found = self.eval(&format!(
            "(() => {{ const root = document.querySelector({sel}); if (!root) return false; \
             const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); let node; \
             while ((node = walker.nextNode())) {{ const i = node.data.indexOf({needle}); if (i >= 0) {{ \
               const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + {needle}.length); \
               const s = getSelection(); s.removeAllRanges(); s.addRange(range); return true; }} }} return false; }})()"
        ));
        assert_eq!(
            found,
            Value::Bool(true),
            "[{}] {text:?} not found in {selector}",
            self.name
        );
    }

    /// Emulates a viewport `width` × `height` (a phone when `mobile`).
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: if mobile { 2.0 } else { 1.0 },
                mobile,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .expect("viewport");
    }

    /// Emulates the system's dark (or light) appearance.
    pub fn dark(&self, dark: bool) {
        self.tab
            .call_method(Emulation::SetEmulatedMedia {
                media: None,
                features: Some(vec![Emulation::MediaFeature {
                    name: "prefers-color-scheme".to_owned(),
                    value: if dark { "dark" } else { "light" }.to_owned(),
                }]),
            })
            .expect("color scheme");
    }

    /// Saves a screenshot of the whole page as `target/screenshots/{name}.png`.
    pub fn screenshot(&self, name: &str) {
        // The whole page from its top (a sticky bar would otherwise sit mid-picture), once
        // transitions and the entrance animation settle.
        self.eval("window.scrollTo(0, 0) ?? true");
        std::thread::sleep(Duration::from_millis(350));
        let data = self
            .tab
            .call_method(Cdp::CaptureScreenshot {
                format: Some(Cdp::CaptureScreenshotFormatOption::Png),
                quality: None,
                clip: None,
                from_surface: Some(true),
                capture_beyond_viewport: Some(true),
                optimize_for_speed: None,
            })
            .expect("screenshot")
            .data;
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("base64 screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// The same screenshot in light and dark.
    pub fn screenshots(&self, name: &str) {
        self.screenshot(&format!("{name}-light"));
        self.dark(true);
        self.screenshot(&format!("{name}-dark"));
        self.dark(false);
    }

    /// Everything that went wrong in the page so far.
    pub fn problems(&self) -> Vec<String> {
        self.problems.lock().expect("problems").clone()
    }

    /// Fails the test if the page logged an error, threw, or broke its CSP.
    pub fn assert_clean(&self) {
        let problems = self.problems();
        assert!(
            problems.is_empty(),
            "[{}] the page reported problems: {problems:#?}",
            self.name
        );
    }

    /// Whether the page is wider than the viewport (it scrolls sideways).
    pub fn scrolls_sideways(&self) -> bool {
        // Against the layout viewport: a phone's browser zooms out to show content that is
        // too wide, which widens `innerWidth` with it and would hide the overflow.
        self.eval("document.documentElement.scrollWidth > document.documentElement.clientWidth")
            == Value::Bool(true)
    }
}
