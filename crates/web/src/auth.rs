//! Who is asking, and may they: argon2 password hashes, the session store on our own
//! database (so every instance shares sessions), the request context (`Ctx`), CSRF checks on
//! every state-changing request, login throttling and API tokens.

use crate::AppState;
use crate::error::{AppError, AppResult};
use app::Actor;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::StationId;

use store::User;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;

/// Failed logins allowed per account within `FAILURE_WINDOW_SECS`; after that the account
/// waits until the oldest of them has left the window.
pub const MAX_FAILURES_PER_USER: usize = 5;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// Failed logins from one address within `ADDRESS_WINDOW_SECS` before it has to wait.
pub const FREE_FAILURES_PER_ADDRESS: usize = 10;
pub const ADDRESS_WINDOW_SECS: i64 = 60 * 60;
/// The longest an address is made to wait after its latest failure.
pub const MAX_ADDRESS_WAIT_SECS: i64 = 15 * 60;

const SESSION_USER: &str = "user_id";
const SESSION_CSRF: &str = "csrf";
const SESSION_STATION: &str = "station_id";

pub use app::password::{MIN_PASSWORD, check_new_password, hash_password, random_token, token_hash, verify_password};

/// Sessions kept in the `sessions` table.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    pub store: store::Store,
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while self.store.session_exists(&record.id.to_string()).await.map_err(backend)? {
            record.id = Id::default();
        }
        let data = encode(record)?;
        self.store
            .session_create(&record.id.to_string(), &data, record.expiry_date.unix_timestamp())
            .await
            .map_err(backend)
    }

    /// Only updates: a session deleted meanwhile is not brought back (see `Store::session_save`).
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        self.store
            .session_save(&record.id.to_string(), &data, record.expiry_date.unix_timestamp())
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(data) = self.store.session_load(&id.to_string()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        // The expiry is refreshed on save; a loaded record gets the default inactivity window.
        let expiry_date = time::OffsetDateTime::now_utc() + time::Duration::hours(12);
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.session_delete(&id.to_string()).await.map_err(backend)
    }
}

/// The signed-in user and what the request needs to know about them.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who is asking, as the use cases see them.
    pub actor: Actor,
    /// True when authenticated by an API token (no session, so no CSRF token either).
    pub via_token: bool,
}

/// Handlers read the user and station straight off the context, and pass `&ctx` to the use
/// cases, which take the `Actor`.
impl std::ops::Deref for Ctx {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The locale and CSRF token of the request, present for every request (signed in or not).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub locale: &'static str,
    pub csrf: String,
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Loads the user (by bearer token or session) and the visitor data into the request.
pub async fn load_context(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    let mut ctx: Option<Ctx> = None;
    let bearer = bearer_token(req.headers()).map(String::from);
    if let Some(token) = bearer {
        match state.store.user_by_token_hash(&token_hash(&token)).await {
            Ok(Some(user)) if user.active => {
                ctx = Some(Ctx { actor: Actor::new(user), via_token: true });
            }
            Ok(_) => return AppError::Unauthorized.into_response_json(),
            Err(e) => return AppError::from(e).into_response_json(),
        }
    } else if let Ok(Some(id)) = session.get::<i64>(SESSION_USER).await {
        // The session's own account: its scope is only known once it is loaded.
        match state.store.user(store::Scope::All, domain::UserId(id)).await {
            Ok(user) if user.active => {
                let station = match user.station_id {
                    Some(s) => Some(s),
                    None => session.get::<i64>(SESSION_STATION).await.ok().flatten().map(StationId),
                };
                ctx = Some(Ctx { actor: Actor { station, user }, via_token: false });
            }
            Ok(_) | Err(store::StoreError::NotFound) => {
                let _ = session.flush().await;
            }
            Err(e) => return AppError::from(e).into_response_json(),
        }
    }
    // Headquarters accounts work in the first station until they choose another.
    if let Some(c) = ctx.as_mut()
        && c.station.is_none()
        && let Ok(stations) = state.store.stations().await
    {
        c.actor.station = stations.first().map(|s| s.id);
    }
    let locale = pick_locale(ctx.as_ref().map(|c| c.user.locale.as_str()), &req);
    let csrf = match session.get::<String>(SESSION_CSRF).await {
        Ok(Some(t)) => t,
        _ => String::new(),
    };
    req.extensions_mut().insert(Visitor { locale, csrf });
    if let Some(c) = ctx {
        req.extensions_mut().insert(c);
    }
    next.run(req).await
}

fn pick_locale(user_locale: Option<&str>, req: &Request) -> &'static str {
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("lang=").map(str::to_string));
    match cookie.as_deref().or(user_locale) {
        Some("en") => "en",
        _ => "zh",
    }
}

