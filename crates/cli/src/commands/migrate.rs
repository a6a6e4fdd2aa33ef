//! `coopnet migrate [up|down|status]`
use coopnet_app::{open_database, schema};
use coopnet_config::Settings;

use crate::args::MigrateAction;

pub async fn run(settings: Settings, action: Option<MigrateAction>) -> anyhow::Result<()> {
    let db = open_database(&settings.database_url).await?;
    match action.unwrap_or(MigrateAction::Up) {
        MigrateAction::Up => {
            schema::migrate_up(&db).await?;
            println!("database is up to date");
        }
        MigrateAction::Down { all } => {
            schema::migrate_down(&db, if all { None } else { Some(1) }).await?;
            println!(
                "rolled back {}",
                if all {
                    "every migration"
                } else {
                    "the last migration"
                }
            );
        }
        MigrateAction::Status => {
            let (applied, pending) = schema::status(&db).await?;
            for name in applied {
                println!("applied  {name}");
            }
            for name in pending {
                println!("pending  {name}");
            }
        }
    }
    Ok(())
}
