//! Creating a shared storage: a name, a size, a datacenter and a
//! description. Every value is checked before anything is sent, and the
//! form keeps what was typed.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::storages::CreateSharedStorage;
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Choice, Choices, Fallback, Upstream, chosen_id, connect, create,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;
use crate::web::storages::form_field;
use crate::web::storages::{FieldErrors, SHARED_SIZE, check_description, check_name};

/// What the user typed, kept to fill the form again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Values {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) size: String,
    #[serde(default)]
    pub(crate) datacenter_id: String,
}

impl Values {
    fn defaults() -> Self {
        Self {
            size: "100".into(),
            ..Self::default()
        }
    }

    pub(crate) fn trimmed(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        self.size = self.size.trim().to_owned();
        self
    }
}

#[derive(Template)]
#[template(path = "shared_storages/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    datacenters: &'a Choices,
    /// The account's default datacenter, preselected.
    default_datacenter: String,
    errors: &'a FieldErrors,
    problem: Option<String>,
    action: String,
    list_href: String,
}

impl CreatePage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The datacenter select starts on what was chosen, else the account's default.
    pub fn is_datacenter(&self, id: &str) -> bool {
        if self.v.datacenter_id.is_empty() {
            id == self.default_datacenter
        } else {
            id == self.v.datacenter_id
        }
    }
}

async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    v: &Values,
    errors: &FieldErrors,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let loaded = up.client().list_datacenters(&ListQuery::all()).await;
    let default_datacenter = loaded
        .as_ref()
        .ok()
        .and_then(|f| f.value.iter().find(|d| d.default))
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let datacenters = Choices::from("the datacenters", loaded, |d| {
        Choice::of(&d.id, &format!("{} ({})", d.location, d.country_code))
    });
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            datacenters: &datacenters,
            default_datacenter,
            errors,
            problem,
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
    let tenant = ctx.require(perms::SHARED_STORAGES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(
        &ctx,
        &up,
        &Values::defaults(),
        &FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// Turns the typed values into the API request, or the problems per field.
pub(crate) fn build(v: &Values) -> Result<CreateSharedStorage, FieldErrors> {
    let mut errors = FieldErrors::new();
    check_name(&v.name, &mut errors);
    check_description(&v.description, &mut errors);
    let size = SHARED_SIZE
        .parse(&v.size)
        .map_err(|e| errors.insert("size", e))
        .ok();
    let datacenter_id = chosen_id(&v.datacenter_id).unwrap_or_else(|_| {
        errors.insert(
            "datacenter_id",
            "Choose one of the listed datacenters.".to_owned(),
        );
        None
    });
    match size {
        Some(size) if errors.is_empty() => Ok(CreateSharedStorage {
            name: v.name.clone(),
            size,
            description: (!v.description.is_empty()).then(|| v.description.clone()),
            datacenter_id,
        }),
        _ => Err(errors),
    }
}

/// A creation, described for the audit log and the member.
pub(crate) fn change(request: &CreateSharedStorage) -> Change {
    Change::new(
        "shared_storage.create",
        json!({
            "name": request.name,
            "description": request.description,
            "size": request.size,
            "datacenter_id": request.datacenter_id,
        }),
        "Creating {name}.",
    )
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    form: web::Form<Values>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SHARED_STORAGES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let values = form.into_inner().trimmed();
    let request = match build(&values) {
        Ok(request) => request,
        Err(errors) => {
            return show(
                &ctx,
                &up,
                &values,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };

    let change = change(&request);
    let again = (&ctx, &up, &values);
    create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &request.name,
        up.client().create_shared_storage(&request),
        form_field,
        |fields, problem| async move {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(again.0, again.1, again.2, &fields, Some(problem), status).await
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_is_built_from_valid_values() {
        let v = Values {
            name: "files".into(),
            size: "150".into(),
            description: "Uploads".into(),
            datacenter_id: "DC1".into(),
        };
        let request = build(&v).unwrap();
        assert_eq!(request.size, 150);
        assert_eq!(request.description.as_deref(), Some("Uploads"));
        assert_eq!(request.datacenter_id.as_deref(), Some("DC1"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let v = Values {
            name: "x".repeat(129),
            description: "y".repeat(257),
            size: "75".into(),
            datacenter_id: "a/b".into(),
        };
        let errors = build(&v).unwrap_err();
        for field in ["name", "description", "size", "datacenter_id"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }
}
