#!/bin/bash
#  A node's life, on real processes: a mutual restored from an old copy of
#  its directory fetches back from its union what it wrote since, instead of
#  forking its feeds; a copy never writes before it has synced; two laptops
#  writing with the same key are told of the fork in plain words and the
#  forked one refuses to write; sync publishes pending reports first.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
members() { "$MUTSYNC" -d "$1" member list --format csv | sha256sum | cut -c1-16; }

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "$endpoint" \
    --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"
start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"

"$MS_GENDATA" members --mutual ML-UTM-001 --n 300 --seed 1 > "$root/m1.csv"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 500 --seed 2 > "$root/m2.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/m1.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"

#  Last month's copy of the laptop.
cp -a "$M" "$root/copy"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/m2.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
latest=$(members "$M")

#  The laptop dies; the copy is put back. It refuses to write before it has
#  learnt from the union what it wrote since.
rm -rf "$M"
mv "$root/copy" "$M"
[ "$(members "$M")" != "$latest" ] || fail "the copy already held the latest register"
expect_exit 1 "$MUTSYNC" -d "$M" member import "$root/m2.csv"
expect_contains "$ERR" "sync with the parent ML-UTM first"
#  Its sync fetches back what the union holds of its own feeds: no fork,
#  nothing silent, the register is the latest again, and it may write on.
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
[ "$(members "$M")" = "$latest" ] || fail "the restored copy did not fetch back its register"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/m1.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_exit 0 "$MUTSYNC" -d "$M" feed verify

#  Two laptops with the same key (a copy taken, then both used): the second
#  one syncs first; the other is told of the fork and stops writing.
cp -a "$M" "$root/twin"
expect_exit 0 "$MUTSYNC" -d "$root/twin" sync --timeout 30
expect_exit 0 "$MUTSYNC" -d "$root/twin" profile set --commune "Kati Est"
expect_exit 0 "$MUTSYNC" -d "$root/twin" sync --timeout 30
expect_contains "$OUT" "heads equal"
expect_exit 0 "$MUTSYNC" -d "$M" profile set --commune "Kati Ouest"
expect_exit 1 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$ERR" "fork: ML-UTM holds another change set than this node at ML-UTM-001/public"
expect_exit 1 "$MUTSYNC" -d "$M" profile set --commune "Kati Nord"
expect_contains "$ERR" "may not write until its parent resolves a fork"
stop_bg U TERM
echo "ok"
