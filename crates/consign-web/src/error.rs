//! The one error response: RFC 9457 problem details for the API, a localized page for
//! the UI; the full error in the log, never SQL to the user.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use consign_app::AppError;
use consign_domain::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Api,
    Ui,
}

/// What went wrong: a use case's error, or one the web layer finds itself.
#[derive(Debug)]
pub enum Failure {
    App(AppError),
    /// A state-changing request without the session's CSRF token.
    Csrf,
    /// A body or query that cannot be parsed at all.
    BadRequest(String),
}

#[derive(Debug)]
pub struct WebError {
    pub failure: Failure,
    pub surface: Surface,
    pub lang: Lang,
}

impl WebError {
    pub fn api(err: AppError, lang: Lang) -> Self {
        WebError {
            failure: Failure::App(err),
            surface: Surface::Api,
            lang,
        }
    }
    pub fn ui(err: AppError, lang: Lang) -> Self {
        WebError {
            failure: Failure::App(err),
            surface: Surface::Ui,
            lang,
        }
    }
    pub fn csrf(surface: Surface, lang: Lang) -> Self {
        WebError {
            failure: Failure::Csrf,
            surface,
            lang,
        }
    }
    pub fn bad_request(surface: Surface, lang: Lang, detail: &str) -> Self {
        WebError {
            failure: Failure::BadRequest(detail.to_string()),
            surface,
            lang,
        }
    }
}

/// Status, problem type slug and title key of a failure.
fn classify(f: &Failure) -> (StatusCode, &'static str, &'static str) {
    let e = match f {
        Failure::Csrf => return (StatusCode::FORBIDDEN, "csrf", "problem.csrf"),
        Failure::BadRequest(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "problem.bad_request",
            )
        }
        Failure::App(e) => e,
    };
    match e {
        AppError::Validation(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "problem.validation",
        ),
        AppError::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "problem.unauthorized",
        ),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "problem.forbidden"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not-found", "problem.not_found"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "problem.conflict"),
        AppError::Refused { .. } => (StatusCode::CONFLICT, "refused", "problem.conflict"),
        AppError::Duplicates(_) => (
            StatusCode::CONFLICT,
            "possible-duplicates",
            "customer.duplicates",
        ),
        AppError::Throttled => (
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "problem.too_many",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "problem.internal",
        ),
    }
}

/// Field errors as one line for a page: "field: message；…".
pub fn errors_text(lang: Lang, errs: &consign_domain::FieldErrors) -> String {
    errs.0
        .iter()
        .map(|f| format!("{}: {}", f.field, lang.t(f.code)))
        .collect::<Vec<_>>()
        .join("；")
}

/// A refusal's message, its arguments localized.
pub fn refused(lang: Lang, code: &str, args: &[&str]) -> String {
    let shown: Vec<&str> = args.iter().map(|a| lang.t(a)).collect();
    let refs: Vec<&dyn std::fmt::Display> =
        shown.iter().map(|s| s as &dyn std::fmt::Display).collect();
    lang.tf(code, &refs)
}

/// Problem details (RFC 9457): what every failed API call answers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    kind: String,
    /// The kind of problem in the caller's language.
    title: String,
    status: u16,
    /// What went wrong, in the caller's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// Each field in error (422), or what conflicts (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<FieldProblem>>,
    /// A create refused for likely duplicates (409): those the caller may not see…
    #[serde(skip_serializing_if = "Option::is_none")]
    others_out_of_scope: Option<usize>,
    /// … and those it may.
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicates: Option<Vec<Duplicate>>,
}

/// One field in error: its path, the message key and its text.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    field: String,
    code: String,
    message: String,
}

/// A likely duplicate customer the caller may see.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    #[schema(value_type = String)]
    id: consign_domain::customer::CustomerId,
    code: String,
    name: String,
    owner_name: Option<String>,
    reasons: Vec<DuplicateReason>,
}

/// Why a customer looks like a duplicate: a message key and its text.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DuplicateReason {
    code: &'static str,
    message: String,
}

impl Duplicate {
    /// A hit the caller may see (None: one counted, not named).
    pub fn of(h: &consign_app::customers::DuplicateHit, lang: Lang) -> Option<Duplicate> {
        Some(Duplicate {
            id: h.id?,
            code: h.code.clone(),
            name: h.name.clone(),
            owner_name: h.owner_name.clone(),
            reasons: h
                .reasons
                .iter()
                .map(|r| DuplicateReason {
                    code: r,
                    message: lang.t(r).to_string(),
                })
                .collect(),
        })
    }
}

