//! The organisation's identity provider (OpenID Connect): discovery, the
//! authorization request (code flow with PKCE, `state` and `nonce`) and the
//! checks of its answer (the ID token's signature, issuer, audience, expiry
//! and nonce, by the `openidconnect` crate).
//!
//! The crate's HTTP goes through the panel's own reqwest ([`Http`], redirects
//! off as the crate asks), so no second HTTP or TLS stack is built. The
//! issuer must be one of the outbound rules' base URLs
//! (`TEAMPANEL_ALLOWED_BASE_URLS`), as a cloud account's address must.
//! Discovery runs at start-up; when it fails (a bad or unreachable issuer)
//! the log says why, password sign-in goes on, and the next sign-in through
//! the provider tries again (at most every [`RETRY_AFTER`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreProviderMetadata,
};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::config::{OidcSettings, Settings};

/// How long after a failed discovery the next sign-in tries again.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);
/// How long one call to the provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The crate's HTTP client trait on the panel's reqwest.
#[derive(Clone)]
pub struct Http(reqwest::Client);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(plain_reqwest_error(&e)))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|e| HttpError(plain_reqwest_error(&e)))?;
            let mut answer = HttpResponse::new(body.to_vec());
            *answer.status_mut() = status;
            *answer.headers_mut() = headers;
            Ok(answer)
        })
    }
}

/// A reqwest error in words, without the address's query (where a code
/// could be).
fn plain_reqwest_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer could not be read"
    } else {
        "the request failed"
    };
    match e.url() {
        Some(url) => format!(
            "{what} ({}://{}{})",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        None => what.to_owned(),
    }
}

/// Why a sign-in through the provider did not succeed. Every variant has
/// plain words for the page ([`OidcError::user_message`]); none carries a
/// code or a token.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the issuer {0} is not among the allowed base URLs (TEAMPANEL_ALLOWED_BASE_URLS)")]
    IssuerNotAllowed(String),
    #[error("discovery failed: {0}")]
    Discovery(String),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider refused the code: {0}")]
    CodeRefused(String),
    #[error("the provider's token answer could not be read: {0}")]
    BadAnswer(String),
    #[error("the provider sent no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    InvalidToken(TokenProblem),
}

/// Which check the ID token failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Audience,
    Expired,
    Issuer,
    Nonce,
    Signature,
    Other,
}

impl std::fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Audience => "it was issued for another application (audience)",
            Self::Expired => "it has expired",
            Self::Issuer => "it comes from another issuer",
            Self::Nonce => "its nonce does not match this sign-in",
            Self::Signature => "its signature does not verify",
            Self::Other => "it is not valid",
        })
    }
}

impl OidcError {
    /// What the sign-in page says.
    pub fn user_message(&self, label: &str) -> String {
        match self {
            Self::IssuerNotAllowed(_) | Self::Discovery(_) => format!(
                "Sign-in with {label} is not available right now: the panel could not read the provider's settings. Sign in with your password, or ask your administrator."
            ),
            Self::Unreachable(_) => format!(
                "{label} could not be reached. Try again in a minute, or sign in with your password."
            ),
            Self::CodeRefused(_) => format!(
                "{label} refused this sign-in: its code was already used or has expired. Start again."
            ),
            Self::BadAnswer(_) | Self::NoIdToken => format!(
                "{label} gave an answer the panel cannot use. Start again, or ask your administrator."
            ),
            Self::InvalidToken(problem) => format!(
                "The sign-in from {label} was refused: {problem}. Start again, or ask your administrator."
            ),
        }
    }
}

/// What a started sign-in keeps until the provider sends the person back
/// (in the server-side session: nothing of it reaches the browser but
/// `state`, which the provider echoes).
#[derive(Serialize, Deserialize, Clone)]
pub struct Flow {
    pub state: String,
    nonce: String,
    pkce_verifier: String,
}

/// Who the provider says signed in, from a verified ID token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The `amr` claim (RFC 8176): how the person authenticated.
    pub amr: Vec<String>,
    /// The groups claim, when one is configured (empty otherwise).
    pub groups: Vec<String>,
}