/// Makes sure the session has a CSRF token, creating one if needed, and returns it.
pub async fn ensure_csrf(session: &Session) -> AppResult<String> {
    if let Ok(Some(t)) = session.get::<String>(SESSION_CSRF).await {
        return Ok(t);
    }
    let t = random_token(24);
    session.insert(SESSION_CSRF, &t).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(t)
}

/// Whether a state-changing request comes from a page of this site, as far as the browser
/// says: its `Origin`, or without one its `Referer`, must name this site, either the
/// configured public address or the host the request was sent to (`Host`). A request with
/// neither header (a script, a test) passes; the CSRF token still guards it.
pub fn from_this_site(headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    let claimed = match (headers.get(header::ORIGIN), headers.get(header::REFERER)) {
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => return true,
    };
    // "null" (a sandboxed frame, a privacy setting) and anything unreadable count as foreign.
    let Some(claimed) = claimed.to_str().ok().and_then(|v| url::Url::parse(v).ok()) else { return false };
    let origin = claimed.origin();
    if !origin.is_tuple() {
        return false;
    }
    let public = url::Url::parse(public_url).ok().map(|u| u.origin());
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| url::Url::parse(&format!("{}://{h}/", claimed.scheme())).ok())
        .map(|u| u.origin());
    public.as_ref() == Some(&origin) || host.as_ref() == Some(&origin)
}

/// Rejects state-changing requests that do not carry the session's CSRF token, or that a
/// browser says come from another site (`from_this_site`). The token may come in the
/// `X-CSRF-Token` header, a `csrf` query parameter (used by file-upload forms) or a `csrf`
/// field of a url-encoded form body. Requests authenticated by an API token carry no cookie
/// and so need neither.
pub async fn csrf_guard(State(state): State<AppState>, session: Session, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if req.extensions().get::<Ctx>().is_some_and(|c| c.via_token) {
        return next.run(req).await;
    }
    if !from_this_site(req.headers(), &state.config.public_url) {
        tracing::info!(path = %req.uri().path(), "refused: Origin or Referer of another site");
        return AppError::CrossSite.into_response_json();
    }
    let expected = session.get::<String>(SESSION_CSRF).await.ok().flatten().unwrap_or_default();
    let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(String::from);
    let query_token = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned())
    });
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (req, body_token) = if header_token.is_none() && query_token.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, 2 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => return AppError::TooLarge("提交的内容太大".into()).into_response_json(),
        };
        let token = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        (Request::from_parts(parts, axum::body::Body::from(bytes)), token)
    } else {
        (req, None)
    };
    let given = header_token.or(query_token).or(body_token).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return AppError::Csrf.into_response_json();
    }
    next.run(req).await
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AppError {
    /// For middleware, which cannot use `?`.
    pub fn into_response_json(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}

/// How long an address that failed `failures` times in the window waits after its latest
/// failure: nothing for the first `FREE_FAILURES_PER_ADDRESS`, then 1 second, doubled by each
/// further failure, at most `MAX_ADDRESS_WAIT_SECS`.
pub fn address_wait(failures: usize) -> i64 {
    match failures.checked_sub(FREE_FAILURES_PER_ADDRESS) {
        None => 0,
        Some(extra) if extra >= 20 => MAX_ADDRESS_WAIT_SECS,
        Some(extra) => (1i64 << extra).min(MAX_ADDRESS_WAIT_SECS),
    }
}

/// Failures fetched per address: enough to reach the longest wait.
const ADDRESS_FAILURES_READ: u64 = FREE_FAILURES_PER_ADDRESS as u64 + 10;

/// The key an address's failures are counted under. An IPv6 client usually has a whole /64,
/// so that is what counts as one address.
fn address_key(client: &str) -> String {
    match client.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            format!("ip:{}", v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default())
        }
        _ => format!("ip:{client}"),
    }
}

