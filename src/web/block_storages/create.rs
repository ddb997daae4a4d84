//! Creating a block storage: a name, a size, a datacenter and, optionally,
//! the server to attach it to. Every value is checked before anything is
//! sent, and the form keeps what was typed.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::servers::Server;
use crate::cloudpanel::storages::CreateBlockStorage;
use crate::rbac::{Permission, perms};
use crate::web::cloud::{
    AccountParam, Change, Choice, Choices, Fallback, Upstream, chosen_id, connect, create,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;
use crate::web::storages::form_field;
use crate::web::storages::{
    BLOCK_SIZE, FieldErrors, check_description, check_name, datacenter_label,
};

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
    #[serde(default)]
    pub(crate) server_id: String,
}

impl Values {
    fn defaults() -> Self {
        Self {
            size: "50".into(),
            ..Self::default()
        }
    }

    pub(crate) fn trimmed(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        self.size = self.size.trim().to_owned();
        self
    }

    /// The flag a creation needs besides `block_storages.create`:
    /// attaching on creation is an attach.
    pub(crate) fn attach_flag(&self) -> Option<Permission> {
        (!self.server_id.trim().is_empty()).then_some(perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER)
    }
}

/// The options of the selects, and the servers as the API gave them (to
/// check that a chosen server is in the chosen datacenter).
struct Options {
    datacenters: Choices,
    /// The account's default datacenter, preselected.
    default_datacenter: String,
    servers: Choices,
    server_list: Vec<Server>,
}

async fn load_options(up: &Upstream, with_servers: bool) -> Options {
    let c = up.client();
    let all = ListQuery::all();
    let (datacenters, servers) = futures_util::join!(c.list_datacenters(&all), async {
        if with_servers {
            Some(c.list_servers_shared(&all).await)
        } else {
            None
        }
    });
    let default_datacenter = datacenters
        .as_ref()
        .ok()
        .and_then(|f| f.value.iter().find(|d| d.default))
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let datacenters = Choices::from("the datacenters", datacenters, |d| {
        Choice::of(&d.id, &format!("{} ({})", d.location, d.country_code))
    });
    let (servers, server_list) = match servers {
        Some(Ok(fetched)) => {
            let mut list: Vec<Server> = fetched.value.as_ref().clone();
            list.sort_by_key(|s| s.name.to_lowercase());
            let items = list
                .iter()
                .map(|s| {
                    Choice::of(
                        &s.id,
                        &format!("{} · {}", s.name, datacenter_label(&s.datacenter)),
                    )
                })
                .collect();
            (
                Choices {
                    items,
                    problem: None,
                },
                list,
            )
        }
        Some(Err(e)) => (
            Choices {
                items: Vec::new(),
                problem: Some(crate::web::cloud::read_problem("the servers", &e)),
            },
            Vec::new(),
        ),
        None => (Choices::default(), Vec::new()),
    };
    Options {
        datacenters,
        default_datacenter,
        servers,
        server_list,
    }
}

#[derive(Template)]
#[template(path = "block_storages/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    o: &'a Options,
    errors: &'a FieldErrors,
    problem: Option<String>,
    load_problems: Vec<String>,
    /// The server select, for members who may attach block storages.
    can_attach: bool,
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
            id == self.o.default_datacenter
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
    let can_attach = ctx.can(perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER);
    let o = load_options(up, can_attach).await;
    let page = ctx.page.clone().with_section("block_storages");
    let load_problems = [&o.datacenters, &o.servers]
        .iter()
        .filter_map(|c| c.problem.clone())
        .collect();
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            o: &o,
            errors,
            problem,
            load_problems,
            can_attach,
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
    let tenant = ctx.require(perms::BLOCK_STORAGES_CREATE).await?;
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

/// An id from a select: on this form a malformed one is a message beside its field.
fn optional_id(raw: &str, field: &'static str, errors: &mut FieldErrors) -> Option<String> {
    chosen_id(raw).unwrap_or_else(|_| {
        errors.insert(field, "Choose one of the listed options.".to_owned());
        None
    })
}

