//! How long a request may take. Every request has `request_timeout_secs` (30) to
//! produce its answer (then 503), except file uploads: a 1.5 GB import over an office line takes minutes,
//! so an upload is bounded instead by [`UPLOAD_IDLE`] between two pieces of its body
//! (and by its size). Downloads answer at once and stream (see `downloads`), so their
//! length is not bounded by this.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use consign_app::App;
use std::time::Duration;

/// Longest pause in an upload's body before it is given up.
pub const UPLOAD_IDLE: Duration = Duration::from_secs(60);

/// Whether a request is a file upload (its handler bounds it by [`UPLOAD_IDLE`]).
fn is_upload(req: &Request) -> bool {
    req.method() == Method::POST && matches!(req.uri().path(), "/imports" | "/api/v1/imports")
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn timeout(State(app): State<App>, req: Request, next: Next) -> Response {
    if is_upload(&req) {
        return next.run(req).await;
    }
    let limit = Duration::from_secs(app.settings.request_timeout_secs.max(1));
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
