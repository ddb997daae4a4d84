//! The changes made from a VPN's page: deletion (typed name), and the
//! configuration file's download. The download is audited like a change
//! (`vpn.download_configuration`, requested before the call and its outcome
//! after): the file lets its holder into the team's network.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::FAMILY;
use super::list::Vpns;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::networks::Vpn;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Act, Change, Deletable, Object, Then, recorded};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::parts::{check_typed_name, file_stem};
use crate::web::org_ctx::OrgCtx;

/// The VPN as it is now, or the answer for a VPN that cannot be read.
async fn current(act: &Act<'_>, id: &str) -> Result<Vpn, AppResult<HttpResponse>> {
    match Vpns::get(act.up.client(), id).await {
        Ok(fetched) => Ok(fetched.value),
        Err(e) => Err(act.unreadable(FAMILY.one, &e)),
    }
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object.act(&ctx, &session, Vpns::DELETE, &FAMILY).await?;
    let vpn = match current(&act, id).await {
        Ok(vpn) => vpn,
        Err(answer) => return answer,
    };
    if let Err(message) = check_typed_name("VPN's name", Vpns::typed(&vpn), &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change {
        action: Vpns::ACTION,
        details: Vpns::details(&vpn),
        success: "Deleting {name}; its configuration files stop working.".into(),
        then: Then::List,
    };
    act.run(change, Vpns::delete(act.up.client(), id)).await
}

/// A VPN's deletion, as its page and the JSON API make it.
impl Deletable for Vpns {
    const DELETE: Permission = perms::VPN_DELETE;
    const ACTION: &'static str = "vpn.delete";
    type Answer = Vpn;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<Vpn>, CloudError> {
        client.get_vpn(id).await
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<Vpn, CloudError> {
        client.delete_vpn(id).await
    }

    fn typed(vpn: &Vpn) -> &str {
        &vpn.name
    }

    fn details(vpn: &Vpn) -> Value {
        vpn.delete_details()
    }
}

pub async fn download(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::VPN_DOWNLOAD_FILE, &FAMILY)
        .await?;
    let vpn = match current(&act, id).await {
        Ok(vpn) => vpn,
        Err(answer) => return answer,
    };
    let event = NewEvent::new("vpn.download_configuration", Outcome::Requested)
        .target(FAMILY.kind, id, &vpn.name)
        .details(json!({ "name": vpn.name }));
    let client = act.up.client();
    let call = async {
        let file = client.download_vpn_configuration_file(id).await?;
        file.bytes()
            .filter(|bytes| !bytes.is_empty())
            .ok_or_else(|| CloudError::Undecodable {
                detail: "the configuration file is empty or not base64".into(),
            })
    };
    let answer = recorded(&act.up, event, call, |_| (id.clone(), vpn.name.clone())).await?;
    match answer {
        Ok(bytes) => Ok(attachment(&vpn.name, bytes)),
        Err(e) => act.refused(&e),
    }
}

/// The file as a download: a name made only of safe characters, the type
/// its content says (a zip archive, else an OpenVPN profile), never cached.
fn attachment(vpn_name: &str, bytes: Vec<u8>) -> HttpResponse {
    let (content_type, extension) = if bytes.starts_with(b"PK\x03\x04") {
        ("application/zip", "zip")
    } else {
        ("application/x-openvpn-profile", "ovpn")
    };
    let filename = format!("{}.{extension}", file_stem(vpn_name, "vpn"));
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store, private"))
        .insert_header((header::PRAGMA, "no-cache"))
        .body(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(response: &HttpResponse, name: header::HeaderName) -> String {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn the_file_is_an_uncached_attachment_with_a_safe_name() {
        let response = attachment("Büro \"Nord\"", b"client\ndev tun\n".to_vec());
        assert_eq!(
            header_of(&response, header::CONTENT_DISPOSITION),
            "attachment; filename=\"B-ro-Nord.ovpn\""
        );
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/x-openvpn-profile"
        );
        assert!(header_of(&response, header::CACHE_CONTROL).contains("no-store"));
        let zip = attachment("office", b"PK\x03\x04rest".to_vec());
        assert_eq!(header_of(&zip, header::CONTENT_TYPE), "application/zip");
        assert!(header_of(&zip, header::CONTENT_DISPOSITION).ends_with("office.zip\""));
    }
}
