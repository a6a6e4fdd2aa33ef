//! sea-orm entity of table `member_removal` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "member_removal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub coop_id: i32,
    pub slug: String,
    pub name: String,
    pub reason: String,
    pub removed_by: Option<i32>,
    pub removed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
