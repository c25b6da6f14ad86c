//! Signing in and out.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

/// Sign-in, sign-out and the language switch.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(lang_switch))
}

// ---- login ----

#[derive(Template)]
#[template(path = "login/page.html")]
pub(crate) struct LoginTpl {
    pub(crate) lang: Lang,
    pub(crate) csrf: String,
    pub(crate) username: String,
    pub(crate) next: String,
    pub(crate) error: String,
    pub(crate) notice: String,
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
pub(crate) struct NextQ {
    pub(crate) next: Option<String>,
    /// `password`: the password was just changed (its notice shows above the form).
    pub(crate) done: Option<String>,
}

/// A same-site path to go to after a step, or the customer list. Browsers drop tabs and
/// line breaks from a URL and read `\\` as `/`, so `/\t/evil.example` would leave the
/// site: any control character, space or backslash refuses the path. Other characters
/// beyond ASCII are percent-encoded (a `Location` header is ASCII).
pub(crate) fn safe_next(n: Option<&str>) -> String {
    let Some(n) = n else {
        return "/customers".into();
    };
    let bad = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    if !n.starts_with('/') || n.starts_with("//") || n.chars().any(bad) {
        return "/customers".into();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut b = [0u8; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

pub(crate) fn random_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) async fn login_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<NextQ>,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    // Double-submit token: the login form is protected before any session exists.
    let csrf = extract::cookie(&headers, extract::LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 48)
        .unwrap_or_else(random_hex);
    let mut r = render(&LoginTpl {
        lang,
        csrf: csrf.clone(),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        error: String::new(),
        notice: match q.done.as_deref() {
            Some("password") => lang.t("account.password_changed").to_string(),
            _ => String::new(),
        },
    });
    if let Ok(v) =
        extract::set_cookie(&app, extract::LOGIN_CSRF_COOKIE, &csrf, Some(3600), true).parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub(crate) async fn login_submit(
    State(app): State<App>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    body: axum::body::Bytes,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    let form = FormData(serde_urlencoded::from_bytes(&body).unwrap_or_default());
    let cookie_token = extract::cookie(&headers, extract::LOGIN_CSRF_COOKIE);
    if cookie_token.is_none() || form.get("_csrf") != cookie_token.as_deref() {
        return WebError::csrf(Surface::Ui, lang).into_response();
    }
    let username = form.text("username");
    let next = safe_next(form.get("next"));
    let again = |key: &str, status: StatusCode| {
        let mut r = render(&LoginTpl {
            lang,
            csrf: cookie_token.clone().unwrap_or_default(),
            username: username.clone(),
            next: next.clone(),
            error: lang.t(key).to_string(),
            notice: String::new(),
        });
        *r.status_mut() = status;
        r
    };
    match auth::login(&app, &username, &form.text("password"), &ip).await {
        Ok(Ok(ok)) => {
            let mut r = Redirect::to(&next).into_response();
            let max_age = app.settings.session_hours * 3600;
            if let Ok(v) = extract::set_cookie(
                &app,
                extract::SESSION_COOKIE,
                &ok.cookie,
                Some(max_age),
                true,
            )
            .parse()
            {
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

pub(crate) async fn logout(State(app): State<App>, headers: HeaderMap, p: UiPost) -> Response {
    if let Some(raw) = extract::cookie(&headers, extract::SESSION_COOKIE) {
        if let Err(e) = auth::logout(&app, &raw).await {
            return fail(e, p.user.lang);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = extract::set_cookie(&app, extract::SESSION_COOKIE, "", Some(0), true).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub(crate) async fn lang_switch(
    State(app): State<App>,
    Path(code): Path<String>,
    Query(q): Query<NextQ>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = extract::set_cookie(
        &app,
        extract::LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        false,
    )
    .parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
