//! `concord backup` / `concord restore` on SQLite: a backup taken while registrations are
//! being written holds every registration acknowledged before it began, and a restore brings
//! it back whole — never while a server holds the database.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backend::Db;
use backend::backup::{ServeLock, backup, restore};
use concord_tests::TestApp;

/// A fresh folder for one test's files.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "concord-backup-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

async fn codes_in(file: &Path) -> Vec<String> {
    let db = Db::connect_url(&format!("sqlite://{}", file.display()), 1)
        .await
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", file.display()));
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM cases")
        .fetch_all(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("cannot read cases: {e}"));
    db.pool.close().await;
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_acknowledged_write() {
    let dir = folder("load");
    let live = dir.join("live.db");
    let url = format!("sqlite://{}", live.display());
    let app = Arc::new(TestApp::with_config(|c| c.database_url = url.clone()).await);
    let clerk = app.login("clerk").await;
    // Writers register cases until told to stop; each acknowledged code is kept with its time.
    let acknowledged: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (app, clerk, acknowledged, stop) = (
                Arc::clone(&app),
                clerk.clone(),
                Arc::clone(&acknowledged),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let case = app.register(&clerk, &app.sample_case()).await;
                    let mut list = acknowledged.lock().unwrap_or_else(|e| e.into_inner());
                    list.push((Instant::now(), case.code));
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let copy = dir.join("copy.db");
    let started = Instant::now();
    backup(&app.state.db, &copy)
        .await
        .unwrap_or_else(|e| panic!("backup failed: {e}"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap_or_else(|e| panic!("writer: {e}"));
    }
    let before: Vec<String> = acknowledged
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, code)| code.clone())
        .collect();
    assert!(
        before.len() >= 4,
        "writes ran before the backup: {}",
        before.len()
    );
    let total = acknowledged.lock().unwrap_or_else(|e| e.into_inner()).len();
    assert!(
        total > before.len(),
        "writes went on during and after the backup"
    );

    // Restore into a database that holds something else (the kept file is returned).
    let restored = dir.join("restored.db");
    std::fs::copy(&live, &restored).unwrap_or_else(|e| panic!("copy: {e}"));
    let kept = restore(&copy, &restored)
        .await
        .unwrap_or_else(|e| panic!("restore failed: {e}"));
    assert!(
        kept.is_some_and(|k| k.exists()),
        "the replaced file is kept"
    );
    let codes = codes_in(&restored).await;
    for code in &before {
        assert!(
            codes.contains(code),
            "{code} was acknowledged before the backup but is missing"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_restore_is_refused_while_a_server_holds_the_database() {
    let dir = folder("locked");
    let live = dir.join("live.db");
    let url = format!("sqlite://{}", live.display());
    let app = TestApp::with_config(|c| c.database_url = url.clone()).await;
    let copy = dir.join("copy.db");
    backup(&app.state.db, &copy)
        .await
        .unwrap_or_else(|e| panic!("backup failed: {e}"));
    let serving = ServeLock::acquire(&live).unwrap_or_else(|e| panic!("lock: {e}"));
    let refused = restore(&copy, &live).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("running Concord server")),
        "{refused:?}"
    );
    assert!(ServeLock::acquire(&live).is_err(), "one holder at a time");
    drop(serving);
    // A second backup never overwrites a file.
    let again = backup(&app.state.db, &copy).await;
    assert!(again.is_err_and(|e| e.contains("exists")));
    // Something that is not a Concord database is not restored.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap_or_else(|e| panic!("write: {e}"));
    assert!(restore(&junk, &live).await.is_err());
    let _ = std::fs::remove_dir_all(dir);
}
