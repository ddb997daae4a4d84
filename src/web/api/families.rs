//! Every family's list and detail, read the way its list page reads them:
//! one cached upstream list, searched, sorted and paged in the panel with
//! the family's own search and sorts ([`Listed`]), so a script and a page
//! share one upstream call. A detail is the object of that list.

use std::future::Future;
use std::sync::Arc;

use actix_web::{HttpResponse, Route};
use serde::Serialize;
use serde_json::{Value, json};

use super::act::{meta, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::{ACCOUNT, ApiRoute, DETAIL_QUERY, Kind, Param, Verb};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::web::cloud::{Family, Listed, PER_PAGE};

/// What the API lists of a family: its list page's read, search and sorts.
pub trait Collection: 'static {
    type Item: Serialize + 'static;
    fn family() -> &'static Family;
    fn sorts() -> &'static [(&'static str, &'static str)];
    /// The whole list, shared with every read of the same stored answer.
    fn load(
        client: &AccountClient,
    ) -> impl Future<Output = Result<Fetched<Arc<Vec<Self::Item>>>, CloudError>>;
    fn id(item: &Self::Item) -> &str;
    fn matches(item: &Self::Item, q: &str) -> bool;
    fn sort(items: &mut Vec<&Self::Item>, key: &str);
}

impl<F: Listed> Collection for F
where
    F::Item: Serialize,
{
    type Item = F::Item;

    fn family() -> &'static Family {
        F::FAMILY
    }

    fn sorts() -> &'static [(&'static str, &'static str)] {
        F::SORTS
    }

    async fn load(client: &AccountClient) -> Result<Fetched<Arc<Vec<F::Item>>>, CloudError> {
        F::load(client).await.map(|fetched| fetched.map(Arc::new))
    }

    fn id(item: &F::Item) -> &str {
        F::id(item)
    }

    fn matches(item: &F::Item, q: &str) -> bool {
        F::matches(item, q)
    }

    fn sort(items: &mut Vec<&F::Item>, key: &str) {
        F::sort(items, key);
    }
}

/// The parameters of every list.
pub const LIST_QUERY: &[Param] = &[
    ACCOUNT,
    Param::optional(
        "q",
        Kind::Text,
        "Only objects whose name, description, id or place contains this (any case).",
    ),
    Param::optional(
        "sort",
        Kind::Text,
        "One of the family's sort orders (as its list page offers them); its first when absent.",
    ),
    Param::optional("page", Kind::Integer, "The page, from 1."),
    Param::optional(
        "per_page",
        Kind::Integer,
        "Objects per page, at most 200; 50 when absent.",
    ),
];

const MAX_PER_PAGE: u64 = 200;

/// `GET /api/v1/o/{slug}/<family>`.
pub async fn list<C: Collection>(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let family = C::family();
    let query = ctx.query(LIST_QUERY)?;
    let sort = match query.get("sort") {
        Some(s) if C::sorts().iter().any(|(key, _)| *key == s) => s,
        Some(_) => {
            let known: Vec<&str> = C::sorts().iter().map(|(key, _)| *key).collect();
            return Err(ApiError::invalid(format!(
                "sort must be one of: {}",
                known.join(", ")
            )));
        }
        None => C::sorts().first().map_or("", |(key, _)| key),
    };
    let page = query.number("page")?.unwrap_or(1);
    let per_page = query
        .number("per_page")?
        .unwrap_or(u64::try_from(PER_PAGE).unwrap_or(25))
        .min(MAX_PER_PAGE);
    let up = ctx.open(family.show, query.account()?).await?;
    let fetched = C::load(up.client())
        .await
        .map_err(|e| read_failed(&up, &e))?;
    let q = query.get("q").map(str::to_lowercase).unwrap_or_default();
    let mut items: Vec<&C::Item> = fetched
        .value
        .iter()
        .filter(|item| q.is_empty() || C::matches(item, &q))
        .collect();
    C::sort(&mut items, sort);
    let total = items.len();
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let shown: Vec<&C::Item> = items.into_iter().skip(skip).take(take).collect();
    Ok(HttpResponse::Ok().json(Answer {
        key: family.word,
        value: &shown,
        meta: meta(&up, &fetched),
        page: Some(json!({ "page": page, "per_page": per_page, "total": total })),
    }))
}

/// A read's answer, `{key: value, "meta": …, "page": …}`, written straight
/// from the objects (not through an intermediate JSON tree: a list's
/// objects are most of an answer's cost).
pub struct Answer<'a, T: ?Sized> {
    pub key: &'a str,
    pub value: &'a T,
    pub meta: Value,
    pub page: Option<Value>,
}

impl<T: Serialize + ?Sized> Serialize for Answer<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(if self.page.is_some() { 3 } else { 2 }))?;
        map.serialize_entry(self.key, self.value)?;
        map.serialize_entry("meta", &self.meta)?;
        if let Some(page) = &self.page {
            map.serialize_entry("page", page)?;
        }
        map.end()
    }
}

/// `GET /api/v1/o/{slug}/<family>/{id}`: the object from the cached list;
/// one that is not there is not found.
pub async fn detail<C: Collection>(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let family = C::family();
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let up = ctx.open(family.show, query.account()?).await?;
    let fetched = C::load(up.client())
        .await
        .map_err(|e| read_failed(&up, &e))?;
    let item = fetched
        .value
        .iter()
        .find(|item| C::id(item) == id)
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(Answer {
        key: family.kind,
        value: item,
        meta: meta(&up, &fetched),
        page: None,
    }))
}

/// The list and detail routes of a family.
pub fn routes<C: Collection>() -> Vec<ApiRoute> {
    let family = C::family();
    let word = family.word;
    vec![
        ApiRoute::org(
            Verb::Get,
            &format!("/{word}"),
            family.title,
            format!("List {}", family.many),
            Some(family.show),
            |r: Route| r.to(list::<C>),
        )
        .query(LIST_QUERY),
        ApiRoute::org(
            Verb::Get,
            &format!("/{word}/{{id}}"),
            family.title,
            format!("Show a {}", family.one),
            Some(family.show),
            |r: Route| r.to(detail::<C>),
        )
        .query(DETAIL_QUERY),
    ]
}
