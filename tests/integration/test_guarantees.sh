#!/bin/bash
#  The guarantees every receiver holds by itself, tried as an adversary
#  would: a register carried where its origin did not send it (by bundle and
#  by a relaying union over a real socket), squatted org ids, a revoked
#  mutual writing with its clock set back, a card contradicting its
#  certificate, a bad value in the middle of a feed, oversized junk. Each is
#  refused or set aside by the receiving replica, with its reason, keeps no
#  personal payload, and stalls nothing.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
S=$root/S U=$root/U M=$root/M B=$root/B
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
head_of() { "$MUTSYNC" -d "$1" feed list --format json | grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | grep -o '[0-9]*$'; }

expect_exit 0 "$MUTSYNC" -d "$S" init --org WCA-SEC --role secretariat --country SN --name Sec
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent WCA-SEC --parent-key "$(key_of "$S")"
expect_exit 0 "$MUTSYNC" -d "$B" init --org BJ-UCM --role union --country BJ --name UCM \
    --parent WCA-SEC --parent-key "$(key_of "$S")"
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$(key_of "$U")" --root WCA-SEC --root-key "$(key_of "$S")" \
    --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$(key_of "$U")"
expect_exit 0 "$MUTSYNC" -d "$S" child add --org BJ-UCM --role union --country BJ --name UCM \
    --key "$(key_of "$B")"
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 300 > "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"

#  The secretariat learns the union's certificates (its public feed).
expect_exit 0 "$MUTSYNC" -d "$U" bundle export "$root/union.msb"
expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$root/union.msb"

#  1. Reach. The mutual granted its register to its union (reach 1): its
#  bundle applies there. Carried to the secretariat, the register is refused
#  with reason reach, and the quarantine keeps nothing of it.
expect_exit 0 "$MUTSYNC" -d "$M" bundle export "$root/mutual.msb"
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/mutual.msb"
expect_contains "$OUT" " 0 refused"
[ "$(head_of "$U" ML-UTM-001 register)" -ge 1 ] || fail "the union did not take the granted register"
expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$root/mutual.msb"
expect_contains "$OUT" "[1-9][0-9]* refused"
expect_exit 0 "$MUTSYNC" -d "$S" feed list --format json
expect_not_contains "$OUT" '"feed":"register"'
expect_exit 0 "$MUTSYNC" -d "$S" member list --format csv
[ "$(wc -l < "$OUT")" -le 1 ] || fail "the secretariat holds members: $(wc -l < "$OUT") lines"
expect_exit 0 "$MUTSYNC" -d "$S" quarantine list --format json
expect_contains "$OUT" '"reason":"reach","origin":"ML-UTM-001","feed":"register"'
expect_not_contains "$OUT" '"feed":"register"[^}]*"bytes":[1-9]'

#  ... and by a union relaying it over a real socket: the secretariat's
#  mutsyncd answers the offer "refused" and takes nothing.
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
expect_exit 0 "$MUTSYNC" -d "$U" config --parent-endpoint "$endpoint"
start_bg S "$MUTSYNCD" -d "$S" --listen "$endpoint" --session-timeout 2
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/S.err" || fail "the secretariat did not start"
expect_exit 0 "$MUTSYNC" -d "$U" sync --timeout 30
expect_contains "$OUT" "heads equal"
expect_exit 0 "$MS_SYNCPEER" -d "$U" --endpoint "$endpoint" bundle "$root/mutual.msb"
expect_contains "$OUT" "reply error"
expect_exit 0 "$MUTSYNC" -d "$S" feed list --format json
expect_not_contains "$OUT" '"feed":"register"'
stop_bg S TERM

#  2. Org ids cannot be squatted: BJ-UCM may not certify an id of ML-UTM's
#  namespace nor a top-level id, whoever comes first; the secretariat may.
expect_exit 1 "$MUTSYNC" -d "$B" child add --org ML-UTM-009 --role mutual --country ML \
    --name Squat --key "$(key_of "$M")"
expect_contains "$ERR" "not in its namespace"
expect_exit 1 "$MUTSYNC" -d "$B" child add --org CI-UNION --role union --country CI \
    --name Squat --key "$(key_of "$M")"
expect_exit 0 "$MUTSYNC" -d "$S" child add --org CI-UNION --role union --country CI \
    --name "Union CI" --key "$(key_of "$B")"
