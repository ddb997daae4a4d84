//! Creating a load balancer: name, description, datacenter, health check,
//! persistence, method, and rule rows (three blank ones; blank rows are
//! skipped, at least one is needed). Every value is checked before anything
//! is sent, and the form keeps what was typed.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::FAMILY;
use super::rule_row::RuleRow;
use super::rules::{mark_overlaps, rules_details};
use super::settings::Settings;
use crate::cloudpanel::networks::CreateLoadBalancer;
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Change, Choices, Fallback, Upstream, chosen_id, connect};
use crate::web::error::AppResult;
use crate::web::networks::form::{Fields, check_description, check_name};
use crate::web::networks::parts::datacenter_choices;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

const ROWS: usize = 3;
/// Rows read from a posted form at most (rules the API takes at most).
pub(crate) const MAX_ROWS: usize = 20;

/// What the user typed.
pub struct Values {
    pub name: String,
    pub description: String,
    pub datacenter_id: String,
    pub settings: Settings,
    pub rows: Vec<RuleRow>,
}

impl Values {
    fn blank() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            datacenter_id: String::new(),
            settings: Settings::defaults(""),
            rows: (1..=ROWS).map(row).collect(),
        }
    }

    fn parse(body: &[u8]) -> Self {
        let fields = Fields::parse(body);
        let rows: Vec<RuleRow> = (1..=MAX_ROWS)
            .filter(|n| {
                fields.has(&format!("r{n}_protocol")) || fields.has(&format!("r{n}_port_balancer"))
            })
            .map(|n| RuleRow::read(&format!("r{n}"), &format!("Rule {n}"), &fields))
            .collect();
        Self {
            name: fields.trimmed("name"),
            description: fields.trimmed("description"),
            datacenter_id: fields.trimmed("datacenter_id"),
            settings: Settings::read(&fields, ""),
            rows: with_blank_rows(rows),
        }
    }

    pub fn settings_ref(&self) -> &Settings {
        &self.settings
    }
}

fn row(n: usize) -> RuleRow {
    RuleRow::blank(&format!("r{n}"), &format!("Rule {n}"))
}

/// `rows`, with blank ones up to the form's three.
pub(crate) fn with_blank_rows(mut rows: Vec<RuleRow>) -> Vec<RuleRow> {
    while rows.len() < ROWS {
        rows.push(row(rows.len() + 1));
    }
    rows
}

/// Rule row `n` (from 1) of a new balancer, its fields as `get` reads them
/// by the row's own names (`protocol`, `port_balancer`, …).
pub(crate) fn typed_row(n: usize, get: impl Fn(&str) -> String) -> RuleRow {
    RuleRow::from_values(&format!("r{n}"), &format!("Rule {n}"), get)
}

#[derive(Template)]
#[template(path = "load_balancers/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    datacenters: Choices,
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

