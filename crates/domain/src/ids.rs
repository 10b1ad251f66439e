//! Newtype IDs, one per table, so a unit's id can never be passed where an outlet's is meant.

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    )*};
}

id_type!(
    StationId,
    UnitId,
    CorrespondentId,
    OutletId,
    UserId,
    ManuscriptId,
    RevisionId,
    AttachmentId,
    PlacementId,
    PolicyId,
    AdjustmentId,
    StatementId,
    ObjectionId,
    PaymentId,
    PortalColumnId,
    PostId,
    ImageId,
    DocumentId,
    CommentId,
    ComplaintId,
    TargetId,
    CampaignId,
    OrderId,
    MediaContactId,
    EventId,
);
