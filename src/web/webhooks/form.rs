//! The endpoint form, shared by the add form and the edit form: what was
//! posted, what is drawn, and the checks, each message beside its field.

use crate::app_state::AppState;
use crate::domain::{WebhookName, WebhookUrl};
use crate::tenant::{
    EndpointInput, WEBHOOK_ALL_FAMILIES, WebhookEndpoint, WebhookFilter, WebhookFilterErrors,
};
use crate::web::matrix::form_pairs;
use crate::web::org_ctx::OrgCtx;

/// Each field's message, when the form came back.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub name: Option<String>,
    pub url: Option<String>,
    pub families: Option<String>,
    pub outcomes: Option<String>,
}

impl FormErrors {
    pub fn any(&self) -> bool {
        self.name.is_some()
            || self.url.is_some()
            || self.families.is_some()
            || self.outcomes.is_some()
    }
}

/// The form as drawn: what it holds now and its messages.
#[derive(Debug, Default)]
pub struct EndpointForm {
    pub name: String,
    pub url: String,
    pub families: Vec<String>,
    pub outcomes: Vec<String>,
    pub enabled: bool,
    pub errors: FormErrors,
}

impl EndpointForm {
    /// The add form as it first shows: turned on, the outcomes most
    /// people want ticked, no family yet.
    pub fn fresh() -> Self {
        Self {
            outcomes: ["succeeded", "failed", "denied"]
                .map(str::to_owned)
                .to_vec(),
            enabled: true,
            ..Self::default()
        }
    }

    /// The edit form of a saved endpoint.
    pub fn of(endpoint: &WebhookEndpoint) -> Self {
        let filter = endpoint.filter();
        Self {
            name: endpoint.name.clone(),
            url: endpoint.url.clone(),
            families: filter.families,
            outcomes: filter.outcomes,
            enabled: endpoint.enabled,
            errors: FormErrors::default(),
        }
    }

    /// What was posted: `name`, `url`, one `family` and one `outcome` per
    /// ticked box, and `enabled` when the edit form's box is ticked.
    pub fn posted(body: &[u8], has_enabled_box: bool) -> Self {
        let mut form = Self {
            enabled: !has_enabled_box,
            ..Self::default()
        };
        for (key, value) in form_pairs(body) {
            match key.as_str() {
                "name" => form.name = value.trim().to_owned(),
                "url" => form.url = value.trim().to_owned(),
                "family" => form.families.push(value),
                "outcome" => form.outcomes.push(value),
                "enabled" => form.enabled = !value.is_empty(),
                _ => {}
            }
        }
        form
    }

    pub fn has_family(&self, key: &str) -> bool {
        self.families.iter().any(|f| f == key)
    }

    pub fn every_family(&self) -> bool {
        self.has_family(WEBHOOK_ALL_FAMILIES)
    }

    pub fn has_outcome(&self, key: &str) -> bool {
        self.outcomes.iter().any(|o| o == key)
    }
}

/// The one answer for a URL outside the instance's list.
pub const URL_NOT_ALLOWED: &str = "This panel does not allow that URL for webhooks. Choose a URL \
     at or beneath one of the allowed URLs listed on this page, or ask an instance admin to add \
     the endpoint.";

/// The form's values, checked.
pub struct Checked {
    pub name: WebhookName,
    pub url: WebhookUrl,
    pub url_set_by_admin: bool,
    pub filter: WebhookFilter,
    pub enabled: bool,
}

impl Checked {
    pub fn input(&self) -> EndpointInput<'_> {
        EndpointInput {
            name: &self.name,
            url: &self.url,
            url_set_by_admin: self.url_set_by_admin,
            filter: &self.filter,
            enabled: self.enabled,
        }
    }
}

/// Whether the URL may be used, and whether only because an instance
/// admin says so. The panel's host posts to it, so a URL outside
/// `TEAMPANEL_ALLOWED_WEBHOOK_URLS` is the instance admin's call: otherwise
/// an Owner could probe the host's own and internal network through it.
/// The URL an endpoint already has stays usable, whoever set it.
fn url_allowed(
    state: &AppState,
    ctx: &OrgCtx,
    url: &WebhookUrl,
    saved: Option<&WebhookEndpoint>,
) -> Option<bool> {
    if state.settings.webhook_url_allowed(url.as_str()) {
        return Some(false);
    }
    if ctx.user.is_instance_admin {
        return Some(true);
    }
    saved
        .filter(|e| e.url_set_by_admin && e.url == url.as_str())
        .map(|_| true)
}

/// Whether the refusal is the allow-list's (recorded as a failed attempt).
pub struct Refusal {
    pub url_not_allowed: bool,
}

/// Checks the form: each bad field gets its message in `form.errors`.
pub fn check(
    state: &AppState,
    ctx: &OrgCtx,
    form: &mut EndpointForm,
    saved: Option<&WebhookEndpoint>,
) -> Result<Checked, Refusal> {
    let name = WebhookName::parse(&form.name).map_err(|e| form.errors.name = Some(e));
    let url = WebhookUrl::parse(&form.url).map_err(|e| form.errors.url = Some(e));
    let filter = WebhookFilter::parse(&form.families, &form.outcomes).map_err(
        |WebhookFilterErrors { families, outcomes }| {
            form.errors.families = families;
            form.errors.outcomes = outcomes;
        },
    );
    let mut refusal = Refusal {
        url_not_allowed: false,
    };
    let by_admin = match &url {
        Ok(url) => {
            let allowed = url_allowed(state, ctx, url, saved);
            if allowed.is_none() {
                form.errors.url = Some(URL_NOT_ALLOWED.to_owned());
                refusal.url_not_allowed = true;
            }
            allowed
        }
        Err(()) => None,
    };
    match (name, url, filter, by_admin) {
        (Ok(name), Ok(url), Ok(filter), Some(url_set_by_admin)) => Ok(Checked {
            name,
            url,
            url_set_by_admin,
            filter,
            enabled: form.enabled,
        }),
        _ => Err(refusal),
    }
}
