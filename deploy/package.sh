#!/bin/bash
#  Builds the Debian package of mutsync: BUILD_DIR/package/mutsync_VERSION_ARCH.deb.
#
#  usage: deploy/package.sh [BUILD_DIR]     (default: $MS_BUILD_DIR, else build)
#
#  dpkg-buildpackage with debhelper (debian/), rather than CPack: debhelper
#  writes the maintainer scripts that create the mutsync user
#  (systemd-sysusers), its directories (systemd-tmpfiles) and enable the
#  unit, computes Depends from the shared libraries, strips the programs
#  into a -dbgsym package, compresses the manual pages and ships the
#  copyright and changelog files lintian asks for; CPack would leave each
#  of those to hand-written scripts. CMake still does the install, so the
#  package holds what cmake --install installs.
#
#  The tree is copied (tracked and new files, not ignored ones) to
#  BUILD_DIR/package/mutsync-VERSION and built there without its tests
#  (DEB_BUILD_OPTIONS=nocheck: deploy/test.sh runs them), so nothing is
#  written outside BUILD_DIR. MS_JOBS sets the build parallelism.
#  Prints the path of the .deb on its last line.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${1:-${MS_BUILD_DIR:-build}}
JOBS=${MS_JOBS:-$(nproc 2>/dev/null || echo 2)}

./deploy/install-deps.sh >/dev/null

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
cmake_version=$(sed -n 's/^project(mutsync VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if [ "$version" != "$cmake_version" ]; then
    echo "package: debian/changelog says $version, CMakeLists.txt $cmake_version" >&2
    exit 1
fi

mkdir -p "$BUILD_DIR"
OUT=$(cd "$BUILD_DIR" && pwd)/package
SRC=$OUT/mutsync-$version
rm -rf "$OUT"
mkdir -p "$SRC"
#  The work tree as git sees it: tracked files still present, and new ones.
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do
        [ -e "$file" ] && printf '%s\0' "$file"
    done |
    tar -C "$ROOT" --null -T - -cf - | tar -C "$SRC" -xf -

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
(
    cd "$SRC"
    DEB_BUILD_OPTIONS="nocheck parallel=$JOBS" dpkg-buildpackage -b -us -uc
) >"$OUT/build.log" 2>&1 || {
    tail -n 40 "$OUT/build.log" >&2
    echo "package: dpkg-buildpackage failed; see $OUT/build.log" >&2
    exit 1
}
deb=$OUT/mutsync_${version}_${arch}.deb
[ -f "$deb" ] || {
    echo "package: $deb was not made" >&2
    exit 1
}
echo "$deb"
