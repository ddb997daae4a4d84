//! A family of cloud resources declared once ([`Family`]), the object a
//! request names ([`Object`]), and the pages every family's list shares: the
//! list with its search, sort and pages, and the row a refreshing row asks
//! for again ([`Listed`], [`list_page`], [`row_fragment`]).

use std::future::Future;

use actix_session::Session;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::{Ready, ready};

use serde_json::Value;

use super::bulk_card::BulkCard;
use super::change::{Act, Change, Named, Target, Then};
use super::form::check_typed_name;
use super::listing::{ListParams, ListView, Loaded, list};
use super::{AccountParam, Fallback, Upstream, check_id, connect};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::Permission;
use crate::tenant::{AccountList, BulkFamily};
use crate::web::confirm::TypedName;
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;

/// What the pages of one family of cloud resources share, declared once.
#[derive(Debug)]
pub struct Family {
    /// The audit log's target type: `block_storage`.
    pub kind: &'static str,
    /// The URL word after `/o/{slug}/`, the templates' folder and the menu
    /// entry: `block_storages`.
    pub word: &'static str,
    /// The API's address of one of them, `{id}` standing for its id
    /// (`/block_storages/{id}`): where a scoped member's change checks the
    /// object first (see [`Object::act`]).
    pub object: &'static str,
    /// Its list's title: `Block storages`.
    pub title: &'static str,
    /// One of them, in words: `block storage`.
    pub one: &'static str,
    /// More of them, in words: `block storages`.
    pub many: &'static str,
    /// The flag to see them.
    pub show: Permission,
    /// The flag to create one.
    pub create: Permission,
}

impl Family {
    /// Its list, in words: `the block storages`.
    pub fn all(&self) -> String {
        format!("the {}", self.many)
    }

    /// The list table's id: `block-storages`.
    pub fn table_id(&self) -> String {
        self.word.replace('_', "-")
    }

    /// The create link's id: `new-block-storage`.
    pub fn new_id(&self) -> String {
        format!("new-{}", self.one.replace(' ', "-").to_lowercase())
    }

    /// An object's page without the account query, so that sub-addresses
    /// can be appended: `{href}/status{query}`.
    pub fn href(&self, ctx: &OrgCtx, id: &str) -> String {
        ctx.href(&format!("{}/{id}", self.word))
    }

    /// The list without the account query (the search form's action).
    pub fn list_href(&self, ctx: &OrgCtx) -> String {
        ctx.href(self.word)
    }

    /// An object's page on the account `up`.
    pub fn page_href(&self, ctx: &OrgCtx, up: &Upstream, id: &str) -> String {
        up.href(ctx, &format!("{}/{id}", self.word))
    }

    /// The list on the account `up`.
    pub fn list_on(&self, ctx: &OrgCtx, up: &Upstream) -> String {
        up.href(ctx, self.word)
    }

    /// The object a change acts on, on the account `up` (`id` empty for a creation).
    pub fn target(&self, ctx: &OrgCtx, up: &Upstream, id: &str) -> Target {
        Target {
            kind: self.kind,
            id: id.to_owned(),
            page: if id.is_empty() {
                self.list_on(ctx, up)
            } else {
                self.page_href(ctx, up, id)
            },
            list: self.list_on(ctx, up),
        }
    }
}

/// The object a request names: its `{id}`, any other `{..._id}` of the
/// path, and the cloud account (`?account=`). The ids are checked against
/// the API's id alphabet when the object is opened ([`Object::open`],
/// [`Object::act`]): after the permission, so that an address of another
/// organisation or of a signed-out member answers as any other, and a
/// malformed id is the page's own 404.
pub struct Object {
    pub id: String,
    pub account: AccountParam,
    /// The path's other ids, by name (`hdd_id`).
    others: Vec<(String, String)>,
}

impl Object {
    /// Another id of the path (`hdd_id`), checked like `id`.
    pub fn other(&self, name: &str) -> AppResult<&str> {
        self.others
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or(AppError::NotFound)
            .and_then(check_id)
    }

    /// Whether every id of the path is one the API could have given.
    fn check(&self, ctx: &OrgCtx) -> AppResult<()> {
        std::iter::once(self.id.as_str())
            .chain(self.others.iter().map(|(_, v)| v.as_str()))
            .try_for_each(|id| check_id(id).map(|_| ()))
            .map_err(|e| e.in_page(&ctx.page))
    }

    /// Checks the permission and opens the account the address names (else
    /// the one the member last chose): for the pages a member looks at.
    pub async fn open(
        &self,
        ctx: &OrgCtx,
        session: &Session,
        permission: Permission,
    ) -> AppResult<Upstream> {
        let tenant = ctx.require(permission).await?;
        self.check(ctx)?;
        connect(ctx, &tenant, session, &self.account, Fallback::Remembered).await
    }

