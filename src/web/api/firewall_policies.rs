//! Firewall policies over the API: create (with rules), rename and
//! describe, add and remove rules, assign server IPs and move one off, and
//! delete — each checked by the same function as its page
//! (`create::build`, `RenameForm::checked` and `flags`, `rules::checked_rule`,
//! `checked_ips`, `actions::unassigning`) under the page's flag and
//! recorded with its audit action. A delete's verb is its confirmation (the
//! page asks for the typed name).
//!
//! Also what the policy and load balancer bodies share: a list of objects
//! (rules) and the rename's fields as sent.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde_json::{Map, Value, json};

use super::act::ApiAct;
use super::door::ApiCtx;
use super::error::ApiError;
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use crate::cloudpanel::common::NameDescription;
use crate::rbac::{Permission, perms};
use crate::web::firewall_policies::FAMILY;
use crate::web::firewall_policies::actions::{Stays, deletion_details, unassigning};
use crate::web::firewall_policies::create::{MAX_ROWS, Values, build, create_details, typed_row};
use crate::web::firewall_policies::rule_row::RuleRow;
use crate::web::firewall_policies::rules::{added_details, checked_rule, removed_details};
use crate::web::networks::form::RenameForm;
use crate::web::networks::server_ips::checked_ips;

/// The JSON key of a policy, in bodies and answers.
const KEY: &str = "firewall_policy";

const RULE_FIELDS: &[Param] = &[
    Param::required(
        "protocol",
        Kind::Text,
        "Creating: TCP, UDP, ICMP, AH, ESP, GRE or ANY. Adding: TCP, UDP, TCP/UDP, ICMP, IPSEC, \
         GRE or ANY.",
    ),
    Param::optional(
        "port",
        Kind::Text,
        "80 or 8000-8080: needed by TCP and UDP, none for protocols without ports.",
    ),
    Param::optional(
        "action",
        Kind::Text,
        "allow (the default) or deny (with ANY only).",
    ),
    Param::optional(
        "source",
        Kind::Text,
        "An address or network; everyone when absent.",
    ),
    Param::optional("description", Kind::Text, "At most 256 characters."),
];