/// Problem details body for an error (used by the API and by tests).
pub fn problem(f: &Failure, lang: Lang) -> (StatusCode, serde_json::Value) {
    let (status, body) = problem_of(f, lang);
    (status, serde_json::to_value(body).unwrap_or_default())
}

fn problem_of(f: &Failure, lang: Lang) -> (StatusCode, Problem) {
    let (status, slug, title_key) = classify(f);
    let mut body = Problem {
        kind: format!("https://consign.dev/problems/{slug}"),
        title: lang.t(title_key).to_string(),
        status: status.as_u16(),
        detail: None,
        errors: None,
        others_out_of_scope: None,
        duplicates: None,
    };
    let field = |field: &str, code: &str, message: String| FieldProblem {
        field: field.to_string(),
        code: code.to_string(),
        message,
    };
    let e = match f {
        Failure::BadRequest(detail) => {
            body.detail = Some(detail.clone());
            return (status, body);
        }
        Failure::Csrf => {
            body.detail = Some(lang.t("problem.csrf").to_string());
            return (status, body);
        }
        Failure::App(e) => e,
    };
    match e {
        AppError::Validation(errs) => {
            let each = errs.0.iter();
            body.errors = Some(
                each.map(|f| field(&f.field, f.code, lang.t(f.code).to_string()))
                    .collect(),
            );
            body.detail = Some(
                errs.0
                    .iter()
                    .map(|f| format!("{}: {}", f.field, lang.t(f.code)))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        AppError::Conflict { field: name, code } => {
            body.detail = Some(lang.t(code).to_string());
            body.errors = Some(vec![field(name, code, lang.t(code).to_string())]);
        }
        AppError::Refused { code, args } => {
            let msg = refused(lang, code, args);
            body.detail = Some(msg.clone());
            body.errors = Some(vec![field("", code, msg)]);
        }
        AppError::Duplicates(hits) => {
            body.detail = Some(lang.t("customer.duplicates").to_string());
            // Only customers the caller may see are named; the count tells the rest.
            body.others_out_of_scope = Some(hits.iter().filter(|h| h.id.is_none()).count());
            body.duplicates = Some(hits.iter().filter_map(|h| Duplicate::of(h, lang)).collect());
        }
        _ => {}
    }
    (status, body)
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, _, title_key) = classify(&self.failure);
        if status.is_server_error() {
            // The whole chain: what failed and every error beneath it.
            let chain = match &self.failure {
                Failure::App(e) => e.chain(),
                other => format!("{other:?}"),
            };
            tracing::error!(error = %chain, "request failed");
        }
        match self.surface {
            Surface::Api => {
                let (status, body) = problem(&self.failure, self.lang);
                let mut r = (status, body.to_string()).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("application/problem+json"),
                );
                if status == StatusCode::UNAUTHORIZED {
                    r.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        header::HeaderValue::from_static("Bearer"),
                    );
                }
                r
            }
            Surface::Ui => {
                if status == StatusCode::UNAUTHORIZED {
                    return axum::response::Redirect::to("/login").into_response();
                }
                let message = match &self.failure {
                    Failure::BadRequest(d) => d.clone(),
                    Failure::Csrf => self.lang.t("problem.csrf").to_string(),
                    Failure::App(AppError::Validation(errs)) => errors_text(self.lang, errs),
                    Failure::App(AppError::Conflict { code, .. }) => self.lang.t(code).to_string(),
                    Failure::App(AppError::Refused { code, args }) => {
                        refused(self.lang, code, args)
                    }
                    Failure::App(AppError::NotFound) => self.lang.t("page.not_found").to_string(),
                    Failure::App(AppError::Forbidden) => self.lang.t("page.forbidden").to_string(),
                    Failure::App(_) => self.lang.t(title_key).to_string(),
                };
                let page = error_page(self.lang, status.as_u16(), &message);
                (status, Html(page)).into_response()
            }
        }
    }
}

/// The page a person sees for an error.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    lang: Lang,
    status: u16,
    message: String,
}

impl ErrorTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
}

/// The error page: status and message in the viewer's language.
pub fn error_page(lang: Lang, status: u16, message: &str) -> String {
    ErrorTpl {
        lang,
        status,
        message: message.to_string(),
    }
    .render()
    .unwrap_or_else(|_| message.to_string())
}
