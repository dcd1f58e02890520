#!/bin/bash
#  Builds mutsync twice and runs every test: the one command that says whether
#  the tree is good. Steps, each reported in the summary at the end:
#
#    deps      deploy/install-deps.sh (apt only when something is missing)
#    format    clang-format --dry-run --Werror on every tracked .c and .h
#    build     configure + build build/ (RelWithDebInfo)
#    test      ctest in build/ (unit, integration, fault, fuzz replay; no benchmarks)
#    deploy    ctest -L deploy in build/, once: the Debian package built and
#              checked with lintian, installed in a fresh Debian 12 root
#              (mmdebstrap, cached in build/fresh-root), the unit's security
#              score; a test that cannot run (no root, no network) says SKIP
#    asan      configure + build build-asan/ with -DMS_SANITIZE=ON
#    test-asan ctest in build-asan/ under ASan + UBSan, leaks checked
#    shell     shellcheck on deploy/, .ci/ and tests/ scripts (skipped if not installed)
#
#  Idempotent: build directories are reused. Exits 0 only if every step that
#  ran passed. MS_BUILD_DIR and MS_ASAN_BUILD_DIR override the two build
#  directories; MS_JOBS the build parallelism.
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
BUILD_DIR=${MS_BUILD_DIR:-build}
ASAN_DIR=${MS_ASAN_BUILD_DIR:-build-asan}
JOBS=${MS_JOBS:-$(nproc 2>/dev/null || echo 2)}

declare -a STEP_NAMES=() STEP_RESULTS=() STEP_NOTES=()
FAILED=0

record()
{
    STEP_NAMES+=("$1")
    STEP_RESULTS+=("$2")
    STEP_NOTES+=("${3:-}")
    if [ "$2" = FAIL ]; then
        FAILED=1
    fi
}

banner()
{
    printf '\n==== %s ====\n' "$*"
}

#  Runs "$@" as step NAME; records PASS or FAIL with the elapsed seconds.
step()
{
    local name=$1 start rc
    shift
    banner "$name"
    start=$(date +%s)
    "$@"
    rc=$?
    local took=$(($(date +%s) - start))
    if [ "$rc" -eq 0 ]; then
        record "$name" PASS "${took}s"
    else
        record "$name" FAIL "${took}s, exit $rc"
    fi
    return "$rc"
}

check_format()
{
    local -a files
    mapfile -d '' files < <(git ls-files -z -- '*.c' '*.h')
    if [ "${#files[@]}" -eq 0 ]; then
        echo "no tracked C files"
        return 0
    fi
    echo "checking ${#files[@]} files with $(clang-format --version)"
    clang-format --dry-run --Werror "${files[@]}"
}

configure_and_build()
{
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$dir" "$@" && cmake --build "$dir" -j "$JOBS"
}

#  ctest in DIR, benchmarks and the deployment checks excluded, and also the
#  labels matching EXCLUDE (the sanitizer pass leaves out the browser test,
#  which runs once). A tree with no tests yet passes with a note.
run_ctest()
{
    local dir=$1 exclude=${2:-bench|deploy} count
    count=$(cd "$dir" && ctest -N -LE "$exclude" | sed -n 's/^Total Tests: //p')
    if [ "${count:-0}" -eq 0 ]; then
        echo "no tests registered yet"
        return 0
    fi
    (cd "$dir" && ctest --output-on-failure -j2 -LE "$exclude")
}

test_count()
{
    (cd "$1" 2>/dev/null && ctest -N -LE "${2:-bench|deploy}" | sed -n 's/^Total Tests: //p')
}

#  The deployment checks in DIR, one at a time (they build and install the
#  package); the log is kept in DIR/deploy.log for the summary.
run_deploy()
{
    local dir=$1
    (cd "$dir" && ctest --output-on-failure -V -L deploy) >"$dir/deploy.log" 2>&1
    local rc=$?
    grep -E '^[0-9]+: (SKIP|systemd-analyze|installed unit|lintian|I:|W:|E:|in the fresh root|built|ok)' \
        "$dir/deploy.log" | sed 's/^[0-9]*: /  /'
    grep -E 'Test +#[0-9]+: ' "$dir/deploy.log"
    [ "$rc" -eq 0 ] || tail -n 60 "$dir/deploy.log"
    return "$rc"
}

deploy_notes()
{
    local count skipped
    count=$(grep -cE 'Test +#[0-9]+: ' "$1/deploy.log" 2>/dev/null)
    skipped=$(grep -cE 'Test +#[0-9]+: .*Skipped' "$1/deploy.log" 2>/dev/null)
    printf ', %s tests' "${count:-0}"
    [ "${skipped:-0}" -eq 0 ] || printf ', %s SKIPPED' "$skipped"
}

check_shell()
{
    local -a scripts
    mapfile -t scripts < <(git ls-files -- 'deploy/*.sh' '.ci/run' 'tests/*.sh')
    if [ "${#scripts[@]}" -eq 0 ]; then
        echo "no tracked shell scripts"
        return 0
    fi
    echo "checking ${#scripts[@]} scripts"
    #  Test scripts source lib.sh through $MS_TESTLIB, which shellcheck cannot follow.
    shellcheck -S warning -e SC1090,SC1091 "${scripts[@]}"
}

if step deps ./deploy/install-deps.sh; then
    step format check_format

    if step build configure_and_build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DMS_SANITIZE=OFF; then
        step test run_ctest "$BUILD_DIR"
        STEP_NOTES[-1]+=", $(test_count "$BUILD_DIR") tests"
        step deploy run_deploy "$BUILD_DIR"
        STEP_NOTES[-1]+=$(deploy_notes "$BUILD_DIR")
    else
        record test SKIP "build failed"
        record deploy SKIP "build failed"
    fi

    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    if step asan configure_and_build "$ASAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DMS_SANITIZE=ON; then
        step test-asan run_ctest "$ASAN_DIR" 'bench|deploy|browser'
        STEP_NOTES[-1]+=", $(test_count "$ASAN_DIR" 'bench|deploy|browser') tests"
    else
        record test-asan SKIP "build failed"
    fi
    unset ASAN_OPTIONS UBSAN_OPTIONS

    if command -v shellcheck >/dev/null; then
        step shell check_shell
    else
        record shell SKIP "shellcheck not installed"
    fi
else
    record rest SKIP "dependencies missing"
fi

banner summary
for i in "${!STEP_NAMES[@]}"; do
    printf '  %-10s %-5s %s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}" "${STEP_NOTES[$i]}"
done
if [ "$FAILED" -ne 0 ]; then
    echo "FAILED"
    exit 1
fi
echo "ALL PASSED"
