//! `spawn_app`: the real router (sessions, Origin check, server functions) on a random port,
//! over a fresh `#[sqlx::test]` database loaded with the small demo data set.

#![allow(dead_code)]

use leptos::prelude::LeptosOptions;
use reqwest::{header, StatusCode};
use serde_json::Value;
use sqlx::PgPool;

/// The migrations every `#[sqlx::test]` database starts from.
pub const MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Who the tests sign in as: (username, Workgroup code, Organization) of the demo users.
pub const NORTHSIDE: (&str, i16, &str) = ("caseworker", 1, "Northside Housing Partners");
pub const HARBOR: (&str, i16, &str) = ("shelter", 1, "Harbor Light Shelter");
pub const EASTGATE: (&str, i16, &str) = ("eastgate", 1, "Eastgate Community Services");
pub const PLM: (&str, i16, &str) = ("plm", 3, "Riverbend CoC Coordinated Entry");
pub const ASSESSOR: (&str, i16, &str) = ("assessor", 2, "Riverbend CoC Coordinated Entry");
pub const LAKESHORE_PLM: (&str, i16, &str) = ("lakeshore", 3, "Lakeshore CoC Coordinated Entry");
pub const ADMIN: (&str, i16, &str) = ("admin", 4, "Riverbend HMIS Lead Agency");

/// Signs in as `who` and applies that Workgroup and Organization.
pub async fn as_user(app: &TestApp, who: (&str, i16, &str)) -> String {
    app.sign_in_as(who.0, who.1, who.2).await
}

pub struct TestApp {
    pub base: String,
    pub host: String,
    pub pool: PgPool,
    pub http: reqwest::Client,
    /// The export worker's folder for its unnamed files: nothing may ever be seen in it.
    pub scratch: std::path::PathBuf,
    /// This app's HMIS CSV export worker (dropping the app stops it).
    pub worker: app::features::hmis_export::job::Worker,
}

pub struct Reply {
    pub status: StatusCode,
    pub cookie: Option<String>,
    pub body: Value,
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, server::Settings::local).await
}

/// `spawn_app` with the settings `settings` makes of the bound address (a TLS deployment, a
/// trusted proxy).
pub async fn spawn_app_with(
    pool: PgPool,
    settings: impl FnOnce(std::net::SocketAddr) -> server::Settings,
) -> TestApp {
    server::prepare_database(&pool).await.expect("migrations");
    app::ssr::demo::load(&pool, app::ssr::demo::Size::Small)
        .await
        .expect("demo data");
    serve(pool, settings).await
}

