#!/bin/sh
# Builds HRM Users' packages into dist/:
#   packaging/build.sh windows   the NSIS setup for 64-bit Windows, cross-built here
#   packaging/build.sh msi       the same program as an MSI (per machine), built with wixl
#   packaging/build.sh deb       the Debian/Ubuntu package (cargo-deb)
#   packaging/build.sh tar       a plain .tar.gz for any x86_64 Linux
#   packaging/build.sh macos     the .app bundle and a .dmg (on a Mac only)
# What each needs, and how each was tested: packaging/README.md.
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
dist="$root/dist"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to here, as
# cargo reads it), else target/.
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
work="$target/packaging"
mkdir -p "$dist" "$work"

# The Debian package that brings a tool, for `need`.
debian_package() {
    case "$1" in
    x86_64-w64-mingw32-gcc) echo gcc-mingw-w64-x86-64 ;;
    x86_64-w64-mingw32-windres) echo binutils-mingw-w64-x86-64 ;;
    makensis) echo nsis ;;
    wixl) echo wixl ;;
    tar) echo tar ;;
    gzip) echo gzip ;;
    *) echo "" ;;
    esac
}

# Each tool, installed from Debian's packages when it is missing and this
# is a Debian system run as root; otherwise a clear message.
need() {
    for tool in "$@"; do
        if command -v "$tool" >/dev/null 2>&1; then
            continue
        fi
        package="$(debian_package "$tool")"
        if [ -n "$package" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            echo "build.sh: installing $package for $tool" >&2
            apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null
        fi
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "build.sh: $tool is needed for this package (see packaging/README.md)" >&2
            exit 2
        fi
    done
}

metainfo() {
    sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" \
        packaging/linux/com.hrmusers.HrmUsers.metainfo.xml \
        >"$work/com.hrmusers.HrmUsers.metainfo.xml"
    # cargo-deb takes its assets where Cargo.toml names them, under the
    # project's own target/ whatever CARGO_TARGET_DIR says (it moves only
    # target/release/ to the real target folder).
    if [ "$work" != "$root/target/packaging" ]; then
        mkdir -p "$root/target/packaging"
        cp "$work/com.hrmusers.HrmUsers.metainfo.xml" "$root/target/packaging/"
    fi
}

# The Windows programs, cross-built.
windows_build() {
    need x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres
    if ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
        rustup target add x86_64-pc-windows-gnu
    fi
    cargo build --release --locked --target x86_64-pc-windows-gnu
}

case "${1:-}" in
msi)
    need wixl
    windows_build
    msi_version="${MSI_VERSION:-$version}"
    stage="$work/msi"
    rm -rf "$stage" && mkdir -p "$stage"
    # wixl reads sources relative to the folder it runs in.
    cp "$target/x86_64-pc-windows-gnu/release/hrm-users.exe" \
        "$target/x86_64-pc-windows-gnu/release/hrm-users-cli.exe" \
        "$root/assets/icon/hrm-users.ico" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" \
        "$root/packaging/windows/hrm-users.wxs" "$stage/"
    out="${MSI_OUT:-$dist/hrm-users-$msi_version-windows-x86_64.msi}"
    (cd "$stage" && wixl -a x64 -D Version="$msi_version" -D Exe=hrm-users.exe \
        -D ExeCli=hrm-users-cli.exe -D Icon=hrm-users.ico -D LicenseMit=LICENSE-MIT \
        -D LicenseApache=LICENSE-APACHE -o "$out" hrm-users.wxs)
    echo "$out"
    ;;
windows)
    need makensis
    windows_build
    exe="$target/x86_64-pc-windows-gnu/release/hrm-users.exe"
    out="$dist/hrm-users-$version-windows-x86_64-setup.exe"
    makensis -V2 \
        -DVERSION="$version" \
        -DEXE="$exe" \
        -DEXE_CLI="$target/x86_64-pc-windows-gnu/release/hrm-users-cli.exe" \
        -DICON="$root/assets/icon/hrm-users.ico" \
        -DLICENSE_MIT="$root/LICENSE-MIT" \
        -DLICENSE_APACHE="$root/LICENSE-APACHE" \
        -DOUTFILE="$out" \
        packaging/windows/installer.nsi
    echo "$out"
    ;;
deb)
    if ! command -v cargo-deb >/dev/null 2>&1; then
        cargo install cargo-deb --locked
    fi
    metainfo
    cargo deb --locked --output "$dist/"
    ls -1 "$dist"/hrm-users_"$version"*.deb
    ;;
tar)
    need tar gzip
    cargo build --release --locked
    metainfo
    name="hrm-users-$version-linux-x86_64"
    stage="$work/$name"
    rm -rf "$stage"
    mkdir -p "$stage/share/applications" "$stage/share/metainfo"
    install -m 755 "$target/release/hrm-users" "$stage/hrm-users"
    install -m 644 packaging/linux/hrm-users.desktop "$stage/share/applications/"
    install -m 644 "$work/com.hrmusers.HrmUsers.metainfo.xml" "$stage/share/metainfo/"
    for size in 16 24 32 48 64 128 256 512; do
        mkdir -p "$stage/share/icons/hicolor/${size}x${size}/apps"
        install -m 644 "assets/icon/hrm-users-$size.png" \
            "$stage/share/icons/hicolor/${size}x${size}/apps/hrm-users.png"
    done
    mkdir -p "$stage/share/icons/hicolor/scalable/apps"
    install -m 644 assets/icon/hrm-users.svg "$stage/share/icons/hicolor/scalable/apps/"
    install -m 644 README.md LICENSE-MIT LICENSE-APACHE "$stage/"
    tar -C "$work" -czf "$dist/$name.tar.gz" "$name"
    echo "$dist/$name.tar.gz"
    ;;
macos)
    if [ "$(uname -s)" != Darwin ]; then
        echo "build.sh: the macOS package is built on a Mac (hdiutil, Apple's linker); see packaging/README.md" >&2
        exit 2
    fi
    need hdiutil lipo
    rustup target add aarch64-apple-darwin x86_64-apple-darwin
    cargo build --release --locked --target aarch64-apple-darwin
    cargo build --release --locked --target x86_64-apple-darwin
    app="$work/HRM Users.app"
    rm -rf "$app"
    mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
    lipo -create -output "$app/Contents/MacOS/hrm-users" \
        "$target/aarch64-apple-darwin/release/hrm-users" \
        "$target/x86_64-apple-darwin/release/hrm-users"
    sed "s/@VERSION@/$version/g" packaging/macos/Info.plist >"$app/Contents/Info.plist"
    cp assets/icon/hrm-users.icns "$app/Contents/Resources/"
    # Ad-hoc signature: Apple Silicon runs nothing unsigned. Releases are signed
    # with a Developer ID and notarized (packaging/README.md).
    codesign --force --deep --sign - "$app"
    dmg="$dist/hrm-users-$version-macos-universal.dmg"
    rm -f "$dmg"
    stage="$work/dmg"
    rm -rf "$stage"
    mkdir -p "$stage"
    cp -R "$app" "$stage/"
    ln -s /Applications "$stage/Applications"
    hdiutil create -volname "HRM Users $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
    echo "$dmg"
    ;;
*)
    echo "usage: packaging/build.sh windows|msi|deb|tar|macos" >&2
    exit 2
    ;;
esac
