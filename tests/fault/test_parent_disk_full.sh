#!/bin/bash
#  When the union's disk fills up while a mutual syncs to it, the mutual is
#  told why (the parent could not store the data), not "no session"; it
#  keeps everything, and once the union has room again the same sync
#  completes. The full disk is a file-size limit on mutsyncd (ulimit -f),
#  which makes growing its data file fail as ENOSPC would.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
port=$(free_port)
endpoint=tcp://127.0.0.1:$port

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "$endpoint" \
    --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 120000 --seed 3 > "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"

#  The union may grow its data file by about 1 MB only.
size=$(stat -c %s "$U/data.mdb")
limit=$(((size + 1024 * 1024) / 1024))
start_bg U bash -c "ulimit -f $limit; trap '' XFSZ; exec \"\$0\" -d \"\$1\" --listen \"\$2\"" \
    "$MUTSYNCD" "$U" "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
expect_exit 1 "$MUTSYNC" -d "$M" sync --timeout 20
expect_contains "$ERR" "the parent ML-UTM could not store the data"
expect_not_contains "$ERR" "no session"
stop_bg U TERM || true
expect_exit 0 "$MUTSYNC" -d "$U" feed verify

#  Room again: the same sync completes, nothing lost.
start_bg U2 "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U2.err" || fail "the union did not restart"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 120
expect_contains "$OUT" "heads equal"
stop_bg U2 TERM
echo "ok"
