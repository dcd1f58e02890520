#!/bin/bash
#  A mutual's laptop lost: its sealed copy (backup --out, on a USB key)
#  restored into a new directory gives back the same members, books, feeds
#  and views, with a new key; feed verify passes. A wrong passphrase, a
#  damaged copy, an unsafe passphrase file are refused and write nothing.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
node=$root/segou
usb=$root/usb
mkdir "$usb"
expect_exit 0 "$MUTSYNC" -d "$root/utm" init --org ML-UTM --role union --country ML --name "UTM"
union_key=$(sed -n 's/^key //p' "$OUT")
expect_exit 0 "$MUTSYNC" -d "$node" init --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Ségou" --parent ML-UTM --parent-key "$union_key" \
    --parent-endpoint tcp://127.0.0.1:7301
"$MS_GENDATA" members --mutual ML-UTM-001 --n 1500 >"$root/m.csv"
"$MS_GENDATA" contributions --mutual ML-UTM-001 --n 1500 --months 6 >"$root/c.csv"
"$MS_GENDATA" claims --mutual ML-UTM-001 --n 1500 --count 400 >"$root/cl.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$root/m.csv"
expect_exit 0 "$MUTSYNC" -d "$node" contribution import "$root/c.csv"
expect_exit 0 "$MUTSYNC" -d "$node" claim import "$root/cl.csv"

#  What the manager sees, to compare after the restore.
show()
{
    local dir=$1 out=$2
    "$MUTSYNC" -d "$dir" member list --format csv >"$out.members"
    "$MUTSYNC" -d "$dir" feed list --format json >"$out.feeds"
    "$MUTSYNC" -d "$dir" contribution list --format csv >"$out.contributions"
    "$MUTSYNC" -d "$dir" claim list --format csv >"$out.claims"
    "$MUTSYNC" -d "$dir" view --period 2026 --format csv >"$out.view"
}
show "$node" "$root/before"
[ "$(wc -l <"$root/before.members")" -eq 1501 ] || fail "the register has not 1500 members"
expect_exit 0 "$MUTSYNC" -d "$node" whoami --format json
old_key=$(sed -n 's/.*"key":"\([0-9a-f]*\)".*/\1/p' "$OUT")

#  The passphrase file: the first line, readable by its owner only, not empty.
pass=$root/pass
printf 'trois baobabs au bord du Niger\nnot part of it\n' >"$pass"
chmod 644 "$pass"
expect_exit 1 "$MUTSYNC" -d "$node" backup --passphrase-file "$pass" --out "$usb/segou.msbk"
expect_contains "$ERR" "other users may read this passphrase file \(mode 0644\): chmod 600"
[ ! -e "$usb/segou.msbk" ] || fail "a refused backup wrote a file"
printf '\n' >"$root/empty"
chmod 600 "$pass" "$root/empty"
expect_exit 1 "$MUTSYNC" -d "$node" backup --passphrase-file "$root/empty" --out "$usb/segou.msbk"
expect_contains "$ERR" "is empty"
expect_exit 2 "$MUTSYNC" -d "$node" backup --out "$usb/segou.msbk"
expect_contains "$ERR" "passphrase-file is required"

#  For the parent: kept in the node directory. For a USB key: --out.
expect_exit 0 "$MUTSYNC" -d "$node" backup --passphrase-file "$pass"
expect_contains "$OUT" "sealed a backup of ML-UTM-001: 3 feeds, [0-9]+ change sets"
expect_contains "$OUT" "it waits there for the parent"
[ "$(stat -c %a "$node/backup/pending.msbk")" = 600 ] || fail "pending.msbk is not mode 600"
expect_exit 0 "$MUTSYNC" -d "$node" backup --passphrase-file "$pass" --out "$usb/segou.msbk"
expect_contains "$OUT" "Argon2id: 3 passes over 256 MiB"
expect_contains "$OUT" "written to $usb/segou.msbk"
head -c 8 "$usb/segou.msbk" | grep -q MSBACKUP || fail "no MSBACKUP magic"
#  Sealed: no member id of the register shows in the file.
member=$(sed -n '2s/,.*//p' "$root/before.members")
! grep -q "$member" "$usb/segou.msbk" || fail "member $member readable in the sealed file"

