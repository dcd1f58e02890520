#!/bin/bash
#  bench_sync - a mutual's member register synced to its union over
#  CurveZMQ on loopback, through a relay that counts the bytes on the wire.
#
#  For each size: records per second of a full one-shot sync (wall clock of
#  `mutsync sync`, process start and CurveZMQ handshake included), bytes on
#  the wire per record (everything both ways), peak memory of both processes
#  (VmHWM, which counts the LMDB map pages a process touched, and the peak
#  of its anonymous memory, sampled every 50 ms); then a sync cut at 50 %
#  (the union killed with SIGKILL and restarted): acknowledged change sets
#  re-sent and bytes sent twice; then an idle sync: its bytes, with the
#  CurveZMQ handshake counted apart. Never fails on time.
#
#    tests/bench/bench_sync.sh [BUILD_DIR] [SIZES...]   (default: build 10000 100000 1000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
sizes=${*:-10000 100000 1000000}
mutsync=$build/client/mutsync
mutsyncd=$build/server/mutsyncd
gendata=$build/tests/ms-gendata
#  MS_BENCH_GENERATOR names another generator of member registers, called as
#  "$MS_BENCH_GENERATOR members --mutual ID --n N --seed S" (rows the project
#  did not write itself); without it, ms-gendata writes them. MS_BENCH_CACHE
#  names a directory where generated registers are kept between runs.
generator=${MS_BENCH_GENERATOR:-}
members_csv()
{
    local cached
    cached=${MS_BENCH_CACHE:-}/members-$(basename "${generator:-ms-gendata}")-$1-$2.csv
    if [ -n "${MS_BENCH_CACHE:-}" ] && [ -s "$cached" ]; then
        cat "$cached"
        return
    fi
    if [ -n "$generator" ] && [ -x "$generator" ]; then
        "$generator" members --mutual "$1" --n "$2" --seed 1
    else
        "$gendata" members --mutual "$1" --n "$2" --seed 1
    fi | if [ -n "${MS_BENCH_CACHE:-}" ]; then tee "$cached"; else cat; fi
}
if [ -n "$generator" ] && [ -x "$generator" ]; then
    echo "bench_sync data=$(basename "$generator")"
else
    echo "bench_sync data=ms-gendata"
fi
echo "bench_sync load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" cores=$(nproc)"
relay="python3 $root/tests/bench/zmtp_count.py"
. "$root/tests/bench/bench_lib.sh"
bench_work sync
seq_of()
{
    local seq
    seq=$("$mutsync" -d "$1" feed list --format json 2>/dev/null |
        grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | sed 's/.*://') || true
    echo "${seq:-0}"
}
wait_port() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
#  conns FILE: the relay's lines for real sessions (port probes have no handshake).
conns() { awk '{ split($4, h, "="); if (h[2] >= 128) print }' "$1"; }

#  sample PID OUT: writes "vmhwm_kb anon_peak_kb" to OUT when PID exits or OUT.stop appears.
sample()
{
    local pid=$1 out=$2 hwm=0 anon=0 h a
    while kill -0 "$pid" 2>/dev/null && [ ! -e "$out.stop" ]; do
        h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        a=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${h:-0}" -gt "$hwm" ] && hwm=$h
        [ "${a:-0}" -gt "$anon" ] && anon=$a
        sleep 0.05
    done
    echo "$hwm $anon" >"$out"
}

start_union()
{
    "$mutsyncd" -d "$work/U" --listen "tcp://127.0.0.1:$uport" -q 2>>"$work/union.log" &
    upid=$!
    pids+=("$upid")
    wait_port "$uport"
}

