//! Load balancers over the API: create (with settings and rules), rename
//! and describe, modify the health check, persistence and method, add and
//! remove rules, assign server IPs and take one off, and delete — each
//! checked by the same function as its page (`create::build`,
//! `RenameForm::checked` and `flags`, `Settings::check`,
//! `rules::checked_rule`, `checked_ips`) under the page's flag and
//! recorded with its audit action. A delete's verb is its confirmation (the
//! page asks for the typed name).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde_json::json;

use super::act::ApiAct;
use super::door::ApiCtx;
use super::error::ApiError;
use super::firewall_policies::{problems, renaming, server_ips, with_objects};
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use crate::cloudpanel::networks::UpdateLoadBalancer;
use crate::rbac::{Permission, perms};
use crate::web::load_balancers::FAMILY;
use crate::web::load_balancers::actions::{deletion_details, modification, unassign_details};
use crate::web::load_balancers::create::{
    MAX_ROWS, Values, build, create_details, typed_row, with_blank_rows,
};
use crate::web::load_balancers::rule_row::RuleRow;
use crate::web::load_balancers::rules::{added_details, checked_rule, removed_details};
use crate::web::load_balancers::settings::Settings;

/// The JSON key of a balancer, in bodies and answers.
const KEY: &str = "load_balancer";

const RULE_FIELDS: &[Param] = &[
    Param::required("protocol", Kind::Text, "TCP or UDP."),
    Param::required(
        "port_balancer",
        Kind::Integer,
        "The balancer's port, 0 to 65535 (0: every port, with port_server 0 and a NONE or \
         ICMP health check).",
    ),
    Param::required(
        "port_server",
        Kind::Integer,
        "The servers' port, 0 to 65535.",
    ),
    Param::optional(
        "source",
        Kind::Text,
        "An address or network; everyone when absent.",
    ),
];

/// The settings' fields: the page's names, which are the provider's.
macro_rules! settings_fields {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            Param::optional(
                "health_check_test",
                Kind::Text,
                "TCP, HTTP, ICMP or NONE.",
            ),
            Param::optional(
                "health_check_interval",
                Kind::Integer,
                "Seconds between checks, 5 to 300.",
            ),
            Param::optional(
                "health_check_path",
                Kind::Text,
                "HTTP checks: the path asked for, e.g. /health.",
            ),
            Param::optional(
                "health_check_parse",
                Kind::Text,
                "HTTP checks: the regular expression a healthy answer matches.",
            ),
            Param::optional(
                "persistence",
                Kind::Boolean,
                "Whether a client keeps its server.",
            ),
            Param::optional(
                "persistence_time",
                Kind::Integer,
                "Seconds a client keeps its server, 30 to 1200.",
            ),
            Param::optional(
                "method",
                Kind::Text,
                "ROUND_ROBIN or LEAST_CONNECTIONS.",
            ),
        ]
    };
}

