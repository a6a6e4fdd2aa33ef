//! sea-orm entity of table `api_token` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub scope: String,
    pub coop_id: Option<i32>,
    pub label: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::coop::Entity",
        from = "Column::CoopId",
        to = "super::coop::Column::Id",
        on_delete = "Cascade"
    )]
    Coop,
}

impl Related<super::coop::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Coop.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
