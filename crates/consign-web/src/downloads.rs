//! File downloads of lists (CSV or XLSX): the export is written to a temporary file
//! (bounded memory whatever the list's size) and streamed to the client.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use consign_app::auth::Actor;
use consign_app::exports::{export, Export, Format};
use consign_app::{App, AppError};

/// Runs the export and answers with the file as an attachment named `name.ext`.
pub async fn download(
    app: &App,
    actor: &Actor,
    what: Export,
    format: Format,
    name: &str,
) -> Result<Response, AppError> {
    let io = |e: std::io::Error| AppError::Internal(e.to_string());
    let tmp = consign_app::imports::new_upload(app).map_err(io)?;
    let file = tmp.reopen().map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    export(app, actor, &what, format, &mut out).await?;
    std::io::Write::flush(&mut out).map_err(io)?;
    drop(out);
    // Unlinked now; the open handle keeps the data until the response is sent.
    let reader = tokio::fs::File::from_std(tmp.reopen().map_err(io)?);
    drop(tmp);
    let stream = tokio_util::io::ReaderStream::new(reader);
    let file_name = format!("{name}.{}", format.extension());
    // RFC 6266: an ASCII fallback and the UTF-8 name.
    let disposition = format!(
        "attachment; filename=\"export.{}\"; filename*=UTF-8''{}",
        format.extension(),
        percent(&file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
