//! The API reference at /docs: it lists every operation the served document has, its
//! filter and keyboard find an operation, an operation shows its parameters and a curl
//! that the copy button puts on the clipboard, deep links land on their operation (also
//! after a reload), signed out and signed in, on a desktop and a phone.

use std::collections::BTreeSet;

use serde_json::Value;

use super::harness::chromium_or_skip;
use super::site::Site;
use crate::common::TestServer;

/// The operation ids of the document the server serves.
fn operation_ids(server: &TestServer) -> BTreeSet<String> {
    let doc = server.get("/api/openapi.json").json();
    let methods = ["get", "put", "post", "patch", "delete", "head", "options"];
    doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| {
            methods
                .iter()
                .filter_map(|m| item.get(*m))
                .map(|op| op["operationId"].as_str().expect("operationId").to_owned())
        })
        .collect()
}

/// The condition (JS) that the element `id` sits at the top of the window, below the
/// sticky bars.
fn landed(id: &str) -> String {
    let quoted = serde_json::to_string(id).expect("quote");
    format!(
        "(() => {{ const el = document.getElementById({quoted}); if (!el) return false; \
         const top = el.getBoundingClientRect().top; return top >= 0 && top < 200; }})()"
    )
}

#[test]
fn the_reference_lists_filters_copies_and_deep_links_every_operation() {
    let Some(chromium) = chromium_or_skip("docs") else {
        return;
    };
    let server = TestServer::start();
    let ids = operation_ids(&server);
    assert!(ids.len() > 80, "the document has {} operations", ids.len());
    let base = server.running().url();
    let page = chromium.page(&base, "docs");
    page.allow_clipboard();

    // Signed out, the overview lists every operation of the document, once.
    page.open("/docs");
    page.wait_for("[data-index-op]");
    page.wait_text("Authentication");
    let listed: Vec<String> =
        serde_json::from_value(page.eval(
            "[...document.querySelectorAll('[data-index-op]')].map((a) => a.dataset.indexOp)",
        ))
        .expect("listed ids");
    assert_eq!(listed.len(), ids.len(), "one entry per operation");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), ids);
    assert!(
        page.text().contains("Sign in"),
        "signed out: a sign-in link"
    );
    // Inline code naming an operation in a description links to it.
    assert_eq!(
        page.eval(
            "document.querySelector('.overview-prose a[href=\"/docs/dispatch#dispatchNext\"] > code')?.textContent ?? null"
        ),
        Value::from("GET /api/dispatch/next")
    );
    page.screenshots("docs-overview");

    // `/` focuses the filter; it finds the dispatch operation; Enter opens it.
    page.press("/");
    page.wait_until(
        "document.activeElement && document.activeElement.type === 'search'",
        "the filter focused by /",
    );
    page.type_text("dispatch/next");
    page.wait_until(
        "document.querySelectorAll('.docs-nav [data-op-link]').length === 1 \
         && !!document.querySelector('.docs-nav [data-op-link=\"dispatchNext\"]')",
        "the filter to leave only GET /api/dispatch/next",
    );
    page.press("Enter");
    page.wait_until(
        "location.pathname === '/docs/dispatch' && location.hash === '#dispatchNext'",
        "the operation's page",
    );
    page.wait_for("#dispatchNext .code-card-curl");
    let operation = page
        .eval("document.getElementById('dispatchNext').innerText")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for expected in [
        "Claim the best unblocked issue",
        "/api/dispatch/next",
        "Query parameters",
        "leaseSeconds",
        "60 to 86400",
        "agentSessionId",
        "bearerAuth",
        "DispatchClaim",
    ] {
        assert!(
            operation.to_lowercase().contains(&expected.to_lowercase()),
            "{expected:?} missing from the operation: {operation}"
        );
    }
    let curl = page
        .eval("document.querySelector('#dispatchNext .code-card-curl pre').innerText")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        curl,
        format!("curl '{base}/api/dispatch/next' \\\n  -H \"Authorization: Bearer $LOOP_API_KEY\"")
    );
    page.click("#dispatchNext .code-card-curl .code-copy");
    page.wait_for("#dispatchNext .code-card-curl .code-copy[data-copied]");
    assert_eq!(page.clipboard(), curl, "the copy button copied the curl");
    page.screenshots("docs-operation");

    // A nested object's fields open on request.
    let nested = "document.querySelector('#dispatchNext .response.open .prop-children')";
    assert_eq!(page.eval(&format!("!{nested}")), Value::Bool(true));
    page.click("#dispatchNext .response.open .child-toggle");
    page.wait_until(
        &format!("{nested} && {nested}.innerText.includes('priority')"),
        "the claimed issue's own fields",
    );

    // A schema named in a body links to its anchor in the schemas section.
    page.click("#dispatchNext .response.open a.type-ref[href='/docs/schemas#DispatchClaim']");
    page.wait_until(
        "location.pathname === '/docs/schemas' && location.hash === '#DispatchClaim'",
        "the schema's anchor",
    );
    page.wait_until(&landed("DispatchClaim"), "the schema in view");

    // A shared link with only the operation id finds its tag; reloading keeps it.
    page.open("/docs#dispatchQueue");
    page.wait_until(
        "location.pathname === '/docs/dispatch' && location.hash === '#dispatchQueue'",
        "/docs#dispatchQueue to move to its tag's page",
    );
    page.wait_until(
        &landed("dispatchQueue"),
        "the deep link to land on its operation",
    );
    page.reload();
    page.wait_until(
        &landed("dispatchQueue"),
        "the reloaded deep link to land on its operation",
    );
    // Signing in from there comes back to the same operation.
    assert_eq!(
        page.eval("document.querySelector('.topbar a[href^=\"/login\"]').getAttribute('href')"),
        Value::from("/login?next=%2Fdocs%2Fdispatch%23dispatchQueue")
    );

    // Keyboard: from the filter, the arrow keys walk the navigation; j moves on.
    page.press("/");
    page.type_text("/api/labels");
    page.press("ArrowDown");
    page.wait_until(
        "document.activeElement && document.activeElement.closest('.docs-nav') \
         && document.activeElement.tagName === 'A'",
        "ArrowDown to move into the results",
    );
    page.press("Enter");
    page.wait_until(
        "location.pathname === '/docs/labels'",
        "Enter on a result to open it",
    );
    page.eval("document.activeElement.blur()");
    page.press("j");
    page.wait_until("location.hash !== ''", "j to go to an operation");

    // An unknown section says so, inside the reference.
    page.open("/docs/no-such-tag");
    page.wait_text("No such section");
    page.assert_clean();
}