const CREATE_FIELDS: &[Param] = settings_fields![
    Param::required("name", Kind::Text, "The balancer's name."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::optional(
        "datacenter_id",
        Kind::Text,
        "An id of /catalogue/datacenters; the provider's default when absent.",
    ),
    Param::required(
        "rules",
        Kind::Objects(RULE_FIELDS),
        "At least one rule and at most 20, each as POST …/rules takes one.",
    ),
];

/// Modify: each setting left out stays as the balancer has it.
const MODIFY_FIELDS: &[Param] = settings_fields![];

const RENAME_FIELDS: &[Param] = &[
    Param::optional(
        "name",
        Kind::Text,
        "The new name; needs load_balancers.set_name.",
    ),
    Param::optional(
        "description",
        Kind::Text,
        "The new description; needs load_balancers.set_description.",
    ),
];

const IPS_FIELDS: &[Param] = &[Param::required(
    "server_ips",
    Kind::Texts,
    "Ids of server IPs (see /servers/{id}/ips) that receive the balancer's traffic too.",
)];

const CREATE_BODY: Body = Body {
    root: Some(KEY),
    fields: CREATE_FIELDS,
};
const RENAME_BODY: Body = Body {
    root: Some(KEY),
    fields: RENAME_FIELDS,
};
const MODIFY_BODY: Body = Body {
    root: None,
    fields: MODIFY_FIELDS,
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
            &format!("/load_balancers{rest}"),
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
            "Create a load balancer with its settings and rules",
            Some(perms::LOAD_BALANCERS_CREATE),
            |r: Route| r.to(create),
        )
        .body(CREATE_BODY)
        .answers(CREATE),
        at(
            Verb::Put,
            "/{id}",
            "Rename a load balancer or change its description (the name needs \
             load_balancers.set_name, the description load_balancers.set_description)",
            None,
            |r: Route| r.to(rename),
        )
        .body(RENAME_BODY),
        at(
            Verb::Post,
            "/{id}/modify",
            "Change a load balancer's health check, persistence and method",
            Some(perms::LOAD_BALANCERS_MODIFY),
            |r: Route| r.to(modify),
        )
        .body(MODIFY_BODY),
        at(
            Verb::Post,
            "/{id}/rules",
            "Add a rule to a load balancer",
            Some(perms::LOAD_BALANCERS_MANAGE_RULES),
            |r: Route| r.to(add_rule),
        )
        .body(RULE_BODY),
        at(
            Verb::Delete,
            "/{id}/rules/{rule_id}",
            "Remove a rule from a load balancer",
            Some(perms::LOAD_BALANCERS_MANAGE_RULES),
            |r: Route| r.to(remove_rule),
        ),
        at(
            Verb::Post,
            "/{id}/server_ips",
            "Send a load balancer's traffic to server IPs too",
            Some(perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS),
            |r: Route| r.to(assign_ips),
        )
        .body(IPS_BODY),
        at(
            Verb::Delete,
            "/{id}/server_ips/{ip_id}",
            "Take a server IP off a load balancer",
            Some(perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS),
            |r: Route| r.to(unassign_ip),
        ),
        at(
            Verb::Delete,
            "/{id}",
            "Delete a load balancer (its server IPs no longer receive its traffic)",
            Some(perms::LOAD_BALANCERS_DELETE),
            |r: Route| r.to(delete),
        ),
    ]
}

/// A change to the balancer of the path.
async fn begin<'a>(
    ctx: &'a ApiCtx,
    permission: crate::rbac::Permission,
) -> Result<(ApiAct<'a>, String), ApiError> {
    ApiAct::on_path(ctx, permission, FAMILY.kind).await
}

/// `base` with the settings the body sends (each left out stays).
fn settings_sent(fields: &Fields, base: Settings) -> Settings {
    let or = |name: &str, kept: String| {
        let sent = fields.text(name);
        if sent.is_empty() { kept } else { sent }
    };
    Settings {
        test: or("health_check_test", base.test),
        interval: or("health_check_interval", base.interval),
        path: or("health_check_path", base.path),
        parser: or("health_check_parse", base.parser),
        persistence: fields.flag("persistence").unwrap_or(base.persistence),
        persistence_time: or("persistence_time", base.persistence_time),
        method: or("method", base.method),
        ..base
    }
}

/// `POST /load_balancers`: the values, settings and rules as the create
/// page checks them, each problem beside its field; a setting left out is
/// the create form's default.
async fn create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let (fields, rules) = with_objects(&bytes, &CREATE_BODY, "rules", MAX_ROWS)?;
    let act = ApiAct::begin(
        &ctx,
        perms::LOAD_BALANCERS_CREATE,
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
    let mut values = Values {
        name: fields.text("name"),
        description: fields.text("description"),
        datacenter_id: fields.text("datacenter_id"),
        settings: settings_sent(&fields, Settings::defaults("")),
        rows: with_blank_rows(rows),
    };
    let request = build(&mut values).map_err(|errors| {
        let settings = values.settings.errors.clone();
        problems(
            errors.into_iter().chain(settings),
            values.rows.iter().map(|r| &r.errors),
            rules.len(),
        )
    })?;
    act.run(
        "load_balancer.create",
        create_details(&request),
        StatusCode::CREATED,
        KEY,
        act.up.client().create_load_balancer(&request),
    )
    .await
}

/// `PUT /load_balancers/{id}`.
async fn rename(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let flags = (
        perms::LOAD_BALANCERS_SET_NAME,
        perms::LOAD_BALANCERS_SET_DESCRIPTION,
    );
    let (act, id, values) = renaming(&ctx, &bytes, &RENAME_BODY, flags, FAMILY.kind).await?;
    let request = UpdateLoadBalancer {
        name: values.name,
        description: values.description,
        ..UpdateLoadBalancer::default()
    };
    act.run(
        "load_balancer.rename",
        json!({ "name": request.name, "description": request.description }),
        StatusCode::OK,
        KEY,
        act.up.client().update_load_balancer(&id, &request),
    )
    .await
}

