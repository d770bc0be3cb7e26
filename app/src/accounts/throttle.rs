//! Slowing down repeated failed logins, per login id and per client
//! address. The counters live in the database, so every instance sees them.

use crate::{
    db::{now_millis, Db},
    error::{AppError, AppResult, ErrorCode},
};

/// Failures allowed per login id within the window.
pub const MAX_FAILURES_PER_ID: i64 = 5;
/// Failures allowed per client address within the window (several ids).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The window, in milliseconds: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The counters a login attempt touches: its login id first, then the
/// client's address when known.
pub fn keys(login_key: &str, address: Option<String>) -> Vec<String> {
    let mut keys = vec![format!("id:{login_key}")];
    keys.extend(address.map(|a| format!("ip:{a}")));
    keys
}

fn limit(key: &str) -> i64 {
    if key.starts_with("ip:") {
        MAX_FAILURES_PER_ADDRESS
    } else {
        MAX_FAILURES_PER_ID
    }
}

/// Counts a login attempt on each key before the password is checked, and
/// refuses it with 429 `TOO_MANY_ATTEMPTS` once a counter passes its limit
/// in the window. Counting first, in one atomic statement per key, means
/// concurrent attempts cannot slip past the limit together.
pub async fn attempt(db: &Db, keys: &[String]) -> AppResult<()> {
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
        .bind(key)
        .bind(now)
        .bind(now - WINDOW_MS)
        .fetch_one(db.pool())
        .await?;
        over_limit |= failures > limit(key);
    }
    if over_limit {
        return Err(AppError::new(
            ErrorCode::TooManyAttempts,
            "Too many failed logins. Please wait 15 minutes and try again.",
        ));
    }
    Ok(())
}

/// A successful login was no failure: its login id starts afresh and the
/// address gets its attempt back.
pub async fn succeeded(db: &Db, keys: &[String]) -> AppResult<()> {
    for key in keys {
        let sql = if key.starts_with("ip:") {
            "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0"
        } else {
            "DELETE FROM login_throttle WHERE key = $1"
        };
        sqlx::query(sql).bind(key).execute(db.pool()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cover_the_id_and_the_address() {
        assert_eq!(
            keys("bob", Some("10.0.0.1".into())),
            vec!["id:bob", "ip:10.0.0.1"]
        );
        assert_eq!(keys("bob", None), vec!["id:bob"]);
        assert_eq!(limit("ip:1"), MAX_FAILURES_PER_ADDRESS);
        assert_eq!(limit("id:bob"), MAX_FAILURES_PER_ID);
    }
}
