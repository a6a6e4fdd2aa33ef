//! sea-orm entity of table `network` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "network")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub domain: String,
    pub name: String,
    pub country: Option<String>,
    pub languages: String,
    pub summary: String,
    #[sea_orm(unique)]
    pub actor_id: Option<String>,
    pub is_local: bool,
    pub public_key_pem: Option<String>,
    pub private_key_pem: Option<String>,
    pub members_url: Option<String>,
    pub member_digest: Option<String>,
    pub last_sync_at: Option<DateTimeUtc>,
    pub last_sync_ok: Option<bool>,
    pub last_sync_message: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::coop::Entity")]
    Coop,
}

impl Related<super::coop::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Coop.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
