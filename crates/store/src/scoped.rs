//! Scoping in one place: every by-id read, update and delete of a station's row puts the
//! caller's `Scope` in the SQL WHERE clause through `in_scope` or `find_in`, so an id of
//! another station answers `NotFound` exactly like a missing id (never a check after the fetch).

use crate::entities::*;
use crate::{Result, Scope, StoreError};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select};

/// A table whose rows belong to one station: its id column and its station column.
pub(crate) trait StationOwned: EntityTrait {
    const ID: Self::Column;
    const STATION: Self::Column;
}

macro_rules! station_owned {
    ($($module:ident),* $(,)?) => {
        $(impl StationOwned for $module::Entity {
            const ID: $module::Column = $module::Column::Id;
            const STATION: $module::Column = $module::Column::StationId;
        })*
        /// The station-owned tables, by module name; the conformance test checks that it
        /// covers each of them.
        pub const STATION_OWNED: &[&str] = &[$(stringify!($module)),*];
    };
}

station_owned!(
    unit,
    user,
    correspondent,
    outlet,
    manuscript,
    attachment,
    placement,
    policy,
    adjustment,
    statement,
    portal_column,
    portal_image,
    post,
    document,
    comment,
    complaint,
    target,
    subscription_campaign,
    subscription_order,
    media_contact,
    event,
);

/// Narrows a query to the rows the scope may see: the one filter every scoped read uses.
pub(crate) fn in_scope<E: StationOwned>(select: Select<E>, scope: Scope) -> Select<E> {
    match scope {
        Scope::All => select,
        Scope::Station(s) => select.filter(E::STATION.eq(s.0)),
    }
}

/// One row by id within the scope; another station's row is `NotFound`, like a missing one.
pub(crate) async fn find_in<E: StationOwned>(db: &impl ConnectionTrait, scope: Scope, id: i64) -> Result<E::Model> {
    in_scope(E::find().filter(E::ID.eq(id)), scope).one(db).await?.ok_or(StoreError::NotFound)
}

/// The ids of the scope's rows of `E`, as a subquery for the tables that hang off them (a
/// statement's objections, say), so those too are filtered in SQL.
pub(crate) fn ids_in<E: StationOwned>(scope: Scope) -> sea_orm::sea_query::SelectStatement {
    in_scope(E::find(), scope).select_only().column(E::ID).into_query()
}