    /// A change to this object of `family`, behind `permission`: see [`Act`].
    pub async fn act<'a>(
        &self,
        ctx: &'a OrgCtx,
        session: &'a Session,
        permission: Permission,
        family: &Family,
    ) -> AppResult<Act<'a>> {
        ctx.require(permission).await?;
        self.check(ctx)?;
        let act = Act::begin(ctx, session, &self.account, permission, |up| {
            family.target(ctx, up, &self.id)
        })
        .await?;
        // An object the member's scope leaves out is not found before the
        // form is even looked at, as another organisation's would be.
        // Other failures of this read are the change's own to report: the
        // client checks the object again before anything is sent.
        let object = family
            .object
            .replace("{id}", &crate::cloudpanel::seg(&self.id));
        match act.up.client().reach(&object).await {
            Err(e) if e.outside_scope() => Err(AppError::NotFound.in_page(&ctx.page)),
            _ => Ok(act),
        }
    }
}

impl FromRequest for Object {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut id = String::new();
        let mut others = Vec::new();
        for (name, value) in req.match_info().iter() {
            match name {
                "slug" => {}
                "id" => value.clone_into(&mut id),
                _ => others.push((name.to_owned(), value.to_owned())),
            }
        }
        // An address whose query cannot be read names no account.
        let account = web::Query::<AccountParam>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
        ready(Ok(Object {
            id,
            account,
            others,
        }))
    }
}

/// What the list page of a family shows; the family's template derefs to it.
pub struct ListPage<'a, R> {
    pub page: &'a PageCtx,
    pub family: &'static Family,
    pub rows: Vec<R>,
    pub list: ListView,
    pub accounts: AccountList,
    pub account_id: i64,
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// With `problem`, when the request limit was the cause.
    pub retry_after: Option<u64>,
    pub can_create: bool,
    pub new_href: String,
    /// The create link's words: `Create block storage`, `Add SSH key`.
    pub new_label: String,
    pub list_href: String,
    /// The bulk form beside the rows, for a family that offers one.
    pub bulk: Option<BulkCard>,
}

/// A family whose list page and refreshing rows are the common ones: the
/// list is read whole (one cached upstream call that every member and
/// every refreshing row share), searched, sorted and paged in the panel.
pub trait Listed: Templates + 'static {
    type Item: 'static;
    const FAMILY: &'static Family;
    /// The create link's words when they are not `Create <one>`.
    const NEW_LABEL: Option<&'static str> = None;
    /// The family whose bulk actions the list offers, if any.
    const BULK: Option<BulkFamily> = None;
    /// The sort orders the list offers; the first is the default.
    const SORTS: &'static [(&'static str, &'static str)];

    fn load(
        client: &AccountClient,
    ) -> impl Future<Output = Result<Fetched<Vec<Self::Item>>, CloudError>>;
    fn id(item: &Self::Item) -> &str;
    /// Whether an item matches the search (`q` is lower case).
    fn matches(item: &Self::Item, q: &str) -> bool;
    fn sort(items: &mut Vec<&Self::Item>, key: &str);
    fn row(ctx: &OrgCtx, up: &Upstream, item: &Self::Item) -> Self::Row;
    /// The row of an object that left the list meanwhile.
    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> Self::Row;
}

/// How a family's list page and its row are drawn: implemented by
/// [`list_templates!`](crate::list_templates) from the family's templates.
pub trait Templates {
    /// A row as the templates show it.
    type Row;
    fn render_list(page: ListPage<'_, Self::Row>) -> AppResult<HttpResponse>;
    fn render_row(row: &Self::Row) -> AppResult<HttpResponse>;
}

/// `GET /o/{slug}/<family>`: the list, its search, sort and pages, and the
/// account switcher (only this page loads every account).
pub async fn list_page<F: Listed>(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let family = F::FAMILY;
    let tenant = ctx.require(family.show).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from_api(&family.all(), F::load(up.client()).await, up.api_name());
    let account_id = up.row().id;
    let list_href = family.list_href(&ctx);
    let listing = list(
        &loaded.items,
        &params,
        F::SORTS,
        F::matches,
        F::sort,
        &list_href,
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|item| F::row(&ctx, &up, item))
        .collect();
    let page = ctx.page.clone().with_section(family.word);
    F::render_list(ListPage {
        page: &page,
        family,
        rows,
        list: listing.view,
        accounts,
        account_id,
        notice: loaded.notice,
        problem: loaded.problem,
        retry_after: loaded.retry_after,
        can_create: ctx.can(family.create),
        new_href: up.href(&ctx, &format!("{}/new", family.word)),
        new_label: F::NEW_LABEL.map_or_else(|| format!("Create {}", family.one), str::to_owned),
        list_href,
        bulk: F::BULK.and_then(|b| BulkCard::for_member(&ctx, &up, b)),
    })
}

/// `GET /o/{slug}/<family>/{id}/row`: one row, for a row in a transitional
/// state that refreshes itself.
pub async fn row_fragment<F: Listed>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, F::FAMILY.show).await?.polling();
    let row = current_row::<F>(&up, &ctx, &object.id).await?;
    F::render_row(&row)
}

