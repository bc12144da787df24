//! Hostile traffic through the real HTTP stack: parallel password guessing, lockout from another
//! address, bounded hashing, malformed server function calls (never a 5xx, never a partial
//! write), and the security headers and cookie.

use crate::common::MIGRATIONS;
use crate::common::{client_from, sign_in_from, spawn_app, spawn_app_with};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::net::Ipv4Addr;

async fn attempts(pool: &PgPool, username: &str) -> (i64, i64) {
    sqlx::query_as(
        "select count(*) filter (where not succeeded), count(*) filter (where succeeded)
           from sign_in_attempts where username = $1",
    )
    .bind(username)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// `n` wrong passwords for one username at once, from one address: as many verifications as a
/// serial run would get (5), every other answer refused with Retry-After (429, or 503 when the
/// hash slots are busy).
async fn parallel_guesses(pool: PgPool, n: usize, with_right_password_at: Option<usize>) {
    let app = spawn_app(pool).await;
    // An address of its own: refusals are remembered in the process for a few seconds, and the
    // tests of this binary share the process.
    let http = client_from(Ipv4Addr::new(127, 0, 2, (n % 250) as u8));
    let calls = (0..n).map(|i| {
        let http = http.clone();
        let base = app.base.clone();
        async move {
            let password = if Some(i) == with_right_password_at {
                app::ssr::demo::DEMO_PASSWORD.to_string()
            } else {
                format!("wrong-guess-{i}")
            };
            let response = sign_in_from(&http, &base, "plm", &password).await;
            let retry = response.headers().get(header::RETRY_AFTER).cloned();
            (response.status(), retry)
        }
    });
    let replies = futures_util::future::join_all(calls).await;
    let verified = replies
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::OK)
        .count();
    // Refused without a verification: 429 (the limit), or 503 when no hash slot freed up
    // within a second (a loaded machine: CI on two cores).
    let throttled: Vec<_> = replies
        .iter()
        .filter(|(s, _)| {
            *s == StatusCode::TOO_MANY_REQUESTS || *s == StatusCode::SERVICE_UNAVAILABLE
        })
        .collect();
    assert!(
        verified <= 5,
        "{verified} passwords verified in a burst of {n}"
    );
    assert_eq!(verified + throttled.len(), n, "{replies:?}");
    assert!(
        throttled.iter().all(|(_, retry)| retry.is_some()),
        "Retry-After on every 429 and 503"
    );
    let (failed, succeeded) = attempts(&app.pool, "plm").await;
    assert_eq!(
        (failed + succeeded) as usize,
        verified,
        "each verification is recorded, once"
    );
    if with_right_password_at.is_some() && succeeded == 1 {
        // A success erases nothing: the failures before it stay counted.
        assert_eq!(failed as usize, verified - 1);
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn forty_parallel_wrong_passwords_get_five_verifications(pool: PgPool) {
    parallel_guesses(pool, 40, None).await;
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_hundred_parallel_guesses_with_the_right_one_get_five_verifications(pool: PgPool) {
    parallel_guesses(pool, 100, Some(50)).await;
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn guesses_from_another_address_do_not_lock_the_real_user_out(pool: PgPool) {
    let app = spawn_app(pool).await;
    let attacker = client_from(Ipv4Addr::new(127, 0, 0, 2));
    let user = client_from(Ipv4Addr::new(127, 0, 0, 3));
    for i in 0..12 {
        let status = sign_in_from(&attacker, &app.base, "admin", &format!("guess-{i}"))
            .await
            .status();
        let expected = if i < 5 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "attempt {i}");
    }
    // The attacker's address is slowed; the account is not.
    let reply = sign_in_from(&user, &app.base, "admin", app::ssr::demo::DEMO_PASSWORD).await;
    assert_eq!(reply.status(), StatusCode::OK);
    // Failed sign-ins are audited with the address.
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'password_attempt_failed'
            and after->>'username' = 'admin' and after->>'address' = '127.0.0.2' and user_id is not null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 5);
    let addresses: Vec<String> = sqlx::query_scalar(
        "select distinct ip from sign_in_attempts where username = 'admin' order by ip",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(addresses, ["127.0.0.2", "127.0.0.3"]);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn one_address_guessing_many_usernames_is_slowed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let attacker = client_from(Ipv4Addr::new(127, 0, 0, 4));
    let mut statuses = Vec::new();
    for i in 0..40 {
        statuses.push(
            sign_in_from(&attacker, &app.base, &format!("user{i}"), "guess-1234")
                .await
                .status(),
        );
    }
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(verified as i64, app::ssr::throttle::ADDRESS_FAILURES);
    assert!(statuses[verified..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // Another address is not affected.
    let other = client_from(Ipv4Addr::new(127, 0, 0, 5));
    let reply = sign_in_from(
        &other,
        &app.base,
        "caseworker",
        app::ssr::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn change_password_has_the_same_limits(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app.sign_in("shelter").await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let reply = app
            .call(
                "change_password",
                &[
                    ("current_password", &format!("wrong-{i}")),
                    ("new_password", "a-brand-new-password-2026"),
                    ("confirm_password", "a-brand-new-password-2026"),
                ],
                Some(&cookie),
            )
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(
        &statuses[..4],
        &[StatusCode::UNPROCESSABLE_ENTITY; 4],
        "{statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_first_sign_in_with_one_membership_starts_in_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let never: Option<i64> =
        sqlx::query_scalar("select last_membership_id from users where username = 'assessor'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(never, None, "the demo assessor has never applied a context");
    let cookie = app.sign_in("assessor").await;
    let reply = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(
        reply.body["context"]["organization_name"],
        json!("Riverbend CoC Coordinated Entry"),
        "{:?}",
        reply.body
    );
    // Several memberships, none applied yet: the user chooses.
    sqlx::query("update users set last_membership_id = null where username = 'plm'")
        .execute(&app.pool)
        .await
        .unwrap();
    let cookie = app.sign_in("plm").await;
    let reply = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(reply.body["context"], Value::Null);
}

/// Rows of every table a server function may write (not the logs and sessions).
async fn row_counts(pool: &PgPool) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE'
            and table_name not in ('audit_log', 'sign_in_attempts', '_sqlx_migrations')
          order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from \"{table}\""))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.push((table, n));
    }
    counts
}

/// The argument names and types of every server function, read from the source.
fn server_fn_signatures() -> Vec<(String, Vec<(String, String)>)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/src/features");
    let mut found = Vec::new();
    let mut files = vec![std::path::PathBuf::from(root)];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for part in source.split("#[server(endpoint = \"").skip(1) {
            let endpoint = part.split('"').next().unwrap().to_string();
            let open = part
                .find("fn ")
                .and_then(|f| part[f..].find('(').map(|p| f + p + 1))
                .unwrap();
            let close = open + part[open..].find(") ->").unwrap();
            let args = part[open..close]
                .split(',')
                .filter_map(|arg| {
                    let arg = arg.trim().trim_start_matches("#[server(default)]").trim();
                    let (name, ty) = arg.split_once(':')?;
                    Some((name.trim().to_string(), ty.trim().to_string()))
                })
                .collect();
            found.push((endpoint, args));
        }
    }
    found.sort();
    found
}

fn plausible(ty: &str) -> &'static str {
    match ty {
        "bool" => "false",
        t if t.starts_with('i') || t.starts_with('u') => "1",
        _ => "x",
    }
}

/// Malformed calls of every server function: missing, mistyped and overflowing arguments, NUL
/// bytes, out-of-range dates, oversized bodies; anonymous, as a provider and as an administrator.
fn malformed_payloads(args: &[(String, String)]) -> Vec<Vec<u8>> {
    let encode = |pairs: &[(String, String)]| -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    };
    let base: Vec<(String, String)> = args
        .iter()
        .map(|(n, t)| (n.clone(), plausible(t).to_string()))
        .collect();
    let mut payloads = vec![
        Vec::new(),
        b"%%%".to_vec(),
        b"%FF%FE=%FF".to_vec(),
        b"\x00\x01\x02".to_vec(),
        vec![b'a'; 300 * 1024],
    ];
    for (i, (_, ty)) in args.iter().enumerate() {
        let mut missing = base.clone();
        missing.remove(i);
        payloads.push(encode(&missing));
        let numeric = ty.starts_with('i') || ty.starts_with('u');
        let values: Vec<String> = if numeric {
            vec![
                "abc".into(),
                "369000000000000001".into(),
                "99999999999999999999999".into(),
                "-9223372036854775808".into(),
                "1.5".into(),
            ]
        } else if ty == "bool" {
            vec!["maybe".into()]
        } else {
            vec![
                "a\0b".into(),
                "\u{1}".into(),
                "-4000-01-01".into(),
                "99999-12-31".into(),
                "x".repeat(100_000),
                "{\"a\":\"\\u0000\"}".into(),
            ]
        };
        for value in values {
            let mut changed = base.clone();
            changed[i].1 = value;
            payloads.push(encode(&changed));
        }
    }
    payloads
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn malformed_calls_of_every_server_function_are_4xx_and_write_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let provider = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signatures = server_fn_signatures();
    assert!(
        signatures.len() >= 50,
        "found {} server functions",
        signatures.len()
    );
    let mut baseline = row_counts(&app.pool).await;
    let mut calls = 0;
    let mut failures = Vec::new();
    for (endpoint, args) in &signatures {
        // Signing out ends the session the other calls use; sign-in is probed above.
        if ["sign_out", "sign_in", "change_password"].contains(&endpoint.as_str()) {
            continue;
        }
        for (who, cookie) in [
            ("anonymous", None),
            ("provider", Some(&provider)),
            ("admin", Some(&admin)),
        ] {
            for body in malformed_payloads(args) {
                let mut request = http
                    .post(format!("{}/api/{endpoint}", app.base))
                    .header(header::ORIGIN, &app.base)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body.clone());
                if let Some(cookie) = cookie {
                    request = request.header(header::COOKIE, cookie.as_str());
                }
                let response = request.send().await.unwrap();
                let status = response.status();
                calls += 1;
                let text = response.text().await.unwrap_or_default();
                if status.is_server_error() {
                    failures.push(format!(
                        "{status} {endpoint} as {who}: {} → {text}",
                        String::from_utf8_lossy(&body[..body.len().min(120)])
                    ));
                }
                let counts = row_counts(&app.pool).await;
                if status.is_success() {
                    baseline = counts;
                } else if counts != baseline {
                    failures.push(format!("partial write: {status} {endpoint} as {who}"));
                    baseline = counts;
                }
                assert!(
                    !text.contains("sqlx") && !text.contains("SQL"),
                    "{endpoint}: {text}"
                );
            }
        }
    }
    assert!(calls >= 200, "{calls} calls");
    assert!(
        failures.is_empty(),
        "{} of {calls} calls:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn bad_input_has_its_own_status(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    // A missing argument: 400 with the typed error.
    let reply = app
        .call("clients/search", &[("query", "a")], Some(&cookie))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body, json!("BadRequest"));
    // A page no list has: at the field.
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "369000000000000001")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.body,
        json!({"Invalid": {"page": "There is no such page."}})
    );
    // A date before 1900 or past 9999: at the field.
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", "-4000-01-01"), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.body,
        json!({"Invalid": {"dob": "Enter a date on or after 01/01/1900."}})
    );
    // A NUL byte: at its field, before the function runs.
    let reply = app
        .call(
            "clients/search",
            &[("query", "a\0b"), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.body,
        json!({"Invalid": {"query": app::domain::text::CONTROL_CHARACTER}})
    );
    // An oversized body: 413.
    let big = "x".repeat(3 * 1024 * 1024);
    let reply = app
        .call(
            "clients/search",
            &[("query", &big), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn pages_carry_a_nonce_policy_and_origins_are_compared_with_the_public_url(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = reqwest::get(format!("{}/sign-in", app.base)).await.unwrap();
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        response
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none(),
        "no HSTS over http"
    );
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the nonce: <script{tag}>"
        );
    }
    let again = reqwest::get(format!("{}/sign-in", app.base)).await.unwrap();
    assert!(
        !again.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains(nonce),
        "a new nonce per response"
    );

    // The Host header is not trusted: an Origin that matches a forged Host is still refused.
    let http = reqwest::Client::new();
    let reply = http
        .post(format!("{}/api/sign_in", app.base))
        .header(header::HOST, "evil.example")
        .header(header::ORIGIN, "http://evil.example")
        .form(&[("username", "caseworker"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::FORBIDDEN);
    // Nor is https:// when the site is plain http.
    let reply = app
        .call_from(
            "sign_in",
            &[("username", "caseworker"), ("password", "x")],
            None,
            Some(&format!("https://{}", app.host)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn behind_tls_the_cookie_is_host_only_and_secure_and_hsts_is_sent(pool: PgPool) {
    let app = spawn_app_with(pool, |_| server::Settings {
        public_origin: server::security::PublicOrigin::parse("https://hmis.example.org").unwrap(),
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        request_timeout: server::config::Tuning::default().request_timeout,
    })
    .await;
    let (addr, pool) = (&app.host, &app.pool);
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/sign_in"))
        .header(header::ORIGIN, "https://hmis.example.org")
        .header("x-forwarded-for", "203.0.113.50")
        .form(&[
            ("username", "caseworker"),
            ("password", app::ssr::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::STRICT_TRANSPORT_SECURITY],
        server::security::HSTS
    );
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("__Host-threshold_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
    // Behind the trusted proxy, the forwarded client is the address the limits key on.
    let address: String =
        sqlx::query_scalar("select ip from sign_in_attempts where username = 'caseworker'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(address, "203.0.113.50");
    // A forged entry left of the one the proxy appended is not believed.
    let forged = reqwest::Client::new()
        .post(format!("http://{addr}/api/sign_in"))
        .header(header::ORIGIN, "https://hmis.example.org")
        .header("x-forwarded-for", "198.51.100.77, 203.0.113.51")
        .form(&[("username", "shelter"), ("password", "wrong-one")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let keyed: String =
        sqlx::query_scalar("select ip from sign_in_attempts where username = 'shelter'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(keyed, "203.0.113.51");
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_date_before_1900_is_refused_at_the_field_and_nothing_is_saved(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let (event, client, version): (i64, i64, i32) = sqlx::query_as(
        "select ev.id, ev.client_id, ev.version from ce_events ev
           join projects p on p.id = ev.referred_project_id
           join organizations o on o.id = p.organization_id
          where o.name = 'Northside Housing Partners' and ev.date_referral_acknowledged is null
            and ev.referral_result is null and ev.closed_on is null
          order by ev.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for (date, message) in [
        ("-4000-01-01", "Enter a date as YYYY-MM-DD."),
        ("1899-12-31", "Enter a date on or after 01/01/1900."),
    ] {
        let reply = app
            .call(
                "ce/save",
                &[
                    ("client_id", &client.to_string()),
                    ("event_id", &event.to_string()),
                    ("version", &version.to_string()),
                    ("date_referral_acknowledged", date),
                    ("provider_contact_name", "Casey Moreno"),
                    ("provider_contact_phone", "(612) 555-0142"),
                    ("provider_contact_email", "casey@northside.example"),
                    ("referral_result", ""),
                    ("result_date", ""),
                    ("resulting_enrollment", ""),
                    ("not_housed_reason", ""),
                ],
                Some(&cookie),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date}: {:?}",
            reply.body
        );
        let shown = reply.body["Invalid"]["date_referral_acknowledged"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            shown == message || shown == "Enter a date on or after 01/01/1900.",
            "{date}: {:?}",
            reply.body
        );
    }
    let now: i32 = sqlx::query_scalar("select version from ce_events where id = $1")
        .bind(event)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(now, version, "nothing saved");
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn old_password_attempts_are_pruned_and_recent_ones_kept(pool: PgPool) {
    server::prepare_database(&pool).await.unwrap();
    sqlx::query(
        "insert into sign_in_attempts (username, ip, succeeded, at) values
           ('a', '10.0.0.1', false, now() - interval '25 hours'),
           ('a', '10.0.0.1', false, now() - interval '23 hours'),
           ('a', '10.0.0.1', true,  now() - interval '89 days'),
           ('a', '10.0.0.1', true,  now() - interval '91 days')",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(app::ssr::throttle::prune(&pool).await.unwrap(), 2);
    let left: Vec<(bool, i32)> = sqlx::query_as(
        "select succeeded, extract(day from now() - at)::int from sign_in_attempts order by at",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(left, [(true, 89), (false, 0)]);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_success_erases_no_failure_and_counts_start_again_after_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let http = client_from(Ipv4Addr::new(127, 0, 3, 1));
    for i in 0..4 {
        let status = sign_in_from(&http, &app.base, "shelter", &format!("typo-{i}"))
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = sign_in_from(&http, &app.base, "shelter", app::ssr::demo::DEMO_PASSWORD)
        .await
        .status();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attempts(&app.pool, "shelter").await,
        (4, 1),
        "the failures are kept"
    );
    // Counted again from the success: five more typos before this address is paused.
    for i in 0..5 {
        let status = sign_in_from(&http, &app.base, "shelter", &format!("later-{i}"))
            .await
            .status();
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "typo {i} after the success"
        );
    }
    let status = sign_in_from(&http, &app.base, "shelter", app::ssr::demo::DEMO_PASSWORD)
        .await
        .status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn an_account_guessed_from_many_addresses_slows_strangers_not_its_user(pool: PgPool) {
    let app = spawn_app(pool).await;
    let own = client_from(Ipv4Addr::new(127, 0, 4, 100));
    assert_eq!(
        sign_in_from(&own, &app.base, "eastgate", app::ssr::demo::DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    // 50 failures from 10 addresses (5 each: every address at its own limit).
    for a in 1..=10u8 {
        let http = client_from(Ipv4Addr::new(127, 0, 4, a));
        for i in 0..5 {
            let status = sign_in_from(&http, &app.base, "eastgate", &format!("g{a}-{i}"))
                .await
                .status();
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    // A new address: one try, then paused (slowed, not shut out).
    let stranger = client_from(Ipv4Addr::new(127, 0, 4, 200));
    assert_eq!(
        sign_in_from(&stranger, &app.base, "eastgate", "one-more")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_from(&stranger, &app.base, "eastgate", "two-more")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // The user's own address keeps its five, and signs in.
    assert_eq!(
        sign_in_from(&own, &app.base, "eastgate", "a-typo")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_from(&own, &app.base, "eastgate", app::ssr::demo::DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_control_character_in_a_page_address_is_a_400(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    for path in ["/clients?q=a%00b", "/clients?q=%01", "/priority-list?q=%00"] {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", app.base))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    // An ordinary search still renders.
    let response = reqwest::Client::new()
        .get(format!("{}/clients?q=Quintero", app.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_chunked_body_past_the_limit_is_a_413(pool: PgPool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(pool).await;
    for (path, size) in [
        ("/api/clients/search", 300 * 1024),
        ("/api/sign_in", 16 * 1024),
    ] {
        let mut stream = tokio::net::TcpStream::connect(&app.host).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
             Connection: close\r\n\r\n",
            host = app.host
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'a'; 8 * 1024];
        let mut sent = 0;
        while sent < size {
            let frame = format!("{:x}\r\n", chunk.len());
            if stream.write_all(frame.as_bytes()).await.is_err()
                || stream.write_all(&chunk).await.is_err()
                || stream.write_all(b"\r\n").await.is_err()
            {
                break; // the server stopped reading: it has answered
            }
            sent += chunk.len();
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{path}: {}",
            answer.lines().next().unwrap_or_default()
        );
    }
}
