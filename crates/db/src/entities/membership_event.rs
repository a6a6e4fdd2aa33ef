//! sea-orm entity of table `membership_event` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub coop_id: Option<i32>,
    pub network_id: i32,
    pub slug: String,
    pub name: String,
    pub url: Option<String>,
    pub joined: bool,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
