//! sea-orm entity of table `delivery` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub activity_id: i64,
    pub inbox: String,
    pub host: String,
    pub state: i16,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::outbox_activity::Entity",
        from = "Column::ActivityId",
        to = "super::outbox_activity::Column::Id",
        on_delete = "Cascade"
    )]
    OutboxActivity,
}

impl Related<super::outbox_activity::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OutboxActivity.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
