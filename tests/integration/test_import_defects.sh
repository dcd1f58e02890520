#!/bin/bash
#  Every defect of a register file is refused with its line, column and
#  reason, and the store is left exactly as it was.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
data=$(ms_tmpdir)
expect_exit 0 "$MUTSYNC" -d "$node" init --org ML-UTM-001 --role mutual --country ML --name "Bamako"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 300 --seed 3 >"$data/good.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$data/good.csv"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 1200 --seed 3 >"$data/base.csv"
digest=$(store_digest "$node")

#  refused FILE PATTERN: the import exits 1, says PATTERN, changes nothing.
refused()
{
    expect_exit 1 "$MUTSYNC" -d "$node" member import "$1"
    expect_contains "$ERR" "$2"
    [ "$(store_digest "$node")" = "$digest" ] || fail "store changed after refusing $1"
}

#  Line 1001 of the file is data row 1000: break it in each way.
break_row()
{
    awk -v n=1001 -v expr="$2" 'BEGIN { FS = OFS = "," }
        NR == n { split(expr, kv, "="); $(kv[1]) = kv[2] } { print }' \
        "$data/base.csv" >"$data/$1.csv"
}
break_row bad_date '6=2019-02-31'
refused "$data/bad_date.csv" 'bad_date.csv:1001: column birth_date: "2019-02-31" is not a date'
break_row bad_sex '5=X'
refused "$data/bad_sex.csv" 'bad_sex.csv:1001: column sex: "X" is not one of F, M'
break_row bad_status '11=gone'
refused "$data/bad_status.csv" 'bad_status.csv:1001: column status: "gone" is not one of active, suspended, left'
break_row early '8=1900-01-01'
refused "$data/early.csv" 'early.csv:1001: column enrollment_date: is before the birth date'
break_row empty_family '3='
refused "$data/empty_family.csv" 'empty_family.csv:1001: column family_name: is empty'

#  A member id twice in the file names both lines.
{ cat "$data/base.csv"; sed -n 5p "$data/base.csv"; } >"$data/duplicate.csv"
refused "$data/duplicate.csv" 'duplicate.csv:1202: column member_id: member "ML-UTM-001-0000004" appears twice in the file \(first on line 5\)'
#  A duplicate followed by a bad row: the first fault in the file is named.
awk -v dup="$(sed -n 5p "$data/base.csv")" 'BEGIN { FS = OFS = "," }
    NR == 601 { $5 = "X" } { print } NR == 600 { print dup }' "$data/base.csv" >"$data/dup_then_bad.csv"
refused "$data/dup_then_bad.csv" 'dup_then_bad.csv:601: column member_id: member "ML-UTM-001-0000004" appears twice in the file \(first on line 5\)'

#  A missing column is named.
cut -d, -f1-5,7- "$data/base.csv" >"$data/no_birth.csv"
refused "$data/no_birth.csv" 'missing column "?birth_date'

#  A row with a field too many.
sed '700s/$/,extra/' "$data/base.csv" >"$data/wide.csv"
refused "$data/wide.csv" 'wide.csv:700:'

#  Windows-1252 text is refused unless the user says so; then it is converted.
printf 'member_id,household_id,family_name,given_name,sex,birth_date,village,enrollment_date,category,relationship,status\r\n' >"$data/cp1252.csv"
printf 'ML-UTM-001-0005000,ML-UTM-001-H005000,B\xe2,Kadiatou,F,1990-01-01,S\xe9gou,2015-03-01,adherent,self,active\r\n' >>"$data/cp1252.csv"
refused "$data/cp1252.csv" 'cp1252.csv:2: .*(UTF-8|utf-8).*cp1252'
expect_exit 0 "$MUTSYNC" -d "$node" member import --encoding cp1252 "$data/cp1252.csv"
expect_exit 0 "$MUTSYNC" -d "$node" member show ML-UTM-001-0005000 --format json
expect_contains "$OUT" '"family_name":"Bâ"'
expect_contains "$OUT" '"village":"Ségou"'
echo "ok"
