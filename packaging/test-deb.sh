#!/bin/sh
# Installs the .deb with apt-get, starts the program on Xvfb and takes a
# screenshot, purges the package and checks nothing of it is left but the
# user's data. Needs root (apt-get), xvfb, imagemagick and xdotool.
#   packaging/test-deb.sh [dist/hrm-users_….deb]
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
deb="${1:-$(ls "$root"/dist/hrm-users_"$version"*_amd64.deb | head -n 1)}"
shots="$root/dist/screenshots"
mkdir -p "$shots"
work="$(mktemp -d)"
export DISPLAY=:96
Xvfb :96 -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
cleanup() { kill "$xvfb" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== apt-get install $deb"
apt-get install -y "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "install"; }
for file in /usr/bin/hrm-users /usr/share/applications/hrm-users.desktop \
    /usr/share/metainfo/com.hrmusers.HrmUsers.metainfo.xml \
    /usr/share/icons/hicolor/48x48/apps/hrm-users.png \
    /usr/share/icons/hicolor/scalable/apps/hrm-users.svg; do
    [ -f "$file" ] || fail "$file not installed"
done
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate /usr/share/applications/hrm-users.desktop || fail "desktop entry"
fi
hrm-users --version | grep -q "hrm-users $version" || fail "--version"

echo "== the installed program starts"
home="$work/home"
mkdir -p "$home"
HOME="$home" XDG_DATA_HOME="$home/data" hrm-users >"$work/gui.log" 2>&1 &
gui=$!
started=""
for _ in $(seq 1 40); do
    if xdotool search --name "^HRM Users" >/dev/null 2>&1; then started=yes; break; fi
    sleep 1
done
[ -n "$started" ] || { cat "$work/gui.log" >&2; fail "no window"; }
sleep 3
import -window root "$shots/deb-installed.png"
echo "screenshot: $shots/deb-installed.png"
kill "$gui"
wait "$gui" 2>/dev/null || true
[ -f "$home/data/hrm-users/register.db" ] || fail "no register was made"

echo "== apt-get purge"
apt-get purge -y hrm-users >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "purge"; }
if dpkg -s hrm-users >/dev/null 2>&1; then fail "still installed"; fi
for file in /usr/bin/hrm-users /usr/share/applications/hrm-users.desktop \
    /usr/share/icons/hicolor/48x48/apps/hrm-users.png /usr/share/doc/hrm-users; do
    [ ! -e "$file" ] || fail "$file left behind"
done
[ -f "$home/data/hrm-users/register.db" ] || fail "the user's register was removed"
echo "PASS: .deb installs, starts, purges cleanly (the register stays)"
