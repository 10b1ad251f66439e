//! Attachments: photos of a manuscript and scanned clippings of a placement, stored in the
//! database (so every instance serves them) and listed without their bytes.

use crate::entities::attachment;
use crate::scoped::{find_in, in_scope};
use crate::{Result, Scope, Store, now};
use domain::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachedTo {
    Manuscript(ManuscriptId),
    Placement(PlacementId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AttachmentMeta {
    pub id: AttachmentId,
    pub station_id: StationId,
    pub manuscript_id: Option<ManuscriptId>,
    pub placement_id: Option<PlacementId>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// A new attachment, already checked for size and type by the caller.
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

type MetaRow = (i64, i64, Option<i64>, Option<i64>, String, String, i64, i64);

fn meta((id, station, manuscript, placement, file_name, content_type, size, created_at): MetaRow) -> AttachmentMeta {
    AttachmentMeta {
        id: AttachmentId(id),
        station_id: StationId(station),
        manuscript_id: manuscript.map(ManuscriptId),
        placement_id: placement.map(PlacementId),
        file_name,
        content_type,
        size,
        created_at,
    }
}

const META_COLUMNS: [attachment::Column; 8] = [
    attachment::Column::Id,
    attachment::Column::StationId,
    attachment::Column::ManuscriptId,
    attachment::Column::PlacementId,
    attachment::Column::FileName,
    attachment::Column::ContentType,
    attachment::Column::Size,
    attachment::Column::CreatedAt,
];

impl Store {
    pub async fn add_attachment(
        &self,
        station: StationId,
        to: AttachedTo,
        file: NewAttachment,
        by: UserId,
    ) -> Result<AttachmentMeta> {
        let (manuscript, placement) = match to {
            AttachedTo::Manuscript(m) => (Some(m.0), None),
            AttachedTo::Placement(p) => (None, Some(p.0)),
        };
        let m = attachment::ActiveModel {
            station_id: Set(station.0),
            manuscript_id: Set(manuscript),
            placement_id: Set(placement),
            file_name: Set(file.file_name),
            content_type: Set(file.content_type),
            size: Set(file.data.len() as i64),
            data: Set(file.data),
            created_by: Set(by.0),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(meta((
            m.id,
            m.station_id,
            m.manuscript_id,
            m.placement_id,
            m.file_name,
            m.content_type,
            m.size,
            m.created_at,
        )))
    }

    /// The attachments of a manuscript or placement, without their bytes.
    pub async fn attachments(&self, scope: Scope, to: AttachedTo) -> Result<Vec<AttachmentMeta>> {
        let filter = match to {
            AttachedTo::Manuscript(m) => attachment::Column::ManuscriptId.eq(m.0),
            AttachedTo::Placement(p) => attachment::Column::PlacementId.eq(p.0),
        };
        let rows = in_scope(attachment::Entity::find(), scope)
            .select_only()
            .columns(META_COLUMNS)
            .filter(filter)
            .order_by_asc(attachment::Column::Id)
            .into_tuple::<MetaRow>()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(meta).collect())
    }

    pub async fn attachment(&self, scope: Scope, id: AttachmentId) -> Result<(AttachmentMeta, Vec<u8>)> {
        let m = find_in::<attachment::Entity>(&self.db, scope, id.0).await?;
        let data = m.data;
        Ok((
            meta((
                m.id,
                m.station_id,
                m.manuscript_id,
                m.placement_id,
                m.file_name,
                m.content_type,
                m.size,
                m.created_at,
            )),
            data,
        ))
    }
}
