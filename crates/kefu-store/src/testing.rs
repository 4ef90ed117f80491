//! Fresh, throw-away databases for tests: a SQLite file in a temp directory, or a
//! PostgreSQL database `kefu_test_<uuid>` created on the server named by
//! `KEFU_TEST_POSTGRES_URL` and dropped when the guard goes away.

use crate::{Store, StoreError, StoreResult};
use std::path::PathBuf;
use std::sync::Arc;

/// Keeps a test database alive; dropping it deletes the database.
pub struct TestDatabase {
    pub store: Arc<dyn Store>,
    /// The URL the store was opened with (to reopen it, e.g. after a restart).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// The PostgreSQL server for tests: `KEFU_TEST_POSTGRES_URL`. Under `CI=true` a missing URL
/// is an error rather than a silent skip.
pub fn postgres_url() -> Option<String> {
    match std::env::var("KEFU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but KEFU_TEST_POSTGRES_URL is not set: PostgreSQL tests must run");
            }
            None
        }
    }
}

impl TestDatabase {
    /// A new SQLite database in a fresh temp directory.
    pub async fn sqlite() -> StoreResult<Self> {
        let dir = std::env::temp_dir().join(format!("kefu_test_{}", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", dir.join("kefu.db").display());
        let store = crate::open(&url).await?;
        Ok(Self {
            store,
            url,
            cleanup: Cleanup::Dir(dir),
        })
    }

    /// A new, empty PostgreSQL database on the server at `admin_url`.
    pub async fn postgres(admin_url: &str) -> StoreResult<Self> {
        use sqlx::Connection;
        let name = format!("kefu_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = with_database(admin_url, &name)?;
        let store = crate::open(&url).await?;
        Ok(Self {
            store,
            url,
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }
}

/// `admin_url` with its database name replaced.
fn with_database(admin_url: &str, name: &str) -> StoreResult<String> {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    if scheme_end == 0 {
        return Err(StoreError::Backend(format!(
            "not a postgres URL: {admin_url}"
        )));
    }
    let mut url = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    Ok(url)
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime; a thread with its own runtime can block.
                let done = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async move {
                            use sqlx::Connection;
                            if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                                let _ = sqlx::raw_sql(&sql).execute(&mut c).await;
                            }
                        });
                    }
                });
                let _ = done.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn test_database_url_replaces_only_the_database_name() {
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432/postgres", "kefu_test_1").unwrap(),
            "postgres://root@127.0.0.1:5432/kefu_test_1"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x").unwrap(),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h", "x").unwrap(),
            "postgres://u@h/x"
        );
    }
}
