//! sea-orm entity of table `follower` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "follower")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub target_kind: String,
    pub target_id: i32,
    pub remote_actor_id: i32,
    pub follow_id: String,
    pub state: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::remote_actor::Entity",
        from = "Column::RemoteActorId",
        to = "super::remote_actor::Column::Id",
        on_delete = "Cascade"
    )]
    RemoteActor,
}

impl Related<super::remote_actor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RemoteActor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
