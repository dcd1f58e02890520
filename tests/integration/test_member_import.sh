#!/bin/bash
#  A mutual imports its register: counts, feeds, re-import, updates, and the
#  spreadsheet variants real registers come in (BOM, CRLF, ';').
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de santé de Bamako"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 2500 --seed 7 >"$data/members.csv"

empty=$(store_digest "$node")
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/members.csv"
#  The digest the refusal tests compare does see an import.
[ "$(store_digest "$node")" != "$empty" ] || fail "store_digest did not change with an import"
expect_contains "$OUT" "2500 rows, 2500 added, 0 updated, 0 unchanged; 3 change sets signed \(seq 1\.\.3\); [0-9]+ reports published"

#  The register holds exactly the rows of the file, field for field.
expect_exit 0 "$MUTSYNC" -d "$node" member list --format csv
cmp <(sort "$data/members.csv") <(sort "$OUT") || fail "member list differs from the imported file"

expect_exit 0 "$MUTSYNC" -d "$node" feed list --format json
expect_contains "$OUT" '"org":"ML-UTM-001","feed":"register","seq":3'
#  The org card (seq 1) and the indicator reports the import changed (seq 2).
expect_contains "$OUT" '"org":"ML-UTM-001","feed":"public","seq":2'

#  Importing the same file again writes nothing.
before=$(store_digest "$node")
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/members.csv"
expect_contains "$OUT" "2500 rows, 0 added, 0 updated, 2500 unchanged; 0 reports published$"
[ "$(store_digest "$node")" = "$before" ] || fail "an unchanged re-import changed the store"

#  One member leaves, one is added: one change set with two changes.
sed -e 's/^\(ML-UTM-001-0000010,.*\),active$/\1,left/' "$data/members.csv" >"$data/changed.csv"
grep -q '^ML-UTM-001-0000010,.*,left$' "$data/changed.csv" || fail "test data: member 10 not active"
echo 'ML-UTM-001-0099999,ML-UTM-001-H099999,Traoré,Awa,F,1990-05-17,Niono,2024-01-02,adherent,self,active' >>"$data/changed.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/changed.csv"
expect_contains "$OUT" "2501 rows, 1 added, 1 updated, 2499 unchanged; 1 change sets signed \(seq 4\.\.4\); [0-9]+ reports published"
expect_exit 0 "$MUTSYNC" -d "$node" member show ML-UTM-001-0000010 --format json
expect_contains "$OUT" '"status":"left"'
expect_contains "$OUT" '"register_seq":4'
#  An active member moves to another household and its sex is corrected:
#  it is counted once still, under its new sex (the update replaces the
#  record the views had counted; it is not counted as a new member).
figure() { grep -o "\"$1\":[0-9]*" "$2" | cut -d: -f2; }
expect_exit 0 "$MUTSYNC" -d "$node" view --format json --indicators all
cp "$OUT" "$data/before.json"
awk -F, 'BEGIN { OFS = "," }
    NR > 1 && !moved && $11 == "active" && $5 == "F" && $1 != "ML-UTM-001-0000010" {
        $2 = "ML-UTM-001-H099998"; $5 = "M"; moved = 1 }
    { print }' "$data/changed.csv" >"$data/moved.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/moved.csv"
expect_contains "$OUT" "0 added, 1 updated"
expect_exit 0 "$MUTSYNC" -d "$node" view --format json --indicators all
[ "$(figure beneficiaries "$OUT")" -gt 0 ] || fail "no beneficiaries counted"
[ "$(figure beneficiaries "$OUT")" = "$(figure beneficiaries "$data/before.json")" ] ||
    fail "a member updated in place is counted twice"
[ "$(figure women_beneficiaries "$OUT")" = "$(($(figure women_beneficiaries "$data/before.json") - 1))" ] ||
    fail "a member's corrected sex is not counted"

#  A spreadsheet saved with BOM, CRLF and ';' gives the same register.
other=$(ms_tmpdir)/other
expect_exit 0 "$MUTSYNC" -d "$other" init --org ML-UTM-001 --role mutual --country ML --name "Bamako"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 2500 --seed 7 --bom --crlf --semicolon >"$data/excel.csv"
expect_exit 0 "$MUTSYNC" -d "$other" member import "$data/excel.csv"
expect_contains "$OUT" "2500 added"
cmp <("$MUTSYNC" -d "$other" member list --format csv | sort) <(sort "$data/members.csv") ||
    fail "the BOM/CRLF/';' file did not give the same register"

#  member add: the same validation as a file row.
expect_exit 1 "$MUTSYNC" -d "$node" member add --id ML-UTM-001-0100000 --household H1 \
    --family-name Diarra --given-name Oumar --sex X --birth-date 1980-01-01 --village Niono \
    --enrollment-date 2020-01-01 --category adherent --relationship self
expect_contains "$ERR" 'member add: --sex: "X" is not one of F, M'
expect_exit 0 "$MUTSYNC" -d "$node" member add --id ML-UTM-001-0100000 --household H1 \
    --family-name Diarra --given-name Oumar --sex M --birth-date 1980-01-01 --village Niono \
    --enrollment-date 2020-01-01 --category adherent --relationship self
expect_contains "$OUT" "member ML-UTM-001-0100000 added"

expect_exit 0 "$MUTSYNC" -d "$node" feed verify
expect_contains "$OUT" "checked 2 feeds, [0-9]+ change sets, [0-9]+ changes, [0-9]+ bytes in [0-9.]+ s: all signatures, ids and hash chains hold"

#  A register of very short rows needs more store than the import sizes
#  ahead from the file, so the map fills while the reader thread is at work:
#  the run is cancelled, the map grown and the file read again from the
#  first row. Nothing of the first run may remain (no duplicate key, no
#  change set sealed twice).
short=$(ms_tmpdir)/short
expect_exit 0 "$MUTSYNC" -d "$short" init --org ML-UTM-002 --role mutual --country ML --name Ségou
awk 'BEGIN { print "member_id,household_id,family_name,given_name,sex,birth_date,village,enrollment_date,category,relationship,status"
             for (i = 1; i <= 100000; i++)
                 printf "M%d,H%d,B,K,%s,1956-11-16,V,2022-06-05,adherent,self,active\n", i, i, (i % 3 ? "F" : "M") }' >"$data/short.csv"
estimate=$(($(stat -c %s "$data/short.csv") * 3 + 4 * 1048576))
expect_exit 0 "$MUTSYNC" -d "$short" member import "$data/short.csv"
expect_contains "$OUT" "100000 rows, 100000 added, 0 updated, 0 unchanged; 100 change sets signed \(seq 1\.\.100\)"
[ "$(stat -c %s "$short/data.mdb")" -gt "$estimate" ] ||
    fail "test data: the store did not outgrow the import's estimate, the map never filled"
expect_exit 0 "$MUTSYNC" -d "$short" view --format json
expect_contains "$OUT" '"beneficiaries":100000,'
expect_contains "$OUT" '"women_beneficiaries":66667,'
expect_exit 0 "$MUTSYNC" -d "$short" feed verify
expect_contains "$OUT" "checked 2 feeds, 102 change sets, 100018 changes"
echo "ok"
