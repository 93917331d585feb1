#!/usr/bin/env bash
# The benchmark suite: raw loopback UDP limit, server ingest into registered meters (billing and
# alerts run for them) with single readings, with 10 % loss + 10 % duplicates + 10 % reordering,
# batches and legacy datagrams; HTTP against a bare Netty hello-world; the same ingest and read
# routes on the PostgreSQL store (a throwaway cluster on this machine, if PostgreSQL is installed);
# the codec's JMH figures. Prints one table. Bounded: about 14 minutes with the defaults. Knobs:
# INGEST_SECONDS (60), INGEST_RATE (200000), FAULT_PAIRS (3), PAIR_SECONDS (30).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
INGEST_SECONDS="${INGEST_SECONDS:-60}"
INGEST_RATE="${INGEST_RATE:-200000}"
FAULT_PAIRS="${FAULT_PAIRS:-3}"
PAIR_SECONDS="${PAIR_SECONDS:-30}"
UDP=18950 HTTP=15950 HELLO=15951
TOKEN=bench-admin-token-0123456789
WORK=$(mktemp -d /tmp/gridmeter-bench.XXXXXX)
BENCH="$ROOT/bench/target/benchmarks.jar"
SERVER="$ROOT/server/target/gridmeter-server.jar"
results=()

