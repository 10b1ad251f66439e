//! `m0011_session_users`: whose each session is.

use super::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0011SessionUsers;

impl MigrationName for M0011SessionUsers {
    fn name(&self) -> &str {
        "m0011_session_users"
    }
}

/// Whose each session is, so a password change or reset can end the user's other sessions
/// with one `DELETE`. Existing sessions are filled in from their data (`{"user_id": 7, …}`).
#[async_trait::async_trait]
impl MigrationTrait for M0011SessionUsers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("sessions").add_column(big_integer_null("user_id")).to_owned()).await?;
        m.create_index(index("sessions", "user", &["user_id"], false)).await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db.query_all_raw(sea_orm::Statement::from_string(backend, "SELECT id, data FROM sessions")).await?;
        for row in rows {
            let id: String = row.try_get("", "id")?;
            let data: String = row.try_get("", "data")?;
            let Some(user) = crate::auth::session_user(&data) else { continue };
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DatabaseBackend::Postgres => "UPDATE sessions SET user_id = $1 WHERE id = $2",
                    _ => "UPDATE sessions SET user_id = ? WHERE id = ?",
                },
                [user.into(), id.into()],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_sessions_user").table("sessions").to_owned()).await?;
        m.alter_table(Table::alter().table("sessions").drop_column("user_id").to_owned()).await?;
        Ok(())
    }
}