const CREATE_FIELDS: &[Param] = &[
    Param::required("name", Kind::Text, "The policy's name."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::required(
        "rules",
        Kind::Objects(RULE_FIELDS),
        "At least one rule and at most 20, each as POST …/rules takes one.",
    ),
];

const RENAME_FIELDS: &[Param] = &[
    Param::optional(
        "name",
        Kind::Text,
        "The new name; needs firewall_policies.set_name.",
    ),
    Param::optional(
        "description",
        Kind::Text,
        "The new description; needs firewall_policies.set_description.",
    ),
];

const IPS_FIELDS: &[Param] = &[Param::required(
    "server_ips",
    Kind::Texts,
    "Ids of server IPs (see /servers/{id}/ips); each leaves its current policy.",
)];

const CREATE_BODY: Body = Body {
    root: Some(KEY),
    fields: CREATE_FIELDS,
};
const RENAME_BODY: Body = Body {
    root: Some(KEY),
    fields: RENAME_FIELDS,
};
const RULE_BODY: Body = Body {
    root: Some("rule"),
    fields: RULE_FIELDS,
};
const IPS_BODY: Body = Body {
    root: None,
    fields: IPS_FIELDS,
};

pub fn routes() -> Vec<ApiRoute> {
    let tag = FAMILY.title;
    let at = |verb: Verb,
              rest: &str,
              summary: &str,
              permission: Option<Permission>,
              to: fn(Route) -> Route| {
        ApiRoute::org(
            verb,
            &format!("/firewall_policies{rest}"),
            tag,
            summary,
            permission,
            to,
        )
        .query(DETAIL_QUERY)
    };
    vec![
        at(
            Verb::Post,
            "",
            "Create a firewall policy with its rules",
            Some(perms::FIREWALL_POLICIES_CREATE),
            |r: Route| r.to(create),
        )
        .body(CREATE_BODY)
        .answers(CREATE),
        at(
            Verb::Put,
            "/{id}",
            "Rename a firewall policy or change its description (the name needs \
             firewall_policies.set_name, the description firewall_policies.set_description)",
            None,
            |r: Route| r.to(rename),
        )
        .body(RENAME_BODY),
        at(
            Verb::Post,
            "/{id}/rules",
            "Add a rule to a firewall policy",
            Some(perms::FIREWALL_POLICIES_MANAGE_RULES),
            |r: Route| r.to(add_rule),
        )
        .body(RULE_BODY),
        at(
            Verb::Delete,
            "/{id}/rules/{rule_id}",
            "Remove a rule from a firewall policy",
            Some(perms::FIREWALL_POLICIES_MANAGE_RULES),
            |r: Route| r.to(remove_rule),
        ),
        at(
            Verb::Post,
            "/{id}/server_ips",
            "Put server IPs under a firewall policy",
            Some(perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS),
            |r: Route| r.to(assign_ips),
        )
        .body(IPS_BODY),
        at(
            Verb::Delete,
            "/{id}/server_ips/{ip_id}",
            "Move a server IP off a firewall policy, to the account's default policy",
            Some(perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS),
            |r: Route| r.to(unassign_ip),
        ),
        at(
            Verb::Delete,
            "/{id}",
            "Delete a firewall policy (its server IPs lose it)",
            Some(perms::FIREWALL_POLICIES_DELETE),
            |r: Route| r.to(delete),
        ),
    ]
}

// ---- what the policy and balancer bodies share ----

/// A body with a list of objects (`list`: a new policy's or balancer's
/// rules, declared `Kind::Objects`): the route's fields and each object's,
/// all checked by [`Fields::parse`] (422 for unknown, missing or
/// wrong-kind fields, nested ones too); at most `max` objects.
pub(super) fn with_objects(
    bytes: &[u8],
    body: &Body,
    list: &str,
    max: usize,
) -> Result<(Fields, Vec<Fields>), ApiError> {
    let fields = Fields::parse(bytes, body)?;
    let items = fields.objects(list);
    if items.len() > max {
        return Err(ApiError::invalid(format!(
            "{list} may have at most {max} items"
        )));
    }
    Ok((fields, items))
}

/// The problems of a new policy's or balancer's values, each beside its
/// field: the object's own (`name`), and each rule row's as
/// `rules[0].port` (a row past the `given` rules, the form's spare first
/// row, says the list's problem: `rules`).
pub(super) fn problems<'a>(
    own: impl IntoIterator<Item = (&'static str, String)>,
    rows: impl IntoIterator<Item = &'a BTreeMap<&'static str, String>>,
    given: usize,
) -> ApiError {
    let mut all: Vec<(String, String)> = own.into_iter().map(|(f, m)| (f.to_owned(), m)).collect();
    for (i, errors) in rows.into_iter().enumerate() {
        for (field, message) in errors {
            let at = if i < given {
                format!("rules[{i}].{field}")
            } else {
                "rules".to_owned()
            };
            all.push((at, message.clone()));
        }
    }
    ApiError::fields(all)
}

/// The rename's fields as sent (`RenameForm` tells a field left out, which
/// stays as it is, from one sent empty): a field sent `null` is left out.
pub(super) fn rename_form(bytes: &[u8], fields: &Fields, root: &str) -> RenameForm {
    let sent: Map<String, Value> = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|mut body| match body.get_mut(root)?.take() {
            Value::Object(object) => Some(object),
            _ => None,
        })
        .unwrap_or_default();
    let given = |name: &str| {
        sent.get(name)
            .filter(|v| !v.is_null())
            .map(|_| fields.text(name))
    };
    RenameForm {
        name: given("name"),
        description: given("description"),
    }
}

/// A rename, checked as the page checks it: under the flag of each field
/// sent (`flags`: the name's and the description's), with the values the
/// page would send. The change is open on the first flag.
pub(super) async fn renaming<'a>(
    ctx: &'a ApiCtx,
    bytes: &[u8],
    body: &Body,
    flags: (Permission, Permission),
    kind: &'static str,
) -> Result<(ApiAct<'a>, String, NameDescription), ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let id = ctx.object_id("id")?;
    let fields = Fields::parse(bytes, body)?;
    let root = body.root.unwrap_or_default();
    let form = rename_form(bytes, &fields, root);
    let (first, second) = form.flags(flags);
    let act = ApiAct::begin(ctx, first, query.account()?, kind, &id).await?;
    if let Some(second) = second {
        ctx.require(second).await?;
    }
    match form.checked() {
        Ok(Some(values)) => Ok((act, id, values)),
        Ok(None) => Err(ApiError::invalid(format!(
            "Nothing to save: send {root}.name, {root}.description or both."
        ))),
        Err(errors) => Err(ApiError::fields(
            errors.into_iter().map(|(f, m)| (f.to_owned(), m)),
        )),
    }
}

/// Server IP ids of a body, checked as the "assign" forms check theirs.
pub(super) fn server_ips(fields: &Fields) -> Result<Vec<String>, ApiError> {
    let ips = fields.texts("server_ips");
    checked_ips(ips.iter().map(String::as_str))
        .map_err(|m| ApiError::fields([("server_ips".to_owned(), m.to_owned())]))
}

/// A change to the policy of the path.
async fn begin<'a>(
    ctx: &'a ApiCtx,
    permission: crate::rbac::Permission,
) -> Result<(ApiAct<'a>, String), ApiError> {
    ApiAct::on_path(ctx, permission, FAMILY.kind).await
}

// ---- the routes ----

