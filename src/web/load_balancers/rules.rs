//! Load balancer rules: overlapping rules found in a form or on the
//! balancer, what the audit log records of a rule, and adding and removing
//! a rule.
//!
//! One rule's fields and their checks are in [`super::rule_row`].
use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use super::rule_row::{ADD_FORM, RuleRow};
use super::view::rule_summary;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::networks::{LbRule, NewLbRule, Protocol};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Upstream};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::networks::form::Fields;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

fn overlaps(a_protocol: &Protocol, a_port: u32, b: &NewLbRule) -> bool {
    *a_protocol == b.protocol && a_port == b.port_balancer
}

/// Rows of one form whose rule overlaps an earlier row's.
pub fn mark_overlaps(rows: &mut [RuleRow], rules: &[(usize, NewLbRule)]) {
    for (i, (row, rule)) in rules.iter().enumerate() {
        let earlier = rules[..i]
            .iter()
            .any(|(_, r)| overlaps(&r.protocol, r.port_balancer, rule));
        if earlier && let Some(row) = rows.get_mut(*row) {
            row.errors.insert(
                "port_balancer",
                "Another row already balances this protocol and port.".into(),
            );
        }
    }
}

pub fn rules_details(rules: &[NewLbRule]) -> serde_json::Value {
    serde_json::Value::Array(
        rules
            .iter()
            .map(|r| {
                json!({
                    "protocol": r.protocol.as_str(),
                    "port_balancer": r.port_balancer,
                    "port_server": r.port_server,
                    "source": r.source,
                })
            })
            .collect(),
    )
}

fn new_rule_summary(rule: &NewLbRule) -> String {
    rule_summary(&LbRule {
        protocol: rule.protocol.clone(),
        port_balancer: rule.port_balancer,
        port_server: rule.port_server,
        ..LbRule::default()
    })
}

/// The rule to add to balancer `id`, checked as the page and the API check
/// it: its fields against the balancer's health check (port 0 depends on
/// it; unknown when it cannot be read), then against its current rules (an
/// overlap is refused beside the balancer's port; when they cannot be read,
/// the API judges). `None` when `row` has problems, each beside its field;
/// `Err` when the balancer is gone.
pub(crate) async fn checked_rule(
    up: &Upstream,
    id: &str,
    row: &mut RuleRow,
) -> Result<Option<NewLbRule>, CloudError> {
    let client = up.client();
    let test = match client.get_load_balancer(id).await {
        Ok(lb) => lb.value.health_check_test.as_str().to_owned(),
        Err(e @ CloudError::NotFound { .. }) => return Err(e),
        Err(_) => String::new(),
    };
    let rule = row.check(&test);
    if let Some(rule) = &rule
        && let Ok(existing) = client.list_load_balancer_rules(id).await
        && let Some(taken) = existing
            .value
            .iter()
            .find(|r| overlaps(&r.protocol, r.port_balancer, rule))
    {
        row.errors.insert(
            "port_balancer",
            format!(
                "The rule {} already balances this protocol and port.",
                rule_summary(taken)
            ),
        );
    }
    Ok(rule.filter(|_| row.errors.is_empty()))
}

/// What the audit log records of an added rule.
pub(crate) fn added_details(rule: &NewLbRule) -> serde_json::Value {
    json!({ "rules": rules_details(std::slice::from_ref(rule)) })
}

/// What the audit log records of a removed rule, as it was.
pub(crate) fn removed_details(rule_id: &str, rule: &LbRule) -> serde_json::Value {
    json!({
        "rule_id": rule_id,
        "protocol": rule.protocol.as_str(),
        "port_balancer": rule.port_balancer,
        "port_server": rule.port_server,
        "source": rule.source,
    })
}

