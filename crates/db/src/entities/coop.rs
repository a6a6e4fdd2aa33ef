//! sea-orm entity of table `coop` (its schema and the reasons for it are in
//! `migrations/`); used only by `repo/`, which converts it to `coopnet-core` types.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "coop")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub network_id: i32,
    pub slug: String,
    #[sea_orm(unique)]
    pub actor_id: Option<String>,
    pub is_local: bool,
    pub name: String,
    pub summary: String,
    pub website: Option<String>,
    pub email: Option<String>,
    /// Added by migration 000006; older backups lack it (contacts were public then).
    #[serde(default = "super::default_true")]
    pub contact_public: bool,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub founded: Option<i32>,
    pub workers: Option<i32>,
    pub legal_form: Option<String>,
    pub services: String,
    pub technologies: String,
    pub languages: String,
    pub logo: Option<String>,
    pub links: String,
    pub listed: bool,
    pub public_key_pem: Option<String>,
    pub private_key_pem: Option<String>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::network::Entity",
        from = "Column::NetworkId",
        to = "super::network::Column::Id",
        on_delete = "Cascade"
    )]
    Network,
}

impl Related<super::network::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Network.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
