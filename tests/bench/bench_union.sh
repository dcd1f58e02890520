#!/bin/bash
#  bench_union - a union's day at scale. N mutuals of realistic sizes
#  (lognormal: median 109 members, mean about 383; half grant their register
#  to the union) enrolled at a union's mutsyncd, itself linked to a
#  secretariat's. Four phases, each measured at the union:
#    first   every mutual's first sync (its card, reports, granted registers)
#    daily   1 % of each mutual's members edited, then one sync each
#    idle    one more sync each, with nothing new
#    burst   1 % edited again, then every mutual syncs at the same moment
#            (the morning the link comes back); prints how many failed
#    relay   the union's link brings everything up to the secretariat
#  For each phase it prints the union's CPU seconds (utime + stime from
#  /proc), its peak anonymous memory (RssAnon sampled every 0.2 s) and the
#  bytes each way as the mutuals' sessions count them (up = sent by
#  mutuals). Never fails on time. Sizes are drawn with a fixed seed. Last,
#  the bytes of the views table per mutual at the secretariat and at the
#  union (mdb_stat, from lmdb-utils).
#
#    tests/bench/bench_union.sh [BUILD_DIR] [N]      (N default 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
n=${2:-100}
mutsync=$build/client/mutsync
mutsyncd=$build/server/mutsyncd
gendata=$build/tests/ms-gendata
. "$root/tests/bench/bench_lib.sh"
bench_work union
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status"; }

S=$work/S U=$work/U
sport=$(port) uport=$(port)
"$mutsync" -d "$S" init --org WCA-SEC --role secretariat --country SN --name Sec >/dev/null
"$mutsync" -d "$U" init --org ML-UTM --role union --country ML --name UTM --parent WCA-SEC \
    --parent-key "$(key_of "$S")" --parent-endpoint "tcp://127.0.0.1:$sport" >/dev/null
"$mutsync" -d "$S" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$(key_of "$U")" >/dev/null
ukey=$(key_of "$U") skey=$(key_of "$S")

#  Sizes: exp(N(ln 109, 1.59)), clamped to 5..20,000 members.
mapfile -t sizes < <(awk -v n="$n" 'BEGIN { srand(7); pi = 3.14159265;
    for (i = 0; i < n; i++) { u1 = rand(); u2 = rand(); if (u1 < 1e-9) u1 = 1e-9;
        z = sqrt(-2 * log(u1)) * cos(2 * pi * u2); s = int(exp(log(109) + 1.59 * z));
        if (s < 5) s = 5; if (s > 20000) s = 20000; print s } }')
echo "bench_union: $n mutuals, $(printf '%s\n' "${sizes[@]}" | awk '{ t += $1 } END { printf "%d members, mean %.0f", t, t / NR }')"
for ((i = 1; i <= n; i++)); do
    org=$(printf 'ML-UTM-%04d' "$i") dir=$work/m$i
    reach=$((i % 2))
    "$mutsync" -d "$dir" init --org "$org" --role mutual --country ML --name "Mutuelle $i" \
        --parent ML-UTM --parent-key "$ukey" --root WCA-SEC --root-key "$skey" \
        --parent-endpoint "tcp://127.0.0.1:$uport" --register-reach "$reach" >/dev/null
    "$mutsync" -d "$U" child add --org "$org" --role mutual --country ML --name "Mutuelle $i" \
        --key "$(key_of "$dir")" >/dev/null
    "$gendata" members --mutual "$org" --n "${sizes[$((i - 1))]}" --seed "$i" >"$dir.csv"
    "$mutsync" -d "$dir" member import "$dir.csv" >/dev/null
done

#  The secretariat starts for the relay phase only, so the union's link
#  (which retries quietly until then) does not mix the relay into the others.
"$mutsyncd" -d "$U" --listen "tcp://127.0.0.1:$uport" --sync-interval 3600 -q 2>"$work/U.err" &
pids+=($!)
upid=$!
sleep 1

#  Samples the union's RssAnon while a phase runs; prints the peak in MB.
sample() { local peak=0 kb; while :; do kb=$(anon_kb "$upid"); [ "$kb" -gt "$peak" ] && peak=$kb; echo "$peak" >"$work/peak"; sleep 0.2; done; }