/// `POST /load_balancers/{id}/modify`: the settings start as the balancer
/// has them (as the page's form does), the body's replace them, and the
/// page's check judges the whole.
async fn modify(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&bytes, &MODIFY_BODY)?;
    let (act, id) = begin(&ctx, perms::LOAD_BALANCERS_MODIFY).await?;
    let client = act.up.client();
    let current = client
        .get_load_balancer(&id)
        .await
        .map_err(act.failed())?
        .value;
    let mut settings = settings_sent(&fields, Settings::of(&current, "modify-"));
    let checked = settings.check().ok_or_else(|| {
        ApiError::fields(
            settings
                .errors
                .iter()
                .map(|(f, m)| ((*f).to_owned(), m.clone())),
        )
    })?;
    let (request, details) = modification(&checked);
    act.run(
        "load_balancer.modify",
        details,
        StatusCode::OK,
        KEY,
        client.update_load_balancer(&id, &request),
    )
    .await
}

/// `POST /load_balancers/{id}/rules`: an overlap with a rule the balancer
/// has is refused beside the balancer's port, as on the page.
async fn add_rule(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&bytes, &RULE_BODY)?;
    let (act, id) = begin(&ctx, perms::LOAD_BALANCERS_MANAGE_RULES).await?;
    let mut row = RuleRow::to_add(|f| fields.text(f));
    let rule = checked_rule(&act.up, &id, &mut row)
        .await
        .map_err(act.failed())?
        .ok_or_else(|| {
            ApiError::fields(row.errors.iter().map(|(f, m)| ((*f).to_owned(), m.clone())))
        })?;
    act.run(
        "load_balancer.rule_add",
        added_details(&rule),
        StatusCode::OK,
        KEY,
        act.up
            .client()
            .add_load_balancer_rules(&id, std::slice::from_ref(&rule)),
    )
    .await
}

/// `DELETE /load_balancers/{id}/rules/{rule_id}`: the rule is read first,
/// for the audit log.
async fn remove_rule(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let rule_id = ctx.object_id("rule_id")?;
    let (act, id) = begin(&ctx, perms::LOAD_BALANCERS_MANAGE_RULES).await?;
    let client = act.up.client();
    let rule = client
        .get_load_balancer_rule(&id, &rule_id)
        .await
        .map_err(act.failed())?
        .value;
    act.run(
        "load_balancer.rule_remove",
        removed_details(&rule_id, &rule),
        StatusCode::OK,
        KEY,
        client.delete_load_balancer_rule(&id, &rule_id),
    )
    .await
}

/// `POST /load_balancers/{id}/server_ips`.
async fn assign_ips(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&bytes, &IPS_BODY)?;
    let (act, id) = begin(&ctx, perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS).await?;
    let ips = server_ips(&fields)?;
    act.run(
        "load_balancer.server_ips_assign",
        json!({ "server_ips": ips }),
        StatusCode::OK,
        KEY,
        act.up.client().add_load_balancer_server_ips(&id, &ips),
    )
    .await
}

/// `DELETE /load_balancers/{id}/server_ips/{ip_id}`: the IP is read first,
/// as the balancer lists it, for the audit log (an IP it does not list is
/// not found).
async fn unassign_ip(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let ip_id = ctx.object_id("ip_id")?;
    let (act, id) = begin(&ctx, perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS).await?;
    let client = act.up.client();
    let ip = client
        .get_load_balancer_server_ip(&id, &ip_id)
        .await
        .map_err(act.failed())?
        .value;
    act.run(
        "load_balancer.server_ip_unassign",
        unassign_details(&ip_id, &ip),
        StatusCode::OK,
        KEY,
        client.remove_load_balancer_server_ip(&id, &ip_id),
    )
    .await
}

/// `DELETE /load_balancers/{id}`: the audit log records its address and
/// the server IPs that stop receiving its traffic.
async fn delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = begin(&ctx, perms::LOAD_BALANCERS_DELETE).await?;
    let client = act.up.client();
    let lb = client
        .get_load_balancer(&id)
        .await
        .map_err(act.failed())?
        .value;
    let (details, _) = deletion_details(&act.up, &id, lb).await;
    act.run(
        "load_balancer.delete",
        details,
        StatusCode::OK,
        KEY,
        client.delete_load_balancer(&id),
    )
    .await
}
