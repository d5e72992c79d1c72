#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for the test suite, and the system packages the suite needs.
#
#   scripts/services.sh runtime    install what the application needs (CJK fonts, Pango, HarfBuzz)
#   scripts/services.sh packages   that, and what the tests need (PostgreSQL, Redis, Chromium)
#   scripts/services.sh start      start both on private ports; prints the URLs to export
#   scripts/services.sh stop       stop both and delete their data
set -euo pipefail

PG_PORT=${QQ_TEST_PG_PORT:-54329}
REDIS_PORT=${QQ_TEST_REDIS_PORT:-63799}
# Outside the checkout: the postgres user must be able to reach it wherever the clone lives.
STATE=${QQ_TEST_STATE:-/tmp/qingqian-test-services-$PG_PORT}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_DATA="$STATE/pg"

say() { printf '%s\n' "$*" >&2; }

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        say "缺少系统软件包：$*。请以 root 运行：apt-get install $*"
        exit 1
    fi
    if [ ! -f "$STATE/.apt-updated" ]; then
        mkdir -p "$STATE"
        apt-get update -qq
        touch "$STATE/.apt-updated"
    fi
    say "安装系统软件包：$*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] && dirname "$initdb"
}

# Run a PostgreSQL binary as the postgres user when we are root (initdb refuses root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# What the application itself needs at run time: CJK fonts and Pango/HarfBuzz for the PDFs.
# fonts-hanazono (HanaMinA/B) covers CJK Extensions B–F, the rare characters of some names
# that Noto CJK lacks and would print as empty boxes.
runtime() {
    local missing=() fonts libs
    # Read whole first: with pipefail, `fc-list | grep -q` fails when grep stops reading early.
    fonts=$(fc-list : family 2>/dev/null || true)
    libs=$(ldconfig -p 2>/dev/null || true)
    grep -qi "Noto Serif CJK" <<<"$fonts" || missing+=(fonts-noto-cjk)
    grep -qi "HanaMinB" <<<"$fonts" || missing+=(fonts-hanazono)
    grep -q "libpangoft2-1.0.so" <<<"$libs" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
    grep -q "libharfbuzz-subset.so" <<<"$libs" || missing+=(libharfbuzz-subset0)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            apt_install "${missing[@]}"
        else
            say "提示：缺少 ${missing[*]}，文书 PDF 将无法生成或缺字。请以 root 运行：apt-get install ${missing[*]}"
        fi
    fi
}

packages() {
    runtime
    local missing=()
    [ -n "$(pg_bindir)" ] || missing+=(postgresql)
    command -v redis-server >/dev/null || missing+=(redis-server)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

start() {
    stop >/dev/null 2>&1 || true
    mkdir -p "$STATE"
    local bin
    bin=$(pg_bindir)
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$STATE"
    as_pg "$bin/initdb" -D "$PG_DATA" -U qingqian --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # Durability is pointless for a database that is deleted after the run; speed is not. The
    # planner is set as production's (deploy/postgres/planner.conf), so that the benchmarks
    # measure the plans a county server makes.
    local planner
    planner=$(grep -v '^#' "$ROOT/deploy/postgres/planner.conf" | sed '/^$/d; s/^/-c /' | tr '\n' ' ')
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -o \
        "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 $planner" \
        start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U qingqian qingqian
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
        --dir "$STATE" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
    for _ in $(seq 50); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "DATABASE_URL=postgres://qingqian@127.0.0.1:$PG_PORT/qingqian"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

stop() {
    local bin
    bin=$(pg_bindir || true)
    if [ -n "$bin" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        as_pg "$bin/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null || true
    fi
    if command -v redis-cli >/dev/null; then
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DATA" "$STATE/redis.pid"
}

case "${1:-}" in
    runtime) runtime ;;
    packages) packages ;;
    start) start ;;
    stop) stop ;;
    *) say "usage: $0 runtime|packages|start|stop"; exit 2 ;;
esac
