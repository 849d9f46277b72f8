//! The README's nginx example, as written, in front of a real `serve`:
//! Debian's nginx (installed when missing) with a test certificate and
//! ports of the test's own proxies every path the endpoint has — the
//! verification links, the preparation phase's invitations and `/health`.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::Register;

/// Installs nginx from Debian's package when it is missing.
fn nginx() -> &'static str {
    const NGINX: &str = "/usr/sbin/nginx";
    if Path::new(NGINX).exists() {
        return NGINX;
    }
    support::install_debian_packages(&["nginx"], "nginx");
    NGINX
}

/// The README's nginx block (the one after "With nginx:").
fn readme_example() -> String {
    let readme = include_str!("../README.md");
    let start = readme
        .find("With nginx:")
        .and_then(|at| {
            readme[at..]
                .find("```nginx\n")
                .map(|n| at + n + "```nginx\n".len())
        })
        .expect("the README has an nginx example");
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

/// Waits until `port` takes connections.
fn wait_listening(port: u16, nginx: &mut Child, log: &Path) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = nginx.try_wait() {
            panic!(
                "nginx stopped ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `curl` over HTTPS, not checking the test certificate: the status and
/// the body.
fn get(url: &str) -> (u16, String) {
    let output = Command::new("curl")
        .args(["-sk", "-o", "-", "-w", "\n%{http_code}", url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (status.trim().parse().unwrap_or(0), body.to_owned())
}

#[test]
fn the_readme_nginx_example_proxies_every_path_of_the_endpoint() {
    let nginx_program = nginx();
    let register = Register::new();
    drop(register.session(&support::TestClock::new()));
    let mut serve = Command::new(env!("CARGO_BIN_EXE_hrm-users"))
        .arg("--db")
        .arg(&register.path)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("XDG_DATA_HOME", register.dir.path())
        .env("LC_ALL", "C.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = support::served_address(&mut serve);

    // The example as written, with a test certificate and ports of its own.
    let dir = register.dir.path().join("nginx");
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("test.pem"), dir.join("test.key"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=hrm.company.se", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success(), "openssl made no test certificate");
    let port = support::free_port();
    let example = readme_example()
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace("/etc/ssl/hrm.company.se.pem", cert.to_str().unwrap())
        .replace("/etc/ssl/hrm.company.se.key", key.to_str().unwrap())
        .replace("http://127.0.0.1:8480", &format!("http://{served}"));
    assert!(
        example.contains(&served),
        "the example proxies to the endpoint"
    );
    let dir_text = dir.display();
    let user = if Command::new("id").arg("-u").output().unwrap().stdout == b"0\n" {
        "user root;"
    } else {
        ""
    };
    let config = format!(
        "{user}\ndaemon off;\npid {dir_text}/nginx.pid;\nerror_log {dir_text}/error.log;\n\
         events {{}}\nhttp {{\n access_log off;\n client_body_temp_path {dir_text}/body;\n\
         proxy_temp_path {dir_text}/proxy;\n fastcgi_temp_path {dir_text}/fastcgi;\n\
         uwsgi_temp_path {dir_text}/uwsgi;\n scgi_temp_path {dir_text}/scgi;\n{example}}}\n"
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, config).unwrap();
    let log = dir.join("error.log");
    let mut nginx = Command::new(nginx_program)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_listening(port, &mut nginx, &log);

    let site = format!("https://127.0.0.1:{port}");
    let health = get(&format!("{site}/health"));
    let verify = get(&format!("{site}/verify/not-a-token"));
    let relink = get(&format!("{site}/relink/not-a-token"));
    let elsewhere = get(&format!("{site}/admin"));
    let _ = nginx.kill();
    let _ = nginx.wait();
    let _ = serve.kill();
    let _ = serve.wait();

    assert_eq!(health, (200, "ok".to_owned()), "/health through nginx");
    for (path, (status, body)) in [("/verify/", verify), ("/relink/", relink)] {
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            body.contains("This link is not valid") || body.contains("Länken är inte giltig"),
            "{path} is the endpoint's own page: {body}"
        );
    }
    assert_eq!(elsewhere.0, 404, "other paths are not found");
}
