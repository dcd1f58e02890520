#!/bin/bash
#  export: the CSV inventory, DHIS2 dataValueSets JSON and IHE ADX XML, with
#  the structure those formats document and period codes in their forms.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org SN-UNMS-001 --role mutual --country SN \
    --name "Mutuelle de santé de Thiès"
"$MS_GENDATA" members --mutual SN-UNMS-001 --n 200 >"$data/m.csv"
"$MS_GENDATA" contributions --mutual SN-UNMS-001 --n 200 >"$data/c.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/m.csv"
expect_exit 0 "$MUTSYNC" -d "$node" contribution import "$data/c.csv"
paid=$(awk -F, 'FNR > 1 && $2 == "2026-10" { p += $4 } END { print p }' "$data/c.csv")

expect_exit 0 "$MUTSYNC" -d "$node" export --format csv --period 2026-10
expect_contains "$OUT" "^org,name,country,parent,period,beneficiaries,"
expect_contains "$OUT" "^SN-UNMS-001,Mutuelle de santé de Thiès,SN,,2026-10,"

expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period 2026-10
expect_contains "$OUT" "\"dataElement\": \"contributions_paid_xof\", \"period\": \"202610\", \"orgUnit\": \"SN-UNMS-001\", \"value\": \"$paid\""
expect_not_contains "$OUT" "collection_rate"
expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period 2026Q4
expect_contains "$OUT" '"period": "2026Q4"'

expect_exit 0 "$MUTSYNC" -d "$node" export --format adx --period 2026
expect_contains "$OUT" '^<adx xmlns="urn:ihe:qrph:adx:2015" exported="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z">$'
expect_contains "$OUT" '<group orgUnit="SN-UNMS-001" period="2026-01-01/P1Y" completeDate="[0-9-]{10}">'
expect_contains "$OUT" '<dataValue dataElement="beneficiaries" value="[0-9]+"/>'
cp "$OUT" "$data/adx.xml"

#  Well-formed documents, when the checkers are there.
if command -v python3 >/dev/null; then
    expect_exit 0 "$MUTSYNC" -d "$node" export --format dhis2 --period 2026-10
    python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) == {"dataValues"} and doc["dataValues"]
for v in doc["dataValues"]:
    assert set(v) == {"dataElement", "period", "orgUnit", "value"}, v
    assert all(isinstance(x, str) for x in v.values()), v
    float(v["value"])' "$OUT" || fail "DHIS2 document is not as documented"
    python3 -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{urn:ihe:qrph:adx:2015}"
assert root.tag == ns + "adx" and root.get("exported")
groups = root.findall(ns + "group")
assert groups
for g in groups:
    assert g.get("orgUnit") and g.get("period")
    for d in g.findall(ns + "dataValue"):
        float(d.get("value")); assert d.get("dataElement")' "$data/adx.xml" ||
        fail "ADX document is not as documented"
fi
expect_exit 2 "$MUTSYNC" -d "$node" export --format xls
echo "exports ok"
