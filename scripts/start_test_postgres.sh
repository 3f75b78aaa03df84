#!/bin/sh
# A throwaway PostgreSQL server for the tests, on 127.0.0.1 only.
#
#   sh scripts/start_test_postgres.sh [start]   # install if missing, init, start, create the DB
#   sh scripts/start_test_postgres.sh stop      # stop the server (the cluster is kept)
#   sh scripts/start_test_postgres.sh purge     # stop it and delete the cluster
#
# `start` is idempotent and prints one line on stdout, for `eval`:
#   export RECOMMENDER_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/DB
# Everything else goes to stderr. Debian's `postgresql` package is installed with apt-get
# only when no server binaries are found. As root the server runs as the `postgres` user
# (PostgreSQL refuses to run as root); as anyone else, as that user. Authentication is
# `trust`, which is acceptable because the server listens on 127.0.0.1 and a socket in
# its own directory only, holds nothing but test data and has fsync off.
#
# Settings (environment): RECOMMENDER_TEST_PG_DIR (default /tmp/recommender-test-pg),
# RECOMMENDER_TEST_PG_PORT (default 55432), RECOMMENDER_TEST_PG_DB (default recommender_test).
set -eu

DIR="${RECOMMENDER_TEST_PG_DIR:-/tmp/recommender-test-pg}"
PORT="${RECOMMENDER_TEST_PG_PORT:-55432}"
DB="${RECOMMENDER_TEST_PG_DB:-recommender_test}"
SUPERUSER="postgres"
DATA="$DIR/data"
ACTION="${1:-start}"

say() { echo "start_test_postgres: $*" >&2; }

server_bin() {  # the newest installed server's bin directory, or nothing
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 0
}

install_server() {
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    say "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        postgresql >&2
}

as_owner() {  # run a command as the cluster's owner
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

BIN="$(server_bin)"
if [ -z "$BIN" ]; then
    [ "$ACTION" = start ] || { say "no PostgreSQL server installed"; exit 0; }
    install_server
    BIN="$(server_bin)"
    [ -n "$BIN" ] || { say "the postgresql package installed no server"; exit 1; }
fi

running() { as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

case "$ACTION" in
    stop|purge)
        if [ -f "$DATA/PG_VERSION" ] && running; then
            as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
        fi
        if [ "$ACTION" = purge ]; then
            rm -rf "$DIR"
        fi
        exit 0
        ;;
    start) ;;
    *) say "usage: $0 [start|stop|purge]"; exit 2 ;;
esac

mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$DIR"
fi
chmod 700 "$DIR"

# Several `make test` at once: one initialises and starts, the others wait for it.
exec 9>>"$DIR/.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
    say "initialising a cluster in $DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U "$SUPERUSER" -A trust -E UTF8 --locale=C \
        --no-sync >"$DIR/initdb.log" 2>&1 9>&- || { cat "$DIR/initdb.log" >&2; exit 1; }
fi

if ! running; then
    say "starting on 127.0.0.1:$PORT"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2 9>&- || { tail -n 20 "$DIR/server.log" >&2; exit 1; }
fi

psql_() { as_owner "$BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres "$@"; }
if [ "$(psql_ -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    psql_ -c "CREATE DATABASE \"$DB\"" >&2
fi

echo "export RECOMMENDER_TEST_POSTGRES_URL=postgresql+psycopg://$SUPERUSER@127.0.0.1:$PORT/$DB"
