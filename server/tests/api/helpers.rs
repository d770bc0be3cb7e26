//! `spawn_app()`: the real server on a free port with a fresh database.

use app::db::{Backend, DatabaseUrl};
use serde_json::Value;
use server::{config::Config, startup::Application};
use std::sync::{
    atomic::{AtomicU32, Ordering},
    Arc,
};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The app's own database, for checking invariants behind the API.
    pub db: app::db::Db,
    /// Stops the app when the last visitor of it is gone.
    running: Arc<Running>,
}

struct Running(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs a test body once per backend, each in its own test.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(app::db::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name(app::db::Backend::Postgres).await
            }
        }
    )*};
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

/// A database nobody else uses: a new SQLite file, or a new Postgres
/// database on the server named by `TEST_POSTGRES_URL`.
pub async fn fresh_database(backend: Backend) -> DatabaseUrl {
    let name = unique_name();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("storefront-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join(format!("{name}.db")).display())
                .parse()
                .unwrap()
        }
        Backend::Postgres => {
            let admin = std::env::var("TEST_POSTGRES_URL").expect(
                "TEST_POSTGRES_URL is not set: run the tests with `make test` \
                 (scripts/test.sh starts a throwaway PostgreSQL), or point it at a server",
            );
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("cannot reach TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap();
            format!("{base}/{name}").parse().unwrap()
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(Config::for_tests(fresh_database(backend).await)).await
}

/// The one or two instances of a test on one database: two on Postgres,
/// one (and another visitor of it) on SQLite.
pub async fn two_instances(backend: Backend) -> (TestApp, TestApp) {
    let database = fresh_database(backend).await;
    let first = spawn_app_with(Config::for_tests(database.clone())).await;
    let second = match backend {
        Backend::Postgres => spawn_app_with(Config::for_tests(database)).await,
        Backend::Sqlite => first.visitor(),
    };
    (first, second)
}

/// Starts the app as `main` does: on a runtime of its own (in its own
/// thread, with `config.worker_threads`), whatever runtime the test uses.
pub async fn spawn_app_with(config: Config) -> TestApp {
    server::telemetry::init_with_default("warn");
    let database_url = config.database_url.clone();
    let (started, address) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let runtime = server::startup::runtime(config.worker_threads).unwrap();
        runtime.block_on(async move {
            let app = Application::build(config).await.expect("the app starts");
            let _ = started.send(app.local_addr());
            app.run_until(async move {
                let _ = stopped.await;
            })
            .await
        })
    });
    let address = format!("http://{}", address.await.expect("the app starts"));
    // The test's own pool, for checking invariants behind the API.
    let db = app::db::Db::connect(&database_url).await.unwrap();
    TestApp {
        address,
        client: new_client(),
        db,
        running: Arc::new(Running(Some(stop))),
    }
}

/// A visitor of a shop running elsewhere (the server binary, started by
/// the test) at `address`, on `db`.
pub fn visitor_of(address: String, db: app::db::Db) -> TestApp {
    TestApp {
        address,
        client: new_client(),
        db,
        running: Arc::new(Running(None)),
    }
}

/// A client with its own cookie jar that does not follow redirects. An
/// answer that never comes fails the test instead of stalling the suite.
pub fn new_client() -> reqwest::Client {
    client_builder().build().unwrap()
}

fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
}

impl TestApp {
    /// Another visitor of the same app: a separate cookie jar.
    pub fn visitor(&self) -> TestApp {
        self.with_client(new_client())
    }

