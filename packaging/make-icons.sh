#!/bin/sh
# Renders assets/icon/hrm-users.svg to every size the packages use:
# PNGs (hicolor sizes, the window icon), hrm-users.ico (Windows, embedded in
# the .exe and used by the installer) and hrm-users.icns (macOS bundle).
# The outputs are committed; run this again after changing the SVG.
# Needs: rsvg-convert (librsvg2-bin), convert (imagemagick), png2icns (icnsutils).
set -eu
cd "$(dirname "$0")/../assets/icon"
for size in 16 24 32 48 64 128 256 512; do
    rsvg-convert -w "$size" -h "$size" hrm-users.svg -o "hrm-users-$size.png"
done
convert hrm-users-16.png hrm-users-24.png hrm-users-32.png hrm-users-48.png \
    hrm-users-64.png hrm-users-128.png hrm-users-256.png hrm-users.ico
png2icns hrm-users.icns hrm-users-16.png hrm-users-32.png hrm-users-48.png \
    hrm-users-128.png hrm-users-256.png hrm-users-512.png >/dev/null
echo "icons written to $(pwd)"