/// `POST /firewall_policies`: the values and rules as the create page
/// checks them, each problem beside its field.
async fn create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let (fields, rules) = with_objects(&bytes, &CREATE_BODY, "rules", MAX_ROWS)?;
    let act = ApiAct::begin(
        &ctx,
        perms::FIREWALL_POLICIES_CREATE,
        query.account()?,
        FAMILY.kind,
        "",
    )
    .await?;
    let rows: Vec<RuleRow> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| typed_row(i + 1, |f| rule.text(f)))
        .collect();
    let mut values = Values::new(fields.text("name"), fields.text("description"), rows);
    let request = build(&mut values)
        .map_err(|errors| problems(errors, values.rows.iter().map(|r| &r.errors), rules.len()))?;
    act.run(
        "firewall_policy.create",
        create_details(&request),
        StatusCode::CREATED,
        KEY,
        act.up.client().create_firewall_policy(&request),
    )
    .await
}

/// `PUT /firewall_policies/{id}`.
async fn rename(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let flags = (
        perms::FIREWALL_POLICIES_SET_NAME,
        perms::FIREWALL_POLICIES_SET_DESCRIPTION,
    );
    let (act, id, values) = renaming(&ctx, &bytes, &RENAME_BODY, flags, FAMILY.kind).await?;
    act.run(
        "firewall_policy.rename",
        json!({ "name": values.name, "description": values.description }),
        StatusCode::OK,
        KEY,
        act.up.client().update_firewall_policy(&id, &values),
    )
    .await
}

/// `POST /firewall_policies/{id}/rules`: a repeat of a rule the policy has
/// is refused beside the port, as on the page.
async fn add_rule(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&bytes, &RULE_BODY)?;
    let (act, id) = begin(&ctx, perms::FIREWALL_POLICIES_MANAGE_RULES).await?;
    let mut row = RuleRow::to_add(|f| fields.text(f));
    let rule = checked_rule(&act.up, &id, &mut row)
        .await
        .map_err(act.failed())?
        .ok_or_else(|| {
            ApiError::fields(row.errors.iter().map(|(f, m)| ((*f).to_owned(), m.clone())))
        })?;
    act.run(
        "firewall_policy.rule_add",
        added_details(&rule),
        StatusCode::OK,
        KEY,
        act.up
            .client()
            .add_firewall_policy_rules(&id, std::slice::from_ref(&rule)),
    )
    .await
}

/// `DELETE /firewall_policies/{id}/rules/{rule_id}`: the rule is read
/// first, for the audit log (once removed it can be read nowhere).
async fn remove_rule(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let rule_id = ctx.object_id("rule_id")?;
    let (act, id) = begin(&ctx, perms::FIREWALL_POLICIES_MANAGE_RULES).await?;
    let client = act.up.client();
    let rule = client
        .get_firewall_policy_rule(&id, &rule_id)
        .await
        .map_err(act.failed())?
        .value;
    act.run(
        "firewall_policy.rule_remove",
        removed_details(&rule_id, &rule),
        StatusCode::OK,
        KEY,
        client.delete_firewall_policy_rule(&id, &rule_id),
    )
    .await
}

/// `POST /firewall_policies/{id}/server_ips`.
async fn assign_ips(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&bytes, &IPS_BODY)?;
    let (act, id) = begin(&ctx, perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS).await?;
    let ips = server_ips(&fields)?;
    act.run(
        "firewall_policy.server_ips_assign",
        json!({ "server_ips": ips }),
        StatusCode::OK,
        KEY,
        act.up.client().add_firewall_policy_server_ips(&id, &ips),
    )
    .await
}

/// `DELETE /firewall_policies/{id}/server_ips/{ip_id}`: the API has no
/// DELETE for it, so the IP moves to the account's default policy, after
/// the page's checks (it uses this policy, which is not a default one).
/// The answer is the policy it left, with `moved_to`.
async fn unassign_ip(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let ip_id = ctx.object_id("ip_id")?;
    let (act, id) = begin(&ctx, perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS).await?;
    let moving = unassigning(&act.up, &id, &ip_id)
        .await
        .map_err(|stays| match stays {
            Stays::PolicyGone | Stays::NotHere => ApiError::not_found(),
            Stays::Unchecked(e) | Stays::Unreadable(e) => ApiError::cloud(&e, act.up.api_name()),
            stays @ (Stays::Default | Stays::NoDefault) => ApiError::conflict(stays.message()),
        })?;
    let details = moving.details.clone();
    act.run(
        "firewall_policy.server_ip_unassign",
        details,
        StatusCode::OK,
        KEY,
        moving.send(act.up.client()),
    )
    .await
}

/// `DELETE /firewall_policies/{id}`: the audit log records the server IPs
/// that lose it.
async fn delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = begin(&ctx, perms::FIREWALL_POLICIES_DELETE).await?;
    let client = act.up.client();
    let policy = client
        .get_firewall_policy(&id)
        .await
        .map_err(act.failed())?
        .value;
    let (details, _) = deletion_details(&act.up, &id, policy).await;
    act.run(
        "firewall_policy.delete",
        details,
        StatusCode::OK,
        KEY,
        client.delete_firewall_policy(&id),
    )
    .await
}
