#!/usr/bin/env bash
# Cluster figures for docs/scaling.md: readings/s of one cluster node, and of two nodes sharing the
# same PostgreSQL and the same 2 cores, all datagrams sent to node a (so half of them are forwarded
# to node b: the cost of forwarding). 10,000 registered meters, single-reading v1 datagrams, a
# throwaway PostgreSQL cluster on this machine (.ci/postgres.sh). Bounded: about 3 minutes.
# Knobs: RATE (100000 datagrams/s offered), SECONDS_EACH (20).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RATE="${RATE:-100000}"
SECONDS_EACH="${SECONDS_EACH:-20}"
TOKEN=bench-admin-token-0123456789
WORK=$(mktemp -d /tmp/gridmeter-cluster-bench.XXXXXX)
BENCH="$ROOT/bench/target/benchmarks.jar"
SERVER="$ROOT/server/target/gridmeter-server.jar"
pids=()
say() { echo "cluster-bench: $*" >&2; }
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -n "${GRIDMETER_TEST_POSTGRES_DIR:-}" ]] && "$ROOT/.ci/postgres.sh" stop || true
}
trap cleanup EXIT
[[ -f "$BENCH" && -f "$SERVER" ]] || { say "building the jars..."; mvn -B -q -DskipTests package >/dev/null; }
command -v pg_ctlcluster >/dev/null || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
    || { say "PostgreSQL is not installed: apt-get install -y postgresql"; exit 1; }
eval "$("$ROOT/.ci/postgres.sh" start)"
pg="${GRIDMETER_TEST_POSTGRES#postgresql://}"; pg_host="${pg%%:*}"; pg="${pg#*:}"; pg_port="${pg%%/*}"

fresh_db() { # a database of its own per scenario
    su postgres -c "psql -q -h $pg_host -p $pg_port -c 'DROP DATABASE IF EXISTS $1' -c 'CREATE DATABASE $1'" >/dev/null 2>&1
    echo "postgresql://$pg_host:$pg_port/$1?user=postgres"
}
node() { # name store udp http
    java -jar "$SERVER" --node-id "$1" --store "$2" --bind 127.0.0.1 --udp-port "$3" --http-port "$4" \
        --data-dir "$WORK/$1" --admin-token "$TOKEN" --http-rate 100000000 >"$WORK/$1.log" 2>&1 &
    pids+=($!)
    until grep -q "GridMeter server:" "$WORK/$1.log"; do sleep 0.1; done
}
spread() { # http-port nodes: wait until the nodes hold 64/nodes partitions each
    until curl -s "localhost:$1/cluster" | python3 -c "
import json,sys; c=json.load(sys.stdin); n=[x for x in c['nos'] if x['vivo'] and x['particoes']]
sys.exit(0 if len(n)==$2 and all(len(x['particoes'])==64//$2 for x in n) else 1)"; do sleep 0.5; done
}
stored() { curl -s "localhost:$1/metrics" | awk '/^gridmeter_readings_stored_total/ {printf "%d", $2}'; }
load() { java -cp "$BENCH" org.gridmeter.bench.LoadGenerator --port "$1" --http "$2" --register --token "$TOKEN" \
    --rate "$RATE" --seconds "$SECONDS_EACH" --meters 10000 | tail -n 1; }
stop_nodes() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

say "1/2 one cluster node (node a, all 64 partitions), ${RATE}/s for ${SECONDS_EACH} s"
store=$(fresh_db bench_one)
node a "$store" 18960 15960
spread 15960 1
one=$(load 18960 15960)
echo "one node: $one"
stop_nodes

say "2/2 two nodes (a and b, 32 partitions each) on the same 2 cores, everything sent to a"
store=$(fresh_db bench_two)
node a "$store" 18960 15960
node b "$store" 18961 15961
spread 15960 2
b_before=$(stored 15961)
two=$(load 18960 15960)
sleep 3
b_after=$(stored 15961)
forwarded=$(curl -s localhost:15960/metrics | awk '/^gridmeter_cluster_datagrams_forwarded_total/ {printf "%d", $2}')
a_stored=$(sed -E 's/.*stored ([0-9,]+) readings.*/\1/' <<<"$two" | tr -d ,)
secs=$(sed -E 's/.* in ([0-9.]+) s = .*/\1/' <<<"$two")
echo "two nodes: node a (received everything): $two"
echo "two nodes: node b stored $((b_after - b_before)) readings forwarded by a ($forwarded datagrams forwarded);" \
    "both: $(( (a_stored + b_after - b_before) )) readings = $(python3 -c "print(f'{($a_stored + $b_after - $b_before) / $secs:,.0f}')")/s"
date -u +"measured %Y-%m-%d %H:%M UTC"
