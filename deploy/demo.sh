#!/bin/bash
#  A guided tour of mutsync on one machine: builds the programs, then runs a
#  small federation on 127.0.0.1 in a temporary directory: a regional
#  secretariat, two national unions (Mali, Bénin) and two mutuals under
#  each. Each parent certifies its children's keys, the mutuals import
#  generated member registers, the unions and the secretariat run mutsyncd,
#  every mutual syncs, and the demo prints what each level now holds (feeds
#  and heads), then stops everything it started. Every mutsync command is
#  printed before it runs, so the output doubles as a CLI tutorial.
#
#  usage: deploy/demo.sh [--members N] [--keep]
#    --members N  size of each generated register (default 5000)
#    --keep       keep the demo directory and print its path
#
#  Each step is a function taking node directories, so steps can be reused
#  node by node.
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
        sed -n '2,17p' "$0" | sed -e 's/^#  //' -e 's/^#$//'
        exit 0
        ;;
    *)
        echo "demo: unknown argument '$1' (try --help)" >&2
        exit 2
        ;;
    esac
done

MUTSYNC=$ROOT/$BUILD_DIR/client/mutsync
MUTSYNCD=$ROOT/$BUILD_DIR/server/mutsyncd
GENDATA=$ROOT/$BUILD_DIR/tests/ms-gendata
DEMO_DIR=""
declare -a SERVER_PIDS=()

#  Stops the servers this demo started (SIGTERM, then SIGKILL after 5 s).
stop_servers()
{
    local pid i
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    SERVER_PIDS=()
}

cleanup()
{
    stop_servers
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
    cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" \
        --target mutsync-cli mutsyncd ms-gendata
}

#  node_init DIR ORG ROLE COUNTRY NAME [INIT OPTIONS...]: creates a node and
#  its key pair; extra options name its parent, the root and where to sync.
node_init()
{
    local dir=$1 org=$2 role=$3 country=$4 name=$5
    shift 5
    title "Create the node of $org ($role, $country)"
    ms -d "$dir" init --org "$org" --role "$role" --country "$country" --name "$name" "$@"
}

#  key_of DIR: the public key 'whoami' prints, the form enrolment takes.
key_of()
{
    "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'
}

#  enrol PARENT_DIR CHILD_DIR ORG ROLE COUNTRY NAME: the parent's operator
#  certifies the child's key (read aloud as its fingerprint).
enrol()
{
    local parent=$1 child=$2 org=$3 role=$4 country=$5 name=$6
    ms -d "$parent" child add --org "$org" --role "$role" --country "$country" --name "$name" \
        --key "$(key_of "$child")"
}

#  node_serve DIR PORT: runs mutsyncd for DIR on 127.0.0.1:PORT, logging to DIR.log.
node_serve()
{
    local dir=$1 port=$2 i
    echo "\$ mutsyncd -d $dir --listen tcp://127.0.0.1:$port --sync-interval 1 &"
    "$MUTSYNCD" -d "$dir" --listen "tcp://127.0.0.1:$port" --sync-interval 1 2>"$dir.log" &
    SERVER_PIDS+=($!)
    for ((i = 0; i < 50; i++)); do
        grep -q "listening" "$dir.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "demo: mutsyncd for $dir did not start:" >&2
    cat "$dir.log" >&2
    return 1
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

#  A free TCP port on 127.0.0.1.
free_port()
{
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
            echo "$port"
            return
        }
    done
}

#  The tree: secretariat, two unions, two mutuals under each.
SECRETARIAT=RS-CONCERTATION
UNIONS=(ML-UTM BJ-UCB)
declare -A UNION_COUNTRY=([ML-UTM]=ML [BJ-UCB]=BJ)
declare -A UNION_NAME=([ML-UTM]="Union Technique de la Mutualité malienne"
    [BJ-UCB]="Union Communale des mutuelles de Bembéréké")
declare -A MUTUALS=([ML-UTM]="ML-UTM-001 ML-UTM-002" [BJ-UCB]="BJ-UCB-001 BJ-UCB-002")
declare -A MUTUAL_NAME=([ML-UTM-001]="Mutuelle de santé de Ségou"
    [ML-UTM-002]="Mutuelle de santé de Bamako Commune IV"
    [BJ-UCB-001]="Mutuelle de santé de Bembéréké"
    [BJ-UCB-002]="Mutuelle de santé de Gamia")
declare -A PORT=()

