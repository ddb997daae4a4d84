//! `/o/{slug}/catalogue`: the six lists, each with how many items it holds.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{
    BAREMETAL_MODELS, DATACENTERS, DVD_ISOS, FIXED_SIZES, Kind, RECOVERY_APPLIANCES, SECTION,
    SERVER_APPLIANCES,
};
use crate::cloudpanel::{CloudError, Fetched, ListQuery};
use crate::tenant::AccountList;
use crate::web::cloud::ListParams;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One list on the index.
pub struct Entry {
    pub kind: &'static Kind,
    /// The list's page, with the account query.
    pub href: String,
    /// `None` when the list could not be read.
    pub count: Option<usize>,
}

#[derive(Template)]
#[template(path = "catalogue/index.html")]
struct IndexPage<'a> {
    page: &'a PageCtx,
    entries: Vec<Entry>,
    accounts: AccountList,
    account_id: i64,
    list_href: String,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
}

/// What the reads of the lists left to say: the first problem, the longest wait.
#[derive(Default)]
struct Outcome {
    problems: Vec<String>,
    notice: Option<String>,
    retry_after: Option<u64>,
}

impl Outcome {
    fn count<T>(
        &mut self,
        kind: &Kind,
        result: Result<Fetched<Vec<T>>, CloudError>,
    ) -> Option<usize> {
        match result {
            Ok(fetched) => {
                if self.notice.is_none() {
                    self.notice = fetched.freshness().map(|f| format!("Showing {f}."));
                }
                Some(fetched.value.len())
            }
            Err(e) => {
                self.problems
                    .push(format!("the {} ({})", kind.many, e.summary()));
                self.retry_after = self.retry_after.max(e.retry_after_secs());
                None
            }
        }
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let (up, accounts) = super::open(&ctx, &session, params.account_id()).await?;
    let client = up.client();
    let all = ListQuery::all();
    // Six reads side by side: on a cold cache the page waits for the
    // slowest, not for their sum.
    let (datacenters, appliances, sizes, models, isos, recovery) = futures_util::join!(
        client.list_datacenters(&all),
        client.list_server_appliances(&all),
        client.list_fixed_instance_sizes(),
        client.list_baremetal_models(),
        client.list_dvd_isos(&all),
        client.list_recovery_appliances(&all),
    );
    let mut outcome = Outcome::default();
    let counts = [
        outcome.count(&DATACENTERS, datacenters),
        outcome.count(&SERVER_APPLIANCES, appliances),
        outcome.count(&FIXED_SIZES, sizes),
        outcome.count(&BAREMETAL_MODELS, models),
        outcome.count(&DVD_ISOS, isos),
        outcome.count(&RECOVERY_APPLIANCES, recovery),
    ];
    let kinds = [
        &DATACENTERS,
        &SERVER_APPLIANCES,
        &FIXED_SIZES,
        &BAREMETAL_MODELS,
        &DVD_ISOS,
        &RECOVERY_APPLIANCES,
    ];
    let query = up.query();
    let entries = kinds
        .into_iter()
        .zip(counts)
        .map(|(kind, count)| Entry {
            kind,
            href: format!("{}{query}", kind.list_href(&ctx)),
            count,
        })
        .collect();
    let problem = (!outcome.problems.is_empty())
        .then(|| format!("Could not load {}.", outcome.problems.join("; ")));
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &IndexPage {
            page: &page,
            entries,
            accounts,
            account_id: up.row().id,
            list_href: ctx.href("catalogue"),
            notice: outcome.notice,
            problem,
            retry_after: outcome.retry_after,
        },
    )
}
