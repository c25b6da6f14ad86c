//! Headers every response carries (issue 16, docs/security.md): a content security
//! policy that allows only the server's own scripts, styles and images and no framing;
//! no MIME sniffing; no referrer sent to other sites; HSTS when the public address is
//! https; and `Cache-Control: no-store` on everything but the static files, so pages,
//! API answers and downloads with personal data stay out of shared and browser caches.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use consign_app::App;

pub const CSP: &str = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; \
                       base-uri 'none'; object-src 'none'";
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn security_headers(State(app): State<App>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https(&app) {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    // Static files set their own (public, cacheable); everything else may hold personal
    // data or depend on who is signed in.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn https(app: &App) -> bool {
    app.settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
}
