//! The fields storages show from their relations: the server of a block
//! storage, the servers (and their rights) of a shared storage.

use crate::simulator::state::{Account, Kind, Obj, Rec};
use serde_json::{Value, json};

pub fn decorate(a: &Account, k: Kind, r: &Rec, o: &mut Obj) {
    match k {
        Kind::BlockStorage => {
            o.insert(
                "server".into(),
                a.id_name(Kind::Server, r.s("_server"))
                    .unwrap_or(Value::Null),
            );
        }
        Kind::SharedStorage => {
            let servers: Vec<Value> = r
                .obj
                .get("_servers")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|s| {
                            let id = s["id"].as_str()?;
                            let name = a.name_of(Kind::Server, id)?;
                            Some(json!({"id": id, "name": name, "rights": s["rights"]}))
                        })
                        .collect()
                })
                .unwrap_or_default();
            o.insert("servers".into(), Value::Array(servers));
        }
        _ => {}
    }
}
