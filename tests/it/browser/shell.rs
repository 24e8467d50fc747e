//! The app around the games: sign-in, the keyboard help, the not-found page, phone widths,
//! and what the server sends browsers (the shell, its security headers, its files).

use serde_json::json;

use super::harness::chromium_or_skip;
use super::site::Site;
use crate::common::TestServer;

#[test]
fn pages_carry_a_strict_policy_and_api_clients_keep_their_json() {
    let server = TestServer::start();
    let browser = [(
        "Accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )];
    let page = server.send("GET", "/", &browser, b"");
    assert_eq!(page.status, 200);
    assert!(
        page.text()
            .contains("<script type=\"module\" src=\"/assets/js/main.js\">")
    );
    let csp = page.header("Content-Security-Policy").expect("a CSP");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert_eq!(page.header("X-Content-Type-Options"), Some("nosniff"));
    assert!(page.header("Referrer-Policy").is_some());
    assert!(
        !page.text().contains("style="),
        "no inline style attributes in the shell"
    );
    assert_eq!(
        server.send("GET", "/", &[], b"").json(),
        json!({"name": "Loop API", "version": "0.1.0"})
    );
    assert_eq!(
        server.send("GET", "/no/such/page", &browser, b"").status,
        404
    );
    assert_eq!(
        server.send("GET", "/no/such/page", &[], b"").json(),
        json!({"error": "Not found"})
    );
    assert_eq!(
        server.send("GET", "/admin/people", &browser, b"").status,
        200
    );
    let script = server.send("GET", "/assets/js/main.js", &[], b"");
    assert_eq!(
        script.header("Content-Type"),
        Some("text/javascript; charset=utf-8")
    );
    let etag = script.header("ETag").expect("an ETag").to_owned();
    assert_eq!(
        server
            .send(
                "GET",
                "/assets/js/main.js",
                &[("If-None-Match", &etag)],
                b""
            )
            .status,
        304
    );
    assert_eq!(
        server.send("HEAD", "/assets/css/base.css", &[], b"").status,
        200
    );
}

#[test]
fn sign_in_errors_the_keyboard_help_and_signing_out() {
    let Some(chromium) = chromium_or_skip("sign in") else {
        return;
    };
    let site = Site::new();
    site.person("owen@example.com", "owner");
    let page = chromium.page(&site.base(), "login");
    page.open("/admin/people");
    page.wait_until("location.pathname === '/login'", "the sign-in page");
    page.wait_text("Sign in to Loop");
    page.screenshots("login");
    page.fill("input[type=email]", "owen@example.com");
    page.fill("input[type=password]", "not the password");
    page.press("Enter");
    page.wait_text("Wrong email or password");
    page.fill("input[type=password]", crate::common::PASSWORD);
    page.press("Enter");
    page.wait_until(
        "location.pathname === '/admin/people'",
        "the page asked for before signing in",
    );
    page.wait_text("Everyone who can sign in");
    page.press("?");
    page.wait_text("Keyboard shortcuts");
    page.wait_text("Show keyboard shortcuts");
    page.press("Escape");
    page.click(".avatar-button");
    page.click_button("Sign out");
    page.wait_until(
        "location.pathname === '/login'",
        "the sign-in page after signing out",
    );
    page.assert_clean();
}

#[test]
fn unknown_paths_show_a_page_not_json() {
    let Some(chromium) = chromium_or_skip("not found") else {
        return;
    };
    let site = Site::new();
    site.person("nia@example.com", "reviewer");
    let page = site.signed_in(&chromium, "nia@example.com", "not-found");
    page.open("/no/such/page");
    page.wait_text("There is no page here");
    page.screenshot("not-found-light");
    // A reviewer reaching the administration pages is told they are not for them.
    page.open("/admin/projects");
    page.wait_text("Owners and admins only");
    let problems: Vec<String> = page
        .problems()
        .into_iter()
        .filter(|p| !p.contains("404"))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_phone_shows_the_card_without_sideways_scrolling() {
    let Some(chromium) = chromium_or_skip("phone") else {
        return;
    };
    let site = Site::new();
    site.person("pia@example.com", "reviewer");
    site.task(json!({
        "module": "swiper", "source": "zendesk",
        "payload": {"content": "Refund £2,400 to Dana Whitfield for order 4821: the parcel arrived damaged. https://support.example.com/tickets/4821/attachments/photo-of-the-damaged-parcel.jpg"},
        "card": {"title": "Refund #4821", "suggestion": {"label": "Auto-approve", "confidence": 0.96},
                 "fields": [{"label": "Amount", "value": "£2,400", "highlight": true}, {"label": "Order total", "value": "£2,400"}]}
    }));
    site.task(json!({"module": "versus", "payload": {"prompt": "Greet the customer", "a": "Hello Dana, thanks for writing in!", "b": "Hi."}}));
    site.task(json!({"module": "grounding", "payload": {"claim": "Delivery takes 2 days.", "source": "Standard delivery takes 3 to 5 working days."}}));
    let page = chromium.page(&site.base(), "phone");
    page.viewport(360, 760, true);
    page.sign_in("pia@example.com", crate::common::PASSWORD);
    page.wait_text("Refund #4821");
    assert!(!page.scrolls_sideways(), "the swiper card fits 360 px");
    page.screenshots("phone-swiper");
    page.press("ArrowRight");
    page.wait_text("Greet the customer");
    assert!(!page.scrolls_sideways(), "the versus card fits 360 px");
    page.screenshot("phone-versus-light");
    page.press("a");
    page.wait_text("Delivery takes 2 days");
    assert!(!page.scrolls_sideways(), "the grounding card fits 360 px");
    page.screenshot("phone-grounding-light");
    page.assert_clean();
}
