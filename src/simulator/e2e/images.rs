//! `/images/...`: the OS catalogue, the plans of one image, and the saved
//! images with their rename and delete actions.

use super::envelope::{E2eError, E2eResult, Problems, Reply};
use super::fields::{self, REQUIRED, given};
use super::req::Req;
use super::state::ImageState;
use serde_json::{Value, json};

pub fn category_list(r: &mut Req) -> E2eResult<Reply> {
    Ok(r.cat.category_list().into())
}

/// `GET /images/?display_category=&category=&osversion=&os=`: every plan of one image.
pub fn plans(r: &mut Req) -> E2eResult<Reply> {
    let mut p = Problems::default();
    let mut get = |key: &str| match r.q(key).map(str::trim) {
        Some(v) if !v.is_empty() => Some(v.to_string()),
        _ => {
            p.add(key, REQUIRED);
            None
        }
    };
    let (display, category, version, os) = (
        get("display_category"),
        get("category"),
        get("osversion"),
        get("os"),
    );
    p.check()?;
    let (Some(display), Some(category), Some(version), Some(os)) = (display, category, version, os)
    else {
        return Err(E2eError::bad_request("Invalid request"));
    };
    let img = r
        .cat
        .find_image(&display, &category, &version, &os)
        .ok_or_else(|| {
            E2eError::bad_request(format!(
                "No image {os} {version} in {category} / {display}: see /images/category-list/"
            ))
        })?;
    let list: Vec<Value> = r
        .cat
        .plans_for(&img.slug)
        .map(|pl| r.cat.plan_json(pl))
        .collect();
    Ok(Value::Array(list).into())
}

pub fn saved_list(r: &mut Req) -> E2eResult<Reply> {
    Ok(Value::Array(r.acct.images_json()).into())
}

/// `POST /images/{image_id}/` with `action_type` rename or delete_image.
pub fn image_action(r: &mut Req) -> E2eResult<Reply> {
    let b = fields::object(&r.body)?;
    let action = match given(b, "action_type") {
        None => return Err(E2eError::field("action_type", REQUIRED)),
        Some(Value::String(a)) if a == "rename" || a == "delete_image" => a.clone(),
        Some(_) => {
            return Err(E2eError::field(
                "action_type",
                "Must be rename or delete_image.",
            ));
        }
    };
    let new_name = if action == "rename" {
        Some(fields::name(b.get("name")).map_err(|e| E2eError::field("name", e))?)
    } else {
        None
    };
    let not_found = || E2eError::not_found("Image not found");
    let id = r.path_id().ok_or_else(not_found)?;
    let state = r.acct.image(id).ok_or_else(not_found)?.state;
    if let Some(name) = new_name {
        if let Some(i) = r.acct.images.iter_mut().find(|i| i.image_id == id) {
            i.name = name;
        }
        return Ok(json!({}).into());
    }
    if state == ImageState::Creating {
        return Err(E2eError::bad_request("The image is still being created"));
    }
    let users = r.acct.image_users(id);
    if users > 0 {
        return Err(E2eError::bad_request(format!(
            "The image is in use by {users} nodes"
        )));
    }
    r.acct.images.retain(|i| i.image_id != id);
    Ok(json!({}).into())
}
