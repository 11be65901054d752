//! Backup and restore of a SQLite database (`concord backup FILE`, `concord restore FILE`).
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is consistent — every write
//! committed before it began is in it, none half — while the server keeps serving and writing.
//! The copy is then checked (`PRAGMA integrity_check`). A restore refuses while a server holds
//! the database (`ServeLock`), checks the backup, keeps the current file beside it
//! (`…before-restore-<time>`), and moves the backup into place with a rename, so the database
//! is at every moment either the old file or the whole backup. PostgreSQL has its own tools
//! (`pg_dump` / `pg_restore`, see the README).

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::db::{Backend, Db};

/// The file of a `sqlite://` URL (`None` for other URLs and in-memory databases).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    if Backend::of_url(url) != Some(Backend::Sqlite) {
        return None;
    }
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Writes a consistent copy of the database to `to` (which must not exist) and checks it.
pub async fn backup(db: &Db, to: &Path) -> Result<(), String> {
    if db.backend != Backend::Sqlite {
        return Err("backups of PostgreSQL are made with pg_dump (see the README)".to_owned());
    }
    if to.exists() {
        return Err(format!(
            "{} exists already: choose a new file",
            to.display()
        ));
    }
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let target = to
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", to.display()))?;
    let mut conn = db
        .pool
        .acquire()
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut *conn)
        .await
        .map_err(|e| format!("the backup failed: {e}"))?;
    drop(conn);
    check(to).await
}

/// Checks that `file` is a whole, migrated Concord database.
pub async fn check(file: &Path) -> Result<(), String> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .create_if_missing(false);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| format!("cannot check {}: {e}", file.display()))?;
    if verdict != "ok" {
        return Err(format!("{} is damaged: {verdict}", file.display()));
    }
    let migrations: Result<i64, _> =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await;
    let _ = conn.close().await;
    match migrations {
        Ok(n) if n > 0 => Ok(()),
        _ => Err(format!("{} is not a Concord database", file.display())),
    }
}

/// Replaces the database at `database` with the backup `from`; the replaced file is kept
/// beside it and its name returned. Refuses while a server holds the database.
pub async fn restore(from: &Path, database: &Path) -> Result<Option<PathBuf>, String> {
    let _lock = ServeLock::acquire(database)?;
    check(from).await?;
    let with_suffix = |suffix: &str| {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let incoming = with_suffix(".restoring");
    std::fs::copy(from, &incoming).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", incoming.display()))?;
    let kept = if database.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let kept = with_suffix(&format!(".before-restore-{stamp}"));
        // The old database with its write-ahead log folded in, so the kept file is whole.
        checkpoint(database).await?;
        std::fs::rename(database, &kept)
            .map_err(|e| format!("cannot move {} aside: {e}", database.display()))?;
        Some(kept)
    } else {
        None
    };
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(stale));
    }
    std::fs::rename(&incoming, database)
        .map_err(|e| format!("cannot move the backup into place: {e}"))?;
    if let Some(dir) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(kept)
}

/// Folds the write-ahead log into the database file.
async fn checkpoint(database: &Path) -> Result<(), String> {
    let options = SqliteConnectOptions::new()
        .filename(database)
        .create_if_missing(false);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("cannot open {}: {e}", database.display()))?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(|e| format!("cannot checkpoint {}: {e}", database.display()))?;
    let _ = conn.close().await;
    Ok(())
}

/// An exclusive lock on `<database>.lock`, held by `concord serve` for as long as it serves a
/// SQLite database and by a restore while it replaces it: a restore never pulls the file from
/// under a running server. (The operating system releases it if the process dies.)
#[derive(Debug)]
pub struct ServeLock {
    _file: File,
}

impl ServeLock {
    /// Takes the lock, or says that another process holds the database.
    pub fn acquire(database: &Path) -> Result<ServeLock, String> {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(ServeLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(format!(
                "{} is in use by a running Concord server: stop it first",
                database.display()
            )),
            Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
        }
    }
}
