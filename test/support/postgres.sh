#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the custody service's test suite and prints the
# line to export, e.g.:
#
#   eval "$(sudo test/support/postgres.sh)"      # or, as root: eval "$(test/support/postgres.sh)"
#   npx vitest run server
#
# Idempotent: if the server recorded in $STATE_DIR is already running, it only prints the line
# again. On a Debian machine without PostgreSQL it installs it (apt-get, as root). PostgreSQL
# refuses to run as root, so initdb and the server run as the `postgres` OS user.
#
# Environment: SCELLE_PG_PORT (default 54329), SCELLE_PG_STATE_DIR (default /tmp/scelle-test-pg),
# SCELLE_PG_DB (default scelle_test). Stop it with: test/support/postgres.sh stop
set -euo pipefail

PORT="${SCELLE_PG_PORT:-54329}"
STATE_DIR="${SCELLE_PG_STATE_DIR:-/tmp/scelle-test-pg}"
DB="${SCELLE_PG_DB:-scelle_test}"
DATA="$STATE_DIR/data"
SOCK="$STATE_DIR/sock"
LOG="$STATE_DIR/postgres.log"
PG_USER=postgres

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local name="$1" dir
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    # runuser keeps no root privileges; fall back to su on systems without it
    if command -v runuser >/dev/null 2>&1; then runuser -u "$PG_USER" -- "$@"; else su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

if [ "${1:-}" = "stop" ]; then
  if PG_CTL="$(find_bin pg_ctl)" && [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$PG_CTL" -D "$DATA" -m fast stop >&2 || true
  fi
  exit 0
fi

if ! find_bin initdb >/dev/null || ! find_bin postgres >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then log "PostgreSQL is not installed and installing it needs root"; exit 1; fi
  log "installing PostgreSQL (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
fi
INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"
POSTGRES="$(find_bin postgres)"

if [ "$(id -u)" -eq 0 ]; then
  id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
else
  PG_USER="$(id -un)"
fi

mkdir -p "$STATE_DIR"
chmod 0755 "$STATE_DIR"
if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER" "$STATE_DIR"; fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  log "initdb in $DATA"
  as_pg mkdir -p "$DATA" "$SOCK"
  as_pg "$INITDB" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
    || as_pg "$INITDB" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --no-locale >&2
fi
as_pg mkdir -p "$SOCK"

is_running() { as_pg "$PG_CTL" -D "$DATA" status >/dev/null 2>&1; }
if ! is_running; then
  log "starting on 127.0.0.1:$PORT (log: $LOG)"
  as_pg "$PG_CTL" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2
  : "$POSTGRES"
fi

PSQL="$(find_bin psql)"
if ! as_pg "$PSQL" -h "$SOCK" -p "$PORT" -U "$PG_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_pg "$PSQL" -h "$SOCK" -p "$PORT" -U "$PG_USER" -d postgres -qc "CREATE DATABASE $DB" >&2
fi

echo "export SCELLE_TEST_DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PORT/$DB"
