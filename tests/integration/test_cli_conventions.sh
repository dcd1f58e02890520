#!/bin/bash
#  The conventions every command follows: --version on both programs;
#  --format=json is --format json; -d before or after the command, else
#  $MUTSYNC_DIR, else ./mutsync-node; numbers checked (a refusal is exit 2
#  and changes nothing); messages in French or English by the locale's
#  language or --lang, output for machines in neither.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
node=$root/node
identity=(--org ML-UTM-001 --role mutual --country ML --name "Ségou")

#  --version prints the version of project() in CMakeLists.txt.
version=$(sed -n 's/^project(mutsync VERSION \([0-9.]*\).*/\1/p' "$MS_LIB_ROOT/CMakeLists.txt")
[ -n "$version" ] || fail "no project version in CMakeLists.txt"
expect_exit 0 "$MUTSYNC" --version
[ "$(cat "$OUT")" = "mutsync $version" ] || fail "mutsync --version: $(cat "$OUT")"
expect_exit 0 "$MUTSYNCD" --version
[ "$(cat "$OUT")" = "mutsyncd $version" ] || fail "mutsyncd --version: $(cat "$OUT")"

#  init checks --register-reach as config does: 0 or 1, digits only.
for bad in 7 2 -1 1x "" " 1" 0x1; do
    expect_exit 2 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach "$bad"
    expect_contains "$ERR" "register-reach must be a whole number from 0 to 1"
done
expect_exit 2 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach=7
[ ! -e "$node" ] || fail "a refused init created $node"

#  The same refusal in French, whether the locale exists (fr_SN does not in
#  Debian) or --lang asks for it, before or after the command; and in English.
french='--register-reach doit être un nombre entier de 0 à 1, pas "7"'
english='--register-reach must be a whole number from 0 to 1, not "7"'
expect_exit 2 env LANG=fr_SN.UTF-8 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach 7
expect_contains "$ERR" "^mutsync: $french$"
expect_contains "$ERR" "^usage : mutsync -d DOSSIER init --invite"
expect_exit 2 env LANG=fr_FR.UTF-8 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach 7
expect_contains "$ERR" "$french"
expect_exit 2 "$MUTSYNC" --lang fr -d "$node" init "${identity[@]}" --register-reach 7
expect_contains "$ERR" "$french"
expect_exit 2 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach 7 --lang=fr
expect_contains "$ERR" "$french"
expect_exit 2 env LC_ALL=C "$MUTSYNC" -d "$node" init --lang fr "${identity[@]}" --register-reach 7
expect_contains "$ERR" "$french"
expect_exit 2 env LANG=en_US.UTF-8 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach 7
expect_contains "$ERR" "^mutsync: $english$"
expect_contains "$ERR" "^usage: mutsync -d DIR init --invite"
expect_exit 2 env LANG=fr_SN.UTF-8 "$MUTSYNC" --lang en -d "$node" init "${identity[@]}" \
    --register-reach 7
expect_contains "$ERR" "$english"
expect_exit 2 env LANG=en_US.UTF-8 LC_ALL=fr_SN.UTF-8 "$MUTSYNC" init --register-reach 7
expect_contains "$ERR" "$french"
expect_exit 2 "$MUTSYNC" --lang de --version
expect_contains "$ERR" '--lang must be fr or en, not "de"'
[ ! -e "$node" ] || fail "a refused init created $node"

#  Help and the top-level usage, in both languages.
expect_exit 0 env LANG=fr_SN.UTF-8 "$MUTSYNC" --help
expect_contains "$OUT" "^  member       le registre des membres"
expect_exit 0 "$MUTSYNC" member --help --lang fr
expect_contains "$OUT" "^usage : mutsync -d DOSSIER member import"
expect_exit 0 "$MUTSYNC" member --help
expect_contains "$OUT" "^usage: mutsync -d DIR member import"