/// Adds one rule; a bad value or an overlap with a current rule comes back
/// to the balancer's page beside its field, with what was typed.
pub async fn add(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let fields = Fields::parse(&body);
    let act = object
        .act(&ctx, &session, perms::LOAD_BALANCERS_MANAGE_RULES, &FAMILY)
        .await?
        .keeping(ADD_FORM, &fields);
    let client = act.up.client();
    let mut row = RuleRow::posted(&fields);
    let rule = match checked_rule(&act.up, id, &mut row).await {
        Ok(rule) => rule,
        Err(e) => {
            flash::cloud_error(&session, &e);
            return Ok(redirect(act.list()));
        }
    };
    let Some(rule) = rule else {
        return act.invalid_fields(row.errors);
    };
    let change = Change::new(
        "load_balancer.rule_add",
        added_details(&rule),
        format!("Adding the rule {} to {{name}}.", new_rule_summary(&rule)),
    );
    act.run(
        change,
        client.add_load_balancer_rules(id, std::slice::from_ref(&rule)),
    )
    .await
}

/// Removes one rule, after the confirm step.
pub async fn remove(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, rule_id) = (&object.id, object.other("rule_id")?);
    let act = object
        .act(&ctx, &session, perms::LOAD_BALANCERS_MANAGE_RULES, &FAMILY)
        .await?;
    if !form.given() {
        return act.unconfirmed("remove the rule");
    }
    let rule = match act.up.client().get_load_balancer_rule(id, rule_id).await {
        Ok(rule) => rule.value,
        Err(CloudError::NotFound { kind, .. }) if kind == "RULE_NOT_FOUND" => {
            return act
                .invalid("This rule is no longer on the load balancer. Nothing was changed.");
        }
        Err(e @ CloudError::NotFound { .. }) => {
            flash::cloud_error(&session, &e);
            return Ok(redirect(act.list()));
        }
        Err(e) => {
            return act.unreadable("rule", &e);
        }
    };
    let summary = rule_summary(&rule);
    let change = Change::new(
        "load_balancer.rule_remove",
        removed_details(rule_id, &rule),
        format!("Removing the rule {summary} from {{name}}."),
    );
    act.run(
        change,
        act.up.client().delete_load_balancer_rule(id, rule_id),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(protocol: &str, balancer: &str, server: &str) -> RuleRow {
        RuleRow {
            protocol: protocol.into(),
            port_balancer: balancer.into(),
            port_server: server.into(),
            ..RuleRow::blank("r1", "Rule 1")
        }
    }

    #[test]
    fn a_rule_is_checked_against_the_health_check() {
        let rule = row("TCP", "80", "8080").check("TCP").unwrap();
        assert_eq!((rule.port_balancer, rule.port_server), (80, 8080));
        assert_eq!(rule.source.as_deref(), Some("0.0.0.0"));
        assert!(row("TCP", "0", "0").check("NONE").is_some());
        let mut r = row("TCP", "0", "0");
        assert!(r.check("TCP").is_none());
        assert!(r.error("port_balancer").is_some());
        let mut r = row("TCP", "0", "80");
        assert!(r.check("NONE").is_none());
        assert!(r.error("port_server").is_some());
        let mut r = row("SCTP", "70000", "x");
        assert!(r.check("TCP").is_none());
        for field in ["protocol", "port_balancer", "port_server"] {
            assert!(r.error(field).is_some(), "{field}");
        }
    }

    #[test]
    fn overlapping_rows_are_marked() {
        let a = row("TCP", "80", "80").check("TCP").unwrap();
        let b = row("TCP", "80", "8080").check("TCP").unwrap();
        let c = row("UDP", "80", "80").check("TCP").unwrap();
        let mut rows = vec![row("", "", ""), row("", "", ""), row("", "", "")];
        mark_overlaps(&mut rows, &[(0, a), (1, b), (2, c)]);
        assert!(rows[0].errors.is_empty());
        assert!(rows[1].error("port_balancer").is_some());
        assert!(rows[2].errors.is_empty(), "another protocol");
    }
}
