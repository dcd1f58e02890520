#!/bin/bash
#  Each level's view against figures computed here, independently, from the
#  raw CSV rows: two mutuals -> one union -> the secretariat, reports carried
#  up in bundles. Then a member leaves and a contribution is corrected: after
#  the next carry every level moves by exactly the difference.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
data=$(ms_tmpdir)
S=$root/sec
U=$root/uni
YEAR=2026
MUTUALS="ML-UTM-001 ML-UTM-002"

key_of()
{
    "$MUTSYNC" -d "$1" whoami | awk '$1 == "key" { print $2 }'
}

expect_exit 0 "$MUTSYNC" -d "$S" init --org WCA-SEC --role secretariat --country SN --name Secretariat
KS=$(key_of "$S")
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM \
    --parent WCA-SEC --parent-key "$KS"
KU=$(key_of "$U")
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM --key "$KU"

n=0
for org in $MUTUALS; do
    n=$((n + 1))
    expect_exit 0 "$MUTSYNC" -d "$root/$org" init --org "$org" --role mutual --country ML \
        --name "Mutuelle $org" --parent ML-UTM --parent-key "$KU" --root WCA-SEC --root-key "$KS"
    expect_exit 0 "$MUTSYNC" -d "$U" child add --org "$org" --role mutual --country ML \
        --name "Mutuelle $org" --key "$(key_of "$root/$org")"
    "$MS_GENDATA" members --mutual "$org" --n $((250 * n)) --seed 3 >"$data/$org-m.csv"
    "$MS_GENDATA" contributions --mutual "$org" --n $((250 * n)) --seed 3 >"$data/$org-c.csv"
    "$MS_GENDATA" claims --mutual "$org" --n $((250 * n)) --count 300 --seed 3 >"$data/$org-cl.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" member import "$data/$org-m.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" contribution import "$data/$org-c.csv"
    expect_contains "$OUT" "reports published"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" claim import "$data/$org-cl.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" profile set --target-population $((20000 * n)) \
        --created 201$n-06-01 --guarantees primary_care,sonu
done

#  Moves every mutual's feeds to the union, then the union's to the secretariat.
carry_up()
{
    local org
    for org in $MUTUALS; do
        expect_exit 0 "$MUTSYNC" -d "$root/$org" view --period "$YEAR" #  publishes pending reports
        expect_exit 0 "$MUTSYNC" -d "$root/$org" bundle export "$data/$org.msb"
        expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$data/$org.msb"
        expect_contains "$OUT" " 0 refused"
    done
    expect_exit 0 "$MUTSYNC" -d "$U" bundle export "$data/uni.msb"
    expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$data/uni.msb"
    expect_contains "$OUT" " 0 refused"
}

#  The month whose stocks stand for the year: the last one reported in it
#  (reports run to the current month, from the data's first month on).
#  YYYY-MM strings sort as months do, so they compare as strings.
NOW=$(date -u +%Y-%m)
LAST=$YEAR-10
# shellcheck disable=SC2071
[[ "$NOW" > "$LAST" ]] && LAST=$NOW
# shellcheck disable=SC2071
[[ "$LAST" > "$YEAR-12" ]] && LAST=$YEAR-12

#  expected ORG... prints "code value" lines for the union of ORGs' files:
#  stocks at the end of $LAST, flows over $YEAR. LEFT_AT_NOW names members
#  marked left this month: they count in months before $NOW only.
expected()
{
    local members=() contributions=() claims=() org
    for org in "$@"; do
        members+=("$data/$org-m.csv")
        contributions+=("$data/$org-c.csv")
        claims+=("$data/$org-cl.csv")
    done
    awk -F, -v end="$LAST-31" -v last="$LAST" -v now="$NOW" -v left_now="${LEFT_AT_NOW:-}" \
        'FNR > 1 && $8 <= end && ($11 == "active" || (index(" " left_now " ", " " $1 " ") && last < now)) {
            b++; if ($9 == "adherent") a++; if ($5 == "F") w++; h[$2] = 1 }
         END { printf "beneficiaries %d\nadherents %d\nwomen_beneficiaries %d\nhouseholds %d\n",
                      b, a, w, length(h) }' "${members[@]}"
    awk -F, -v y="$YEAR" 'FNR > 1 && substr($2, 1, 4) == y { d += $3; p += $4 }
        END { printf "contributions_due_xof %d\ncontributions_paid_xof %d\ncollection_rate %.4f\n",
                     d, p, d ? p / d : 0 }' "${contributions[@]}"
    awk -F, -v y="$YEAR" 'FNR > 1 && substr($4, 1, 4) == y && $9 != "rejected" {
            c++; b += $6; v += $7; if ($8 == "yes") g++; if ($5 == "sonu") s++ }
        END { printf "claims %d\nclaims_billed_xof %d\nclaims_covered_xof %d\nsonu_cases %d\n",
                     c, b, v, s; printf "generic_drug_rate %.4f\n", c ? g / c : 0 }' "${claims[@]}"
}

