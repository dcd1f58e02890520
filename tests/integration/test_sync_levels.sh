#!/bin/bash
#  Three levels end to end on 127.0.0.1: a secretariat and a union run
#  mutsyncd, two mutuals sync at once. The secretariat verifies a mutual's
#  feed relayed by the union back to its own key; the default reach keeps a
#  mutual's members at the mutual; reference data flows down; an idle sync
#  costs one small round trip; SIGTERM stops the servers cleanly.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
S=$root/S U=$root/U M1=$root/M1 M2=$root/M2
sport=$(free_port) uport=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
#  seq_of DIR ORG FEED: the head seq DIR holds for ORG/FEED (0 when none).
seq_of()
{
    local seq
    seq=$("$MUTSYNC" -d "$1" feed list --format json |
        grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | sed 's/.*://')
    echo "${seq:-0}"
}
#  head_of DIR ORG FEED: "seq hash".
head_of()
{
    "$MUTSYNC" -d "$1" feed list | awk -v o="$2" -v f="$3" '$1 == o && $2 == f { print $3, $4 }'
}
has_seq() { [ "$(seq_of "$1" "$2" "$3")" -ge "$4" ]; }

expect_exit 0 "$MUTSYNC" -d "$S" init --org RS-SEC --role secretariat --country SN --name "Secrétariat"
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name "UTM" \
    --parent RS-SEC --parent-key "$(key_of "$S")" --parent-endpoint "tcp://127.0.0.1:$sport"
for m in 1 2; do
    reach=0
    [ "$m" = 1 ] && reach=1
    dir=$root/M$m
    #  M1 is given the root key; M2 is not and learns it from its union's chain.
    root_args=()
    [ "$m" = 1 ] && root_args=(--root RS-SEC --root-key "$(key_of "$S")")
    expect_exit 0 "$MUTSYNC" -d "$dir" init --org "ML-UTM-00$m" --role mutual --country ML \
        --name "Mutuelle $m" --parent ML-UTM --parent-key "$(key_of "$U")" \
        "${root_args[@]}" --parent-endpoint "tcp://127.0.0.1:$uport" \
        --register-reach "$reach"
    expect_exit 0 "$MUTSYNC" -d "$U" child add --org "ML-UTM-00$m" --role mutual --country ML \
        --name "Mutuelle $m" --key "$(key_of "$dir")"
    "$MS_GENDATA" members --mutual "ML-UTM-00$m" --n $((1500 * m)) --seed "$m" >"$root/m$m.csv"
    expect_exit 0 "$MUTSYNC" -d "$dir" member import "$root/m$m.csv"
done
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$(key_of "$U")"

start_bg S "$MUTSYNCD" -d "$S" --listen "tcp://127.0.0.1:$sport" --sync-interval 0.3
start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport" --sync-interval 0.3
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"

#  Two mutuals sync at once.
"$MUTSYNC" -d "$M1" sync --timeout 60 >"$root/sync1.out" 2>&1 &
p1=$!
"$MUTSYNC" -d "$M2" sync --timeout 60 >"$root/sync2.out" 2>&1 &
p2=$!
rc1=0 rc2=0
wait "$p1" || rc1=$?
wait "$p2" || rc2=$?
[ "$rc1" = 0 ] || fail "M1 sync exited $rc1: $(cat "$root/sync1.out")"
[ "$rc2" = 0 ] || fail "M2 sync exited $rc2: $(cat "$root/sync2.out")"
expect_contains "$root/sync1.out" "heads equal"
expect_contains "$root/sync2.out" "heads equal"

#  The union relays both mutuals' public feeds to the secretariat.
wait_until 20 has_seq "$S" ML-UTM-002 public 1 || fail "M2's public feed did not reach RS-SEC"
wait_until 20 has_seq "$S" ML-UTM-001 public 1 || fail "M1's public feed did not reach RS-SEC"
[ "$(head_of "$S" ML-UTM-001 public)" = "$(head_of "$M1" ML-UTM-001 public)" ] ||
    fail "RS-SEC holds another head of ML-UTM-001/public"
#  ... and verifies them back to its own key: the union's certificate of the
#  mutual travelled in the union's public feed.
expect_exit 0 "$MUTSYNC" -d "$S" feed verify
expect_exit 0 "$MUTSYNC" -d "$S" quarantine list --format json
expect_contains "$OUT" '^\[\]$'

