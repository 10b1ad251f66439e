//! The back office's administration: accounts, stations and the audit log. Administrators
//! manage their station's accounts and read its audit log; headquarters administrators (no
//! station of their own) see every station's, and alone create stations.

use crate::Actor;
use crate::access::{self, require};
use crate::{Error, Result};
use domain::*;
use serde::Deserialize;
use store::{AuditEntry, NewUser, PasswordReplaced, Scope, Station, Store, User};

/// The audit rows a request shows when it does not say, and the most it may ask for.
pub const DEFAULT_AUDIT_LIMIT: u64 = 100;
pub const MAX_AUDIT_LIMIT: u64 = 1000;

// ---- accounts ----

/// The station's accounts (every account, for headquarters). Administrators only.
pub async fn users(store: &Store, actor: &Actor) -> Result<Vec<User>> {
    require(access::can_manage_users(actor.role()))?;
    Ok(store.users(actor.scope()).await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub correspondent_id: Option<CorrespondentId>,
    pub unit_id: Option<UnitId>,
}

pub async fn create_account(store: &Store, actor: &Actor, a: NewAccount) -> Result<User> {
    require(access::can_manage_users(actor.role()))?;
    let station = actor.station()?;
    let mut e = FieldErrors::default();
    // Checked here too (the store checks it again) so that one answer lists every mistake.
    if let Err(m) = store::check_username(a.username.trim()) {
        e.push("username", m);
    }
    if let Err(m) = crate::password::check_new_password(&a.password) {
        e.push("password", m);
    }
    if a.display_name.trim().is_empty() {
        e.push("display_name", "请填写姓名");
    }
    if a.role == Role::Correspondent && a.correspondent_id.is_none() {
        e.push("correspondent_id", "通讯员账号必须关联一位通讯员");
    }
    if a.role == Role::Liaison && a.unit_id.is_none() {
        e.push("unit_id", "联络员账号必须选择单位");
    }
    if let Some(c) = a.correspondent_id
        && store.correspondent(Scope::Station(station), c).await.is_err()
    {
        e.push("correspondent_id", "通讯员不存在");
    }
    if let Some(u) = a.unit_id
        && store.unit(Scope::Station(station), u).await.is_err()
    {
        e.push("unit_id", "单位不存在");
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let hash = crate::password::hash_password(&a.password)?;
    let user = store
        .create_user(
            NewUser {
                station_id: Some(station),
                username: a.username,
                password_hash: hash,
                display_name: a.display_name,
                role: a.role,
                correspondent_id: a.correspondent_id,
                unit_id: a.unit_id,
            },
            Some(actor.user.id),
        )
        .await?;
    Ok(user)
}

/// An account an administrator may manage: one of their station (any, for headquarters).
pub async fn managed_user(store: &Store, actor: &Actor, id: UserId) -> Result<User> {
    require(access::can_manage_users(actor.role()))?;
    // A station's scope does not see headquarters accounts (their station is NULL).
    Ok(store.user(actor.scope(), id).await?)
}

/// An administrator sets a new password for an account (a forgotten one, or one that may be
/// known to others): every session of that account ends and every API token of it is revoked,
/// with the audit row, together. Resetting one's own keeps `this_session`.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    id: UserId,
    new: &str,
    confirm: &str,
    this_session: Option<&str>,
) -> Result<PasswordReplaced> {
    let user = managed_user(store, actor, id).await?;
    let mut e = FieldErrors::default();
    crate::ops::check_new_password_twice(&mut e, new, confirm);
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let hash = crate::password::hash_password(new)?;
    let keep = this_session.filter(|_| user.id == actor.user.id);
    Ok(store.replace_password(user.id, &hash, keep, actor.user.id, "user.password_reset").await?)
}

// ---- stations ----

/// Whether the actor is a headquarters administrator.
fn is_hq_admin(actor: &Actor) -> bool {
    actor.is_hq() && access::can_manage_users(actor.role())
}

/// The stations: every one for a headquarters account, an administrator's own otherwise.
pub async fn stations(store: &Store, actor: &Actor) -> Result<Vec<Station>> {
    require(actor.is_hq() || access::can_manage_users(actor.role()))?;
    let all = store.stations().await?;
    Ok(all.into_iter().filter(|s| actor.scope().allows(s.id)).collect())
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewStation {
    /// A short identifier (letters, digits, - and _), used in URLs.
    pub code: String,
    pub name: String,
}

/// A new station, with its portal's default columns. Headquarters administrators only.
pub async fn create_station(store: &Store, actor: &Actor, s: NewStation) -> Result<Station> {
    require(is_hq_admin(actor))?;
    // The store checks the code (form, not taken) and the name.
    Ok(store.create_station_by(s.code.trim(), &s.name, actor.user.id).await?)
}

// ---- audit ----

/// The latest `limit` audit rows: an administrator's station's, or every station's for a
/// headquarters administrator. Nobody else reads the log.
pub async fn audit_log(store: &Store, actor: &Actor, limit: Option<u64>) -> Result<Vec<AuditEntry>> {
    require(access::can_manage_users(actor.role()))?;
    let limit = limit.unwrap_or(DEFAULT_AUDIT_LIMIT);
    if !(1..=MAX_AUDIT_LIMIT).contains(&limit) {
        return Err(Error::Invalid(FieldErrors(vec![FieldError::new(
            "limit",
            format!("条数应在1到{MAX_AUDIT_LIMIT}之间"),
        )])));
    }
    // A headquarters account has no station of its own: it reads every station's rows.
    Ok(store.audit_log(actor.user.station_id, limit).await?)
}
