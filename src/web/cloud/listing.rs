//! Search, sort and pages for a list of cloud resources, computed in the
//! panel over one cached upstream list: every member and every refreshing
//! row share a single upstream call per cache period.

use serde::Deserialize;

use crate::cloudpanel::{CloudError, Fetched};

pub const PER_PAGE: usize = 25;

/// A list for a list page, or what keeps it from showing.
pub struct Loaded<L> {
    /// The list (empty when it could not be loaded).
    pub items: L,
    /// The data is older than usual, and why.
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// With `problem`, when the request limit was the cause.
    pub retry_after: Option<u64>,
}

impl<L: Default> Loaded<L> {
    pub fn from(what: &str, result: Result<Fetched<L>, CloudError>) -> Self {
        Self::from_api(what, result, "the Cloud Panel")
    }

    /// [`Loaded::from`] for an account of the API named `api`.
    pub fn from_api(what: &str, result: Result<Fetched<L>, CloudError>, api: &str) -> Self {
        match result {
            Ok(fetched) => Self {
                notice: fetched.freshness().map(|f| format!("Showing {f}.")),
                items: fetched.value,
                problem: None,
                retry_after: None,
            },
            Err(e) => Self {
                items: L::default(),
                notice: None,
                problem: Some(match e.retry_after_secs() {
                    // Not a failure: the page fills in when the budget allows.
                    Some(_) => super::loading(what),
                    None => format!("Could not load {what}: {}", e.summary_for(api)),
                }),
                retry_after: e.retry_after_secs(),
            },
        }
    }
}

/// The query string of a list page. Anything that is not a number (page,
/// account) or not an offered sort is ignored, never an error page.
#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
}

impl ListParams {
    /// The account the address names, if it is a number.
    pub fn account_id(&self) -> Option<i64> {
        self.account.as_deref().and_then(|a| a.trim().parse().ok())
    }
}

/// One sort order a list offers: its key in the query and its words.
pub struct SortOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// What the list's controls show: the search, the sort, the count, the
/// pages, and the addresses that keep all of it (paging, Refresh, Clear).
pub struct ListView {
    pub q: String,
    pub sorts: Vec<SortOption>,
    pub total: usize,
    pub matching: usize,
    pub page_no: usize,
    pub pages: usize,
    /// The list's address without a query, for the search form.
    pub action: String,
    pub account_id: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// This very view again: same search, sort, page and account.
    pub refresh_href: String,
    /// The search cleared, the sort kept.
    pub clear_href: String,
}

/// One page of a list, and the view of its controls.
pub struct Listing<'a, T> {
    pub rows: Vec<&'a T>,
    pub view: ListView,
}

/// The sort the query asks for when `sorts` offers it, else the first one.
pub fn chosen_sort(params: &ListParams, sorts: &[(&'static str, &'static str)]) -> &'static str {
    sorts
        .iter()
        .find(|(k, _)| *k == params.sort)
        .or(sorts.first())
        .map_or("", |(k, _)| *k)
}

/// Filters `items` by the search (`matches` gets the lower-cased needle),
/// sorts them by the chosen key (`sort` gets one of `sorts`' keys; the
/// first is the default) and cuts the requested page.
pub fn list<'a, T>(
    items: &'a [T],
    params: &ListParams,
    sorts: &[(&'static str, &'static str)],
    matches: impl Fn(&T, &str) -> bool,
    sort: impl Fn(&mut Vec<&'a T>, &str),
    base: &str,
    account_id: i64,
) -> Listing<'a, T> {
    let search = Search::new(params, sorts);
    let mut shown: Vec<&T> = Vec::with_capacity(items.len());
    shown.extend(
        items
            .iter()
            .filter(|item| search.needle.is_empty() || matches(item, &search.needle)),
    );
    sort(&mut shown, search.sort);
    let total = items.len();
    cut(
        shown.into_iter(),
        total,
        search,
        params,
        sorts,
        base,
        account_id,
    )
}

/// [`list`] for items already in the order the query asks for (made once
/// per stored answer and order, see [`Fetched::derived`]): without a
/// search, the page is cut straight out of them.
pub fn list_in_order<'a, T>(
    items: &'a [T],
    params: &ListParams,
    sorts: &[(&'static str, &'static str)],
    matches: impl Fn(&T, &str) -> bool,
    base: &str,
    account_id: i64,
) -> Listing<'a, T> {
    let search = Search::new(params, sorts);
    if !search.needle.is_empty() {
        // A search filters like any list; the order is kept as it is.
        return list(items, params, sorts, matches, |_, _| {}, base, account_id);
    }
    cut(
        items.iter(),
        items.len(),
        search,
        params,
        sorts,
        base,
        account_id,
    )
}

