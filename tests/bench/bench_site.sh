#!/bin/bash
#  bench_site - how long mutsync site takes at a secretariat holding MUTUALS
#  mutuals with MONTHS months of reports each (default 1000 and 120: ten
#  years), through ms-bench-views. Prints the medians of RUNS runs (default
#  3) of the seconds (wall, user, system) to write the site into a new
#  directory ("first") and over the previous site with the same data
#  ("again": unchanged pages are links, as when mutsyncd --site rewrites
#  after a change), the load average before the runs (the seconds grow
#  with it on a shared machine), and the site's pages and bytes.
#  Never fails on time.
#
#    tests/bench/bench_site.sh [BUILD_DIR] [MUTUALS] [MONTHS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
mutuals=${2:-1000}
months=${3:-120}
runs=${4:-3}
mutsync=$build/client/mutsync
source "$root/tests/bench/bench_lib.sh"
bench_work site #  sets $work
# shellcheck disable=SC2154

#  timed NAME DIR: writes the site into DIR, appending "wall user sys" to
#  $work/NAME.times.
timed()
{
    /usr/bin/time -a -o "$work/$1.times" -f "%e %U %S" \
        "$mutsync" -d "$work/sec" site --out "$2" >/dev/null
}

#  median NAME COLUMN: the median of COLUMN (1 wall, 2 user, 3 sys) of NAME's runs.
median()
{
    cut -d' ' -f"$2" "$work/$1.times" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

"$build/tests/ms-bench-views" "$work/sec" "$mutuals" "$months" >/dev/null
"$mutsync" -d "$work/sec" site --out "$work/site" >/dev/null #  warm-up, and the previous site
load=$(cut -d' ' -f1 /proc/loadavg)
for i in $(seq "$runs"); do
    timed first "$work/first-$i"
    timed again "$work/site"
done
pages=$(find "$work/site" -name '*.html' | wc -l)
bytes=$(du -sb "$work/site" | cut -f1)
echo "bench_site mutuals=$mutuals months=$months runs=$runs load=$load" \
    "first_s=$(median first 1) first_user_s=$(median first 2) first_sys_s=$(median first 3)" \
    "again_s=$(median again 1) again_user_s=$(median again 2) again_sys_s=$(median again 3)" \
    "pages=$pages bytes=$bytes"
