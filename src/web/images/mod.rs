//! `/o/{slug}/images`: the account's own images, made from a server once or
//! on a schedule; create, rename and describe (each behind its own flag),
//! stop the scheduled creation, delete. Every change is audited as a pair
//! and answered with a flash message.

pub(crate) mod actions;
mod detail;
pub(crate) mod form;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::images::Image;
use crate::rbac::perms;
use crate::web::cloud::{
    Family, Named, edit_form, list_page, row_fragment, save_edit, status_fragment,
};

/// Images, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "image",
    word: "images",
    object: "/images/{id}",
    title: "Images",
    one: "image",
    many: "images",
    show: perms::IMAGES_SHOW,
    create: perms::IMAGES_CREATE,
};

impl Named for Image {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/images" {
        GET  "" => list_page::<list::Images>,
        POST "" => form::create,
        GET  "/new" => form::new,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::Images>,
        GET  "/{id}/status" => status_fragment::<list::Images>,
        GET  "/{id}/edit" => edit_form::<form::Edit>,
        POST "/{id}/edit" => save_edit::<form::Edit>,
        POST "/{id}/frequency" => actions::stop_schedule,
        POST "/{id}/delete" => actions::delete,
    }
}