    /// Another visitor, whose browser asks for `accept_language` (e.g. `en-US`).
    pub fn visitor_speaking(&self, accept_language: &str) -> TestApp {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            accept_language.parse().unwrap(),
        );
        self.with_client(client_builder().default_headers(headers).build().unwrap())
    }

    /// A visitor of the same app with this client.
    pub fn with_client(&self, client: reqwest::Client) -> TestApp {
        TestApp {
            address: self.address.clone(),
            client,
            db: self.db.clone(),
            running: self.running.clone(),
        }
    }

    /// Signs a new account up with this visitor's client, which stays
    /// logged in; returns the user id.
    pub async fn signup(&self, login_id: &str) -> i64 {
        let (status, body) = self
            .post_json(
                "/api/signup",
                &serde_json::json!({"login_id": login_id, "password": "correct horse"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["user_id"].as_i64().unwrap()
    }

    /// A POST of `body` to `path` by this visitor, for [`post_concurrently`].
    pub fn post_request(&self, path: &str, body: Value) -> (reqwest::Client, String, Value) {
        (self.client.clone(), self.url(path), body)
    }

    /// `POST /api/login` with this visitor's client.
    pub async fn login(&self, login_id: &str, password: &str) -> (u16, Value) {
        self.post_json(
            "/api/login",
            &serde_json::json!({"login_id": login_id, "password": password}),
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET a JSON endpoint; returns the status and the parsed body.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        let body = res.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    }
}

impl TestApp {
    pub async fn post_form_json(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    }
}

/// Sends every `(client, url, JSON body)` POST at once, each in its own
/// task, and returns the answers in the same order.
pub async fn post_concurrently(
    requests: Vec<(reqwest::Client, String, Value)>,
) -> Vec<(u16, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(client, url, body)| {
            tokio::spawn(async move {
                let res = client.post(url).json(&body).send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

/// Asserts an error answer: the status and the stable code.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "unexpected status, body: {body}");
    assert_eq!(body["code"], code, "unexpected code, body: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "an error carries a message: {body}"
    );
}

impl TestApp {
    /// A new visitor, signed up as `login_id` and given `role` (as
    /// `server staff grant` would), logged in.
    pub async fn staff(&self, login_id: &str, role: app::staff::Role) -> TestApp {
        let member = self.visitor();
        member.signup(login_id).await;
        let mut tx = self.db.begin_write().await.unwrap();
        app::staff::store::grant(&self.db, &mut tx, login_id, role, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        member
    }

    /// A `multipart/form-data` POST; returns the status and the parsed body.
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    }
}

/// The page's flash message: its role and text (a link's text included).
pub fn flash(html: &str) -> Option<(String, String)> {
    let start = html.find("data-testid=\"flash\"")?;
    let tag_start = html[..start].rfind('<')?;
    let tag = &html[tag_start..html[start..].find('>')? + start];
    let role = tag.split("role=\"").nth(1)?.split('"').next()?.to_string();
    let body = &html[start..];
    let body = &body[body.find('>')? + 1..body.find("</p>")?];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some((role, text))
}

/// Reads the first line a test's helper process (a Node server) prints,
/// as JSON, once it says it; the rest of what it says is read too (and
/// dropped): a closed pipe would stop it at its next word.
pub async fn first_line_json(process: &mut std::process::Child, what: &str) -> Value {
    use std::io::{BufRead, BufReader};
    let stdout = process.stdout.take().expect("its stdout is piped");
    let (said, first_line) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = said.send(line);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let line = first_line.await.unwrap();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what} said {line:?}: {e}"))
}

/// A product without options written straight into the database as the
/// catalog keeps one: the product, its one variant (with the SKU, price
/// and stock) and the `initial` movement. Returns its id.
pub async fn insert_product(
    db: &app::db::Db,
    sku: &str,
    name: &str,
    brand: &str,
    price: i64,
    stock: i64,
) -> i64 {
    let mut tx = db.begin_write().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (sku, name, brand, description, price, image, created_at) \
         VALUES ($1, $2, $3, '', $4, '/images/products/hb-runner.svg', 0) RETURNING id",
    )
    .bind(sku)
    .bind(name)
    .bind(brand)
    .bind(price)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let variant: i64 = sqlx::query_scalar(
        "INSERT INTO variants (product_id, sku, combo, price, stock) \
         VALUES ($1, $2, '', $3, $4) RETURNING id",
    )
    .bind(id)
    .bind(sku)
    .bind(price)
    .bind(stock)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO stock_movements (product_id, variant_id, delta, reason, stock_after, at) \
         VALUES ($1, $2, $3, 'initial', $3, 0)",
    )
    .bind(id)
    .bind(variant)
    .bind(stock)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

impl TestApp {
    /// Adds a valid address to this (logged-in) visitor's address book, as
    /// `POST /api/addresses` does; returns its `address_id` (the first one
    /// is the default). Every order is sent to one.
    pub async fn add_address(&self) -> i64 {
        let (status, body) = self
            .post_json(
                "/api/addresses",
                &serde_json::json!({
                    "label": "집",
                    "recipient": "홍길동",
                    "phone": "010-1234-5678",
                    "postal_code": "04524",
                    "address1": "서울 중구 세종대로 110",
                    "address2": "3층",
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["address_id"].as_i64().unwrap()
    }

    /// This visitor's default address, as `GET /api/addresses` lists it;
    /// one is added first (see [`TestApp::add_address`]) when the book is
    /// empty. For helpers that place orders for whichever shopper.
    pub async fn default_address(&self) -> i64 {
        let (status, book) = self.get_json("/api/addresses").await;
        assert_eq!(status, 200, "{book}");
        let default = book["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["is_default"] == true)
            .map(|a| a["address_id"].as_i64().unwrap());
        match default {
            Some(id) => id,
            None => self.add_address().await,
        }
    }

    /// A variant of product `product_id` that is on sale and in stock, as
    /// `GET /api/products/get` lists them: the first such, its id.
    pub async fn variant_in_stock(&self, product_id: i64) -> i64 {
        let (status, product) = self
            .get_json(&format!("/api/products/get?id={product_id}"))
            .await;
        assert_eq!(status, 200, "{product}");
        product["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["on_sale"] == true && v["stock"].as_i64().unwrap() > 0)
            .unwrap_or_else(|| panic!("product {product_id} has a variant in stock: {product}"))
            ["variant_id"]
            .as_i64()
            .unwrap()
    }
}
