#!/usr/bin/env bash
# Make sure what `make ci` needs is here and running: a PostgreSQL server, a Redis server (the
# shared cache's tests), Debian's Dovecot (the IMAP tests start their own server with it) and
# Debian's Chromium. On the CI machine they normally exist already; on a
# fresh Debian machine this installs and starts them.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "ensure_services: installing PostgreSQL"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 && ! pg_isready -q; then
  echo "ensure_services: starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
pg_isready

if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure_services: installing Redis"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "ensure_services: starting Redis"
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping

if [ ! -x /usr/sbin/dovecot ]; then
  echo "ensure_services: installing Dovecot (IMAP) from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
fi
# Only the package is needed: the tests run Dovecot with a configuration of their own on
# loopback; a system-wide Dovecot the package may have started is left alone.
/usr/sbin/dovecot --version

if [ ! -x /usr/bin/chromium ]; then
  echo "ensure_services: installing Chromium from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version
