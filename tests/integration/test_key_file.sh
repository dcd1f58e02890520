#!/bin/bash
#  The node's secret key: mode 0600, refused when others may read it.
source "$MS_TESTLIB"

node=$(ms_tmpdir)/node
expect_exit 0 "$MUTSYNC" -d "$node" init --org BJ-UCMS-001 --role mutual --country BJ --name "Bembéréké"
[ "$(stat -c %a "$node/node.key")" = 600 ] || fail "key file mode is not 600"
"$MS_GENDATA" members --mutual BJ-UCMS-001 --n 50 >"$node/../m.csv"

chmod 640 "$node/node.key"
digest=$(store_digest "$node")
expect_exit 1 "$MUTSYNC" -d "$node" member import "$node/../m.csv"
expect_contains "$ERR" "node.key: key file is accessible to others \(mode 640\); run chmod 600 on it"
[ "$(store_digest "$node")" = "$digest" ] || fail "store changed with a loose key file"
#  Reading needs no secret.
expect_exit 0 "$MUTSYNC" -d "$node" whoami

chmod 600 "$node/node.key"
expect_exit 0 "$MUTSYNC" -d "$node" member import "$node/../m.csv"
expect_contains "$OUT" "50 added"

#  A second init never overwrites a key.
expect_exit 1 "$MUTSYNC" -d "$node" init --org BJ-UCMS-001 --role mutual --country BJ --name "X"
expect_contains "$ERR" "a node already exists here"
expect_exit 2 "$MUTSYNC" -d "$node" init --org BJ-UCMS-001 --role doctor --country BJ --name "X"
expect_exit 2 "$MUTSYNC" -d "$node" frobnicate
expect_exit 0 "$MUTSYNC" -d "$node" member --help
echo "ok"
