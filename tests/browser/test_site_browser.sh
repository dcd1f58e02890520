#!/bin/bash
#  The static site in a real browser (headless Chromium): the figures of the
#  secretariat's, a union's and a mutual's pages, as the browser's DOM holds
#  them, equal the JSON views of the same node; the language switch leads to
#  the same page in English; screenshots of the secretariat's home and of the
#  union's are written under the build directory (site-screenshots/). Then
#  mutsyncd --site keeps a union's site current after new data comes in.
#  Every page of the three sites is valid HTML5 for tidy (no error, no
#  warning). Chromium and tidy are Debian's packages, installed here when
#  missing (as root).
source "$MS_TESTLIB"

#  need COMMAND PACKAGE: installs PACKAGE when COMMAND is missing.
need()
{
    command -v "$1" >/dev/null && return 0
    [ "$(id -u)" = 0 ] || fail "$1 is not installed (apt-get install $2, as root)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" \
        >"$MS_TEST_ROOT/apt.log" 2>&1 ||
        { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "$2" >"$MS_TEST_ROOT/apt.log" 2>&1; } ||
        fail "could not install $2: $(tail -3 "$MS_TEST_ROOT/apt.log")"
}
need chromium chromium
need tidy tidy
check=$MS_LIB_ROOT/tests/browser/check_site.py
shots=$(dirname "$(dirname "$MUTSYNC")")/site-screenshots
mkdir -p "$shots"
root=$(ms_tmpdir)
data=$(ms_tmpdir)
S=$root/sec
U=$root/uni
YEAR=$(date -u +%Y)
MUTUALS="ML-UTM-001 ML-UTM-002"

browser()
{
    timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$MS_TEST_ROOT/chromium" --hide-scrollbars "$@" 2>>"$MS_TEST_ROOT/chromium.err"
}

#  dom FILE OUT: the DOM of FILE after the browser loaded it.
dom()
{
    browser --dump-dom "file://$1" >"$2" || fail "chromium could not load $1"
    [ -s "$2" ] || fail "chromium gave an empty DOM for $1"
}

#  valid_html DIR: tidy (HTML5) finds no error and no warning in any page
#  under DIR; a failure names the page, line and column.
valid_html()
{
    local page pages=0
    while IFS= read -r -d '' page; do
        pages=$((pages + 1))
        tidy -quiet -errors "$page" 2>"$MS_TEST_ROOT/tidy.out" ||
            fail "$page is not valid HTML: $(head -5 "$MS_TEST_ROOT/tidy.out")"
    done < <(find "$1" -name '*.html' -print0)
    [ "$pages" -gt 1 ] || fail "no pages to validate under $1"
}

key_of()
{
    "$MUTSYNC" -d "$1" whoami | awk '$1 == "key" { print $2 }'
}

expect_exit 0 "$MUTSYNC" -d "$S" init --org WCA-SEC --role secretariat --country SN --name "Secrétariat"
KS=$(key_of "$S")
expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name "UTM" \
    --parent WCA-SEC --parent-key "$KS"
KU=$(key_of "$U")
expect_exit 0 "$MUTSYNC" -d "$S" child add --org ML-UTM --role union --country ML --name UTM --key "$KU"
n=0
for org in $MUTUALS; do
    n=$((n + 1))
    expect_exit 0 "$MUTSYNC" -d "$root/$org" init --org "$org" --role mutual --country ML \
        --name "Mutuelle <$n> & Cie" --parent ML-UTM --parent-key "$KU" --root WCA-SEC --root-key "$KS"
    expect_exit 0 "$MUTSYNC" -d "$U" child add --org "$org" --role mutual --country ML \
        --name "Mutuelle $n" --key "$(key_of "$root/$org")"
    "$MS_GENDATA" members --mutual "$org" --n $((400 * n)) --seed 5 >"$data/$org-m.csv"
    "$MS_GENDATA" contributions --mutual "$org" --n $((400 * n)) --seed 5 >"$data/$org-c.csv"
    "$MS_GENDATA" claims --mutual "$org" --n $((400 * n)) --count 200 --seed 5 >"$data/$org-cl.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" member import "$data/$org-m.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" contribution import "$data/$org-c.csv"
    expect_exit 0 "$MUTSYNC" -d "$root/$org" claim import "$data/$org-cl.csv"
done
#  One card of this year, one of last year: one of two is up to date.
expect_exit 0 "$MUTSYNC" -d "$root/ML-UTM-001" profile set --target-population 3000 \
    --created 2011-06-01 --guarantees primary_care,sonu
expect_exit 0 "$MUTSYNC" -d "$root/ML-UTM-002" profile set --target-population 9000 \
    --created 2015-01-15 --guarantees primary_care --year $((YEAR - 1))

carry_up()
{
    local org
    for org in $MUTUALS; do
        expect_exit 0 "$MUTSYNC" -d "$root/$org" bundle export "$data/$org.msb"
        expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$data/$org.msb"
    done
    expect_exit 0 "$MUTSYNC" -d "$U" bundle export "$data/uni.msb"
    expect_exit 0 "$MUTSYNC" -d "$S" bundle import "$data/uni.msb"
}
carry_up