#[test]
fn signed_in_the_reference_is_a_section_and_fits_a_phone() {
    let Some(chromium) = chromium_or_skip("docs phone") else {
        return;
    };
    let site = Site::new();
    site.person("ivy@example.com", "admin");
    let page = site.signed_in(&chromium, "ivy@example.com", "docs-signed-in");
    page.click(".topnav-link[href='/docs']");
    page.wait_until("location.pathname === '/docs'", "the reference");
    page.wait_for("[data-index-op]");
    assert_eq!(
        page.eval("document.querySelector('.topnav-link.active').getAttribute('href')"),
        Value::from("/docs")
    );
    page.open("/docs/review-tasks#createTask");
    page.wait_for("#createTask .code-card-curl");
    let curl = page
        .eval("document.querySelector('#createTask .code-card-curl pre').innerText")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        curl.contains("Authorization: Bearer $LOOP_PROJECT_KEY"),
        "{curl}"
    );
    assert!(curl.contains("\"module\": \"swiper\""), "{curl}");
    // A parameter that is a date-time or "" has no fields to open.
    assert_eq!(
        page.eval(
            "(() => { const field = [...document.querySelectorAll('#listTasks .prop')] \
             .find((p) => p.querySelector('.prop-name').textContent === 'before'); \
             return !!field && !field.querySelector('.child-toggle'); })()"
        ),
        Value::Bool(true)
    );

    page.viewport(360, 760, true);
    page.open("/docs/review-tasks#createTask");
    page.wait_for("#createTask .code-card-curl");
    page.wait_until(&landed("createTask"), "the operation in view on a phone");
    assert!(!page.scrolls_sideways(), "the reference fits 360 px");
    page.screenshots("docs-phone");
    // The navigation opens as a drawer, its filter focused.
    page.click(".docs-bar-toggle");
    page.wait_until(
        "document.activeElement && document.activeElement.type === 'search'",
        "the drawer's filter",
    );
    page.type_text("escalations");
    page.wait_for(".docs-nav [data-op-link='listEscalations']");
    assert!(!page.scrolls_sideways(), "the drawer fits 360 px");
    page.screenshot("docs-phone-nav-light");
    page.click(".docs-nav [data-op-link='listEscalations']");
    page.wait_until(
        "location.hash === '#listEscalations' && !document.querySelector('.docs.nav-open')",
        "the drawer to close on the way to the operation",
    );
    page.open("/docs");
    page.wait_for("[data-index-op]");
    assert!(!page.scrolls_sideways(), "the overview fits 360 px");
    page.open("/docs/schemas#Task");
    page.wait_for("#Task");
    assert!(!page.scrolls_sideways(), "the schemas fit 360 px");
    page.assert_clean();
}
