#!/bin/bash
#  When the disk fills up during an import, the import fails with a clear
#  message and the store stays as it was; with room again, it succeeds.
#  The full disk is simulated with a file-size limit (ulimit -f), which
#  makes growing the data file fail as ENOSPC would. The store allocates
#  its map on disk before writing through it, so the import must be large
#  enough to need more than the file already holds (16 MiB at first).
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org GN-UMSG-001 --role mutual --country GN --name "Maliando"
"$MS_GENDATA" members --mutual GN-UMSG-001 --n 500 --seed 5 >"$data/small.csv"
"$MS_GENDATA" members --mutual GN-UMSG-001 --n 120000 --seed 6 >"$data/large.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/small.csv"
digest=$(store_digest "$node")
size=$(stat -c %s "$node/data.mdb")

#  Allow the data file to grow by about 1 MB only (ulimit -f counts 1 KiB blocks).
limit=$(((size + 1024 * 1024) / 1024))
set +e
(
    ulimit -f "$limit"
    trap '' XFSZ
    exec "$MUTSYNC" -d "$node" member import "$data/large.csv"
) >"$data/out" 2>"$data/err"
status=$?
set -e
[ "$status" = 1 ] || fail "import on a full disk exited $status, expected 1: $(cat "$data/err")"
expect_contains "$data/err" "(too large|disk is full|No space)"
[ "$(store_digest "$node")" = "$digest" ] || fail "store changed after a failed import"
[ "$(stat -c %s "$node/data.mdb")" -le $((limit * 1024)) ] || fail "the data file passed the limit"
expect_exit 0 "$MUTSYNC" -d "$node" feed verify

expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/large.csv"
expect_contains "$OUT" "120000 rows, 119500 added, [0-9]+ updated, [0-9]+ unchanged"
[ "$("$MUTSYNC" -d "$node" member list --format csv | tail -n +2 | wc -l)" = 120000 ] ||
    fail "the register does not hold the 120000 members of the file"
expect_exit 0 "$MUTSYNC" -d "$node" feed verify
echo "ok"
