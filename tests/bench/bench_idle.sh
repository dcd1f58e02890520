#!/bin/bash
#  bench_idle - the CPU an idle daemon burns, extrapolated to a day.
#
#  A union with CHILDREN certified mutuals and their public feeds (made by
#  ms-children --cards, through the accept rules) runs mutsyncd and nobody
#  talks to it for IDLE seconds; its CPU time over that window (the run
#  time of all its threads, in nanoseconds, from /proc/PID/task/*/schedstat),
#  times 86,400 / IDLE, is what it costs a day doing nothing. Two set-ups:
#    alone   the union with no parent link (as the secretariat runs);
#    linked  the union with its link up to a secretariat's mutsyncd (both
#            measured, once the first sync has relayed the children's
#            cards): it checks every --sync-interval (SYNC_INTERVAL, default
#            the daemon's, 300 s), an idle round trip each time.
#  Goal: under 2 s of CPU a day for an idle node. A check every 300 s and
#  a window of 60 s may hold no check at all: raise IDLE past the interval
#  to count them.
#
#    tests/bench/bench_idle.sh [BUILD_DIR]
#        (CHILDREN=1000, IDLE=60, SYNC_INTERVAL unset; MUTSYNCD overrides the daemon)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
children=${CHILDREN:-1000}
idle=${IDLE:-60}
interval=${SYNC_INTERVAL:-}
mutsync=$build/client/mutsync
mutsyncd=${MUTSYNCD:-$build/server/mutsyncd}
certify=$build/tests/ms-children
. "$root/tests/bench/bench_lib.sh"
bench_work idle
#  CPU seconds all of PID's threads have run so far (nanosecond counts).
cpu_of()
{
    cat /proc/"$1"/task/*/schedstat | awk '{ ns += $1 } END { printf "%.4f", ns / 1e9 }'
}
#  Starts mutsyncd on DIR at ENDPOINT (extra options after), waits until it listens.
start()
{
    local dir=$1 endpoint=$2 i
    shift 2
    "$mutsyncd" -d "$dir" --listen "$endpoint" "$@" 2>>"$work/$(basename "$dir").err" &
    pids+=($!)
    for ((i = 0; i < 100; i++)); do
        ss -ltn 2>/dev/null | grep -q ":${endpoint##*:} " && return 0
        sleep 0.1
    done
    echo "bench_idle: mutsyncd on $dir did not start" >&2
    exit 1
}
per_day() { awk -v c="$1" -v s="$idle" 'BEGIN { printf "%.3f", c * 86400 / s }'; }

sec_endpoint=tcp://127.0.0.1:$(port)
union_endpoint=tcp://127.0.0.1:$(port)
"$mutsync" -d "$work/sec" init --org RS-SEC --role secretariat --country SN --name Sec >/dev/null
"$mutsync" -d "$work/union" init --org ML-UTM --role union --country ML --name UTM \
    --parent RS-SEC --parent-key "$(key_of "$work/sec")" >/dev/null
"$certify" -d "$work/union" --count "$children" --cards >/dev/null
"$mutsync" -d "$work/sec" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$(key_of "$work/union")" >/dev/null

#  alone
start "$work/union" "$union_endpoint"
union=${pids[-1]}
sleep 2
before=$(cpu_of "$union")
sleep "$idle"
used=$(awk -v a="$(cpu_of "$union")" -v b="$before" 'BEGIN { printf "%.4f", a - b }')
echo "bench_idle setup=alone children=$children idle_s=$idle union_cpu_s=$used" \
    "union_cpu_s_per_day=$(per_day "$used")"
kill -TERM "$union"
wait "$union" || true

#  linked: the union checks with a secretariat every SYNC_INTERVAL seconds
"$mutsync" -d "$work/union" config --parent-endpoint "$sec_endpoint" >/dev/null
start "$work/sec" "$sec_endpoint"
sec=${pids[-1]}
start "$work/union" "$union_endpoint" ${interval:+--sync-interval "$interval"}
union=${pids[-1]}
#  The first session relays the children's cards; measure after it.
for ((i = 0; i < 1200; i++)); do
    grep -q "sync: RS-SEC: .*heads equal" "$work/union.err" && break
    sleep 0.1
done
sleep 2
checks_before=$(grep -c "sync: RS-SEC: idle" "$work/union.err" || true)
before=$(cpu_of "$union")
sec_before=$(cpu_of "$sec")
sleep "$idle"
used=$(awk -v a="$(cpu_of "$union")" -v b="$before" 'BEGIN { printf "%.4f", a - b }')
sec_used=$(awk -v a="$(cpu_of "$sec")" -v b="$sec_before" 'BEGIN { printf "%.4f", a - b }')
checks=$(($(grep -c "sync: RS-SEC: idle" "$work/union.err" || true) - checks_before))
echo "bench_idle setup=linked children=$children idle_s=$idle sync_interval_s=${interval:-default}" \
    "checks=$checks" \
    "union_cpu_s=$used union_cpu_s_per_day=$(per_day "$used")" \
    "secretariat_cpu_s=$sec_used secretariat_cpu_s_per_day=$(per_day "$sec_used")"
