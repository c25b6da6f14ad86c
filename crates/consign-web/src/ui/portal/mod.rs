//! The customer portal's screens (issue 22): its own sign-in at `/portal/login` with its
//! own session cookie (sent only under `/portal`), the invitation page that sets a
//! password, and the pages of `pages.rs`. A staff session is not a portal session and the
//! other way round: each side's extractor refuses the other's accounts.

mod filing;
mod pages;
mod staff;

#[allow(unused_imports)]
use super::*;
use consign_app::portal::{self, PortalUser};

pub(crate) const PORTAL_COOKIE: &str = "consign_portal";

pub(crate) fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/portal/login", get(login_page).post(login_submit))
        .route("/portal/logout", post(logout))
        .route(
            "/portal/invite/{token}",
            get(invite_page).post(invite_submit),
        )
        .merge(pages::routes())
        .merge(staff::routes())
}

/// A signed-in portal account; anyone else goes to the portal's sign-in.
pub(crate) struct PortalSession {
    pub(crate) user: PortalUser,
    pub(crate) csrf: String,
    pub(crate) lang: Lang,
}

impl axum::extract::FromRequestParts<App> for PortalSession {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &App,
    ) -> Result<Self, Self::Rejection> {
        let ip = Some(extract::client_ip(parts, app));
        let lang0 = extract::request_lang(&parts.headers, None);
        let to_login = || Redirect::to("/portal/login").into_response();
        let Some(raw) = extract::cookie(&parts.headers, PORTAL_COOKIE) else {
            return Err(to_login());
        };
        let s = match auth::session(app, &raw, ip).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(fail(e, lang0)),
        };
        let lang = extract::request_lang(&parts.headers, s.actor.lang);
        let mut actor = s.actor;
        actor.lang = Some(lang);
        match portal::caller(app, actor).await {
            Ok(user) => Ok(PortalSession {
                user,
                csrf: s.csrf_token,
                lang,
            }),
            Err(AppError::Unauthorized) => Err(to_login()),
            Err(e) => Err(fail(e, lang)),
        }
    }
}

/// A form posted from a portal page, its `_csrf` checked against the session.
pub(crate) struct PortalPost {
    pub(crate) s: PortalSession,
    pub(crate) form: FormData,
}

impl axum::extract::FromRequest<App> for PortalPost {
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, app: &App) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let s = PortalSession::from_request_parts(&mut parts, app).await?;
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.map_err(|e| {
            WebError::bad_request(Surface::Ui, s.lang, &e.to_string()).into_response()
        })?;
        let form = FormData(serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            WebError::bad_request(Surface::Ui, s.lang, &e.to_string()).into_response()
        })?);
        if form.get("_csrf") != Some(s.csrf.as_str()) {
            return Err(WebError::csrf(Surface::Ui, s.lang).into_response());
        }
        Ok(PortalPost { s, form })
    }
}

/// What every portal page's layout needs.
pub(crate) struct PCtx {
    pub(crate) lang: Lang,
    pub(crate) csrf: String,
    pub(crate) user_name: String,
    pub(crate) company: String,
    pub(crate) nav: &'static str,
    pub(crate) path: String,
    pub(crate) tz: chrono_tz::Tz,
}

impl PCtx {
    pub(crate) fn new(app: &App, s: &PortalSession, nav: &'static str, path: &str) -> PCtx {
        PCtx {
            lang: s.lang,
            csrf: s.csrf.clone(),
            user_name: s.user.actor.name.clone(),
            company: s.user.customer_name.clone(),
            nav,
            path: path.to_string(),
            tz: app.tz(),
        }
    }
    pub(crate) fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
    pub(crate) fn active(&self, n: &str) -> &'static str {
        if self.nav == n {
            "active"
        } else {
            ""
        }
    }
    pub(crate) fn other_lang(&self) -> &'static str {
        self.lang.other_code()
    }
    pub(crate) fn dt(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
    pub(crate) fn total(&self, n: &u64) -> String {
        self.lang.tf("common.total", &[n])
    }
    pub(crate) fn overdue_days(&self, n: &i64) -> String {
        self.lang.tf("invoice.days_overdue", &[n])
    }
    pub(crate) fn page_of(&self, page: &u64, pages: &u64) -> String {
        self.lang.tf("common.page", &[page, pages])
    }
    pub(crate) fn survey_until(&self, t: &DateTime<Utc>) -> String {
        self.lang.tf("portal.survey_until", &[&self.day(t)])
    }
    pub(crate) fn day(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }
    pub(crate) fn money(&self, f: &Fen) -> String {
        format!("¥{}", f.yuan())
    }
    pub(crate) fn pct(&self, x: &Option<f64>) -> String {
        x.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
    }
    pub(crate) fn hours(&self, x: &Option<f64>) -> String {
        x.map_or("—".into(), |v| {
            self.lang.tf("portal.hours", &[&format!("{v:.1}")])
        })
    }
}

// ---- sign-in ----

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginTpl {
    lang: Lang,
    csrf: String,
    username: String,
    error: String,
    notice: String,
}

impl LoginTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
    fn other_lang(&self) -> &'static str {
        self.lang.other_code()
    }
}

#[derive(serde::Deserialize)]
struct DoneQ {
    done: Option<String>,
}