/// A wait in words: "40秒", "15分钟".
fn wait_text(secs: i64) -> String {
    if secs < 60 { format!("{secs}秒") } else { format!("{}分钟", (secs + 59) / 60) }
}

/// Whether a login may be tried now, or how many seconds to wait. The account's own failures
/// lock it after `MAX_FAILURES_PER_USER` in the window. The address's failures slow down only
/// accounts that have themselves failed in the window, so a colleague behind the same NAT or
/// proxy who has not mistyped still gets in.
pub async fn login_wait(store: &store::Store, username: &str, client: &str) -> AppResult<Option<i64>> {
    let now = store::now();
    let account = store
        .recent_login_failures(&format!("user:{}", username.trim()), FAILURE_WINDOW_SECS, MAX_FAILURES_PER_USER as u64)
        .await?;
    if account.len() >= MAX_FAILURES_PER_USER {
        return Ok(Some((account[MAX_FAILURES_PER_USER - 1] + FAILURE_WINDOW_SECS - now).max(1)));
    }
    if account.is_empty() {
        return Ok(None);
    }
    let address = store.recent_login_failures(&address_key(client), ADDRESS_WINDOW_SECS, ADDRESS_FAILURES_READ).await?;
    let until = address.first().map_or(0, |latest| latest + address_wait(address.len()));
    Ok((until > now).then(|| until - now))
}

/// Logs a user in: checks throttling, the password, and starts a fresh session.
pub async fn login(
    state: &AppState,
    session: &Session,
    username: &str,
    password: &str,
    client: &str,
) -> AppResult<User> {
    if let Some(secs) = login_wait(&state.store, username, client).await? {
        tracing::info!(user = %username.trim(), wait = secs, "login throttled");
        return Err(AppError::Throttled {
            message: format!("登录失败次数过多，请{}后再试", wait_text(secs)),
            retry_after: secs,
        });
    }
    let user_key = format!("user:{}", username.trim());
    let found = state.store.credentials(username).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not reveal who exists.
    let (ok, user) = match found {
        Some((user, hash)) => (verify_password(password, &hash) && user.active, Some(user)),
        None => {
            verify_password(password, &state.dummy_hash);
            (false, None)
        }
    };
    match (ok, user) {
        (true, Some(user)) => {
            state.store.clear_login_failures(&user_key).await?;
            session.cycle_id().await.map_err(|e| AppError::Internal(e.into()))?;
            session.insert(SESSION_USER, user.id.0).await.map_err(|e| AppError::Internal(e.into()))?;
            // A new CSRF token for the new session.
            session.insert(SESSION_CSRF, random_token(24)).await.map_err(|e| AppError::Internal(e.into()))?;
            tracing::info!(user = %user.username, "login");
            Ok(user)
        }
        _ => {
            state.store.record_login_failure(&user_key).await?;
            state.store.record_login_failure(&address_key(client)).await?;
            tracing::info!(user = %username.trim(), "login failed");
            Err(AppError::Invalid(domain::FieldErrors(vec![domain::FieldError::new("password", "用户名或密码错误")])))
        }
    }
}

