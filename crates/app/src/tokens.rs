//! API tokens: a user makes one for their scripts (on the site, through the API, or with
//! `tonglian token create`). The token is shown once; only its SHA-256 is stored.

use crate::password::{random_token, token_hash};
use crate::{Actor, Result};
use store::Store;

/// The longest a token's name may be (characters); longer names are cut.
pub const MAX_TOKEN_NAME: usize = 64;

/// Makes a token that acts as `actor`, with its audit row in the same transaction, and
/// returns it (the only time it is seen).
pub async fn create_token(store: &Store, actor: &Actor, name: &str) -> Result<String> {
    let token = format!("tl_{}", random_token(32));
    let name = match name.trim() {
        "" => "api".to_string(),
        n => n.chars().take(MAX_TOKEN_NAME).collect(),
    };
    store.create_api_token(actor.user.id, &name, &token_hash(&token)).await?;
    Ok(token)
}
