//! Pages whose bulk is HTML made earlier and shared: a list's rows, made
//! once per stored answer of the API (see `Fetched::derived`), are about
//! two thirds of a list page's bytes. Rather than copy them into every
//! view's page, the page is rendered with a [`SLOT`] where they go, and the
//! response body is the page's head, the shared rows and the page's tail,
//! one after another, with the length of the whole.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, http::header};
use askama::Template;

use crate::web::error::{AppError, AppResult};

/// Where a template puts the shared HTML
/// (`{{ crate::web::spliced::SLOT|safe }}`). Everything a template writes
/// from data is escaped, so no data can write `<`; only HTML the panel
/// makes itself is written as it is, and none is this tag.
pub const SLOT: &str = "<teampanel-slot></teampanel-slot>";

/// Renders `template`, with `shared` in the place of its [`SLOT`].
pub fn render<T: Template>(
    status: StatusCode,
    template: &T,
    shared: Bytes,
) -> AppResult<HttpResponse> {
    let mut out = Marking {
        page: String::with_capacity(T::SIZE_HINT.max(16 * 1024)),
        at: None,
    };
    template
        .render_into(&mut out)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to render a page: {e}")))?;
    let Some(at) = out.at else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "A page meant to carry shared HTML has no place for it"
        )));
    };
    let page = Bytes::from(out.page);
    let head = page.slice(..at);
    let tail = page.slice(at..);
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(Parts::new([head, shared, tail])))
}

/// The page as it is rendered, with where the slot was written instead of
/// the slot: askama writes an expression's value in a call of its own, so
/// the slot arrives whole, and looking for it in the finished page (HTML,
/// dense with `<`) would cost more than the copy it saves.
struct Marking {
    page: String,
    at: Option<usize>,
}

impl std::fmt::Write for Marking {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.at.is_none() && s.len() == SLOT.len() && s == SLOT {
            self.at = Some(self.page.len());
        } else {
            self.page.push_str(s);
        }
        Ok(())
    }
}

/// A body of a few pieces sent one after another, whose whole length is
/// known (so it goes out with `Content-Length`, not chunked).
struct Parts {
    parts: std::array::IntoIter<Bytes, 3>,
    size: u64,
}

impl Parts {
    fn new(parts: [Bytes; 3]) -> Self {
        let size = parts.iter().map(|p| p.len() as u64).sum();
        Self {
            parts: parts.into_iter(),
            size,
        }
    }
}

impl MessageBody for Parts {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.size)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        let next = this.parts.by_ref().find(|p| !p.is_empty());
        if let Some(part) = &next {
            this.size -= part.len() as u64;
        }
        Poll::Ready(next.map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Template)]
    #[template(source = "<p>{{ name }}</p>{{ slot|safe }}<p>end</p>", ext = "html")]
    struct Page<'a> {
        name: &'a str,
        slot: &'a str,
    }

    #[actix_web::test]
    async fn the_shared_html_goes_where_the_slot_is_and_the_length_is_the_whole() {
        let page = Page {
            name: "<teampanel-slot></teampanel-slot>",
            slot: SLOT,
        };
        let response = render(StatusCode::OK, &page, Bytes::from_static(b"<tr>rows</tr>"))
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body();
        let expected =
            "<p>&#60;teampanel-slot&#62;&#60;/teampanel-slot&#62;</p><tr>rows</tr><p>end</p>";
        assert_eq!(body.size(), BodySize::Sized(expected.len() as u64));
        let bytes = actix_web::body::to_bytes(body)
            .await
            .unwrap_or_else(|_| panic!("the body is read"));
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_page_without_a_slot_is_an_error_not_a_page() {
        let page = Page {
            name: "x",
            slot: "",
        };
        assert!(render(StatusCode::OK, &page, Bytes::new()).is_err());
    }
}