fn login_csrf(app: &App, headers: &HeaderMap, r: &mut Response) -> String {
    let csrf = extract::cookie(headers, extract::LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 48)
        .unwrap_or_else(login::random_hex);
    if let Ok(v) =
        extract::set_cookie(app, extract::LOGIN_CSRF_COOKIE, &csrf, Some(3600), true).parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    csrf
}

async fn login_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<DoneQ>,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    let mut r = Response::default();
    let csrf = login_csrf(&app, &headers, &mut r);
    let mut page = render(&LoginTpl {
        lang,
        csrf,
        username: String::new(),
        error: String::new(),
        notice: if q.done.as_deref() == Some("password") {
            lang.t("portal.password_set").to_string()
        } else {
            String::new()
        },
    });
    for v in r.headers().get_all(header::SET_COOKIE) {
        page.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    page
}

/// A form posted before any session (sign-in, an invitation): its language, fields and
/// the double-submit token it carried, or the CSRF refusal.
fn signed_out_form(headers: &HeaderMap, body: &[u8]) -> Result<(Lang, FormData, String), Response> {
    let lang = extract::request_lang(headers, None);
    let form = FormData(serde_urlencoded::from_bytes(body).unwrap_or_default());
    match extract::cookie(headers, extract::LOGIN_CSRF_COOKIE) {
        Some(c) if form.get("_csrf") == Some(c.as_str()) => Ok((lang, form, c)),
        _ => Err(WebError::csrf(Surface::Ui, lang).into_response()),
    }
}

async fn login_submit(
    State(app): State<App>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    body: axum::body::Bytes,
) -> Response {
    let (lang, form, csrf) = match signed_out_form(&headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let username = form.text("username");
    let again = |key: &str, status: StatusCode| {
        let mut r = render(&LoginTpl {
            lang,
            csrf: csrf.clone(),
            username: username.clone(),
            error: lang.t(key).to_string(),
            notice: String::new(),
        });
        *r.status_mut() = status;
        r
    };
    match auth::login_for(&app, &username, &form.text("password"), &ip, true).await {
        Ok(Ok(ok)) => {
            let mut r = Redirect::to("/portal").into_response();
            let max_age = app.settings.session_hours * 3600;
            let c = extract::set_cookie_at(
                &app,
                PORTAL_COOKIE,
                &ok.cookie,
                Some(max_age),
                true,
                "/portal",
            );
            if let Ok(v) = c.parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Ok(Err(LoginError::BadCredentials)) => again("login.failed", StatusCode::UNAUTHORIZED),
        Ok(Err(LoginError::Disabled)) => again("login.disabled", StatusCode::FORBIDDEN),
        Ok(Err(LoginError::Throttled)) => again("login.throttled", StatusCode::TOO_MANY_REQUESTS),
        Err(e) => fail(e, lang),
    }
}

async fn logout(State(app): State<App>, headers: HeaderMap, p: PortalPost) -> Response {
    if let Some(raw) = extract::cookie(&headers, PORTAL_COOKIE) {
        if let Err(e) = auth::logout(&app, &raw).await {
            return fail(e, p.s.lang);
        }
    }
    let mut r = Redirect::to("/portal/login").into_response();
    if let Ok(v) = extract::set_cookie_at(&app, PORTAL_COOKIE, "", Some(0), true, "/portal").parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

// ---- invitation ----

#[derive(Template)]
#[template(path = "portal/invite.html")]
struct InviteTpl {
    lang: Lang,
    csrf: String,
    token: String,
    username: String,
    name: String,
    error: String,
}

impl InviteTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
    fn greeting(&self) -> String {
        self.lang.tf("portal.invite_hello", &[&self.name])
    }
}

async fn invite_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    let (username, name) = match portal::invitation(&app, &token).await {
        Ok(x) => x,
        Err(AppError::NotFound) => return invite_gone(lang),
        Err(e) => return fail(e, lang),
    };
    let mut r = Response::default();
    let csrf = login_csrf(&app, &headers, &mut r);
    let mut page = render(&InviteTpl {
        lang,
        csrf,
        token,
        username,
        name,
        error: String::new(),
    });
    for v in r.headers().get_all(header::SET_COOKIE) {
        page.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    page
}

fn invite_gone(lang: Lang) -> Response {
    let mut r = fail(
        AppError::Refused {
            code: "portal.invite_gone",
            args: vec![],
        },
        lang,
    );
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

async fn invite_submit(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (lang, form, csrf) = match signed_out_form(&headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let password = form.text("password");
    let mismatch = password != form.text("password2");
    let r = if mismatch {
        Err(AppError::field("password2", "err.password_mismatch"))
    } else {
        portal::accept(&app, &token, &password).await
    };
    match r {
        Ok(_) => Redirect::to("/portal/login?done=password").into_response(),
        Err(AppError::Validation(e)) => {
            let (username, name) = match portal::invitation(&app, &token).await {
                Ok(x) => x,
                Err(_) => return invite_gone(lang),
            };
            let msg =
                e.0.iter()
                    .map(|x| lang.t(x.code))
                    .collect::<Vec<_>>()
                    .join("；");
            let mut r = render(&InviteTpl {
                lang,
                csrf,
                token,
                username,
                name,
                error: msg,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(AppError::NotFound) => invite_gone(lang),
        Err(e) => fail(e, lang),
    }
}
