#!/bin/bash
#  bench_watch - what an idle `mutsync sync --watch` costs: bytes on the
#  wire for the mutual (a metered 2G link), CPU for its union.
#
#  A union with CHILDREN certified mutuals (ms-children --cards) runs
#  mutsyncd; WATCHERS real mutuals watch it, nothing written anywhere.
#    wire   one watcher checks every WATCH_INTERVAL seconds (default 10, to
#           see many checks quickly) through zmtp_count.py for IDLE seconds:
#           the bytes of the connection's handshake, of the checks (each
#           an idle sync), and between them; then a day at the default
#           interval (300 s): one handshake plus 288 checks.
#    union  WATCHERS watchers check every 2 s for IDLE seconds; the
#           union's CPU (all threads, /proc/PID/task/*/schedstat) over the
#           checks the watchers logged gives its CPU per check, and so a day of
#           1,000 watchers at the default interval.
#  Goals (issue 11): at most 50 KB a day per mutual on the wire, at most
#  100 s a day of union CPU for 1,000 watchers.
#
#    tests/bench/bench_watch.sh [BUILD_DIR]
#        (CHILDREN=1000, WATCHERS=20, IDLE=120, WATCH_INTERVAL=10)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
children=${CHILDREN:-1000}
watchers=${WATCHERS:-20}
idle=${IDLE:-120}
interval=${WATCH_INTERVAL:-10}
default_interval=300
mutsync=$build/client/mutsync
mutsyncd=$build/server/mutsyncd
certify=$build/tests/ms-children
relay="python3 $root/tests/bench/zmtp_count.py"
. "$root/tests/bench/bench_lib.sh"
bench_work watch
#  CPU seconds all of PID's threads have run so far (nanosecond counts).
cpu_of() { cat /proc/"$1"/task/*/schedstat | awk '{ ns += $1 } END { printf "%.4f", ns / 1e9 }'; }
#  Idle checks the watchers logged so far, in the files named.
idle_checks() { cat "$@" | grep -c "idle, heads already equal" || true; }

U=$work/U
uport=$(port) rport=$(port)
"$mutsync" -d "$U" init --org ML-UTM --role union --country ML --name UTM >/dev/null
"$certify" -d "$U" --count "$children" --cards >/dev/null
ukey=$(key_of "$U")
for ((i = 1; i <= watchers; i++)); do
    org=$(printf 'ML-UTM-W%03d' "$i")
    "$mutsync" -d "$work/m$i" init --org "$org" --role mutual --country ML --name "Watch $i" \
        --parent ML-UTM --parent-key "$ukey" --parent-endpoint "tcp://127.0.0.1:$uport" >/dev/null
    "$mutsync" -d "$U" child add --org "$org" --role mutual --country ML --name "Watch $i" \
        --key "$(key_of "$work/m$i")" >/dev/null
done
"$mutsyncd" -d "$U" --listen "tcp://127.0.0.1:$uport" 2>"$work/U.err" &
pids+=($!)
upid=$!
sleep 1
#  First syncs out of the way: what follows is idle.
for ((i = 1; i <= watchers; i++)); do
    "$mutsync" -d "$work/m$i" sync --timeout 30 >/dev/null
done

#  wire: one watcher through the counting relay
$relay "$rport" "$uport" "$work/bytes" &
pids+=($!)
sleep 0.5
"$mutsync" -d "$work/m1" sync --watch --interval "$interval" \
    --endpoint "tcp://127.0.0.1:$rport" >/dev/null 2>"$work/w1.err" &
watch=$!
sleep "$idle"
kill -TERM "$watch"
wait "$watch" || true
for ((i = 0; i < 50; i++)); do
    [ -s "$work/bytes" ] && break
    sleep 0.1
done
checks=$(idle_checks "$work/w1.err")
awk -v idle="$idle" -v interval="$interval" -v checks="$checks" -v di="$default_interval" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2] } }
    END {
        total = v["up"] + v["down"]; hs = v["handshake"]; msg = total - hs
        per_check = checks ? msg / checks : 0
        day = hs + per_check * 86400 / di
        printf "bench_watch setup=wire idle_s=%d interval_s=%s checks=%d bytes_up=%d bytes_down=%d" \
            " handshake_bytes=%d bytes_per_check=%.0f bytes_per_day_at_%ds=%.0f\n",
            idle, interval, checks, v["up"], v["down"], hs, per_check, di, day
    }' "$work/bytes"

#  union: WATCHERS watchers checking every 2 s
for ((i = 1; i <= watchers; i++)); do
    "$mutsync" -d "$work/m$i" sync --watch --interval 2 >/dev/null 2>"$work/u$i.err" &
    pids+=($!)
done
sleep 3
before=$(cpu_of "$upid")
first=$(idle_checks "$work"/u*.err)
sleep "$idle"
after=$(cpu_of "$upid")
last=$(idle_checks "$work"/u*.err)
awk -v before="$before" -v after="$after" -v checks=$((last - first)) \
    -v watchers="$watchers" -v idle="$idle" -v children="$children" -v di="$default_interval" '
    BEGIN {
        cpu = after - before; per = checks ? cpu / checks : 0
        printf "bench_watch setup=union children=%d watchers=%d idle_s=%d checks=%d" \
            " union_cpu_s=%.3f union_ms_per_check=%.3f union_cpu_s_per_day_1000_watchers_at_%ds=%.1f\n",
            children, watchers, idle, checks, cpu, per * 1000, di, per * 1000 * 86400 / di
    }'
