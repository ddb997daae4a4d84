//! Creating a firewall policy: a name, a description and rule rows (three
//! blank ones; blank rows are skipped, at least one is needed). Every value
//! is checked before anything is sent, and the form keeps what was typed.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::FAMILY;
use super::rule_row::{CREATE_PROTOCOLS, RuleRow};
use super::rules::{mark_repeats, rules_details};
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::networks::CreateFirewallPolicy;
use crate::rbac::perms;
use crate::web::cloud::queued;
use crate::web::cloud::{AccountParam, Fallback, Upstream, connect, recorded};
use crate::web::error::AppResult;
use crate::web::networks::form::{Fields, check_description, check_name};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

/// Rows the form shows; a form that comes back keeps every row it had.
const ROWS: usize = 3;
/// Rows read from a posted form at most (rules the API takes at most).
pub(crate) const MAX_ROWS: usize = 20;

/// What the user typed.
pub struct Values {
    pub name: String,
    pub description: String,
    pub rows: Vec<RuleRow>,
}

impl Values {
    fn blank() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            rows: (1..=ROWS).map(row).collect(),
        }
    }

    fn parse(body: &[u8]) -> Self {
        let fields = Fields::parse(body);
        let rows: Vec<RuleRow> = (1..=MAX_ROWS)
            .filter(|n| fields.has(&format!("r{n}_protocol")) || fields.has(&format!("r{n}_port")))
            .map(|n| {
                RuleRow::read(
                    &format!("r{n}"),
                    &format!("Rule {n}"),
                    CREATE_PROTOCOLS,
                    &fields,
                )
            })
            .collect();
        Self::new(fields.trimmed("name"), fields.trimmed("description"), rows)
    }

    /// The values of a new policy: its name, description and rule rows
    /// (made with [`typed_row`]), with blank rows up to the form's three.
    pub(crate) fn new(name: String, description: String, mut rows: Vec<RuleRow>) -> Self {
        while rows.len() < ROWS {
            rows.push(row(rows.len() + 1));
        }
        Self {
            name,
            description,
            rows,
        }
    }
}

fn row(n: usize) -> RuleRow {
    RuleRow::blank(&format!("r{n}"), &format!("Rule {n}"), CREATE_PROTOCOLS)
}

/// Rule row `n` (from 1) of a new policy, its fields as `get` reads them by
/// the row's own names (`protocol`, `port`, …).
pub(crate) fn typed_row(n: usize, get: impl Fn(&str) -> String) -> RuleRow {
    RuleRow::from_values(
        &format!("r{n}"),
        &format!("Rule {n}"),
        CREATE_PROTOCOLS,
        get,
    )
}

#[derive(Template)]
#[template(path = "firewall_policies/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a BTreeMap<&'static str, String>,
    has_errors: bool,
    problem: Option<String>,
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
    errors: &BTreeMap<&'static str, String>,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            errors,
            has_errors: !errors.is_empty() || v.rows.iter().any(|r| !r.errors.is_empty()),
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
    let tenant = ctx.require(perms::FIREWALL_POLICIES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(
        &ctx,
        &up,
        &Values::blank(),
        &BTreeMap::new(),
        None,
        StatusCode::OK,
    )
}

