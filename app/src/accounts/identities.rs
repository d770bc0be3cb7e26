//! The ways into an account: its password and the outside identities
//! (OpenID Connect providers) linked to it. An identity is its provider's
//! (issuer, subject), never an email. A new identity makes a new account
//! (a generated login id its owner may change once, no password until they
//! set one); a logged-in shopper links more; the last way in is never
//! unlinked.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    accounts::{LoginId, Password},
    error::ErrorCode,
    locale::{td_string, Locale},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use super::oidc::{SignInProblem, SignInProvider};

/// An identity linked to the account.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedIdentity {
    pub provider: String,
    pub label: String,
    /// Unix milliseconds.
    pub linked_at: i64,
}

/// How the logged-in shopper can sign in (`GET /api/sign_in_methods`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethods {
    pub login_id: String,
    /// A provider made the login id; it may be changed once.
    pub login_id_changeable: bool,
    pub has_password: bool,
    pub linked: Vec<LinkedIdentity>,
    /// Providers available now and not linked yet.
    pub linkable: Vec<SignInProvider>,
}

/// `GET /api/sign_in_methods`: the password, the linked identities and the
/// providers that can be linked.
#[server(prefix = "/api", endpoint = "sign_in_methods", input = server_fn::codec::GetUrl)]
pub async fn list_sign_in_methods() -> Result<SignInMethods, AppError> {
    let user = crate::identity::require_user().await?;
    store::methods(&crate::db::db()?, user).await
}

/// `POST /api/unlink_identity`: `provider`. Refused with 409
/// `LAST_SIGN_IN_METHOD` when it is the account's last way in.
#[server(prefix = "/api", endpoint = "unlink_identity")]
pub async fn unlink_identity(
    provider: String,
    next: Option<String>,
) -> Result<SignInMethods, AppError> {
    let user = crate::identity::require_user().await?;
    let db = crate::db::db()?;
    store::unlink(&db, user, provider.trim()).await?;
    crate::flash::done(td_string!(Locale::current(), flash.identity_unlinked)).await;
    super::redirect_form_to(next.as_deref());
    store::methods(&db, user).await
}

/// `POST /api/set_password`: a password for an account a provider made;
/// 409 `PASSWORD_ALREADY_SET` when it has one.
#[server(prefix = "/api", endpoint = "set_password")]
pub async fn set_password(
    password: String,
    next: Option<String>,
) -> Result<SignInMethods, AppError> {
    let user = crate::identity::require_user().await?;
    let password = Password::parse(&password)?;
    let db = crate::db::db()?;
    let hash = super::password::hash(password).await?;
    if !store::set_password(&db, user, &hash).await? {
        return Err(AppError::new(
            ErrorCode::PasswordAlreadySet,
            td_string!(Locale::current(), errors.password_already_set),
        ));
    }
    crate::flash::done(td_string!(Locale::current(), flash.password_set)).await;
    super::redirect_form_to(next.as_deref());
    store::methods(&db, user).await
}

/// `POST /api/change_login_id`: once, for a login id a provider made;
/// 409 `LOGIN_ID_FIXED` after that, 409 `LOGIN_ID_TAKEN` for one in use.
#[server(prefix = "/api", endpoint = "change_login_id")]
pub async fn change_login_id(
    login_id: String,
    next: Option<String>,
) -> Result<SignInMethods, AppError> {
    let user = crate::identity::require_user().await?;
    let login_id = LoginId::parse(&login_id)?;
    let db = crate::db::db()?;
    store::change_login_id(&db, user, &login_id).await?;
    crate::flash::done(td_string!(
        Locale::current(),
        flash.login_id_changed,
        login_id = login_id.as_str()
    ))
    .await;
    super::redirect_form_to(next.as_deref());
    store::methods(&db, user).await
}

/// The providers configured and discovered, for the login and signup
/// pages' buttons (rendered on the server only).
pub fn available_providers() -> Vec<SignInProvider> {
    #[cfg(feature = "ssr")]
    {
        use_context::<super::oidc::SignInProviders>()
            .map(|p| p.available())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Vec::new()
    }
}

