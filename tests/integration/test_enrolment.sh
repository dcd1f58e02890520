#!/bin/bash
#  Enrolment with files only, a lost laptop succeeded by a new key, and a
#  move to another union, on real processes: no key is typed; the same
#  invitation serves the first laptop and its replacement; the old key's
#  later writes are refused at the union and at the secretariat; only the
#  union the id was released to may adopt it.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
S=$root/S U=$root/U U2=$root/U2 M=$root/M
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
head_of() { "$MUTSYNC" -d "$1" feed list --format json | grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | grep -o '[0-9]*$'; }

expect_exit 0 "$MUTSYNC" -d "$S" init --org WCA-SEC --role secretariat --country SN --name Sec
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent WCA-SEC --parent-key "$(key_of "$S")"
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$(key_of "$U")"
expect_exit 0 "$MUTSYNC" -d "$U" config --endpoint "$endpoint"
start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"

#  1. Enrolment by files: invitation, request, certification; the same
#  fingerprint on both sides.
expect_exit 0 "$MUTSYNC" -d "$U" child invite --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Kati"
cp "$OUT" "$root/invite.txt"
expect_contains "$root/invite.txt" "^parent-endpoint $endpoint$"
expect_exit 0 "$MUTSYNC" -d "$M" init --invite "$root/invite.txt" --request-out "$root/req.txt"
fingerprint=$(grep -o 'key fingerprint [0-9a-f-]*$' "$OUT" | tail -1)
[ -n "$fingerprint" ] || fail "init printed no fingerprint"
expect_exit 0 "$MUTSYNC" -d "$U" child add --request "$root/req.txt"
expect_contains "$OUT" "certified ML-UTM-001 \(mutual, ML\) $fingerprint"
#  A tampered invitation is refused.
sed 's/Kati/Kita/' "$root/invite.txt" > "$root/bad.txt"
expect_exit 1 "$MUTSYNC" -d "$root/X" init --invite "$root/bad.txt"
expect_contains "$ERR" "signature does not verify"
#  Nothing is written before the first sync; then the card goes up.
[ -z "$(head_of "$M" ML-UTM-001 public)" ] || fail "the invited node wrote before its first sync"
expect_exit 1 "$MUTSYNC" -d "$M" profile set --commune Kati
expect_contains "$ERR" "sync with the parent ML-UTM first"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_exit 0 "$MUTSYNC" -d "$M" profile set --commune Kati
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
H=$(head_of "$U" ML-UTM-001 public)
[ "$H" -ge 2 ] || fail "the union holds ${H:-no} change sets of the new mutual"

#  2. The laptop is stolen (a copy of its directory stays with the thief).
#  A replacement laptop from the same invitation; the union rekeys the org.
cp -a "$M" "$root/stolen"
rm -rf "$M"
expect_exit 0 "$MUTSYNC" -d "$M" init --invite "$root/invite.txt" --request-out "$root/req2.txt"
expect_exit 0 "$MUTSYNC" -d "$U" child rekey --org ML-UTM-001 --request "$root/req2.txt"
expect_contains "$OUT" "its old key stays valid up to public seq $H"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
[ "$(head_of "$M" ML-UTM-001 public)" = "$H" ] || fail "the new laptop did not fetch back its feed"
expect_exit 0 "$MUTSYNC" -d "$M" feed verify
expect_exit 0 "$MUTSYNC" -d "$M" profile set --commune "Kati Centre"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
[ "$(head_of "$U" ML-UTM-001 public)" = $((H + 1)) ] || fail "the new key's write did not arrive"
#  The thief's key: refused at the handshake, and its change sets refused
#  in a bundle at the union and at the secretariat, whatever their clock.
expect_exit 1 "$MUTSYNC" -d "$root/stolen" sync --timeout 10
"$MS_FORGE" -d "$root/stolen" card "$root/thief.msb" --seq $((H + 1)) --prev-of "$H" \
    --target 77777
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/thief.msb"
expect_contains "$OUT" "1 refused"
expect_exit 0 "$MUTSYNC" -d "$U" bundle export "$root/union.msb"
expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$root/union.msb"
expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$root/thief.msb"
expect_contains "$OUT" "0 applied, [01] already held, [01] refused"
expect_exit 0 "$MUTSYNC" -d "$S" feed verify

#  3. A move: ML-UTM releases the id to ML-UNION2; only ML-UNION2 may adopt it.
expect_exit 0 "$MUTSYNC" -d "$U2" init --org ML-UNION2 --role union --country ML --name U2 \
    --parent WCA-SEC --parent-key "$(key_of "$S")"
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UNION2 --role union --country ML --name U2 \
    --key "$(key_of "$U2")"