#  check NODE ROW ORG...: NODE's view row ROW equals the figures of ORGs.
check()
{
    local node=$1 row=$2 code want got
    shift 2
    expect_exit 0 "$MUTSYNC" -d "$node" view --period "$YEAR" --format csv
    cp "$OUT" "$MS_TEST_ROOT/view.csv"
    while read -r code want; do
        got=$(awk -F, -v row="$row" -v code="$code" \
            'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
             $1 == row { print $col[code] }' "$MS_TEST_ROOT/view.csv")
        [ "$got" = "$want" ] || fail "$(basename "$node") row $row: $code is '$got', expected $want"
    done < <(expected "$@")
}

carry_up
check "$root/ML-UTM-001" total ML-UTM-001
check "$root/ML-UTM-002" total ML-UTM-002
check "$U" ML-UTM-001 ML-UTM-001
check "$U" ML-UTM-002 ML-UTM-002
check "$U" total $MUTUALS
check "$S" ML-UTM $MUTUALS
check "$S" ML-UTM-002 ML-UTM-002
check "$S" total $MUTUALS

#  By country at the secretariat, and the inventory.
expect_exit 0 "$MUTSYNC" -d "$S" view --period "$YEAR" --by country --format csv
expect_contains "$OUT" "^ML,country,ML,$YEAR,$(expected $MUTUALS | awk '$1 == "beneficiaries" { print $2 }'),"
expect_exit 0 "$MUTSYNC" -d "$S" inventory --year "$YEAR" --format csv
benef=$(expected $MUTUALS | awk '$1 == "beneficiaries" { print $2 }')
adher=$(expected $MUTUALS | awk '$1 == "adherents" { print $2 }')
pen=$(awk -v b="$benef" 'BEGIN { printf "%.4f", b / 60000 }')
#  scope,mutuals,adherents,beneficiaries,target,penetration,prim,hosp,birth,sonu,drugs,age,cards
expect_contains "$OUT" "^ML,2,$adher,$benef,60000,$pen,2,0,0,2,0,14\.5,[0-9]+$"
expect_contains "$OUT" "^total,2,$adher,$benef,60000,$pen,"
expect_not_contains "$OUT" "^SN,"
expect_exit 0 "$MUTSYNC" -d "$S" inventory --year 2011
expect_contains "$OUT" "^ML +1 "

#  Claims and complaints never leave the mutual; their figures do.
expect_exit 0 "$MUTSYNC" -d "$U" feed list --format json
expect_not_contains "$OUT" '"feed":"care"'
expect_not_contains "$OUT" '"feed":"register"'

#  A member leaves, a contribution is corrected: every level moves by the difference.
leaver=$(awk -F, 'NR > 1 && $11 == "active" && $8 < "2020" { print $1; exit }' "$data/ML-UTM-001-m.csv")
sed -i "s/^\($leaver,.*\),active$/\1,left/" "$data/ML-UTM-001-m.csv"
row=$(awk -F, -v y="$YEAR" 'NR > 1 && substr($2, 1, 4) == y && $4 == 0 { print NR; exit }' \
    "$data/ML-UTM-002-c.csv")
awk -F, -v OFS=, -v r="$row" -v y="$YEAR" 'NR == r { $4 = $3; $5 = y "-05-02" } { print }' \
    "$data/ML-UTM-002-c.csv" >"$data/fixed.csv"
mv "$data/fixed.csv" "$data/ML-UTM-002-c.csv"
expect_exit 0 "$MUTSYNC" -d "$root/ML-UTM-001" member import "$data/ML-UTM-001-m.csv"
expect_contains "$OUT" "1 updated"
expect_exit 0 "$MUTSYNC" -d "$root/ML-UTM-002" contribution import "$data/ML-UTM-002-c.csv"
expect_contains "$OUT" "1 updated"
carry_up
export LEFT_AT_NOW=$leaver
check "$root/ML-UTM-001" total ML-UTM-001
check "$U" ML-UTM-001 ML-UTM-001
check "$U" ML-UTM-002 ML-UTM-002
check "$U" total $MUTUALS
check "$S" ML-UTM $MUTUALS
check "$S" total $MUTUALS

#  Quarter and month views agree with the year's months.
expect_exit 0 "$MUTSYNC" -d "$S" view --period "${YEAR}-10" --org ML-UTM --format csv
due=$(awk -F, -v m="$YEAR-10" 'FNR > 1 && $2 == m { d += $3 } END { print d }' \
    "$data/ML-UTM-001-c.csv" "$data/ML-UTM-002-c.csv")
expect_contains "$OUT" "^ML-UTM,union,ML,$YEAR-10,([0-9]+,){5}$due,"
echo "views at every level match the raw files"
