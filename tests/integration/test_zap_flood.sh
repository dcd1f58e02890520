#!/bin/bash
#  A flood of connections with random keys at a union that certified 2,000
#  mutuals does not lock out a certified one: its sync completes while 500
#  unknown keys keep knocking (new ones replacing the refused at 50 a
#  second, for 10 s), and what it sent arrives. The refusals are
#  counted and summed up in a line or two, none is kept in the quarantine.
#  (Before the key index, each refusal scanned the trust table and turned
#  2,000 keys into Curve keys in the server's only thread: ~150 ms each.)
source "$MS_TESTLIB"
: "${MS_CHILDREN:?}" "${MS_FLOOD:?}"

root=$(ms_tmpdir)
S=$root/S U=$root/U M1=$root/M1
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }

expect_exit 0 "$MUTSYNC" -d "$S" init --org RS-SEC --role secretariat --country SN --name Sec
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent RS-SEC --parent-key "$(key_of "$S")"
expect_exit 0 "$MUTSYNC" -d "$M1" init --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle 1" --parent ML-UTM --parent-key "$(key_of "$U")" \
    --root RS-SEC --root-key "$(key_of "$S")" --parent-endpoint "$endpoint"
expect_exit 0 "$MS_CHILDREN" -d "$U" --count 2000
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle 1" --key "$(key_of "$M1")"
expect_exit 0 "$MUTSYNC" -d "$M1" profile set --target-population 30000
m1_seq=$("$MUTSYNC" -d "$M1" feed list --format json | sed 's/.*"seq":\([0-9]*\).*/\1/')

start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"

start_bg flood "$MS_FLOOD" --endpoint "$endpoint" --server-key "$(key_of "$U")" \
    --connections 500 --seconds 10 --rate 50
wait_until 10 grep -q "refused a connection from" "$MS_TEST_ROOT/U.err" ||
    fail "the flood did not reach the union"
sleep 1

#  The certified mutual syncs in the middle of the flood, within seconds.
start=$(date +%s%N)
expect_exit 0 "$MUTSYNC" -d "$M1" sync --timeout 15
took_ms=$((($(date +%s%N) - start) / 1000000))
echo "sync during the flood: ${took_ms} ms"
[ "$took_ms" -lt 10000 ] || fail "the sync took ${took_ms} ms during the flood"
kill -0 "$(bg_pid flood)" || fail "the flood ended before the sync: the test proves nothing"
expect_contains "$("$MUTSYNC" -d "$U" feed list --format json)" \
    "\"org\":\"ML-UTM-001\",\"feed\":\"public\",\"seq\":$m1_seq,"

wait_until 30 grep -q "^flood " "$MS_TEST_ROOT/flood.out" || fail "the flood did not end"
expect_contains "$MS_TEST_ROOT/flood.out" "flood connections=500 "
refused=$(sed -n 's/.*handshakes_refused=\([0-9]*\).*/\1/p' "$MS_TEST_ROOT/flood.out")
echo "handshakes refused during the flood: $refused"
[ "$refused" -ge 500 ] || fail "only $refused handshakes were refused: the flood was too thin"

#  Counted, not stored: no quarantine entry, and one or two log lines.
expect_not_contains "$("$MUTSYNC" -d "$U" quarantine list --format json)" '"unknown-signer"'
kill -0 "$(bg_pid U)" || fail "mutsyncd died"
stop_bg U TERM || fail "mutsyncd exited non-zero on SIGTERM"
expect_contains "$MS_TEST_ROOT/U.err" "WARN link: refused [0-9,]+ connections from (about )?[0-9,]+ unknown keys in the last"
lines=$(grep -c "WARN link: refused" "$MS_TEST_ROOT/U.err")
[ "$lines" -eq 2 ] || fail "$lines refusal lines for one flood"
#  Every flood connection had a fresh key: the summary counts them (the
#  first refusal had its own line; beyond 3,072 keys the count is an estimate).
keys=$(sed -n 's/.*from \(about \)\{0,1\}\([0-9,]*\) unknown keys.*/\2/p' "$MS_TEST_ROOT/U.err" | tr -d ,)
echo "unknown keys in the summary: $keys"
[ "${keys:-0}" -ge $((refused * 9 / 10)) ] ||
    fail "the summary counted ${keys:-0} unknown keys for $refused refused handshakes"
echo "ok"
