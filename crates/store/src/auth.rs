//! What the web layer's security rests on: server-side sessions (shared by every instance on
//! the same database), login-failure counts for throttling, API tokens, and the audit log.

use crate::entities::{api_token, audit, login_failure, session, user};
use crate::network::user_of;
use crate::{Result, Store, User, now};
use domain::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;

/// What a password change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordReplaced {
    /// Sessions ended.
    pub sessions: u64,
    /// API tokens revoked.
    pub tokens: u64,
}

/// The user a session's data is signed in as (`{"user_id": 7, …}`), if any.
pub fn session_user(data: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(data).ok()?.get("user_id")?.as_i64()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub station_id: Option<StationId>,
    pub user_id: Option<UserId>,
    pub at: i64,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl Store {
    // ---- sessions ----

    /// The stored session data, unless it has expired.
    pub async fn session_load(&self, id: &str) -> Result<Option<String>> {
        Ok(session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(now()))
            .one(&self.db)
            .await?
            .map(|s| s.data))
    }

    /// Stores a new session (its id was checked to be free), with the user it is signed in as.
    pub async fn session_create(&self, id: &str, data: &str, expires_at: i64) -> Result<()> {
        let am = session::ActiveModel {
            id: Set(id.into()),
            data: Set(data.into()),
            expires_at: Set(expires_at),
            user_id: Set(session_user(data)),
        };
        session::Entity::insert(am)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt, session::Column::UserId])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Updates a session that exists. A session deleted meanwhile (logged out, or ended by a
    /// password change) stays deleted: a request that was in flight cannot bring it back.
    pub async fn session_save(&self, id: &str, data: &str, expires_at: i64) -> Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::Data, data.into())
            .col_expr(session::Column::ExpiresAt, expires_at.into())
            .col_expr(session::Column::UserId, session_user(data).into())
            .filter(session::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Whether a session id is taken (expired or not), so a new id never reuses one.
    pub async fn session_exists(&self, id: &str) -> Result<bool> {
        Ok(session::Entity::find_by_id(id.to_string()).count(&self.db).await? > 0)
    }

    pub async fn session_delete(&self, id: &str) -> Result<()> {
        session::Entity::delete_by_id(id.to_string()).exec(&self.db).await?;
        Ok(())
    }

    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let r = session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(now())).exec(&self.db).await?;
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::At.lte(now() - 86_400))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected)
    }

    // ---- login throttling ----

    pub async fn record_login_failure(&self, key: &str) -> Result<()> {
        login_failure::ActiveModel { key: Set(key.into()), at: Set(now()), ..Default::default() }
            .insert(&self.db)
            .await?;
        Ok(())
    }

    /// When `key` failed in the last `window_secs` seconds, newest first, at most `limit`.
    pub async fn recent_login_failures(&self, key: &str, window_secs: i64, limit: u64) -> Result<Vec<i64>> {
        Ok(login_failure::Entity::find()
            .select_only()
            .column(login_failure::Column::At)
            .filter(login_failure::Column::Key.eq(key))
            .filter(login_failure::Column::At.gt(now() - window_secs))
            .order_by_desc(login_failure::Column::At)
            .limit(limit)
            .into_tuple::<i64>()
            .all(&self.db)
            .await?)
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        login_failure::Entity::delete_many().filter(login_failure::Column::Key.eq(key)).exec(&self.db).await?;
        Ok(())
    }

    // ---- API tokens ----

    /// Stores a token by its hash (the token itself is shown once and never stored), with its
    /// audit row.
    pub async fn create_api_token(&self, user: UserId, name: &str, token_hash: &str) -> Result<()> {
        let txn = self.write_txn().await?;
        let owner = user::Entity::find_by_id(user.0).one(&txn).await?.ok_or(crate::StoreError::NotFound)?;
        api_token::ActiveModel {
            user_id: Set(user.0),
            name: Set(name.into()),
            token_hash: Set(token_hash.into()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let station = owner.station_id.map(StationId);
        audit_row_in(&txn, station, Some(user), "token.create", format!("user:{}", user.0), name.into()).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn user_by_token_hash(&self, token_hash: &str) -> Result<Option<User>> {
        let Some(t) =
            api_token::Entity::find().filter(api_token::Column::TokenHash.eq(token_hash)).one(&self.db).await?
        else {
            return Ok(None);
        };
        Ok(user::Entity::find_by_id(t.user_id).one(&self.db).await?.map(user_of))
    }

    /// Sets a user's password and ends what the old one let in: every session of the user
    /// except `keep` (the one that made the change, if it was the user), and every API token.
    /// One transaction with its audit row, so either all of it happened or none.
    pub async fn replace_password(
        &self,
        user: UserId,
        hash: &str,
        keep: Option<&str>,
        by: UserId,
        action: &str,
    ) -> Result<PasswordReplaced> {
        let txn = self.write_txn().await?;
        let target = user::Entity::find_by_id(user.0).one(&txn).await?.ok_or(crate::StoreError::NotFound)?;
        user::ActiveModel { id: Set(user.0), password_hash: Set(hash.into()), ..Default::default() }
            .update(&txn)
            .await?;
        let mut sessions = session::Entity::delete_many().filter(session::Column::UserId.eq(user.0));
        if let Some(keep) = keep {
            sessions = sessions.filter(session::Column::Id.ne(keep));
        }
        let sessions = sessions.exec(&txn).await?.rows_affected;
        let tokens = api_token::Entity::delete_many()
            .filter(api_token::Column::UserId.eq(user.0))
            .exec(&txn)
            .await?
            .rows_affected;
        audit::ActiveModel {
            station_id: Set(target.station_id),
            user_id: Set(Some(by.0)),
            at: Set(now()),
            action: Set(action.into()),
            subject: Set(format!("user:{}", user.0)),
            detail: Set(format!("{}：结束{sessions}个登录，撤销{tokens}个API令牌", target.username)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(PasswordReplaced { sessions, tokens })
    }

    // ---- audit ----

    /// An audit row on its own, for an event that writes nothing else in one transaction (the
    /// demo data set, loaded by many). A change is audited inside its own transaction instead
    /// (`audit_in`), so that the two commit together or not at all.
    pub async fn audit(
        &self,
        station: Option<StationId>,
        user: Option<UserId>,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        audit::ActiveModel {
            station_id: Set(station.map(|s| s.0)),
            user_id: Set(user.map(|u| u.0)),
            at: Set(now()),
            action: Set(action.into()),
            subject: Set(subject.into()),
            detail: Set(detail.into()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    pub async fn audit_log(&self, station: Option<StationId>, limit: u64) -> Result<Vec<AuditEntry>> {
        let mut q = audit::Entity::find().order_by_desc(audit::Column::Id).limit(limit);
        if let Some(s) = station {
            q = q.filter(audit::Column::StationId.eq(s.0));
        }
        Ok(q.all(&self.db)
            .await?
            .into_iter()
            .map(|a| AuditEntry {
                id: a.id,
                station_id: a.station_id.map(StationId),
                user_id: a.user_id.map(UserId),
                at: a.at,
                action: a.action,
                subject: a.subject,
                detail: a.detail,
            })
            .collect())
    }
}

/// An audit row written inside the caller's transaction, so the change and its record of who
/// did it commit together or not at all.
pub(crate) async fn audit_in(
    db: &impl ConnectionTrait,
    station: StationId,
    by: UserId,
    action: &str,
    subject: String,
    detail: String,
) -> Result<()> {
    audit_row_in(db, Some(station), Some(by), action, subject, detail).await
}

/// `audit_in` for changes that may belong to no station (headquarters accounts) or be made by
/// no user (the command line).
pub(crate) async fn audit_row_in(
    db: &impl ConnectionTrait,
    station: Option<StationId>,
    by: Option<UserId>,
    action: &str,
    subject: String,
    detail: String,
) -> Result<()> {
    audit::ActiveModel {
        station_id: Set(station.map(|s| s.0)),
        user_id: Set(by.map(|u| u.0)),
        at: Set(now()),
        action: Set(action.into()),
        subject: Set(subject),
        detail: Set(detail),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
