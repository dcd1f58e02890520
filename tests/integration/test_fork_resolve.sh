#!/bin/bash
#  A fork resolved by the parent, on real processes: a mutual's laptop and a
#  copy of it both write, at the same seqs, different members (branch A on
#  the laptop, branch B on the copy). The union, then the secretariat, count
#  A; the copy's sync fails with the fork in plain words, the union freezes
#  the feeds and keeps B as proof, and the copy may not write. The union
#  keeps B (child resolve): at the union and at the secretariat the views
#  then hold B's figures only, A is still listed as proof, and the laptop,
#  whose branch lost, rolls back, takes B, writes again and its new writes
#  reach the secretariat.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
data=$(ms_tmpdir)
S=$root/sec U=$root/uni M=$root/laptop T=$root/copy
up=tcp://127.0.0.1:$(free_port)
top=tcp://127.0.0.1:$(free_port)
MUTUAL=ML-UTM-001

key_of() { "$MUTSYNC" -d "$1" whoami | awk '$1 == "key" { print $2 }'; }
#  The mutual's beneficiaries this year as NODE's view counts them.
figure()
{
    "$MUTSYNC" -d "$1" view --org "$MUTUAL" --indicators beneficiaries --format csv |
        awk -F, 'NR == 2 { print $NF }'
}
#  members SEED N TAG: N members with ids and households of their own.
members()
{
    "$MS_GENDATA" members --mutual "$MUTUAL" --n "$2" --seed "$1" |
        sed "s/$MUTUAL-0/$MUTUAL-$3/g; s/$MUTUAL-H/$MUTUAL-H$3/g"
}
#  branch NODE FEED held|refused: the full id of that branch of the latest
#  fork of the mutual's FEED, as NODE's quarantine list shows it.
branch()
{
    "$MUTSYNC" -d "$1" quarantine list |
        awk -v f="$MUTUAL/$2" -v w="$3" '$1 == "fork" && $3 == f {
            gsub(/,/, ""); id = (w == "held" ? $7 : $9) } END { print id }'
}
#  head_of NODE FEED seq|hash|frozen, from NODE's feed list.
head_of()
{
    "$MUTSYNC" -d "$1" feed list |
        awk -v o="$MUTUAL" -v f="$2" -v w="$3" '$1 == o && $2 == f {
            print (w == "seq" ? $3 : w == "hash" ? $4 : ($5 == "frozen" ? "true" : "false")) }'
}
sync_up() { expect_exit 0 "$MUTSYNC" -d "$U" sync --endpoint "$top" --timeout 30; }

expect_exit 0 "$MUTSYNC" -d "$S" init --org WCA-SEC --role secretariat --country SN --name Sec
KS=$(key_of "$S")
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent WCA-SEC --parent-key "$KS"
KU=$(key_of "$U")
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM \
    --key "$KU"
expect_exit 0 "$MUTSYNC" -d "$M" init --org "$MUTUAL" --role mutual --country ML --name Kati \
    --parent ML-UTM --parent-key "$KU" --parent-endpoint "$up" --root WCA-SEC --root-key "$KS" \
    --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$U" child add --org "$MUTUAL" --role mutual --country ML \
    --name Kati --key "$(key_of "$M")"
start_bg S "$MUTSYNCD" -d "$S" --listen "$top"
start_bg U "$MUTSYNCD" -d "$U" --listen "$up"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/S.err" || fail "the secretariat did not start"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"

members 1 200 0 >"$data/base.csv"
members 2 150 1 >"$data/a.csv"
members 3 400 2 >"$data/b.csv"
members 4 30 3 >"$data/later.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$data/base.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
sync_up
base=$(figure "$M")

#  A copy of the laptop, brought up to date, then both write.
cp -a "$M" "$T"
expect_exit 0 "$MUTSYNC" -d "$T" sync --timeout 30
expect_exit 0 "$MUTSYNC" -d "$M" member import "$data/a.csv"
expect_exit 0 "$MUTSYNC" -d "$T" member import "$data/b.csv"
fig_a=$(figure "$M")
fig_b=$(figure "$T")
[ -n "$base" ] && [ "$fig_a" != "$fig_b" ] && [ "$fig_a" != "$base" ] ||
    fail "the branches should count differently: base $base, A $fig_a, B $fig_b"

expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
sync_up
[ "$(figure "$U")" = "$fig_a" ] || fail "the union counts $(figure "$U"), not A's $fig_a"
[ "$(figure "$S")" = "$fig_a" ] || fail "the secretariat counts $(figure "$S"), not A's $fig_a"

#  The copy's sync: the fork in plain words, a non-zero exit, no writes; the
#  union froze both feeds and keeps B as proof.
expect_exit 1 "$MUTSYNC" -d "$T" sync --timeout 30
expect_contains "$ERR" "fork: ML-UTM holds another change set than this node at $MUTUAL/"
expect_contains "$ERR" "may not write until ML-UTM resolves it"
expect_exit 1 "$MUTSYNC" -d "$T" member import "$data/later.csv"
expect_contains "$ERR" "may not write until its parent resolves a fork"
for feed in register public; do
    [ "$(head_of "$U" $feed frozen)" = true ] || fail "the union did not freeze $feed"
    [ "$(branch "$U" $feed held)" = "$(head_of "$U" $feed hash)" ] ||
        fail "quarantine list does not show the held branch of $feed in full"
