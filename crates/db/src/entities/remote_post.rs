//! sea-orm entity of table `remote_post` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "remote_post")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub author_id: String,
    pub author_name: String,
    pub url: Option<String>,
    pub content_html: String,
    pub visibility: String,
    pub in_reply_to: Option<String>,
    pub published_at: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub stored_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::remote_post_source::Entity")]
    RemotePostSource,
}

impl Related<super::remote_post_source::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RemotePostSource.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
