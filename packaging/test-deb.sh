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

echo "== serve as a service: installed, not enabled, its settings root's alone"
unit=/lib/systemd/system/hrm-users-serve.service
[ -f "$unit" ] || unit=/usr/lib/systemd/system/hrm-users-serve.service
[ -f "$unit" ] || fail "hrm-users-serve.service not installed"
grep -q '^EnvironmentFile=/etc/hrm-users/serve.env' "$unit" || fail "the unit does not read serve.env"
[ ! -e /etc/systemd/system/multi-user.target.wants/hrm-users-serve.service ] || fail "the service was enabled"
[ "$(stat -c '%a %U' /etc/hrm-users/serve.env)" = "600 root" ] || fail "serve.env is not 600 root"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$unit" 2>"$work/verify.log" || { cat "$work/verify.log" >&2; fail "systemd-analyze verify"; }
fi
# What the unit runs, as it runs it, with the settings file read as systemd
# reads it. No database server runs here: the shipped URL is refused with a
# clear message (systemd restarts the service until the server is up), and
# with a register file in its place serve answers /health.
(
    set -a
    . /etc/hrm-users/serve.env
    set +a
    if XDG_DATA_HOME="$work/state" timeout 20 /usr/bin/hrm-users serve --bind 127.0.0.1:18479 >"$work/refused.log" 2>&1; then
        fail "serve started without its database"
    fi
    grep -q "Cannot reach the shared register at postgres://hrm_serve@localhost/hrm" "$work/refused.log" \
        || { cat "$work/refused.log" >&2; fail "no clear message for an unreachable database"; }
    HRM_USERS_DB="$work/register.db"
    HRM_USERS_BIND=127.0.0.1:18480
    XDG_DATA_HOME="$work/state" /usr/bin/hrm-users serve --bind "$HRM_USERS_BIND" >"$work/serve.log" 2>&1 &
    echo $! >"$work/serve.pid"
)
health=""
for _ in $(seq 1 40); do
    health="$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18480/health || true)"
    [ "$health" = "000" ] || break
    sleep 0.5
done
kill "$(cat "$work/serve.pid")" 2>/dev/null || true
[ "$health" = "200" ] || { cat "$work/serve.log" >&2; fail "serve as the unit runs it did not answer /health ($health)"; }
echo "serve as the unit runs it answers /health"

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
[ -f "$home/data/hrm-users/demo-register.db" ] || fail "no demo register was made"
[ ! -e "$home/data/hrm-users/register.db" ] || fail "the demo went into the real register"

echo "== apt-get purge"
apt-get purge -y hrm-users >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "purge"; }
if dpkg -s hrm-users >/dev/null 2>&1; then fail "still installed"; fi
for file in /usr/bin/hrm-users /usr/share/applications/hrm-users.desktop \
    /usr/share/icons/hicolor/48x48/apps/hrm-users.png /usr/share/doc/hrm-users; do
    [ ! -e "$file" ] || fail "$file left behind"
done
[ -f "$home/data/hrm-users/demo-register.db" ] || fail "the user's register was removed"
[ ! -e /etc/hrm-users/serve.env ] || fail "purge left /etc/hrm-users/serve.env"
echo "PASS: .deb installs, starts, purges cleanly (the register stays)"
