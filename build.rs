//! Build script: a Windows `.exe` gets the application icon and its version
//! resource (the version from `Cargo.toml`), shown by Explorer and the taskbar.
//! Other targets need nothing.

// A build script talks to Cargo through standard output.
#![allow(clippy::print_stdout)]

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon/hrm-users.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("assets/icon/hrm-users.ico")
        .set("ProductName", "HRM Users")
        .set("FileDescription", "HRM Users")
        .set("LegalCopyright", "MIT OR Apache-2.0");
    let host_is_windows = std::env::var("HOST").is_ok_and(|host| host.contains("windows"));
    if !host_is_windows && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu") {
        // Cross-built on Linux with Debian's gcc-mingw-w64-x86-64.
        resource
            .set_windres_path("x86_64-w64-mingw32-windres")
            .set_ar_path("x86_64-w64-mingw32-ar");
    }
    if let Err(error) = resource.compile() {
        println!("cargo:warning=the Windows resource (icon, version) could not be made: {error}");
        std::process::exit(1);
    }
}
