#!/bin/bash
#  export: the CSV inventory, DHIS2 dataValueSets JSON and IHE ADX XML, as
#  DHIS2 takes them: ADX valid against the IHE schema (tests/vectors/adx),
#  a dataSet on every group, no empty group, completeDate only for closed
#  periods; DHIS2 JSON parsed back with its id scheme; a mapping file for
#  both; --excel CSV; text escaped in XML and JSON; claim statuses in French.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
schema=$MS_LIB_ROOT/tests/vectors/adx/adx_loose.xsd
expect_exit 0 "$MUTSYNC" -d "$node" init --org SN-UNMS-001 --role mutual --country SN \
    --name "Mutuelle de santé de Thiès"
"$MS_GENDATA" members --mutual SN-UNMS-001 --n 200 >"$data/m.csv"
"$MS_GENDATA" contributions --mutual SN-UNMS-001 --n 200 >"$data/c.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/m.csv"
expect_exit 0 "$MUTSYNC" -d "$node" contribution import "$data/c.csv"
expect_exit 0 "$MUTSYNC" -d "$node" profile set --created 2012-03-01 --guarantees primary_care,sonu \
    --target-population 5000 --year 2026
paid=$(awk -F, 'FNR > 1 && $2 == "2026-10" { p += $4 } END { print p }' "$data/c.csv")
#  (awk, not head: with pipefail, head closing early may kill sort with SIGPIPE)
first=$(awk -F, 'FNR > 1 { print $2 }' "$data/c.csv" | sort | awk 'NR == 1')
before=$(date -d "${first}-01 -1 month" +%Y-%m)