#  phase NAME CMD...: runs CMD and prints the union's figures for it.
phase()
{
    local name=$1 before after start
    shift
    : >"$work/bytes"
    sample &
    local sampler=$!
    before=$(cpu_ticks "$upid")
    start=$(date +%s%N)
    "$@"
    after=$(cpu_ticks "$upid")
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    awk -v name="$name" -v cpu=$(((after - before))) -v ms=$((($(date +%s%N) - start) / 1000000)) \
        -v peak="$(cat "$work/peak")" '{ up += $1; down += $2 }
        END { printf "%-6s union cpu %.2f s  peak anon %.1f MB  up %d B  down %d B  wall %.1f s\n",
              name, cpu / 100, peak / 1024, up, down, ms / 1000 }' "$work/bytes" </dev/null
    awk '{ up += $1; down += $2 } END { if (NR) printf "       per mutual: up %.0f B, down %.0f B\n", up / NR, down / NR }' "$work/bytes"
}

#  Syncs every mutual once, 8 at a time (all at once with BURST=1); records
#  each session's bytes, and each failure in $work/failed.
sync_one()
{
    local rc=0
    "$mutsync" -d "$work/m$1" sync --timeout 300 2>"$work/m$1.sync.err" |
        sed -n 's/.* \([0-9]*\) bytes sent, \([0-9]*\) received.*/\1 \2/p;
                s/.*idle, heads already equal (\([0-9]*\) bytes sent, \([0-9]*\) received).*/\1 \2/p' \
            >>"$work/bytes" || rc=$?
    [ "$rc" = 0 ] || echo "$1" >>"$work/failed"
}

sync_all()
{
    local i jobs=()
    for ((i = 1; i <= n; i++)); do
        sync_one "$i" &
        jobs+=($!)
        if ((${#jobs[@]} == 8 && ${BURST:-0} == 0)); then
            wait "${jobs[@]}"
            jobs=()
        fi
    done
    ((${#jobs[@]} == 0)) || wait "${jobs[@]}"
}

#  edit SUFFIX: appends SUFFIX to 1 % of each mutual's members' village.
edit()
{
    local i
    for ((i = 1; i <= n; i++)); do
        awk -F, -v OFS=, -v s="$1" 'NR == 1 || (NR - 2) % 100 != 0 { print; next } { $7 = $7 s; print }' \
            "$work/m$i.csv" >"$work/m$i.daily.csv"
        "$mutsync" -d "$work/m$i" member import "$work/m$i.daily.csv" >/dev/null
    done
}

#  Edits 1 % of each mutual's members (their village), then syncs.
daily()
{
    edit " Est"
    sync_all
}

#  The same edits again, then every mutual at once.
burst()
{
    edit " Ouest"
    : >"$work/failed"
    BURST=1 sync_all
    echo "burst  $(wc -l <"$work/failed") of $n syncs failed" >&2
}

#  Waits until the secretariat holds the last mutual's public feed head
#  (feeds travel certifiers first, then in org order: that one comes last).
relay()
{
    local want i last
    last=$(printf 'ML-UTM-%04d' "$n")
    want=$("$mutsync" -d "$U" feed list --format json |
        grep -o "\"org\":\"$last\",\"feed\":\"public\",\"seq\":[0-9]*")
    for ((i = 0; i < 600; i++)); do
        "$mutsync" -d "$S" feed list --format json | grep -q "$want" && return 0
        sleep 0.5
    done
    echo "relay: the secretariat did not catch up in 300 s" >&2
}

phase first sync_all
phase daily daily
phase idle sync_all
phase burst burst
"$mutsyncd" -d "$S" --listen "tcp://127.0.0.1:$sport" -q 2>"$work/S.err" &
pids+=($!)
spid=$!
sleep 0.5
relay_before=$(cpu_ticks "$spid")
phase relay relay
echo "relay  secretariat cpu $(awk -v t=$(($(cpu_ticks "$spid") - relay_before)) 'BEGIN { printf "%.2f", t / 100 }') s"
sec_views=$(views_bytes "$S") union_views=$(views_bytes "$U")
echo "views  secretariat $sec_views B ($((sec_views / n)) B per mutual)," \
    "union $union_views B ($((union_views / n)) B per mutual)"