done
[ "$(figure "$U")" = "$fig_a" ] || fail "a frozen feed moved the union's views"

#  The union keeps the copy's branch. An id that is not a branch is refused.
expect_exit 1 "$MUTSYNC" -d "$U" child resolve --org "$MUTUAL" --feed register \
    --keep "$(printf '%064d' 0)"
expect_contains "$ERR" "is not one of the two change sets at a forked seq of $MUTUAL/register"
expect_exit 1 "$MUTSYNC" -d "$U" child resolve --org ML-UTM-002 --feed register \
    --keep "$(branch "$U" register refused)"
expect_contains "$ERR" "ML-UTM-002 is not a child certified by this node"
for feed in register public; do
    seq=$(head_of "$U" $feed seq)
    expect_exit 0 "$MUTSYNC" -d "$U" child resolve --org "$MUTUAL" --feed $feed \
        --keep "$(branch "$U" $feed refused)"
    expect_contains "$OUT" "resolved the fork of $MUTUAL/$feed at seq $seq"
    [ "$(head_of "$U" $feed frozen)" = false ] || fail "$feed is still frozen"
    [ "$(head_of "$U" $feed seq)" = $((seq - 1)) ] || fail "$feed did not roll back"
done
[ "$(figure "$U")" = "$base" ] || fail "the union still counts A: $(figure "$U"), base $base"
sync_up
[ "$(figure "$S")" = "$base" ] || fail "the secretariat still counts A: $(figure "$S")"

#  The copy's branch won: it writes on; its branch reaches every level.
expect_exit 0 "$MUTSYNC" -d "$T" sync --timeout 30
expect_contains "$OUT" "for the branch written here: this node writes on"
expect_exit 0 "$MUTSYNC" -d "$T" feed verify
[ "$(figure "$U")" = "$fig_b" ] || fail "the union counts $(figure "$U"), not B's $fig_b"
sync_up
[ "$(figure "$S")" = "$fig_b" ] || fail "the secretariat counts $(figure "$S"), not B's $fig_b"
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list
expect_contains "$OUT" "superseded $MUTUAL/register seq"
expect_contains "$OUT" "superseded $MUTUAL/public seq"

#  The laptop's branch lost: it is rolled back, kept as proof, takes B and
#  writes again; its new writes reach the secretariat.
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "for the other branch: [0-9]+ change sets written here were set aside"
expect_contains "$OUT" "heads equal"
[ "$(figure "$M")" = "$fig_b" ] || fail "the laptop counts $(figure "$M"), not B's $fig_b"
expect_exit 0 "$MUTSYNC" -d "$M" quarantine list
expect_contains "$OUT" "superseded $MUTUAL/register seq"
expect_exit 0 "$MUTSYNC" -d "$M" feed verify
expect_exit 0 "$MUTSYNC" -d "$M" member import "$data/later.csv"
fig_later=$(figure "$M")
[ "$fig_later" != "$fig_b" ] || fail "the laptop's new members did not count"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
sync_up
[ "$(figure "$S")" = "$fig_later" ] ||
    fail "the secretariat counts $(figure "$S"), not the laptop's new $fig_later"
[ "$(head_of "$S" public seq)" = "$(head_of "$M" public seq)" ] ||
    fail "the secretariat does not hold the laptop's public feed"
for node in "$U" "$S"; do
    for feed in register public; do
        [ "$(head_of "$node" $feed frozen)" != true ] || fail "$feed is frozen at $node"
    done
done

#  A copy behind the union past the fork: the laptop wrote two imports and
#  synced, the copy one. Nothing of the copy's register branch can go up;
#  its word does, and the union keeps its own branch of each feed. The copy
#  rolls back, takes the laptop's branch and writes on.
rm -rf "$T"
cp -a "$M" "$T"
expect_exit 0 "$MUTSYNC" -d "$T" sync --timeout 30
members 5 20 4 >"$data/x1.csv"
members 6 20 5 >"$data/x2.csv"
members 7 60 6 >"$data/y.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$data/x1.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$data/x2.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
fig_x=$(figure "$M")
expect_exit 0 "$MUTSYNC" -d "$T" member import "$data/y.csv"
expect_exit 1 "$MUTSYNC" -d "$T" sync --timeout 30
expect_contains "$ERR" "fork: ML-UTM holds another change set than"
for feed in register public; do
    expect_exit 0 "$MUTSYNC" -d "$U" child resolve --org "$MUTUAL" --feed $feed \
        --keep "$(branch "$U" $feed held)"
done
expect_exit 0 "$MUTSYNC" -d "$T" sync --timeout 30
expect_contains "$OUT" "for the other branch: [0-9]+ change sets written here were set aside"
[ "$(figure "$T")" = "$fig_x" ] || fail "the copy counts $(figure "$T"), not the laptop's $fig_x"
[ "$(figure "$U")" = "$fig_x" ] || fail "the union counts $(figure "$U"), not $fig_x"
expect_exit 0 "$MUTSYNC" -d "$T" profile set --commune "Kati Est"
expect_exit 0 "$MUTSYNC" -d "$T" sync --timeout 30
expect_contains "$OUT" "heads equal"
echo "ok"