#  Reach: M1 (register reach 1) gave its members to the union, M2 (default 0) kept them.
[ "$(head_of "$U" ML-UTM-001 register)" = "$(head_of "$M1" ML-UTM-001 register)" ] ||
    fail "the union does not hold M1's register"
[ "$(seq_of "$U" ML-UTM-002 register)" = 0 ] || fail "M2's register left the mutual"
[ "$(seq_of "$S" ML-UTM-001 register)" = 0 ] || fail "a register reached the secretariat"
[ "$(seq_of "$M2" ML-UTM-002 register)" -gt 0 ] || fail "M2 lost its register"
#  Down: ancestors' public feeds, not siblings'. (The secretariat may have
#  published since M1's first sync: let the union catch up, sync again.)
same_head() { [ "$(head_of "$1" RS-SEC public)" = "$(head_of "$S" RS-SEC public)" ]; }
wait_until 20 same_head "$U" || fail "the union did not pull the secretariat's feed"
expect_exit 0 "$MUTSYNC" -d "$M1" sync --timeout 30
[ "$(head_of "$M1" RS-SEC public)" = "$(head_of "$S" RS-SEC public)" ] ||
    fail "M1 lacks the secretariat's public feed"
[ "$(seq_of "$M1" ML-UTM-002 public)" = 0 ] || fail "M1 received its sibling's feed"
expect_exit 0 "$MUTSYNC" -d "$M1" feed verify
#  M2 was not given the root key: it learnt it from its union's signed
#  chain and pinned it, so the secretariat's feeds verify there too.
expect_exit 0 "$MUTSYNC" -d "$M2" sync --timeout 30
expect_exit 0 "$MUTSYNC" -d "$M2" whoami --format json
expect_contains "$OUT" '"root":"RS-SEC"'
[ "$(head_of "$M2" RS-SEC public)" = "$(head_of "$S" RS-SEC public)" ] ||
    fail "M2 lacks the secretariat's public feed"
expect_exit 0 "$MUTSYNC" -d "$M2" feed verify
expect_exit 0 "$MUTSYNC" -d "$M2" quarantine list --format json
expect_contains "$OUT" '^\[\]$'

#  New certificates at the top reach a mutual through its union (the
#  secretariat's certs feed is an ancestor's); the union's own certs feed,
#  its mutuals' certificates, never goes down.
before=$(seq_of "$S" RS-SEC certs)
expect_exit 0 "$MUTSYNC" -d "$root/BJ" init --org BJ-UCB --role union --country BJ --name UCB
expect_exit 0 "$MUTSYNC" -d "$S" child add --org BJ-UCB --role union --country BJ \
    --name "Union Bembéréké" --key "$(key_of "$root/BJ")"
wait_until 20 has_seq "$U" RS-SEC certs $((before + 1)) || fail "the union did not pull it"
expect_exit 0 "$MUTSYNC" -d "$M1" sync --timeout 30
[ "$(seq_of "$M1" RS-SEC certs)" = $((before + 1)) ] || fail "M1 did not get it"
[ "$(seq_of "$M1" ML-UTM certs)" = 0 ] || fail "M1 received its siblings' certificates"

#  An idle sync is one small round trip over the link.
expect_exit 0 "$MUTSYNC" -d "$M1" sync --timeout 30
expect_contains "$OUT" "idle, heads already equal"
sent=$(sed -n 's/.*(\([0-9]*\) bytes sent, \([0-9]*\) received).*/\1/p' "$OUT")
received=$(sed -n 's/.*(\([0-9]*\) bytes sent, \([0-9]*\) received).*/\2/p' "$OUT")
[ $((sent + received)) -le 200 ] || fail "an idle sync moved $sent + $received bytes"

#  SIGTERM stops both servers cleanly.
stop_bg U TERM || fail "mutsyncd (union) exited non-zero on SIGTERM"
stop_bg S TERM || fail "mutsyncd (secretariat) exited non-zero on SIGTERM"
expect_contains "$MS_TEST_ROOT/U.err" "INFO mutsyncd: stopped"
expect_not_contains "$MS_TEST_ROOT/S.err" " ERROR "
echo "ok"
