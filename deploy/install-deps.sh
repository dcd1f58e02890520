#!/bin/sh
#  Installs what mutsync needs to build and test on Debian 12.
#  Idempotent: when every package is already installed, apt is not touched;
#  otherwise (as root) apt-get update once, then install only what is missing.
set -eu

#  The last line is for the Debian package: deploy/package.sh builds it,
#  the deploy tests check it with lintian, install it in a fresh Debian 12
#  root (mmdebstrap) and score the unit (systemd-analyze).
PACKAGES="build-essential cmake pkg-config libzmq3-dev liblmdb-dev libprotobuf-c-dev
protobuf-c-compiler libsodium-dev libcmocka-dev libzstd-dev libcsv-dev libjson-c-dev
clang-format procps lmdb-utils time shellcheck gettext libxml2-utils python3
sqlite3 libsqlite3-dev libsystemd-dev scdoc systemd debhelper dpkg-dev lintian mmdebstrap
faketime"

missing=""
for package in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    case "$status" in
    *" installed") ;;
    *) missing="$missing $package" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run this script as root (or: sudo apt-get install$missing)" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086  # one word per package
apt-get install -y --no-install-recommends $missing
echo "install-deps: done"
