#!/bin/bash
#  A sealed backup larger than one message (over 8 MiB: a mutual of 260,000
#  members) reaches its union in chunks over a real sync session; the union
#  keeps a byte-identical copy; killing the union in the middle of the
#  upload leaves no backup of it there and the laptop's copy still pending,
#  and the next sync resumes where the cut left it and delivers it. A new
#  laptop restores from the union's copy, fetched in chunks, with the same
#  books as the original.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
kept=$U/backups/ML-UTM-001
port=$(free_port)
endpoint=tcp://127.0.0.1:$port
books() {
    {
        "$MUTSYNC" -d "$1" member list --format csv
        "$MUTSYNC" -d "$1" feed list --format json | grep -o '"org":"ML-UTM-001","feed":"[a-z]*","seq":[0-9]*'
    } | sha256sum | cut -c1-16
}
start_union() {
    start_bg U "$MUTSYNCD" -d "$U" --listen "$endpoint"
    wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
}

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
expect_exit 0 "$MUTSYNC" -d "$U" config --endpoint "$endpoint"
start_union
expect_exit 0 "$MUTSYNC" -d "$U" child invite --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Kati"
cp "$OUT" "$root/invite.txt"
expect_exit 0 "$MUTSYNC" -d "$M" init --invite "$root/invite.txt" --request-out "$root/req.txt"
expect_exit 0 "$MUTSYNC" -d "$U" child add --request "$root/req.txt"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30

"$MS_GENDATA" members --mutual ML-UTM-001 --n 260000 > "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
original=$(books "$M")

printf 'mangue pirogue craie tambour\n' > "$root/pass.txt"
chmod 600 "$root/pass.txt"
expect_exit 0 "$MUTSYNC" -d "$M" backup --passphrase-file "$root/pass.txt"
cp "$M/backup/pending.msbk" "$root/sealed.msbk"
size=$(stat -c %s "$root/sealed.msbk")
[ "$size" -gt $((8 * 1024 * 1024)) ] || fail "the sealed backup is only $size bytes, not over 8 MiB"
echo "sealed backup: $size bytes"

#  The union dies in the middle of the upload: as soon as the first bytes
#  of the backup reach its incoming file.
start_bg cut "$MUTSYNC" -d "$M" sync --timeout 4
for ((i = 0; i < 100000; i++)); do
    set -- "$kept"/incoming-*.tmp
    [ -s "$1" ] && break
done
stop_bg U KILL || true
received=$(stat -c %s "$1" 2>/dev/null || echo 0)
echo "the union was killed with $received of $size bytes received"
[ "$received" -gt 0 ] && [ "$received" -lt "$size" ] || fail "the union was not cut mid-upload"
stop_bg cut || true
[ -z "$(ls "$kept"/*.msbk 2>/dev/null)" ] || fail "a partial backup is kept at the union"
cmp -s "$M/backup/pending.msbk" "$root/sealed.msbk" || fail "the pending backup was not kept"

#  The next sync resumes after the bytes the union holds and delivers it whole.
start_union
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
[ ! -e "$M/backup/pending.msbk" ] || fail "the backup did not leave the laptop"
expect_contains "$MS_TEST_ROOT/U.err" "resumes its sealed backup at $received of $size bytes"
expect_contains "$MS_TEST_ROOT/U.err" "kept a sealed backup of $size bytes"
[ "$(ls "$kept"/*.msbk | wc -l)" -eq 1 ] || fail "the union keeps $(ls "$kept") for ML-UTM-001"
cmp "$kept"/*.msbk "$root/sealed.msbk" || fail "the union's copy differs from the sealed file"
[ -z "$(ls "$kept"/incoming* 2>/dev/null)" ] || fail "an incoming file is left at the union"

#  A new laptop, rekeyed by the union, restores from the union's copy.
rm -rf "$M"
expect_exit 0 "$MUTSYNC" -d "$M" init --invite "$root/invite.txt" --request-out "$root/req2.txt"
expect_exit 0 "$MUTSYNC" -d "$U" child rekey --org ML-UTM-001 --request "$root/req2.txt"
expect_exit 0 "$MUTSYNC" -d "$M" restore --from-parent --passphrase-file "$root/pass.txt"
[ "$(books "$M")" = "$original" ] || fail "the restored books differ from the original's"
expect_exit 0 "$MUTSYNC" -d "$M" sync --timeout 30
expect_contains "$OUT" "heads equal"
stop_bg U TERM
echo "ok"
