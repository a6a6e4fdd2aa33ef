//! sea-orm entity of table `coop_search` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

/// The portable columns; PostgreSQL adds a generated `tsv` (see the migration).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "coop_search")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub coop_id: i32,
    pub sort_name: String,
    pub document: String,
    pub stems: String,
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