#  Other numbers: seconds and windows, in mutsync and mutsyncd, before any
#  node or socket is touched.
expect_exit 2 "$MUTSYNC" -d "$node" sync --timeout 10s
expect_contains "$ERR" '--timeout must be a number from 0.1 to [0-9]+, not "10s"'
expect_exit 2 "$MUTSYNC" -d "$node" sync --timeout=-5
expect_exit 2 "$MUTSYNC" -d "$node" sync --window 0
expect_exit 2 "$MUTSYNC" -d "$node" sync --interval abc --watch
expect_exit 2 "$MUTSYNCD" -d "$node" --listen tcp://127.0.0.1:1 --sync-interval 0.3s
expect_contains "$ERR" '^mutsyncd: --sync-interval must be a number'
expect_exit 2 env LANG=fr_SN.UTF-8 "$MUTSYNCD" -d "$node" --listen tcp://127.0.0.1:1 --window 65
expect_contains "$ERR" '^mutsyncd: --window doit être un nombre entier de 1 à 64, pas "65"'
expect_exit 2 "$MUTSYNCD" -d "$node" --listen tcp://127.0.0.1:1 --session-timeout 1e3
expect_exit 2 "$MUTSYNC" -d "$node" profile set --target-population 12.5
[ ! -e "$node" ] || fail "a refused command created $node"

#  A node, then the same questions asked in every form.
expect_exit 0 "$MUTSYNC" -d "$node" init "${identity[@]}" --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$node" whoami --format json
expect_contains "$OUT" '"register_reach":1'
"$MS_GENDATA" members --mutual ML-UTM-001 --n 40 >"$root/m.csv"
expect_exit 0 "$MUTSYNC" member import "$root/m.csv" -d "$node"
expect_contains "$OUT" "40 rows, 40 added"

#  Runs CMD... here and SECOND in $root; fails unless both succeed and
#  print the same.
same_output()
{
    local first second
    first=$("$@" 2>&1) || fail "exit $?: $*"
    second=$(cd "$root" && "${SECOND[@]}" 2>&1) || fail "exit $?: ${SECOND[*]}"
    [ "$first" = "$second" ] || fail "'$*' and '${SECOND[*]}' differ"
}
for command in "whoami" "member list" "feed list" "profile show" "quarantine list"; do
    read -ra words <<<"$command"
    SECOND=("$MUTSYNC" -d "$node" "${words[@]}" --format=json)
    same_output "$MUTSYNC" -d "$node" "${words[@]}" --format json
    SECOND=("$MUTSYNC" "${words[@]}" --format json -d "$node")
    same_output "$MUTSYNC" -d "$node" "${words[@]}" --format json
    SECOND=(env MUTSYNC_DIR="$node" "$MUTSYNC" "${words[@]}" --format json)
    same_output "$MUTSYNC" -d "$node" "${words[@]}" --format json
    SECOND=(env MUTSYNC_DIR="$node" "$MUTSYNC" "${words[@]}")
    same_output "$MUTSYNC" -d "$node" "${words[@]}"
done
SECOND=("$MUTSYNC" member list --format=csv -d "$node")
same_output "$MUTSYNC" -d "$node" member list --format csv
SECOND=("$MUTSYNC" member show ML-UTM-001-0000007 -d "$node" --format=json)
same_output "$MUTSYNC" -d "$node" member show --format json ML-UTM-001-0000007

#  member list: a header row, then one aligned row per member, in either language.
expect_exit 0 "$MUTSYNC" -d "$node" member list
head -n 1 "$OUT" | grep -qE '^member +household +sex +born +status +category +family name +given name$' ||
    fail "member list header: $(head -n 1 "$OUT")"
expect_contains "$OUT" "^ML-UTM-001-0000007 +ML-UTM-001-H[0-9]+ +[FM] +[0-9]{4}-[0-9]{2}-[0-9]{2} "
expect_contains "$OUT" "^40 members$"
[ "$(awk 'NR <= 41 { print index($0, $2) }' "$OUT" | sort -u | wc -l)" = 1 ] ||
    fail "member list: the household column does not line up"
