//! The web app every person uses (sign-in, the review game, administration), served by
//! the binary itself: its HTML, CSS and JavaScript modules are embedded at compile time,
//! so there is no build step and nothing is fetched from the network at run time.
//!
//! A browser navigating to an app path (`Accept: text/html`) gets the one page shell,
//! `index.html`; its client-side router renders the page for the path, including a
//! not-found page for paths it does not know (answered with status 404). Files under
//! `/assets/` are the shell's styles, scripts and icon. API clients never reach any of
//! this: their requests do not accept HTML, and the API's paths are never app paths.
//! See `docs/web-app.md`.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

use crate::http::{Method, Reply, Request};

/// One embedded file, served at `/assets/{path}`.
pub struct Asset {
    /// Its path under `src/ui/app/` (and under `/assets/`).
    pub path: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

/// The embedded files: every file under `src/ui/app/` that a browser loads (a unit test
/// keeps this list and the directory in step).
macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(Asset { path: $path, bytes: include_bytes!(concat!("app/", $path)) }),*]
    };
}

/// Every file of the app.
pub const ASSETS: &[Asset] = embedded![
    "index.html",
    "icon.svg",
    "css/base.css",
    "css/components.css",
    "css/review.css",
    "css/admin.css",
    "css/docs.css",
    "css/engine.css",
    "vendor/preact.mjs",
    "vendor/hooks.mjs",
    "vendor/htm.mjs",
    "js/main.js",
    "js/routes.js",
    "js/lib/html.js",
    "js/lib/api.js",
    "js/lib/router.js",
    "js/lib/session.js",
    "js/lib/keys.js",
    "js/lib/format.js",
    "js/lib/selection.js",
    "js/lib/markdown.js",
    "js/lib/diff.js",
    "js/ui/icons.js",
    "js/ui/layout.js",
    "js/ui/dialog.js",
    "js/ui/toast.js",
    "js/ui/table.js",
    "js/ui/form.js",
    "js/ui/copy.js",
    "js/ui/states.js",
    "js/ui/shortcuts.js",
    "js/ui/sidenav.js",
    "js/ui/charts.js",
    "js/ui/json.js",
    "js/ui/badges.js",
    "js/pages/login.js",
    "js/pages/not_found.js",
    "js/pages/review/page.js",
    "js/pages/review/card.js",
    "js/pages/review/stats.js",
    "js/pages/review/reason.js",
    "js/pages/review/games.js",
    "js/pages/review/swiper.js",
    "js/pages/review/versus.js",
    "js/pages/review/sorter.js",
    "js/pages/review/detective.js",
    "js/pages/review/fixer.js",
    "js/pages/review/redact.js",
    "js/pages/review/grounding.js",
    "js/pages/admin/nav.js",
    "js/pages/admin/projects.js",
    "js/pages/admin/project.js",
    "js/pages/admin/tasks.js",
    "js/pages/admin/task.js",
    "js/pages/admin/keys.js",
    "js/pages/admin/webhooks.js",
    "js/pages/admin/deliveries.js",
    "js/pages/admin/reviewers.js",
    "js/pages/admin/reviewer.js",
    "js/pages/admin/settings.js",
    "js/pages/admin/sign_off.js",
    "js/pages/admin/escalations.js",
    "js/pages/admin/people.js",
    "js/pages/docs/page.js",
    "js/pages/docs/spec.js",
    "js/pages/docs/nav.js",
    "js/pages/docs/overview.js",
    "js/pages/docs/operation.js",
    "js/pages/docs/schema.js",
    "js/pages/docs/schemas.js",
    "js/pages/docs/examples.js",
    "js/pages/docs/code.js",
    "js/pages/engine/common.js",
    "js/pages/engine/overview.js",
    "js/pages/engine/firstrun.js",
    "js/pages/engine/issues.js",
    "js/pages/engine/new_issue.js",
    "js/pages/engine/issue.js",
    "js/pages/engine/comments.js",
    "js/pages/engine/dispatch.js",
    "js/pages/engine/activity.js",
    "js/pages/engine/signals.js",
    "js/pages/engine/projects.js",
    "js/pages/engine/goals.js",
    "js/pages/engine/prompts.js",
    "js/pages/engine/prompt.js",
    "js/pages/engine/labels.js",
];

/// The app paths this server knows: the shell answers them with 200 (any other
/// navigation gets the shell's not-found page with 404). Each entry is a path, or a
/// prefix ending in `/` that matches everything below it. Pages added to the client
/// router's table (`js/routes.js`) are listed here too.
const APP_PATHS: &[&str] = &[
    "/",
    "/login",
    "/review",
    "/admin",
    "/admin/",
    "/issues",
    "/issues/",
    "/dispatch",
    "/activity",
    "/signals",
    "/projects",
    "/goals",
    "/prompts",
    "/prompts/",
    "/labels",
    "/docs",
    "/docs/",
];

/// The Content-Security-Policy of every page: only this origin's own files, no inline
/// script or style, no plugins, not framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The strong ETag of each asset (the start of its SHA-256), in [`ASSETS`] order.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| format!("\"{}\"", &hex::encode(Sha256::digest(asset.bytes))[..20]))
        .collect()
});

