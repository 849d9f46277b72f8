//! A private PostgreSQL server for tests and benchmarks: one cluster per
//! process, made with Debian's `initdb` in a temporary folder on a port of
//! its own, run as an unprivileged OS user when the process runs as root
//! (PostgreSQL refuses to run as root), and stopped and removed by a
//! watchdog when the process ends. Each caller gets a fresh, empty database.
//!
//! When no PostgreSQL server programs are installed and the process may
//! install packages (root with apt-get), the `postgresql` package is
//! installed first, so that `cargo test` passes on a fresh machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::store::Location;

/// A running private cluster.
struct Cluster {
    port: u16,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// A new, empty database on this process's private cluster, as a register
/// location (`postgres://postgres@127.0.0.1:PORT/NAME?sslmode=disable`).
/// The cluster is started on first use.
pub fn fresh_database() -> Result<Location, String> {
    let cluster = CLUSTER.get_or_init(start).as_ref().map_err(Clone::clone)?;
    let name = format!(
        "register_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = connect(cluster.port, "postgres")?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(|e| format!("CREATE DATABASE: {e}"))?;
    Ok(Location::parse(&url(cluster.port, &name)))
}

/// A fresh database, or a panic saying why none could be made (tests).
///
/// # Panics
/// When no cluster could be started.
#[allow(clippy::panic)]
pub fn fresh_database_or_panic() -> Location {
    match fresh_database() {
        Ok(location) => location,
        Err(error) => panic!("no PostgreSQL server for the tests: {error}"),
    }
}

fn url(port: u16, database: &str) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/{database}?sslmode=disable")
}

fn connect(port: u16, database: &str) -> Result<postgres::Client, String> {
    postgres::Client::connect(&url(port, database), postgres::NoTls)
        .map_err(|e| format!("connecting to the test cluster: {e}"))
}

/// The folder of PostgreSQL's server programs: the newest under
/// `/usr/lib/postgresql/*/bin`, else wherever `initdb` is on the PATH.
fn server_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    // `initdb.exe` and `postgres.exe` on Windows.
    let program = |name: &str| format!("{name}{}", std::env::consts::EXE_SUFFIX);
    std::env::split_paths(&path).find(|dir| {
        dir.join(program("initdb")).is_file() && dir.join(program("postgres")).is_file()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Installs Debian's `postgresql` package, once for all test processes at a
/// time (apt's own lock makes a second one wait).
fn install_postgresql() -> Result<(), String> {
    let lock_path = std::env::temp_dir().join("hrm-users-postgresql-install.lock");
    let lock = std::fs::File::create(&lock_path).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| e.to_string())?;
    if server_bin_dir().is_some() {
        return Ok(());
    }
    let install = |update: bool| {
        if update {
            let _ = Command::new("apt-get")
                .arg("update")
                .stdout(Stdio::null())
                .status();
        }
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if install(false) || install(true) {
        Ok(())
    } else {
        Err("PostgreSQL is not installed and `apt-get install postgresql` failed; install the server (Debian: postgresql) and run the tests again".into())
    }
}

/// Runs `program args` as `user` (when root) or as this user.
fn command_as(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// A cluster of its own that a test may stop and start again (a database
/// restart under a running program), removed when the process ends. Each
/// one costs an `initdb`; use [`fresh_database`] unless the test restarts.
pub struct RestartableCluster {
    bin: PathBuf,
    user: Option<&'static str>,
    data: PathBuf,
    port: u16,
}

impl RestartableCluster {
    /// Makes and starts a cluster with one empty database, `register`.
    pub fn start() -> Result<Self, String> {
        let (bin, user, dir) = prepare_cluster_folder()?;
        let data = dir.join("data");
        let port = free_port()?;
        // pg_ctl starts it; the watchdog stops it and removes its folder
        // once this process is gone.
        let watchdog = format!(
            "while [ -d /proc/{owner} ]; do sleep 1; done; \
             {pg_ctl} stop -D {data} -m immediate >/dev/null 2>&1; rm -rf {dir}",
            owner = std::process::id(),
            pg_ctl = bin.join("pg_ctl").display(),
            data = data.display(),
            dir = dir.display(),
        );
        let mut command = if let Some(user) = user {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--", "sh", "-c", &watchdog]);
            command
        } else {
            let mut command = Command::new("sh");
            command.args(["-c", &watchdog]);
            command
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting the watchdog: {e}"))?;
        let cluster = Self {
            bin,
            user,
            data,
            port,
        };
        cluster.start_again()?;
        let mut admin = connect(port, "postgres")?;
        admin
            .batch_execute("CREATE DATABASE register")
            .map_err(|e| format!("CREATE DATABASE: {e}"))?;
        Ok(cluster)
    }

    /// The database `register` on this cluster, as a register location.
    pub fn location(&self) -> Location {
        Location::parse(&url(self.port, "register"))
    }

    /// Stops the server at once, as a crash or `pg_ctl stop -m immediate`
    /// does: every connection is cut.
    pub fn stop_immediately(&self) -> Result<(), String> {
        self.pg_ctl(&["stop", "-m", "immediate", "-w"])
    }

    /// Starts the server again and waits until it takes connections.
    pub fn start_again(&self) -> Result<(), String> {
        let log = self.data.with_file_name("server.log");
        // Commits are flushed before they are acknowledged (the default), so
        // a crash loses nothing a client was told is committed; fsync may be
        // off, since the machine itself does not crash.
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off \
             -c max_connections=300",
            self.port
        );
        let log_arg = log.display().to_string();
        self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log_arg, "-o", &options])?;
        let deadline = Instant::now() + Duration::from_mins(1);
        loop {
            match connect(self.port, "postgres") {
                Ok(_) => return Ok(()),
                Err(error) if Instant::now() > deadline => return Err(error),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let output = command_as(self.user, &self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

/// Finds (or installs) the server programs, and makes a cluster folder
/// with `initdb`, owned by the user the server will run as.
fn prepare_cluster_folder() -> Result<(PathBuf, Option<&'static str>, PathBuf), String> {
    let bin = match server_bin_dir() {
        Some(bin) => bin,
        None if is_root() && Path::new("/usr/bin/apt-get").exists() => {
            install_postgresql()?;
            server_bin_dir().ok_or("PostgreSQL was installed but initdb is not found")?
        }
        None => {
            return Err("PostgreSQL's server programs (initdb, postgres) are not installed; install Debian's postgresql package".into());
        }
    };
    let root = is_root();
    let user = root.then_some("nobody");
    let dir = std::env::temp_dir().join(format!(
        "hrm-users-pg-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if root {
        let status = Command::new("chown")
            .args(["nobody:nogroup"])
            .arg(&dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("chown of {} failed", dir.display()));
        }
    }
    let data = dir.join("data");
    let output = command_as(user, &bin.join("initdb"))
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok((bin, user, dir))
}

fn start() -> Result<Cluster, String> {
    let (bin, user, dir) = prepare_cluster_folder()?;
    let data = dir.join("data");
    let port = free_port()?;
    // The watchdog stops the server and removes its folder once this
    // process is gone (also after kill -9 of a test).
    let script = format!(
        "{postgres} -D {data} -p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
         >{dir}/server.log 2>&1 & server=$!; \
         while [ -d /proc/{owner} ] && kill -0 $server 2>/dev/null; do sleep 1; done; \
         kill -INT $server 2>/dev/null; wait $server; rm -rf {dir}",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        owner = std::process::id(),
    );
    let mut watchdog = if let Some(user) = user {
        let mut command = Command::new("runuser");
        command.args(["-u", user, "--", "sh", "-c", &script]);
        command
    } else {
        let mut command = Command::new("sh");
        command.args(["-c", &script]);
        command
    };
    watchdog
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        match connect(port, "postgres") {
            Ok(_) => return Ok(Cluster { port }),
            Err(error) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!("the test cluster did not start: {error}\n{log}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}
