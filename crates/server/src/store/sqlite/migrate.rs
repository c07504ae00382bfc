//! The SQLite schema: `migrations/*.sql`, applied by rusqlite_migration,
//! which records how many have run in the file's `user_version`.
//!
//! Files made before (when sqlx migrated SQLite too) record their migrations
//! in sqlx's `_sqlx_migrations` table instead, with `user_version` 0. On the
//! first open such a file's record is translated into `user_version` (the
//! migrations it lists must be this version's first ones, in order), so
//! nothing runs twice. The sqlx table is left in place: it costs nothing and
//! an older passbind-server can still open the file.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

/// Each migration with the version number sqlx knew it by (its file name's
/// prefix; there is no 0002 on SQLite).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/0001_initial.sql")),
    (3, include_str!("../../../migrations/0003_production.sql")),
    (4, include_str!("../../../migrations/0004_sealed_ceremonies.sql")),
    (5, include_str!("../../../migrations/0005_events.sql")),
    (6, include_str!("../../../migrations/0006_console_sessions.sql")),
    (7, include_str!("../../../migrations/0007_email_branding.sql")),
    (8, include_str!("../../../migrations/0008_webhooks.sql")),
    (9, include_str!("../../../migrations/0009_attestation_policy.sql")),
];

/// Brings the database to the latest schema.
pub(super) fn run(conn: &mut Connection) -> Result<(), String> {
    adopt_sqlx_record(conn).map_err(|e| format!("migrations failed: {e}"))?;
    let migrations = Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect());
    migrations.to_latest(conn).map_err(|e| format!("migrations failed: {e}"))
}

/// Sets `user_version` from sqlx's `_sqlx_migrations`, once (while `user_version` is 0).
fn adopt_sqlx_record(conn: &mut Connection) -> Result<(), String> {
    // IMMEDIATE: two processes opening an old file at once translate it once.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
    let user_version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    let sql = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')";
    let has_sqlx_record: bool = tx.query_row(sql, [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if user_version != 0 || !has_sqlx_record {
        return Ok(());
    }
    let applied: Vec<i64> = tx
        .prepare("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    let known: Vec<i64> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
    if applied.len() > known.len() || applied[..] != known[..applied.len()] {
        return Err(format!("the database's sqlx migrations {applied:?} are not the first of this version's {known:?}"));
    }
    tx.pragma_update(None, "user_version", applied.len() as i64).map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{self, Realm, Tenant};

    /// A file as the sqlx-migrated version left it: the migration files
    /// applied and sqlx's record of them (its table, as sqlx creates it).
    fn make_sqlx_era_file(path: &std::path::Path) {
        let conn = Connection::open(path).unwrap();
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                success BOOLEAN NOT NULL,
                checksum BLOB NOT NULL,
                execution_time BIGINT NOT NULL
            );",
        )
        .unwrap();
        for (version, sql) in MIGRATIONS {
            conn.execute_batch(sql).unwrap();
            conn.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?1, 'm', TRUE, x'00', 1)",
                [version],
            )
            .unwrap();
        }
        conn.execute("INSERT INTO tenants (id, display_name, create_time) VALUES ('t1', 'Old tenant', 1)", []).unwrap();
    }

    #[tokio::test]
    async fn a_file_migrated_by_sqlx_opens_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passbind.db");
        make_sqlx_era_file(&path);
        let url = format!("sqlite://{}", path.display());
        let stores = store::open(&url).await.unwrap();
        let tenant = stores.tenants.get_tenant("t1").await.unwrap().unwrap();
        assert_eq!(tenant.display_name, "Old tenant");
        stores
            .tenants
            .create_realm(&Realm { id: "r1".into(), tenant_id: "t1".into(), display_name: "R".into(), create_time: 2 })
            .await
            .unwrap();
        drop(stores);
        // Opened again: nothing re-runs (a re-run 0001 would fail on existing tables).
        let stores = store::open(&url).await.unwrap();
        assert!(stores.tenants.get_realm("t1", "r1").await.unwrap().is_some());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(),
            MIGRATIONS.len() as i64,
            "every migration applied"
        );
    }

    #[tokio::test]
    async fn a_new_file_and_memory_get_the_whole_schema() {
        let dir = tempfile::tempdir().unwrap();
        for url in [format!("sqlite://{}", dir.path().join("data/new.db").display()), "sqlite::memory:".to_owned()] {
            let stores = store::open(&url).await.unwrap();
            stores.tenants.create_tenant(&Tenant { id: "t".into(), display_name: "T".into(), create_time: 1 }).await.unwrap();
            assert_eq!(stores.setup.service_key("k", &[1; 32], 1).await.unwrap(), vec![1; 32]);
            assert_eq!(stores.setup.service_key("k", &[2; 32], 2).await.unwrap(), vec![1; 32]);
        }
    }

    #[test]
    fn a_file_with_unknown_sqlx_migrations_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passbind.db");
        make_sqlx_era_file(&path);
        let mut conn = Connection::open(&path).unwrap();
        conn.execute("DELETE FROM _sqlx_migrations WHERE version = 3", []).unwrap();
        assert!(run(&mut conn).unwrap_err().contains("not the first"));
    }
}
