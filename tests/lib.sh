#!/bin/bash
#  lib.sh - helpers for the integration and fault test scripts.
#
#  ctest runs each script with MUTSYNC, MUTSYNCD and MS_GENDATA set to the built
#  programs and MS_TESTLIB to this file. A script starts with:
#
#      source "$MS_TESTLIB"
#      dir=$(ms_tmpdir)
#      expect_exit 0 "$MUTSYNC" -d "$dir" init --org ML-UTM-001 --role mutual --country ML
#
#  Sourcing turns on `set -euo pipefail`, makes one scratch directory for the
#  whole script, and sets an EXIT trap that stops every process started with
#  start_bg and removes the scratch directory (kept when MS_KEEP_TMP=1). Do not
#  set another EXIT trap; register extra clean-up with ms_defer.
#
#  Every wait is bounded: wait_until takes a limit, and commands run by
#  expect_exit are killed after MS_CMD_TIMEOUT seconds (default 120).

set -euo pipefail

MS_LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${MUTSYNC:=$MS_LIB_ROOT/build/client/mutsync}"
: "${MUTSYNCD:=$MS_LIB_ROOT/build/server/mutsyncd}"
: "${MS_GENDATA:=$MS_LIB_ROOT/build/tests/ms-gendata}"
: "${MS_CMD_TIMEOUT:=120}"
export MUTSYNC MUTSYNCD MS_GENDATA

MS_TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mutsync-test.XXXXXX")
OUT=$MS_TEST_ROOT/last.out #  stdout of the last expect_exit
ERR=$MS_TEST_ROOT/last.err #  stderr of the last expect_exit
declare -gA MS_BG_PIDS=()  #  start_bg name -> pid
declare -ga MS_DEFERRED=() #  commands for ms_cleanup, run last first

#  ---------------------------------------------------------------------------
#  Clean-up

