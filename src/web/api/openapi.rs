//! The OpenAPI 3.1 document of the API, made from the route table
//! ([`super::all_routes`]) with utoipa's builders: every route, its
//! parameters and body as the handlers check them, the flag it needs, and
//! its answers. Served at `/api/v1/openapi.json` without a token (it holds
//! nothing of any organisation).

use actix_web::HttpResponse;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{
    ArrayBuilder, ComponentsBuilder, ContentBuilder, Info, ObjectBuilder, OpenApi, OpenApiBuilder,
    PathItem, PathsBuilder, Required, ResponseBuilder, Schema, SecurityRequirement, Type,
};

use super::routes::{ApiRoute, Body, Kind, Param, Verb};

const HEADER_SCHEME: &str = "token_header";
const QUERY_SCHEME: &str = "token_param";

fn schema(kind: Kind, about: &str) -> Schema {
    let about = (!about.is_empty()).then_some(about);
    match kind {
        Kind::Texts => ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(Type::String))
            .description(about)
            .into(),
        Kind::Objects(fields) => ArrayBuilder::new()
            .items(object(fields))
            .description(about)
            .into(),
        Kind::Text => ObjectBuilder::new()
            .schema_type(Type::String)
            .description(about)
            .into(),
        Kind::Integer => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .description(about)
            .into(),
        Kind::Boolean => ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .description(about)
            .into(),
    }
}

fn object(fields: &[Param]) -> ObjectBuilder {
    fields.iter().fold(
        ObjectBuilder::new().schema_type(Type::Object),
        |object, field| {
            let object = object.property(field.name, schema(field.kind, field.about));
            if field.required {
                object.required(field.name)
            } else {
                object
            }
        },
    )
}

fn body_schema(body: &Body) -> Schema {
    match body.root {
        Some(root) => ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(root, object(body.fields))
            .required(root)
            .into(),
        None => object(body.fields).into(),
    }
}

fn errors_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(
                ObjectBuilder::new().schema_type(Type::Object).property(
                    "errors",
                    ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
                ),
            ))
            .build(),
    )
}

fn operation(route: &ApiRoute) -> utoipa::openapi::path::Operation {
    let needs = match route.permission {
        Some(p) => format!("Needs the permission `{p}`."),
        None if route.needs_token => {
            "Any member's token may use it (a change checks the flag its action needs).".to_owned()
        }
        None => "Open: no token needed.".to_owned(),
    };
    let mut op = OperationBuilder::new()
        .tag(route.tag.clone())
        .summary(Some(route.summary.clone()))
        .description(Some(needs))
        .operation_id(Some(format!(
            "{}{}",
            route.verb.as_str().to_lowercase(),
            route.path.replace(['/', '{', '}'], "_")
        )));
    for name in route.path_params() {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema(Kind::Text, ""))),
        );
    }
    for param in route.query {
        op = op.parameter(
            ParameterBuilder::new()
                .name(param.name)
                .parameter_in(ParameterIn::Query)
                .required(if param.required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(param.about))
                .schema(Some(schema(param.kind, ""))),
        );
    }
    if let Some(body) = &route.body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(body_schema(body)))
                        .build(),
                )
                .build(),
        ));
    }
    for (status, about) in route.answers {
        op = op.response(
            status.to_string(),
            ResponseBuilder::new().description(*about),
        );
    }
    if route.needs_token {
        op = op
            .response("401", errors_response("No valid token."))
            .response("403", errors_response("The token's role lacks the permission (audited as denied)."))
            .response("404", errors_response("Not found, or another organisation's."))
            .response("422", errors_response("Unknown (`unpermitted`) or missing (`missing`) parameters, or values that cannot be used."))
            .response("429", errors_response("The token's rate limit is spent: see X-RateLimit-Reset."));
        if route.verb != Verb::Get {
            op = op.response(
                "409",
                errors_response("The object's state does not allow the change."),
            );
        }
        op = op
            .security(SecurityRequirement::new::<_, [&str; 0], &str>(
                HEADER_SCHEME,
                [],
            ))
            .security(SecurityRequirement::new::<_, [&str; 0], &str>(
                QUERY_SCHEME,
                [],
            ));
    }
    op.build()
}

fn method(verb: Verb) -> HttpMethod {
    match verb {
        Verb::Get => HttpMethod::Get,
        Verb::Post => HttpMethod::Post,
        Verb::Put => HttpMethod::Put,
        Verb::Delete => HttpMethod::Delete,
    }
}

/// The document for `routes`.
pub fn document(routes: &[ApiRoute]) -> OpenApi {
    let paths = routes.iter().fold(PathsBuilder::new(), |paths, route| {
        paths.path(
            route.path.clone(),
            PathItem::new(method(route.verb), operation(route)),
        )
    });
    let mut info = Info::new("teampanel API", "1");
    info.description = Some(
        "The panel's operations for scripts, with the same permissions and audit log as its \
         pages. Send a personal access token (made on your profile page) in the \
         X-TEAMPANEL-TOKEN header or the token parameter. Every answer is JSON and carries \
         X-RateLimit-Limit, -Remaining and -Reset (Unix time) for the token. A change the \
         cloud account's request budget cannot take now answers 202 with `queued.status_url`."
            .to_owned(),
    );
    OpenApiBuilder::new()
        .info(info)
        .paths(paths)
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    HEADER_SCHEME,
                    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-TEAMPANEL-TOKEN"))),
                )
                .security_scheme(
                    QUERY_SCHEME,
                    SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::new("token"))),
                )
                .build(),
        ))
        .build()
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document(&super::all_routes()))
}
