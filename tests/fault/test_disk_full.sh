#!/bin/bash
#  When the disk fills up during an import, the import fails with a clear
#  message and the store stays as it was; with room again, it succeeds.
#  The full disk is simulated with a file-size limit (ulimit -f), which
#  makes the commit's writes fail as ENOSPC would.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org GN-UMSG-001 --role mutual --country GN --name "Maliando"
"$MS_GENDATA" members --mutual GN-UMSG-001 --n 500 --seed 5 >"$data/small.csv"
"$MS_GENDATA" members --mutual GN-UMSG-001 --n 30000 --seed 6 >"$data/large.csv"
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
expect_exit 0 "$MUTSYNC" -d "$node" feed verify

expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/large.csv"
expect_contains "$OUT" "30000 rows, 29500 added, [0-9]+ updated, [0-9]+ unchanged"
[ "$("$MUTSYNC" -d "$node" member list --format csv | tail -n +2 | wc -l)" = 30000 ] ||
    fail "the register does not hold the 30000 members of the file"
expect_exit 0 "$MUTSYNC" -d "$node" feed verify
echo "ok"
