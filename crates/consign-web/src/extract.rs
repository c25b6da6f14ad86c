//! Request extractors: who is calling (session cookie or bearer token), in which
//! language, from where, and CSRF-checked form bodies.

use crate::error::{Surface, WebError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use consign_app::auth::{self, Actor};
use consign_app::{App, AppError};
use consign_domain::role::Role;
use consign_domain::{FieldErrors, Lang};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "consign_session";
pub const LANG_COOKIE: &str = "consign_lang";
pub const LOGIN_CSRF_COOKIE: &str = "consign_login_csrf";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure when served over TLS.
pub fn set_cookie(
    app: &App,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    http_only: bool,
) -> String {
    set_cookie_at(app, name, value, max_age, http_only, "/")
}

/// A cookie sent back only under `path` (the portal's session: `/portal`).
pub fn set_cookie_at(
    app: &App,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    http_only: bool,
    path: &str,
) -> String {
    let mut c = format!("{name}={value}; Path={path}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if app.settings.secure_cookies() {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

/// The language: the user's explicit choice (cookie), else the account's, else the
/// browser's Accept-Language.
pub fn request_lang(headers: &HeaderMap, account: Option<Lang>) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v)) {
        return l;
    }
    if let Some(l) = account {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// The client's address: the peer's, or, when the peer is one of the configured
/// `trusted_proxies`, the last address in `X-Forwarded-For` that is not a trusted proxy
/// (the one the first trusted proxy saw; the addresses before it are the client's word).
pub fn client_ip(parts: &Parts, app: &App) -> String {
    let Some(peer) = parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    let trusted = |ip: &std::net::IpAddr| {
        app.settings
            .trusted_proxies
            .iter()
            .any(|t| t.parse::<std::net::IpAddr>().is_ok_and(|t| t == *ip))
    };
    if !trusted(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted(ip))
        .unwrap_or(&peer)
        .to_string()
}

/// The language of a request without a user (login page, errors).
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(request_lang(&parts.headers, None)))
    }
}

pub struct ClientIp(pub String);

impl FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, app)))
    }
}

/// An API caller: a bearer token, or a browser session (then state-changing requests
/// must carry the session's CSRF token in `X-CSRF-Token`).
pub struct ApiUser {
    pub actor: Actor,
    pub lang: Lang,
}

impl FromRequestParts<App> for ApiUser {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let ip = Some(client_ip(parts, app));
        let lang0 = request_lang(&parts.headers, None);
        let fail = |e: AppError| WebError::api(e, lang0);
        if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
            let v = h.to_str().unwrap_or("");
            let Some(token) = v
                .strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
            else {
                return Err(fail(AppError::Unauthorized));
            };
            return match auth::token_actor(app, token.trim(), ip)
                .await
                .map_err(fail)?
            {
                // A portal account is not a staff caller, however it got a token.
                Some(actor) if actor.role == Role::PortalUser => Err(fail(AppError::Unauthorized)),
                Some(mut actor) => {
                    let lang = request_lang(&parts.headers, actor.lang);
                    // Generated texts read in the request's language.
                    actor.lang = Some(lang);
                    Ok(ApiUser { actor, lang })
                }
                None => Err(fail(AppError::Unauthorized)),
            };
        }
        let Some(raw) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(fail(AppError::Unauthorized));
        };
        let Some(s) = auth::session(app, &raw, ip).await.map_err(fail)? else {
            return Err(fail(AppError::Unauthorized));
        };
        if s.actor.role == Role::PortalUser {
            return Err(fail(AppError::Unauthorized));
        }
        let lang = request_lang(&parts.headers, s.actor.lang);
        let mut actor = s.actor;
        actor.lang = Some(lang);
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(s.csrf_token.as_str()) {
                return Err(WebError::csrf(Surface::Api, lang));
            }
        }
        Ok(ApiUser { actor, lang })
    }
}

/// A signed-in browser user; anyone else is sent to the login page.
#[derive(Clone)]
pub struct UiUser {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
    /// Unread notifications, for the header's bell.
    pub unread: i64,
}

