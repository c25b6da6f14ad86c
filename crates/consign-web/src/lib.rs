//! Consign's web UI (server-rendered, zh-CN and en) and REST API (`/api/v1`).
//!
//! Handlers parse, authorize (the extractors in [`extract`]), call one use case and
//! render. Errors go through the single [`error::WebError`] response.

pub mod api;
pub mod charts;
mod downloads;
pub mod error;
pub mod extract;
mod headers;
mod limits;
pub mod openapi;
pub mod ui;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use consign_app::App;
use rust_embed::RustEmbed;
use std::time::Duration;
use tower_http::compression::CompressionLayer;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

async fn static_file(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match Assets::get(&path) {
        Some(f) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_str(mime.as_ref())
                            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                    ),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("public, max-age=3600"),
                    ),
                ],
                f.data,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// The whole application: UI pages, API, static files.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(ui::routes())
        .nest(
            "/api/v1",
            Router::from(api::routes())
                .route_layer(axum::middleware::from_fn(openapi::known_query)),
        )
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::docs_page))
        .route("/static/{*path}", get(static_file))
        .route("/healthz", get(healthz))
        .fallback(ui::not_found)
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            limits::timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            headers::security_headers,
        ))
        .with_state(app)
}

/// Serves until Ctrl-C / SIGTERM, running the background jobs alongside.
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let jobs = tokio::spawn(jobs(app.clone()));
    let deliveries = tokio::spawn(deliveries(app.clone()));
    let r = axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await;
    jobs.abort();
    deliveries.abort();
    r
}

/// Sends queued webhook deliveries and bot messages every two seconds (a quick indexed
/// look when none is due). A delivery cut off by a stop is held for a minute, then sent
/// again.
async fn deliveries(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        if let Err(e) = consign_app::webhooks::send::deliver_due(&app).await {
            tracing::warn!(error = %e, "sending webhook deliveries failed");
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// The job runner: queues this slot's housekeeping (once across instances) and runs
/// whatever jobs are due, every 30 seconds. Aborted when the server stops; a job cut off
/// is taken up again when its lease runs out.
async fn jobs(app: App) {
    let worker = consign_app::jobs::worker_name();
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        if let Err(e) = consign_app::jobs::schedule_housekeeping(&app, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "scheduling housekeeping failed");
        }
        if let Err(e) = consign_app::jobs::schedule_service(&app, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "scheduling the service sweep failed");
        }
        if let Err(e) = consign_app::jobs::schedule_nightly(&app, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "scheduling the nightly classification failed");
        }
        match consign_app::jobs::run_due(&app, &worker).await {
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "running jobs failed"),
        }
    }
}
