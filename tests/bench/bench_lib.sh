# shellcheck shell=bash
#  What the benchmark scripts share: a work folder, the processes they start
#  (stopped and waited for on exit, whatever happens) and small lookups.
#  Source it after setting $mutsync; call bench_work NAME first.

declare -a pids=()

bench_cleanup()
{
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}

#  Makes $work, a fresh folder for benchmark NAME, removed on exit.
bench_work()
{
    work=$(mktemp -d "${TMPDIR:-/tmp}/bench-$1.XXXXXX")
    trap bench_cleanup EXIT
}

#  The public key (hex) of the node in DIR.
key_of() { "${mutsync:?}" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }

#  A TCP port on 127.0.0.1 that no socket holds now.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

#  Bytes of the pages the views table of the node in DIR holds (mdb_stat,
#  from lmdb-utils): branch, leaf and overflow pages times the page size.
views_bytes()
{
    mdb_stat -e -s views "$1" | awk '/Page size/ { size = $3 }
        /Branch pages|Leaf pages|Overflow pages/ { pages += $3 } END { print pages * size }'
}
