//! Who is asking: password hashing (argon2id, off the async threads), session tokens (random,
//! stored only as SHA-256), the session cookie, the `CurrentUser` extractor that every
//! signed-in endpoint takes, and the client's address for rate limits.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use shared::ErrorKind;
use shared::model::UserInfo;
use shared::workflow::Actor;

use crate::db;
use crate::error::AppError;
use crate::state::{AppState, CachedSession};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "concord_session";

/// Hashes a password with argon2id on the current thread (set-up work: the first
/// administrator, fixtures, the demo). Requests hash through `AppState::hasher`.
pub fn hash_password_blocking(password: &str) -> Result<String, AppError> {
    crate::hasher::hash_with(&mut Vec::new(), password)
        .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
}

/// A new random session token (64 hex characters) and its hash as stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex(&bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// A random password for the first administrator (20 characters, unambiguous alphabet).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"
    )
}

/// The `Set-Cookie` value that ends a session.
pub fn clear_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// The session token from the request's cookies.
pub fn token_from(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The signed-in user of a request. Extracting it fails with 401 when there is no valid
/// session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserInfo,
    pub actor: Actor,
    /// The hash of the session's token (to end it).
    pub token_hash: String,
}

impl CurrentUser {
    /// The user's display name (for the event log).
    pub fn name(&self) -> &str {
        &self.user.display_name
    }
}

/// The rule-relevant facts of a user.
pub fn actor_of(user: &UserInfo) -> Actor {
    Actor {
        user_id: user.id,
        role: user.role,
        town_id: user.town_id,
        department_id: user.department_id,
        line: user.line.iter().copied().collect(),
    }
}

/// What someone who must change their password may still do: read who they are, change it,
/// sign out (paths under `/api`, as the nested router sees them).
const WHILE_PASSWORD_MUST_CHANGE: &[&str] = &["/me", "/me/password", "/auth/logout"];

/// Refuses every other request of a user who must change their password first.
fn password_gate(parts: &Parts, user: &UserInfo) -> Result<(), AppError> {
    if !user.must_change_password || WHILE_PASSWORD_MUST_CHANGE.contains(&parts.uri.path()) {
        return Ok(());
    }
    let lang = crate::error::lang_of(&parts.headers);
    Err(shared::ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(
            "请先修改初始密码:管理员发放的密码只能用来设置您自己的新密码。",
            "Change your password first: the one the administrator issued only lets you set your own.",
        ))
        .into())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let me = Self::session(parts, state).await?;
        password_gate(parts, &me.user)?;
        Ok(me)
    }
}

impl CurrentUser {
    /// The session's user, whatever they may do.
    async fn session(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = token_from(parts).ok_or_else(|| AppError::kind(ErrorKind::Unauthorized))?;
        let hash = token_hash(&token);
        let now = chrono::Utc::now().timestamp_millis();
        if let Some(user) = state.sessions.get(&hash, now) {
            return Ok(CurrentUser {
                actor: actor_of(&user),
                user,
                token_hash: hash,
            });
        }
        let mut conn = state.db.pool.acquire().await?;
        let Some((row, expires_ms)) = db::sessions::user_of(&mut conn, &hash, now).await? else {
            return Err(AppError::kind(ErrorKind::Unauthorized));
        };
        let user = row.info()?;
        state.sessions.put(
            hash.clone(),
            CachedSession {
                user: user.clone(),
                expires_ms,
                fetched: std::time::Instant::now(),
            },
        );
        Ok(CurrentUser {
            actor: actor_of(&user),
            user,
            token_hash: hash,
        })
    }
}

/// The client's address: the connection's peer, or — when the server is configured to
/// trust its proxy — the rightmost `X-Forwarded-For` hop that is not a trusted proxy (the
/// entries to its left are whatever the client chose to send). Unknown (e.g. in router
/// tests) is 0.0.0.0.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if !state.config.trust_proxy {
            return Ok(ClientIp(peer));
        }
        let hops = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty());
        Ok(ClientIp(client_of(
            peer,
            hops,
            &state.config.trusted_proxies,
        )))
    }
}

/// The client behind a trusted proxy at `peer`: walking `X-Forwarded-For` from the right,
/// the first hop that is not a trusted proxy. A hop that is not an address ends the walk
/// there (it was forged, or the chain is broken): the proxy that appended it is the client
/// as far as we can tell.
pub fn client_of<'a>(
    peer: IpAddr,
    hops: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &[crate::config::IpNet],
) -> IpAddr {
    let mut client = peer;
    for hop in hops.rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !trusted.iter().any(|net| net.contains(ip)) {
            break;
        }
    }
    client
}

/// Refuses anyone but the administrator: a 403 whose message says what only they do
/// (`what`: Chinese, English).
pub fn admin_only(
    me: &CurrentUser,
    lang: shared::Lang,
    what: (&str, &str),
) -> Result<(), AppError> {
    if me.user.role == shared::model::Role::Admin {
        return Ok(());
    }
    Err(shared::ApiError::new(ErrorKind::Forbidden, lang)
        .with_message(lang.pick(what.0, what.1))
        .into())
}
