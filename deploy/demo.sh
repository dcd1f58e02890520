#!/bin/bash
#  A guided tour of mutsync on one machine: builds the programs, creates a
#  mutual's node in a temporary directory, imports a generated member
#  register and shows what the node holds. Every mutsync command is printed
#  before it runs, so the output doubles as a CLI tutorial.
#
#  usage: deploy/demo.sh [--members N] [--keep]
#    --members N  size of the generated register (default 5000)
#    --keep       keep the demo directory and print its path
#
#  Each step is a function taking the node directory, so a federation demo
#  (union, secretariat, sync) can reuse them node by node.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${MS_BUILD_DIR:-build}
MEMBERS=5000
KEEP=0

while [ $# -gt 0 ]; do
    case "$1" in
    --members)
        MEMBERS=${2:?--members wants a number}
        shift 2
        ;;
    --keep)
        KEEP=1
        shift
        ;;
    -h | --help)
        sed -n '2,12p' "$0" | sed -e 's/^#  //' -e 's/^#$//'
        exit 0
        ;;
    *)
        echo "demo: unknown argument '$1' (try --help)" >&2
        exit 2
        ;;
    esac
done

MUTSYNC=$ROOT/$BUILD_DIR/client/mutsync
GENDATA=$ROOT/$BUILD_DIR/tests/ms-gendata
DEMO_DIR=""

cleanup()
{
    if [ -n "$DEMO_DIR" ] && [ "$KEEP" = 0 ]; then
        rm -rf "$DEMO_DIR"
    elif [ -n "$DEMO_DIR" ]; then
        echo "demo files kept in $DEMO_DIR"
    fi
}
trap cleanup EXIT

title()
{
    printf '\n== %s ==\n' "$*"
}

#  Prints a mutsync command the way a user would type it, then runs it.
ms()
{
    local arg line='$ mutsync'
    for arg in "$@"; do
        case "$arg" in
        *[[:space:]\'\"\$]*) line+=" \"$arg\"" ;;
        *) line+=" $arg" ;;
        esac
    done
    echo "$line"
    "$MUTSYNC" "$@"
}

step_deps()
{
    title "Dependencies"
    ./deploy/install-deps.sh
}

step_build()
{
    title "Build ($BUILD_DIR/)"
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" --target mutsync-cli ms-gendata
}

#  node_init DIR ORG ROLE COUNTRY NAME: creates a node and its key pair.
node_init()
{
    local dir=$1 org=$2 role=$3 country=$4 name=$5
    title "Create the node of $org ($role, $country)"
    ms -d "$dir" init --org "$org" --role "$role" --country "$country" --name "$name"
    ms -d "$dir" whoami
}

#  node_import_members DIR ORG COUNT: generates a register of COUNT members
#  as the mutual's spreadsheet would hold it, and imports it.
node_import_members()
{
    local dir=$1 org=$2 count=$3 csv start took
    csv=$DEMO_DIR/$org-members.csv
    title "Import a register of $count members"
    "$GENDATA" members --mutual "$org" --n "$count" >"$csv"
    echo "generated $csv: $(wc -l <"$csv") lines, $(wc -c <"$csv") bytes"
    head -n 3 "$csv" | cut -c 1-100
    start=$(date +%s%N)
    ms -d "$dir" member import "$csv"
    took=$((($(date +%s%N) - start) / 1000000))
    echo "imported in ${took} ms"
}

#  node_show DIR EXPECTED: the node's feeds and member count; checks the
#  count and the feeds' hash chains and signatures.
node_show()
{
    local dir=$1 expected=$2 count
    title "What the node holds"
    ms -d "$dir" feed list
    echo "\$ mutsync -d $dir member list --format csv | wc -l"
    count=$("$MUTSYNC" -d "$dir" member list --format csv |
        awk 'NR == 1 && /^member_id/ { next } { n++ } END { print n + 0 }')
    echo "members: $count"
    if [ "$count" -ne "$expected" ]; then
        echo "demo: expected $expected members, found $count" >&2
        return 1
    fi
    ms -d "$dir" feed verify
}

#  node_import_books DIR ORG COUNT: the mutual's contributions and claims
#  (for the same households as its COUNT members) and its inventory card.
#  Each import publishes the indicator reports it changed.
node_import_books()
{
    local dir=$1 org=$2 count=$3
    title "Import the contributions and claims of $org"
    "$GENDATA" contributions --mutual "$org" --n "$count" >"$DEMO_DIR/$org-contributions.csv"
    "$GENDATA" claims --mutual "$org" --n "$count" --count $((count / 2)) >"$DEMO_DIR/$org-claims.csv"
    ms -d "$dir" contribution import "$DEMO_DIR/$org-contributions.csv"
    ms -d "$dir" claim import "$DEMO_DIR/$org-claims.csv"
    ms -d "$dir" profile set --created 2008-05-01 --target-population $((count * 6)) \
        --guarantees primary_care,childbirth,sonu,drugs
}

#  show_view DIR PERIOD: the node's aggregated indicators, one row per org
#  of its subtree and the total (run it on a union after sync).
show_view()
{
    local dir=$1 period=$2
    title "The view of $(basename "$dir") for $period"
    ms -d "$dir" view --period "$period"
}

#  show_inventory DIR YEAR: the inventory of mutuals by country (run it on
#  the secretariat after sync).
show_inventory()
{
    local dir=$1 year=$2
    title "The inventory by country for $year"
    ms -d "$dir" inventory --year "$year"
}

main()
{
    step_deps
    step_build
    DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mutsync-demo.XXXXXX")
    local mutual=$DEMO_DIR/ML-UTM-001
    node_init "$mutual" ML-UTM-001 mutual ML "Mutuelle de santé de Bamako"
    node_import_members "$mutual" ML-UTM-001 "$MEMBERS"
    node_show "$mutual" "$MEMBERS"
    node_import_books "$mutual" ML-UTM-001 "$MEMBERS"
    show_view "$mutual" 2026
    title "Demo complete"
}

main
