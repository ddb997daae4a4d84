//! Firewall rules: a repeated rule found in a form or in the policy, what
//! the audit log records of a rule, and adding and removing a rule.
//!
//! One rule's fields and their checks are in [`super::rule_row`].

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use super::rule_row::{ADD_FORM, RuleRow};
use super::view::{rule_summary, source};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::networks::{FirewallRule, NewFirewallRule};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Upstream};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::networks::form::Fields;
use crate::web::org_ctx::OrgCtx;
use crate::web::redirect;

/// Whether an existing rule already does what the new one would.
fn same_rule(existing: &FirewallRule, new: &NewFirewallRule) -> bool {
    let action = |a: &str| if a == "deny" { "deny" } else { "allow" };
    existing.protocol == new.protocol
        && existing.port_from == new.port_from
        && existing.port_to == new.port_to
        && source(existing) == source_of(new)
        && action(&existing.action) == action(new.action.as_deref().unwrap_or("allow"))
}

fn source_of(rule: &NewFirewallRule) -> String {
    source(&FirewallRule {
        source: rule.source.clone().unwrap_or_default(),
        ..FirewallRule::default()
    })
}

/// Rules of one form that repeat an earlier one: their port field says so.
pub fn mark_repeats(rows: &mut [RuleRow], rules: &[(usize, NewFirewallRule)]) {
    for (i, (row, rule)) in rules.iter().enumerate() {
        let earlier = rules[..i].iter().any(|(_, r)| r == rule);
        if earlier && let Some(row) = rows.get_mut(*row) {
            row.errors
                .insert("port", "Another row already has this rule.".into());
        }
    }
}

/// What an audit event records of a rule.
fn details(rule: &NewFirewallRule) -> serde_json::Value {
    json!({
        "protocol": rule.protocol.as_str(),
        "port_from": rule.port_from,
        "port_to": rule.port_to,
        "action": rule.action,
        "source": rule.source,
        "description": rule.description,
    })
}

pub fn rules_details(rules: &[NewFirewallRule]) -> serde_json::Value {
    serde_json::Value::Array(rules.iter().map(details).collect())
}

fn new_rule_summary(rule: &NewFirewallRule) -> String {
    rule_summary(&FirewallRule {
        protocol: rule.protocol.clone(),
        port_from: rule.port_from,
        port_to: rule.port_to,
        action: rule.action.clone().unwrap_or_default(),
        ..FirewallRule::default()
    })
}

/// The rule to add to policy `id`, checked as the page and the API check
/// it: its fields, then against the policy's current rules (a repeat is
/// refused beside the port; when they cannot be read, the API judges).
/// `None` when `row` has problems, each beside its field; `Err` when the
/// policy is gone.
pub(crate) async fn checked_rule(
    up: &Upstream,
    id: &str,
    row: &mut RuleRow,
) -> Result<Option<NewFirewallRule>, CloudError> {
    let rule = row.check();
    if let Some(rule) = &rule {
        match up.client().list_firewall_policy_rules(id).await {
            Ok(existing) if existing.value.iter().any(|r| same_rule(r, rule)) => {
                row.errors.insert(
                    "port",
                    format!(
                        "The policy already has this rule ({}).",
                        new_rule_summary(rule)
                    ),
                );
            }
            Err(e @ CloudError::NotFound { .. }) => return Err(e),
            _ => {}
        }
    }
    Ok(rule.filter(|_| row.errors.is_empty()))
}

/// What the audit log records of an added rule.
pub(crate) fn added_details(rule: &NewFirewallRule) -> serde_json::Value {
    json!({ "rules": rules_details(std::slice::from_ref(rule)) })
}

/// What the audit log records of a removed rule, as it was.
pub(crate) fn removed_details(rule_id: &str, rule: &FirewallRule) -> serde_json::Value {
    json!({
        "rule_id": rule_id,
        "protocol": rule.protocol.as_str(),
        "port_from": rule.port_from,
        "port_to": rule.port_to,
        "action": rule.action,
        "source": rule.source,
    })
}