expect_exit 0 env LANG=fr_SN.UTF-8 "$MUTSYNC" -d "$node" member list
head -n 1 "$OUT" | grep -qE '^membre +ménage +sexe +naissance +statut +catégorie +nom +prénom$' ||
    fail "member list French header: $(head -n 1 "$OUT")"
expect_contains "$OUT" "^40 membres$"
expect_exit 0 "$MUTSYNC" -d "$node" member list --format csv
head -n 1 "$OUT" | grep -qx 'member_id,household_id,family_name,given_name,sex,birth_date,village,enrollment_date,category,relationship,status' ||
    fail "member list --format csv header: $(head -n 1 "$OUT")"

#  -d wins over $MUTSYNC_DIR; without either the node is ./mutsync-node.
expect_exit 1 env MUTSYNC_DIR="$node" "$MUTSYNC" -d "$root/nowhere" whoami
(cd "$root" && "$MUTSYNC" init --org ML-UTM-002 --role mutual --country ML --name "Kita") \
    >/dev/null || fail "init in ./mutsync-node failed"
[ -f "$root/mutsync-node/node.key" ] || fail "no ./mutsync-node/node.key"

#  Output for machines does not change with the language.
expect_exit 0 env LANG=fr_SN.UTF-8 "$MUTSYNC" -d "$node" member list --format csv
french_csv=$(cat "$OUT")
expect_exit 0 env LANG=en_US.UTF-8 "$MUTSYNC" -d "$node" member list --format csv
[ "$french_csv" = "$(cat "$OUT")" ] || fail "member list --format csv depends on the language"
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" whoami --format json
expect_contains "$OUT" '^\{"org":"ML-UTM-001","role":"mutual"'
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" whoami
expect_contains "$OUT" "^empreinte +[0-9a-f]{4}-"

#  member add names the option at fault, not a line of a file that does not exist.
expect_exit 1 "$MUTSYNC" -d "$node" member add --id M-X1 --household H-X1 --family-name A \
    --given-name B --sex X --birth-date 2000-01-01 --village V --enrollment-date 2020-01-01 \
    --category adherent --relationship self
expect_contains "$ERR" 'member add: --sex: "X" is not one of F, M'
expect_not_contains "$ERR" "member:2"
#  The library's refusals read in the language of messages: the same bad
#  file refused in English and in French, with the file, line and column
#  untouched, and nothing imported either way.
before=$(store_digest "$node")
printf 'member_id,household_id\nM-1,H-1\n' >"$root/short.csv"
expect_exit 1 "$MUTSYNC" -d "$node" member import "$root/short.csv"
expect_contains "$ERR" "^mutsync: $root/short.csv:1: missing column \"family_name\" \(also missing: \"given_name\","
expect_exit 1 env LANG=fr_SN.UTF-8 "$MUTSYNC" -d "$node" member import "$root/short.csv"
expect_contains "$ERR" "^mutsync: $root/short.csv:1: colonne \"family_name\" manquante \(manquent aussi : \"given_name\","
{ head -n 1 "$root/m.csv"; sed -n 2p "$root/m.csv" | awk -F, -v OFS=, '{ $5 = "X"; print }'; } >"$root/sex.csv"
expect_exit 1 "$MUTSYNC" --lang en -d "$node" member import "$root/sex.csv"
expect_contains "$ERR" "sex.csv:2: column sex: \"X\" is not one of F, M$"
expect_exit 1 "$MUTSYNC" --lang fr -d "$node" member import "$root/sex.csv"
expect_contains "$ERR" "sex.csv:2: colonne sex : \"X\" n'est pas une de ces valeurs : F, M$"
[ "$(store_digest "$node")" = "$before" ] || fail "a refused import changed the store"

