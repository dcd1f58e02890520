#!/bin/bash
#  A site written again over the previous one, after a change, is the site
#  a first write gives for the same data, byte for byte: the changed page
#  holds the new figure in a new file; a page that did not change keeps its
#  file (a link to the previous site's, no new write); and so does every
#  page when nothing changed.
source "$MS_TESTLIB"
root=$(ms_tmpdir)
M=$root/mut
ORG=ML-UTM-001
page=fr/mutuals/$ORG.html

#  inode FILE: the inode number of FILE.
inode() { stat -c %i "$1"; }

expect_exit 0 "$MUTSYNC" -d "$M" init --org "$ORG" --role mutual --country ML --name "Mutuelle 1"
"$MS_GENDATA" members --mutual "$ORG" --n 300 --seed 3 >"$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" profile set --target-population 3000 --created 2011-06-01 \
    --guarantees primary_care
expect_exit 0 "$MUTSYNC" -d "$M" site --out "$root/site"
grep -q 'data-value="3000"' "$root/site/$page" || fail "the first site lacks the target population"
card=$(inode "$root/site/$page")
data=$(inode "$root/site/fr/data.html")

#  Nothing changed: every page keeps its file.
expect_exit 0 "$MUTSYNC" -d "$M" site --out "$root/site"
[ "$(inode "$root/site/$page")" = "$card" ] || fail "an unchanged page was written again"
[ "$(inode "$root/site/fr/data.html")" = "$data" ] || fail "data.html was written again"

#  The card changed: its page is new and says so; the rest is as written fresh.
expect_exit 0 "$MUTSYNC" -d "$M" profile set --target-population 4321
expect_exit 0 "$MUTSYNC" -d "$M" site --out "$root/site"
grep -q 'data-value="4321"' "$root/site/$page" || fail "the rewritten page lacks the new figure"
[ "$(inode "$root/site/$page")" != "$card" ] || fail "the changed page kept the old file"
[ "$(inode "$root/site/fr/data.html")" = "$data" ] || fail "data.html was written again"
expect_exit 0 "$MUTSYNC" -d "$M" site --out "$root/fresh"
diff -r "$root/site" "$root/fresh" >"$root/diff.txt" ||
    fail "the rewritten site differs from a fresh one: $(head -5 "$root/diff.txt")"
echo "a rewritten site equals a fresh one; unchanged pages kept their files"
