#!/bin/bash
#  A union receives a mutual's change sets by bundle. Forged, replayed,
#  tampered, truncated, oversized and equivocating envelopes are each
#  refused with their reason, kept in the quarantine, and change nothing.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
union=$root/union mutual=$root/mutual stranger=$root/stranger
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }

expect_exit 0 "$MUTSYNC" -d "$union" init --org ML-UTM --role union --country ML --name "UTM"
expect_exit 0 "$MUTSYNC" -d "$mutual" init --org ML-UTM-001 --role mutual --country ML \
    --name "Bamako" --parent ML-UTM --parent-key "$(key_of "$union")"
expect_exit 0 "$MUTSYNC" -d "$stranger" init --org ML-UTM-001 --role mutual --country ML --name "Faux"
expect_exit 0 "$MUTSYNC" -d "$union" child add --org ML-UTM-001 --role mutual --country ML \
    --name Bamako --key "$(key_of "$mutual")"

expect_exit 0 "$MUTSYNC" -d "$mutual" bundle export "$root/genuine.msb"
expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$root/genuine.msb"
expect_contains "$OUT" "[1-9] applied, 0 already held, 0 refused"
#  H: the mutual's public head (its card, and the reports published before export).
expect_exit 0 "$MUTSYNC" -d "$mutual" feed list --format json
H=$(grep -o '"org":"ML-UTM-001","feed":"public","seq":[0-9]*' "$OUT" | grep -o '[0-9]*$')

#  refused BUNDLE REASON DETAIL [N]: imported, its N change sets (default 1)
#  refused, the first with REASON and DETAIL; the store unchanged.
count=0
refused()
{
    local digest n=${4:-1}
    digest=$(store_digest "$union")
    expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$1"
    expect_contains "$OUT" "0 applied, 0 already held, $n refused"
    [ "$(store_digest "$union")" = "$digest" ] || fail "store changed after refusing $1"
    count=$((count + 1))
    expect_exit 0 "$MUTSYNC" -d "$union" quarantine list --format json
    expect_contains "$OUT" "\"number\":$count,[^}]*\"reason\":\"$2\",[^}]*\"detail\":\"[^\"]*$3"
    count=$((count + n - 1))
}

#  A replayed bundle is a no-op.
digest=$(store_digest "$union")
expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$root/genuine.msb"
expect_contains "$OUT" "0 applied, $H already held, 0 refused"
[ "$(store_digest "$union")" = "$digest" ] || fail "a replay changed the store"

"$MS_FORGE" -d "$mutual" card "$root/next.msb" --seq $((H + 1)) --prev-of "$H" --name "Bamako Centre"
#  The signature's last byte (only the scheme, 2 bytes, follows it).
"$MS_FORGE" flip "$root/next.msb" "$root/tampered.msb" --frame 1 --from-end 3
refused "$root/tampered.msb" bad-signature "signature does not verify"
#  The scheme itself: 2 becomes 3, which no version knows.
"$MS_FORGE" flip "$root/next.msb" "$root/scheme.msb" --frame 1 --from-end 1
refused "$root/scheme.msb" malformed "signature scheme 3 is unknown"
"$MS_FORGE" flip "$root/next.msb" "$root/tampered_body.msb" --frame 1 --from-end 80
refused "$root/tampered_body.msb" "(bad-signature|malformed)" ""
"$MS_FORGE" -d "$mutual" card "$root/bad_prev.msb" --seq $((H + 1)) --prev-of 0
refused "$root/bad_prev.msb" bad-prev "prev does not match"
"$MS_FORGE" -d "$mutual" card "$root/gap.msb" --seq $((H + 3)) --prev-of "$H"
refused "$root/gap.msb" gap "seq $((H + 3)) but the head is $H"
"$MS_FORGE" -d "$mutual" card "$root/other_org.msb" --seq $((H + 1)) --prev-of "$H" --card-org ML-UTM-002
refused "$root/other_org.msb" authority "ML-UTM-001 may not write the org card of ML-UTM-002"
"$MS_FORGE" cut "$root/next.msb" "$root/truncated.msb" --frame 1 --keep 60
refused "$root/truncated.msb" malformed "not a valid envelope"
"$MS_FORGE" -d "$mutual" card "$root/oversized.msb" --seq $((H + 1)) --prev-of "$H" --pad 9000
refused "$root/oversized.msb" malformed "value is 9000 bytes, the limit is 8192"
expect_exit 0 "$MUTSYNC" -d "$stranger" bundle export "$root/stranger.msb"
expect_contains "$OUT" "exported ([0-9]+) change sets"
frames=$(grep -o 'exported [0-9]*' "$OUT" | grep -o '[0-9]*$')
refused "$root/stranger.msb" unknown-signer "not the key certified for ML-UTM-001" "$frames"

#  The genuine next change set still applies after all that.
expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$root/next.msb"
expect_contains "$OUT" "1 applied"

#  Equivocation: a second, different seq H+1 signed by the mutual's own key.
"$MS_FORGE" -d "$mutual" card "$root/fork.msb" --seq $((H + 1)) --prev-of "$H" --name "Autre nom"
expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$root/fork.msb"
expect_contains "$OUT" "1 refused"
expect_exit 0 "$MUTSYNC" -d "$union" quarantine list --format json
expect_contains "$OUT" '"reason":"equivocation"'
expect_exit 0 "$MUTSYNC" -d "$union" feed list --format json
expect_contains "$OUT" "\"org\":\"ML-UTM-001\",\"feed\":\"public\",\"seq\":$((H + 1)),\"hash\":\"[0-9a-f]+\",\"frozen\":true"
#  Both versions are kept: the held one in the feed, the other in quarantine.
expect_exit 1 "$MUTSYNC" -d "$union" feed verify
expect_contains "$OUT" "ML-UTM-001/public head: frozen after an equivocation"
#  A frozen feed accepts nothing more (the mutual signs its genuine next one).
expect_exit 0 "$MUTSYNC" -d "$mutual" bundle import "$root/next.msb"
expect_contains "$OUT" "1 applied"
"$MS_FORGE" -d "$mutual" card "$root/after.msb" --seq $((H + 2)) --prev-of $((H + 1)) --name "Bamako Centre"
expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$root/after.msb"
expect_contains "$OUT" "1 refused"
expect_exit 0 "$MUTSYNC" -d "$union" quarantine list
expect_contains "$OUT" "frozen"

#  A damaged bundle file imports nothing.
head -c 100 "$root/genuine.msb" >"$root/torn.msb"
expect_exit 1 "$MUTSYNC" -d "$union" bundle import "$root/torn.msb"
expect_contains "$ERR" "torn.msb: frame 1 at byte 8 is torn"
echo "ok"