#  The laptop is gone.
rm -rf "$node"

#  A wrong passphrase: exit 1, nothing written, whether the target is new or empty.
printf 'trois baobabs au bord du niger\n' >"$root/wrong"
chmod 600 "$root/wrong"
new=$root/new
expect_exit 1 "$MUTSYNC" -d "$new" restore --file "$usb/segou.msbk" --passphrase-file "$root/wrong"
expect_contains "$ERR" "wrong passphrase or damaged backup"
[ ! -e "$new" ] || fail "a refused restore created $new"
mkdir "$new"
expect_exit 1 "$MUTSYNC" -d "$new" restore --file "$usb/segou.msbk" --passphrase-file "$root/wrong"
[ -z "$(ls -A "$new")" ] || fail "a refused restore wrote into $new: $(ls -A "$new")"
[ -z "$(ls -d "$root"/new.restore-* 2>/dev/null)" ] || fail "a refused restore left files"

#  One byte changed in the middle of the copy: refused the same way.
cp "$usb/segou.msbk" "$root/damaged.msbk"
size=$(stat -c %s "$root/damaged.msbk")
offset=$((size / 2))
byte=$(od -An -tu1 -j "$offset" -N1 "$root/damaged.msbk" | tr -d ' ')
# shellcheck disable=SC2059  # the format is the octal escape of one byte
printf "$(printf '\\%03o' $((byte ^ 1)))" |
    dd of="$root/damaged.msbk" bs=1 seek="$offset" conv=notrunc status=none
cmp -s "$usb/segou.msbk" "$root/damaged.msbk" && fail "the byte was not changed"
expect_exit 1 "$MUTSYNC" -d "$new" restore --file "$root/damaged.msbk" --passphrase-file "$pass"
expect_contains "$ERR" "wrong passphrase or damaged backup"
[ -z "$(ls -A "$new")" ] || fail "a damaged copy wrote into $new"
#  Cut short: refused.
head -c $((size - 1)) "$usb/segou.msbk" >"$root/cut.msbk"
expect_exit 1 "$MUTSYNC" -d "$new" restore --file "$root/cut.msbk" --passphrase-file "$pass"
expect_contains "$ERR" "wrong passphrase or damaged backup"
[ -z "$(ls -A "$new")" ] || fail "a cut copy wrote into $new"

#  The right passphrase: everything back, with a new key.
expect_exit 0 "$MUTSYNC" -d "$new" restore --file "$usb/segou.msbk" --passphrase-file "$pass"
expect_contains "$OUT" "restored ML-UTM-001 in $new from a backup sealed [0-9T:-]+Z: 3 feeds"
expect_contains "$OUT" "\(new\)"
expect_contains "$OUT" "successor of the"
show "$new" "$root/after"
for part in members feeds contributions claims view; do
    cmp "$root/before.$part" "$root/after.$part" || fail "$part differ after the restore"
done
expect_exit 0 "$MUTSYNC" -d "$new" feed verify
expect_contains "$OUT" "all signatures, ids and hash chains hold"
expect_exit 0 "$MUTSYNC" -d "$new" whoami --format json
expect_contains "$OUT" '"parent":"ML-UTM"'
expect_contains "$OUT" '"parent_endpoint":"tcp://127.0.0.1:7301"'
new_key=$(sed -n 's/.*"key":"\([0-9a-f]*\)".*/\1/p' "$OUT")
[ -n "$new_key" ] && [ "$new_key" != "$old_key" ] || fail "the restored node kept the old key"
[ "$(stat -c %a "$new/node.key")" = 600 ] || fail "node.key is not mode 600"

#  A node with change sets is never overwritten.
before=$(store_digest "$new")
expect_exit 1 "$MUTSYNC" -d "$new" restore --file "$usb/segou.msbk" --passphrase-file "$pass"
expect_contains "$ERR" "holds a node with change sets"
[ "$(store_digest "$new")" = "$before" ] || fail "a refused restore changed the node"
echo "backup and restore ok"