say() { echo "bench: $*" >&2; }
cleanup() {
    [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null || true
    [[ -n "${hello_pid:-}" ]] && kill "$hello_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    [[ -n "${GRIDMETER_TEST_POSTGRES_DIR:-}" ]] && "$ROOT/.ci/postgres.sh" stop || true
}
trap cleanup EXIT

if [[ ! -f "$BENCH" || ! -f "$SERVER" ]]; then
    say "building the jars (mvn -B -DskipTests package)..."
    mvn -B -q -DskipTests package >/dev/null
fi
if ! command -v wrk >/dev/null; then
    say "installing wrk (Debian package)..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

start_server() { # extra arguments go to the server (--store ...)
    rm -rf "$WORK/data"
    java -jar "$SERVER" --bind 127.0.0.1 --udp-port "$UDP" --http-port "$HTTP" --data-dir "$WORK/data" \
        --admin-token "$TOKEN" --http-rate 100000000 "$@" >"$WORK/server.log" 2>&1 &  # wrk is one client: measure the server, not --http-rate
    server_pid=$!
    until grep -q "GridMeter server:" "$WORK/server.log"; do sleep 0.1; done
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }
load() {
    java -cp "$BENCH" org.gridmeter.bench.LoadGenerator --port "$UDP" --http "$HTTP" --register --token "$TOKEN" \
        --raw-limit "$limit" "$@" | tail -n 1
}
stored_per_s() { sed -E 's/.*stored [0-9,]+ readings = ([0-9,]+)\/s.*/\1/' <<<"$1" | tr -d ,; }

say "1/7 raw loopback limit: a bare receiver, one Java sender thread, 10 s"
raw=$(java -cp "$BENCH" org.gridmeter.bench.LoadGenerator --raw --rate 1000000 --seconds 10 | tail -n 1)
limit=$(sed -E 's/.*limit ([0-9]+) datagrams\/s received.*/\1/' <<<"$raw")
results+=("$raw")

say "2/7 ingest: ${INGEST_RATE}/s single-reading v1 datagrams, 10,000 registered meters, ${INGEST_SECONDS} s"
start_server
clean=$(load --rate "$INGEST_RATE" --seconds "$INGEST_SECONDS" --meters 10000)
results+=("$clean")
stop_server

say "3/7 ingest: 10 % loss + 10 % duplicates + 10 % reordering (late readings) against clean runs," \
    "${FAULT_PAIRS} alternating pairs of ${PAIR_SECONDS} s (single runs here vary by ±15 %)"
ratios=()
shares=()
for pair in $(seq 1 "$FAULT_PAIRS"); do
    start_server
    c=$(load --rate "$INGEST_RATE" --seconds "$PAIR_SECONDS" --meters 10000)
    stop_server
    start_server
    f=$(load --rate "$INGEST_RATE" --seconds "$PAIR_SECONDS" --meters 10000 --loss 0.1 --duplicate 0.1 --reorder 0.1)
    stop_server
    results+=("pair $pair clean:  $c" "pair $pair faults: $f")
    ratios+=("$(awk -v f="$(stored_per_s "$f")" -v c="$(stored_per_s "$c")" 'BEGIN {printf "%.2f", f / c}')")
    shares+=("$(sed -E 's/.* ([0-9.]+) % not checkpoints.*/\1/' <<<"$f")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
results+=("faults/clean stored readings/s per pair: ${ratios[*]}; median $(median "${ratios[@]}");" \
    "commits not checkpoints under faults: ${shares[*]} %")

say "4/7 ingest: batches of 50 readings at 10,000 datagrams/s (500,000 readings/s), 10,000 meters, 20 s"
start_server
results+=("$(load --rate 10000 --batch 50 --seconds 20 --meters 10000)")
stop_server

say "5/7 ingest: legacy datagrams at 100,000/s, 10,000 meters, 10 s"
start_server
results+=("$(load --rate 100000 --seconds 10 --meters 10000 --legacy)")

say "6/7 HTTP: wrk -t2 -c50 -d10s against the server and a bare Netty hello-world"
java -cp "$BENCH" org.gridmeter.bench.HelloServer "$HELLO" >"$WORK/hello.log" 2>&1 &
hello_pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$HELLO/"; do sleep 0.1; done
# HTTP is measured on a quiet server: the writer has merged what the ingest run left (at most ~60 s)
for _ in $(seq 1 60); do
    curl -s "http://127.0.0.1:$HTTP/metrics" | grep -q '^gridmeter_store_readings_unmerged 0.0' && break
    sleep 1
done
http_row() {
    local name=$1 url=$2 out
    wrk -t2 -c50 -d3s "$url" >/dev/null # warm-up, the same for every row
    out=$(wrk -t2 -c50 -d10s --latency "$url")
    printf '%-44s %10s req/s  p50 %8s  p99 %8s\n' "$name" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" \
        "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
results+=("$(http_row "bare Netty hello-world" "http://127.0.0.1:$HELLO/")")
results+=("$(http_row "GET /usuario/?id=1" "http://127.0.0.1:$HTTP/usuario/?id=1")")
results+=("$(http_row "GET /usuario/fatura/?id=1" "http://127.0.0.1:$HTTP/usuario/fatura/?id=1")")
results+=("$(http_row "GET /usuario/consumo/intervalo (a day, hora)" \
    "http://127.0.0.1:$HTTP/usuario/consumo/intervalo/?id=1&inicio=$(date +%F)&fim=$(date +%F)")")
stop_server

say "7/7 PostgreSQL store: the same single-reading and batch ingest, then fatura and intervalo"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    eval "$("$ROOT/.ci/postgres.sh" start 2>/dev/null)"
    pg_port=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$GRIDMETER_TEST_POSTGRES")
    psql_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql
    pg_store="postgresql://127.0.0.1:$pg_port/gm_bench?user=postgres"
    fresh_db() {
        "$psql_bin" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres \
            -c "DROP DATABASE IF EXISTS gm_bench" -c "CREATE DATABASE gm_bench" >/dev/null
    }
    # PostgreSQL's own CPU (the postmaster and its backends, the server's connections), in 1/100 s
    pg_ticks() {
        local pids total=0 p
        pids="$GRIDMETER_TEST_POSTGRES_PID $(pgrep -P "$GRIDMETER_TEST_POSTGRES_PID" | tr '\n' ' ')"
        for p in $pids; do
            [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
        done
        echo "$total"
    }
    pg_load() { # the load line, with PostgreSQL's CPU per stored reading after it
        local before after line stored
        before=$(pg_ticks)
        line=$(load "$@")
        after=$(pg_ticks)
        stored=$(sed -E 's/.*stored ([0-9,]+) readings.*/\1/' <<<"$line" | tr -d ,)
        awk -v l="PostgreSQL: $line" -v t="$((after - before))" -v n="$stored" \
            'BEGIN {printf "%s; PostgreSQL CPU %.1f s (%.2f µs per stored reading)\n", l, t / 100, (n > 0 ? t * 1e4 / n : 0)}'
    }
    fresh_db
    start_server --store "$pg_store"
    results+=("$(pg_load --rate "$INGEST_RATE" --seconds "$INGEST_SECONDS" --meters 10000)")
    stop_server
    fresh_db
    start_server --store "$pg_store"
    results+=("$(pg_load --rate 10000 --batch 50 --seconds 20 --meters 10000)")
    for _ in $(seq 1 60); do
        curl -s "http://127.0.0.1:$HTTP/metrics" | grep -q '^gridmeter_store_readings_unmerged 0.0' && break
        sleep 1
    done
    results+=("$(http_row "PostgreSQL: GET /usuario/fatura/?id=1" "http://127.0.0.1:$HTTP/usuario/fatura/?id=1")")
    results+=("$(http_row "PostgreSQL: GET /usuario/consumo/intervalo (a day)" \
        "http://127.0.0.1:$HTTP/usuario/consumo/intervalo/?id=1&inicio=$(date +%F)&fim=$(date +%F)")")
    stop_server
    "$ROOT/.ci/postgres.sh" stop
    unset GRIDMETER_TEST_POSTGRES_DIR
else
    results+=("PostgreSQL rows skipped: PostgreSQL is not installed (apt-get install -y postgresql)")
fi

say "codec (JMH, short run)"
jmh=$(java -jar "$BENCH" CodecBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1 2>/dev/null | grep -E '^CodecBenchmark' || true)

echo
echo "GridMeter benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -n 1)"
printf '%s\n' "${results[@]}"
echo "$jmh"