for level in S U ML-UTM-001; do
    case $level in
    S) node=$S ;;
    U) node=$U ;;
    *) node=$root/$level ;;
    esac
    expect_exit 0 "$MUTSYNC" -d "$node" site --out "$root/site-$level"
    expect_contains "$OUT" "site written to"
done
for level in S U ML-UTM-001; do
    valid_html "$root/site-$level"
done
site=$root/site-S
for f in index.html fr/index.html en/index.html fr/directory.html fr/data.html \
    fr/countries/ML.html fr/mutuals/ML-UTM-001.html site.css inventory.csv mutuals.csv mutsync.sqlite; do
    [ -s "$site/$f" ] || fail "the secretariat's site lacks $f"
done
[ "$(head -c 3 "$site/inventory.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "inventory.csv has no BOM"
[ "$(sqlite3 "$site/mutsync.sqlite" "select count(*) from mutuals")" = 2 ] || fail "SQLite mutuals"
[ "$(sqlite3 "$site/mutsync.sqlite" "select count(*) from citation")" = 2 ] || fail "SQLite citation"
grep -rlE '<(script|link)[^>]+(src|href)="(https?:)?//' "$site" && fail "the site loads something from the network"

#  The DOM's figures equal the JSON views, on each level's pages.
dom "$site/fr/index.html" "$data/sec-fr.html"
python3 "$check" "$MUTSYNC" "$S" "$data/sec-fr.html" || fail "secretariat home (fr)"
grep -q 'Fiche mise à jour cette année '"$YEAR"' : <span data-value="1"' "$data/sec-fr.html" ||
    fail "the completeness line does not say 1 of 2"
grep -q 'ML-UTM-002.html' "$data/sec-fr.html" || fail "the late mutual is not named"
dom "$site/en/countries/ML.html" "$data/sec-ml.html"
python3 "$check" "$MUTSYNC" "$S" "$data/sec-ml.html" || fail "secretariat country page (en)"
dom "$site/fr/mutuals/ML-UTM-002.html" "$data/sec-m2.html"
python3 "$check" "$MUTSYNC" "$S" "$data/sec-m2.html" || fail "secretariat mutual page"
grep -q 'Mutuelle &lt;2&gt; &amp; Cie' "$site/fr/mutuals/ML-UTM-002.html" || fail "names are not escaped"
dom "$root/site-U/fr/index.html" "$data/uni-fr.html"
python3 "$check" "$MUTSYNC" "$U" "$data/uni-fr.html" || fail "union home (fr)"
dom "$root/site-U/en/mutuals/ML-UTM-001.html" "$data/uni-m1.html"
python3 "$check" "$MUTSYNC" "$U" "$data/uni-m1.html" || fail "union's mutual page (en)"
dom "$root/site-ML-UTM-001/fr/index.html" "$data/mut.html"
python3 "$check" "$MUTSYNC" "$root/ML-UTM-001" "$data/mut.html" || fail "mutual home"

#  The language switch: from the French home to the English one.
href=$(grep -o '<a class="lang" hreflang="en"[^>]*href="[^"]*"' "$data/uni-fr.html" | sed 's/.*href="//; s/"$//')
[ -n "$href" ] || fail "no language switch on the union's home"
target=$(cd "$root/site-U/fr" && realpath -m "$href")
dom "$target" "$data/uni-en.html"
grep -q '<html lang="en">' "$data/uni-en.html" || fail "the switch did not lead to English"
grep -q 'Who has reported' "$data/uni-en.html" || fail "the English page is not in English"
grep -q 'hreflang="fr"' "$data/uni-en.html" || fail "no way back to French"

#  Screenshots for people to look at.
browser --window-size=1280,2000 --screenshot="$shots/secretariat-home.png" "file://$site/index.html" >/dev/null
browser --window-size=1280,2000 --screenshot="$shots/union-home.png" "file://$root/site-U/fr/index.html" >/dev/null
browser --window-size=390,1600 --screenshot="$shots/union-home-phone.png" "file://$root/site-U/fr/index.html" >/dev/null
for f in secretariat-home union-home union-home-phone; do
    [ -s "$shots/$f.png" ] || fail "no screenshot $f.png"
done

#  mutsyncd --site: written at start, rewritten after new data is applied.
port=$(free_port)
start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$port" --site "$root/live" --lang en
wait_until 20 test -s "$root/live/index.html" || fail "mutsyncd did not write its site"
grep -q '<html lang="en">' "$root/live/index.html" || fail "--lang en: the home is not in English"
expect_exit 0 "$MUTSYNC" -d "$root/ML-UTM-001" profile set --target-population 4321
expect_exit 0 "$MUTSYNC" -d "$root/ML-UTM-001" bundle export "$data/again.msb"
expect_exit 0 "$MUTSYNC" -d "$U" bundle import "$data/again.msb"
wait_until 30 grep -q 'data-value="4321"' "$root/live/fr/mutuals/ML-UTM-001.html" ||
    fail "mutsyncd did not rewrite its site after new data"
stop_bg U TERM || fail "mutsyncd exited non-zero"
valid_html "$root/live"
echo "site checked in chromium; screenshots in $shots"
