//! The fields SSH keys, users and roles show from their relations: the
//! servers holding a key, a user's role, a role's users.

use crate::simulator::state::{Account, Kind, Obj, Rec, str_list};
use serde_json::{Value, json};

pub fn decorate(a: &Account, k: Kind, r: &Rec, o: &mut Obj) {
    match k {
        Kind::SshKey => {
            let servers: Vec<Value> = a
                .coll(Kind::Server)
                .iter()
                .filter(|s| str_list(s.obj.get("_keys")).iter().any(|x| x == r.id()))
                .map(|s| json!({"id": s.id(), "name": s.name()}))
                .collect();
            o.insert("servers".into(), Value::Array(servers));
        }
        Kind::User => {
            o.insert(
                "roles".into(),
                a.id_name(Kind::Role, r.s("_role")).unwrap_or(Value::Null),
            );
        }
        Kind::Role => {
            let users: Vec<Value> = a
                .coll(Kind::User)
                .iter()
                .filter(|u| u.s("_role") == r.id())
                .map(|u| json!({"id": u.id(), "name": u.name()}))
                .collect();
            o.insert("users".into(), Value::Array(users));
        }
        _ => {}
    }
}
