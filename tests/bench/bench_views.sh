#!/bin/bash
#  bench_views - view and inventory query time at the secretariat as the
#  number of mutuals grows, and a mutual's indicator upkeep on a large register.
#
#  1. For each count of mutuals, ms-bench-views fills a secretariat with their
#     signed reports (through the accept rules and the views hook); then the
#     secretariat's total view for a year, its view by country and its
#     inventory are timed (median of RUNS runs of the mutsync command after a
#     warm-up run, process start included). These must stay flat: each figure is one or two row lookups.
#     The per-org listing (`view` with no --org) is timed too: it prints one
#     row per org, so it grows with them, as any listing does. It prints the
#     bytes of the views table per mutual (mdb_stat, from lmdb-utils):
#     MONTHS=24 gives a realistic history.
#  2. A mutual imports MEMBERS members (the hook moves its monthly counters as
#     it goes), then contributions; we time the import, the publication of its
#     indicators (`view`, which publishes what changed first), and the same
#     after one member leaves: the incremental cost.
#
#    tests/bench/bench_views.sh [BUILD_DIR] [MUTUAL_COUNTS...]
#        (default: build 10 1000 10000; MEMBERS=100000, RUNS=5, MONTHS=3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
counts=${*:-10 1000 10000}
runs=${RUNS:-5}
members=${MEMBERS:-100000}
months=${MONTHS:-3}
mutsync=$build/client/mutsync
gendata=$build/tests/ms-gendata
filler=$build/tests/ms-bench-views
. "$root/tests/bench/bench_lib.sh"
bench_work views

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

#  ms CMD...: median wall-clock milliseconds of RUNS runs, after one
#  warm-up run (the first touches the pages a fresh ingest left cold).
ms()
{
    local run start times=""
    "$@" >/dev/null
    for ((run = 1; run <= runs; run++)); do
        start=$(date +%s%N)
        "$@" >/dev/null
        times="$times $((($(date +%s%N) - start) / 1000))"
    done
    echo "$times" | tr ' ' '\n' | grep . | median | awk '{ printf "%.1f", $1 / 1000 }'
}

for n in $counts; do
    rm -rf "$work/sec"
    ingest=$("$filler" "$work/sec" "$n" "$months")
    total=$(ms "$mutsync" -d "$work/sec" view --org WCA-SEC --period 2026)
    country=$(ms "$mutsync" -d "$work/sec" view --by country --period 2026Q3)
    inventory=$(ms "$mutsync" -d "$work/sec" inventory --year 2026)
    listing=$(ms "$mutsync" -d "$work/sec" view --period 2026)
    disk=$(du -sb "$work/sec/data.mdb" | awk '{ print $1 }')
    views=$(views_bytes "$work/sec")
    echo "$ingest"
    echo "bench_views_query mutuals=$n view_total_ms=$total view_by_country_ms=$country" \
        "inventory_ms=$inventory view_every_org_ms=$listing disk_bytes=$disk" \
        "views_bytes=$views views_bytes_per_mutual=$((views / n))"
done

node=$work/mutual
"$mutsync" -d "$node" init --org ML-UTM-001 --role mutual --country ML --name Bamako >/dev/null
"$gendata" members --mutual ML-UTM-001 --n "$members" >"$work/m.csv"
"$gendata" contributions --mutual ML-UTM-001 --n "$members" >"$work/c.csv"
start=$(date +%s%N)
"$mutsync" -d "$node" member import "$work/m.csv" >/dev/null
import_ms=$((($(date +%s%N) - start) / 1000000))
start=$(date +%s%N)
"$mutsync" -d "$node" view --period 2026 >/dev/null
publish_ms=$((($(date +%s%N) - start) / 1000000))
start=$(date +%s%N)
"$mutsync" -d "$node" contribution import "$work/c.csv" >/dev/null
contrib_ms=$((($(date +%s%N) - start) / 1000000))
sed -i 's/^\(ML-UTM-001-0000010,.*\),active$/\1,left/' "$work/m.csv"
start=$(date +%s%N)
"$mutsync" -d "$node" member import "$work/m.csv" >/dev/null
"$mutsync" -d "$node" view --period 2026 >/dev/null
one_ms=$((($(date +%s%N) - start) / 1000000))
echo "bench_views_mutual members=$members member_import_ms=$import_ms" \
    "first_publish_and_view_ms=$publish_ms contribution_import_and_publish_ms=$contrib_ms" \
    "one_member_leaves_reimport_publish_view_ms=$one_ms"
