#!/bin/bash
#  bench_backup_link - a mutual's sealed backup sent to its union over the
#  sync link in chunks, and fetched back by restore --from-parent.
#
#  For each register size N (members from ms-gendata): the sealed backup's
#  bytes; the seconds of the sync that uploads it (the register itself was
#  synced before, so the session carries little else) and the peak resident
#  memory of that sync (the child) and of the union's mutsyncd (VmHWM, the
#  whole run); the seconds and peak memory of restore --from-parent on a new
#  laptop (Argon2id alone takes 256 MiB there). The chunks keep the backup
#  out of memory on the link: peaks should not grow with N.
#
#    tests/bench/bench_backup_link.sh [BUILD_DIR] [SIZES]
#        (SIZES default "260000 1000000")
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
sizes=${2:-260000 1000000}
mutsync=$build/client/mutsync
mutsyncd=$build/server/mutsyncd
gendata=$build/tests/ms-gendata
. "$root/tests/bench/bench_lib.sh"
bench_work backup_link
work=${work:?}
echo "generator=$gendata load=$(cut -d' ' -f1 /proc/loadavg)"

#  Seconds and peak resident KB of a command, as "SECONDS KB".
measure() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1; cat "$work/time"; }

for n in $sizes; do
    dir=$work/$n
    mkdir "$dir"
    endpoint=tcp://127.0.0.1:$(port)
    "$mutsync" -d "$dir/U" init --org ML-UTM --role union --country ML --name UTM >/dev/null
    "$mutsync" -d "$dir/U" config --endpoint "$endpoint" >/dev/null
    "$mutsyncd" -d "$dir/U" --listen "$endpoint" -q 2>"$dir/U.err" &
    union=$!
    pids+=("$union")
    for ((i = 0; i < 100; i++)); do
        ss -ltn 2>/dev/null | grep -q ":${endpoint##*:} " && break
        sleep 0.1
    done
    "$mutsync" -d "$dir/U" child invite --org ML-UTM-001 --role mutual --country ML \
        --name Kati >"$dir/invite.txt" 2>/dev/null
    "$mutsync" -d "$dir/M" init --invite "$dir/invite.txt" --request-out "$dir/req.txt" \
        >/dev/null 2>&1
    "$mutsync" -d "$dir/U" child add --request "$dir/req.txt" >/dev/null
    "$mutsync" -d "$dir/M" sync --timeout 60 >/dev/null
    "$gendata" members --mutual ML-UTM-001 --n "$n" >"$dir/members.csv"
    "$mutsync" -d "$dir/M" member import "$dir/members.csv" >/dev/null
    "$mutsync" -d "$dir/M" sync --timeout 600 >/dev/null
    printf 'mangue pirogue craie tambour\n' >"$dir/pass"
    chmod 600 "$dir/pass"
    "$mutsync" -d "$dir/M" backup --passphrase-file "$dir/pass" >/dev/null
    bytes=$(stat -c %s "$dir/M/backup/pending.msbk")
    read -r up_s up_kb < <(measure "$mutsync" -d "$dir/M" sync --timeout 600)
    [ ! -e "$dir/M/backup/pending.msbk" ] || { echo "bench: the backup was not delivered" >&2; exit 1; }
    union_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$union/status")
    "$mutsync" -d "$dir/N" init --invite "$dir/invite.txt" --request-out "$dir/req2.txt" \
        >/dev/null 2>&1
    "$mutsync" -d "$dir/U" child rekey --org ML-UTM-001 --request "$dir/req2.txt" >/dev/null
    read -r down_s down_kb < <(measure "$mutsync" -d "$dir/N" restore --from-parent \
        --passphrase-file "$dir/pass")
    echo "members=$n sealed_bytes=$bytes upload_s=$up_s upload_child_peak_kb=$up_kb" \
        "union_peak_kb=$union_kb restore_s=$down_s restore_peak_kb=$down_kb"
    kill -TERM "$union"
    wait "$union" || true
    rm -rf "$dir"
done