#  CSV: the card (founding date, card year, guarantees) and every indicator.
expect_exit 0 "$MUTSYNC" -d "$node" export --format csv --period 2026-10
expect_contains "$OUT" "^org,name,country,parent,period,created,card_year,legal_status,commune,offers_primary_care,offers_hospitalization,offers_childbirth,offers_sonu,offers_drugs,card_target_population,beneficiaries,"
expect_contains "$OUT" "^SN-UNMS-001,Mutuelle de santé de Thiès,SN,,2026-10,2012-03-01,2026,,,1,0,0,1,0,5000,[0-9]+,"
#  --excel: ';' and a BOM.
expect_exit 0 "$MUTSYNC" -d "$node" export --format csv --period 2026-10 --excel
[ "$(head -c 3 "$OUT" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM in --excel CSV"
expect_contains "$OUT" "^SN-UNMS-001;Mutuelle de santé de Thiès;SN;;2026-10;2012-03-01;2026;"
expect_exit 0 "$MUTSYNC" -d "$node" member list --excel
[ "$(head -c 3 "$OUT" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM in member list --excel"
expect_contains "$OUT" "member_id;household_id;"
expect_exit 0 "$MUTSYNC" -d "$node" view --period 2026-10 --excel
expect_contains "$OUT" "^total;mutual;SN;2026-10;"
expect_exit 0 "$MUTSYNC" -d "$node" inventory --excel
expect_contains "$OUT" "scope;mutuals;"
expect_exit 2 "$MUTSYNC" -d "$node" view --excel --format json
#  No data is not 0: a month before the first report is empty in CSV.
expect_exit 0 "$MUTSYNC" -d "$node" export --format csv --period "$before"
expect_contains "$OUT" "^SN-UNMS-001,.*,5000,,,,,,"
expect_not_contains "$OUT" "^SN-UNMS-001,.*,5000,0,"

#  DHIS2: data set, id scheme, every value a string; parsed back.
expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period 2026-10
expect_contains "$OUT" "\"dataElement\": \"contributions_paid_xof\", \"period\": \"202610\", \"orgUnit\": \"SN-UNMS-001\", \"value\": \"$paid\""
expect_not_contains "$OUT" "collection_rate"
python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) == {"dataSet", "idScheme", "dataValues"}, doc.keys()
assert doc["idScheme"] == "code" and doc["dataSet"] == "MUTSYNC_MHO"
assert doc["dataValues"]
for v in doc["dataValues"]:
    assert set(v) == {"dataElement", "period", "orgUnit", "value"}, v
    assert all(isinstance(x, str) for x in v.values()), v
    int(v["value"])' "$OUT" || fail "DHIS2 document is not as documented"
expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period 2026Q4 --data-set DS_MHO
expect_contains "$OUT" '"period": "2026Q4"'
expect_contains "$OUT" '"dataSet": "DS_MHO"'
expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period "$before"
expect_contains "$OUT" '"dataValues": \[ \]'

#  ADX: valid against the IHE schema; dataSet on every group; completeDate
#  for the closed month only; a period without data is refused, not empty.
adx_check()
{
    xmllint --nonet --noout --schema "$schema" "$1" 2>"$data/xmllint.err" ||
        fail "ADX does not validate: $(cat "$data/xmllint.err")"
    [ "$(xmllint --xpath 'count(//*[local-name()="group"][not(@dataSet) or not(@orgUnit) or not(@period)])' "$1")" = 0 ] ||
        fail "an ADX group lacks dataSet, orgUnit or period"
    [ "$(xmllint --xpath 'count(//*[local-name()="group"][not(*[local-name()="dataValue"])])' "$1")" = 0 ] ||
        fail "an ADX group is empty"
}
expect_exit 0 "$MUTSYNC" -d "$node" export --format adx --period 2026-10
cp "$OUT" "$data/adx.xml"
adx_check "$data/adx.xml"
expect_contains "$OUT" '^<adx xmlns="urn:ihe:qrph:adx:2015" exported="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z">$'
expect_contains "$OUT" '<group orgUnit="SN-UNMS-001" period="2026-10-01/P1M" dataSet="MUTSYNC_MHO" completeDate="[0-9-]{10}">'
this_month=$(date -u +%Y-%m)
expect_exit 0 "$MUTSYNC" -d "$node" export --format adx --period "$this_month"
cp "$OUT" "$data/open.xml"
adx_check "$data/open.xml"
expect_not_contains "$OUT" "completeDate"
expect_exit 1 "$MUTSYNC" -d "$node" export --format adx --period "$before"
expect_contains "$ERR" "no figure for $before"
[ ! -s "$OUT" ] || fail "a refused ADX export wrote something"

#  A mapping file renames codes in DHIS2 and ADX; text is escaped.
printf '\xef\xbb\xbfkind,code,dhis2\r\nindicator,beneficiaries,BEN&<"x">\r\norg,SN-UNMS-001,OU_THIES\r\n' >"$data/map.csv"
expect_exit 0 "$MUTSYNC" -d "$node" export --format adx --period 2026-10 --map "$data/map.csv"
cp "$OUT" "$data/mapped.xml"
adx_check "$data/mapped.xml"
expect_contains "$OUT" '<group orgUnit="OU_THIES" '
expect_contains "$OUT" 'dataElement="BEN&amp;&lt;&quot;x&quot;&gt;"'
expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period 2026-10 --map "$data/map.csv"
python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
assert any(v["dataElement"] == "BEN&<\"x\">" for v in doc["dataValues"])
assert all(v["orgUnit"] == "OU_THIES" for v in doc["dataValues"])' "$OUT" ||
    fail "the mapping did not apply to DHIS2 JSON"
printf 'kind,code,dhis2\nprogram,x,y\n' >"$data/bad.csv"
expect_exit 1 "$MUTSYNC" -d "$node" export --format dhis2 --map "$data/bad.csv"
expect_contains "$ERR" "bad.csv:2: column kind"
expect_exit 2 "$MUTSYNC" -d "$node" export --format xls
expect_exit 2 "$MUTSYNC" -d "$node" export --format adx --excel

#  Claim statuses as French spreadsheets write them; anything else refused.
cat >"$data/claims.csv" <<'EOF'
claim_id,member_id,provider_id,care_date,care_type,billed_xof,covered_xof,generic_drugs,status
K1,M1,P1,2026-10-05,consultation,1000,800,oui,payé
K2,M1,P1,2026-10-06,consultation,1000,800,oui,Rejeté
K3,M1,P1,2026-10-07,consultation,1000,800,non,REFUSÉ
K4,M1,P1,2026-10-08,sonu,2000,1500,non,réglé
K5,M1,P1,2026-10-09,consultation,1000,700,non,En attente
K6,M1,P1,2026-10-10,consultation,1000,900,non,rejected
EOF
expect_exit 0 "$MUTSYNC" -d "$node" claim import "$data/claims.csv"
expect_exit 0 "$MUTSYNC" -d "$node" view --period 2026-10 --format json --indicators claims,claims_covered_xof
python3 -c 'import json, sys
rows = json.load(open(sys.argv[1]))
v = [r for r in rows if r["org"] == "total"][0]["values"]
assert v == {"claims": 3, "claims_covered_xof": 3000}, v' "$OUT" ||
    fail "rejected claims counted: $(cat "$OUT")"
sed 's/,REFUSÉ$/,annulé/' "$data/claims.csv" >"$data/bad-claims.csv"
expect_exit 1 "$MUTSYNC" -d "$node" claim import "$data/bad-claims.csv"
expect_contains "$ERR" 'bad-claims.csv:4: column status: "annulé" is not'
echo "exports ok"
