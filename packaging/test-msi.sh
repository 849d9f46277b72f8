#!/bin/sh
# The MSI under wine on Xvfb: installs an older version silently per machine
# with preset properties (msiexec /i … /qn PUBLIC_BASE_URL=…), checks the
# Start-menu shortcut and that the program takes the properties as fixed
# settings, starts the program and takes a screenshot, installs this version
# over it (the UpgradeCode replaces the older one; the register stays), and
# uninstalls it silently (msiexec /x … /qn), leaving only the user's data.
#   packaging/test-msi.sh [dist/hrm-users-…-windows-x86_64.msi]
# Needs Debian's wine, wixl, xvfb, imagemagick, xdotool and
# gcc-mingw-w64-x86-64; builds the older MSI itself with packaging/build.sh.
# Not part of `cargo test`: it takes minutes. Screenshots go to dist/screenshots/.
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
msi="${1:-$root/dist/hrm-users-$version-windows-x86_64.msi}"
[ -f "$msi" ] || { echo "no MSI at $msi: run packaging/build.sh msi" >&2; exit 2; }
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
# wine 8.0 lacks ProcessPrng (Rust's std needs it): the stand-in, as in
# test-windows.sh.
x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$root/packaging/windows/wine-prng/bcryptprimitives.c" \
    "$root/packaging/windows/wine-prng/bcryptprimitives.def" -ladvapi32
export WINEDLLOVERRIDES="bcryptprimitives=n"

program="$WINEPREFIX/drive_c/Program Files/HRM Users"
# Windows Installer puts a per-machine (ALLUSERS=1) ProgramMenuFolder
# shortcut in the all-users Start menu; wine 8.0's msiexec puts it in the
# installing user's. Either is accepted here.
shortcut="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/HRM Users.lnk"
user_shortcut="$WINEPREFIX/drive_c/users/$(whoami)/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/HRM Users.lnk"
appdata_register="$WINEPREFIX/drive_c/users/$(whoami)/AppData/Roaming/HRM Users/hrm-users/data/demo-register.db"

# "An older version": the same program in an MSI that says 0.0.1.
older="$work/hrm-users-0.0.1.msi"
MSI_VERSION=0.0.1 MSI_OUT="$older" "$root/packaging/build.sh" msi >/dev/null

echo "== silent per-machine install of the older version, with presets"
wine msiexec /i "$older" /qn PUBLIC_BASE_URL=https://hrm.company.se SMTP_HOST=smtp.company.se
wineserver -w
[ -f "$program/hrm-users.exe" ] || fail "hrm-users.exe not installed"
[ -f "$program/hrm-users-cli.exe" ] || fail "hrm-users-cli.exe not installed"
[ -f "$shortcut" ] || [ -f "$user_shortcut" ] || fail "no Start-menu shortcut"
wine reg query 'HKLM\Software\HRM Users\Presets' /v public_base_url 2>/dev/null \
    | grep -q "https://hrm.company.se" || fail "the property was not kept"

echo "== the properties are settings fixed on this machine"
cli="$program/hrm-users-cli.exe"
wine "$cli" --db 'C:\scratch.db' config get public_base_url >"$work/url.txt" 2>/dev/null
grep -q "https://hrm.company.se" "$work/url.txt" || { cat "$work/url.txt" >&2; fail "public_base_url not preset"; }
set +e
wine "$cli" --db 'C:\scratch.db' config set smtp_host other.example.org >/dev/null 2>"$work/locked.txt"
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$work/locked.txt" >&2; fail "a preset setting was changed (exit $code)"; }
wine "$cli" --db 'C:\scratch.db' config get sender_address >"$work/sender.txt" 2>/dev/null
grep -q "no-reply@hrm.example.com" "$work/sender.txt" || fail "an empty property became a setting"

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
import -window root "$shots/msi-installed.png"
echo "screenshot: $shots/msi-installed.png"
kill "$gui" 2>/dev/null || true
wineserver -k || true

echo "== this version over it (the UpgradeCode replaces the older one)"
before="$(md5sum "$appdata_register" | cut -d' ' -f1)"
wine msiexec /i "$msi" /qn PUBLIC_BASE_URL=https://hrm.company.se
wineserver -w
[ -f "$program/hrm-users.exe" ] || fail "hrm-users.exe missing after the upgrade"
products="$(wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null | grep -c 'DisplayName.*HRM Users' || true)"
[ "$products" -eq 1 ] || fail "$products HRM Users entries in Apps & features, not 1"
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null \
    | grep -q "DisplayVersion.*$version" || fail "Apps & features does not show $version"
[ "$(md5sum "$appdata_register" | cut -d' ' -f1)" = "$before" ] || fail "the register changed on upgrade"

echo "== silent uninstall"
wine msiexec /x "$msi" /qn
wineserver -w
for _ in $(seq 1 30); do [ -f "$program/hrm-users.exe" ] || break; sleep 1; done
[ ! -f "$program/hrm-users.exe" ] || { ls -la "$program" >&2; fail "files left in Program Files"; }
[ ! -f "$shortcut" ] && [ ! -f "$user_shortcut" ] || fail "Start-menu shortcut left"
if wine reg query 'HKLM\Software\HRM Users\Presets' /v public_base_url >/dev/null 2>&1; then
    fail "the presets were left in the registry"
fi
[ -f "$appdata_register" ] || fail "the user's register was removed"
echo "PASS: the MSI installs per machine with presets, starts, upgrades, uninstalls cleanly (the register stays)"
