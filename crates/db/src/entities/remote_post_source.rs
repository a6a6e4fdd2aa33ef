//! sea-orm entity of table `remote_post_source` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "remote_post_source")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    pub network_id: i32,
    pub coop_id: Option<i32>,
    pub via: String,
    pub activity_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::remote_post::Entity",
        from = "Column::PostId",
        to = "super::remote_post::Column::Id",
        on_delete = "Cascade"
    )]
    RemotePost,
    #[sea_orm(
        belongs_to = "super::network::Entity",
        from = "Column::NetworkId",
        to = "super::network::Column::Id",
        on_delete = "Cascade"
    )]
    Network,
    #[sea_orm(
        belongs_to = "super::coop::Entity",
        from = "Column::CoopId",
        to = "super::coop::Column::Id",
        on_delete = "Cascade"
    )]
    Coop,
}

impl Related<super::remote_post::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RemotePost.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
