//! The public tracking page `/track` (issue 22): a form for the waybill number and the
//! last four digits of a phone, and what [`consign_app::tracking::track`] shows. No
//! session, no staff or portal layout; the same counted lookups as the API.

use super::*;
use consign_app::tracking::{self, Tracked};

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/track", get(page))
}

#[derive(serde::Deserialize, Default)]
struct TrackQ {
    waybill_no: Option<String>,
    phone_last4: Option<String>,
}

#[derive(Template)]
#[template(path = "tracking/track.html")]
struct TrackTpl {
    lang: Lang,
    tz: chrono_tz::Tz,
    waybill_no: String,
    phone_last4: String,
    /// A refusal or "not found", in the visitor's language.
    error: String,
    /// Per-field messages of malformed input.
    field_errors: BTreeMap<String, String>,
    found: Option<Tracked>,
    /// This page's address with its query, for the language link.
    next: String,
}

impl TrackTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
    fn other_lang(&self) -> &'static str {
        self.lang.other_code()
    }
    fn dt(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
    fn field_error(&self, f: &str) -> String {
        self.field_errors.get(f).cloned().unwrap_or_default()
    }
    fn status_class(&self, s: &ShipmentStatus) -> &'static str {
        super::shipment_badge(s)
    }
}

async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Query(q): Query<TrackQ>,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    let waybill_no = q.waybill_no.unwrap_or_default().trim().to_string();
    let phone_last4 = q.phone_last4.unwrap_or_default().trim().to_string();
    let next = if waybill_no.is_empty() && phone_last4.is_empty() {
        "/track".to_string()
    } else {
        let query = serde_urlencoded::to_string([
            ("waybill_no", waybill_no.as_str()),
            ("phone_last4", phone_last4.as_str()),
        ])
        .unwrap_or_default();
        format!("/track?{query}")
    };
    let mut tpl = TrackTpl {
        lang,
        tz: app.tz(),
        waybill_no,
        phone_last4,
        error: String::new(),
        field_errors: BTreeMap::new(),
        found: None,
        next: serde_urlencoded::to_string([("next", next)]).unwrap_or_default(),
    };
    if tpl.waybill_no.is_empty() && tpl.phone_last4.is_empty() {
        return render(&tpl);
    }
    let status = match tracking::track(&app, &tpl.waybill_no, &tpl.phone_last4, &ip).await {
        Ok(t) => {
            tpl.found = Some(t);
            StatusCode::OK
        }
        Err(AppError::Validation(errs)) => {
            for e in &errs.0 {
                tpl.field_errors
                    .insert(e.field.clone(), lang.t(e.code).to_string());
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::NotFound) => {
            tpl.error = lang.t("track.not_found").to_string();
            StatusCode::NOT_FOUND
        }
        Err(AppError::Throttled) => {
            tpl.error = lang.t("track.throttled").to_string();
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(e) => return fail(e, lang),
    };
    (status, render(&tpl)).into_response()
}
