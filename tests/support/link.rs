//! A TCP link between the program and PostgreSQL that counts round trips
//! (each time the client speaks after the server last spoke, or first, on
//! a connection) and can hold all traffic without closing a socket, as a
//! Wi-Fi drop or a VPN reconnecting does. What a command costs over a slow
//! network is its round trips times the link's delay, so a test bounds the
//! count, not the time.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A counting link on a port of its own.
pub struct CountingLink {
    /// The port the program connects to instead of the server's.
    pub port: u16,
    round_trips: Arc<AtomicU64>,
    held: Arc<AtomicBool>,
}

impl CountingLink {
    /// Forwards every connection on a new port to `target` (`host:port`).
    pub fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let round_trips = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&round_trips);
        let held = Arc::new(AtomicBool::new(false));
        let holding = Arc::clone(&held);
        let target = target.to_owned();
        let accept = move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                // True while the server spoke last on this connection.
                let server_spoke = Arc::new(AtomicBool::new(true));
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                pump(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    Arc::clone(&server_spoke),
                    Some(Arc::clone(&counter)),
                    Arc::clone(&holding),
                );
                pump(server, client, server_spoke, None, Arc::clone(&holding));
            }
        };
        std::thread::Builder::new()
            .name("link-accept".into())
            .spawn(accept)
            .unwrap();
        Self {
            port,
            round_trips,
            held,
        }
    }

    /// A link to the server of the register URL `url` (`postgres://…@host:port/…`).
    pub fn to_server_of(url: &str) -> Self {
        let server = url
            .split_once('@')
            .and_then(|(_, rest)| rest.split_once('/'))
            .map(|(server, _)| server)
            .unwrap();
        Self::start(server)
    }

    /// Holds every byte (`true`) until released (`false`); no socket closes.
    pub fn hold(&self, held: bool) {
        self.held.store(held, Ordering::SeqCst);
    }

    /// Round trips so far, over every connection.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::SeqCst)
    }

    /// A `postgres://` URL with its port replaced by the link's.
    pub fn url_through(&self, url: &str) -> String {
        let (head, rest) = url.split_once("127.0.0.1:").unwrap();
        let tail = rest.split_once('/').unwrap().1;
        format!("{head}127.0.0.1:{}/{tail}", self.port)
    }
}

/// Copies `from` to `to`; `counter` is set for the client's direction.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    server_spoke: Arc<AtomicBool>,
    counter: Option<Arc<AtomicU64>>,
    held: Arc<AtomicBool>,
) {
    let copy = move || {
        let mut buffer = vec![0_u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            while held.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            match &counter {
                Some(counter) => {
                    if server_spoke.swap(false, Ordering::SeqCst) {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                }
                None => server_spoke.store(true, Ordering::SeqCst),
            }
            if to.write_all(&buffer[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Both);
    };
    std::thread::Builder::new()
        .name("link-pump".into())
        .spawn(copy)
        .unwrap();
}
