//! A real SCIM 2.0 server for the tests: python-scim's `scim2-server` from
//! `PyPI`, installed into a virtual environment under `target/` when missing
//! (`.ci/run` installs it first), started on a loopback port with a bearer
//! token; and a small HTTP proxy in front of it that can answer the next
//! requests with a fault (429 with `Retry-After`, 500, or forwarding a
//! request and then closing the connection without its answer).

use std::collections::VecDeque;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The token the tests' server accepts.
pub const TOKEN: &str = "test-scim-token";

/// The folder of the virtual environment with `scim2-server`.
fn venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scim-venv")
}

fn server_program() -> PathBuf {
    venv().join("bin/scim2-server")
}

/// Installs `scim2-server` into the virtual environment, once for all test
/// processes at a time.
fn install() {
    if server_program().is_file() {
        return;
    }
    std::fs::create_dir_all(venv().parent().unwrap()).unwrap();
    let lock_path = std::env::temp_dir().join("hrm-users-scim-venv.lock");
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    if server_program().is_file() {
        return;
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv())
        .status()
        .unwrap();
    assert!(made.success(), "python3 -m venv failed");
    let installed = Command::new(venv().join("bin/pip"))
        .args(["install", "--quiet", "scim2-server"])
        .status()
        .unwrap();
    assert!(installed.success(), "pip install scim2-server failed");
}

/// A loopback port no one listens on (also for the other tests, through
/// `support::free_port`; the benchmarks take this file alone).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the proxy does with the next request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Forwards the request as usual (to let earlier requests through).
    Pass,
    /// Answers with this status (and `Retry-After` seconds, if any) and a
    /// SCIM error body, without asking the server.
    Answer(u16, Option<u32>),
    /// Forwards the request, then closes the connection without the answer.
    ForwardThenDrop,
}

/// A running `scim2-server` behind the fault proxy.
pub struct ScimServer {
    server: Option<Child>,
    server_port: u16,
    proxy_port: u16,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    requests: Arc<Mutex<Vec<String>>>,
    proxy_up: Arc<AtomicBool>,
    stopping: Arc<AtomicBool>,
}

impl ScimServer {
    /// Starts a server (installing it first when needed) and its proxy.
    pub fn start() -> Self {
        install();
        let server_port = free_port();
        let mut scim = Self {
            server: None,
            server_port,
            proxy_port: 0,
            faults: Arc::default(),
            requests: Arc::default(),
            proxy_up: Arc::new(AtomicBool::new(true)),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        scim.start_server();
        scim.proxy_port = scim.start_proxy();
        scim
    }

    fn start_server(&mut self) {
        let child = Command::new(server_program())
            .args(["--hostname", "127.0.0.1", "--port"])
            .arg(self.server_port.to_string())
            .args(["--bearer-token", TOKEN])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.server = Some(child);
        let deadline = Instant::now() + Duration::from_mins(1);
        while TcpStream::connect(("127.0.0.1", self.server_port)).is_err() {
            assert!(Instant::now() < deadline, "scim2-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn start_proxy(&self) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (faults, requests, up, stopping) = (
            Arc::clone(&self.faults),
            Arc::clone(&self.requests),
            Arc::clone(&self.proxy_up),
            Arc::clone(&self.stopping),
        );
        let upstream = self.server_port;
        std::thread::Builder::new()
            .name("scim-proxy".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if !up.load(Ordering::SeqCst) {
                        // "Down": the connection is refused at once.
                        drop(stream);
                        continue;
                    }
                    let (faults, requests) = (Arc::clone(&faults), Arc::clone(&requests));
                    let _ = std::thread::Builder::new()
                        .name("scim-proxy-conn".into())
                        .spawn(move || serve_one(stream, upstream, &faults, &requests));
                }
            })
            .unwrap();
        port
    }

    /// The server's own SCIM endpoint (no proxy: for benchmarks).
    pub fn direct_base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v2", self.server_port)
    }

    /// The SCIM endpoint the program is given (through the proxy).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v2", self.proxy_port)
    }

    /// The next requests meet these faults, one each.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }

    /// While false, every connection is closed at once (the server is down).
    pub fn set_up(&self, up: bool) {
        self.proxy_up.store(up, Ordering::SeqCst);
    }

    /// The request lines the proxy saw (`POST /v2/Users`, …).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Every user the server holds (straight from the server).
    pub fn users(&self) -> Vec<serde_json::Value> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut all = Vec::new();
        loop {
            let mut response = agent
                .get(&format!(
                    "http://127.0.0.1:{}/v2/Users?startIndex={}&count=500",
                    self.server_port,
                    all.len() + 1
                ))
                .header("Authorization", &format!("Bearer {TOKEN}"))
                .call()
                .unwrap();
            let page: serde_json::Value =
                serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
            let resources = page["Resources"].as_array().cloned().unwrap_or_default();
            let total = page["totalResults"].as_u64().unwrap_or(0);
            let empty = resources.is_empty();
            all.extend(resources);
            if empty || all.len() as u64 >= total {
                return all;
            }
        }
    }

    /// The users whose `externalId` is `external_id`.
    pub fn users_with_external_id(&self, external_id: &str) -> Vec<serde_json::Value> {
        self.users()
            .into_iter()
            .filter(|u| u["externalId"].as_str() == Some(external_id))
            .collect()
    }

    /// Sends a request straight to the server (a change made at the
    /// provider by someone else).
    pub fn direct(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> u16 {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("http://127.0.0.1:{}/v2{path}", self.server_port);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Content-Type", "application/scim+json");
        let response = match body {
            Some(body) => agent.run(request.body(body.to_string()).unwrap()),
            None => agent.run(request.body(()).unwrap()),
        };
        response.unwrap().status().as_u16()
    }
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.proxy_port));
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// Reads one HTTP request: the head and the body its Content-Length names.
fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        let n = stream.read(&mut buffer).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = stream.read(&mut buffer).ok()?;
                if n == 0 {
                    return None;
                }
                data.extend_from_slice(&buffer[..n]);
            }
            return Some(data);
        }
    }
}

/// One request per connection: answered with a fault, or forwarded to the
/// server (asked to close after it) and its answer passed back.
fn serve_one(
    mut client: TcpStream,
    upstream: u16,
    faults: &Mutex<VecDeque<Fault>>,
    requests: &Mutex<Vec<String>>,
) {
    let Some(request) = read_request(&mut client) else {
        return;
    };
    let line = String::from_utf8_lossy(&request)
        .lines()
        .next()
        .unwrap_or_default()
        .rsplit_once(' ')
        .map(|(l, _)| l.to_owned())
        .unwrap_or_default();
    requests.lock().unwrap().push(line);
    let fault = faults.lock().unwrap().pop_front();
    if let Some(Fault::Answer(status, retry_after)) = fault {
        let body = format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"{status}","detail":"injected fault {status}"}}"#
        );
        let retry = retry_after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n"));
        let _ = write!(
            client,
            "HTTP/1.1 {status} Fault\r\nContent-Type: application/scim+json\r\n{retry}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    // Ask the server to close after answering, so its answer ends at EOF.
    let text = String::from_utf8_lossy(&request).into_owned();
    let forwarded = text.replacen("\r\n", "\r\nConnection: close\r\n", 1);
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    if server.write_all(forwarded.as_bytes()).is_err() {
        return;
    }
    let mut answer = Vec::new();
    let _ = server.read_to_end(&mut answer);
    if matches!(fault, Some(Fault::ForwardThenDrop)) {
        // The server did it; the client never hears.
        return;
    }
    let _ = client.write_all(&answer);
}