#  The unions sync with the secretariat's daemon; ML-UNION2 gets no other
#  union's certificates.
sport=$(free_port)
start_bg S "$MUTSYNCD" -d "$S" --listen "tcp://127.0.0.1:$sport"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/S.err" || fail "the secretariat did not start"
expect_exit 0 "$MUTSYNC" -d "$U" sync --endpoint "tcp://127.0.0.1:$sport" --timeout 30
expect_exit 0 "$MUTSYNC" -d "$U2" sync --endpoint "tcp://127.0.0.1:$sport" --timeout 30
[ -z "$(head_of "$U2" ML-UTM certs)" ] || fail "ML-UNION2 received ML-UTM's certificates"
expect_exit 0 "$MUTSYNC" -d "$M" request --out "$root/move.txt"
sed -i "s/^parent ML-UTM$/parent ML-UNION2/" "$root/move.txt"
expect_exit 1 "$MUTSYNC" -d "$U2" child add --request "$root/move.txt"
expect_exit 0 "$MUTSYNC" -d "$M" request --out "$root/move.txt"
expect_exit 1 "$MUTSYNC" -d "$U2" child add --request "$root/move.txt"
expect_contains "$ERR" "asks ML-UTM, not this node"
#  The mutual had granted its register to ML-UTM; the release drops it there.
"$MS_GENDATA" members --mutual ML-UTM-001 --n 50 > "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" config --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
[ "$(head_of "$U" ML-UTM-001 register)" -ge 1 ] || fail "the union did not get the register"
expect_exit 0 "$MUTSYNC" -d "$U" child release --org ML-UTM-001 --to ML-UNION2
[ -z "$(head_of "$U" ML-UTM-001 register)" ] || fail "the old union still holds the register"
expect_exit 0 "$MUTSYNC" -d "$U" member list --format csv
expect_not_contains "$OUT" "ML-UTM-001"
#  The release reaches ML-UNION2 through the secretariat, no bundle between unions.
expect_exit 0 "$MUTSYNC" -d "$U" sync --endpoint "tcp://127.0.0.1:$sport" --timeout 30
expect_exit 0 "$MUTSYNC" -d "$U2" sync --endpoint "tcp://127.0.0.1:$sport" --timeout 30
[ "$(head_of "$U2" ML-UTM certs)" = "$(head_of "$U" ML-UTM certs)" ] ||
    fail "the release did not reach ML-UNION2 through the secretariat"
expect_exit 0 "$MUTSYNC" -d "$U2" child invite --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Kati" --endpoint tcp://127.0.0.1:1
cp "$OUT" "$root/invite2.txt"
expect_exit 0 "$MUTSYNC" -d "$M" config --invite "$root/invite2.txt"
expect_contains "$OUT" "ML-UTM-001 now syncs with ML-UNION2"
expect_exit 0 "$MUTSYNC" -d "$M" request --out "$root/move.txt"
expect_exit 0 "$MUTSYNC" -d "$U2" child add --request "$root/move.txt"
expect_exit 0 "$MUTSYNC" -d "$M" bundle export "$root/moved.msb"
expect_exit 0 "$MUTSYNC" -d "$U2" bundle import "$root/moved.msb"
expect_exit 0 "$MUTSYNC" -d "$U2" feed verify
[ "$(head_of "$U2" ML-UTM-001 public)" = "$(head_of "$M" ML-UTM-001 public)" ] ||
    fail "the new union does not hold the mutual's history"
[ "$(head_of "$U2" ML-UTM-001 register)" = "$(head_of "$M" ML-UTM-001 register)" ] ||
    fail "the register reach the mutual granted did not carry over to its new union"
#  ML-UTM may not take it back; the secretariat verifies the whole history.
expect_exit 1 "$MUTSYNC" -d "$U" child add --request "$root/move.txt"
expect_exit 0 "$MUTSYNC" -d "$U2" bundle export "$root/u2.msb"
expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$root/u2.msb"
expect_contains "$OUT" " 0 refused"
expect_exit 0 "$MUTSYNC" -d "$S" feed verify
#  The figures follow the current hierarchy: the mutual counts under its new union.
expect_exit 0 "$MUTSYNC" -d "$S" view --format csv --indicators all
cp "$OUT" "$root/view.csv"
cell() { awk -F, -v row="$1" 'NR > 1 && $1 == row { print $5 }' "$root/view.csv"; }
[ -n "$(cell ML-UTM-001)" ] && [ "$(cell ML-UNION2)" = "$(cell ML-UTM-001)" ] ||
    fail "the mutual's beneficiaries do not count under its new union: $(cat "$root/view.csv")"
[ -z "$(cell ML-UTM)" ] || fail "the old union still counts the mutual: $(cat "$root/view.csv")"
#  ... and at each union: the new one lists it with its figure, the old one no longer.
mutual=$(cell ML-UTM-001)
expect_exit 0 "$MUTSYNC" -d "$U2" view --format csv --indicators all
cp "$OUT" "$root/view.csv"
[ "$(cell ML-UTM-001)" = "$mutual" ] && [ "$(cell total)" = "$mutual" ] ||
    fail "the new union does not count the mutual: $(cat "$root/view.csv")"
expect_exit 0 "$MUTSYNC" -d "$U" view --format csv --indicators all
cp "$OUT" "$root/view.csv"
[ -z "$(cell ML-UTM-001)" ] || fail "the old union still lists the mutual: $(cat "$root/view.csv")"
#  The mutual's own figure is what both levels above count.
expect_exit 0 "$MUTSYNC" -d "$M" view --format csv --indicators all
cp "$OUT" "$root/view.csv"
[ "$(cell total)" = "$mutual" ] || fail "the mutual's own view differs: $(cat "$root/view.csv")"
stop_bg U TERM
stop_bg S TERM
echo "ok"