impl FromRequestParts<App> for UiUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let ip = Some(client_ip(parts, app));
        let lang0 = request_lang(&parts.headers, None);
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = if next == "/" {
                "/login".to_string()
            } else {
                format!("/login?next={}", urlencode(next))
            };
            Redirect::to(&target).into_response()
        };
        let Some(raw) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match auth::session(app, &raw, ip).await {
            // Staff pages are not the portal's: a portal account signs in at /portal.
            Ok(Some(s)) if s.actor.role == Role::PortalUser => Err(to_login()),
            Ok(Some(s)) => {
                let lang = request_lang(&parts.headers, s.actor.lang);
                let mut s = s;
                s.actor.lang = Some(lang);
                let unread = consign_app::service::unread(app, &s.actor)
                    .await
                    .unwrap_or(0);
                Ok(UiUser {
                    actor: s.actor,
                    csrf: s.csrf_token,
                    lang,
                    unread,
                })
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(WebError::ui(e, lang0).into_response()),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fields of an urlencoded form, in order (checkbox groups repeat a name).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The value, or "" when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), Some("on" | "1" | "true" | "yes"))
    }
}

/// A POSTed form from a signed-in user, its `_csrf` field checked against the session.
pub struct UiPost {
    pub user: UiUser,
    pub form: FormData,
}

impl FromRequest<App> for UiPost {
    type Rejection = Response;
    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = UiUser::from_request_parts(&mut parts, app).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), app)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            WebError::bad_request(Surface::Ui, user.lang, &e.to_string()).into_response()
        })?;
        let form = FormData(fields);
        if form.get("_csrf") != Some(user.csrf.as_str()) {
            return Err(WebError::csrf(Surface::Ui, user.lang).into_response());
        }
        Ok(UiPost { user, form })
    }
}

/// A JSON body; a malformed one is a 400, a wrongly typed field a 422 naming the field.
/// Query parameters of an API request: a value that does not parse is a 400 problem
/// (RFC 9457, in the caller's language), as a bad body is, not axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = request_lang(&parts.headers, None);
        // Values are read trimmed, and an empty one is the same as an absent one (`page=`,
        // as HTML forms send them), as the document says (`openapi::BLANK`).
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or_default()).map_err(|e| {
                WebError::bad_request(
                    Surface::Api,
                    lang,
                    &format!("{}: {e}", lang.t("err.bad_query")),
                )
            })?;
        let given: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| (k, v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let q = serde_urlencoded::to_string(&given).unwrap_or_default();
        serde_urlencoded::from_str(&q).map(ApiQuery).map_err(|e| {
            WebError::bad_request(
                Surface::Api,
                lang,
                &format!("{}: {e}", lang.t("err.bad_query")),
            )
        })
    }
}

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = request_lang(req.headers(), None);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::bad_request(Surface::Api, lang, &e.body_text()))?;
        // Every body the API takes is a JSON object: serde would also read a struct from
        // an array of its fields in order, which no client means.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{')
            && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok()
        {
            let mut errs = FieldErrors::new();
            errs.add("body", "err.invalid_type");
            return Err(WebError::api(AppError::Validation(errs), lang));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| de_error(e, "", lang))
    }
}

/// Maps a deserialization error to a 400 (broken JSON) or a 422 naming the field.
fn de_error(
    e: serde_path_to_error::Error<serde_json::Error>,
    prefix: &str,
    lang: Lang,
) -> WebError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return WebError::bad_request(Surface::Api, lang, lang.t("err.invalid_json"));
    }
    let msg = inner.to_string();
    let field = if path == "." {
        // "unknown field `x`" / "missing field `x`" name the field in the message.
        msg.split('`').nth(1).unwrap_or("body").to_string()
    } else {
        path
    };
    let code = if msg.starts_with("missing field") {
        "err.required"
    } else if msg.starts_with("unknown field") {
        "err.unknown_field"
    } else {
        "err.invalid_type"
    };
    let mut errs = FieldErrors::new();
    errs.add(format!("{prefix}{field}"), code);
    WebError::api(AppError::Validation(errs), lang)
}

/// Deserializes part of a JSON body, naming fields under `prefix` on error.
pub fn from_value<T: DeserializeOwned>(
    v: serde_json::Value,
    prefix: &str,
    lang: Lang,
) -> Result<T, WebError> {
    serde_path_to_error::deserialize(v).map_err(|e| de_error(e, prefix, lang))
}