/// Where to go after logging in (or another redirect a request names): only a path of this
/// site. It must start with one `/` (not `//` or `/\`, which browsers read as another host),
/// and hold no backslash, control character or whitespace anywhere; anything else goes home.
/// Letters beyond ASCII are percent-encoded, so the result is always a valid `Location`.
pub fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(n) = next else { return HOME.into() };
    let mut rest = n.chars();
    let ok = n.len() <= 2000
        && rest.next() == Some('/')
        && !matches!(rest.next(), Some('/' | '\\'))
        && !n.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if !ok {
        return HOME.into();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

pub async fn logout(session: &Session) -> AppResult<()> {
    session.flush().await.map_err(|e| AppError::Internal(e.into()))
}

pub async fn choose_station(session: &Session, station: StationId) -> AppResult<()> {
    session.insert(SESSION_STATION, station.0).await.map_err(|e| AppError::Internal(e.into()))
}

/// Extracts the signed-in user; answers 401 when there is none.
impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Ctx>().cloned())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Visitor>().cloned().unwrap_or(Visitor { locale: "zh", csrf: String::new() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("secret123").unwrap();
        let b = hash_password("secret123").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{a}");
        assert!(verify_password("secret123", &a));
        assert!(!verify_password("secret124", &a));
        assert!(!verify_password("secret123", "not a hash"));
    }

    #[test]
    fn next_is_a_path_of_this_site_or_home() {
        for hostile in [
            "/\t/evil.example",
            "/\n",
            "/x\r\nLocation: //evil",
            "//evil",
            "///evil",
            "/\\evil",
            "/a/b\\c",
            "\\\\evil",
            "https://evil",
            "javascript:alert(1)",
            "evil.example",
            " /placements",
            "/placements ",
            "/\u{0}",
            "/\u{1b}[31m",
            "/\u{7f}",
            "/\u{85}",
            "/\u{a0}evil",
            "/\u{2028}",
            "/\u{3000}",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(2000)))), "/", "too long");
        for fine in ["/", "/placements", "/placements?unit=3&page=2#top", "/site/hb/docs/7?sent=comment", "/%2F%2Fevil"]
        {
            assert_eq!(safe_next(Some(fine)), fine);
        }
        assert_eq!(safe_next(Some("/placements?q=张")), "/placements?q=%E5%BC%A0");
    }

    #[test]
    fn the_address_wait_doubles_up_to_a_cap() {
        let waits: Vec<i64> = (0..=32).map(address_wait).collect();
        assert!(waits[..FREE_FAILURES_PER_ADDRESS].iter().all(|w| *w == 0));
        assert_eq!(&waits[10..16], &[1, 2, 4, 8, 16, 32]);
        assert_eq!(waits[19], 512);
        assert_eq!(waits[20], MAX_ADDRESS_WAIT_SECS);
        assert_eq!(address_wait(usize::MAX), MAX_ADDRESS_WAIT_SECS);
        assert!(ADDRESS_FAILURES_READ as usize >= 20, "enough failures are read to reach the cap");
    }

    #[test]
    fn addresses_are_counted_by_ip_and_ipv6_by_64() {
        assert_eq!(address_key("127.0.0.1"), "ip:127.0.0.1");
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6"), "ip:2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff::1"), "ip:2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:192.0.2.1"), "ip:192.0.2.1");
        assert_eq!(address_key("unknown"), "ip:unknown");
    }

    #[test]
    fn the_origin_must_name_this_site() {
        use axum::http::{HeaderMap, HeaderValue};
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let public = "https://tonglian.example.cn";
        for (pairs, ok) in [
            (&[][..], true),
            (&[("origin", "https://tonglian.example.cn")][..], true),
            (&[("origin", "https://tonglian.example.cn:443")][..], true),
            (&[("origin", "http://tonglian.example.cn")][..], false),
            (&[("origin", "https://tonglian.example.cn.evil.example")][..], false),
            (&[("origin", "null")][..], false),
            (&[("origin", "garbage")][..], false),
            (&[("referer", "https://tonglian.example.cn/units?x=1")][..], true),
            (&[("referer", "https://evil.example/https://tonglian.example.cn/")][..], false),
            (&[("host", "10.0.0.5:8080"), ("origin", "http://10.0.0.5:8080")][..], true),
            (&[("host", "10.0.0.5:8080"), ("origin", "http://10.0.0.5:8081")][..], false),
            (&[("host", "10.0.0.5:8080"), ("referer", "http://10.0.0.5:8080/")][..], true),
        ] {
            assert_eq!(from_this_site(&headers(pairs), public), ok, "{pairs:?}");
        }
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("abc12345").is_ok());
        assert!(check_new_password("short1").is_err());
        assert!(check_new_password("onlyletters").is_err());
        assert!(check_new_password("12345678").is_err());
    }
}
