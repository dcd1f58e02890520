#!/bin/bash
#  bench_admit - what admitting or refusing one CURVE connection costs a
#  union, as its number of certified children grows. The answer should not
#  depend on it: the first child, the last one and an unknown key cost the
#  same at 10 or 2,000 children.
#
#  For each count N, a union is created with N children certified in its
#  public feed (ms-children, through the accept rules), then ms-bench-admit
#  (bench_admit.c) times the ZAP handler on the first child's key, the last
#  child's key and fresh random keys: medians of SAMPLES decisions, in µs.
#
#    tests/bench/bench_admit.sh [BUILD_DIR] [COUNTS...]
#        (default: build 10 1000 2000; SAMPLES=200)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
counts=${*:-10 1000 2000}
samples=${SAMPLES:-200}
mutsync=$build/client/mutsync
children=$build/tests/ms-children
bench=$build/tests/ms-bench-admit
. "$root/tests/bench/bench_lib.sh"
bench_work admit

"$mutsync" -d "$work/sec" init --org RS-SEC --role secretariat --country SN --name Sec >/dev/null
for n in $counts; do
    rm -rf "$work/union"
    "$mutsync" -d "$work/union" init --org ML-UTM --role union --country ML --name UTM \
        --parent RS-SEC --parent-key "$(key_of "$work/sec")" >/dev/null
    start=$(date +%s%N)
    "$children" -d "$work/union" --count "$n" >/dev/null
    took_ms=$((($(date +%s%N) - start) / 1000000))
    echo "$("$bench" "$work/union" "$samples") certify_ms=$took_ms"
done
