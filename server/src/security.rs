//! The request-level safety layers: where a request comes from (socket peer, or the client a
//! trusted proxy names), whether a state-changing request comes from this site, what every
//! server function argument may hold, and the response headers (CSP with a per-response nonce,
//! HSTS behind TLS).

use app::domain::text::check_no_control_characters;
use app::error::{AppError, FieldErrors};
use app::ssr::throttle::ClientAddress;
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::{FromServerFnError, ServerFnUrlError};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The largest request body any form sends (the intake draft of a large household is far
/// below it). Larger bodies are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The largest body of the calls anyone may make without an account (sign-in) or that only
/// carry passwords: a few fields, so a flood of them buffers little.
pub const MAX_PASSWORD_BODY_BYTES: usize = 8 * 1024;
const PASSWORD_ENDPOINTS: [&str; 2] = ["/api/sign_in", "/api/change_password"];

/// The site as browsers address it: scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    pub https: bool,
    /// `host[:port]`, lower case, without a default port.
    pub authority: String,
}

impl PublicOrigin {
    /// `http(s)://host[:port]`, as links in e-mails begin.
    pub fn url(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.authority
        )
    }

    /// Parses `http(s)://host[:port][/…]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!(
                "THRESHOLD_PUBLIC_URL must start with http:// or https:// (got {url:?})"
            ));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("THRESHOLD_PUBLIC_URL has no host (got {url:?})"));
        }
        Ok(PublicOrigin {
            https,
            authority: normalize_authority(authority, https),
        })
    }

    /// The origin of a server bound at `addr`, over plain HTTP.
    pub fn bound_at(addr: SocketAddr) -> Self {
        PublicOrigin {
            https: false,
            authority: normalize_authority(&addr.to_string(), false),
        }
    }

    /// Whether `value` (an Origin, or a Referer URL) is this site: same scheme, host and port.
    pub fn matches(&self, value: &str) -> bool {
        PublicOrigin::parse(value).is_ok_and(|other| other == *self)
    }
}

fn normalize_authority(authority: &str, https: bool) -> String {
    let lower = authority.to_ascii_lowercase();
    let default_port = if https { ":443" } else { ":80" };
    lower
        .strip_suffix(default_port)
        .map(str::to_string)
        .unwrap_or(lower)
}

#[derive(Debug, Clone)]
pub struct Security {
    pub origin: PublicOrigin,
    /// Proxies whose `X-Forwarded-For` is believed (their own address is the socket peer).
    pub trusted_proxies: Arc<Vec<IpAddr>>,
}

/// Sets [`ClientAddress`] on the request: the socket peer, or, when the peer is a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not a trusted proxy itself.
pub async fn client_address(
    State(security): State<Security>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match peer {
        Some(peer) => {
            let address = client_of(peer, request.headers(), &security.trusted_proxies);
            request.extensions_mut().insert(ClientAddress(address));
        }
        None => {
            // Served without `into_make_service_with_connect_info`: every client would share
            // one key in the sign-in limits.
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    "no socket address on requests: sign-in limits cannot tell clients apart"
                )
            });
        }
    }
    next.run(request).await
}

pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    // An IPv4 proxy seen by a server bound to [::] is ::ffff:a.b.c.d: the same address.
    let peer = peer.to_canonical();
    let is_trusted = |a: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *a);
    if !is_trusted(&peer) {
        return peer;
    }
    // From the right: each trusted proxy appended the address it received from. The first entry
    // that is not a trusted proxy is the client; everything left of it is the client's to forge.
    // An entry that cannot be read stops the walk: the nearest trusted hop is used instead.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.into_iter().rev() {
        let Some(address) = parse_forwarded(entry) else {
            break;
        };
        client = address;
        if !is_trusted(&address) {
            break;
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, optionally with a port (`a.b.c.d:p`, `[v6]:p`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(address.to_canonical());
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(|a| a.to_canonical())
}

/// Refuses a state-changing request unless its Origin (or, failing that, its Referer) is this
/// site's public origin: a cross-site form or script cannot act with a user's session. The
/// `Host` header is not trusted (anyone sets it).
pub async fn require_same_origin(
    State(security): State<Security>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe
        && request.uri().path().starts_with("/exports/")
        && !download_from_this_site(&security.origin, request.headers())
    {
        tracing::warn!(uri = %request.uri(), "cross-site export download refused");
        return (
            StatusCode::FORBIDDEN,
            "Request refused: the download did not start on this site. Open it from the HMIS CSV export page.",
        )
            .into_response();
    }
    if safe || same_origin(&security.origin, request.headers()) {
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), uri = %request.uri(), "cross-origin request refused");
        (
            StatusCode::FORBIDDEN,
            "Request refused: it did not come from this site.",
        )
            .into_response()
    }
}

/// Whether a download (a GET carrying full SSNs) was started on this site: `Sec-Fetch-Site`
/// says so (or `none`: a typed address, a bookmark). A browser too old to send it sends the
/// Referer of the page a link was on, which must then be this site; a request with neither (a
/// command-line client holding the user's session) is not a cross-site one.
pub fn download_from_this_site(origin: &PublicOrigin, headers: &HeaderMap) -> bool {
    if let Some(value) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if !origin.matches(value) {
            return false;
        }
    }
    match headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or(""))
    {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .is_none_or(|referer| origin.matches(referer)),
    }
}

pub fn same_origin(origin: &PublicOrigin, headers: &HeaderMap) -> bool {
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(value) => origin.matches(value),
        None => headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .is_some_and(|value| origin.matches(value)),
    }
}

/// Every server function argument, checked before the function runs: no control characters
/// (the shared text rule), answered at the field as the function's own field errors are.
/// Bodies are at most [`MAX_BODY_BYTES`] (the body limit layer runs first).
pub async fn check_server_fn_input(request: Request, next: Next) -> Response {
    // A page renders its server functions in-process: its query string is their input too.
    if let Some(query) = request.uri().query() {
        if !control_character_fields(query.as_bytes()).is_empty() {
            tracing::info!(
                path = request.uri().path(),
                "query string with control characters refused"
            );
            return (
                StatusCode::BAD_REQUEST,
                "Request refused: the address holds a control character.",
            )
                .into_response();
        }
    }
    if request.method() != Method::POST || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let limit = if PASSWORD_ENDPOINTS.contains(&request.uri().path()) {
        MAX_PASSWORD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    let errors = control_character_fields(&bytes);
    if errors.is_empty() {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    tracing::info!(
        path = parts.uri.path(),
        "server function input with control characters refused"
    );
    let error = AppError::Invalid(errors);
    let plain_form = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok());
    if let (true, Some(referer)) = (plain_form, referer) {
        // Without JavaScript: back to the form, with the error where the form reads it.
        if let Ok(url) = ServerFnUrlError::new(parts.uri.path(), error.clone()).to_url(referer) {
            if let Ok(location) = HeaderValue::from_str(url.as_str()) {
                return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
            }
        }
    }
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        error.ser(),
    )
        .into_response()
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request refused: it is too large.",
    )
        .into_response()
}

/// The fields of a form-encoded body whose value holds a control character, keyed as the forms
/// key their errors (`form[comments]` → `comments`). A value that is JSON (the intake draft)
/// is checked string by string.
pub fn control_character_fields(body: &[u8]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (name, value) in form_urlencoded::parse(body) {
        let bad = check_no_control_characters(&name).is_err()
            || check_no_control_characters(&value).is_err()
            || json_holds_control_characters(&value);
        if bad {
            let field = name
                .rsplit_once('[')
                .map(|(_, inner)| inner.trim_end_matches(']'))
                .unwrap_or(&name);
            let field: String = field.chars().filter(|c| !c.is_control()).take(64).collect();
            errors.add(&field, app::domain::text::CONTROL_CHARACTER);
        }
    }
    errors
}

