#!/bin/bash
#  bench_site - how long mutsync site takes at a secretariat holding MUTUALS
#  mutuals with MONTHS months of reports each (default 1000 and 120: ten
#  years), through ms-bench-views; prints the seconds and the site's size.
#  Never fails on time.
#
#    tests/bench/bench_site.sh [BUILD_DIR] [MUTUALS] [MONTHS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mutuals=${2:-1000}
months=${3:-120}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-site.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$build/tests/ms-bench-views" "$work/sec" "$mutuals" "$months" >/dev/null
"$build/client/mutsync" -d "$work/sec" site --out "$work/site" >/dev/null #  warm-up
start=$(date +%s%N)
"$build/client/mutsync" -d "$work/sec" site --out "$work/site" >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
pages=$(find "$work/site" -name '*.html' | wc -l)
bytes=$(du -sb "$work/site" | cut -f1)
echo "bench_site mutuals=$mutuals months=$months seconds=$(awk -v m="$ms" 'BEGIN { printf "%.2f", m / 1000 }') pages=$pages bytes=$bytes"
