//! Reserving a public IP: its type (IPv4 or IPv6), datacenter and optional
//! reverse DNS name, checked before anything is sent; the form keeps what
//! was typed and says what is wrong beside each field.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::common::IpType;
use crate::cloudpanel::networks::CreatePublicIp;
use crate::domain::Hostname;
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Choices, Fallback, Upstream, among, connect, create,
};
use crate::web::error::AppResult;
use crate::web::networks::parts::{FieldErrors, chosen_datacenter, datacenter_choices};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

const FIELDS: &[&str] = &["type", "datacenter_id", "reverse_dns"];

/// What was typed, kept to fill the form again.
#[derive(Debug, Clone, Deserialize)]
pub struct Values {
    #[serde(default = "ipv4", rename = "type")]
    pub ip_type: String,
    #[serde(default)]
    pub datacenter_id: String,
    #[serde(default)]
    pub reverse_dns: String,
}

fn ipv4() -> String {
    "IPV4".to_owned()
}

impl Default for Values {
    fn default() -> Self {
        Self {
            ip_type: ipv4(),
            datacenter_id: String::new(),
            reverse_dns: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "public_ips/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    problem: Option<String>,
    datacenters: Choices,
    action: String,
    list_href: String,
}

impl CreatePage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    v: &Values,
    errors: &FieldErrors,
    problem: Option<String>,
    datacenters: Choices,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            errors,
            problem,
            datacenters,
            action: FAMILY.list_on(ctx, up),
            list_href: FAMILY.list_on(ctx, up),
        },
    )
}

pub async fn form(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::PUBLIC_IPS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let datacenters = datacenter_choices(&up).await;
    show(
        &ctx,
        &up,
        &Values::default(),
        &FieldErrors::new(),
        None,
        datacenters,
        StatusCode::OK,
    )
}

/// The reservation's body, or the message beside each bad field.
pub(crate) fn build(v: &Values, datacenters: &Choices) -> Result<CreatePublicIp, FieldErrors> {
    let mut errors = FieldErrors::new();
    let ip_type = match v.ip_type.as_str() {
        "IPV4" | "IPV6" => Some(IpType::parse(&v.ip_type)),
        _ => {
            errors.insert("type", "Choose IPv4 or IPv6.".to_owned());
            None
        }
    };
    let datacenter_id = chosen_datacenter(&v.datacenter_id, datacenters).unwrap_or_else(|e| {
        errors.insert("datacenter_id", e);
        None
    });
    let reverse_dns = match v.reverse_dns.trim() {
        "" => None,
        typed => match Hostname::parse(typed) {
            Ok(name) => Some(name.as_str().to_owned()),
            Err(e) => {
                errors.insert("reverse_dns", e);
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(CreatePublicIp {
            reverse_dns,
            datacenter_id,
            ip_type,
        })
    } else {
        Err(errors)
    }
}

/// A reservation, described for the audit log and the member.
pub(crate) fn create_change(body: &CreatePublicIp) -> Change {
    Change::new(
        "public_ip.create",
        json!({
            "type": body.ip_type.as_ref().map(|t| t.as_str().to_owned()),
            "datacenter_id": body.datacenter_id,
            "reverse_dns": body.reverse_dns,
        }),
        "Reserved {name}.",
    )
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    form: web::Form<Values>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::PUBLIC_IPS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let v = form.into_inner();
    let datacenters = datacenter_choices(&up).await;
    let body = match build(&v, &datacenters) {
        Ok(body) => body,
        Err(errors) => {
            return show(
                &ctx,
                &up,
                &v,
                &errors,
                None,
                datacenters,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let change = create_change(&body);
    let again = (&ctx, &up, &v);
    // Nothing is typed to name it: the Cloud Panel gives the address.
    create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        "",
        up.client().create_public_ip(&body),
        among(FIELDS),
        |errors, problem| async move {
            // An address is reserved, not created.
            let problem = problem.replace("Nothing was created.", "Nothing was reserved.");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(
                again.0,
                again.1,
                again.2,
                &errors,
                Some(problem),
                datacenters,
                status,
            )
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_named_beside_their_fields() {
        let v = Values {
            ip_type: "IPV5".into(),
            datacenter_id: "../x".into(),
            reverse_dns: "not a name".into(),
        };
        let errors = build(&v, &Choices::default()).unwrap_err();
        for field in ["type", "datacenter_id", "reverse_dns"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn an_ipv4_with_a_name_is_built() {
        let v = Values {
            reverse_dns: " mail.example.com ".into(),
            ..Values::default()
        };
        let body = build(&v, &Choices::default()).unwrap();
        assert_eq!(body.reverse_dns.as_deref(), Some("mail.example.com"));
        assert_eq!(body.ip_type, Some(IpType::Ipv4));
        assert_eq!(body.datacenter_id, None);
    }
}
