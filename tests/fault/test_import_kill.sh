#!/bin/bash
#  kill -9 in the middle of an import leaves the store before or after the
#  import, never between: the whole file is one transaction.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org SN-UNMS-001 --role mutual --country SN --name "Thiès"
"$MS_GENDATA" members --mutual SN-UNMS-001 --n 60000 --seed 11 >"$data/members.csv"

#  Import once uninterrupted elsewhere to know the "after" state.
ref=$(ms_tmpdir)/ref
expect_exit 0 "$MUTSYNC" -d "$ref" init --org SN-UNMS-001 --role mutual --country SN --name "Thiès"
expect_exit 0 "$MUTSYNC" -d "$ref" member import "$data/members.csv"

before=0 after=0
for delay in 0.05 0.1 0.15 0.2 0.3 0.4 0.6; do
    start_bg import "$MUTSYNC" -d "$node" member import "$data/members.csv"
    sleep "$delay"
    stop_bg import KILL || true
    count=$("$MUTSYNC" -d "$node" member list --format csv | tail -n +2 | wc -l)
    expect_exit 0 "$MUTSYNC" -d "$node" feed list --format json
    seq=$(grep -o '"feed":"register","seq":[0-9]*' "$OUT" | grep -o '[0-9]*$' || echo 0)
    case "$count/$seq" in
    0/0) before=$((before + 1)) ;;
    60000/60) after=$((after + 1)) ;;
    *) fail "killed after ${delay}s: $count members with register seq $seq (torn import)" ;;
    esac
    expect_exit 0 "$MUTSYNC" -d "$node" feed verify
    if [ "$count" = 60000 ]; then
        #  Once it is in, the register equals the uninterrupted import.
        cmp <("$MUTSYNC" -d "$node" member list --format csv) \
            <("$MUTSYNC" -d "$ref" member list --format csv) || fail "register differs from reference"
        break
    fi
done
echo "kills that left the store before: $before, after: $after"
#  Finish the import if every kill landed before the commit; then it is whole.
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/members.csv"
cmp <("$MUTSYNC" -d "$node" member list --format csv) \
    <("$MUTSYNC" -d "$ref" member list --format csv) || fail "register differs after resuming"
echo "ok"
