//! sea-orm entity of table `coop_logo` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "coop_logo")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub coop_id: i32,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub etag: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
