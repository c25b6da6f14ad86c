//! Ticket attachments: their rows (bytes apart) and contents.

#[allow(unused_imports)]
use super::*;

/// Attachments: what a list shows (no bytes).
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// An attachment to store.
pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: Vec<u8>,
    pub uploaded_by: Option<i64>,
    pub now: DateTime<Utc>,
}

pub async fn add_attachment<C: ConnectionTrait>(conn: &C, a: NewAttachment<'_>) -> Result<i64> {
    let NewAttachment {
        ticket_id,
        filename,
        content_type,
        sha256,
        data,
        uploaded_by,
        now,
    } = a;
    let size = data.len() as i64;
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO ticket_attachments (ticket_id, filename, content_type, size_bytes, sha256, \
         data, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            ticket_id.into(),
            filename.into(),
            content_type.into(),
            size.into(),
            sha256.into(),
            data.into(),
            uploaded_by.into(),
            now.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .id)
}

pub async fn attachments_of<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i64,
) -> Result<Vec<AttachmentRow>> {
    Ok(AttachmentRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, ticket_id, filename, content_type, size_bytes, sha256, uploaded_by, created_at \
         FROM ticket_attachments WHERE ticket_id = ? ORDER BY id",
        vec![ticket_id.into()],
    ))
    .all(conn)
    .await?)
}

/// The attachment's row and bytes.
pub async fn attachment<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<(AttachmentRow, Vec<u8>)>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        ticket_id: i64,
        filename: String,
        content_type: String,
        size_bytes: i64,
        sha256: String,
        uploaded_by: Option<i64>,
        created_at: DateTime<Utc>,
        data: Vec<u8>,
    }
    let r = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, ticket_id, filename, content_type, size_bytes, sha256, uploaded_by, \
         created_at, data FROM ticket_attachments WHERE id = ?",
        vec![id.into()],
    ))
    .one(conn)
    .await?;
    Ok(r.map(|r| {
        (
            AttachmentRow {
                id: r.id,
                ticket_id: r.ticket_id,
                filename: r.filename,
                content_type: r.content_type,
                size_bytes: r.size_bytes,
                sha256: r.sha256,
                uploaded_by: r.uploaded_by,
                created_at: r.created_at,
            },
            r.data,
        )
    }))
}
