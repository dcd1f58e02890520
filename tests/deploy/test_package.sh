#!/bin/bash
#  deploy/package.sh builds the .deb; lintian finds no error or warning in
#  it; it holds the programs, the unit, the sysusers and tmpfiles entries,
#  the example settings, the manual pages (English and French) and the
#  docs; and it holds exactly what cmake --install installs for prefix /usr.
#  The .deb is left in BUILD/package for test_package_fresh_root.
source "$MS_TESTLIB"

expect_exit 0 env MS_JOBS="${MS_JOBS:-2}" "$MS_LIB_ROOT/deploy/package.sh" "$MS_BUILD_ROOT"
deb=$(tail -n 1 "$OUT")
[ -f "$deb" ] || fail "package.sh printed no .deb: $deb"
echo "built $deb ($(stat -c %s "$deb") bytes)"

#  lintian: the tags it prints, down to pedantic ones; errors and warnings fail.
changes=${deb%.deb}.changes
expect_exit 0 lintian --fail-on error,warning --display-level ">=pedantic" "$changes"
echo "lintian: $(grep -c '^[EWIPX]:' "$OUT" || true) tags"
cat "$OUT"
expect_not_contains "$OUT" "^[EW]:"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' | grep -v '/$' | sort >"$MS_TEST_ROOT/deb.list"
for path in /usr/bin/mutsync /usr/bin/mutsyncd /lib/systemd/system/mutsyncd.service \
    /usr/lib/sysusers.d/mutsync.conf /usr/lib/tmpfiles.d/mutsync.conf \
    /etc/mutsync/mutsyncd.conf /usr/share/man/man1/mutsync.1.gz \
    /usr/share/man/man8/mutsyncd.8.gz /usr/share/man/fr/man1/mutsync.1.gz \
    /usr/share/man/fr/man8/mutsyncd.8.gz /usr/share/locale/fr/LC_MESSAGES/mutsync.mo \
    /usr/share/doc/mutsync/README.md.gz /usr/share/doc/mutsync/copyright; do
    grep -qx "$path" "$MS_TEST_ROOT/deb.list" || fail "the package lacks $path"
done
expect_exit 0 dpkg-deb -f "$deb" Depends
expect_contains "$OUT" "systemd \| systemd-standalone-sysusers"
rm -rf "$MS_TEST_ROOT/ctl"
expect_exit 0 dpkg-deb -e "$deb" "$MS_TEST_ROOT/ctl"
expect_contains "$MS_TEST_ROOT/ctl/postinst" "systemd-sysusers .*mutsync.conf"
expect_contains "$MS_TEST_ROOT/ctl/postinst" "systemd-tmpfiles .*--create mutsync.conf"
expect_contains "$MS_TEST_ROOT/ctl/conffiles" "^/etc/mutsync/mutsyncd.conf$"

#  The same layout from cmake --install: the package's build tree (prefix
#  /usr) installed again; debhelper only compresses and adds copyright and
#  the changelog.
obj=$(find "$(dirname "$deb")" -maxdepth 2 -type d -name 'obj-*' | awk 'NR == 1')
[ -n "$obj" ] || fail "no package build tree next to $deb"
expect_exit 0 env DESTDIR="$MS_TEST_ROOT/staged" cmake --install "$obj"
(cd "$MS_TEST_ROOT/staged" && find . -type f | sed 's|^\.||') | sort >"$MS_TEST_ROOT/cmake.list"
sed 's/\.gz$//' "$MS_TEST_ROOT/deb.list" |
    grep -vx -e /usr/share/doc/mutsync/copyright -e /usr/share/doc/mutsync/changelog |
    sort >"$MS_TEST_ROOT/deb-plain.list"
diff -u "$MS_TEST_ROOT/cmake.list" "$MS_TEST_ROOT/deb-plain.list" ||
    fail "cmake --install and the package install different files"
echo "ok: $(wc -l <"$MS_TEST_ROOT/cmake.list") files, the same from cmake --install"
