//! The field a monitoring policy shows from its relations: the servers it
//! watches.

use crate::simulator::state::{Account, Kind, Obj, Rec};
use serde_json::{Value, json};

pub fn decorate(a: &Account, r: &Rec, o: &mut Obj) {
    let servers: Vec<Value> = a
        .coll(Kind::Server)
        .iter()
        .filter(|s| s.s("_mp") == r.id())
        .map(|s| json!({"id": s.id(), "name": s.name()}))
        .collect();
    o.insert("servers".into(), Value::Array(servers));
}
