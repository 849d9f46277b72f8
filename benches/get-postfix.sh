#!/usr/bin/env bash
# Unpacks Debian's postfix package into target/postfix for the bulk-send
# benchmark: it needs only smtp-sink and smtp-source, not a mail server.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/postfix
cd target/postfix
if [ ! -x root/usr/sbin/smtp-sink ]; then
  apt-get download postfix
  dpkg -x postfix_*.deb root
fi
echo "postfix tools in $(pwd)/root"
