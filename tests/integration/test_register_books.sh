#!/bin/bash
#  A mutual's books: contributions and claims imported all or nothing, the
#  bad row named; providers, complaints and the profile card; claims and
#  complaints in the care feed; the indicators they move.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org BJ-UCMS-001 --role mutual --country BJ \
    --name "Mutuelle de santé de Bembéréké"
"$MS_GENDATA" members --mutual BJ-UCMS-001 --n 300 >"$data/m.csv"
"$MS_GENDATA" contributions --mutual BJ-UCMS-001 --n 300 --months 6 --semicolon --crlf >"$data/c.csv"
"$MS_GENDATA" claims --mutual BJ-UCMS-001 --n 300 --count 150 >"$data/cl.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/m.csv"

#  A bad row anywhere imports nothing and names line, column and why.
rows=$(($(wc -l <"$data/c.csv") - 1))
awk 'NR == 40 { sub(/2026-/, "2026-13-") } { print }' "$data/c.csv" >"$data/bad.csv"
before=$(store_digest "$node")
expect_exit 1 "$MUTSYNC" -d "$node" contribution import "$data/bad.csv"
expect_contains "$ERR" "bad.csv:40: column period"
[ "$(store_digest "$node")" = "$before" ] || fail "a refused file changed the store"
awk -F, -v OFS=, 'NR == 7 { $7 = $6 + 50 } { print }' "$data/cl.csv" >"$data/badcl.csv"
expect_exit 1 "$MUTSYNC" -d "$node" claim import "$data/badcl.csv"
expect_contains "$ERR" "badcl.csv:7: column covered_xof: is more than billed_xof"

expect_exit 0 "$MUTSYNC" -d "$node" contribution import "$data/c.csv"
expect_contains "$OUT" "$rows rows, $rows added, 0 updated, 0 unchanged; 1 change sets signed \(seq [0-9]+\.\.[0-9]+\); [0-9]+ reports published"
expect_exit 0 "$MUTSYNC" -d "$node" contribution import "$data/c.csv"
expect_contains "$OUT" "$rows rows, 0 added, 0 updated, $rows unchanged; 0 reports published"
expect_exit 0 "$MUTSYNC" -d "$node" contribution list --format csv
[ "$(($(wc -l <"$OUT") - 1))" = "$rows" ] || fail "contribution list lost rows"
expect_exit 0 "$MUTSYNC" -d "$node" claim import "$data/cl.csv"
expect_contains "$OUT" "150 rows, 150 added"
expect_exit 0 "$MUTSYNC" -d "$node" claim list --format csv
cmp <(tail -n +2 "$data/cl.csv" | sort) <(tail -n +2 "$OUT" | sort) || fail "claim list differs"

expect_exit 0 "$MUTSYNC" -d "$node" provider add --id BJ-CS-001 --name "CS de Bembéréké" \
    --level CSCOM --from 2024-01-01
expect_contains "$OUT" "provider BJ-CS-001 added"
expect_exit 0 "$MUTSYNC" -d "$node" provider list --format json
expect_contains "$OUT" '"level": ?"CSCOM"'
expect_exit 0 "$MUTSYNC" -d "$node" complaint add --id P-1 --date 2026-10-03 \
    --provider BJ-CS-001 --subject "Attente trop longue"
expect_exit 0 "$MUTSYNC" -d "$node" complaint list --format csv
expect_contains "$OUT" "^complaint_id,date,provider_id,subject,status$"
expect_contains "$OUT" "^P-1,2026-10-03,BJ-CS-001,Attente trop longue,open$"
#  Without --format, a table: a header row and aligned columns.
expect_exit 0 "$MUTSYNC" -d "$node" complaint list
expect_contains "$OUT" "^complaint +date +provider +subject +status$"
expect_contains "$OUT" "^P-1 +2026-10-03 +BJ-CS-001 +Attente trop longue +open$"
expect_exit 0 "$MUTSYNC" -d "$node" provider list
expect_contains "$OUT" "^provider +name +level +convention from +until$"
expect_contains "$OUT" "^BJ-CS-001 +CS de Bembéréké +CSCOM"
expect_exit 2 "$MUTSYNC" -d "$node" complaint add --id P-2 --date 2026-02-30 --subject x

expect_exit 0 "$MUTSYNC" -d "$node" profile set --created 2004-03-01 --target-population 45000 \
    --guarantees primary_care,childbirth,drugs --governance-members 9 --governance-women 4 \
    --support-partner "Union Communale" --focal-point "Gérant"
expect_exit 0 "$MUTSYNC" -d "$node" profile show --format json
expect_contains "$OUT" '"target_population": ?45000'
expect_contains "$OUT" '"childbirth"'
expect_not_contains "$OUT" '"sonu"'
expect_exit 2 "$MUTSYNC" -d "$node" profile set --guarantees dental

#  Care stays in the care feed; the public feed holds the card and reports.
expect_exit 0 "$MUTSYNC" -d "$node" feed list --format json
expect_contains "$OUT" '"feed":"care","seq":2'
expect_exit 0 "$MUTSYNC" -d "$node" view --period 2026-10 --format csv
complaints=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "complaints") c = i; next }
    { print $c }' "$OUT")
[ "$complaints" = 1 ] || fail "complaints in 2026-10: $complaints"
target=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "target_population") c = i; next }
    { print $c }' "$OUT")
[ "$target" = 45000 ] || fail "target population: $target"
expect_exit 0 "$MUTSYNC" -d "$node" indicator list --format csv
expect_contains "$OUT" "^penetration_rate,ratio,ratio,beneficiaries,target_population,"
echo "registers ok"
