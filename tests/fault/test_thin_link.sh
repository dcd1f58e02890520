#!/bin/bash
#  A lost link is retried, never reported as a refusal: an endpoint that
#  accepts TCP and never speaks makes a one-shot sync wait until its own
#  --timeout and then report a link problem (not "refused this node"); a
#  union stopped during the handshake (kill -STOP) and continued is waited
#  for, and the sync succeeds.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
port=$(free_port)
silent=$(free_port)
endpoint=tcp://127.0.0.1:$port

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "$endpoint"
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"

#  A peer that accepts and never speaks.
start_bg silent python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $silent)); s.listen(8)
conns = []
end = time.time() + 45
while time.time() < end:
    s.settimeout(0.5)
    try:
        conns.append(s.accept()[0])
    except OSError:
        pass
"
sleep 0.5
start=$(date +%s)
#  libzmq gives up a handshake after 30 s: that is a link problem, retried
#  until the sync's own --timeout, never "refused this node".
expect_exit 1 "$MUTSYNC" -d "$M" sync --endpoint "tcp://127.0.0.1:$silent" --timeout 34
took=$(($(date +%s) - start))
expect_not_contains "$ERR" "refused this node"
expect_contains "$ERR" "dropped during the handshake"
[ "$took" -ge 33 ] || fail "the sync gave up after ${took}s, before its --timeout of 34s"
[ "$took" -le 45 ] || fail "the sync waited ${took}s past its --timeout of 34s"
stop_bg silent TERM || true

#  The union stops answering mid-handshake, then comes back: the sync waits.
start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
kill -STOP "$(bg_pid U)"
start_bg sync "$MUTSYNC" -d "$M" sync --timeout 60
sleep 4
kill -CONT "$(bg_pid U)"
wait_until 60 grep -q "heads equal" "$MS_TEST_ROOT/sync.out" || fail "the sync did not complete"
stop_bg sync TERM || true
stop_bg U TERM
echo "ok"