/// The request, or the problems (beside the fields, and in the rows).
pub(crate) fn build(
    v: &mut Values,
) -> Result<CreateFirewallPolicy, BTreeMap<&'static str, String>> {
    let mut errors = BTreeMap::new();
    if let Err(message) = check_name(&v.name) {
        errors.insert("name", message);
    }
    if let Err(message) = check_description(&v.description) {
        errors.insert("description", message);
    }
    let mut rules = Vec::new();
    let mut rows_ok = true;
    for (i, row) in v.rows.iter_mut().enumerate() {
        if row.is_blank() {
            row.errors.clear();
            continue;
        }
        match row.check() {
            Some(rule) => rules.push((i, rule)),
            None => rows_ok = false,
        }
    }
    mark_repeats(&mut v.rows, &rules);
    if rows_ok
        && rules.is_empty()
        && let Some(first) = v.rows.first_mut()
    {
        first.errors.insert(
            "protocol",
            "A policy needs at least one rule: fill in a row.".into(),
        );
    }
    let rows_ok = v.rows.iter().all(|r| r.errors.is_empty());
    if !errors.is_empty() || !rows_ok {
        return Err(errors);
    }
    Ok(CreateFirewallPolicy {
        name: v.name.clone(),
        description: (!v.description.is_empty()).then(|| v.description.clone()),
        rules: rules.into_iter().map(|(_, r)| r).collect(),
    })
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::FIREWALL_POLICIES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let mut values = Values::parse(&body);
    let request = match build(&mut values) {
        Ok(request) => request,
        Err(errors) => {
            return show(
                &ctx,
                &up,
                &values,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };

    let event = NewEvent::new("firewall_policy.create", Outcome::Requested)
        .target(FAMILY.kind, "", &request.name)
        .details(create_details(&request));
    let answer = recorded(
        &up,
        event,
        up.client().create_firewall_policy(&request),
        |policy| (policy.id.clone(), policy.name.clone()),
    )
    .await?;
    match answer {
        Ok(policy) => {
            flash::success(
                &session,
                format!("Creating {}: it is being configured now.", policy.name),
            );
            if policy.id.is_empty() {
                return Ok(redirect(&FAMILY.list_on(&ctx, &up)));
            }
            Ok(redirect(&FAMILY.page_href(&ctx, &up, &policy.id)))
        }
        Err(e) => {
            // Waiting in the account's queue: news, not a problem with the form.
            if let Some(queued) = queued(&session, &e, &FAMILY.list_on(&ctx, &up)) {
                return Ok(queued);
            }
            // A taken name is the name field's problem; anything else the form's.
            let mut errors = BTreeMap::new();
            if let CloudError::Rejected { kind, .. } = &e
                && kind == "INVALID_NAME"
            {
                errors.insert("name", e.user_message());
            }
            let problem = if errors.is_empty() {
                match &e {
                    CloudError::Rejected { .. }
                    | CloudError::Forbidden { .. }
                    | CloudError::RateLimited { .. } => {
                        format!("{} Nothing was created.", e.user_message())
                    }
                    other => format!("Nothing was created. {}", other.user_message()),
                }
            } else {
                "The Cloud Panel refused the name; see the message beside it. Nothing was created."
                    .to_owned()
            };
            show(
                &ctx,
                &up,
                &values,
                &errors,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

/// What the audit log records of a new policy.
pub(crate) fn create_details(request: &CreateFirewallPolicy) -> serde_json::Value {
    json!({
        "name": request.name,
        "description": request.description,
        "rules": rules_details(&request.rules),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_are_skipped_and_the_rest_sent() {
        let mut v = Values::parse(
            b"name=web&description=&r1_protocol=TCP&r1_port=80&r1_action=allow&r1_source=\
              &r2_protocol=&r2_port=&r3_protocol=ICMP&r3_port=&r3_action=allow",
        );
        let request = build(&mut v).unwrap();
        assert_eq!(request.rules.len(), 2);
        assert_eq!(request.rules[1].protocol.as_str(), "ICMP");
    }

    #[test]
    fn a_policy_without_rules_is_refused_beside_the_first_row() {
        let mut v = Values::parse(b"name=web&r1_protocol=&r2_protocol=&r3_protocol=");
        assert!(build(&mut v).is_err());
        assert!(v.rows[0].error("protocol").is_some());
    }

    #[test]
    fn every_row_keeps_its_own_messages() {
        let mut v = Values::parse(
            b"name=&r1_protocol=TCP&r1_port=99999&r2_protocol=TCP%2FUDP&r2_port=1\
              &r3_protocol=UDP&r3_port=53&r4_protocol=UDP&r4_port=53",
        );
        let errors = build(&mut v).unwrap_err();
        assert!(errors.contains_key("name"));
        assert!(v.rows[0].error("port").is_some());
        assert!(
            v.rows[1].error("protocol").is_some(),
            "TCP/UDP is not a create protocol"
        );
        assert!(v.rows[2].errors.is_empty());
        assert!(v.rows[3].error("port").is_some(), "a repeated rule");
        assert_eq!(v.rows.len(), 4, "every posted row comes back");
    }
}