#  An accept refusal: change sets of an org this node holds no certificate
#  for. The refusal code stays as it is; the reason is said in words, in
#  the language of messages, and so is the detail when the refusal is made
#  in a French session.
expect_exit 0 "$MUTSYNC" -d "$root/mutsync-node" bundle export "$root/kita.msb"
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" bundle import "$root/kita.msb"
expect_contains "$OUT" "2 refusés \(voir : mutsync quarantine list\)"
[ "$(store_digest "$node")" = "$before" ] || fail "a refused bundle changed the store"

#  Every listing for people is a table: a header row in the language of
#  messages, then rows whose columns line up; full hashes and ids stay whole.
expect_exit 0 "$MUTSYNC" -d "$node" feed list
head -n 1 "$OUT" | grep -qE '^org +feed +seq +head hash +state$' ||
    fail "feed list header: $(head -n 1 "$OUT")"
expect_contains "$OUT" '^ML-UTM-001 +public +[0-9]+ +[0-9a-f]{64}$'
[ "$(awk '{ print index($0, $2) }' "$OUT" | sort -u | wc -l)" = 1 ] ||
    fail "feed list: the feed column does not line up"
expect_exit 0 env LANG=fr_SN.UTF-8 "$MUTSYNC" -d "$node" feed list
head -n 1 "$OUT" | grep -qE '^organisation +flux +seq +empreinte de tête +état$' ||
    fail "feed list French header: $(head -n 1 "$OUT")"
expect_exit 0 "$MUTSYNC" -d "$node" child list
head -n 1 "$OUT" | grep -qE '^org +role +country +key fingerprint +state +name$' ||
    fail "child list header: $(head -n 1 "$OUT")"
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" child list
head -n 1 "$OUT" | grep -qE '^organisation +rôle +pays +empreinte de clé +état +nom$' ||
    fail "child list French header: $(head -n 1 "$OUT")"
expect_exit 0 "$MUTSYNC" -d "$node" quarantine list
head -n 1 "$OUT" | grep -qE '^no\. +received +code +feed +seq +id +bytes +from +reason +detail$' ||
    fail "quarantine list header: $(head -n 1 "$OUT")"
expect_contains "$OUT" "^ +1 +[0-9T:-]+Z +unknown-signer +ML-UTM-002/public +1 +[0-9a-f]{64} +[0-9]+ +bundle kita.msb +the signer is not certified for this org +aucun certificat pour ML-UTM-002$"
[ "$(awk '{ print index($0, $4) }' "$OUT" | sort -u | wc -l)" = 1 ] ||
    fail "quarantine list: the feed column does not line up"
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" quarantine list
head -n 1 "$OUT" | grep -qE '^n° +reçu le +code +flux +seq +identifiant +octets +venant de +motif +détail$' ||
    fail "quarantine list French header: $(head -n 1 "$OUT")"
expect_contains "$OUT" " unknown-signer +ML-UTM-002/public .* le signataire n'est pas certifié pour cette organisation +aucun certificat pour ML-UTM-002$"
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" quarantine list --format json
expect_contains "$OUT" '"reason":"unknown-signer"'
expect_exit 0 "$MUTSYNC" --lang fr -d "$node" indicator list
head -n 1 "$OUT" | grep -qE '^code +agrégation +unité +nom$' ||
    fail "indicator list French header: $(head -n 1 "$OUT")"

#  --format=json is JSON for every listing, built by one library: python
#  reads each one, in French as in English.
for command in "whoami" "member list" "feed list" "child list" "quarantine list" \
    "provider list" "complaint list" "contribution list" "claim list" "indicator list" \
    "profile show" "member show ML-UTM-001-0000007"; do
    read -ra words <<<"$command"
    for lang in en fr; do
        expect_exit 0 "$MUTSYNC" --lang "$lang" -d "$node" "${words[@]}" --format=json
        python3 -c 'import json, sys; json.load(sys.stdin)' <"$OUT" ||
            fail "$command --format=json (--lang $lang) is not JSON: $(head -c 200 "$OUT")"
    done
done
echo "ok"