impl Identity {
    /// Whether the provider says a second factor was used: `mfa`, or two
    /// different methods (`pwd` and `otp`, ...).
    pub fn second_factor(&self) -> bool {
        let mut methods: Vec<&str> = self.amr.iter().map(String::as_str).collect();
        methods.sort_unstable();
        methods.dedup();
        methods.contains(&"mfa") || methods.len() >= 2
    }
}

struct Discovered {
    client: Client,
    /// The scopes asked for: `openid email profile`, and the groups claim's
    /// name when the provider offers a scope of that name.
    scopes: Vec<String>,
}

enum State {
    Ready(Arc<Discovered>),
    Failed(Instant),
}

/// The configured provider. Present in the app state when
/// `TEAMPANEL_OIDC_ISSUER` is set, whether or not discovery succeeded.
pub struct Oidc {
    settings: OidcSettings,
    redirect: RedirectUrl,
    allowed: bool,
    http: Http,
    state: tokio::sync::Mutex<State>,
}

impl Oidc {
    /// The provider of the settings, not yet discovered; `None` without one.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        let Some(oidc) = settings.oidc.clone() else {
            return Ok(None);
        };
        let redirect = settings
            .oidc_redirect_url()
            .ok_or_else(|| anyhow::anyhow!("TEAMPANEL_OIDC_ISSUER needs TEAMPANEL_PUBLIC_URL"))?;
        let redirect = RedirectUrl::new(redirect)
            .map_err(|e| anyhow::anyhow!("The OpenID Connect redirect URL is not valid: {e}"))?;
        let http = crate::tls::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| anyhow::anyhow!("Failed to build the OpenID Connect client: {e}"))?;
        Ok(Some(Self {
            allowed: settings.base_url_allowed(&oidc.issuer),
            settings: oidc,
            redirect,
            http: Http(http),
            state: tokio::sync::Mutex::new(State::Failed(
                Instant::now()
                    .checked_sub(RETRY_AFTER * 2)
                    .unwrap_or_else(Instant::now),
            )),
        }))
    }

    pub fn label(&self) -> &str {
        &self.settings.label
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// Reads the provider's discovery document and keys now (start-up).
    pub async fn discover_now(&self) -> Result<(), OidcError> {
        let mut state = self.state.lock().await;
        let discovered = self.discover().await;
        match discovered {
            Ok(d) => {
                *state = State::Ready(Arc::new(d));
                Ok(())
            }
            Err(e) => {
                *state = State::Failed(Instant::now());
                Err(e)
            }
        }
    }

    /// The discovered provider, discovering again after a failure.
    async fn ready(&self) -> Result<Arc<Discovered>, OidcError> {
        let mut state = self.state.lock().await;
        match &*state {
            State::Ready(d) => return Ok(d.clone()),
            State::Failed(at) if at.elapsed() < RETRY_AFTER => {
                return Err(OidcError::Discovery(
                    "the last attempt failed moments ago".into(),
                ));
            }
            State::Failed(_) => {}
        }
        match self.discover().await {
            Ok(d) => {
                let d = Arc::new(d);
                *state = State::Ready(d.clone());
                tracing::info!(issuer = %self.settings.issuer, "OpenID Connect provider discovered");
                Ok(d)
            }
            Err(e) => {
                *state = State::Failed(Instant::now());
                tracing::error!(issuer = %self.settings.issuer, error = %e, "sign-in with {} is unavailable", self.settings.label);
                Err(e)
            }
        }
    }

    async fn discover(&self) -> Result<Discovered, OidcError> {
        if !self.allowed {
            return Err(OidcError::IssuerNotAllowed(self.settings.issuer.clone()));
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Discovery(format!("the issuer URL is not valid: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                use openidconnect::DiscoveryError as D;
                OidcError::Discovery(match e {
                    D::Request(e) => e.to_string(),
                    D::Response(status, _, _) => format!("the provider answered {status}"),
                    D::Parse(e) => format!("its discovery document or keys could not be read: {e}"),
                    D::Validation(e) => e,
                    D::UrlParse(e) => e.to_string(),
                    D::Other(e) => e,
                    other => other.to_string(),
                })
            })?;
        let offered: Vec<String> = metadata
            .scopes_supported()
            .map(|s| s.iter().map(|s| s.as_str().to_owned()).collect())
            .unwrap_or_default();
        let mut scopes = vec!["email".to_owned(), "profile".to_owned()];
        if let Some(claim) = &self.settings.groups_claim
            && offered.iter().any(|s| s == claim)
        {
            scopes.push(claim.clone());
        }
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose().to_owned())),
        )
        .set_redirect_uri(self.redirect.clone());
        Ok(Discovered { client, scopes })
    }

    /// Where to send the person, and what to keep until they come back.
    pub async fn start(&self) -> Result<(String, Flow), OidcError> {
        let provider = self.ready().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider.client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &provider.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok((
            url.to_string(),
            Flow {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Trades the code for tokens and checks the ID token.
    pub async fn finish(&self, flow: Flow, code: String) -> Result<Identity, OidcError> {
        let provider = self.ready().await?;
        let request = provider
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Discovery(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier));
        let tokens = request
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(answer) => {
                    let code = match answer.error() {
                        CoreErrorResponseType::InvalidGrant => "invalid_grant".to_owned(),
                        other => other.as_ref().to_owned(),
                    };
                    OidcError::CodeRefused(code)
                }
                RequestTokenError::Request(e) => OidcError::Unreachable(e.to_string()),
                RequestTokenError::Parse(e, _) => OidcError::BadAnswer(e.to_string()),
                RequestTokenError::Other(e) => OidcError::BadAnswer(e),
            })?;
        let id_token = tokens.id_token().ok_or(OidcError::NoIdToken)?;
        let verifier = provider.client.id_token_verifier();
        let nonce = Nonce::new(flow.nonce);
        let claims = id_token
            .claims(&verifier, &nonce)
            .map_err(|e| OidcError::InvalidToken(token_problem(&e)))?;
        let groups = match &self.settings.groups_claim {
            Some(claim) => groups_from(&id_token.to_string(), claim),
            None => Vec::new(),
        };
        Ok(Identity {
            issuer: self.settings.issuer.clone(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            amr: claims
                .auth_method_refs()
                .map(|refs| refs.iter().map(|r| r.as_str().to_owned()).collect())
                .unwrap_or_default(),
            groups,
        })
    }
}

fn token_problem(e: &ClaimsVerificationError) -> TokenProblem {
    match e {
        ClaimsVerificationError::InvalidAudience(_) => TokenProblem::Audience,
        ClaimsVerificationError::Expired(_) => TokenProblem::Expired,
        ClaimsVerificationError::InvalidIssuer(_) => TokenProblem::Issuer,
        ClaimsVerificationError::InvalidNonce(_) => TokenProblem::Nonce,
        ClaimsVerificationError::SignatureVerification(_) => TokenProblem::Signature,
        _ => TokenProblem::Other,
    }
}

/// A claim of the ID token's payload, read after the token was verified: a
/// list of strings, or one string.
fn groups_from(compact: &str, claim: &str) -> Vec<String> {
    let Some(payload) = compact.split('.').nth(1) else {
        return Vec::new();
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    match value.get(claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(amr: &[&str]) -> Identity {
        Identity {
            issuer: String::new(),
            subject: String::new(),
            email: None,
            email_verified: false,
            name: None,
            amr: amr.iter().map(|s| (*s).to_owned()).collect(),
            groups: Vec::new(),
        }
    }

    #[test]
    fn a_second_factor_is_mfa_or_two_methods() {
        assert!(identity(&["mfa"]).second_factor());
        assert!(identity(&["pwd", "otp"]).second_factor());
        assert!(!identity(&["pwd"]).second_factor());
        assert!(!identity(&["pwd", "pwd"]).second_factor());
        assert!(!identity(&[]).second_factor());
    }

    #[test]
    fn groups_are_read_from_the_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"a","groups":["teampanel:acme:Viewer","staff"],"team":"x"}"#);
        let token = format!("e30.{payload}.sig");
        assert_eq!(
            groups_from(&token, "groups"),
            vec!["teampanel:acme:Viewer", "staff"]
        );
        assert_eq!(groups_from(&token, "team"), vec!["x"]);
        assert!(groups_from(&token, "roles").is_empty());
        assert!(groups_from("garbage", "groups").is_empty());
    }
}
