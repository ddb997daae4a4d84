//! A remote change whose answer is not a redirect: a create or edit form
//! that shows the API's refusal beside its fields, or a download. The same
//! audit pair as `cloud::Act::run`: the `requested` event before the call,
//! the outcome after it, one correlation id; no record, no call.

use std::future::Future;

use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::CloudError;
use crate::web::cloud::Upstream;
use crate::web::error::AppResult;

/// Records `event` as requested, runs `call`, and records its outcome; the
/// success names the target as `named` reads it from the answer (id, name).
pub async fn recorded<T>(
    up: &Upstream,
    event: NewEvent,
    call: impl Future<Output = Result<T, CloudError>>,
    named: impl FnOnce(&T) -> (String, String),
) -> AppResult<Result<T, CloudError>> {
    let action = event.action.clone();
    let pending = up.account.request(event).await?;
    match call.await {
        Ok(answer) => {
            let (id, name) = named(&answer);
            pending
                .finish_with_target(Outcome::Succeeded, Some((&id, &name)))
                .await?;
            Ok(Ok(answer))
        }
        Err(e) => {
            pending
                .finish(Outcome::Failed, e.status(), Some(e.user_message()))
                .await?;
            tracing::info!(action, error = %e, "a cloud change failed upstream");
            Ok(Err(e))
        }
    }
}
