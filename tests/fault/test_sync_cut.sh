#!/bin/bash
#  A link cut mid-batch: the union's mutsyncd is killed with SIGKILL while
#  a mutual's register streams up, then restarted. The mutual's one-shot
#  sync reconnects and completes: identical heads, every hash chain whole,
#  nothing acknowledged sent again, no duplicate applied.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
members=${MS_CUT_MEMBERS:-60000}
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
seq_of()
{
    local seq
    seq=$("$MUTSYNC" -d "$1" feed list --format json 2>/dev/null |
        grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | sed 's/.*://')
    echo "${seq:-0}"
}
head_of()
{
    "$MUTSYNC" -d "$1" feed list | awk -v o="$2" -v f="$3" '$1 == o && $2 == f { print $3, $4 }'
}

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Bamako \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "$endpoint" --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Bamako --key "$(key_of "$M")"
"$MS_GENDATA" members --mutual ML-UTM-001 --n "$members" --seed 7 >"$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"
total=$(seq_of "$M" ML-UTM-001 register)
[ "$total" -ge 20 ] || fail "expected at least 20 change sets, got $total"

start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
#  One batch in flight at a time makes the stream long enough to cut.
start_bg sync "$MUTSYNC" -d "$M" sync --window 1 --timeout 120
started() { [ "$(seq_of "$U" ML-UTM-001 register)" -gt 0 ]; }
wait_until 60 started || fail "no batch reached the union"
stop_bg U KILL || true
cut=$(seq_of "$U" ML-UTM-001 register)
echo "killed mutsyncd at register seq $cut of $total"
[ "$cut" -lt "$total" ] || echo "note: the stream was complete before the kill"

start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
rc=0
stop_bg_wait() { ! kill -0 "$(bg_pid sync)" 2>/dev/null; }
wait_until 120 stop_bg_wait || fail "the sync did not finish after the restart"
stop_bg sync TERM || rc=$?
[ "$rc" = 0 ] || fail "the sync exited $rc: $(cat "$MS_TEST_ROOT/sync.err")"
expect_contains "$MS_TEST_ROOT/sync.out" "heads equal"

#  Identical heads, whole chains, nothing refused.
[ "$(head_of "$U" ML-UTM-001 register)" = "$(head_of "$M" ML-UTM-001 register)" ] ||
    fail "the union's head differs from the mutual's"
[ "$(head_of "$U" ML-UTM-001 public)" = "$(head_of "$M" ML-UTM-001 public)" ] ||
    fail "the public heads differ"
expect_exit 0 "$MUTSYNC" -d "$U" feed verify
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list --format json
expect_contains "$OUT" '^\[\]$'

#  The resumed session started from the union's committed head: it sent
#  exactly what the union lacked, and the union applied no duplicate.
sent=$(sed -n 's/.*sent \([0-9]*\) change sets.*/\1/p' "$MS_TEST_ROOT/sync.out")
[ "$sent" = $((total - cut)) ] || fail "the resumed session sent $sent change sets, expected $((total - cut))"
expect_not_contains "$MS_TEST_ROOT/U.err" "[1-9][0-9]* already held"
stop_bg U TERM || fail "mutsyncd exited non-zero on SIGTERM"
echo "ok: cut at $cut of $total, resumed with $sent"
