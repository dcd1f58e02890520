#!/bin/bash
#  The lost-laptop drill on real processes: a mutual with members, claims
#  and contributions seals a backup and syncs it to its union, which keeps
#  it without being able to read it; the laptop is lost; a new laptop made
#  from the same invitation, rekeyed by the union, restores from the
#  union's copy with the passphrase: the registers equal the original's; it
#  writes and syncs on; the old key's later writes are refused.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
head_of() { "$MUTSYNC" -d "$1" feed list --format json | grep -o "\"org\":\"$2\",\"feed\":\"$3\",\"seq\":[0-9]*" | grep -o '[0-9]*$'; }
books() {
    {
        "$MUTSYNC" -d "$1" member list --format csv
        "$MUTSYNC" -d "$1" contribution list --format csv
        "$MUTSYNC" -d "$1" claim list --format csv
    } | sha256sum | cut -c1-16
}

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$U" config --endpoint "$endpoint"
start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
expect_exit 0 "$MUTSYNC" -d "$U" child invite --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Kati"
cp "$OUT" "$root/invite.txt"
expect_exit 0 "$MUTSYNC" -d "$M" init --invite "$root/invite.txt" --request-out "$root/req.txt"
expect_exit 0 "$MUTSYNC" -d "$U" child add --request "$root/req.txt"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30

"$MS_GENDATA" members --mutual ML-UTM-001 --n 400 > "$root/members.csv"
"$MS_GENDATA" contributions --mutual ML-UTM-001 --n 400 > "$root/contributions.csv"
"$MS_GENDATA" claims --mutual ML-UTM-001 --n 400 > "$root/claims.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" contribution import "$root/contributions.csv"
expect_exit 0 "$MUTSYNC" -d "$M" claim import "$root/claims.csv"
original=$(books "$M")

#  A sealed backup goes up with the next sync; the union keeps it, opaque.
printf 'mangue pirogue craie tambour\n' > "$root/pass.txt"
chmod 600 "$root/pass.txt"
expect_exit 0 "$MUTSYNC" -d "$M" backup --passphrase-file "$root/pass.txt"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
[ ! -e "$M/backup/pending.msbk" ] || fail "the backup did not leave the laptop"
ls "$U"/backups/ML-UTM-001/*.msbk > /dev/null || fail "the union keeps no backup"
if grep -q "ML-UTM-001-0" "$U"/backups/ML-UTM-001/*.msbk; then
    fail "the kept backup is readable by the union"
fi
H=$(head_of "$U" ML-UTM-001 public)

#  The laptop is lost (a copy of it with the thief).
cp -a "$M" "$root/stolen"
rm -rf "$M"
expect_exit 0 "$MUTSYNC" -d "$M" init --invite "$root/invite.txt" --request-out "$root/req2.txt"
expect_exit 0 "$MUTSYNC" -d "$U" child rekey --org ML-UTM-001 --request "$root/req2.txt"
#  A wrong passphrase changes nothing.
printf 'wrong words\n' > "$root/bad.txt"
chmod 600 "$root/bad.txt"
expect_exit 1 "$MUTSYNC" -d "$M" restore --from-parent --passphrase-file "$root/bad.txt"
expect_contains "$ERR" "wrong passphrase or damaged backup"
expect_exit 0 "$MUTSYNC" -d "$M" restore --from-parent --passphrase-file "$root/pass.txt"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
[ "$(books "$M")" = "$original" ] || fail "the restored books differ from the original's"
expect_exit 0 "$MUTSYNC" -d "$M" feed verify
[ "$(head_of "$M" ML-UTM-001 public)" = "$H" ] || fail "the public feed was not fetched back"

#  It writes and syncs on with its new key.
"$MS_GENDATA" members --mutual ML-UTM-001 --n 410 > "$root/more.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/more.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
#  The old key's later writes are refused at the union.
"$MS_FORGE" -d "$root/stolen" card "$root/thief.msb" --seq $((H + 1)) --prev-of "$H"
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$root/thief.msb"
expect_contains "$OUT" "0 applied, [01] already held, [01] refused"
expect_exit 0 "$MUTSYNC" -d "$U" feed verify
stop_bg U TERM
echo "ok"
