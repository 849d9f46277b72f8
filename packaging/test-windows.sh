#!/bin/sh
# Installs an older version's setup silently under wine on Xvfb, runs a
# subcommand in the console, starts the installed program and takes a
# screenshot, installs this version over it (an upgrade) and checks the
# register survived, uninstalls silently and checks that nothing but the
# user's data is left behind.
#   packaging/test-windows.sh [dist/hrm-users-…-setup.exe]
# Needs Debian's wine, xvfb, imagemagick, xdotool and gcc-mingw-w64-x86-64.
# Not part of `cargo test`: it takes minutes. Screenshots go to dist/screenshots/.
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
# Cargo's output folder, as build.sh finds it.
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
setup="${1:-$root/dist/hrm-users-$version-windows-x86_64-setup.exe}"
[ -f "$setup" ] || { echo "no setup at $setup: run packaging/build.sh windows" >&2; exit 2; }
shots="$root/dist/screenshots"
mkdir -p "$shots"

work="$(mktemp -d)"
export WINEPREFIX="$work/prefix" WINEARCH=win64 WINEDEBUG=-all
export DISPLAY=:97
Xvfb :97 -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
cleanup() {
    wineserver -k 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

wineboot -i >/dev/null 2>&1
wineserver -w

# wine 8.0's bcryptprimitives.dll has no ProcessPrng (Rust's std needs it since
# 1.78): a stand-in, for wine only, answers from RtlGenRandom.
x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$root/packaging/windows/wine-prng/bcryptprimitives.c" \
    "$root/packaging/windows/wine-prng/bcryptprimitives.def" -ladvapi32
export WINEDLLOVERRIDES="bcryptprimitives=n"

program="$WINEPREFIX/drive_c/Program Files/HRM Users"
shortcut="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/HRM Users.lnk"
key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\HRM Users'
appdata_register="$WINEPREFIX/drive_c/users/$(whoami)/AppData/Roaming/HRM Users/hrm-users/data/demo-register.db"

# "An older version": the same program in a setup that says 0.0.1.
older="$work/hrm-users-0.0.1-setup.exe"
makensis -V1 -DVERSION=0.0.1 \
    -DEXE="$target/x86_64-pc-windows-gnu/release/hrm-users.exe" \
    -DEXE_CLI="$target/x86_64-pc-windows-gnu/release/hrm-users-cli.exe" \
    -DICON="$root/assets/icon/hrm-users.ico" -DLICENSE_MIT="$root/LICENSE-MIT" \
    -DLICENSE_APACHE="$root/LICENSE-APACHE" -DOUTFILE="$older" \
    "$root/packaging/windows/installer.nsi"

echo "== silent install of the older version"
wine "$older" /S
wineserver -w
[ -f "$program/hrm-users.exe" ] || fail "hrm-users.exe not installed"
[ -f "$program/hrm-users-cli.exe" ] || fail "hrm-users-cli.exe not installed"
[ -f "$program/uninstall.exe" ] || fail "no uninstaller"
[ -f "$shortcut" ] || fail "no Start-menu shortcut for all users"
wine reg query "$key" /v DisplayVersion 2>/dev/null | grep -q "0.0.1" || fail "no Apps & features entry"
wine reg query "$key" /v QuietUninstallString 2>/dev/null | grep -q '/S' || fail "no quiet uninstall string"

echo "== a subcommand prints in the console"
wine "$program/hrm-users.exe" --version | tee "$work/version.txt"
grep -q "hrm-users $version" "$work/version.txt" || fail "--version did not print"
echo "== the console twin for scripts: output and exit codes"
wine "$program/hrm-users-cli.exe" --version | grep -q "hrm-users $version" || fail "hrm-users-cli --version"
set +e
wine "$program/hrm-users-cli.exe" import 'C:\no\such.xlsx' --db 'C:\scratch.db' >/dev/null 2>"$work/cli-error.txt"
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$work/cli-error.txt" >&2; fail "a refused file exits $code, not 2"; }

echo "== the installed program starts (WGPU_BACKEND=gl: wine's DX12 path fails)"
WGPU_BACKEND=gl wine "$program/hrm-users.exe" >"$work/gui.log" 2>&1 &
gui=$!
started=""
for _ in $(seq 1 60); do
    if xdotool search --name "^HRM Users" >/dev/null 2>&1 && [ -f "$appdata_register" ]; then
        started=yes
        break
    fi
    sleep 1
done
[ -n "$started" ] || { cat "$work/gui.log" >&2; fail "no window"; }
sleep 5
import -window root "$shots/windows-installed.png"
echo "screenshot: $shots/windows-installed.png"
wine "$program/hrm-users.exe" users list --json >"$work/users.json" 2>/dev/null || true
kill "$gui" 2>/dev/null || true
wineserver -k || true
grep -q '"user_id"' "$work/users.json" || fail "the demo register was not listed"

echo "== install this version over it (upgrade): the register stays"
before="$(md5sum "$appdata_register" | cut -d' ' -f1)"
wine "$setup" /S
wineserver -w
[ -f "$program/hrm-users.exe" ] || fail "hrm-users.exe missing after the upgrade"
wine reg query "$key" /v DisplayVersion 2>/dev/null | grep -q "$version" || fail "Apps & features still shows the old version"
[ "$(md5sum "$appdata_register" | cut -d' ' -f1)" = "$before" ] || fail "the register changed on upgrade"

echo "== silent uninstall"
wine "$program/uninstall.exe" /S
wineserver -w
for _ in $(seq 1 30); do [ -d "$program" ] || break; sleep 1; done
[ ! -d "$program" ] || { ls -la "$program" >&2; fail "files left in Program Files"; }
[ ! -f "$shortcut" ] || fail "Start-menu shortcut left"
if wine reg query "$key" >/dev/null 2>&1; then fail "Apps & features entry left"; fi
[ -f "$appdata_register" ] || fail "the user's register was removed"
echo "PASS: Windows setup installs silently, starts, upgrades, uninstalls cleanly (the register stays)"
