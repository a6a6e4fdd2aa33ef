//! sea-orm entity of table `remote_actor` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "remote_actor")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub actor_id: String,
    pub kind: String,
    pub username: String,
    pub domain: String,
    pub name: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub fetched_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::follower::Entity")]
    Follower,
}

impl Related<super::follower::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Follower.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
