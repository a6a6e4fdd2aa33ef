//! [`TestDb`]: a throw-away database per test, SQLite in a temp folder or, when
//! `TEST_DATABASE_URL` is set, a fresh PostgreSQL database dropped afterwards.
use std::path::PathBuf;

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database, Statement};

/// A throw-away database for one test.
pub struct TestDb {
    /// Connection URL for the instance under test.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// SQLite unless `TEST_DATABASE_URL` points at PostgreSQL.
    pub async fn new() -> anyhow::Result<Self> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => Self::postgres(&url).await,
            _ => Self::sqlite(),
        }
    }

    /// True when tests run against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }

    fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("temp dir")?;
        let path: PathBuf = dir.path().join("coopnet.db");
        Ok(Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            cleanup: Cleanup::Sqlite(dir),
        })
    }

    async fn postgres(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("coopnet_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url)
            .await
            .context("connect to TEST_DATABASE_URL")?;
        admin
            .execute_raw(Statement::from_string(
                admin.get_database_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .context("create test database")?;
        admin.close().await.ok();
        let mut url = url::Url::parse(admin_url).context("TEST_DATABASE_URL")?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            url: url.to_string(),
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        if std::env::var("TEST_KEEP_DB").is_ok_and(|v| v == "1") {
            eprintln!("keeping test database {name}");
            return;
        }
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside (or outside) a runtime and cannot await: use a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin
                        .execute_raw(Statement::from_string(admin.get_database_backend(), sql))
                        .await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}
