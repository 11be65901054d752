//! A throwaway PostgreSQL cluster for the test suite: `initdb` into a temporary folder, started
//! on a free loopback port, stopped and deleted on drop. Uses Debian's binaries
//! (`/usr/lib/postgresql/<version>/bin`) or whatever `initdb` is on `PATH`; `PG_BIN` overrides.
//! As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, free_port, status};

/// A running cluster; stopped and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Creates and starts a cluster for tests: trust authentication for user `postgres`, and
    /// no waiting for the disk (`fsync=off`: fast, but a crash may corrupt it).
    pub fn start() -> Result<Cluster> {
        Cluster::start_with("-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    }

    /// A cluster for the benchmark, crash-safe like the embedded default: `fsync` on (a crash
    /// cannot corrupt it) and `synchronous_commit=off` (a crash may lose the last moments of
    /// commits, as SQLite's `synchronous=NORMAL` in WAL mode may).
    pub fn start_for_bench() -> Result<Cluster> {
        Cluster::start_with("-c synchronous_commit=off -c shared_buffers=256MB")
    }

    /// Creates and starts a cluster with trust authentication for user `postgres` and these
    /// extra server options.
    fn start_with(settings: &str) -> Result<Cluster> {
        let bin = find_bin()?;
        let port = free_port()?;
        let dir = env::temp_dir().join(format!("concord-pg-{}-{port}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .map_err(|e| format!("could not clear {}: {e}", dir.display()))?;
        }
        fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let as_postgres = is_root();
        if as_postgres {
            status(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir),
            )?;
        }
        let cluster = Cluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = cluster.dir.join("data");
        cluster.pg(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 {settings}",
            cluster.dir.display()
        );
        let log = cluster.dir.join("server.log");
        cluster.pg(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        eprintln!(
            "xtask: PostgreSQL running on 127.0.0.1:{port} ({})",
            cluster.dir.display()
        );
        Ok(cluster)
    }

    /// The connection URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates a database in the cluster; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let port = self.port.to_string();
        self.pg(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        )?;
        Ok(format!(
            "postgres://postgres@127.0.0.1:{}/{name}",
            self.port
        ))
    }

    fn pg(&self, program: &str, args: &[&str]) -> Result {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(&self.dir);
        status(&mut cmd)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if let Err(e) = self.pg(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-m", "immediate", "stop"],
        ) {
            eprintln!("xtask: could not stop PostgreSQL: {e}");
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Finds the folder with `initdb` and `pg_ctl`.
pub fn find_bin() -> Result<PathBuf> {
    if let Some(dir) = env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(best) = versions.pop() {
        return Ok(best);
    }
    env::var_os("PATH")
        .into_iter()
        .flat_map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .ok_or_else(|| {
            "PostgreSQL is not installed (no initdb found): `apt-get install -y postgresql`, set PG_BIN, or run `cargo xtask test --sqlite-only`".to_owned()
        })
}
