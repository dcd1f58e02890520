#!/bin/bash
#  mutsyncd notices a change set written into its directory by `mutsync`
#  (another process) and pushes it up at once, without waiting for its
#  periodic sync; while nothing happens it does not wake to look (it reads
#  LMDB's last transaction id on a slow timer, not every head).
source "$MS_TESTLIB"

root=$(ms_tmpdir)
S=$root/S U=$root/U
sport=$(free_port) uport=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
seq_of()
{
    local seq
    seq=$("$MUTSYNC" -d "$1" feed list --format json |
        grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | sed 's/.*://')
    echo "${seq:-0}"
}
has_seq() { [ "$(seq_of "$1" "$2" "$3")" -ge "$4" ]; }

expect_exit 0 "$MUTSYNC" -d "$S" init --org RS-SEC --role secretariat --country SN --name Sec
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent RS-SEC --parent-key "$(key_of "$S")" --parent-endpoint "tcp://127.0.0.1:$sport"
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$(key_of "$U")"

start_bg S "$MUTSYNCD" -d "$S" --listen "tcp://127.0.0.1:$sport"
#  A periodic sync far beyond the test: only the notice of a local write can push.
start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport" --sync-interval 3600
wait_until 20 has_seq "$S" ML-UTM public 1 || fail "the union's first sync did not happen"
wait_until 10 grep -q "heads equal\|idle" "$MS_TEST_ROOT/U.err" || fail "the first sync did not end"
before=$(seq_of "$U" ML-UTM public)

#  An idle union with a parent wakes about once a second, not five times.
sleep 1
pid=$(bg_pid U)
switches() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status"; }
woken_before=$(switches)
sleep 5
woken=$(($(switches) - woken_before))
echo "voluntary context switches of the idle union in 5 s: $woken"
[ "$woken" -le 20 ] || fail "the idle union woke $woken times in 5 s"

expect_exit 0 "$MUTSYNC" -d "$U" profile set --target-population 30000
after=$(seq_of "$U" ML-UTM public)
[ "$after" -gt "$before" ] || fail "profile set did not write a change set"
start=$(date +%s%N)
wait_until 10 has_seq "$S" ML-UTM public "$after" ||
    fail "the union did not push its local write up within 10 s"
echo "local write pushed up in $((($(date +%s%N) - start) / 1000000)) ms"

stop_bg U TERM || fail "the union exited non-zero on SIGTERM"
stop_bg S TERM || fail "the secretariat exited non-zero on SIGTERM"
echo "ok"