#  A certificate given by mistake, never used, is withdrawn by its issuer.
expect_exit 0 "$MUTSYNC" -d "$S" child remove --org CI-UNION
expect_contains "$OUT" "withdrew the certificate of CI-UNION"
expect_exit 0 "$MUTSYNC" -d "$S" child list --format json
expect_not_contains "$OUT" "CI-UNION"
#  A key that wrote cannot be removed, only revoked.
expect_exit 1 "$MUTSYNC" -d "$U" child remove --org ML-UTM-001
expect_contains "$ERR" "child revoke"

#  3. Revocation by position. The union revokes the mutual's key where its
#  feeds have reached; a later card, signed with the clock a day back (or in
#  2000), claiming a target population of 77,777, is refused, whatever the
#  clock; the view does not move.
H=$(head_of "$U" ML-UTM-001 public)
expect_exit 0 "$MUTSYNC" -d "$U" child revoke --org ML-UTM-001 --reason "laptop stolen"
expect_contains "$OUT" "stays valid up to public seq $H"
yesterday=$(($(date +%s) - 86400))
"$MS_FORGE" -d "$M" card "$root/late.msb" --seq $((H + 1)) --prev-of "$H" --created "$yesterday" \
    --target 77777
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/late.msb"
expect_contains "$OUT" "0 applied, 0 already held, 1 refused"
"$MS_FORGE" -d "$M" card "$root/old.msb" --seq $((H + 1)) --prev-of "$H" --created 946684801 \
    --target 77777
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/old.msb"
expect_contains "$OUT" "1 refused"
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list --format json
expect_contains "$OUT" '"reason":"revoked","origin":"ML-UTM-001","feed":"public"'
[ "$(head_of "$U" ML-UTM-001 public)" = "$H" ] || fail "the revoked key moved the feed"
#  What it wrote before the position still imports as held.
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/mutual.msb"
expect_contains "$OUT" "0 refused"

#  4. A card must agree with its certificate, and a bad value does not stall
#  the feed: a second mutual's card claiming role union, country SN and
#  parent WCA-SEC is kept in the chain but set aside; its next card applies.
M2=$root/M2
expect_exit 0 "$MUTSYNC" -d "$M2" init --org ML-UTM-002 --role mutual --country ML --name Kita \
    --parent ML-UTM --parent-key "$(key_of "$U")"
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-002 --role mutual --country ML \
    --name Kita --key "$(key_of "$M2")"
expect_exit 0 "$MUTSYNC" -d "$M2" bundle export "$root/m2.msb"
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/m2.msb"
H2=$(head_of "$M2" ML-UTM-002 public)
"$MS_FORGE" -d "$M2" card "$root/liar.msb" --seq $((H2 + 1)) --prev-of "$H2" --role union \
    --country SN --parent WCA-SEC --name Liar
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/liar.msb"
expect_contains "$OUT" "1 applied"
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list --format json
expect_contains "$OUT" '"reason":"bad-value","origin":"ML-UTM-002"[^}]*says role union[^}]*"set_aside":true'
expect_exit 0 "$MUTSYNC" -d "$U" inventory --format json
expect_not_contains "$OUT" "Liar"
[ "$(head_of "$U" ML-UTM-002 public)" = $((H2 + 1)) ] || fail "the chain did not keep the bad card"

#  5. Refusals are bounded: 4 MiB envelopes of junk keep 64 bytes each.
before=$(du -sk "$U" | cut -f1)
for _ in 1 2 3; do
    "$MS_FORGE" -d "$M2" card "$root/big.msb" --seq $((H2 + 2)) --prev-of "$H2" --pad 4000000
    "$MUTSYNC" -d "$U" bundle import "$root/big.msb" > /dev/null 2>&1
done
after=$(du -sk "$U" | cut -f1)
[ $((after - before)) -lt 1024 ] || fail "3 refused 4 MB envelopes grew the store by $((after - before)) KB"
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list --format json
expect_not_contains "$OUT" '"bytes":([1-9][0-9]{2,}|6[5-9]|[7-9][0-9])[,}]'
expect_exit 0 "$MUTSYNC" -d "$U" quarantine purge
expect_contains "$OUT" "purged [1-9][0-9]* quarantine entries"
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list --format json
[ "$(cat "$OUT")" = "[]" ] || fail "the quarantine is not empty after purge: $(head -c 200 "$OUT")"
echo "ok"
