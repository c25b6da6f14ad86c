//! Attachments: bounded, sniffed by content, named safely, read within scope.

#[allow(unused_imports)]
use super::*;

// ---- attachments ----

/// What a file is, from its first bytes (the name and the browser's word are not
/// trusted): the types a service desk needs, photos and documents.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"PK\x03\x04") {
        // Office Open XML (docx, xlsx) are zip files.
        Some("application/zip")
    } else {
        None
    }
}

/// Whether a file may be stored on a ticket: its type (by content) or the message key of
/// why not (empty, too large, of no known type).
pub fn check_file(bytes: &[u8]) -> std::result::Result<&'static str, &'static str> {
    if bytes.is_empty() {
        return Err("err.required");
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err("err.attachment_too_large");
    }
    sniff(bytes).ok_or("err.attachment_type")
}

pub(crate) fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "attachment".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Stores a file on a ticket: at most [`MAX_ATTACHMENT_BYTES`], of a known type by its
/// content, at most [`MAX_ATTACHMENTS`] per ticket.
pub async fn attach(
    app: &App,
    actor: &Actor,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<TicketDetail> {
    let t = load_to_work(app, actor, id).await?;
    store(app, actor, t, filename, bytes).await?;
    get(app, actor, id).await
}

/// A file (a photo of the damage, a receipt) added through the portal by `actor`, a
/// portal account of customer `customer_id`, to a ticket of its own (another's is not
/// found), with the same bounds as the staff's.
pub(crate) async fn attach_for_portal(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    let t = load_for_portal(app, actor, customer_id, id).await?;
    store(app, actor, t, filename, bytes).await
}

/// An attachment of a ticket of the portal account's own customer.
pub(crate) async fn attachment_for_portal(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    ticket_id: i64,
    attachment_id: i64,
) -> Result<(AttachmentRow, Vec<u8>)> {
    load_for_portal(app, actor, customer_id, ticket_id).await?;
    match repo::attachment(&app.db.conn, attachment_id).await? {
        Some((row, data)) if row.ticket_id == ticket_id => Ok((row, data)),
        _ => Err(AppError::NotFound),
    }
}

async fn store(
    app: &App,
    actor: &Actor,
    t: TicketRow,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    let id = t.id;
    let ctype = check_file(&bytes).map_err(|k| AppError::field("file", k))?;
    let conn = &app.db.conn;
    if repo::attachments_of(conn, id).await?.len() >= MAX_ATTACHMENTS {
        return Err(AppError::field("file", "err.attachment_count"));
    }
    use sha2::Digest;
    let sha = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let name = clean_filename(filename);
    let now = Utc::now();
    let size = bytes.len();
    let txn = app.db.begin_write().await?;
    repo::add_attachment(
        &txn,
        repo::NewAttachment {
            ticket_id: id,
            filename: &name,
            content_type: ctype,
            sha256: &sha,
            data: bytes,
            uploaded_by: actor.id,
            now,
        },
    )
    .await?;
    record(
        &txn,
        actor,
        Recorded {
            ticket_id: id,
            customer_id: t.customer_id,
            event: "attach",
            audit: "ticket.attach",
            from: None,
            to: None,
            note: &name,
            detail: serde_json::json!({"size": size, "type": ctype}),
            summary: format!("{} {name}", t.number),
            before: None,
            after: Some(serde_json::json!({"file": name, "size": size, "sha256": sha})),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An attachment's row and bytes, when its ticket is in scope.
pub async fn attachment(
    app: &App,
    actor: &Actor,
    ticket_id: i64,
    attachment_id: i64,
) -> Result<(AttachmentRow, Vec<u8>)> {
    let t = load(app, actor, ticket_id).await?;
    match repo::attachment(&app.db.conn, attachment_id).await? {
        Some((row, data)) if row.ticket_id == ticket_id => {
            // Attachments hold customers' documents: each download is audited.
            audit::record(
                &app.db.conn,
                actor,
                Entry {
                    action: "ticket.attachment_download",
                    entity_type: "ticket_attachment",
                    entity_id: attachment_id.to_string(),
                    customer_id: Some(t.customer_id),
                    summary: Some(format!("{} {}", t.number, row.filename)),
                    said: None,
                    before: None,
                    after: None,
                },
            )
            .await?;
            Ok((row, data))
        }
        _ => Err(AppError::NotFound),
    }
}
