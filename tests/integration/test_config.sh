#!/bin/bash
#  A node's sync settings after init: where its parent is, and whether its
#  member register goes to the parent (what a bundle for the parent carries).
source "$MS_TESTLIB"

root=$(ms_tmpdir)
union=$root/union mutual=$root/mutual
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
expect_exit 0 "$MUTSYNC" -d "$union" init --org BJ-UCB --role union --country BJ --name "UCB"
expect_exit 0 "$MUTSYNC" -d "$mutual" init --org BJ-UCB-001 --role mutual --country BJ \
    --name "Bembéréké" --parent BJ-UCB --parent-key "$(key_of "$union")" \
    --parent-endpoint tcp://127.0.0.1:7301
"$MS_GENDATA" members --mutual BJ-UCB-001 --n 1500 >"$root/m.csv"
expect_exit 0 "$MUTSYNC" -d "$mutual" member import "$root/m.csv"

expect_exit 0 "$MUTSYNC" -d "$mutual" config
expect_contains "$OUT" "parent endpoint  tcp://127.0.0.1:7301"
expect_contains "$OUT" "register reach   0 \(stays here\)"
expect_exit 0 "$MUTSYNC" -d "$mutual" bundle export "$root/before.msb"
before=$(grep -o 'exported [0-9]*' "$OUT" | grep -o '[0-9]*$')

#  Bad values are usage errors and change nothing.
expect_exit 2 "$MUTSYNC" -d "$mutual" config --register-reach 2
expect_exit 2 "$MUTSYNC" -d "$mutual" config --register-reach one
expect_exit 2 "$MUTSYNC" -d "$mutual" config --parent-endpoint 127.0.0.1:7301
expect_exit 0 "$MUTSYNC" -d "$mutual" config
expect_contains "$OUT" "register reach   0"
#  The root has no parent to configure.
expect_exit 1 "$MUTSYNC" -d "$union" config --register-reach 1
expect_contains "$ERR" "BJ-UCB has no parent"

#  The union runs a shared register: the mutual grants reach 1.
expect_exit 0 "$MUTSYNC" -d "$mutual" config --register-reach 1 --parent-endpoint tcp://127.0.0.1:7302
expect_contains "$OUT" "parent endpoint  tcp://127.0.0.1:7302"
expect_contains "$OUT" "register reach   1 \(the member register goes to the parent\)"
expect_exit 0 "$MUTSYNC" -d "$mutual" bundle export "$root/after.msb"
after=$(grep -o 'exported [0-9]*' "$OUT" | grep -o '[0-9]*$')
#  The card granting the reach, then 1,500 members in 2 register change sets.
[ "$after" = $((before + 3)) ] || fail "bundle carried $after change sets, expected $((before + 3))"
expect_exit 0 "$MUTSYNC" -d "$union" child add --org BJ-UCB-001 --role mutual --country BJ \
    --name "Bembéréké" --key "$(key_of "$mutual")"
expect_exit 0 "$MUTSYNC" -d "$union" bundle import "$root/after.msb"
expect_contains "$OUT" "$after applied"
expect_exit 0 "$MUTSYNC" -d "$union" feed list --format json
expect_contains "$OUT" '"org":"BJ-UCB-001","feed":"register","seq":2'
echo "ok"