/// A family whose detail page shows a status badge that refreshes itself
/// from the (cached) list while the object is in a transition.
pub trait HasStatus: Listed {
    fn render_status(row: &Self::Row) -> AppResult<HttpResponse>;
}

/// `GET /o/{slug}/<family>/{id}/status`: the status badge alone, for the
/// page's script while work is in progress.
pub async fn status_fragment<F: HasStatus>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, F::FAMILY.show).await?.polling();
    let row = current_row::<F>(&up, &ctx, &object.id).await?;
    F::render_status(&row)
}

/// An object's row as the (cached) list shows it now: every refreshing row
/// and status of every member costs one upstream call per cache period.
pub async fn current_row<F: Listed>(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<F::Row> {
    let items = F::load(up.client())
        .await
        .map_err(|e| AppError::cloud_from(&F::FAMILY.all(), &e, up.api_name()))?;
    Ok(match items.value.iter().find(|item| F::id(item) == id) {
        Some(item) => F::row(ctx, up, item),
        // A scoped list leaves out what is outside the scope as well as
        // what is gone: not found either way, so nothing is said of it.
        None if up.client().is_scoped() => return Err(AppError::NotFound),
        None => F::removed(ctx, up, id),
    })
}

/// A family's templates: `list_templates!(Family, Row, "list.html",
/// "row.html")` implements [`Templates`] for `Family` (its list template
/// derefs to [`ListPage`], its row template has a `row` field); with a
/// fourth path, the status badge's template (`row`, `from_refresh`) and
/// [`HasStatus`] as well.
#[macro_export]
macro_rules! list_templates {
    ($family:ty, $row:ty, $list_path:literal, $row_path:literal) => {
        #[derive(askama::Template)]
        #[template(path = $list_path)]
        pub struct ListTemplate<'a> {
            l: $crate::web::cloud::ListPage<'a, $row>,
        }

        impl<'a> std::ops::Deref for ListTemplate<'a> {
            type Target = $crate::web::cloud::ListPage<'a, $row>;

            fn deref(&self) -> &Self::Target {
                &self.l
            }
        }

        #[derive(askama::Template)]
        #[template(path = $row_path)]
        pub struct RowTemplate<'a> {
            row: &'a $row,
        }

        impl $crate::web::cloud::Templates for $family {
            type Row = $row;

            fn render_list(
                l: $crate::web::cloud::ListPage<'_, $row>,
            ) -> $crate::web::error::AppResult<actix_web::HttpResponse> {
                $crate::web::render(actix_web::http::StatusCode::OK, &ListTemplate { l })
            }

            fn render_row(row: &$row) -> $crate::web::error::AppResult<actix_web::HttpResponse> {
                $crate::web::cloud::fragment(&RowTemplate { row })
            }
        }
    };
    ($family:ty, $row:ty, $list_path:literal, $row_path:literal, $status_path:literal) => {
        $crate::list_templates!($family, $row, $list_path, $row_path);

        /// The status badge, as it refreshes itself.
        #[derive(askama::Template)]
        #[template(path = $status_path)]
        pub struct StatusTemplate<'a> {
            row: &'a $row,
            from_refresh: bool,
        }

        impl $crate::web::cloud::HasStatus for $family {
            fn render_status(row: &$row) -> $crate::web::error::AppResult<actix_web::HttpResponse> {
                $crate::web::cloud::fragment(&StatusTemplate {
                    row,
                    from_refresh: true,
                })
            }
        }
    };
}

/// A family whose objects are deleted with their name typed to confirm:
/// the generic [`delete`] is its delete handler.
pub trait Deletable: Listed {
    /// The flag to delete one.
    const DELETE: Permission;
    /// The audit log's action: `block_storage.delete`.
    const ACTION: &'static str;
    /// What the delete call answers with.
    type Answer: Named;

    fn get(
        client: &AccountClient,
        id: &str,
    ) -> impl Future<Output = Result<Fetched<Self::Item>, CloudError>>;
    fn delete(
        client: &AccountClient,
        id: &str,
    ) -> impl Future<Output = Result<Self::Answer, CloudError>>;
    /// The name to type: the object's current name.
    fn typed(item: &Self::Item) -> &str;
    /// What the deletion takes with it, for the audit log.
    fn details(_item: &Self::Item) -> Value {
        Value::Null
    }
}

/// `POST /o/{slug}/<family>/{id}/delete`: the typed name is compared with
/// the object's current name (read first: fail closed when it cannot be),
/// then the audited deletion, and the member goes to the list.
pub async fn delete<F: Deletable>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let act = object.act(&ctx, &session, F::DELETE, F::FAMILY).await?;
    let current = match F::get(act.up.client(), &object.id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(F::FAMILY.one, &e),
    };
    let what = format!("{}'s name", F::FAMILY.one);
    if let Err(message) = check_typed_name(&what, F::typed(&current), &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change::new(F::ACTION, F::details(&current), "Deleting {name}.").then(Then::List);
    act.run(change, F::delete(act.up.client(), &object.id))
        .await
}