#  Stops background processes (TERM, then KILL after 5 s), runs deferred
#  commands, removes the scratch directory. Runs once, from the EXIT trap.
ms_cleanup()
{
    local status=$? name pid i
    set +e
    for name in "${!MS_BG_PIDS[@]}"; do
        pid=${MS_BG_PIDS[$name]}
        kill -TERM "$pid" 2>/dev/null
    done
    for name in "${!MS_BG_PIDS[@]}"; do
        pid=${MS_BG_PIDS[$name]}
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        if [ "$status" -ne 0 ] && [ -s "$MS_TEST_ROOT/$name.err" ]; then
            echo "---- last lines of $name stderr ----" >&2
            tail -n 20 "$MS_TEST_ROOT/$name.err" >&2
        fi
    done
    for ((i = ${#MS_DEFERRED[@]} - 1; i >= 0; i--)); do
        eval "${MS_DEFERRED[$i]}"
    done
    if [ "${MS_KEEP_TMP:-0}" = 1 ]; then
        echo "kept $MS_TEST_ROOT" >&2
    else
        rm -rf "$MS_TEST_ROOT"
    fi
    exit "$status"
}
trap ms_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

#  Runs the shell command CMD (one string) at exit, after background
#  processes are stopped.
ms_defer()
{
    MS_DEFERRED+=("$1")
}

#  Prints the path of a new empty directory, removed at exit. Safe in $(...).
ms_tmpdir()
{
    mktemp -d "$MS_TEST_ROOT/dir.XXXXXX"
}

#  ---------------------------------------------------------------------------
#  Assertions

#  Prints "FAIL: MSG (script:line)" to stderr, naming the first caller outside
#  this library, and exits 1.
fail()
{
    local i=1
    while [ "$i" -lt "${#BASH_SOURCE[@]}" ] && [ "${BASH_SOURCE[$i]}" = "${BASH_SOURCE[0]}" ]; do
        i=$((i + 1))
    done
    echo "FAIL: $* (${BASH_SOURCE[$i]:-?}:${BASH_LINENO[$((i - 1))]:-?})" >&2
    exit 1
}

#  Runs CMD..., saving its stdout in $OUT and stderr in $ERR (files, replaced by
#  the next call), and fails unless it exits with CODE. Shell functions run as
#  they are; programs are killed after MS_CMD_TIMEOUT seconds (exit 124).
expect_exit()
{
    local want=$1 rc=0
    shift
    if [ "$(type -t "$1")" = file ]; then
        timeout "$MS_CMD_TIMEOUT" "$@" >"$OUT" 2>"$ERR" || rc=$?
    else
        "$@" >"$OUT" 2>"$ERR" || rc=$?
    fi
    if [ "$rc" -ne "$want" ]; then
        {
            echo "command: $*"
            echo "exit $rc, expected $want"
            echo "---- stdout (first 20 lines) ----"
            head -n 20 "$OUT"
            echo "---- stderr (first 20 lines) ----"
            head -n 20 "$ERR"
        } >&2
        fail "exit code $rc, expected $want: $1"
    fi
}

#  Fails unless SUBJECT contains a match for the extended regex PATTERN.
#  SUBJECT is a file when such a file exists, otherwise the text itself.
expect_contains()
{
    local subject=$1 pattern=$2
    if [ -f "$subject" ]; then
        grep -qE -- "$pattern" "$subject" && return 0
        echo "---- $subject (first 20 lines) ----" >&2
        head -n 20 "$subject" >&2
    else
        grep -qE -- "$pattern" <<<"$subject" && return 0
        echo "---- text ----" >&2
        head -n 20 <<<"$subject" >&2
    fi
    fail "no match for /$pattern/"
}

#  Fails if SUBJECT (file or text, as for expect_contains) matches PATTERN.
expect_not_contains()
{
    local subject=$1 pattern=$2 match
    if [ -f "$subject" ]; then
        match=$(grep -m1 -E -- "$pattern" "$subject" || true)
    else
        match=$(grep -m1 -E -- "$pattern" <<<"$subject" || true)
    fi
    [ -z "$match" ] || fail "unexpected match for /$pattern/: $match"
}

#  Polls CMD... every 0.1 s until it succeeds (returns 0) or SECONDS pass
#  (returns 1). Use `wait_until 10 cmd || fail "..."` to make it an assertion.
wait_until()
{
    local seconds=$1 deadline
    shift
    deadline=$(($(date +%s%N) + seconds * 1000000000))
    while ! "$@" >/dev/null 2>&1; do
        if [ "$(date +%s%N)" -ge "$deadline" ]; then
            echo "wait_until: gave up after ${seconds}s: $*" >&2
            return 1
        fi
        sleep 0.1
    done
}

#  ---------------------------------------------------------------------------
#  Processes and ports

#  Starts CMD... in the background as NAME; stdout and stderr go to
#  $MS_TEST_ROOT/NAME.out and NAME.err. Stopped at exit. Call it directly,
#  not inside $(...), so the pid is recorded in this shell.
start_bg()
{
    local name=$1
    shift
    if [ -n "${MS_BG_PIDS[$name]:-}" ] && kill -0 "${MS_BG_PIDS[$name]}" 2>/dev/null; then
        fail "start_bg: $name is already running"
    fi
    "$@" >"$MS_TEST_ROOT/$name.out" 2>"$MS_TEST_ROOT/$name.err" &
    MS_BG_PIDS[$name]=$!
}

#  Prints the pid of background process NAME.
bg_pid()
{
    [ -n "${MS_BG_PIDS[$1]:-}" ] || fail "bg_pid: no process named $1"
    echo "${MS_BG_PIDS[$1]}"
}

#  Sends SIGNAL (default TERM) to NAME and waits up to 10 s for it to exit.
#  Prints nothing; returns the process's exit status (128+n if killed).
stop_bg()
{
    local name=$1 signal=${2:-TERM} pid rc=0 i
    pid=$(bg_pid "$name")
    kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "stop_bg: $name did not exit within 10s of SIG$signal"
    wait "$pid" || rc=$?
    unset "MS_BG_PIDS[$name]"
    return "$rc"
}

#  Prints the local TCP ports of every socket in this network namespace.
used_ports()
{
    local file slot local_address rest
    for file in /proc/net/tcp /proc/net/tcp6; do
        [ -r "$file" ] || continue
        while read -r slot local_address rest; do
            [ "$slot" = sl ] && continue
            echo "$((16#${local_address##*:}))"
        done <"$file"
    done
}

#  Prints a TCP port on 127.0.0.1 that no socket uses now and that no earlier
#  call in this script handed out. Safe in $(...).
free_port()
{
    local used port i
    used=$(used_ports)
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! grep -qx "$port" <<<"$used" &&
            ! grep -qsx "$port" "$MS_TEST_ROOT/ports"; then
            echo "$port" >>"$MS_TEST_ROOT/ports"
            echo "$port"
            return 0
        fi
    done
    fail "free_port: no free port found"
}

#  ---------------------------------------------------------------------------
#  Node state

#  Prints a SHA-256 of what a node at DIR shows: its feeds (heads) and its
#  member register. Equal digests before and after a refused input mean the
#  store did not change. The quarantine is left out on purpose: a refusal
#  adds to it.
store_digest()
{
    local dir=$1 digest
    digest=$({
        "$MUTSYNC" -d "$dir" feed list --format json
        "$MUTSYNC" -d "$dir" member list --format csv
    } | sha256sum) || fail "store_digest: cannot read the node at $dir"
    echo "${digest%% *}"
}
