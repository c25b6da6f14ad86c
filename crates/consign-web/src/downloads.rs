//! File downloads of lists (CSV or XLSX): the export is written to a temporary file
//! (bounded memory whatever the list's size) and streamed to the client as it grows.

use axum::body::Body;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use consign_app::auth::Actor;
use consign_app::exports::{authorize, export, Export, Format};
use consign_app::{App, AppError};
use tokio::io::AsyncReadExt;

/// Answers at once with the file as an attachment named `name.ext`, and streams it as
/// the export writes it: rows go to a temporary file (bounded memory whatever the list's
/// size) and are sent as soon as they are written, so a ten-million-row export is not
/// cut by the request timeout (which ends when the answer starts). Who may export what
/// is checked before the answer starts (403/404 as for any request); a failure later
/// breaks the connection, so the client never mistakes a cut file for a whole one.
pub async fn download(
    app: &App,
    actor: &Actor,
    what: Export,
    format: Format,
    name: &str,
) -> Result<Response, AppError> {
    authorize(app, actor, &what).await?;
    let io = |e: std::io::Error| AppError::from_err(e);
    let tmp = consign_app::imports::new_upload(app).map_err(io)?;
    let file = tmp.reopen().map_err(io)?;
    // Unlinked when `tmp` drops; the open handles keep the data until both ends are done.
    let reader = tokio::fs::File::from_std(tmp.reopen().map_err(io)?);
    drop(tmp);
    let (done_tx, done_rx) = tokio::sync::watch::channel(None::<Result<(), String>>);
    let (app, actor) = (app.clone(), actor.clone());
    tokio::spawn(async move {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        let r = export(&app, &actor, &what, format, &mut out).await;
        let r = r.and_then(|_| std::io::Write::flush(&mut out).map_err(io));
        if let Err(e) = &r {
            tracing::error!(error = %e.chain(), "export failed while streaming");
        }
        let _ = done_tx.send(Some(r.map(|_| ()).map_err(|e| e.to_string())));
    });
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    tokio::spawn(tail(reader, done_rx, tx));
    // Fused: the compression layer polls the body once more after its end.
    let stream =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        }));
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

/// Sends what the export has written so far, waiting for more until it is done; ends
/// with an error if the export failed.
async fn tail(
    mut file: tokio::fs::File,
    mut done: tokio::sync::watch::Receiver<Option<Result<(), String>>>,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
) {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        // Whether the writer had finished before this read began: then an empty read is
        // the end of the file.
        let finished = done.borrow().clone();
        let n = match file.read(&mut buf).await {
            Ok(n) => n,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        if n > 0 {
            if tx
                .send(Ok(Bytes::copy_from_slice(&buf[..n])))
                .await
                .is_err()
            {
                return; // the client went away
            }
            continue;
        }
        match finished {
            Some(Ok(())) => return,
            Some(Err(e)) => {
                let _ = tx.send(Err(std::io::Error::other(e))).await;
                return;
            }
            None => {
                // Wait for more rows or the end, whichever comes first.
                let _ = tokio::time::timeout(std::time::Duration::from_millis(50), done.changed())
                    .await;
            }
        }
    }
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
