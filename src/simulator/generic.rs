//! The generic handlers shared by the families and the route table: list
//! and read an element, start its removal, read an embedded array (rules,
//! ports, processes), and the check before a change.
//!
//! Its own file because the families' handlers call them while the route
//! table ([`super::router`]) names every family's handlers.

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::render::{render, render_id};
use super::state::{Account, Kind, Rec};
use serde_json::{Value, json};

pub fn list(c: &mut Ctx, k: Kind) -> ApiResult<Value> {
    let lp = c.list_params()?;
    let items: Vec<Value> = c
        .acct
        .coll(k)
        .iter()
        .map(|r| render(c.acct, k, r))
        .collect();
    Ok(Value::Array(lp.apply(items)))
}

pub fn get(c: &mut Ctx, k: Kind) -> ApiResult<Value> {
    render_id(c.acct, k, c.p(0))
}

/// Starts the element's removal: it shows `state` for `dur` seconds, then answers 404.
pub fn delete(c: &mut Ctx, k: Kind, state: &str, dur: f64) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let now = c.now;
    let r = c.acct.get_mut(k, &id)?;
    if r.tr.as_ref().is_some_and(|t| t.remove) {
        return Err(ApiError::invalid_state(
            k.element_type(),
            &id,
            state,
            "The element is already being removed",
        ));
    }
    Account::begin(r, k, state, "", now, dur, None, true);
    render_id(c.acct, k, &id)
}

/// Lists an embedded array (rules, ports, processes) of an element.
pub fn sub_list(c: &mut Ctx, k: Kind, key: &str) -> ApiResult<Value> {
    let r = c.acct.get(k, c.p(0))?;
    Ok(r.obj.get(key).cloned().unwrap_or_else(|| json!([])))
}

/// One item of an embedded array by id.
pub fn sub_get(c: &mut Ctx, k: Kind, key: &str, missing: ApiError) -> ApiResult<Value> {
    let r = c.acct.get(k, c.p(0))?;
    r.obj
        .get(key)
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|x| x.get("id").and_then(Value::as_str) == Some(c.p(1)))
        })
        .cloned()
        .ok_or(missing)
}

pub fn rule_not_found(message: &str) -> ApiError {
    ApiError::not_found("RULE_NOT_FOUND", message)
}

/// Refuses to start a change while the element is still between states.
pub fn ensure_idle(k: Kind, r: &Rec) -> ApiResult<()> {
    if Account::busy(r) {
        let state = Account::state_of(k, r);
        return Err(ApiError::invalid_state(
            k.element_type(),
            r.id(),
            &state,
            format!("Operation not allowed while the element is in state {state}"),
        ));
    }
    Ok(())
}
