#!/bin/bash
#  Progress of long work on a terminal: a member import and a one-shot sync
#  rewrite one line of stderr (rows or change sets, rate, time left) when
#  stderr is a terminal, and write none of it when it is not (a script, a
#  log). The terminal is a pseudo-terminal made by script(1); each run is
#  long enough (over half a second) for the line to be due.
source "$MS_TESTLIB"
command -v script >/dev/null || fail "script(1) is needed to give the command a terminal"

root=$(ms_tmpdir)
U=$root/U uport=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }
#  on_terminal OUT CMD...: runs CMD with a terminal for stdin, stdout and
#  stderr, all of it saved in OUT; bounded by MS_CMD_TIMEOUT.
on_terminal()
{
    local out=$1
    shift
    timeout "$MS_CMD_TIMEOUT" script -qefc "$(printf '%q ' "$@")" /dev/null </dev/null >"$out"
}

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name UTM
for m in 1 2; do
    expect_exit 0 "$MUTSYNC" -d "$root/M$m" init --org "ML-UTM-00$m" --role mutual --country ML \
        --name "Mutuelle $m" --parent ML-UTM --parent-key "$(key_of "$U")" \
        --parent-endpoint "tcp://127.0.0.1:$uport" --register-reach 1
    expect_exit 0 "$MUTSYNC" -d "$U" child add --org "ML-UTM-00$m" --role mutual --country ML \
        --name "Mutuelle $m" --key "$(key_of "$root/M$m")"
    #  The import on a terminal must last over half a second, even on a
    #  fast machine (2 cores here import about 500,000 rows a second).
    "$MS_GENDATA" members --mutual "ML-UTM-00$m" --n $((m == 1 ? 900000 : 300000)) --seed "$m" \
        >"$root/m$m.csv"
done

#  Import: on a terminal the line shows rows, rate and time left, then goes.
on_terminal "$root/import1.tty" "$MUTSYNC" -d "$root/M1" member import "$root/m1.csv" ||
    fail "import on a terminal failed: $(tail -c 300 "$root/import1.tty")"
expect_contains "$root/import1.tty" "[0-9]+ rows, [0-9]+ rows/s, about [0-9]+ s left"
expect_contains "$root/import1.tty" "900000 rows, 900000 added"
#  Not on a terminal: the summary on stdout, nothing on stderr.
expect_exit 0 "$MUTSYNC" -d "$root/M2" member import "$root/m2.csv"
expect_contains "$OUT" "300000 rows, 300000 added"
[ ! -s "$ERR" ] || fail "import wrote to stderr off a terminal: $(head -c 200 "$ERR")"

#  Sync: change sets of those the heads showed missing, rate, time left.
start_bg U "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/U.err" || fail "the union did not start"
on_terminal "$root/sync1.tty" "$MUTSYNC" -d "$root/M1" sync --timeout 120 ||
    fail "sync on a terminal failed: $(tail -c 300 "$root/sync1.tty")"
expect_contains "$root/sync1.tty" "[0-9]+ of [0-9]+ change sets, [0-9]+/s, about [0-9]+ s left"
expect_contains "$root/sync1.tty" "heads equal"
expect_exit 0 "$MUTSYNC" -d "$root/M2" sync --timeout 120
expect_contains "$OUT" "heads equal"
expect_not_contains "$ERR" "change sets, |s left|"$'\r'
stop_bg U TERM || fail "mutsyncd exited non-zero on SIGTERM"
echo "ok"
