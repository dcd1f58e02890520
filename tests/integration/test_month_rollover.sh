#!/bin/bash
#  A month rolls over between a mutual's syncs: every way data leaves the
#  node publishes the new month's reports first, with no `view` run by
#  anyone. The clocks of the mutual and of its union are moved forward
#  together with libfaketime (FAKETIME="+40d"...), as real time would.
source "$MS_TESTLIB"

FAKELIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -1)
[ -n "$FAKELIB" ] || fail "libfaketime is not installed (deploy/install-deps.sh installs it)"
#  "${clock[@]}" FAKETIME=+Nd COMMAND...: COMMAND with its clock N days
#  ahead; env execs it, so start_bg's pid is COMMAND's own.
clock=(env LD_PRELOAD="$FAKELIB" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0")
#  later DAYS COMMAND...: the same in the foreground.
later() { "${clock[@]}" FAKETIME="+$1d" "${@:2}"; }

root=$(ms_tmpdir)
U=$root/U M=$root/M
port=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
#  beneficiaries DAYS PERIOD: the union's figure for its mutual, "None" when empty.
beneficiaries()
{
    later "$1" "$MUTSYNC" -d "$U" view --period "$2" --org ML-UTM-001 --format json |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["values"]["beneficiaries"])'
}
public_seq()
{
    "$MUTSYNC" -d "$M" feed list --format json |
        grep -o '"org":"ML-UTM-001","feed":"public","seq":[0-9]*' | sed 's/.*://'
}

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name M1 \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "tcp://127.0.0.1:$port"
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name M1 --key "$(key_of "$M")"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 300 --seed 1 >"$root/m.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/m.csv"
expect_exit 0 "$MUTSYNC" -d "$M" view --format json
now=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["values"]["beneficiaries"])' "$OUT")
[ "$now" -gt 0 ] || fail "the mutual counts no beneficiaries today"

start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$port"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
[ "$(beneficiaries 0 "$(date +%Y-%m)")" = "$now" ] || fail "the union lacks this month"
stop_bg U TERM || fail "the union exited non-zero on SIGTERM"

#  40 days on: the next month. Nothing was written or viewed since; a sync alone publishes it.
next=$(date -d '+40 days' +%Y-%m)
[ "$(beneficiaries 40 "$next")" = None ] || fail "the union has $next before any sync"
start_bg U "${clock[@]}" FAKETIME=+40d "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$port"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not restart"
expect_exit 0 later 40 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "sent 1 change sets"
[ "$(beneficiaries 40 "$next")" = "$now" ] || fail "a sync after the rollover did not publish $next"
stop_bg U TERM || fail "the union exited non-zero on SIGTERM"

#  70 days on: a bundle carries the month after.
after=$(date -d '+70 days' +%Y-%m)
expect_exit 0 later 70 "$MUTSYNC" -d "$M" bundle export "$root/up.bundle"
expect_exit 0 later 70 "$MUTSYNC" -d "$U" bundle import "$root/up.bundle"
[ "$(beneficiaries 70 "$after")" = "$now" ] || fail "a bundle after the rollover lacked $after"

#  100 days on: a backup signs the pending reports before sealing.
before=$(public_seq)
printf 'correct horse battery staple\n' >"$root/pass"
chmod 600 "$root/pass"
expect_exit 0 later 100 "$MUTSYNC" -d "$M" backup --passphrase-file "$root/pass" --out "$root/b.sealed"
[ "$(public_seq)" -gt "$before" ] || fail "the backup did not publish the month's reports first"
echo "PASS"
