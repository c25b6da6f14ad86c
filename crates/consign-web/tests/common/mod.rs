//! Test harness: the real router on a loopback port, over a fresh database.
//!
//! Every test body runs twice: on a new SQLite file, and on PostgreSQL in a schema of
//! its own (`TEST_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test). When
//! PostgreSQL cannot be reached the PostgreSQL run is skipped with a loud message —
//! unless `CI=true`, where that is a failure.

#![allow(dead_code)]

use consign_app::auth::Actor;
use consign_app::customers::{ContactInput, CustomerInput, NewCustomer};
use consign_app::{App, Settings};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

pub const PASSWORD: &str = "test-password-1";

pub struct TestApp {
    pub app: App,
    pub base: String,
    pub backend: &'static str,
    pub dir: tempfile::TempDir,
    pub units: Units,
    pub users: Users,
    schema: Option<(String, String)>,
    server: tokio::task::JoinHandle<()>,
}

/// 总公司 → 上海分公司 → {华东大客户部, 华东中小客户组}; 广州分公司 → 华南销售组
pub struct Units {
    pub root: i64,
    pub shanghai: i64,
    pub sh_key: i64,
    pub sh_sme: i64,
    pub guangzhou: i64,
    pub gz_sales: i64,
}

/// admin; manager of 上海分公司; manager of 广州分公司; AMs lixy (sh_key), zhaop (sh_sme),
/// chenj (gz_sales); agent liuy (上海分公司); read-only ro (root); credit officer zhoum
/// (root).
pub struct Users {
    pub admin: i64,
    pub sh_manager: i64,
    pub gz_manager: i64,
    pub lixy: i64,
    pub zhaop: i64,
    pub chenj: i64,
    pub agent: i64,
    pub ro: i64,
    pub credit: i64,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn pg_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

async fn pg_available(url: &str) -> Result<(), String> {
    match consign_store::Db::connect(url, None).await {
        Ok(db) => {
            let _ = db.conn.close().await;
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `body` on SQLite, then on PostgreSQL.
pub async fn each_db<F, Fut>(body: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    each_db_with(|_| {}, body).await
}

/// As [`each_db`], with settings changed by `configure`.
pub async fn each_db_with<F, Fut>(configure: impl Fn(&mut Settings), body: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let t = spawn_with(false, &configure).await;
    body(t).await;
    let url = pg_url();
    match pg_available(&url).await {
        Ok(()) => {
            let t = spawn_with(true, &configure).await;
            let cleanup = t.schema.clone();
            body(t).await;
            if let Some((url, schema)) = cleanup {
                if let Ok(db) = consign_store::Db::connect(&url, None).await {
                    let _ = sea_orm::ConnectionTrait::execute_unprepared(&db.conn, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
                }
            }
        }
        Err(e) if ci() => panic!("PostgreSQL is required under CI=true but {url} cannot be reached: {e}"),
        Err(e) => eprintln!(
            "\n*** SKIPPING the PostgreSQL run of this test: {url} cannot be reached ({e}).\n*** Set TEST_DATABASE_URL to a PostgreSQL database to run it. Under CI=true this is a failure.\n"
        ),
    }
}

pub async fn spawn(postgres: bool) -> TestApp {
    spawn_with(postgres, |_| {}).await
}

/// As [`spawn`], with settings changed by `configure` (e.g. `public_url`).
pub async fn spawn_with(postgres: bool, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = Settings::default();
    s.set_data_dir(dir.path().to_path_buf());
    s.password_cost = "test".into();
    configure(&mut s);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let (app, schema, backend) = if postgres {
        let url = pg_url();
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            n,
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let admin = consign_store::Db::connect(&url, None)
            .await
            .expect("pg connect");
        sea_orm::ConnectionTrait::execute_unprepared(
            &admin.conn,
            &format!("CREATE SCHEMA {schema}"),
        )
        .await
        .expect("create schema");
        let _ = admin.conn.close().await;
        s.database_url = url.clone();
        let app = App::open_with_schema(s, Some(&schema))
            .await
            .expect("open app on pg");
        (app, Some((url, schema)), "postgres")
    } else {
        let app = App::open(s).await.expect("open app on sqlite");
        (app, None, "sqlite")
    };
    let (units, users) = fixtures(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = consign_web::router(app.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    TestApp {
        app,
        base: format!("http://{addr}"),
        backend,
        dir,
        units,
        users,
        schema,
        server,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn fixtures(app: &App) -> (Units, Users) {
    use consign_store::users as repo;
    let conn = &app.db.conn;
    let root = consign_app::users::root_unit(app, "远达物流集团")
        .await
        .expect("root");
    let sh = repo::create_unit(conn, Some(&root), "上海分公司", "branch")
        .await
        .expect("unit");
    let sh_key = repo::create_unit(conn, Some(&sh), "华东大客户部", "team")
        .await
        .expect("unit");
    let sh_sme = repo::create_unit(conn, Some(&sh), "华东中小客户组", "team")
        .await
        .expect("unit");
    let gz = repo::create_unit(conn, Some(&root), "广州分公司", "branch")
        .await
        .expect("unit");
    let gz_sales = repo::create_unit(conn, Some(&gz), "华南销售组", "team")
        .await
        .expect("unit");
    let sys = Actor::system("test");
    let mut ids = Vec::new();
    for (username, name, role, unit) in [
        ("admin", "系统管理员", "admin", root.id),
        ("wangjl", "王建林", "manager", sh.id),
        ("huangm", "黄敏", "manager", gz.id),
        ("lixy", "李晓云", "account_manager", sh_key.id),
        ("zhaop", "赵鹏", "account_manager", sh_sme.id),
        ("chenj", "陈静", "account_manager", gz_sales.id),
        ("liuy", "刘洋", "service_agent", sh.id),
        ("ro", "只读", "read_only", root.id),
        ("zhoum", "周敏", "credit_officer", root.id),
    ] {
        let u = consign_app::users::create(
            app,
            &sys,
            &consign_app::users::NewUser {
                username: username.into(),
                display_name: name.into(),
                email: None,
                role: role.into(),
                org_unit_id: Some(unit),
                password: PASSWORD.into(),
            },
        )
        .await
        .expect("user");
        ids.push(u.id);
    }
    (
        Units {
            root: root.id,
            shanghai: sh.id,
            sh_key: sh_key.id,
            sh_sme: sh_sme.id,
            guangzhou: gz.id,
            gz_sales: gz_sales.id,
        },
        Users {
            admin: ids[0],
            sh_manager: ids[1],
            gz_manager: ids[2],
            lixy: ids[3],
            zhaop: ids[4],
            chenj: ids[5],
            agent: ids[6],
            ro: ids[7],
            credit: ids[8],
        },
    )
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The actor of a fixture user, for calling use cases directly.
    pub async fn actor(&self, username: &str) -> Actor {
        let u = consign_store::users::user_by_name(&self.app.db.conn, username)
            .await
            .expect("db")
            .expect("user");
        consign_app::auth::actor_for(&self.app, &u, None)
            .await
            .expect("actor")
    }

    /// An API client authenticated with a fresh bearer token of `username`.
    pub async fn api(&self, username: &str) -> Api {
        let actor = self.actor(username).await;
        let (_, token) =
            consign_app::auth::create_token(&self.app, &actor, actor.user_id(), "test", None)
                .await
                .expect("token");
        Api {
            t: self.base.clone(),
            client: Client::new(),
            token: Some(token),
            lang: None,
        }
    }

    pub fn anonymous(&self) -> Api {
        Api {
            t: self.base.clone(),
            client: Client::new(),
            token: None,
            lang: None,
        }
    }

    /// A browser-like client signed in through the login form.
    pub async fn browser(&self, username: &str) -> Browser {
        let b = Browser::new(&self.base, None);
        let r = b.login(username, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {username} failed"
        );
        b
    }

    /// A customer's code.
    pub async fn code_of(&self, id: i64) -> String {
        let admin = self.actor("admin").await;
        consign_app::customers::get(
            &self.app,
            &admin,
            consign_domain::customer::CustomerId::trusted(id),
        )
        .await
        .expect("customer")
        .customer
        .code
    }

    /// A complaint by phone about `customer`, registered by the admin through the use case.
    pub async fn complaint(
        &self,
        customer: i64,
        subject: &str,
    ) -> consign_app::service::TicketDetail {
        let admin = self.actor("admin").await;
        let input = consign_app::service::TicketInput {
            kind: "complaint".into(),
            channel: "phone".into(),
            customer_id: customer.to_string(),
            subject: subject.into(),
            ..Default::default()
        };
        consign_app::service::create(&self.app, &admin, &input)
            .await
            .expect("complaint")
    }

    /// Creates a customer owned by `owner` (None: the pool) through the use case.
    pub async fn customer(&self, name: &str, owner: Option<&str>, phone: Option<&str>) -> i64 {
        let admin = self.actor("admin").await;
        let owner_id = match owner {
            Some(o) => Some(self.actor(o).await.user_id()),
            None => None,
        };
        let input = NewCustomer {
            customer: CustomerInput {
                name: Some(name.into()),
                kind: Some("enterprise".into()),
                owner_id: Some(owner_id),
                confirm_duplicates: true,
                ..Default::default()
            },
            contacts: phone
                .map(|p| {
                    vec![ContactInput {
                        name: Some("张伟".into()),
                        phone: Some(p.into()),
                        title: Some("物流经理".into()),
                        ..Default::default()
                    }]
                })
                .unwrap_or_default(),
        };
        consign_app::customers::create(&self.app, &admin, &input)
            .await
            .expect("create customer")
            .customer
            .id
            .get()
    }
}

#[derive(Clone)]
pub struct Api {
    t: String,
    pub client: Client,
    pub token: Option<String>,
    pub lang: Option<&'static str>,
}

impl Api {
    pub fn lang(mut self, l: &'static str) -> Self {
        self.lang = Some(l);
        self
    }
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, format!("{}{path}", self.t));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        if let Some(l) = self.lang {
            r = r.header("Accept-Language", l);
        }
        r
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        json(
            self.req(reqwest::Method::GET, path)
                .send()
                .await
                .expect("send"),
        )
        .await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json(
            self.req(reqwest::Method::POST, path)
                .json(&body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }
    pub async fn put_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json(
            self.req(reqwest::Method::PUT, path)
                .json(&body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        json(
            self.req(reqwest::Method::PATCH, path)
                .json(&body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        json(
            self.req(reqwest::Method::DELETE, path)
                .send()
                .await
                .expect("send"),
        )
        .await
    }
    pub async fn raw_post(&self, path: &str, body: &'static str) -> (StatusCode, Value) {
        json(
            self.req(reqwest::Method::POST, path)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }
}

pub async fn json(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A browser: a cookie jar, no automatic redirects, forms with their CSRF token.
pub struct Browser {
    base: String,
    pub client: Client,
}

impl Browser {
    pub fn new(base: &str, accept_language: Option<&str>) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(l) = accept_language {
            headers.insert("Accept-Language", l.parse().expect("header"));
        }
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Browser {
            base: base.to_string(),
            client,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("send");
        let s = r.status();
        (s, r.text().await.expect("body"))
    }

    /// Posts a form; `_csrf` is taken from `csrf_page` (a page of the same session).
    pub async fn post(&self, path: &str, csrf_from: &str, fields: &[(&str, &str)]) -> Response {
        let (_, page) = self.get(csrf_from).await;
        let token = csrf_of(&page);
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("send")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/login",
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/customers"),
            ],
        )
        .await
    }
}

/// Polls an import run's page until it is no longer importing; returns the last page.
pub async fn until_done(b: &Browser, path: &str) -> String {
    for _ in 0..200 {
        let (s, html) = b.get(path).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        if !html.contains("http-equiv=\"refresh\"") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import of {path} did not end");
}

pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let i = page.find(marker).expect("page has a CSRF field") + marker.len();
    page[i..].split('"').next().expect("token").to_string()
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Posts a file to `POST /api/v1/imports?{query}` and follows the run to its end;
/// returns the run as the API shows it.
pub async fn import_by_api(api: &Api, query: &str, content_type: &str, body: Vec<u8>) -> Value {
    let r = api
        .req(reqwest::Method::POST, &format!("/api/v1/imports?{query}"))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::ACCEPTED, "{query}");
    let loc = location(&r);
    for _ in 0..200 {
        let (s, run) = api.get(&loc).await;
        assert_eq!(s, StatusCode::OK, "{run}");
        if run["status"] != "running" {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import at {loc} did not end");
}
