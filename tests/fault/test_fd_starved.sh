#!/bin/bash
#  A union out of file descriptors does not spin. Under `ulimit -n 64`, 60
#  peers holding connections (reopened as soon as they are closed) would run
#  it out of descriptors; libzmq's listener then fails accept() with EMFILE
#  and, polled level-triggered, fails it again at once: a busy loop (6.1 s
#  of CPU in these 10 s before the fix). mutsyncd keeps its connections
#  under a budget taken from RLIMIT_NOFILE and shuts down each one past it
#  as soon as it is accepted, so the union uses little CPU, says so once,
#  and after the peers leave a certified child syncs normally.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$(key_of "$U")" --parent-endpoint "$endpoint"
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"
expect_exit 0 "$MUTSYNC" -d "$M" profile set --target-population 30000

start_bg U prlimit --nofile=64 -- "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
union=$(bg_pid U)

#  60 peers that connect and hold their connections without a word (as
#  a stalled handshake does), each reopened when the union closes it.
start_bg flood python3 -c "
import socket, time
end = time.time() + 14
peers = [None] * 60
while time.time() < end:
    for i, s in enumerate(peers):
        if s is not None:
            try:
                s.setblocking(False)
                if s.recv(64) == b'':
                    s.close(); peers[i] = None
            except BlockingIOError:
                pass
            except OSError:
                s.close(); peers[i] = None
        if peers[i] is None:
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(('127.0.0.1', $port)); peers[i] = s
            except OSError:
                s.close()
    time.sleep(0.2)
print('flood connections=%d' % sum(s is not None for s in peers), flush=True)
"
sleep 1
before=$(cpu_of "$union")
sleep 10
after=$(cpu_of "$union")
used=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.2f", a - b }')
echo "union CPU over 10 s with 60 peers and 64 descriptors: ${used} s"
kill -0 "$(bg_pid flood)" || fail "the flood ended before the measure did: the test proves nothing"
kill -0 "$union" || fail "mutsyncd died"
awk -v u="$used" 'BEGIN { exit !(u < 3) }' || fail "the union used ${used} s of CPU in 10 s: a spin"
wait_until 30 grep -q "^flood " "$MS_TEST_ROOT/flood.out" || fail "the flood did not end"

#  Said once, not once per refused connection.
expect_contains "$MS_TEST_ROOT/U.err" "WARN link: .*refusing new ones"
grep "file descriptor" "$MS_TEST_ROOT/U.err"
lines=$(grep -c "WARN link: .*file descriptor" "$MS_TEST_ROOT/U.err")
[ "$lines" -eq 1 ] || fail "$lines lines about the descriptor limit for one flood"

#  The door opens again: a certified child syncs once the peers are gone.
m_seq=$("$MUTSYNC" -d "$M" feed list --format json | sed 's/.*"seq":\([0-9]*\).*/\1/')
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$("$MUTSYNC" -d "$U" feed list --format json)" \
    "\"org\":\"ML-UTM-001\",\"feed\":\"public\",\"seq\":$m_seq,"
stop_bg U TERM || fail "mutsyncd exited non-zero on SIGTERM"
echo "ok"
