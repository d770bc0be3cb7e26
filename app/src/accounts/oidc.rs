//! Sign-in with OpenID Connect providers: the configured providers, their
//! discovery (retried until it succeeds, renewed every hour for new keys),
//! and the two halves of the authorization code flow with PKCE: where to
//! send the shopper, and what the provider sent back, checked down to a
//! verified (issuer, subject). What an identity means for an account is
//! `super::identities`; the HTTP routes are the server's.

use crate::locale::{td_string, Locale};
use serde::{Deserialize, Serialize};

/// A provider the shopper can sign in with (a button).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInProvider {
    /// In the paths `/auth/{name}/start`, `/auth/{name}/link`.
    pub name: String,
    pub label: String,
}

/// Why a sign-in or a link through a provider did not happen, as the
/// pages say it (`/login?sign_in=…`, `/account?sign_in=…`): in the shop's
/// words, never the provider's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInProblem {
    /// The shopper (or the provider) said no.
    Denied,
    /// The sign-in was not started here, was used already or took too long.
    Expired,
    /// What came back did not check out (a bad token, another issuer).
    Failed,
    /// The provider is not reachable or not set up.
    Unavailable,
    /// The identity belongs to another account (linking).
    Taken,
    /// The account has another identity of that provider already (linking).
    AlreadyLinked,
}