step_network()
{
    local union mutual s=$DEMO_DIR/$SECRETARIAT
    PORT[$SECRETARIAT]=$(free_port)
    node_init "$s" "$SECRETARIAT" secretariat SN "Secrétariat technique de la Concertation"
    ms -d "$s" whoami
    for union in "${UNIONS[@]}"; do
        PORT[$union]=$(free_port)
        node_init "$DEMO_DIR/$union" "$union" union "${UNION_COUNTRY[$union]}" \
            "${UNION_NAME[$union]}" --parent "$SECRETARIAT" --parent-key "$(key_of "$s")" \
            --parent-endpoint "tcp://127.0.0.1:${PORT[$SECRETARIAT]}"
        for mutual in ${MUTUALS[$union]}; do
            node_init "$DEMO_DIR/$mutual" "$mutual" mutual "${UNION_COUNTRY[$union]}" \
                "${MUTUAL_NAME[$mutual]}" --parent "$union" \
                --parent-key "$(key_of "$DEMO_DIR/$union")" \
                --root "$SECRETARIAT" --root-key "$(key_of "$s")" \
                --parent-endpoint "tcp://127.0.0.1:${PORT[$union]}"
        done
    done
}

step_enrol()
{
    local union mutual s=$DEMO_DIR/$SECRETARIAT
    title "Enrolment: each parent certifies its children's keys"
    for union in "${UNIONS[@]}"; do
        enrol "$s" "$DEMO_DIR/$union" "$union" union "${UNION_COUNTRY[$union]}" \
            "${UNION_NAME[$union]}"
        for mutual in ${MUTUALS[$union]}; do
            enrol "$DEMO_DIR/$union" "$DEMO_DIR/$mutual" "$mutual" mutual \
                "${UNION_COUNTRY[$union]}" "${MUTUAL_NAME[$mutual]}"
        done
        ms -d "$DEMO_DIR/$union" child list
    done
}

step_registers()
{
    local union mutual
    for union in "${UNIONS[@]}"; do
        for mutual in ${MUTUALS[$union]}; do
            node_import_members "$DEMO_DIR/$mutual" "$mutual" "$MEMBERS"
            node_import_books "$DEMO_DIR/$mutual" "$mutual" "$MEMBERS"
        done
    done
}

step_servers()
{
    local union
    title "Start mutsyncd: the secretariat and the unions"
    node_serve "$DEMO_DIR/$SECRETARIAT" "${PORT[$SECRETARIAT]}"
    for union in "${UNIONS[@]}"; do
        node_serve "$DEMO_DIR/$union" "${PORT[$union]}"
    done
}

step_sync()
{
    local union mutual i
    title "Each mutual syncs with its union"
    for union in "${UNIONS[@]}"; do
        for mutual in ${MUTUALS[$union]}; do
            ms -d "$DEMO_DIR/$mutual" sync --timeout 60
        done
    done
    #  The unions relay upward on their own (mutsyncd notices new heads);
    #  wait until the secretariat holds every mutual's public feed.
    for ((i = 0; i < 100; i++)); do
        [ "$("$MUTSYNC" -d "$DEMO_DIR/$SECRETARIAT" feed list | grep -c ' public ')" -ge 7 ] && break
        sleep 0.2
    done
    title "The mutuals sync again: the unions' news comes down, then nothing is left to do"
    for union in "${UNIONS[@]}"; do
        for mutual in ${MUTUALS[$union]}; do
            ms -d "$DEMO_DIR/$mutual" sync --timeout 60
        done
    done
}

#  level_show DIR: what one node holds, and that it all verifies.
level_show()
{
    local dir=$1
    title "What $(basename "$dir") holds"
    ms -d "$dir" feed list
    ms -d "$dir" feed verify
}

step_levels()
{
    local union
    level_show "$DEMO_DIR/$SECRETARIAT"
    for union in "${UNIONS[@]}"; do
        level_show "$DEMO_DIR/$union"
    done
    node_show "$DEMO_DIR/ML-UTM-001" "$MEMBERS"
    echo "(its member register stayed at the mutual: register reach 0 by default)"
}

#  Each level's aggregated picture after sync: the unions' views, the
#  secretariat's inventory (issue 4 adds more here).
step_views()
{
    local union
    for union in "${UNIONS[@]}"; do
        show_view "$DEMO_DIR/$union" 2026
    done
    show_inventory "$DEMO_DIR/$SECRETARIAT" 2026
}

step_stop()
{
    title "Stop the servers (SIGTERM)"
    stop_servers
    tail -n 3 "$DEMO_DIR/$SECRETARIAT.log"
}

main()
{
    step_deps
    step_build
    DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mutsync-demo.XXXXXX")
    step_network
    step_enrol
    step_registers
    step_servers
    step_sync
    step_levels
    step_views
    step_stop
    title "Demo complete"
}

main
