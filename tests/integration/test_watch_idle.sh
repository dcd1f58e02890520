#!/bin/bash
#  A watching mutual on a metered link: idle, it sends next to nothing (no
#  heartbeats; one small check every --interval, 300 s by default), and a
#  local write still reaches the union within seconds. The bytes are
#  counted by a relay between the two, as a link's counters would.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
uport=$(free_port)
rport=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
seq_of() { "$MUTSYNC" -d "$1" feed list --format json | tr '{' '\n' |
    sed -n "s/.*\"org\":\"$2\",\"feed\":\"public\",\"seq\":\([0-9]*\).*/\1/p"; }

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "tcp://127.0.0.1:$rport"
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"

start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
#  A relay that writes the bytes it carried so far (both ways) to a file,
#  twice a second.
start_bg relay python3 -c "
import socket, threading, time
total = [0]
def pipe(a, b):
    while True:
        try:
            data = a.recv(65536)
        except OSError:
            data = b''
        if not data:
            break
        total[0] += len(data)
        b.sendall(data)
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
def serve():
    server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', $rport)); server.listen(4)
    while True:
        child = server.accept()[0]
        try:
            parent = socket.create_connection(('127.0.0.1', $uport))
        except OSError:
            child.close()
            continue
        threading.Thread(target=pipe, args=(child, parent), daemon=True).start()
        threading.Thread(target=pipe, args=(parent, child), daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
end = time.time() + 120
while time.time() < end:
    with open('$root/bytes.tmp', 'w') as f:
        f.write('%d\n' % total[0])
    import os; os.replace('$root/bytes.tmp', '$root/bytes')
    time.sleep(0.5)
"
wait_until 10 test -s "$root/bytes" || fail "the relay did not start"
bytes() { cat "$root/bytes"; }
#  Whether the union holds the mutual's public feed up to SEQ.
union_has() { [ "$(seq_of "$U" ML-UTM-001)" = "$1" ]; }

start_bg watch "$MUTSYNC" -d "$M" sync --watch
wait_until 20 grep -q "ML-UTM-001" "$MS_TEST_ROOT/U.err" || fail "the watch never reached the union"
wait_until 20 union_has "$(seq_of "$M" ML-UTM-001)" ||
    fail "the first sync did not bring the mutual's feed up"
sleep 2

#  Idle for 20 s: with a heartbeat each way every 5 s, 656 bytes went by.
before=$(bytes)
sleep 20
idle_bytes=$(($(bytes) - before))
echo "an idle watch over 20 s: $idle_bytes bytes on the wire"
[ "$idle_bytes" -le 200 ] || fail "an idle watch sent $idle_bytes bytes in 20 s"

#  A local write goes up at once, not at the next check.
expect_exit 0 "$MUTSYNC" -d "$M" profile set --target-population 30000
want=$(seq_of "$M" ML-UTM-001)
start=$(date +%s%N)
wait_until 10 union_has "$want" ||
    fail "a local write did not reach the union within 10 s"
took_ms=$((($(date +%s%N) - start) / 1000000))
echo "a local write reached the union in $took_ms ms"

#  And the link still works after the parent restarts: the next write reconnects.
stop_bg U TERM || fail "mutsyncd exited non-zero on SIGTERM"
start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not restart"
expect_exit 0 "$MUTSYNC" -d "$M" profile set --target-population 31000
want=$(seq_of "$M" ML-UTM-001)
wait_until 20 union_has "$want" ||
    fail "a write after the union restarted did not reach it within 20 s"
stop_bg watch TERM || fail "the watch exited non-zero on SIGTERM"
echo "ok"