/// Answers a request the web app serves: a GET or HEAD of `/assets/…`, or a browser's
/// navigation (`Accept: text/html`) to any path outside the APIs. `None` for everything
/// else, which the API router answers.
pub fn serve(request: &Request) -> Option<Reply> {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return None;
    }
    let path = request.path();
    if let Some(name) = path.strip_prefix("/assets/") {
        return Some(match find(name) {
            Some(index) => file(request, index, 200),
            None => secured(Reply::empty(404)),
        });
    }
    let navigation = request
        .header("Accept")
        .is_some_and(|accept| accept.contains("text/html"));
    if !navigation || request.is_api_path() || path == "/health" || path == "/metrics" {
        return None;
    }
    let status = if is_app_path(path) { 200 } else { 404 };
    find("index.html").map(|index| file(request, index, status))
}

/// Whether `path` is a page of the app.
pub fn is_app_path(path: &str) -> bool {
    APP_PATHS.iter().any(|known| match known.strip_suffix('/') {
        Some(prefix) if !prefix.is_empty() => path.starts_with(known) && path.len() > known.len(),
        _ => path == *known,
    })
}

/// The index in [`ASSETS`] of the file at `path`.
fn find(path: &str) -> Option<usize> {
    ASSETS.iter().position(|asset| asset.path == path)
}

/// The file `ASSETS[index]` with `status`, or 304 when the browser's copy is current.
/// Browsers revalidate on every use (`no-cache`), so a new binary's files are picked up
/// at once while unchanged ones cost a 304.
fn file(request: &Request, index: usize, status: u16) -> Reply {
    let (asset, etag) = (&ASSETS[index], &ETAGS[index]);
    let current = request
        .header("If-None-Match")
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let reply = if current && status == 200 {
        Reply::empty(304)
    } else {
        Reply::bytes(status, content_type(asset.path), asset.bytes.to_vec())
    };
    secured(
        reply
            .with_header("ETag", etag.clone())
            .with_header("Cache-Control", "no-cache"),
    )
}

/// The media type of a file, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Adds the headers that keep the app's pages safe: the CSP, no MIME sniffing, no
/// referrer to other sites, no framing, no sharing of the window with other origins.
fn secured(reply: Reply) -> Reply {
    reply
        .with_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "same-origin")
        .with_header("X-Frame-Options", "DENY")
        .with_header("Cross-Origin-Opener-Policy", "same-origin")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, headers: &[(&str, &str)]) -> Option<Reply> {
        let headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        serve(&Request::new(Method::Get, path, headers, Vec::new()))
    }

    const BROWSER: (&str, &str) = ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

    #[test]
    fn every_file_under_the_app_directory_is_embedded_and_nothing_else() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui/app");
        let mut on_disk = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
                let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| {
                    ["html", "css", "js", "mjs", "svg"].contains(&e.to_str().unwrap_or_default())
                }) {
                    let relative = path.strip_prefix(&root).unwrap_or(&path);
                    on_disk.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn browsers_get_the_shell_on_app_paths_and_a_404_page_elsewhere() {
        for path in [
            "/",
            "/login",
            "/review",
            "/admin",
            "/admin/projects/x",
            "/docs",
            "/docs/dispatch",
            "/issues",
            "/issues/12",
            "/dispatch",
            "/prompts/x",
            "/labels",
        ] {
            let reply = get(path, &[BROWSER]).unwrap_or_else(|| panic!("{path} not served"));
            assert_eq!(reply.status(), 200, "{path}");
            assert_eq!(
                reply.header("Content-Type"),
                Some("text/html; charset=utf-8")
            );
            assert_eq!(
                reply.header("Content-Security-Policy"),
                Some(CONTENT_SECURITY_POLICY)
            );
            assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
        }
        assert_eq!(get("/nope", &[BROWSER]).map(|r| r.status()), Some(404));
        assert_eq!(
            get("/administrator", &[BROWSER]).map(|r| r.status()),
            Some(404)
        );
        assert!(
            get("/", &[]).is_none(),
            "API clients keep the JSON of GET /"
        );
        assert!(get("/", &[("Accept", "application/json")]).is_none());
        assert!(get("/api/issues", &[BROWSER]).is_none());
        assert!(get("/health", &[BROWSER]).is_none());
    }

    #[test]
    fn assets_are_revalidated_with_their_etag() {
        let reply = get("/assets/js/main.js", &[]).unwrap_or_else(|| panic!("not served"));
        assert_eq!(reply.status(), 200);
        assert_eq!(
            reply.header("Content-Type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(reply.header("Cache-Control"), Some("no-cache"));
        let etag = reply.header("ETag").unwrap_or_default().to_owned();
        assert!(etag.starts_with('"') && etag.len() == 22, "{etag}");
        let again = get("/assets/js/main.js", &[("If-None-Match", &etag)]);
        assert_eq!(again.as_ref().map(Reply::status), Some(304));
        assert!(again.is_some_and(|r| r.body().is_empty()));
        assert_eq!(get("/assets/nope.js", &[]).map(|r| r.status()), Some(404));
    }

    #[test]
    fn other_methods_are_left_to_the_api() {
        let request = Request::new(Method::Post, "/login", Vec::new(), Vec::new());
        assert!(serve(&request).is_none());
    }

    #[test]
    fn app_paths() {
        assert!(is_app_path("/admin/people"));
        assert!(!is_app_path("/adminx"));
        assert!(!is_app_path("/review/x"));
        assert!(is_app_path("/docs/review-tasks"));
        assert!(!is_app_path("/docsx"));
    }
}