/// One more server instance over the database `pool` already holds (its own router, sessions
/// read from the shared table, its own export worker), as a second process behind a load
/// balancer would be.
pub async fn serve(
    pool: PgPool,
    settings: impl FnOnce(std::net::SocketAddr) -> server::Settings,
) -> TestApp {
    let store = app::ssr::sessions::PostgresSessionStore::new(pool.clone());
    let options = LeptosOptions::builder()
        .output_name("threshold")
        .site_root("target/site")
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::router(pool.clone(), store, options, &settings(addr));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let scratch = scratch_dir("worker");
    let worker = server::export_worker_in(&pool, scratch.clone());
    TestApp {
        scratch,
        worker,
        base: format!("http://{addr}"),
        host: addr.to_string(),
        pool,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// A new, empty folder of its own in the system's temporary folder.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "threshold-test-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Today and `n` days ago in the server's time zone, as a date field takes them.
pub fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

pub fn days_ago(n: i64) -> String {
    (chrono::Local::now().date_naive() - chrono::Duration::days(n)).to_string()
}

/// A client whose requests leave from `source` (127.0.0.x are distinct loopback addresses),
/// following no redirects.
pub fn client_from(source: std::net::Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::V4(source))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A sign-in from `http`'s address, from this site's Origin.
pub async fn sign_in_from(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    http.post(format!("{base}/api/sign_in"))
        .header(header::ORIGIN, base)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The form names a server function that takes structs reads (`record[version]`,
/// `draft[result_date]`, as its components post them) for the flat names the tests write.
/// Endpoints not listed, and names already nested, pass unchanged.
pub fn wire_names(endpoint: &str, form: &[(&str, &str)]) -> Vec<(String, String)> {
    const RECORD: &[&str] = &["client_id", "event_id", "referral_id", "version"];
    let nest = |name: &str| -> Option<&'static str> {
        match endpoint {
            "ce/save" if RECORD.contains(&name) => Some("record"),
            "ce/save" => Some("draft"),
            "ce/correct" if RECORD.contains(&name) => Some("record"),
            "ce/correct" => Some("referral"),
            "ce/need_status" if RECORD.contains(&name) => Some("record"),
            "ce/refer" | "referrals/create" if name != "client_id" => Some("referral"),
            "referrals/outcome" if RECORD.contains(&name) => Some("record"),
            "referrals/outcome" => Some("outcome"),
            "settings/save_need_status" if ["coc", "id", "version"].contains(&name) => {
                Some("record")
            }
            "settings/save_need_status" => Some("status"),
            _ => None,
        }
    };
    form.iter()
        .map(|(name, value)| {
            let wire = match nest(name) {
                Some(parent) if !name.contains('[') => format!("{parent}[{name}]"),
                _ => name.to_string(),
            };
            (wire, value.to_string())
        })
        .collect()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Only an empty folder goes (a test that left something there says so itself).
        let _ = std::fs::remove_dir(&self.scratch);
    }
}

impl TestApp {
    /// Calls a server function as the browser's WASM does (form-encoded in, JSON out), from this
    /// site's Origin, with an optional session cookie.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        self.call_from(
            endpoint,
            form,
            cookie,
            Some(&format!("http://{}", self.host)),
        )
        .await
    }

    pub async fn call_from(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Reply {
        let form = wire_names(endpoint, form);
        let mut request = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .form(&form);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("threshold_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string());
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            cookie,
            body,
        }
    }

    /// Calls a server function through its generated type (`SaveCeEvent { record, draft }`):
    /// the arguments encoded as its form posts them, to its own path.
    pub async fn call_fn<S>(&self, args: &S, cookie: Option<&str>) -> Reply
    where
        S: leptos::server_fn::ServerFn + serde::Serialize,
    {
        let body = serde_qs::to_string(args).expect("arguments encode");
        let mut request = self
            .http
            .post(format!("{}{}", self.base, S::PATH))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, format!("http://{}", self.host))
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            cookie: None,
            body,
        }
    }

    /// Posts a server function as an HTML form without JavaScript does (`Accept: text/html`,
    /// from a page of this site); the answer is a redirect back to a page.
    pub async fn post_plain_form(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: &str,
        page: &str,
    ) -> Reply {
        let form = wire_names(endpoint, form);
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .form(&form)
            .header(header::ORIGIN, format!("http://{}", self.host))
            .header(header::REFERER, format!("{}{page}", self.base))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::COOKIE, cookie)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            cookie: None,
            body: serde_json::json!({ "location": location, "text": text }),
        }
    }

    /// Signs in and returns the session cookie. The password-hash slots are the process's:
    /// while a hardening test floods sign-ins in parallel, a sign-in here may find none free
    /// within a second (503 with Retry-After); it tries again after a moment, as a person would.
    pub async fn sign_in(&self, username: &str) -> String {
        let mut attempts = 0;
        let reply = loop {
            let reply = self
                .call(
                    "sign_in",
                    &[
                        ("username", username),
                        ("password", app::ssr::demo::DEMO_PASSWORD),
                    ],
                    None,
                )
                .await;
            attempts += 1;
            if reply.status != StatusCode::SERVICE_UNAVAILABLE || attempts == 5 {
                break reply;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        };
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign in as {username}: {:?}",
            reply.body
        );
        reply.cookie.expect("a session cookie")
    }

    /// Signs in and applies the user's first membership matching `workgroup` (code) in the
    /// organization named `organization`.
    pub async fn sign_in_as(&self, username: &str, workgroup: i16, organization: &str) -> String {
        let cookie = self.sign_in(username).await;
        let org = self.organization_id(organization).await;
        let reply = self
            .call(
                "apply_context",
                &[
                    ("workgroup", &workgroup.to_string()),
                    ("organization_id", &org.to_string()),
                ],
                Some(&cookie),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "apply context: {:?}",
            reply.body
        );
        reply.cookie.unwrap_or(cookie)
    }

    pub async fn organization_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("select id from organizations where name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn client_id(&self, first: &str, last: &str) -> i64 {
        sqlx::query_scalar("select id from clients where first_name = $1 and last_name = $2")
            .bind(first)
            .bind(last)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn project_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("select id from projects where name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// The client's enrollment in the project: (client id, enrollment id).
    pub async fn enrollment_in(&self, first: &str, last: &str, project: &str) -> (i64, i64) {
        sqlx::query_as(
            "select c.id, e.id from enrollments e join clients c on c.id = e.client_id join projects p on p.id = e.project_id
              where c.first_name = $1 and c.last_name = $2 and p.name = $3",
        )
        .bind(first)
        .bind(last)
        .bind(project)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// The first CE event of a client: (client id, event id).
    pub async fn event_of(&self, first: &str, last: &str) -> (i64, i64) {
        let client = self.client_id(first, last).await;
        let event: i64 =
            sqlx::query_scalar("select id from ce_events where client_id = $1 order by id limit 1")
                .bind(client)
                .fetch_one(&self.pool)
                .await
                .unwrap();
        (client, event)
    }

    pub async fn event_version(&self, event: i64) -> i32 {
        sqlx::query_scalar("select version from ce_events where id = $1")
            .bind(event)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("select count(*) from audit_log where action = $1")
            .bind(action)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}