/// How linking an identity to an account went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    /// Linked now, or it already was to this account.
    Done,
    /// Another account has it.
    Taken,
    /// This account already has another identity of that provider.
    ProviderInUse,
}

#[cfg(feature = "ssr")]
pub use store::{link, sign_in_with};

#[cfg(feature = "ssr")]
mod store {
    use super::{Linked, LinkedIdentity, SignInMethods};
    use crate::{
        accounts::{oidc::VerifiedIdentity, LoginId},
        db::{now_millis, Db},
        error::{AppError, AppResult, ErrorCode},
        identity::{lock_user, UserId},
        locale::{td_string, Locale},
    };
    use sqlx::Row;

    async fn owner(db: &Db, identity: &VerifiedIdentity) -> AppResult<Option<UserId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_optional(db.pool())
        .await?;
        Ok(id.map(UserId))
    }

    /// The account of `identity`, made now when it has none: a generated
    /// login id (the provider's name and 8 random characters), changeable
    /// once, and no password. Two first sign-ins of one identity at once
    /// make one account.
    pub async fn sign_in_with(db: &Db, identity: &VerifiedIdentity) -> AppResult<UserId> {
        if let Some(user) = owner(db, identity).await? {
            return Ok(user);
        }
        for _ in 0..5 {
            let login_id = generated_login_id(&identity.provider);
            let mut tx = db.begin_write().await?;
            let now = now_millis();
            let user: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (login_id, login_key, password_hash, points, created_at, login_id_generated) \
                 VALUES ($1, $2, '', 0, $3, 1) ON CONFLICT (login_key) DO NOTHING RETURNING id",
            )
            .bind(&login_id)
            .bind(login_id.to_ascii_lowercase())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(user) = user else {
                continue; // the login id was taken: another draw
            };
            let linked: Option<i64> = sqlx::query_scalar(
                "INSERT INTO user_identities (user_id, provider, issuer, subject, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (issuer, subject) DO NOTHING RETURNING id",
            )
            .bind(user)
            .bind(&identity.provider)
            .bind(&identity.issuer)
            .bind(&identity.subject)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if linked.is_none() {
                // Made by a sign-in running beside this one: theirs stands.
                tx.rollback().await?;
                return owner(db, identity).await?.ok_or_else(|| {
                    AppError::internal("sign-in", "an identity vanished while being made")
                });
            }
            tx.commit().await?;
            return Ok(UserId(user));
        }
        Err(AppError::internal(
            "sign-in",
            "no free login id after 5 draws",
        ))
    }

    pub(super) fn generated_login_id(provider: &str) -> String {
        let random = uuid::Uuid::new_v4().simple().to_string();
        let prefix: String = provider.chars().take(8).collect();
        format!("{prefix}_{}", &random[..8])
    }

    /// Links `identity` to `user`.
    pub async fn link(db: &Db, user: UserId, identity: &VerifiedIdentity) -> AppResult<Linked> {
        let mut tx = db.begin_write().await?;
        lock_user(db, &mut tx, user).await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO user_identities (user_id, provider, issuer, subject, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(user.0)
        .bind(&identity.provider)
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(now_millis())
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        if inserted.is_some() {
            return Ok(Linked::Done);
        }
        Ok(match owner(db, identity).await? {
            Some(owner) if owner == user => Linked::Done,
            Some(_) => Linked::Taken,
            None => Linked::ProviderInUse,
        })
    }

    /// Unlinks `provider` from `user` unless nothing else would let them in.
    pub async fn unlink(db: &Db, user: UserId, provider: &str) -> AppResult<()> {
        let mut tx = db.begin_write().await?;
        lock_user(db, &mut tx, user).await?;
        let row = sqlx::query(
            "SELECT CAST(CASE WHEN u.password_hash <> '' THEN 1 ELSE 0 END AS BIGINT) AS has_password, \
                    (SELECT COUNT(*) FROM user_identities i WHERE i.user_id = u.id) AS identities, \
                    (SELECT COUNT(*) FROM user_identities i WHERE i.user_id = u.id AND i.provider = $2) AS this_one \
             FROM users u WHERE u.id = $1",
        )
        .bind(user.0)
        .bind(provider)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(crate::identity::unauthenticated)?;
        let has_password = row.try_get::<i64, _>("has_password")? != 0;
        let identities: i64 = row.try_get("identities")?;
        let this_one: i64 = row.try_get("this_one")?;
        if this_one == 0 {
            return Err(AppError::invalid_field(
                ErrorCode::NotFound,
                "provider",
                td_string!(Locale::current(), errors.identity_not_linked),
            ));
        }
        if !has_password && identities <= 1 {
            return Err(AppError::new(
                ErrorCode::LastSignInMethod,
                td_string!(Locale::current(), errors.last_sign_in_method),
            ));
        }
        sqlx::query("DELETE FROM user_identities WHERE user_id = $1 AND provider = $2")
            .bind(user.0)
            .bind(provider)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the password of an account that has none; false if it has one.
    pub async fn set_password(db: &Db, user: UserId, hash: &str) -> AppResult<bool> {
        let done =
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = ''")
                .bind(user.0)
                .bind(hash)
                .execute(db.writer())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes a generated login id, once.
    pub async fn change_login_id(db: &Db, user: UserId, login_id: &LoginId) -> AppResult<()> {
        let mut tx = db.begin_write().await?;
        lock_user(db, &mut tx, user).await?;
        let generated: Option<i64> =
            sqlx::query_scalar("SELECT login_id_generated FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
        if generated != Some(1) {
            return Err(AppError::new(
                ErrorCode::LoginIdFixed,
                td_string!(Locale::current(), errors.login_id_fixed),
            ));
        }
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE login_key = $1 AND id <> $2")
                .bind(login_id.key())
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(AppError::invalid_field(
                ErrorCode::LoginIdTaken,
                "login_id",
                td_string!(Locale::current(), errors.login_id_taken),
            ));
        }
        // The unique key still decides between two changes at once.
        let changed = sqlx::query(
            "UPDATE users SET login_id = $2, login_key = $3, login_id_generated = 0 \
             WHERE id = $1 AND login_id_generated = 1",
        )
        .bind(user.0)
        .bind(login_id.as_str())
        .bind(login_id.key())
        .execute(&mut *tx)
        .await;
        match changed {
            Ok(_) => {
                tx.commit().await?;
                Ok(())
            }
            Err(e) if is_unique_violation(&e) => Err(AppError::invalid_field(
                ErrorCode::LoginIdTaken,
                "login_id",
                td_string!(Locale::current(), errors.login_id_taken),
            )),
            Err(e) => Err(e.into()),
        }
    }

    fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
    }

    /// The account's ways in, with the providers it could link.
    pub async fn methods(db: &Db, user: UserId) -> AppResult<SignInMethods> {
        let row = sqlx::query(
            "SELECT login_id, login_id_generated, CAST(CASE WHEN password_hash <> '' THEN 1 ELSE 0 END AS BIGINT) AS has_password \
             FROM users WHERE id = $1",
        )
        .bind(user.0)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(crate::identity::unauthenticated)?;
        let providers = leptos::prelude::use_context::<crate::accounts::oidc::SignInProviders>();
        let label = |name: &str| {
            providers
                .as_ref()
                .and_then(|p| p.label(name))
                .unwrap_or_else(|| name.to_string())
        };
        let linked = sqlx::query(
            "SELECT provider, created_at FROM user_identities WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user.0)
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|r| {
            let provider: String = r.try_get("provider")?;
            Ok(LinkedIdentity {
                label: label(&provider),
                provider,
                linked_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let linkable = providers
            .map(|p| p.available())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !linked.iter().any(|l| l.provider == p.name))
            .collect();
        Ok(SignInMethods {
            login_id: row.try_get("login_id")?,
            login_id_changeable: row.try_get::<i64, _>("login_id_generated")? == 1,
            has_password: row.try_get::<i64, _>("has_password")? != 0,
            linked,
            linkable,
        })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn generated_login_ids_are_login_ids() {
        for provider in ["kakao", "google", "averyverylongprovider1"] {
            let id = super::store::generated_login_id(provider);
            assert!(LoginId::parse(&id).is_ok(), "{id}");
        }
    }
}