async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    v: &Values,
    errors: &BTreeMap<&'static str, String>,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let datacenters = datacenter_choices(up).await;
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            datacenters,
            errors,
            has_errors: !errors.is_empty()
                || !v.settings.errors.is_empty()
                || v.rows.iter().any(|r| !r.errors.is_empty()),
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
    let tenant = ctx.require(perms::LOAD_BALANCERS_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(
        &ctx,
        &up,
        &Values::blank(),
        &BTreeMap::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The request, or the problems (beside the fields, in the settings and in the rows).
pub(crate) fn build(v: &mut Values) -> Result<CreateLoadBalancer, BTreeMap<&'static str, String>> {
    let mut errors = BTreeMap::new();
    if let Err(message) = check_name(&v.name) {
        errors.insert("name", message);
    }
    if let Err(message) = check_description(&v.description) {
        errors.insert("description", message);
    }
    let datacenter_id = chosen_id(&v.datacenter_id).unwrap_or_else(|_| {
        errors.insert(
            "datacenter_id",
            "Choose one of the listed datacenters.".into(),
        );
        None
    });
    let settings = v.settings.check();
    let test = v.settings.test.clone();
    let mut rules = Vec::new();
    for (i, row) in v.rows.iter_mut().enumerate() {
        if row.is_blank() {
            row.errors.clear();
            continue;
        }
        if let Some(rule) = row.check(&test) {
            rules.push((i, rule));
        }
    }
    mark_overlaps(&mut v.rows, &rules);
    let rows_ok = v.rows.iter().all(|r| r.errors.is_empty());
    if rows_ok
        && rules.is_empty()
        && let Some(first) = v.rows.first_mut()
    {
        first.errors.insert(
            "protocol",
            "A load balancer needs at least one rule: fill in a row.".into(),
        );
    }
    let rows_ok = v.rows.iter().all(|r| r.errors.is_empty());
    match settings {
        Some(s) if errors.is_empty() && rows_ok => Ok(CreateLoadBalancer {
            name: v.name.clone(),
            description: (!v.description.is_empty()).then(|| v.description.clone()),
            health_check_test: s.test,
            health_check_interval: s.interval,
            health_check_path: s.path,
            health_check_parse: s.parser,
            persistence: s.persistence,
            persistence_time: s.persistence_time,
            method: s.method,
            datacenter_id,
            rules: rules.into_iter().map(|(_, r)| r).collect(),
        }),
        _ => Err(errors),
    }
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::LOAD_BALANCERS_CREATE).await?;
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
            )
            .await;
        }
    };

    let change = Change::new(
        "load_balancer.create",
        create_details(&request),
        "Creating {name}: it is being configured and gets its IP address meanwhile.",
    );
    let again = (&ctx, &up, &values);
    crate::web::cloud::create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &request.name,
        up.client().create_load_balancer(&request),
        // The API's words go above the form, none beside a field.
        |_| None,
        |errors, problem| async move {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(again.0, again.1, again.2, &errors, Some(problem), status).await
        },
    )
    .await
}

/// What the audit log records of a new balancer.
pub(crate) fn create_details(request: &CreateLoadBalancer) -> serde_json::Value {
    json!({
        "name": request.name,
        "description": request.description,
        "datacenter_id": request.datacenter_id,
        "health_check_test": request.health_check_test.as_str(),
        "health_check_interval": request.health_check_interval,
        "health_check_path": request.health_check_path,
        "health_check_parse": request.health_check_parse,
        "persistence": request.persistence,
        "persistence_time": request.persistence_time,
        "method": request.method.as_str(),
        "rules": rules_details(&request.rules),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: &str = "health_check_test=TCP&health_check_interval=15&persistence=true\
                            &persistence_time=1200&method=ROUND_ROBIN";

    #[test]
    fn a_balancer_with_two_rules_is_built() {
        let body = format!(
            "name=lb&{SETTINGS}&r1_protocol=TCP&r1_port_balancer=80&r1_port_server=8080\
             &r2_protocol=&r2_port_balancer=&r2_port_server=\
             &r3_protocol=UDP&r3_port_balancer=53&r3_port_server=53"
        );
        let mut v = Values::parse(body.as_bytes());
        let request = build(&mut v).unwrap();
        assert_eq!(request.rules.len(), 2);
        assert_eq!(request.rules[0].port_server, 8080);
        assert!(request.persistence);
        assert_eq!(request.datacenter_id, None);
    }

    #[test]
    fn every_bad_value_is_named_where_it_was_typed() {
        let body = "name=&health_check_test=HTTP&health_check_interval=1&persistence_time=10\
                    &method=ROUND_ROBIN&datacenter_id=..%2Fx\
                    &r1_protocol=TCP&r1_port_balancer=0&r1_port_server=0\
                    &r2_protocol=TCP&r2_port_balancer=443&r2_port_server=443\
                    &r3_protocol=TCP&r3_port_balancer=443&r3_port_server=8443";
        let mut v = Values::parse(body.as_bytes());
        let errors = build(&mut v).unwrap_err();
        assert!(errors.contains_key("name") && errors.contains_key("datacenter_id"));
        for field in [
            "health_check_interval",
            "health_check_path",
            "persistence_time",
        ] {
            assert!(v.settings.error(field).is_some(), "{field}");
        }
        assert!(
            v.rows[0].error("port_balancer").is_some(),
            "port 0 with HTTP"
        );
        assert!(v.rows[1].errors.is_empty());
        assert!(v.rows[2].error("port_balancer").is_some(), "overlap");
    }

    #[test]
    fn a_balancer_without_rules_is_refused_beside_the_first_row() {
        let mut v = Values::parse(format!("name=lb&{SETTINGS}").as_bytes());
        assert!(build(&mut v).is_err());
        assert!(v.rows[0].error("protocol").is_some());
    }
}
