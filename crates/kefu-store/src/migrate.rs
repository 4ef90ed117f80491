//! Embedded migrations for both backends, applied on open. The two folders must hold the
//! same file names (a test checks it), so both schemas move in step.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

/// Names of the migrations, in order (`NNNN_name`), identical for both backends.
pub const MIGRATION_NAMES: &[&str] = &[
    "0001_foundation",
    "0002_knowledge_base",
    "0003_routing",
    "0004_rosters",
    "0005_jobs",
];

const SQLITE: &[&str] = &[
    include_str!("../migrations/sqlite/0001_foundation.sql"),
    include_str!("../migrations/sqlite/0002_knowledge_base.sql"),
    include_str!("../migrations/sqlite/0003_routing.sql"),
    include_str!("../migrations/sqlite/0004_rosters.sql"),
    include_str!("../migrations/sqlite/0005_jobs.sql"),
];
const POSTGRES: &[&str] = &[
    include_str!("../migrations/postgres/0001_foundation.sql"),
    include_str!("../migrations/postgres/0002_knowledge_base.sql"),
    include_str!("../migrations/postgres/0003_routing.sql"),
    include_str!("../migrations/postgres/0004_rosters.sql"),
    include_str!("../migrations/postgres/0005_jobs.sql"),
];

/// Which schema dialect to build.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A migrator over the embedded files. (`sqlx::migrate!` would need the `macros` feature
/// and its proc-macro build; building the list by hand keeps the dependency tree lean.)
pub(crate) fn migrator(dialect: Dialect) -> Migrator {
    let sources = match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    };
    let migrations: Vec<Migration> = MIGRATION_NAMES
        .iter()
        .zip(sources)
        .zip(1i64..)
        .map(|((name, sql), version)| {
            let description = name.split_once('_').map_or(*name, |(_, d)| d);
            Migration::new(
                version,
                Cow::Owned(description.replace('_', " ")),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &str) -> Vec<String> {
        let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".sql")
                    .to_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_migration_folders_hold_the_same_names_and_all_are_embedded() {
        let sqlite = names_in("sqlite");
        assert_eq!(sqlite, names_in("postgres"));
        assert_eq!(sqlite, MIGRATION_NAMES.to_vec());
        assert_eq!(SQLITE.len(), MIGRATION_NAMES.len());
        assert_eq!(POSTGRES.len(), MIGRATION_NAMES.len());
    }
}
