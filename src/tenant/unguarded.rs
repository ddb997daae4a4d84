//! Organisation rows reached without a member's permission check. Each
//! function here says why it may: the invitation link comes before
//! membership (the one-time token is the credential), and the command line
//! maintains every organisation at once. Pages use [`super::Door`].

use serde_json::json;

use super::store;
use super::store::invitations::{Accepted, FoundInvitation, Invitation};
use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::crypto::{KeyRing, MasterKey};
use crate::db::Db;

/// The invitation a link's token names: the token is the only key.
pub async fn invitation_by_token(db: &Db, token: &str) -> anyhow::Result<Option<FoundInvitation>> {
    let mut conn = db.acquire().await?;
    store::invitations::by_token(&mut conn, token).await
}

/// Who accepted, for the `member.join` event.
pub struct Joiner<'a> {
    /// The request's context (ip, user agent, request id); the actor is filled in.
    pub ctx: &'a AuditCtx,
    /// Whether the account was created by accepting.
    pub new_account: bool,
}

async fn commit_join(
    change: LocalChange,
    joiner: &Joiner<'_>,
    invitation: &Invitation,
    user_id: i64,
    email: &str,
) -> anyhow::Result<()> {
    let mut ctx = joiner.ctx.in_org(invitation.org_id);
    ctx.actor_id = Some(user_id);
    ctx.actor_label = email.to_owned();
    let event = NewEvent::new("member.join", Outcome::Succeeded)
        .target("member", user_id, email)
        .details(json!({
            "role": invitation.role_name,
            "invitation_id": invitation.id,
            "new_account": joiner.new_account,
        }));
    change.commit(&ctx, event).await
}

/// A signed-in user whose email the invitation names accepts it.
pub async fn accept_invitation(
    db: &Db,
    joiner: &Joiner<'_>,
    invitation: &Invitation,
    user_id: i64,
    now: i64,
) -> anyhow::Result<Accepted> {
    let mut change = LocalChange::begin(db).await?;
    let outcome =
        store::invitations::accept_existing(change.conn(), invitation, user_id, now).await?;
    if matches!(outcome, Accepted::Joined(_) | Accepted::AlreadyMember(_)) {
        commit_join(change, joiner, invitation, user_id, &invitation.email).await?;
    }
    Ok(outcome)
}

/// Someone without an account accepts: the account is created with the
/// invitation's email, in the same transaction as the membership and its event.
pub async fn accept_invitation_as_new_user(
    db: &Db,
    joiner: &Joiner<'_>,
    invitation: &Invitation,
    name: &str,
    password_hash: &str,
    now: i64,
) -> anyhow::Result<Accepted> {
    let mut change = LocalChange::begin(db).await?;
    let outcome =
        store::invitations::accept_new_user(change.conn(), invitation, name, password_hash, now)
            .await?;
    if let Accepted::Joined(user_id) = outcome {
        commit_join(change, joiner, invitation, user_id, &invitation.email).await?;
    }
    Ok(outcome)
}

/// Re-seals every organisation's tokens (and the requests of queued
/// changes) under `new_key` and records it, in one transaction: either
/// every row moves, with its event, or none does.
pub async fn reseal_all_tokens(
    db: &Db,
    ctx: &AuditCtx,
    keys: &KeyRing,
    new_key: &MasterKey,
    previous_key_id: &str,
) -> anyhow::Result<usize> {
    let mut change = LocalChange::begin(db).await?;
    let resealed = store::accounts::reseal_all(change.conn(), keys, new_key).await?;
    // Queued changes wait with their request sealed like a token: it moves too.
    let queued = store::queue::reseal_waiting(change.conn(), keys, new_key).await?;
    // Webhook secrets are sealed too: they must open under the new key.
    let webhook_secrets = store::webhooks::reseal_all(change.conn(), keys, new_key).await?;
    let event = NewEvent::new("master_key.rotate", Outcome::Succeeded).details(json!({
        "tokens_resealed": resealed,
        "queued_changes_resealed": queued,
        "webhook_secrets_resealed": webhook_secrets,
        "sealed_under": new_key.id(),
        "previous": previous_key_id,
    }));
    change.commit(ctx, event).await?;
    Ok(resealed)
}
