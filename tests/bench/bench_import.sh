#!/bin/bash
#  bench_import - member import from CSV, feed verify, bytes on disk.
#
#  Prints, for each size: rows imported per second (median of RUNS fresh
#  imports), the import's CPU seconds (user + system, median), peak
#  resident memory of the import (VmHWM, which counts the LMDB pages
#  written through the map) and its peak anonymous memory (RssAnon sampled
#  every 50 ms), change sets verified per second by `feed verify`, and
#  bytes on disk per member (the data file, allocated ahead, and the pages
#  in use). Never fails on time.
#
#    tests/bench/bench_import.sh [BUILD_DIR] [SIZES...]    (default: build 100000 1000000)
#    MS_BENCH_CSV=FILE tests/bench/bench_import.sh [BUILD_DIR]   (imports FILE, a member register)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
sizes=${*:-100000 1000000}
runs=${RUNS:-3}
mutsync=$build/client/mutsync
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
csv_file=${MS_BENCH_CSV:-}
if [ -n "$csv_file" ]; then
    [ -s "$csv_file" ] || { echo "bench_import: $csv_file is empty or missing" >&2; exit 2; }
    sizes=$(($(wc -l <"$csv_file") - 1))
    echo "bench_import data=$(basename "$csv_file")"
elif [ -n "$generator" ] && [ -x "$generator" ]; then
    echo "bench_import data=$(basename "$generator")"
else
    echo "bench_import data=ms-gendata"
fi
echo "bench_import load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" cores=$(nproc)"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

#  peaks PID: "vmhwm_kb anon_peak_kb cpu_ticks" of PID, sampled until it
#  exits (CPU as last seen, at most 50 ms short).
peaks()
{
    local hwm=0 anon=0 ticks=0 h a t
    while kill -0 "$1" 2>/dev/null; do
        h=$(awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0)
        a=$(awk '/^RssAnon/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0)
        t=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0)
        [ "${h:-0}" -gt "$hwm" ] && hwm=$h
        [ "${a:-0}" -gt "$anon" ] && anon=$a
        [ "${t:-0}" -gt "$ticks" ] && ticks=$t
        sleep 0.05
    done
    echo "$hwm $anon $ticks"
}
hz=$(getconf CLK_TCK)

for n in $sizes; do
    csv=$work/members.csv
    if [ -n "$csv_file" ]; then
        csv=$csv_file
    else
        members_csv ML-UTM-001 "$n" >"$csv"
    fi
    csv_bytes=$(stat -c %s "$csv")
    rates="" rss="" anons="" cpus=""
    for ((run = 1; run <= runs; run++)); do
        rm -rf "$work/node"
        "$mutsync" -d "$work/node" init --org ML-UTM-001 --role mutual --country ML --name Bamako >/dev/null
        start=$(date +%s%N)
        "$mutsync" -d "$work/node" member import "$csv" >/dev/null &
        pid=$!
        read -r kb anon ticks < <(peaks "$pid")
        wait "$pid"
        seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
        anons="$anons $anon"
        cpus="$cpus $(awk -v t="$ticks" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')"
        rates="$rates $(awk -v n="$n" -v s="$seconds" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.001) }')"
        rss="$rss $kb"
    done
    rate=$(echo "$rates" | tr ' ' '\n' | grep . | median)
    peak=$(echo "$rss" | tr ' ' '\n' | grep . | median)
    anon=$(echo "$anons" | tr ' ' '\n' | grep . | median)
    cpu=$(echo "$cpus" | tr ' ' '\n' | grep . | median)
    used=$(mdb_stat -e "$work/node" 2>/dev/null | awk '/Number of pages used/ { u = $5 } /Page size/ { p = $3 } END { printf "%.0f\n", u * p }')
    /usr/bin/time -f "%e %M" -o "$work/time" "$mutsync" -d "$work/node" feed verify >"$work/verify"
    read -r vseconds vkb <"$work/time"
    sets=$(grep -o 'checked [0-9]* feeds, [0-9]*' "$work/verify" | awk '{ print $4 }')
    disk=$(du -sb "$work/node/data.mdb" | awk '{ print $1 }')
    echo "members=$n csv_bytes=$csv_bytes import_rows_per_s=$rate (median of $runs: $rates)" \
        "import_cpu_s=$cpu import_peak_rss_kb=$peak import_anon_peak_kb=$anon verify_changesets=$sets verify_s=$vseconds" \
        "verify_changesets_per_s=$(awk -v c="$sets" -v s="$vseconds" 'BEGIN { printf "%.0f", c / (s > 0 ? s : 0.001) }')" \
        "verify_members_per_s=$(awk -v c="$n" -v s="$vseconds" 'BEGIN { printf "%.0f", c / (s > 0 ? s : 0.001) }')" \
        "verify_peak_rss_kb=$vkb disk_bytes=$disk disk_bytes_per_member=$((disk / n))" \
        "used_bytes_per_member=$((${used:-0} / n))"
done