fn json_holds_control_characters(value: &str) -> bool {
    let trimmed = value.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return false;
    }
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => check_no_control_characters(s).is_err(),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(map) => map
                .iter()
                .any(|(k, v)| check_no_control_characters(k).is_err() || walk(v)),
            _ => false,
        }
    }
    serde_json::from_str::<serde_json::Value>(value).is_ok_and(|v| walk(&v))
}

/// The nonce of this response's inline script (Leptos' hydration script), in the request's
/// extensions for the render and in the Content-Security-Policy header.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// The policy: scripts only from this site or with this response's nonce (WebAssembly
/// compilation allowed for the hydrate module), nothing framed, no plugins, forms post here.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// How long browsers keep to HTTPS once they saw it (two years).
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Pages carry personal data: never cache them, never frame them. The CSS, JS and WASM under
/// `/pkg/` carry no personal data; when their names hold a content hash (`hashed_assets`), a
/// browser keeps them for a year without asking again.
pub async fn security_headers(
    State((hashed_assets, https)): State<(bool, bool)>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let is_asset = request.uri().path().starts_with("/pkg/");
    let nonce = leptos::nonce::Nonce::new().to_string();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    if is_asset && hashed_assets && response.status() == StatusCode::OK {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Provides this request's nonce to the render (the hydration script carries it).
pub fn provide_request_nonce() {
    use leptos::prelude::*;
    if let Some(parts) = use_context::<http::request::Parts>() {
        if let Some(CspNonce(nonce)) = parts.extensions.get::<CspNonce>() {
            provide_context(leptos::nonce::Nonce::from_value(nonce.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn local() -> PublicOrigin {
        PublicOrigin::parse("http://127.0.0.1:3000").unwrap()
    }

    #[test]
    fn origin_must_match_scheme_host_and_port() {
        let site = local();
        assert!(same_origin(
            &site,
            &headers(&[(header::ORIGIN, "http://127.0.0.1:3000")])
        ));
        assert!(!same_origin(
            &site,
            &headers(&[(header::ORIGIN, "https://127.0.0.1:3000")])
        ));
        assert!(!same_origin(
            &site,
            &headers(&[(header::ORIGIN, "http://evil.example")])
        ));
        assert!(!same_origin(
            &site,
            &headers(&[(header::ORIGIN, "http://127.0.0.1:30001")])
        ));
        assert!(!same_origin(&site, &headers(&[(header::ORIGIN, "null")])));
        // The Host header is not what is compared.
        assert!(!same_origin(
            &site,
            &headers(&[
                (header::HOST, "evil.example"),
                (header::ORIGIN, "http://evil.example")
            ])
        ));
    }

    #[test]
    fn downloads_start_on_this_site_only() {
        let site = local();
        let fetch = header::HeaderName::from_static("sec-fetch-site");
        assert!(download_from_this_site(
            &site,
            &headers(&[(fetch.clone(), "same-origin")])
        ));
        assert!(download_from_this_site(
            &site,
            &headers(&[(fetch.clone(), "none")])
        ));
        assert!(!download_from_this_site(
            &site,
            &headers(&[(fetch.clone(), "cross-site")])
        ));
        assert!(!download_from_this_site(
            &site,
            &headers(&[(fetch.clone(), "same-site")])
        ));
        assert!(!download_from_this_site(
            &site,
            &headers(&[
                (fetch, "same-origin"),
                (header::ORIGIN, "http://evil.example")
            ])
        ));
        // An older browser: the export page's Referer, or nothing at all.
        assert!(download_from_this_site(
            &site,
            &headers(&[(header::REFERER, "http://127.0.0.1:3000/exports")])
        ));
        assert!(!download_from_this_site(
            &site,
            &headers(&[(header::REFERER, "http://evil.example/")])
        ));
        assert!(
            download_from_this_site(&site, &headers(&[])),
            "no browser headers at all"
        );
    }

    #[test]
    fn referer_is_the_fallback_and_absence_is_refused() {
        let site = local();
        assert!(same_origin(
            &site,
            &headers(&[(header::REFERER, "http://127.0.0.1:3000/clients?q=a")])
        ));
        assert!(!same_origin(
            &site,
            &headers(&[(header::REFERER, "http://127.0.0.1:3001/")])
        ));
        assert!(!same_origin(&site, &headers(&[])));
    }

    #[test]
    fn public_urls_parse_with_default_ports() {
        let https = PublicOrigin::parse("https://HMIS.example.org/").unwrap();
        assert!(https.https);
        assert!(https.matches("https://hmis.example.org"));
        assert!(https.matches("https://hmis.example.org:443"));
        assert!(!https.matches("http://hmis.example.org"));
        assert!(PublicOrigin::parse("ftp://x").is_err());
        assert!(PublicOrigin::parse("https://").is_err());
        assert!(PublicOrigin::parse("https://user@evil").is_err());
        assert_eq!(
            PublicOrigin::bound_at("127.0.0.1:3000".parse().unwrap()),
            local()
        );
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let forwarded = headers(&[(
            header::HeaderName::from_static("x-forwarded-for"),
            "198.51.100.1, 203.0.113.9",
        )]);
        // Not trusted: the peer, whatever the header says.
        assert_eq!(client_of(client, &forwarded, &[]), client);
        // Trusted: the nearest untrusted hop (the first entries are the client's to forge).
        assert_eq!(client_of(proxy, &forwarded, &[proxy]), client);
        assert_eq!(client_of(proxy, &headers(&[]), &[proxy]), proxy);
        // The proxy as an IPv4-mapped peer (a server bound to [::]) is still the proxy.
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(client_of(mapped, &forwarded, &[proxy]), client);
        // A port on the entry the proxy appended does not hand the choice to the client.
        let with_port = headers(&[(
            header::HeaderName::from_static("x-forwarded-for"),
            "198.51.100.1, 203.0.113.9:51234",
        )]);
        assert_eq!(client_of(proxy, &with_port, &[proxy]), client);
        // An entry that cannot be read stops the walk at the proxy.
        let garbage = headers(&[(
            header::HeaderName::from_static("x-forwarded-for"),
            "198.51.100.1, not-an-address",
        )]);
        assert_eq!(client_of(proxy, &garbage, &[proxy]), proxy);
        // Two trusted proxies in a row.
        let second: IpAddr = "10.0.0.3".parse().unwrap();
        let chained = headers(&[(
            header::HeaderName::from_static("x-forwarded-for"),
            "198.51.100.1, 203.0.113.9, 10.0.0.3",
        )]);
        assert_eq!(client_of(proxy, &chained, &[proxy, second]), client);
    }

    #[test]
    fn control_characters_are_found_at_their_field() {
        let errors =
            control_character_fields(b"username=ok&password=a%00b&form%5Bcomments%5D=x%01");
        assert_eq!(
            errors.get("password"),
            Some(app::domain::text::CONTROL_CHARACTER)
        );
        assert_eq!(
            errors.get("comments"),
            Some(app::domain::text::CONTROL_CHARACTER)
        );
        assert_eq!(errors.get("username"), None);
        assert!(control_character_fields(b"notes=line%0D%0Aline%09tab").is_empty());
        let json = control_character_fields(b"draft=%7B%22name%22%3A%22a%5Cu0000b%22%7D");
        assert!(json.get("draft").is_some(), "a NUL inside a JSON field");
        assert!(control_character_fields(b"draft=%7B%22name%22%3A%22ab%22%7D").is_empty());
    }

    #[test]
    fn the_policy_allows_only_the_nonce_for_inline_scripts() {
        let policy = content_security_policy("abc");
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
