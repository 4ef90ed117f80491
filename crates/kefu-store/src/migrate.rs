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
    "0006_event_seq",
    "0007_audit_log",
    "0008_message_meta",
    "0009_kb_english",
    "0010_attachments",
    "0011_surveys",
    "0012_canned_replies",
    "0013_policies",
    "0014_channels",
    "0016_report_rollups",
    "0017_bot_sessions_by_time",
    "0018_learning",
    "0021_report_daily",
    "0022_tickets_by_resolution",
];

const SQLITE: &[&str] = &[
    include_str!("../migrations/sqlite/0001_foundation.sql"),
    include_str!("../migrations/sqlite/0002_knowledge_base.sql"),
    include_str!("../migrations/sqlite/0003_routing.sql"),
    include_str!("../migrations/sqlite/0004_rosters.sql"),
    include_str!("../migrations/sqlite/0005_jobs.sql"),
    include_str!("../migrations/sqlite/0006_event_seq.sql"),
    include_str!("../migrations/sqlite/0007_audit_log.sql"),
    include_str!("../migrations/sqlite/0008_message_meta.sql"),
    include_str!("../migrations/sqlite/0009_kb_english.sql"),
    include_str!("../migrations/sqlite/0010_attachments.sql"),
    include_str!("../migrations/sqlite/0011_surveys.sql"),
    include_str!("../migrations/sqlite/0012_canned_replies.sql"),
    include_str!("../migrations/sqlite/0013_policies.sql"),
    include_str!("../migrations/sqlite/0014_channels.sql"),
    include_str!("../migrations/sqlite/0016_report_rollups.sql"),
    include_str!("../migrations/sqlite/0017_bot_sessions_by_time.sql"),
    include_str!("../migrations/sqlite/0018_learning.sql"),
    include_str!("../migrations/sqlite/0021_report_daily.sql"),
    include_str!("../migrations/sqlite/0022_tickets_by_resolution.sql"),
];
const POSTGRES: &[&str] = &[
    include_str!("../migrations/postgres/0001_foundation.sql"),
    include_str!("../migrations/postgres/0002_knowledge_base.sql"),
    include_str!("../migrations/postgres/0003_routing.sql"),
    include_str!("../migrations/postgres/0004_rosters.sql"),
    include_str!("../migrations/postgres/0005_jobs.sql"),
    include_str!("../migrations/postgres/0006_event_seq.sql"),
    include_str!("../migrations/postgres/0007_audit_log.sql"),
    include_str!("../migrations/postgres/0008_message_meta.sql"),
    include_str!("../migrations/postgres/0009_kb_english.sql"),
    include_str!("../migrations/postgres/0010_attachments.sql"),
    include_str!("../migrations/postgres/0011_surveys.sql"),
    include_str!("../migrations/postgres/0012_canned_replies.sql"),
    include_str!("../migrations/postgres/0013_policies.sql"),
    include_str!("../migrations/postgres/0014_channels.sql"),
    include_str!("../migrations/postgres/0016_report_rollups.sql"),
    include_str!("../migrations/postgres/0017_bot_sessions_by_time.sql"),
    include_str!("../migrations/postgres/0018_learning.sql"),
    include_str!("../migrations/postgres/0021_report_daily.sql"),
    include_str!("../migrations/postgres/0022_tickets_by_resolution.sql"),
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
    migrator_upto(dialect, MIGRATION_NAMES.len())
}

/// A migration's version: the number its name starts with (`0009_x` is 9), so numbers
/// taken by branches merged later keep their meaning; the position when a name has none.
fn version_of(name: &str, position: i64) -> i64 {
    name.split_once('_')
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(position)
}

/// A migrator over the first `count` migrations (an older schema, for upgrade tests).
fn migrator_upto(dialect: Dialect, count: usize) -> Migrator {
    let sources = match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    };
    let migrations: Vec<Migration> = MIGRATION_NAMES
        .iter()
        .zip(sources)
        .zip(1i64..)
        .take(count)
        .map(|((name, sql), position)| {
            let version = version_of(name, position);
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

    /// Rows of a schema before `0006_event_seq`: two tickets, their events interleaved.
    const OLD_ROWS: &str = "\
        INSERT INTO customers (channel, external_id, language, created_at) VALUES ('api', 'c', 'zh-CN', 0); \
        INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, created_at, updated_at) \
          VALUES ('2611300000000007', 1, 'api', 's', 'general', 1, 'queued', 0, 0), \
                 ('2611300000000015', 1, 'api', 's', 'general', 1, 'queued', 0, 0); \
        INSERT INTO ticket_events (ticket_id, actor, kind, payload, at) VALUES \
          (1, '{}', 'opened', '{}', 0), (2, '{}', 'opened', '{}', 0), (1, '{}', 'x', '{}', 0), \
          (1, '{}', 'x', '{}', 0), (2, '{}', 'x', '{}', 0)";

    const SEQS: &str = "SELECT ticket_id, seq FROM ticket_events ORDER BY id";

    #[tokio::test]
    async fn existing_events_are_numbered_per_ticket_in_id_order_on_sqlite() {
        use sqlx::Connection as _;
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        migrator_upto(Dialect::Sqlite, 5).run(&mut c).await.unwrap();
        sqlx::raw_sql(OLD_ROWS).execute(&mut c).await.unwrap();
        migrator(Dialect::Sqlite).run(&mut c).await.unwrap();
        let seqs: Vec<(i64, i64)> = sqlx::query_as(SEQS).fetch_all(&mut c).await.unwrap();
        assert_eq!(seqs, [(1, 1), (2, 1), (1, 2), (1, 3), (2, 2)]);
        let unnumbered = sqlx::raw_sql(
            "INSERT INTO ticket_events (ticket_id, actor, kind, payload, at) VALUES (1, '{}', 'x', '{}', 0)",
        )
        .execute(&mut c)
        .await;
        assert!(unnumbered.is_err(), "seq is required");
    }

    #[tokio::test]
    async fn existing_events_are_numbered_per_ticket_in_id_order_on_postgres() {
        use sqlx::Connection as _;
        let Some(url) = crate::testing::postgres_url() else {
            eprintln!("KEFU_TEST_POSTGRES_URL not set; PostgreSQL migration test not run");
            return;
        };
        let name = format!("kefu_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        let db_url = format!("{base}/{name}");
        let mut c = sqlx::PgConnection::connect(&db_url).await.unwrap();
        migrator_upto(Dialect::Postgres, 5)
            .run(&mut c)
            .await
            .unwrap();
        sqlx::raw_sql(OLD_ROWS).execute(&mut c).await.unwrap();
        migrator(Dialect::Postgres).run(&mut c).await.unwrap();
        let seqs: Vec<(i64, i64)> = sqlx::query_as(SEQS).fetch_all(&mut c).await.unwrap();
        c.close().await.unwrap();
        let drop_db = format!("DROP DATABASE {name} WITH (FORCE)");
        sqlx::raw_sql(&drop_db).execute(&mut admin).await.unwrap();
        assert_eq!(seqs, [(1, 1), (2, 1), (1, 2), (1, 3), (2, 2)]);
    }

    #[test]
    fn versions_come_from_the_names() {
        assert_eq!(version_of("0009_kb_english", 7), 9);
        assert_eq!(version_of("0002_knowledge_base", 2), 2);
        let m = migrator(Dialect::Sqlite);
        let versions: Vec<i64> = m.iter().map(|m| m.version).collect();
        let numbers: Vec<i64> = MIGRATION_NAMES
            .iter()
            .map(|n| n[..4].parse().unwrap())
            .collect();
        assert_eq!(versions, numbers);
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
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
