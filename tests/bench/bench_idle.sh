#!/bin/bash
#  bench_idle - the CPU an idle daemon burns, extrapolated to a day.
#
#  A union with CHILDREN certified mutuals and their public feeds (made by
#  ms-children --cards, through the accept rules) runs mutsyncd and nobody
#  talks to it for IDLE seconds; its CPU
#  time (utime + stime from /proc/PID/stat) over that window, times
#  86,400 / IDLE, is what it costs a day doing nothing. Two set-ups:
#    alone   the union with no parent link (as the secretariat runs);
#    linked  the union with its link up to a secretariat's mutsyncd (both
#            measured): it syncs every --sync-interval (SYNC_INTERVAL,
#            default 10 s), an idle round trip each time.
#  Goal: under 2 s of CPU a day for an idle node. /proc counts in ticks of
#  10 ms: over 60 s one tick is 14.4 s a day, so raise IDLE for finer figures.
#
#    tests/bench/bench_idle.sh [BUILD_DIR]
#        (CHILDREN=1000, IDLE=60, SYNC_INTERVAL=10; MUTSYNCD overrides the daemon)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
children=${CHILDREN:-1000}
idle=${IDLE:-60}
interval=${SYNC_INTERVAL:-10}
mutsync=$build/client/mutsync
mutsyncd=${MUTSYNCD:-$build/server/mutsyncd}
certify=$build/tests/ms-children
. "$root/tests/bench/bench_lib.sh"
bench_work idle
#  CPU seconds (user + system) PID has used so far.
cpu_of()
{
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"
}
#  Starts mutsyncd on DIR at ENDPOINT (extra options after), waits until it listens.
start()
{
    local dir=$1 endpoint=$2 i
    shift 2
    "$mutsyncd" -d "$dir" --listen "$endpoint" -q "$@" 2>>"$work/daemons.err" &
    pids+=($!)
    for ((i = 0; i < 100; i++)); do
        ss -ltn 2>/dev/null | grep -q ":${endpoint##*:} " && return 0
        sleep 0.1
    done
    echo "bench_idle: mutsyncd on $dir did not start" >&2
    exit 1
}
per_day() { awk -v c="$1" -v s="$idle" 'BEGIN { printf "%.2f", c * 86400 / s }'; }

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
used=$(awk -v a="$(cpu_of "$union")" -v b="$before" 'BEGIN { printf "%.3f", a - b }')
echo "bench_idle setup=alone children=$children idle_s=$idle union_cpu_s=$used" \
    "union_cpu_s_per_day=$(per_day "$used")"
kill -TERM "$union"
wait "$union" || true

#  linked: the union syncs with a secretariat every SYNC_INTERVAL seconds
"$mutsync" -d "$work/union" config --parent-endpoint "$sec_endpoint" >/dev/null
start "$work/sec" "$sec_endpoint"
sec=${pids[-1]}
start "$work/union" "$union_endpoint" --sync-interval "$interval"
union=${pids[-1]}
sleep 5
before=$(cpu_of "$union")
sec_before=$(cpu_of "$sec")
sleep "$idle"
used=$(awk -v a="$(cpu_of "$union")" -v b="$before" 'BEGIN { printf "%.3f", a - b }')
sec_used=$(awk -v a="$(cpu_of "$sec")" -v b="$sec_before" 'BEGIN { printf "%.3f", a - b }')
echo "bench_idle setup=linked children=$children idle_s=$idle sync_interval_s=$interval" \
    "union_cpu_s=$used union_cpu_s_per_day=$(per_day "$used")" \
    "secretariat_cpu_s=$sec_used secretariat_cpu_s_per_day=$(per_day "$sec_used")"