/// Turns the typed values into the API request, or the problems per field.
/// `servers` (when known) lets a server in another datacenter be refused
/// before anything is sent; `default_datacenter` is where an unnamed one goes.
fn build(
    v: &Values,
    servers: &[Server],
    default_datacenter: &str,
) -> Result<CreateBlockStorage, FieldErrors> {
    let mut errors = FieldErrors::new();
    check_name(&v.name, &mut errors);
    check_description(&v.description, &mut errors);
    let size = BLOCK_SIZE
        .parse(&v.size)
        .map_err(|e| errors.insert("size", e))
        .ok();
    let datacenter_id = optional_id(&v.datacenter_id, "datacenter_id", &mut errors);
    let server_id = optional_id(&v.server_id, "server_id", &mut errors);
    if let Some(server) = server_id
        .as_deref()
        .and_then(|id| servers.iter().find(|s| s.id == id))
    {
        let wanted = datacenter_id.as_deref().unwrap_or(default_datacenter);
        if !wanted.is_empty() && server.datacenter.id != wanted {
            errors.insert(
                "server_id",
                format!(
                    "{} is in {}: a block storage can only be attached to a server in its own \
                     datacenter. Choose that datacenter or another server.",
                    server.name,
                    datacenter_label(&server.datacenter)
                ),
            );
        }
    }
    match size {
        Some(size) if errors.is_empty() => Ok(CreateBlockStorage {
            name: v.name.clone(),
            size,
            description: (!v.description.is_empty()).then(|| v.description.clone()),
            datacenter_id,
            server_id,
        }),
        _ => Err(errors),
    }
}

/// The request a creation sends, checked as the form checks it; a server
/// to attach is checked against the account's servers (when they can be
/// read) to be in the storage's datacenter.
pub(crate) async fn request(
    up: &Upstream,
    values: &Values,
) -> Result<CreateBlockStorage, FieldErrors> {
    let checks = if values.server_id.trim().is_empty() {
        None
    } else {
        Some(load_options(up, true).await)
    };
    let (servers, default_datacenter) = checks.as_ref().map_or((&[][..], ""), |o| {
        (o.server_list.as_slice(), o.default_datacenter.as_str())
    });
    build(values, servers, default_datacenter)
}

/// A creation, described for the audit log and the member.
pub(crate) fn change(request: &CreateBlockStorage) -> Change {
    Change::new(
        "block_storage.create",
        json!({
            "name": request.name,
            "description": request.description,
            "size": request.size,
            "datacenter_id": request.datacenter_id,
            "server_id": request.server_id,
        }),
        if request.server_id.is_some() {
            "Creating {name}; it is attached to the server once it is ready."
        } else {
            "Creating {name}."
        },
    )
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    form: web::Form<Values>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::BLOCK_STORAGES_CREATE).await?;
    let values = form.into_inner().trimmed();
    // Attaching on creation is an attach: it needs that flag as well.
    if let Some(flag) = values.attach_flag() {
        ctx.require(flag).await?;
    }
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let request = match request(&up, &values).await {
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
        up.client().create_block_storage(&request),
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

    fn valid() -> Values {
        Values {
            name: "data".into(),
            size: "40".into(),
            ..Values::default()
        }
    }

    fn server(id: &str, dc: &str) -> Server {
        let mut server = Server {
            id: id.into(),
            name: format!("srv-{id}"),
            ..Server::default()
        };
        server.datacenter.id = dc.into();
        server
    }

    #[test]
    fn a_storage_is_built_from_valid_values() {
        let request = build(&valid(), &[], "").unwrap();
        assert_eq!((request.name.as_str(), request.size), ("data", 40));
        assert_eq!(request.server_id, None);
        assert_eq!(request.description, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let v = Values {
            name: String::new(),
            description: "x".repeat(300),
            size: "25".into(),
            datacenter_id: "../x".into(),
            server_id: String::new(),
        };
        let errors = build(&v, &[], "").unwrap_err();
        for field in ["name", "description", "size", "datacenter_id"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_server_in_another_datacenter_is_refused() {
        let servers = [server("S1", "DC1"), server("S2", "DC2")];
        let v = Values {
            server_id: "S2".into(),
            ..valid()
        };
        let errors = build(&v, &servers, "DC1").unwrap_err();
        assert!(errors["server_id"].contains("srv-S2"), "{errors:?}");
        let v = Values {
            server_id: "S2".into(),
            datacenter_id: "DC2".into(),
            ..valid()
        };
        assert_eq!(
            build(&v, &servers, "DC1").unwrap().server_id.as_deref(),
            Some("S2")
        );
    }
}
