use std::path::Path;
use std::sync::Arc;

use coopnet_config::Settings;
use coopnet_core::Network;
use coopnet_db::repo::networks::{self, LocalNetwork};
use coopnet_db::{DatabaseConnection, connect};

use crate::{AppError, demo, schema};

/// Everything a use case needs: settings, the database and the local network.
///
/// Cheap to clone; one per instance (tests run several in one process).
#[derive(Clone)]
pub struct AppContext {
    /// The instance's settings.
    pub settings: Arc<Settings>,
    /// The connection pool.
    pub db: DatabaseConnection,
    /// This instance's own network.
    pub network: Arc<Network>,
}

impl AppContext {
    /// Opens the database (creating a SQLite file's folder), migrates when allowed, records
    /// the configured network and, with `demo_data`, seeds an empty database.
    pub async fn start(settings: Settings) -> Result<Self, AppError> {
        let db = open_database(&settings.database_url).await?;
        if settings.auto_migrate {
            schema::migrate_up(&db).await?;
        }
        Self::with_database(settings, db).await
    }

    /// Like [`AppContext::start`] on an already migrated connection.
    pub async fn with_database(
        settings: Settings,
        db: DatabaseConnection,
    ) -> Result<Self, AppError> {
        let n = &settings.network;
        let network = networks::upsert_local(
            &db,
            LocalNetwork {
                username: &n.username,
                domain: &settings.domain,
                name: &n.name,
                country: n.country.as_deref().map(str::trim),
                languages: &n.languages,
                summary: &n.summary,
            },
        )
        .await?;
        let ctx = Self {
            settings: Arc::new(settings),
            db,
            network: Arc::new(network),
        };
        if ctx.settings.demo_data {
            let seeded = demo::seed_if_empty(&ctx).await?;
            if seeded > 0 {
                tracing::info!(
                    coops = seeded,
                    "seeded the empty database with demo members"
                );
            }
        }
        Ok(ctx)
    }

    /// `scheme://domain` of this instance.
    pub fn base_url(&self) -> String {
        self.settings.base_url()
    }
}

/// Connects to `url`; for a SQLite file, creates its folder first (SQLite creates the file,
/// not the folder).
pub async fn open_database(url: &str) -> Result<DatabaseConnection, AppError> {
    if let Some(path) = sqlite_file(url) {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        }
    }
    connect(url)
        .await
        .map_err(|e| AppError::Internal(format!("cannot open database: {e}")))
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_file_paths() {
        assert_eq!(
            super::sqlite_file("sqlite://data/coopnet.db?mode=rwc"),
            Some("data/coopnet.db")
        );
        assert_eq!(super::sqlite_file("sqlite:///tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(super::sqlite_file("sqlite::memory:"), None);
        assert_eq!(super::sqlite_file("postgres://x/y"), None);
    }
}
