//! One error type for every page: it picks the status, renders the panel's
//! own error page, and logs the cause chain without showing it to the user.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::web::page::PageCtx;

#[derive(thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("the form's security token was missing or wrong")]
    CsrfRejected,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Not signed in: the user goes to the sign-in page and comes back after.
    #[error("sign-in required")]
    SignInRequired { next: String },
    /// The organisation requires two-factor sign-in and the user has not set
    /// it up: they go to the set-up page.
    #[error("two-factor sign-in required")]
    TwoFactorRequired,
    /// The change was kept as a request for a second member's approval
    /// (`tenant::HeldBack`): the member goes to it, to say why. Not an
    /// error for the member, but it stops the handler where it stands.
    #[error("held for approval")]
    HeldForApproval { href: String },
    #[error("too many requests: {message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// Nothing known yet and the request budget spent: the page's frame
    /// with when it fills in, not an error (status 200).
    #[error("waiting for the request budget: {message}")]
    Pending {
        message: String,
        retry_after_secs: u64,
    },
    #[error("upstream: {0}")]
    Upstream(String),
    #[error(transparent)]
    Internal(anyhow::Error),
    /// Another error, shown inside the layout of the page it happened on
    /// (navigation and organisation switcher included).
    #[error("{inner}")]
    InPage {
        inner: Box<AppError>,
        page: Box<PageCtx>,
    },
}

impl From<anyhow::Error> for AppError {
    /// A tenant handle asked for more than it was granted is a refusal (fail
    /// closed), not an internal error; anything else is internal.
    fn from(error: anyhow::Error) -> Self {
        if let Some(held) = error.downcast_ref::<crate::tenant::HeldBack>() {
            return Self::HeldForApproval {
                href: held.href.clone(),
            };
        }
        match error.downcast_ref::<crate::tenant::NotGranted>() {
            Some(not_granted) => {
                tracing::error!(%not_granted, "a page used a handle beyond its permission");
                Self::Forbidden(
                    "This request is not allowed with the permission it was checked for.".into(),
                )
            }
            None => Self::Internal(error),
        }
    }
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The full cause chain, for the log only.
        match self {
            Self::Internal(e) => write!(f, "{e:?}"),
            Self::InPage { inner, .. } => write!(f, "{inner:?}"),
            other => write!(f, "{other}"),
        }
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    page: &'a PageCtx,
    status: u16,
    title: &'a str,
    message: &'a str,
    /// A countdown and a retry link, when waiting helps.
    retry_after: Option<u64>,
}

impl AppError {
    /// A failed read of `what` from the Cloud Panel: the request limit is a
    /// 429 with a countdown, anything else a 502 in plain words.
    pub fn cloud(what: &str, error: &crate::cloudpanel::CloudError) -> Self {
        Self::cloud_from(what, error, "the Cloud Panel")
    }

    /// [`AppError::cloud`] for an account of the API named `api` (`Api::name`).
    pub fn cloud_from(what: &str, error: &crate::cloudpanel::CloudError, api: &str) -> Self {
        match error.retry_after_secs() {
            Some(retry_after_secs) => Self::Pending {
                message: crate::web::cloud::loading::loading(what),
                retry_after_secs,
            },
            None => Self::Upstream(format!("Could not load {what}: {}", error.summary_for(api))),
        }
    }

    /// Shows this error in the given page's layout.
    pub fn in_page(self, page: &PageCtx) -> Self {
        match self {
            // Redirects and errors already placed keep their form.
            Self::SignInRequired { .. }
            | Self::TwoFactorRequired
            | Self::HeldForApproval { .. }
            | Self::InPage { .. } => self,
            inner => Self::InPage {
                inner: Box::new(inner),
                page: Box::new(page.clone()),
            },
        }
    }

    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            Self::NotFound => (
                "Page not found",
                "There is nothing at this address, or it was removed.".into(),
            ),
            Self::Forbidden(why) => ("Not allowed", why.clone()),
            Self::CsrfRejected => (
                "Form expired",
                "This form's security token was missing or wrong, so nothing was changed. \
                 Go back, reload the page and try again."
                    .into(),
            ),
            Self::BadRequest(why) => ("Request not understood", why.clone()),
            Self::SignInRequired { .. } => ("Sign-in required", "Please sign in.".into()),
            Self::HeldForApproval { .. } => (
                "Held for approval",
                "This change needs a second member's approval; nothing was changed yet.".into(),
            ),
            Self::TwoFactorRequired => (
                "Two-factor sign-in required",
                "Set up two-factor sign-in on your account page.".into(),
            ),
            Self::TooManyRequests { message, .. } => ("Too many requests", message.clone()),
            Self::Pending { message, .. } => ("Loading", message.clone()),
            Self::Upstream(why) => ("Cloud provider problem", why.clone()),
            Self::InPage { inner, .. } => inner.title_and_message(),
            Self::Internal(_) => (
                "Something went wrong",
                "The panel hit an internal error and nothing was changed. The error was logged; \
                 please try again."
                    .into(),
            ),
        }
    }
}

/// Renders the panel's error page for a status; used for errors and by the
/// middleware that refuses requests before any handler runs.
pub fn error_page(status: StatusCode, page: &PageCtx, title: &str, message: &str) -> HttpResponse {
    render_error(status, page, title, message, None)
}

fn render_error(
    status: StatusCode,
    page: &PageCtx,
    title: &str,
    message: &str,
    retry_after: Option<u64>,
) -> HttpResponse {
    let body = ErrorPage {
        page,
        status: status.as_u16(),
        title,
        message,
        retry_after,
    }
    .render()
    .unwrap_or_else(|_| format!("{} {title}: {message}", status.as_u16()));
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::SignInRequired { .. }
            | Self::TwoFactorRequired
            | Self::HeldForApproval { .. } => StatusCode::SEE_OTHER,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Pending { .. } => StatusCode::OK,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InPage { inner, .. } => inner.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::TwoFactorRequired = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/profile/two-factor"))
                .finish();
        }
        if let Self::HeldForApproval { href } = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, href.as_str()))
                .finish();
        }
        if let Self::SignInRequired { next } = self {
            let location = format!("/login?next={}", url_encode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let (inner, page) = match self {
            Self::InPage { inner, page } => (inner.as_ref(), Some(page.as_ref())),
            other => (other, None),
        };
        if let Self::Internal(e) = inner {
            tracing::error!(error = ?e, "request failed");
        }
        let (title, message) = inner.title_and_message();
        let bare = PageCtx::bare();
        let retry_after = match inner {
            Self::TooManyRequests {
                retry_after_secs, ..
            }
            | Self::Pending {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let mut response = render_error(
            inner.status_code(),
            page.unwrap_or(&bare),
            title,
            &message,
            retry_after,
        );
        if let Some(secs) = retry_after
            && let Ok(value) = header::HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Percent-encodes a query value.
pub fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub type AppResult<T> = Result<T, AppError>;
