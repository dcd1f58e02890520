#!/bin/bash
#  A burst: every mutual of a union syncs at the same moment (the morning
#  the link comes back). Each session must succeed, none may be told its key
#  is wrong, and the union must hold every mutual's feed afterwards.
#  MS_BURST_N sets the number of mutuals (default 100).
source "$MS_TESTLIB"

n=${MS_BURST_N:-100}
root=$(ms_tmpdir)
U=$root/U
port=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
ukey=$(key_of "$U")
for ((i = 1; i <= n; i++)); do
    org=$(printf 'ML-UTM-%03d' "$i")
    "$MUTSYNC" -d "$root/m$i" init --org "$org" --role mutual --country ML --name "M $i" \
        --parent ML-UTM --parent-key "$ukey" --parent-endpoint "tcp://127.0.0.1:$port" \
        >/dev/null || fail "init $org"
    "$MUTSYNC" -d "$U" child add --org "$org" --role mutual --country ML --name "M $i" \
        --key "$(key_of "$root/m$i")" >/dev/null || fail "child add $org"
done

start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$port"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
declare -a pids=()
for ((i = 1; i <= n; i++)); do
    "$MUTSYNC" -d "$root/m$i" sync --timeout 120 >"$root/s$i.out" 2>&1 &
    pids+=($!)
done
failed=0
for ((i = 1; i <= n; i++)); do
    if ! wait "${pids[$((i - 1))]}"; then
        failed=$((failed + 1))
        echo "mutual $i: $(tail -1 "$root/s$i.out")" >&2
    fi
done
[ "$failed" = 0 ] || fail "$failed of $n syncs in the burst failed"
! grep -l "refused this node" "$root"/s*.out || fail "a mutual of the burst was told it was refused"
held=$("$MUTSYNC" -d "$U" feed list --format json | grep -o '"org":"ML-UTM-[0-9]*","feed":"public"' | wc -l)
[ "$held" = "$n" ] || fail "the union holds $held of $n mutuals' public feeds"
stop_bg U TERM || fail "the union exited non-zero on SIGTERM"
echo "ok: $n of $n syncs in one burst"
