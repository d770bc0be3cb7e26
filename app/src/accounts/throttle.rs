//! Slowing down repeated failed logins, per login id and per client
//! address. The counters live in the database, so every instance sees them.

use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
};
use std::net::IpAddr;

/// Failures allowed per login id within the window.
pub const MAX_FAILURES_PER_ID: i64 = 5;
/// Failures allowed per client address within the window (several ids).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The window, in milliseconds: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// A counter of failed logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottleKey {
    /// One login id (lower-cased), whoever tries it.
    LoginId(String),
    /// One client address, whatever ids it tries.
    Address(IpAddr),
}

impl ThrottleKey {
    /// The key as stored in `login_throttle`.
    fn stored(&self) -> String {
        match self {
            Self::LoginId(key) => format!("id:{key}"),
            Self::Address(addr) => format!("ip:{addr}"),
        }
    }

    fn limit(&self) -> i64 {
        match self {
            Self::LoginId(_) => MAX_FAILURES_PER_ID,
            Self::Address(_) => MAX_FAILURES_PER_ADDRESS,
        }
    }
}

/// The counters a login attempt touches: its login id first, then the
/// client's address when known.
pub fn keys(login_key: &str, address: Option<IpAddr>) -> Vec<ThrottleKey> {
    let mut keys = vec![ThrottleKey::LoginId(login_key.to_string())];
    keys.extend(address.map(ThrottleKey::Address));
    keys
}

/// Counts a login attempt on each key before the password is checked, and
/// refuses it with 429 `TOO_MANY_ATTEMPTS` once a counter passes its limit
/// in the window. Counting first, in one atomic statement per key, means
/// concurrent attempts cannot slip past the limit together.
pub async fn attempt(db: &Db, keys: &[ThrottleKey]) -> AppResult<()> {
    let now = now_millis();
    let mut over_limit = false;
    for key in keys {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_start > $3 \
                               THEN login_throttle.failures + 1 ELSE 1 END, \
               window_start = CASE WHEN login_throttle.window_start > $3 \
                                   THEN login_throttle.window_start ELSE $2 END \
             RETURNING failures",
        )
        .bind(key.stored())
        .bind(now)
        .bind(now - WINDOW_MS)
        .fetch_one(db.writer())
        .await?;
        over_limit |= failures > key.limit();
    }
    if over_limit {
        return Err(AppError::new(
            ErrorCode::TooManyAttempts,
            td_string!(Locale::current(), errors.too_many_attempts),
        ));
    }
    Ok(())
}

/// A successful login was no failure: its login id starts afresh and the
/// address gets its attempt back.
pub async fn succeeded(db: &Db, keys: &[ThrottleKey]) -> AppResult<()> {
    for key in keys {
        let sql = match key {
            ThrottleKey::Address(_) => {
                "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0"
            }
            ThrottleKey::LoginId(_) => "DELETE FROM login_throttle WHERE key = $1",
        };
        sqlx::query(sql)
            .bind(key.stored())
            .execute(db.writer())
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cover_the_id_and_the_address() {
        let address: IpAddr = "10.0.0.1".parse().unwrap();
        let both = keys("bob", Some(address));
        assert_eq!(
            both.iter().map(ThrottleKey::stored).collect::<Vec<_>>(),
            vec!["id:bob", "ip:10.0.0.1"]
        );
        assert_eq!(keys("bob", None), vec![ThrottleKey::LoginId("bob".into())]);
        assert_eq!(both[1].limit(), MAX_FAILURES_PER_ADDRESS);
        assert_eq!(both[0].limit(), MAX_FAILURES_PER_ID);
    }
}
