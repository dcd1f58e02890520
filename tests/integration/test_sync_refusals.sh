#!/bin/bash
#  Bad peers at a union's mutsyncd: an uncertified key, a malformed and an
#  oversized frame, a forged, a replayed and an equivocating change set, a
#  peer that stalls mid-session, a revoked mutual. Each is refused with a
#  logged reason and kept in the quarantine (but for unknown keys, which
#  are only counted: anyone can make one), and the server goes on serving
#  its other children.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
S=$root/S U=$root/U M1=$root/M1 M2=$root/M2 X=$root/X
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
fingerprint_of() {
    "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"fingerprint":"\([0-9a-f-]*\)".*/\1/'
}

expect_exit 0 "$MUTSYNC" -d "$S" init --org RS-SEC --role secretariat --country SN --name Sec
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent RS-SEC --parent-key "$(key_of "$S")"
for m in M1 M2 X; do
    org=ML-UTM-${m}
    expect_exit 0 "$MUTSYNC" -d "$root/$m" init --org "$org" --role mutual --country ML \
        --name "Mutuelle $m" --parent ML-UTM --parent-key "$(key_of "$U")" \
        --root RS-SEC --root-key "$(key_of "$S")" --parent-endpoint "$endpoint"
done
for m in M1 M2; do
    expect_exit 0 "$MUTSYNC" -d "$U" child add --org "ML-UTM-$m" --role mutual --country ML \
        --name "Mutuelle $m" --key "$(key_of "$root/$m")"
done

#  The union runs in French: its logs, and the library's messages they
#  quote, stay English for the operators (checked below).
start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint" --session-timeout 2 --lang fr
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
quarantine() { "$MUTSYNC" -d "$U" quarantine list --format json; }

#  An uncertified client is refused at the handshake. The first refusal is
#  logged at once; the next ones only counted, for the summary line; none
#  is quarantined (a flood of fresh keys must not fill the store).
expect_exit 1 "$MUTSYNC" -d "$X" sync --timeout 10
expect_contains "$ERR" "refused this node"
expect_contains "$MS_TEST_ROOT/U.err" "WARN link: refused a connection from 127.0.0.1: its key is not certified by ML-UTM"
expect_exit 1 "$MUTSYNC" --lang fr -d "$X" sync --timeout 10
expect_contains "$ERR" "^mutsync: synchronisation avec ML-UTM à $endpoint : ML-UTM à $endpoint a refusé ce nœud : sa clé n'y est pas certifiée, ou elle a été révoquée$"
[ "$(grep -c "WARN link: refused" "$MS_TEST_ROOT/U.err")" -eq 1 ] ||
    fail "a second refusal within the interval was logged on its own line"
expect_not_contains "$(quarantine)" '"reason":"unknown-signer"'

expect_exit 0 "$MUTSYNC" -d "$M1" sync --timeout 30
expect_contains "$OUT" "heads equal"

#  A malformed frame and an oversized one: refused, quarantined, logged.
expect_exit 0 "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" raw --size 40
expect_contains "$OUT" "reply error .*malformed frame"
expect_contains "$MS_TEST_ROOT/U.err" "session with ML-UTM-M1 refused: malformed frame"
expect_exit 0 "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" raw --size $((9 * 1024 * 1024 + 1))
expect_contains "$OUT" "reply error .*over the limit"
expect_contains "$(quarantine)" '"reason":"malformed"[^}]*over the limit'

#  A forged change set (a flipped signature byte) is refused as such. H: the
#  mutual's public head (its card and the reports published before it synced).
H=$("$MUTSYNC" -d "$M1" feed list --format json |
    grep -o '"org":"ML-UTM-M1","feed":"public","seq":[0-9]*' | grep -o '[0-9]*$')
"$MS_FORGE" -d "$M1" card "$root/next.msb" --seq $((H + 1)) --prev-of "$H" --name "Bamako Centre"
"$MS_FORGE" flip "$root/next.msb" "$root/forged.msb" --frame 1 --from-end 3  #  not the scheme
expect_exit 0 "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" bundle "$root/forged.msb"
expect_contains "$OUT" "ack applied=0 duplicates=0 refused=1 held=0 head=$H"
expect_contains "$(quarantine)" '"reason":"bad-signature"[^}]*"source":"peer ML-UTM-M1"'

#  The genuine one applies; replayed, it is a no-op.
expect_exit 0 "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" bundle "$root/next.msb"
expect_contains "$OUT" "ack applied=1 duplicates=0 refused=0 held=0 head=$((H + 1))"
expect_exit 0 "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" bundle "$root/next.msb"
expect_contains "$OUT" "ack applied=0 duplicates=1 refused=0 held=0 head=$((H + 1))"

#  A second, different change set at that seq is equivocation: refused, kept
#  as proof, the feed frozen.
"$MS_FORGE" -d "$M1" card "$root/fork.msb" --seq $((H + 1)) --prev-of "$H" --name "Bamako Fork"
expect_exit 0 "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" bundle "$root/fork.msb"
expect_contains "$OUT" "ack applied=0 duplicates=0 refused=1"
expect_contains "$(quarantine)" '"reason":"equivocation"'
expect_contains "$MS_TEST_ROOT/U.err" "ERROR accept: refused ML-UTM-M1/public seq=$((H + 1)) from peer ML-UTM-M1: equivocation"

#  A peer that stalls mid-session is dropped after the session timeout,
#  while the server keeps serving another child.
start_bg stall "$MS_SYNCPEER" -d "$M1" --endpoint "$endpoint" stall --seconds 6
wait_until 10 grep -q stalling "$MS_TEST_ROOT/stall.out" || fail "the stalling peer did not start"
expect_exit 0 "$MUTSYNC" -d "$M2" sync --timeout 30
expect_contains "$OUT" "heads equal"
wait_until 10 grep -q "ML-UTM-M1 stalled: silent for" "$MS_TEST_ROOT/U.err" ||
    fail "the stalled session was not dropped"
stop_bg stall TERM || true

#  A revoked mutual is refused as soon as its union revoked it.
expect_exit 0 "$MUTSYNC" -d "$U" child revoke --org ML-UTM-M2 --reason "key lost"
expect_exit 1 "$MUTSYNC" -d "$M2" sync --timeout 10
expect_contains "$ERR" "refused this node"
expect_contains "$MS_TEST_ROOT/U.err" "WARN link: refused ML-UTM-M2 from 127.0.0.1: the key of ML-UTM-M2 \(fingerprint $(fingerprint_of "$M2")\) is revoked since"
expect_contains "$(quarantine)" '"reason":"revoked"[^}]*"origin":"ML-UTM-M2"'

#  Through all of it the server stayed up and serves M1.
expect_exit 0 "$MUTSYNC" -d "$M1" sync --timeout 30
kill -0 "$(bg_pid U)" || fail "mutsyncd died"
stop_bg U TERM || fail "mutsyncd exited non-zero on SIGTERM"
#  On the way out, the refusals not logged yet are summed up in one line;
#  no log line names a Curve25519 key.
expect_contains "$MS_TEST_ROOT/U.err" "WARN link: refused [0-9]+ connections? from 1 unknown key in the last [0-9]+ s \(last from 127.0.0.1\)"
expect_not_contains "$MS_TEST_ROOT/U.err" "curve key"
echo "ok"
