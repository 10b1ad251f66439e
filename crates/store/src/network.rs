//! The network: stations, units, user accounts, correspondents and outlets.

use crate::entities::{correspondent, outlet, outlet_column, station, unit, user};
use crate::scoped::find_in;
use crate::{Page, Result, Store, StoreError, now};
use domain::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use serde::Serialize;
use time::Date;

/// Which stations a caller may see: a headquarters account sees all, everyone else one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    All,
    Station(StationId),
}

impl Scope {
    pub fn allows(self, station: StationId) -> bool {
        match self {
            Scope::All => true,
            Scope::Station(s) => s == station,
        }
    }
    pub fn station(self) -> Option<StationId> {
        match self {
            Scope::All => None,
            Scope::Station(s) => Some(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Station {
    pub id: StationId,
    pub code: String,
    pub name: String,
    pub objection_days: i32,
    /// The outlet that stands for the station's own website: publishing a manuscript on the
    /// portal records a placement there.
    pub portal_outlet_id: Option<OutletId>,
    /// A line about the station shown on the portal's home page and in its description.
    pub portal_intro: String,
    /// After how many weeks without a submission a correspondent counts as gone quiet.
    pub quiet_weeks: i32,
    /// Days a submitted draft may wait for revision before reminders go out.
    pub revision_days: i32,
    /// When the station was made, in seconds since 1970.
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: UnitId,
    pub station_id: StationId,
    pub name: String,
    pub kind: UnitKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    /// None for a headquarters account.
    pub station_id: Option<StationId>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub correspondent_id: Option<CorrespondentId>,
    pub unit_id: Option<UnitId>,
    pub active: bool,
    pub locale: String,
}

impl User {
    pub fn scope(&self) -> Scope {
        match self.station_id {
            None => Scope::All,
            Some(s) => Scope::Station(s),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub station_id: Option<StationId>,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub correspondent_id: Option<CorrespondentId>,
    pub unit_id: Option<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Correspondent {
    pub id: CorrespondentId,
    pub station_id: StationId,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub name: String,
    pub kind: CorrespondentKind,
    pub phone: String,
    pub email: String,
    #[serde(with = "domain::date_format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub joined_on: Option<Date>,
    pub active: bool,
    pub mentor_user_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Outlet {
    pub id: OutletId,
    pub station_id: StationId,
    pub name: String,
    pub kind: OutletKind,
    pub level: OutletLevel,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CorrespondentFilter {
    pub unit_id: Option<UnitId>,
    pub kind: Option<CorrespondentKind>,
    pub active: Option<bool>,
    /// Part of a name, phone or e-mail.
    pub q: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

fn station_of(m: station::Model) -> Station {
    Station {
        id: StationId(m.id),
        code: m.code,
        name: m.name,
        objection_days: m.objection_days,
        portal_outlet_id: m.portal_outlet_id.map(OutletId),
        portal_intro: m.portal_intro,
        quiet_weeks: m.quiet_weeks,
        revision_days: m.revision_days,
        created_at: m.created_at,
    }
}

fn unit_of(m: unit::Model) -> Unit {
    Unit {
        id: UnitId(m.id),
        station_id: StationId(m.station_id),
        name: m.name,
        kind: UnitKind::parse(&m.kind).unwrap_or(UnitKind::Other),
    }
}

pub(crate) fn user_of(m: user::Model) -> User {
    User {
        id: UserId(m.id),
        station_id: m.station_id.map(StationId),
        username: m.username,
        display_name: m.display_name,
        role: Role::parse(&m.role).unwrap_or(Role::Leader),
        correspondent_id: m.correspondent_id.map(CorrespondentId),
        unit_id: m.unit_id.map(UnitId),
        active: m.active,
        locale: m.locale,
    }
}

fn correspondent_of(m: correspondent::Model, unit_name: Option<String>) -> Correspondent {
    Correspondent {
        id: CorrespondentId(m.id),
        station_id: StationId(m.station_id),
        unit_id: m.unit_id.map(UnitId),
        unit_name,
        name: m.name,
        kind: CorrespondentKind::parse(&m.kind).unwrap_or(CorrespondentKind::UnitCorrespondent),
        phone: m.phone,
        email: m.email,
        joined_on: m.joined_on,
        active: m.active,
        mentor_user_id: m.mentor_user_id.map(UserId),
    }
}

/// The display names of some accounts, by id, for "by whom" columns.
pub(crate) async fn display_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// User names: not empty, no spaces, at most 64 characters (after trimming).
pub fn check_username(username: &str) -> std::result::Result<(), String> {
    let ok = !username.is_empty() && username.chars().count() <= 64 && !username.chars().any(char::is_whitespace);
    if ok { Ok(()) } else { Err("用户名不能为空、不能含空格，最长64个字符".into()) }
}

/// Station codes are short identifiers used on the command line and in URLs.
pub fn check_station_code(code: &str) -> std::result::Result<(), String> {
    let ok =
        !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(()) } else { Err("站点代码只能包含字母、数字、- 和 _，最长32个字符".into()) }
}

impl Store {
    // ---- stations ----

    /// A station made by the command line or the demo (no one to audit).
    pub async fn create_station(&self, code: &str, name: &str) -> Result<Station> {
        self.insert_station(code, name, None).await
    }

    /// A station made by a headquarters administrator, with its audit row, in one transaction.
    pub async fn create_station_by(&self, code: &str, name: &str, by: UserId) -> Result<Station> {
        self.insert_station(code, name, Some(by)).await
    }

    async fn insert_station(&self, code: &str, name: &str, by: Option<UserId>) -> Result<Station> {
        check_station_code(code).map_err(|m| StoreError::invalid("code", m))?;
        if name.trim().is_empty() {
            return Err(StoreError::invalid("name", "请填写站点名称"));
        }
        if self.station_by_code(code).await?.is_some() {
            return Err(StoreError::invalid("code", format!("站点代码 {code} 已存在")));
        }
        let txn = self.write_txn().await?;
        let m = station::ActiveModel {
            code: Set(code.into()),
            name: Set(name.trim().into()),
            objection_days: Set(7),
            created_at: Set(now()),
            portal_outlet_id: Set(None),
            portal_intro: Set(String::new()),
            quiet_weeks: Set(6),
            revision_days: Set(3),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        crate::portal::create_default_columns(&txn, StationId(m.id)).await?;
        if let Some(by) = by {
            let subject = format!("station:{}", m.id);
            let detail = format!("{} {}", m.code, m.name);
            crate::auth::audit_row_in(&txn, Some(StationId(m.id)), Some(by), "station.create", subject, detail).await?;
        }
        txn.commit().await?;
        Ok(station_of(m))
    }

    pub async fn stations(&self) -> Result<Vec<Station>> {
        Ok(station::Entity::find()
            .order_by_asc(station::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(station_of)
            .collect())
    }

    pub async fn station(&self, id: StationId) -> Result<Station> {
        station::Entity::find_by_id(id.0).one(&self.db).await?.map(station_of).ok_or(StoreError::NotFound)
    }

    pub async fn station_by_code(&self, code: &str) -> Result<Option<Station>> {
        Ok(station::Entity::find().filter(station::Column::Code.eq(code)).one(&self.db).await?.map(station_of))
    }

    // ---- units ----

    pub async fn create_unit(&self, station: StationId, input: &UnitInput) -> Result<Unit> {
        insert_unit(&self.db, station, input).await
    }

    pub async fn update_unit(&self, station: StationId, id: UnitId, input: &UnitInput) -> Result<Unit> {
        let existing = self.unit(Scope::Station(station), id).await?;
        if existing.name != input.name && self.unit_by_name(station, &input.name).await?.is_some() {
            return Err(StoreError::invalid("name", format!("单位“{}”已存在", input.name)));
        }
        let m = unit::ActiveModel {
            id: Set(id.0),
            name: Set(input.name.clone()),
            kind: Set(input.kind.code().into()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(unit_of(m))
    }

    pub async fn units(&self, station: StationId) -> Result<Vec<Unit>> {
        Ok(unit::Entity::find()
            .filter(unit::Column::StationId.eq(station.0))
            .order_by_asc(unit::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(unit_of)
            .collect())
    }

    pub async fn unit(&self, scope: Scope, id: UnitId) -> Result<Unit> {
        Ok(unit_of(find_in::<unit::Entity>(&self.db, scope, id.0).await?))
    }

    pub async fn unit_by_name(&self, station: StationId, name: &str) -> Result<Option<Unit>> {
        Ok(unit::Entity::find()
            .filter(unit::Column::StationId.eq(station.0))
            .filter(unit::Column::Name.eq(name.trim()))
            .one(&self.db)
            .await?
            .map(unit_of))
    }

    // ---- users ----

    /// Creates an account, with its audit row, in one transaction. `by` is none when the
    /// command line creates it.
    pub async fn create_user(&self, new: NewUser, by: Option<UserId>) -> Result<User> {
        let username = new.username.trim().to_string();
        check_username(&username).map_err(|m| StoreError::invalid("username", m))?;
        if self.user_by_username(&username).await?.is_some() {
            return Err(StoreError::invalid("username", format!("用户名 {username} 已被使用")));
        }
        let txn = self.write_txn().await?;
        let m = user::ActiveModel {
            station_id: Set(new.station_id.map(|s| s.0)),
            username: Set(username),
            password_hash: Set(new.password_hash),
            display_name: Set(new.display_name.trim().into()),
            role: Set(new.role.code().into()),
            correspondent_id: Set(new.correspondent_id.map(|c| c.0)),
            unit_id: Set(new.unit_id.map(|u| u.0)),
            active: Set(true),
            locale: Set("zh".into()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let origin = if by.is_none() { "（命令行）" } else { "" };
        let detail = format!("{}{origin}", m.username);
        let station = m.station_id.map(StationId);
        crate::auth::audit_row_in(&txn, station, by, "user.create", format!("user:{}", m.id), detail).await?;
        txn.commit().await?;
        Ok(user_of(m))
    }

    /// An account within the scope; a station's scope does not see headquarters accounts.
    pub async fn user(&self, scope: Scope, id: UserId) -> Result<User> {
        Ok(user_of(find_in::<user::Entity>(&self.db, scope, id.0).await?))
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        Ok(self.credentials(username).await?.map(|(u, _)| u))
    }

    /// The account and its password hash, for logging in.
    pub async fn credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        Ok(user::Entity::find().filter(user::Column::Username.eq(username.trim())).one(&self.db).await?.map(|m| {
            let hash = m.password_hash.clone();
            (user_of(m), hash)
        }))
    }

    pub async fn password_hash(&self, id: UserId) -> Result<String> {
        Ok(user::Entity::find_by_id(id.0).one(&self.db).await?.ok_or(StoreError::NotFound)?.password_hash)
    }

    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        user::ActiveModel { id: Set(id.0), password_hash: Set(hash.into()), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }

    pub async fn set_user_locale(&self, id: UserId, locale: &str) -> Result<()> {
        user::ActiveModel { id: Set(id.0), locale: Set(locale.into()), ..Default::default() }.update(&self.db).await?;
        Ok(())
    }

    pub async fn set_user_active(&self, scope: Scope, id: UserId, active: bool) -> Result<()> {
        find_in::<user::Entity>(&self.db, scope, id.0).await?;
        user::ActiveModel { id: Set(id.0), active: Set(active), ..Default::default() }.update(&self.db).await?;
        Ok(())
    }

    pub async fn users(&self, scope: Scope) -> Result<Vec<User>> {
        let mut q = user::Entity::find().order_by_asc(user::Column::Id);
        if let Some(s) = scope.station() {
            q = q.filter(user::Column::StationId.eq(s.0));
        }
        Ok(q.all(&self.db).await?.into_iter().map(user_of).collect())
    }

    pub async fn count_users(&self) -> Result<u64> {
        Ok(user::Entity::find().count(&self.db).await?)
    }

    // ---- correspondents ----

    pub async fn create_correspondent(
        &self,
        station: StationId,
        input: &CorrespondentInput,
        by: UserId,
    ) -> Result<Correspondent> {
        let txn = self.write_txn().await?;
        let id = insert_correspondent(&txn, station, input).await?;
        let subject = format!("correspondent:{id}");
        crate::auth::audit_in(&txn, station, by, "correspondent.create", subject, input.name.clone()).await?;
        txn.commit().await?;
        let c = self.correspondent_by_name(station, &input.name).await?.ok_or(StoreError::NotFound)?;
        Ok(c)
    }

    pub async fn update_correspondent(
        &self,
        scope: Scope,
        id: CorrespondentId,
        input: &CorrespondentInput,
    ) -> Result<Correspondent> {
        let existing = self.correspondent(scope, id).await?;
        if existing.name != input.name && self.correspondent_by_name(existing.station_id, &input.name).await?.is_some()
        {
            return Err(StoreError::invalid("name", format!("通讯员“{}”已存在", input.name)));
        }
        check_unit(&self.db, existing.station_id, input.unit_id).await?;
        check_mentor(&self.db, existing.station_id, input.mentor_user_id).await?;
        correspondent::ActiveModel {
            id: Set(id.0),
            unit_id: Set(input.unit_id.map(|u| u.0)),
            name: Set(input.name.clone()),
            kind: Set(input.kind.code().into()),
            phone: Set(input.phone.clone()),
            email: Set(input.email.clone()),
            joined_on: Set(input.joined_on),
            active: Set(input.active),
            mentor_user_id: Set(input.mentor_user_id.map(|u| u.0)),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        self.correspondent(scope, id).await
    }

    pub async fn correspondent(&self, scope: Scope, id: CorrespondentId) -> Result<Correspondent> {
        let m = find_in::<correspondent::Entity>(&self.db, scope, id.0).await?;
        let unit_name = match m.unit_id {
            Some(u) => unit::Entity::find_by_id(u).one(&self.db).await?.map(|u| u.name),
            None => None,
        };
        Ok(correspondent_of(m, unit_name))
    }

    pub async fn correspondent_by_name(&self, station: StationId, name: &str) -> Result<Option<Correspondent>> {
        let m = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .filter(correspondent::Column::Name.eq(name.trim()))
            .one(&self.db)
            .await?;
        match m {
            Some(m) => Ok(Some(self.correspondent(Scope::Station(station), CorrespondentId(m.id)).await?)),
            None => Ok(None),
        }
    }

    /// Every correspondent of a station, in the list's order (active first), up to
    /// `domain::paging::MAX_EXPORT_ROWS`: for pickers and exports.
    pub async fn all_correspondents(&self, station: StationId) -> Result<Vec<Correspondent>> {
        let q = Self::correspondent_query(station, &CorrespondentFilter::default());
        self.correspondent_rows(station, q, 0, domain::paging::MAX_EXPORT_ROWS).await
    }

    /// One page of the correspondents `f` matches, at most `domain::paging::MAX_PER_PAGE`.
    pub async fn correspondents(&self, station: StationId, f: &CorrespondentFilter) -> Result<Page<Correspondent>> {
        let q = Self::correspondent_query(station, f);
        let total = q.clone().count(&self.db).await?;
        let (offset, per_page) = domain::paging::window(f.page, f.per_page);
        let items = self.correspondent_rows(station, q, offset, per_page).await?;
        Ok(Page { items, total, page: f.page.max(1), per_page })
    }

    async fn correspondent_rows(
        &self,
        station: StationId,
        q: Select<correspondent::Entity>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Correspondent>> {
        let q = q.order_by_desc(correspondent::Column::Active).order_by_asc(correspondent::Column::Id);
        let rows = q.offset(offset).limit(limit).all(&self.db).await?;
        let units: std::collections::HashMap<i64, String> =
            self.units(station).await?.into_iter().map(|u| (u.id.0, u.name)).collect();
        Ok(rows
            .into_iter()
            .map(|m| {
                let un = m.unit_id.and_then(|u| units.get(&u).cloned());
                correspondent_of(m, un)
            })
            .collect())
    }

    /// The station's correspondents `f` matches, unordered and unpaged.
    fn correspondent_query(station: StationId, f: &CorrespondentFilter) -> Select<correspondent::Entity> {
        let mut q = correspondent::Entity::find().filter(correspondent::Column::StationId.eq(station.0));
        if let Some(u) = f.unit_id {
            q = q.filter(correspondent::Column::UnitId.eq(u.0));
        }
        if let Some(k) = f.kind {
            q = q.filter(correspondent::Column::Kind.eq(k.code()));
        }
        if let Some(a) = f.active {
            q = q.filter(correspondent::Column::Active.eq(a));
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(crate::contains_text(correspondent::Column::Name, text))
                    .add(crate::contains_text(correspondent::Column::Phone, text))
                    .add(crate::contains_text(correspondent::Column::Email, text)),
            );
        }
        q
    }

    // ---- outlets ----

    pub async fn create_outlet(&self, station: StationId, input: &OutletInput) -> Result<Outlet> {
        let txn = self.write_txn().await?;
        let id = insert_outlet(&txn, station, input).await?;
        txn.commit().await?;
        self.outlet(Scope::Station(station), id).await
    }

    pub async fn update_outlet(&self, scope: Scope, id: OutletId, input: &OutletInput) -> Result<Outlet> {
        let existing = self.outlet(scope, id).await?;
        if existing.name != input.name && self.outlet_by_name(existing.station_id, &input.name).await?.is_some() {
            return Err(StoreError::invalid("name", format!("媒体“{}”已存在", input.name)));
        }
        let txn = self.write_txn().await?;
        outlet::ActiveModel {
            id: Set(id.0),
            name: Set(input.name.clone()),
            kind: Set(input.kind.code().into()),
            level: Set(input.level.code().into()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        outlet_column::Entity::delete_many().filter(outlet_column::Column::OutletId.eq(id.0)).exec(&txn).await?;
        insert_columns(&txn, id, &input.columns).await?;
        txn.commit().await?;
        self.outlet(scope, id).await
    }

    pub async fn outlet(&self, scope: Scope, id: OutletId) -> Result<Outlet> {
        let m = find_in::<outlet::Entity>(&self.db, scope, id.0).await?;
        let columns = outlet_column::Entity::find()
            .filter(outlet_column::Column::OutletId.eq(m.id))
            .order_by_asc(outlet_column::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        Ok(outlet_of(m, columns))
    }

    pub async fn outlet_by_name(&self, station: StationId, name: &str) -> Result<Option<Outlet>> {
        let m = outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .filter(outlet::Column::Name.eq(name.trim()))
            .one(&self.db)
            .await?;
        match m {
            Some(m) => Ok(Some(self.outlet(Scope::Station(station), OutletId(m.id)).await?)),
            None => Ok(None),
        }
    }

    pub async fn outlets(&self, station: StationId) -> Result<Vec<Outlet>> {
        let rows = outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .order_by_asc(outlet::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|o| o.id).collect();
        let mut columns: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for c in outlet_column::Entity::find()
            .filter(outlet_column::Column::OutletId.is_in(ids))
            .order_by_asc(outlet_column::Column::Id)
            .all(&self.db)
            .await?
        {
            columns.entry(c.outlet_id).or_default().push(c.name);
        }
        Ok(rows
            .into_iter()
            .map(|o| {
                let cols = columns.remove(&o.id).unwrap_or_default();
                outlet_of(o, cols)
            })
            .collect())
    }
}

fn outlet_of(m: outlet::Model, columns: Vec<String>) -> Outlet {
    Outlet {
        id: OutletId(m.id),
        station_id: StationId(m.station_id),
        name: m.name,
        kind: OutletKind::parse(&m.kind).unwrap_or(OutletKind::Newspaper),
        level: OutletLevel::parse(&m.level).unwrap_or(OutletLevel::Internal),
        columns,
    }
}

// The inserts below take any connection, so imports can run them inside one transaction.

pub(crate) async fn insert_unit(db: &impl ConnectionTrait, station: StationId, input: &UnitInput) -> Result<Unit> {
    let exists = unit::Entity::find()
        .filter(unit::Column::StationId.eq(station.0))
        .filter(unit::Column::Name.eq(&input.name))
        .count(db)
        .await?;
    if exists > 0 {
        return Err(StoreError::invalid("name", format!("单位“{}”已存在", input.name)));
    }
    let m = unit::ActiveModel {
        station_id: Set(station.0),
        name: Set(input.name.clone()),
        kind: Set(input.kind.code().into()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(unit_of(m))
}

async fn check_unit(db: &impl ConnectionTrait, station: StationId, unit_id: Option<UnitId>) -> Result<()> {
    if let Some(u) = unit_id {
        let n = unit::Entity::find()
            .filter(unit::Column::Id.eq(u.0))
            .filter(unit::Column::StationId.eq(station.0))
            .count(db)
            .await?;
        if n == 0 {
            return Err(StoreError::invalid("unit_id", "单位不存在"));
        }
    }
    Ok(())
}

/// A correspondent's mentor must be an active account of the same station whose role may
/// mentor (not a headquarters account, not a correspondent): otherwise a 422, never the
/// foreign-key error of a user that does not exist.
async fn check_mentor(db: &impl ConnectionTrait, station: StationId, mentor: Option<UserId>) -> Result<()> {
    if let Some(u) = mentor {
        let found = user::Entity::find()
            .filter(user::Column::Id.eq(u.0))
            .filter(user::Column::StationId.eq(station.0))
            .filter(user::Column::Active.eq(true))
            .one(db)
            .await?;
        if !found.is_some_and(|m| Role::parse(&m.role).is_some_and(Role::may_mentor)) {
            return Err(StoreError::invalid("mentor_user_id", "改稿老师应为本站在用的改稿老师或编辑账号"));
        }
    }
    Ok(())
}

pub(crate) async fn insert_correspondent(
    db: &impl ConnectionTrait,
    station: StationId,
    input: &CorrespondentInput,
) -> Result<CorrespondentId> {
    let exists = correspondent::Entity::find()
        .filter(correspondent::Column::StationId.eq(station.0))
        .filter(correspondent::Column::Name.eq(&input.name))
        .count(db)
        .await?;
    if exists > 0 {
        return Err(StoreError::invalid("name", format!("通讯员“{}”已存在", input.name)));
    }
    check_unit(db, station, input.unit_id).await?;
    check_mentor(db, station, input.mentor_user_id).await?;
    let m = correspondent::ActiveModel {
        station_id: Set(station.0),
        unit_id: Set(input.unit_id.map(|u| u.0)),
        name: Set(input.name.clone()),
        kind: Set(input.kind.code().into()),
        phone: Set(input.phone.clone()),
        email: Set(input.email.clone()),
        joined_on: Set(input.joined_on),
        active: Set(input.active),
        mentor_user_id: Set(input.mentor_user_id.map(|u| u.0)),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(CorrespondentId(m.id))
}

pub(crate) async fn insert_outlet(
    db: &impl ConnectionTrait,
    station: StationId,
    input: &OutletInput,
) -> Result<OutletId> {
    let exists = outlet::Entity::find()
        .filter(outlet::Column::StationId.eq(station.0))
        .filter(outlet::Column::Name.eq(&input.name))
        .count(db)
        .await?;
    if exists > 0 {
        return Err(StoreError::invalid("name", format!("媒体“{}”已存在", input.name)));
    }
    let m = outlet::ActiveModel {
        station_id: Set(station.0),
        name: Set(input.name.clone()),
        kind: Set(input.kind.code().into()),
        level: Set(input.level.code().into()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    insert_columns(db, OutletId(m.id), &input.columns).await?;
    Ok(OutletId(m.id))
}

async fn insert_columns(db: &impl ConnectionTrait, outlet: OutletId, columns: &[String]) -> Result<()> {
    for c in columns {
        outlet_column::ActiveModel { outlet_id: Set(outlet.0), name: Set(c.clone()), ..Default::default() }
            .insert(db)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Links an account to the correspondent it writes as.
    pub async fn link_user_correspondent(&self, user: UserId, correspondent: CorrespondentId) -> Result<()> {
        user::ActiveModel { id: Set(user.0), correspondent_id: Set(Some(correspondent.0)), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }
}
