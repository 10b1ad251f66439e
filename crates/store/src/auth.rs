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

    pub async fn session_save(&self, id: &str, data: &str, expires_at: i64) -> Result<()> {
        let am = session::ActiveModel { id: Set(id.into()), data: Set(data.into()), expires_at: Set(expires_at) };
        session::Entity::insert(am)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
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

    /// Failures for `key` in the last `window_secs` seconds.
    pub async fn login_failures(&self, key: &str, window_secs: i64) -> Result<u64> {
        Ok(login_failure::Entity::find()
            .filter(login_failure::Column::Key.eq(key))
            .filter(login_failure::Column::At.gt(now() - window_secs))
            .count(&self.db)
            .await?)
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        login_failure::Entity::delete_many().filter(login_failure::Column::Key.eq(key)).exec(&self.db).await?;
        Ok(())
    }

    // ---- API tokens ----

    /// Stores a token by its hash (the token itself is shown once and never stored).
    pub async fn create_api_token(&self, user: UserId, name: &str, token_hash: &str) -> Result<()> {
        api_token::ActiveModel {
            user_id: Set(user.0),
            name: Set(name.into()),
            token_hash: Set(token_hash.into()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
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

    // ---- audit ----

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
    audit::ActiveModel {
        station_id: Set(Some(station.0)),
        user_id: Set(Some(by.0)),
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
