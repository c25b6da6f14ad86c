//! Filing a complaint, claim or inquiry from the portal: the form's fields and, when the
//! browser sends it as multipart, up to three photos or documents with it. Read bounded
//! (each file at most the attachment limit, the whole body at most [`BODY_LIMIT`]) before
//! anything is stored; the use case checks every file before it makes the ticket.

#[allow(unused_imports)]
use super::*;
use consign_app::portal::{FileInput, MAX_FILES_AT_FILING};
use consign_app::service::MAX_ATTACHMENT_BYTES;

/// The largest filing body: its files and some room for the text fields.
pub(super) const BODY_LIMIT: usize = MAX_FILES_AT_FILING * MAX_ATTACHMENT_BYTES + 1024 * 1024;

/// `POST /portal/tickets`: urlencoded (no photos) or multipart (with `photos`).
pub(super) async fn file(State(app): State<App>, req: axum::extract::Request) -> Response {
    use axum::extract::{FromRequest, FromRequestParts};
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return match PortalPost::from_request(req, &app).await {
            Ok(p) => submit(&app, &p.s, p.form, Vec::new()).await,
            Err(r) => r,
        };
    }
    let (mut parts, body) = req.into_parts();
    let s = match PortalSession::from_request_parts(&mut parts, &app).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let req = axum::extract::Request::from_parts(parts, body);
    let mut form = match axum::extract::Multipart::from_request(req, &app).await {
        Ok(m) => m,
        Err(e) => {
            return WebError::bad_request(Surface::Ui, s.lang, &e.body_text()).into_response()
        }
    };
    match read(&s.csrf, &mut form).await {
        Read::Csrf => WebError::csrf(Surface::Ui, s.lang).into_response(),
        Read::Bad(fields, key) => {
            let mut e = FieldErrors::new();
            e.add("photos", key);
            let values = fields.0.into_iter().collect();
            super::pages::new_ticket_page(&app, &s, values, e)
        }
        Read::Ok(fields, photos) => submit(&app, &s, fields, photos).await,
    }
}

async fn submit(
    app: &App,
    s: &PortalSession,
    form: FormData,
    photos: Vec<(String, Vec<u8>)>,
) -> Response {
    let input = FileInput {
        kind: form.text("kind"),
        subject: form.text("subject"),
        description: form.text("description"),
        waybills: form.text("waybills"),
        claimed: form.text("claimed"),
    };
    let had_photos = !photos.is_empty();
    match consign_app::portal::file_with_photos(app, &s.user, &input, photos).await {
        Ok(id) => Redirect::to(&format!("/portal/tickets/{id}")).into_response(),
        Err(AppError::Validation(mut e)) => {
            // A browser cannot refill a file input: say so where the files were.
            if had_photos && !e.0.iter().any(|x| x.field == "photos") {
                e.add("photos", "portal.photos_again");
            }
            let values = form.0.into_iter().collect();
            super::pages::new_ticket_page(app, s, values, e)
        }
        Err(e) => super::pages::pfail(e, s),
    }
}

enum Read {
    Ok(FormData, Vec<(String, Vec<u8>)>),
    /// A file too many or too large: the fields read so far, and why.
    Bad(FormData, &'static str),
    Csrf,
}

/// The multipart body's fields and files; stops at the first file over the bounds.
async fn read(csrf: &str, form: &mut axum::extract::Multipart) -> Read {
    let mut csrf_ok = false;
    let mut fields = Vec::new();
    let mut photos = Vec::new();
    while let Ok(Some(mut field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if name != "photos" {
            let text = field.text().await.unwrap_or_default();
            if name == "_csrf" {
                csrf_ok = text == csrf;
            } else {
                fields.push((name, text.chars().take(20_000).collect()));
            }
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_string();
        let bytes = match crate::ui::service::ticket::read_file_part(&mut field).await {
            Ok(b) => b,
            Err(key) => return Read::Bad(FormData(fields), key),
        };
        // A file input left empty still sends a part without a name or bytes.
        if file_name.is_empty() && bytes.is_empty() {
            continue;
        }
        if photos.len() == MAX_FILES_AT_FILING {
            return Read::Bad(FormData(fields), "portal.err.too_many_photos");
        }
        photos.push((file_name, bytes));
    }
    if !csrf_ok {
        return Read::Csrf;
    }
    Read::Ok(FormData(fields), photos)
}