impl SignInProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::Expired => "expired",
            Self::Failed => "failed",
            Self::Unavailable => "unavailable",
            Self::Taken => "taken",
            Self::AlreadyLinked => "already_linked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Denied,
            Self::Expired,
            Self::Failed,
            Self::Unavailable,
            Self::Taken,
            Self::AlreadyLinked,
        ]
        .into_iter()
        .find(|p| p.as_str() == text)
    }

    pub fn message(self, locale: Locale) -> &'static str {
        match self {
            Self::Denied => td_string!(locale, account.sign_in_denied),
            Self::Expired => td_string!(locale, account.sign_in_expired),
            Self::Failed => td_string!(locale, account.sign_in_failed),
            Self::Unavailable => td_string!(locale, account.sign_in_unavailable),
            Self::Taken => td_string!(locale, account.sign_in_taken),
            Self::AlreadyLinked => td_string!(locale, account.sign_in_already_linked),
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::{SignInProblem, SignInProvider};
    use crate::identity::UserId;
    use openidconnect::{
        core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
        AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
        EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
        RedirectUrl, RequestTokenError, Scope, TokenResponse,
    };
    use serde::{Deserialize, Serialize};
    use std::{
        collections::HashMap,
        fmt,
        sync::{Arc, RwLock},
        time::Duration,
    };
    use tower_sessions::Session;

    /// How a provider wants the shop's client secret: in a Basic header
    /// (`basic`, the standard's default) or in the form (`post`, Kakao).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum AuthMethod {
        Basic,
        Post,
    }

    /// One provider as configured (`OIDC_<NAME>_*`).
    #[derive(Clone)]
    pub struct ProviderSettings {
        /// Lower-case letters and digits: in the paths `/auth/NAME/...`.
        pub name: String,
        pub issuer: String,
        pub client_id: String,
        pub client_secret: String,
        /// The button's words.
        pub label: String,
        pub scopes: Vec<String>,
        pub auth_method: AuthMethod,
    }

    impl fmt::Debug for ProviderSettings {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("ProviderSettings")
                .field("name", &self.name)
                .field("issuer", &self.issuer)
                .field("client_id", &self.client_id)
                .field("client_secret", &"<redacted>")
                .field("scopes", &self.scopes)
                .field("auth_method", &self.auth_method)
                .finish()
        }
    }

    impl ProviderSettings {
        /// A provider name: 1 to 20 lower-case letters or digits.
        pub fn valid_name(name: &str) -> bool {
            (1..=20).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        }
    }

    /// Everything sign-in with providers needs.
    #[derive(Debug, Clone)]
    pub struct SignInSettings {
        pub providers: Vec<ProviderSettings>,
        /// The shop's address as the browser sees it (`PUBLIC_URL`); the
        /// redirect URI is this + `/auth/NAME/callback`.
        pub public_url: String,
        /// How long a started sign-in may take (10 minutes).
        pub state_ttl: Duration,
    }

    /// What a provider's discovery gave: its endpoints and signing keys.
    type Metadata = CoreProviderMetadata;

    type ProviderClient = CoreClient<
        EndpointSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointMaybeSet,
        EndpointMaybeSet,
    >;

    /// The configured providers and those of them ready (discovered). Cheap
    /// to clone: one set per process.
    #[derive(Clone)]
    pub struct SignInProviders {
        inner: Arc<Inner>,
    }

    struct Inner {
        settings: SignInSettings,
        ready: RwLock<HashMap<String, Arc<Metadata>>>,
        http: reqwest::Client,
    }

    /// A sign-in on its way through a provider, kept in the session under its
    /// `state` until the provider sends the shopper back (once) or it expires.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Pending {
        pub provider: String,
        nonce: String,
        verifier: String,
        /// Where to go once signed in (already a path on this site).
        pub next: String,
        /// Set when a logged-in shopper links the identity to their account.
        pub link_to: Option<UserId>,
        started_ms: i64,
    }

    /// What the provider sends the shopper back with (`/auth/NAME/callback`).
    #[derive(Debug, Default, Deserialize)]
    pub struct CallbackQuery {
        pub code: Option<String>,
        pub state: Option<String>,
        pub error: Option<String>,
        pub iss: Option<String>,
    }

    /// Who the provider says signed in, verified.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct VerifiedIdentity {
        pub provider: String,
        pub issuer: String,
        pub subject: String,
    }

    /// The session key of the sign-ins under way.
    const PENDING_KEY: &str = "oidc_pending";
    /// At most this many sign-ins under way per session (tabs); the oldest go.
    const MAX_PENDING: usize = 5;
    /// A minute of leeway on the ID token's expiry, for clocks apart.
    const CLOCK_LEEWAY_SECS: i64 = 60;
    /// Discovery is done again this often, for keys the provider rotates.
    const REDISCOVER_EVERY: Duration = Duration::from_secs(3600);

    impl SignInProviders {
        pub fn new(settings: SignInSettings) -> anyhow::Result<Self> {
            let http = reqwest::Client::builder()
                // The standard forbids following redirects on these calls.
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .build()?;
            Ok(Self {
                inner: Arc::new(Inner {
                    settings,
                    ready: RwLock::default(),
                    http,
                }),
            })
        }

        fn configured(&self, name: &str) -> Option<&ProviderSettings> {
            self.inner
                .settings
                .providers
                .iter()
                .find(|p| p.name == name)
        }

        fn metadata(&self, name: &str) -> Option<Arc<Metadata>> {
            self.inner.ready.read().ok()?.get(name).cloned()
        }

        /// The providers to show buttons for: configured and discovered, in
        /// the configured order.
        pub fn available(&self) -> Vec<SignInProvider> {
            let ready = match self.inner.ready.read() {
                Ok(ready) => ready,
                Err(_) => return Vec::new(),
            };
            self.inner
                .settings
                .providers
                .iter()
                .filter(|p| ready.contains_key(&p.name))
                .map(|p| SignInProvider {
                    name: p.name.clone(),
                    label: p.label.clone(),
                })
                .collect()
        }

        /// A configured provider's label, discovered or not.
        pub fn label(&self, name: &str) -> Option<String> {
            self.configured(name).map(|p| p.label.clone())
        }

        /// Discovers one provider now; true when it is ready.
        async fn discover(&self, provider: &ProviderSettings) -> bool {
            let issuer = match IssuerUrl::new(provider.issuer.clone()) {
                Ok(issuer) => issuer,
                Err(e) => {
                    tracing::warn!(provider = %provider.name, error = %e, "OIDC issuer is not a URL");
                    return false;
                }
            };
            match Metadata::discover_async(issuer, &self.inner.http).await {
                Ok(metadata) => {
                    let sign_in_at = metadata.authorization_endpoint().url().origin();
                    if sign_in_at != metadata.issuer().url().origin() {
                        tracing::warn!(
                            provider = %provider.name,
                            authorization = %sign_in_at.ascii_serialization(),
                            "the provider signs in on another origin than its issuer's: \
                             linking it from /account is refused by the pages' form-action"
                        );
                    }
                    if let Ok(mut ready) = self.inner.ready.write() {
                        ready.insert(provider.name.clone(), Arc::new(metadata));
                    }
                    true
                }
                Err(e) => {
                    tracing::warn!(
                        provider = %provider.name,
                        issuer = %provider.issuer,
                        error = %e,
                        "OIDC discovery failed: the provider is left out of the login page until it succeeds"
                    );
                    false
                }
            }
        }

        /// Discovers every provider once (at start-up), then keeps trying
        /// those that failed, with growing pauses, and renews the others every
        /// hour. The returned task runs until aborted.
        pub async fn discover_all(&self) -> tokio::task::JoinHandle<()> {
            let mut first = Vec::new();
            for provider in &self.inner.settings.providers {
                first.push(self.discover(provider).await);
            }
            let this = self.clone();
            tokio::spawn(async move {
                // Dropped with this task when it is aborted, which aborts them all.
                let mut each = tokio::task::JoinSet::new();
                for (provider, ready) in this.inner.settings.providers.iter().zip(first) {
                    let (this, provider) = (this.clone(), provider.clone());
                    each.spawn(async move { this.keep_discovered(provider, ready).await });
                }
                while each.join_next().await.is_some() {}
            })
        }

        async fn keep_discovered(&self, provider: ProviderSettings, mut ready: bool) {
            use backon::BackoffBuilder;
            loop {
                if ready {
                    tokio::time::sleep(REDISCOVER_EVERY).await;
                    // A failed renewal keeps what was discovered before.
                    ready =
                        self.discover(&provider).await || self.metadata(&provider.name).is_some();
                    continue;
                }
                let mut pauses = backon::ExponentialBuilder::default()
                    .with_min_delay(Duration::from_secs(2))
                    .with_max_delay(Duration::from_secs(300))
                    .with_jitter()
                    .without_max_times()
                    .build();
                while !ready {
                    tokio::time::sleep(pauses.next().unwrap_or(Duration::from_secs(300))).await;
                    ready = self.discover(&provider).await;
                }
                tracing::info!(provider = %provider.name, "OIDC provider discovered");
            }
        }

        fn client(
            &self,
            provider: &ProviderSettings,
            metadata: &Metadata,
        ) -> Result<ProviderClient, SignInProblem> {
            let redirect = RedirectUrl::new(format!(
                "{}/auth/{}/callback",
                self.inner.settings.public_url.trim_end_matches('/'),
                provider.name
            ))
            .map_err(|e| {
                tracing::warn!(error = %e, "PUBLIC_URL does not make a redirect URI");
                SignInProblem::Unavailable
            })?;
            Ok(CoreClient::from_provider_metadata(
                metadata.clone(),
                ClientId::new(provider.client_id.clone()),
                Some(ClientSecret::new(provider.client_secret.clone())),
            )
            .set_redirect_uri(redirect)
            .set_auth_type(match provider.auth_method {
                AuthMethod::Basic => AuthType::BasicAuth,
                AuthMethod::Post => AuthType::RequestBody,
            }))
        }

        /// Starts a sign-in with `name`: the provider's address to send the
        /// shopper to, with PKCE (S256), `state` and `nonce`; what the callback
        /// will need is kept in `session`.
        pub async fn begin(
            &self,
            session: &Session,
            name: &str,
            next: String,
            link_to: Option<UserId>,
        ) -> Result<String, SignInProblem> {
            let provider = self.configured(name).ok_or(SignInProblem::Unavailable)?;
            let metadata = self.metadata(name).ok_or(SignInProblem::Unavailable)?;
            let client = self.client(provider, &metadata)?;
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let mut request = client
                .authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    CsrfToken::new_random,
                    Nonce::new_random,
                )
                .set_pkce_challenge(challenge);
            for scope in provider.scopes.iter().filter(|s| s.as_str() != "openid") {
                request = request.add_scope(Scope::new(scope.clone()));
            }
            let (url, state, nonce) = request.url();
            let pending = Pending {
                provider: name.to_string(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next,
                link_to,
                started_ms: crate::db::now_millis(),
            };
            let mut all = pending_in(session).await;
            all.retain(|(_, p)| !self.expired(p));
            all.push((state.secret().clone(), pending));
            let excess = all.len().saturating_sub(MAX_PENDING);
            all.drain(..excess);
            save_pending(session, &all).await?;
            Ok(url.to_string())
        }

        fn expired(&self, pending: &Pending) -> bool {
            let ttl = self.inner.settings.state_ttl.as_millis() as i64;
            crate::db::now_millis() - pending.started_ms >= ttl
        }

        /// Takes the sign-in the callback's `state` names out of the session
        /// (it is used once, whatever follows). `None`: no such sign-in, or it
        /// expired.
        pub async fn take_pending(
            &self,
            session: &Session,
            state: Option<&str>,
        ) -> Result<Option<Pending>, SignInProblem> {
            let mut all = pending_in(session).await;
            let found = state.and_then(|state| {
                let at = all.iter().position(|(s, _)| s == state)?;
                Some(all.remove(at).1)
            });
            all.retain(|(_, p)| !self.expired(p));
            save_pending(session, &all).await?;
            Ok(found.filter(|p| !self.expired(p)))
        }

        /// Checks what the provider sent back for `pending` and exchanges the
        /// code for a verified identity.
        pub async fn finish(
            &self,
            name: &str,
            pending: &Pending,
            query: &CallbackQuery,
        ) -> Result<VerifiedIdentity, SignInProblem> {
            if pending.provider != name {
                return Err(SignInProblem::Failed);
            }
            if let Some(error) = &query.error {
                // The provider's own words stay out of the page; its code is
                // safe to log.
                tracing::info!(provider = %name, error = %short(error), "the provider refused the sign-in");
                return Err(if error == "access_denied" {
                    SignInProblem::Denied
                } else {
                    SignInProblem::Failed
                });
            }
            let provider = self.configured(name).ok_or(SignInProblem::Unavailable)?;
            let metadata = self.metadata(name).ok_or(SignInProblem::Unavailable)?;
            // RFC 9207: the issuer, when named, must be the one we sent to.
            if let Some(iss) = &query.iss {
                if iss != metadata.issuer().as_str() {
                    tracing::warn!(provider = %name, "the callback names another issuer");
                    return Err(SignInProblem::Failed);
                }
            }
            let code = query.code.clone().ok_or(SignInProblem::Failed)?;
            let client = self.client(provider, &metadata)?;
            let response = client
                .exchange_code(AuthorizationCode::new(code))
                .map_err(|_| SignInProblem::Unavailable)?
                .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
                .request_async(&self.inner.http)
                .await
                .map_err(|e| {
                    match &e {
                        RequestTokenError::Request(e) => {
                            tracing::warn!(provider = %name, error = %e, "the provider's token endpoint did not answer");
                            SignInProblem::Unavailable
                        }
                        RequestTokenError::ServerResponse(e) => {
                            tracing::warn!(provider = %name, error = %e.error(), "the provider refused the code");
                            SignInProblem::Failed
                        }
                        _ => {
                            tracing::warn!(provider = %name, "the provider's token answer was not understood");
                            SignInProblem::Failed
                        }
                    }
                })?;
            let id_token = response.id_token().ok_or_else(|| {
                tracing::warn!(provider = %name, "the provider sent no ID token");
                SignInProblem::Failed
            })?;
            let verifier = client
                .id_token_verifier()
                .set_time_fn(|| chrono::Utc::now() - chrono::Duration::seconds(CLOCK_LEEWAY_SECS));
            let claims = id_token
                .claims(&verifier, &Nonce::new(pending.nonce.clone()))
                .map_err(|e| {
                    tracing::warn!(provider = %name, error = %e, "the ID token did not verify");
                    SignInProblem::Failed
                })?;
            Ok(VerifiedIdentity {
                provider: name.to_string(),
                issuer: claims.issuer().as_str().to_string(),
                subject: claims.subject().as_str().to_string(),
            })
        }
    }

    /// The first 64 characters of what a provider sent, for the log.
    fn short(text: &str) -> String {
        text.chars().filter(|c| !c.is_control()).take(64).collect()
    }

    async fn pending_in(session: &Session) -> Vec<(String, Pending)> {
        session
            .get::<Vec<(String, Pending)>>(PENDING_KEY)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    async fn save_pending(
        session: &Session,
        all: &[(String, Pending)],
    ) -> Result<(), SignInProblem> {
        let saved = if all.is_empty() {
            session.remove_value(PENDING_KEY).await.map(|_| ())
        } else {
            session.insert(PENDING_KEY, all).await
        };
        saved.map_err(|e| {
            tracing::warn!(error = %e, "could not keep the sign-in in the session");
            SignInProblem::Unavailable
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_back() {
        for p in [
            SignInProblem::Denied,
            SignInProblem::Expired,
            SignInProblem::Failed,
            SignInProblem::Unavailable,
            SignInProblem::Taken,
            SignInProblem::AlreadyLinked,
        ] {
            assert_eq!(SignInProblem::parse(p.as_str()), Some(p));
        }
        assert_eq!(SignInProblem::parse("access_denied"), None);
    }
}