for n in $sizes; do
    rm -rf "$work/U" "$work/U0" "$work/M" "$work"/*.conns
    uport=$(port)
    rport=$((uport + 1))
    members_csv ML-UTM-001 "$n" >"$work/members.csv"
    "$mutsync" -d "$work/U" init --org ML-UTM --role union --country ML --name UTM >/dev/null
    "$mutsync" -d "$work/M" init --org ML-UTM-001 --role mutual --country ML --name Bamako \
        --parent ML-UTM --parent-key "$(key_of "$work/U")" \
        --parent-endpoint "tcp://127.0.0.1:$rport" --register-reach 1 >/dev/null
    "$mutsync" -d "$work/U" child add --org ML-UTM-001 --role mutual --country ML --name Bamako \
        --key "$(key_of "$work/M")" >/dev/null
    "$mutsync" -d "$work/M" member import "$work/members.csv" >/dev/null
    cp -a "$work/U" "$work/U0"
    total=$(seq_of "$work/M" ML-UTM-001 register)
    $relay "$rport" "$uport" "$work/full.conns" &
    rpid=$!
    pids+=("$rpid")
    start_union
    sample "$upid" "$work/union.mem" &
    wait_port "$rport"

    #  Full sync, direct: time and memory.
    start=$(date +%s%N)
    "$mutsync" -d "$work/M" sync --timeout 1200 --endpoint "tcp://127.0.0.1:$uport" >"$work/sync.out" &
    cpid=$!
    sample "$cpid" "$work/client.mem" &
    spid=$!
    wait "$cpid"
    seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    wait "$spid"
    touch "$work/union.mem.stop"
    sleep 0.2
    read -r client_hwm client_anon <"$work/client.mem"
    read -r union_hwm union_anon <"$work/union.mem" || true
    rm -f "$work/union.mem.stop"

    #  The same sync again into a fresh union, through the relay: bytes.
    kill -TERM "$upid"
    wait "$upid" 2>/dev/null || true
    rm -rf "$work/U"
    cp -a "$work/U0" "$work/U"
    start_union
    "$mutsync" -d "$work/M" sync --timeout 1200 >"$work/relay.out"
    for _ in $(seq 50); do [ "$(conns "$work/full.conns" | wc -l)" -ge 1 ] && break; sleep 0.1; done
    line=$(conns "$work/full.conns" | head -n 1)
    wire=$(($(field up "$line") + $(field down "$line")))
    clean_up=$(field up "$line")
    echo "bench_sync records=$n changesets=$total seconds=$seconds" \
        "records_per_s=$(awk -v n="$n" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')" \
        "wire_bytes=$wire bytes_per_record=$(awk -v w="$wire" -v n="$n" 'BEGIN { printf "%.2f", w / n }')" \
        "handshake_bytes=$(field handshake "$line")" \
        "client_vmhwm_kb=$client_hwm client_anon_peak_kb=$client_anon" \
        "union_vmhwm_kb=${union_hwm:-?} union_anon_peak_kb=${union_anon:-?}"

    #  Idle sync over a new connection: the handshake, then one round trip.
    "$mutsync" -d "$work/M" sync --timeout 60 >"$work/idle.out"
    for _ in $(seq 50); do [ "$(conns "$work/full.conns" | wc -l)" -ge 2 ] && break; sleep 0.1; done
    line=$(conns "$work/full.conns" | sed -n 2p)
    echo "bench_sync idle records=$n wire_bytes=$(($(field up "$line") + $(field down "$line")))" \
        "handshake_bytes=$(field handshake "$line") idle_exchange_bytes=$(field messages "$line")" \
        "session_payload=\"$(sed -n 's/.*(\(.*\)).*/\1/p' "$work/idle.out")\""

    #  Cut at 50 %: a fresh union, killed with SIGKILL when half is committed.
    kill -TERM "$upid"
    wait "$upid" 2>/dev/null || true
    rm -rf "$work/U"
    cp -a "$work/U0" "$work/U"
    kill -TERM "$rpid" 2>/dev/null || true
    wait "$rpid" 2>/dev/null || true
    $relay "$rport" "$uport" "$work/cut.conns" &
    rpid=$!
    pids+=("$rpid")
    start_union
    wait_port "$rport" || { echo "bench_sync: the relay did not start"; exit 1; }
    "$mutsync" -d "$work/M" sync --timeout 600 >"$work/cut.out" 2>"$work/cut.err" &
    cpid=$!
    while [ "$(seq_of "$work/U" ML-UTM-001 register)" -lt $((total / 2)) ]; do
        kill -0 "$cpid" 2>/dev/null || break
        sleep 0.02
    done
    kill -KILL "$upid"
    wait "$upid" 2>/dev/null || true
    committed=$(seq_of "$work/U" ML-UTM-001 register)
    start_union
    wait "$cpid" || echo "bench_sync: the cut sync failed: $(cat "$work/cut.err")"
    for _ in $(seq 50); do [ "$(conns "$work/cut.conns" | wc -l)" -ge 2 ] && break; sleep 0.1; done
    up_total=$(conns "$work/cut.conns" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^up=/) { sub("up=", "", $i); s += $i } } END { print s }')
    resent=$(sed -n 's/.*sent \([0-9]*\) change sets.*/\1/p' "$work/cut.out")
    if [ "$committed" -ge "$total" ]; then
        echo "bench_sync cut records=$n missed: the stream ended before the kill landed"
        kill -TERM "$upid" "$rpid" 2>/dev/null || true
        wait "$upid" "$rpid" 2>/dev/null || true
        continue
    fi
    echo "bench_sync cut records=$n cut_at_changeset=$committed of=$total" \
        "resumed_sending=$resent acknowledged_resent=$((resent - (total - committed)))" \
        "bytes_sent_twice=$((up_total - clean_up))" \
        "heads_equal=$([ "$(seq_of "$work/U" ML-UTM-001 register)" = "$total" ] && echo yes || echo no)"
    kill -TERM "$upid" "$rpid" 2>/dev/null || true
    wait "$upid" "$rpid" 2>/dev/null || true
done