/// Adds one rule. A bad value comes back to the policy's page beside its
/// field, with what was typed; a rule the policy already has is refused
/// the same way.
pub async fn add(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let fields = Fields::parse(&body);
    let act = object
        .act(
            &ctx,
            &session,
            perms::FIREWALL_POLICIES_MANAGE_RULES,
            &FAMILY,
        )
        .await?
        .keeping(ADD_FORM, &fields);
    let mut row = RuleRow::posted(&fields);
    let rule = match checked_rule(&act.up, id, &mut row).await {
        Ok(rule) => rule,
        Err(e) => {
            crate::web::flash::cloud_error(&session, &e);
            return Ok(redirect(act.list()));
        }
    };
    let Some(rule) = rule else {
        return act.invalid_fields(row.errors);
    };
    let summary = new_rule_summary(&rule);
    let change = Change::new(
        "firewall_policy.rule_add",
        added_details(&rule),
        format!("Adding the rule {summary} to {{name}}."),
    );
    act.run(
        change,
        act.up
            .client()
            .add_firewall_policy_rules(id, std::slice::from_ref(&rule)),
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
        .act(
            &ctx,
            &session,
            perms::FIREWALL_POLICIES_MANAGE_RULES,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("remove the rule");
    }
    // The rule as it is, for the audit log and the message: once removed it
    // can be read nowhere else.
    let rule = match act.up.client().get_firewall_policy_rule(id, rule_id).await {
        Ok(rule) => rule.value,
        Err(CloudError::NotFound { kind, .. }) if kind == "RULE_NOT_FOUND" => {
            return act.invalid("This rule is no longer in the policy. Nothing was changed.");
        }
        Err(e @ CloudError::NotFound { .. }) => {
            crate::web::flash::cloud_error(&session, &e);
            return Ok(redirect(act.list()));
        }
        Err(e) => {
            return act.unreadable("rule", &e);
        }
    };
    let summary = rule_summary(&rule);
    let change = Change::new(
        "firewall_policy.rule_remove",
        removed_details(rule_id, &rule),
        format!("Removing the rule {summary} from {{name}}."),
    );
    act.run(
        change,
        act.up.client().delete_firewall_policy_rule(id, rule_id),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::super::rule_row::ADD_PROTOCOLS;
    use super::*;
    use crate::cloudpanel::networks::Protocol;

    fn row(protocol: &str, port: &str, action: &str, source: &str) -> RuleRow {
        RuleRow {
            protocol: protocol.into(),
            port: port.into(),
            action: action.into(),
            source: source.into(),
            ..RuleRow::blank("r1", "Rule 1", ADD_PROTOCOLS)
        }
    }

    #[test]
    fn a_tcp_rule_is_sent_with_its_ports() {
        let rule = row("TCP", "8000-8080", "allow", "")
            .check()
            .expect("a valid rule");
        assert_eq!(rule.port_from, Some(8000));
        assert_eq!(rule.port_to, Some(8080));
        assert_eq!(rule.source.as_deref(), Some("0.0.0.0"));
        assert_eq!(rule.action.as_deref(), Some("allow"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut r = row("TCP", "", "deny", "nowhere");
        assert!(r.check().is_none());
        for field in ["port", "action", "source"] {
            assert!(r.error(field).is_some(), "{field}: {:?}", r.errors);
        }
        let mut r = row("ICMP", "80", "allow", "");
        assert!(r.check().is_none());
        assert!(r.error("port").unwrap().contains("no ports"));
        let mut r = row("AH", "", "allow", "");
        assert!(r.check().is_none(), "AH is for creating policies only");
        assert!(r.error("protocol").is_some());
        let mut r = row("", "", "allow", "");
        assert!(r.check().is_none());
        assert_eq!(r.error("protocol").unwrap(), "Choose a protocol.");
    }

    #[test]
    fn any_may_deny_everything() {
        let rule = row("ANY", "", "deny", "10.0.0.0/8").check().unwrap();
        assert_eq!(rule.action.as_deref(), Some("deny"));
        assert_eq!(rule.port_from, None);
    }

    #[test]
    fn repeats_are_found_in_the_form_and_the_policy() {
        let a = row("TCP", "80", "allow", "").check().unwrap();
        let mut rows = vec![row("TCP", "80", "allow", ""), row("TCP", "80", "allow", "")];
        mark_repeats(&mut rows, &[(0, a.clone()), (1, a.clone())]);
        assert!(rows[0].errors.is_empty());
        assert!(rows[1].error("port").is_some());
        let existing = FirewallRule {
            protocol: Protocol::Tcp,
            port_from: Some(80),
            port_to: Some(80),
            action: "accept".into(),
            source: "0.0.0.0".into(),
            ..FirewallRule::default()
        };
        assert!(same_rule(&existing, &a));
    }
}