/// The requested page of `shown` (the matching rows, in order) and the
/// view of the list's controls.
fn cut<'a, T: 'a>(
    shown: impl ExactSizeIterator<Item = &'a T>,
    total: usize,
    search: Search,
    params: &ListParams,
    sorts: &[(&'static str, &'static str)],
    base: &str,
    account_id: i64,
) -> Listing<'a, T> {
    let matching = shown.len();
    let pages = matching.div_ceil(PER_PAGE).max(1);
    let page_no = params
        .page
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let rows = shown
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let sort_key = search.sort;
    let default_sort = sorts.first().map_or("", |(k, _)| *k);
    let q = search.q;
    let href = |q: &str, page: usize| list_href(base, account_id, q, sort_key, default_sort, page);
    Listing {
        rows,
        view: ListView {
            sorts: sorts
                .iter()
                .map(|(key, label)| SortOption {
                    key,
                    label,
                    selected: *key == sort_key,
                })
                .collect(),
            total,
            matching,
            page_no,
            pages,
            action: base.to_owned(),
            account_id,
            prev_href: (page_no > 1).then(|| href(&q, page_no - 1)),
            next_href: (page_no < pages).then(|| href(&q, page_no + 1)),
            refresh_href: href(&q, page_no),
            clear_href: href("", 1),
            q,
        },
    }
}

/// What the query asks of the list: the search as typed (trimmed, at most
/// 100 characters), lower-cased to match with, and the sort.
struct Search {
    q: String,
    needle: String,
    sort: &'static str,
}

impl Search {
    fn new(params: &ListParams, sorts: &[(&'static str, &'static str)]) -> Self {
        let q: String = params.q.trim().chars().take(100).collect();
        let needle = q.to_lowercase();
        let sort = chosen_sort(params, sorts);
        Self { q, needle, sort }
    }
}

/// The list's address with its account, search, sort and page.
fn list_href(
    base: &str,
    account: i64,
    q: &str,
    sort: &str,
    default_sort: &str,
    page: usize,
) -> String {
    let mut href = String::with_capacity(base.len() + 64 + 3 * q.len());
    href.push_str(base);
    href.push('?');
    let start = href.len();
    let mut query = url::form_urlencoded::Serializer::for_suffix(href, start);
    query.append_pair("account", &account.to_string());
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    if !sort.is_empty() && sort != default_sort {
        query.append_pair("sort", sort);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    query.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SORTS: &[(&str, &str)] = &[("name", "Name (A–Z)"), ("-name", "Name (Z–A)")];

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("box-{i:03}")).collect()
    }

    fn by_name(rows: &mut Vec<&String>, key: &str) {
        rows.sort();
        if key == "-name" {
            rows.reverse();
        }
    }

    fn params(q: &str, sort: &str, page: &str) -> ListParams {
        ListParams {
            q: q.into(),
            sort: sort.into(),
            page: Some(page.into()),
            account: None,
        }
    }

    #[test]
    fn pages_keep_the_search_sort_and_account() {
        let items = names(60);
        let l = list(
            &items,
            &params("box", "-name", "2"),
            SORTS,
            |s, q| s.contains(q),
            by_name,
            "/o/a/things",
            7,
        );
        assert_eq!(l.view.pages, 3);
        assert_eq!(l.rows.first().map(|s| s.as_str()), Some("box-034"));
        assert_eq!(
            l.view.refresh_href,
            "/o/a/things?account=7&q=box&sort=-name&page=2"
        );
        assert_eq!(
            l.view.prev_href.as_deref(),
            Some("/o/a/things?account=7&q=box&sort=-name")
        );
        assert_eq!(l.view.clear_href, "/o/a/things?account=7&sort=-name");
    }

    #[test]
    fn nonsense_in_the_query_falls_back_quietly() {
        let items = names(3);
        let l = list(
            &items,
            &params("", "<script>", "abc"),
            SORTS,
            |s, q| s.contains(q),
            by_name,
            "/o/a/things",
            1,
        );
        assert_eq!(l.view.page_no, 1);
        assert!(l.view.sorts[0].selected);
        assert_eq!(l.rows.len(), 3);
    }

    #[test]
    fn rows_in_order_give_the_same_pages_as_sorting_them() {
        let items = names(60);
        for (q, page) in [
            ("", "1"),
            ("", "3"),
            ("", "99"),
            ("x", "1"),
            ("box-01", "1"),
            ("1", "2"),
        ] {
            let query = params(q, "name", page);
            let sorted = list(
                &items,
                &query,
                SORTS,
                |s, q| s.contains(q),
                by_name,
                "/o/a/t",
                2,
            );
            let ready = list_in_order(&items, &query, SORTS, |s, q| s.contains(q), "/o/a/t", 2);
            assert_eq!(sorted.rows, ready.rows, "q={q} page={page}");
            assert_eq!(
                (sorted.view.matching, sorted.view.page_no, sorted.view.pages),
                (ready.view.matching, ready.view.page_no, ready.view.pages),
                "q={q} page={page}"
            );
            assert_eq!(sorted.view.refresh_href, ready.view.refresh_href);
            assert_eq!(sorted.view.next_href, ready.view.next_href);
        }
    }
}
