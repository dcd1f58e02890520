#!/bin/bash
#  mutsyncd as a service: its settings file (flags win; a bad file is
#  refused with file:line and why), syslog priority prefixes when stderr
#  is the journal, and no personal data in any log line, even at debug
#  level while a member register is synced.
source "$MS_TESTLIB"

root=$(ms_tmpdir)
U=$root/U M=$root/M
uport=$(free_port) other=$(free_port)
key_of() { "$MUTSYNC" -d "$1" whoami --format json | sed 's/.*"key":"\([0-9a-f]*\)".*/\1/'; }

expect_exit 0 "$MUTSYNC" -d "$U" init --org ML-UTM --role union --country ML --name "UTM"
expect_exit 0 "$MUTSYNC" -d "$M" init --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Ségou" --parent ML-UTM --parent-key "$(key_of "$U")" \
    --parent-endpoint "tcp://127.0.0.1:$uport" --register-reach 1
expect_exit 0 "$MUTSYNC" -d "$U" child add --org ML-UTM-001 --role mutual --country ML \
    --name "Mutuelle de Ségou" --key "$(key_of "$M")"
"$MS_GENDATA" members --mutual ML-UTM-001 --n 400 --seed 7 >"$root/members.csv"
expect_exit 0 "$MUTSYNC" -d "$M" member import "$root/members.csv"

#  A bad settings file is refused before anything starts: file:line and why.
conf=$root/mutsyncd.conf
printf '# the union\nlisten = tcp://127.0.0.1:%s\nport = 7301\n' "$uport" >"$conf"
expect_exit 1 "$MUTSYNCD" --config "$conf"
expect_contains "$ERR" "^mutsyncd: $conf:3: port: unknown key"
printf 'listen = tcp://127.0.0.1:%s\nsync-interval = 0\n' "$uport" >"$conf"
expect_exit 1 "$MUTSYNCD" --config "$conf"
expect_contains "$ERR" "$conf:2: sync-interval: must be a number of seconds from 0.1 to 86400"
printf 'directory = relative/dir\n' >"$conf"
expect_exit 1 "$MUTSYNCD" --config "$conf"
expect_contains "$ERR" "$conf:1: directory: must be an absolute path"
expect_exit 1 "$MUTSYNCD" --config "$root/absent.conf"
expect_contains "$ERR" "$root/absent.conf: cannot read"
#  Under systemd the refusal is an error for the journal (<3>), so
#  journalctl -p warning shows why the service did not start.
printf 'directory = relative/dir\n' >"$conf"
expect_exit 1 env JOURNAL_STREAM="$(stat -c '%d:%i' "$ERR")" "$MUTSYNCD" --config "$conf"
expect_contains "$ERR" "^<3>mutsyncd: $conf:1: directory: must be an absolute path"
#  In French too.
printf 'log-level = loud\n' >"$conf"
expect_exit 1 "$MUTSYNCD" --config "$conf" --lang fr
expect_contains "$ERR" "$conf:1: log-level : doit être error, warn, info ou debug"
expect_exit 2 "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport" --log-level loud
expect_contains "$ERR" "--log-level must be error, warn, info or debug"

#  Every setting from the file; the flags win over it.
printf '# the union\ndirectory = %s\nlisten = tcp://127.0.0.1:%s\nsync-interval = 0.5\n' \
    "$U" "$other" >"$conf"
printf 'site = %s/site\nlog-level = warn\n' "$root" >>"$conf"
start_bg quiet "$MUTSYNCD" --config "$conf"
#  Listening on the file's port, from the file's directory, saying nothing below WARN.
#  One grep for a socket in state LISTEN (0A) on that port: a loop over all
#  sockets is slow when other tests hold thousands of them.
listening() { grep -qE ":$(printf '%04X' "$other") [0-9A-F]+:0000 0A " /proc/net/tcp /proc/net/tcp6; }
wait_until 20 listening || fail "mutsyncd did not listen on the port of its settings file"
expect_exit 0 stop_bg quiet
expect_not_contains "$MS_TEST_ROOT/quiet.err" "INFO"
start_bg flags "$MUTSYNCD" --config "$conf" --listen "tcp://127.0.0.1:$uport" --log-level info
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/flags.err" || fail "no INFO line with --log-level"
expect_contains "$MS_TEST_ROOT/flags.err" "ML-UTM \(union, ML\) listening on tcp://127.0.0.1:$uport$"
expect_contains "$MS_TEST_ROOT/flags.err" "site directory $root/site$"
expect_exit 0 stop_bg flags
#  -d and --site win over the file's directory and site too.
expect_exit 0 "$MUTSYNC" -d "$root/B" init --org BJ-UCB --role union --country BJ --name "UCB"
start_bg other "$MUTSYNCD" --config "$conf" -d "$root/B" --site "$root/site2" -v
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/other.err" || fail "no start with -d"
expect_contains "$MS_TEST_ROOT/other.err" "BJ-UCB \(union, BJ\) listening on tcp://127.0.0.1:$other$"
expect_contains "$MS_TEST_ROOT/other.err" "site directory $root/site2$"
expect_exit 0 stop_bg other

#  Under systemd, stderr is the journal's stream: $JOURNAL_STREAM names its
#  device and inode, and each line starts with its syslog priority.
journal=$MS_TEST_ROOT/journal.err
: >"$journal"
stream=$(stat -c '%d:%i' "$journal")
start_bg journal env JOURNAL_STREAM="$stream" "$MUTSYNCD" -d "$U" \
    --listen "tcp://127.0.0.1:$uport" -v
wait_until 10 grep -q "listening" "$journal" || fail "the union did not start"
expect_exit 0 "$MUTSYNC" -d "$M" -v sync --timeout 60
cp "$ERR" "$root/sync.log"
wait_until 10 grep -q "ML-UTM-001: received" "$journal" || fail "no sync logged"
expect_exit 0 stop_bg journal
expect_contains "$journal" "^<6>INFO mutsyncd: ML-UTM \(union, ML\) listening on "
expect_contains "$journal" "^<7>DEBUG "
expect_contains "$journal" "^<6>INFO mutsyncd: stopped$"
expect_not_contains "$journal" "^[^<]|^<[0125]>"
#  A stream that is not stderr's (redirected since): plain timestamped lines.
start_bg plain env JOURNAL_STREAM="$stream" "$MUTSYNCD" -d "$U" --listen "tcp://127.0.0.1:$uport"
wait_until 10 grep -q "listening" "$MS_TEST_ROOT/plain.err" || fail "the union did not start"
expect_exit 0 stop_bg plain
expect_contains "$MS_TEST_ROOT/plain.err" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z INFO mutsyncd: "

#  The union now holds the register (reach 1), yet no log line, at debug
#  level on either side, names a member: no id, household, name or birth date.
expect_exit 0 "$MUTSYNC" -d "$U" feed list
expect_contains "$OUT" "ML-UTM-001 +register "
tail -n +2 "$root/members.csv" | cut -d, -f1,2,3,4,6 | tr ',' '\n' | sort -u >"$root/personal"
[ "$(wc -l <"$root/personal")" -gt 400 ] || fail "too few personal values to look for"
for log in "$journal" "$root/sync.log"; do
    [ -s "$log" ] || fail "empty log $log"
    #  The time stamp is the log's, not a birth date.
    match=$(sed 's/^[0-9]\{4\}-[0-9-]*T[0-9:]*Z //' "$log" |
        grep -m1 -n -w -F -f "$root/personal" || true)
    [ -z "$match" ] || fail "personal data in $log: $match"
done
echo "ok"
