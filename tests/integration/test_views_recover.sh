#!/bin/bash
#  Issue 6 and the value rules, with real processes: two mutuals publish
#  forged reports past the writer's rules (1.7e308, a negative count, a key
#  naming another indicator, a month five years ahead). The union keeps
#  their change sets (nothing refused, the feeds go on), counts none of the
#  bad figures, holds the future month, counts the corrections exactly, and
#  `view rebuild` recomputes the same view from the stored reports.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
data=$(ms_tmpdir)
U=$root/uni
YEAR=2026
#  Forged figures go to a year before the mutuals' own data: their next
#  publication (which rewrites every month it reports with the true
#  figures) leaves that year alone.
OLD=2015
MUTUALS="ML-UTM-001 ML-UTM-002"

key_of()
{
    "$MUTSYNC" -d "$1" whoami | awk '$1 == "key" { print $2 }'
}

expect_exit 0 "$MUTSYNC" -d "$root/sec" init --org WCA-SEC --role secretariat --country SN --name Sec
KS=$(key_of "$root/sec")
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent WCA-SEC --parent-key "$KS"
for org in $MUTUALS; do
    expect_exit 0 "$MUTSYNC" -d "$root/$org" init --org "$org" --role mutual --country ML \
        --name "Mutuelle $org" --parent ML-UTM --parent-key "$(key_of "$U")" \
        --root WCA-SEC --root-key "$KS"
    expect_exit 0 "$MUTSYNC" -d "$U" child add --org "$org" --role mutual --country ML \
        --name "Mutuelle $org" --key "$(key_of "$root/$org")"
    "$MS_GENDATA" members --mutual "$org" --n 200 --seed 5 >"$data/$org-m.csv"
    "$MS_GENDATA" contributions --mutual "$org" --n 200 --seed 5 >"$data/$org-c.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" member import "$data/$org-m.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" contribution import "$data/$org-c.csv"
done

carry()
{
    local org
    for org in $MUTUALS; do
        expect_exit 0 "$MUTSYNC" -d "$root/$org" bundle export "$data/$org.msb"
        expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$data/$org.msb"
        expect_contains "$OUT" " 0 refused"
    done
}

#  column CODE ROW: the union's view of $YEAR, as CSV, at row ROW.
column()
{
    expect_exit 0 "$MUTSYNC" -d "$U" view --period "${3:-$YEAR}" --format csv
    awk -F, -v row="$2" -v code="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == row { print $col[code] }' "$OUT"
}

carry
paid_before=$(column contributions_paid_xof total)
[ "$paid_before" -gt 0 ] || fail "no contributions counted before the forgeries"
[ "$(column complaints total)" = 0 ] || fail "complaints before the forgeries"

#  Each mutual publishes 1.7e308 complaints for March (the issue's inf).
for org in $MUTUALS; do
    expect_exit 0 "$MS_FORGE" -d "$root/$org" report "$OLD-03|complaints|" --value 1.7e308
done
expect_exit 0 "$MS_FORGE" -d "$root/ML-UTM-001" report "$OLD-04|beneficiaries|" --value -1000000
expect_exit 0 "$MS_FORGE" -d "$root/ML-UTM-002" report "$OLD-04|adherents|" \
    --indicator beneficiaries --value 3
expect_exit 0 "$MS_FORGE" -d "$root/ML-UTM-002" report "2031-06|complaints|" --value 9
carry
expect_exit 0 "$MUTSYNC" -d "$U" view --period "$OLD" --format csv
expect_not_contains "$OUT" "inf|nan|-1000000"
#  Nothing valid was reported for those: no data, which is empty, not 0.
[ "$(column complaints total $OLD)" = "" ] || fail "a bad complaints figure was counted"
[ "$(column beneficiaries total $OLD-04)" = "" ] || fail "a bad April figure was counted"
[ "$(column adherents total $OLD-04)" = "" ] || fail "a mis-keyed figure was counted"
[ "$(column contributions_paid_xof total)" = "$paid_before" ] || fail "paid moved"
#  Each bad figure is listed in the union's quarantine, set aside with its reason.
expect_exit 0 "$MUTSYNC" -d "$U" quarantine list --format json
[ "$(grep -o '"reason":"bad-value"' "$OUT" | wc -l)" = 4 ] ||
    fail "expected 4 reports set aside: $(head -c 600 "$OUT")"
expect_contains "$OUT" '"set_aside":true'

#  The future month is kept and listed, not counted.
expect_exit 0 "$MUTSYNC" -d "$U" view held
expect_contains "$OUT" "^2031-06  ML-UTM-002 +1 reports$"
expect_contains "$OUT" "^1 reports held"
expect_exit 0 "$MUTSYNC" -d "$U" view --period 2031
expect_contains "$ERR" "1 reports for a month ahead of this node's clock are held"
[ "$(column complaints total 2031)" = "" ] || fail "a future month was counted"

#  Corrected to 5 each: counted exactly.
for org in $MUTUALS; do
    expect_exit 0 "$MS_FORGE" -d "$root/$org" report "$OLD-03|complaints|" --value 5
done
carry
[ "$(column complaints total $OLD)" = 10 ] || fail "complaints after the correction"
[ "$(column complaints ML-UTM-001 $OLD)" = 5 ] || fail "ML-UTM-001 row after the correction"
[ "$(column contributions_paid_xof total)" = "$paid_before" ] || fail "paid moved"

#  A rebuild recomputes the same figures from the stored reports.
expect_exit 0 "$MUTSYNC" -d "$U" view --period "$YEAR" --format csv
cp "$OUT" "$data/before.csv"
expect_exit 0 "$MUTSYNC" -d "$U" view --period "$OLD" --format csv
cat "$OUT" >>"$data/before.csv"
expect_exit 0 "$MUTSYNC" -d "$U" view rebuild
#  The bad figures were set aside on arrival: never stored, nothing to set aside again.
expect_contains "$OUT" "^views of ML-UTM rebuilt from the stored records: [0-9]+ reports counted, 1 held for a later month, 0 set aside \(bad value\)"
expect_exit 0 "$MUTSYNC" -d "$U" view --period "$YEAR" --format csv
cp "$OUT" "$data/after.csv"
expect_exit 0 "$MUTSYNC" -d "$U" view --period "$OLD" --format csv
cat "$OUT" >>"$data/after.csv"
cmp -s "$data/after.csv" "$data/before.csv" || fail "the rebuilt view differs from the one kept by differences"
expect_exit 0 "$MUTSYNC" -d "$U" view held
expect_contains "$OUT" "^1 reports held"
echo "bad figures kept in the chain, never counted; corrections exact; rebuild identical"
