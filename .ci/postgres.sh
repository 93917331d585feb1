#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: on 127.0.0.1 at a free port, its socket and data in a
# temporary directory, trusting local connections (nothing else can reach it).
#   eval "$(.ci/postgres.sh start)"   # prints the exports the tests read (GRIDMETER_TEST_POSTGRES, ...)
#   .ci/postgres.sh stop              # stops the cluster started by 'start' (its PID) and deletes it
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bin/initdb" ]] || { echo "postgres.sh: PostgreSQL not found: apt-get install -y postgresql" >&2; exit 1; }

as_owner() { # PostgreSQL refuses to run as root: then it runs as the postgres user
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    dir=$(mktemp -d /tmp/gridmeter-pg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # the tests open a pool per server and run servers side by side: more connections than the default 100
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=400 -c synchronous_commit=on" start >&2 \
        || { tail -n 20 "$dir/log" >&2; exit 1; }
    echo "export GRIDMETER_TEST_POSTGRES='postgresql://127.0.0.1:$port/postgres?user=postgres'"
    echo "export GRIDMETER_TEST_POSTGRES_DIR='$dir'"
    echo "export GRIDMETER_TEST_POSTGRES_PID='$(head -n 1 "$dir/data/postmaster.pid")'"
    ;;
stop)
    dir=${GRIDMETER_TEST_POSTGRES_DIR:?"postgres.sh: GRIDMETER_TEST_POSTGRES_DIR is not set: nothing to stop"}
    pid=${GRIDMETER_TEST_POSTGRES_PID:-}
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid" # PostgreSQL's "fast" shutdown
        for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
