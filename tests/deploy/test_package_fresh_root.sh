#!/bin/bash
#  The package in a fresh Debian 12 root: apt installs it with its
#  dependencies from the Debian archive; then mutsync --version runs, the
#  mutsync user and its directories exist (sysusers.d, tmpfiles.d), files
#  written with the service's umask into the site directory stay readable,
#  the installed unit verifies and scores 2.5 or less, and the installed
#  mutsyncd reads the example settings and serves a node.
#
#  The root comes from mmdebstrap (variant apt, bookworm), cached as
#  BUILD/fresh-root/bookworm-apt.tar (remade when older than 30 days), and
#  the .debs apt fetches are kept in BUILD/fresh-root/archives, so a second
#  run needs the network only for apt-get update. Needs root (chroot) and
#  the archive; without either it says SKIP and exits 77, which ctest shows
#  as skipped. Runs after test_package, which makes the .deb.
source "$MS_TESTLIB"

skip()
{
    echo "SKIP: $*"
    exit 77
}

[ "$(id -u)" -eq 0 ] || skip "not root: a fresh root needs chroot"
mirror=${MS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
host=$(sed -E 's|^[a-z]+://([^/:]+).*|\1|' <<<"$mirror")
timeout 10 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null || skip "no network: $host:80 unreachable"

deb=$(find "$MS_BUILD_ROOT/package" -maxdepth 1 -name 'mutsync_*.deb' 2>/dev/null | awk 'NR == 1')
[ -n "$deb" ] || fail "no .deb in $MS_BUILD_ROOT/package: test_package makes it"

cache=$MS_BUILD_ROOT/fresh-root
tarball=$cache/bookworm-apt.tar
mkdir -p "$cache/archives"
if [ -z "$(find "$tarball" -mtime -30 2>/dev/null)" ]; then
    echo "mmdebstrap: a Debian 12 root (variant apt) from $mirror"
    rm -f "$tarball.tmp"
    timeout 900 mmdebstrap --variant=apt --mode=root --format=tar bookworm "$tarball.tmp" \
        "$mirror" >"$cache/mmdebstrap.log" 2>&1 || {
        tail -n 20 "$cache/mmdebstrap.log" >&2
        fail "mmdebstrap failed (log: $cache/mmdebstrap.log)"
    }
    mv "$tarball.tmp" "$tarball"
fi

root=$MS_TEST_ROOT/root
mkdir "$root"
tar -C "$root" -xf "$tarball"
expect_contains "$root/etc/debian_version" "^12\."
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
find "$cache/archives" -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
#  Runs CMD... in the root with /proc mounted, as on a real machine (the
#  postinst's systemd-tmpfiles needs it), in a mount namespace of its own:
#  the mount ends with the command and never shows outside. Each program
#  execs the next, so the pid start_bg records is CMD's in the end.
#  Inside a chroot whose / is not a mount point (a bootstrapped build root),
#  no private mount namespace can be made: /proc is then mounted once and
#  unmounted at exit.
if unshare --mount --propagation private -- true 2>/dev/null; then
    in_root_cmd=(unshare --mount --propagation private -- sh -c
        'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root"
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
else
    mount -t proc proc "$root/proc" || skip "cannot mount /proc in the fresh root"
    ms_defer "umount -l '$root/proc'"
    in_root_cmd=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
fi
in_root() { "${in_root_cmd[@]}" "$@"; }

# shellcheck disable=SC2034  # read by expect_exit (lib.sh)
MS_CMD_TIMEOUT=600
expect_exit 0 in_root apt-get -q update
expect_exit 0 in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "/tmp/$(basename "$deb")"
tail -n 5 "$OUT"
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -t "$cache/archives/" {} +

#  What the README's users run first.
expect_exit 0 in_root mutsync --version
expect_contains "$OUT" "^mutsync [0-9]+\.[0-9]+\.[0-9]+$"
echo "in the fresh root: $(cat "$OUT")"
expect_exit 0 in_root mutsyncd --version
expect_exit 0 in_root mutsync --help --lang fr
expect_contains "$OUT" "^usage : mutsync"

#  sysusers.d made the user, tmpfiles.d its directories.
expect_exit 0 in_root getent passwd mutsync
expect_contains "$OUT" "^mutsync:x:[0-9]+:[0-9]+:mutsync node:/var/lib/mutsync:/usr/sbin/nologin$"
#  (stat in the root: the host's user names are not the root's)
expect_exit 0 in_root stat -c '%n %a %U' /var/lib/mutsync /var/lib/mutsync-site
expect_contains "$OUT" "^/var/lib/mutsync 700 mutsync$"
expect_contains "$OUT" "^/var/lib/mutsync-site 755 mutsync$"
#  With the service's UMask=0077, the site's default ACL still gives 0644 / 0755.
as_mutsync() { in_root setpriv --reuid=mutsync --regid=mutsync --clear-groups "$@"; }
expect_exit 0 as_mutsync sh -c 'umask 077; echo x >/var/lib/mutsync-site/index.html;
    mkdir /var/lib/mutsync-site/org; echo y >/var/lib/mutsync-site/org/a.html'
for file in index.html org/a.html; do
    mode=$(stat -c %a "$root/var/lib/mutsync-site/$file")
    [ "$mode" = 644 ] || fail "site file $file has mode $mode, not 644, under umask 077"
done
mode=$(stat -c %a "$root/var/lib/mutsync-site/org")
[ "$mode" = 755 ] || fail "site directory org has mode $mode, not 755, under umask 077"

#  The manual pages, both languages.
for page in man/man1/mutsync.1 man/man8/mutsyncd.8 man/fr/man1/mutsync.1 man/fr/man8/mutsyncd.8; do
    zcat "$root/usr/share/$page.gz" | grep -c '^\.TH' >/dev/null || fail "no manual page $page"
done

#  The installed unit: no unknown directive or missing program, and its score.
expect_exit 0 in_root systemd-analyze verify --man=no mutsyncd.service
expect_exit 0 in_root systemd-analyze security --offline=true --no-pager mutsyncd.service
score=$(sed -n 's/.*Overall exposure level for mutsyncd.service: \([0-9.]*\).*/\1/p' "$OUT")
echo "installed unit: overall exposure ${score:-?}"
awk -v s="${score:-9}" 'BEGIN { exit !(s <= 2.5) }' || fail "exposure ${score:-?} is above 2.5"

#  The installed mutsyncd, as the service runs it: the mutsync user, the
#  example settings (the port overridden, flags win), a node made with init.
expect_exit 0 as_mutsync mutsync -d /var/lib/mutsync init --org ML-UTM --role union \
    --country ML --name "Union"
port=$(free_port)
start_bg daemon "${in_root_cmd[@]}" setpriv --reuid=mutsync --regid=mutsync --clear-groups \
    mutsyncd --config /etc/mutsync/mutsyncd.conf --listen "tcp://127.0.0.1:$port"
wait_until 20 grep -q "listening" "$MS_TEST_ROOT/daemon.err" ||
    fail "the installed mutsyncd did not start: $(cat "$MS_TEST_ROOT/daemon.err")"
expect_contains "$MS_TEST_ROOT/daemon.err" "site directory /var/lib/mutsync-site$"
expect_exit 0 stop_bg daemon
expect_contains "$MS_TEST_ROOT/daemon.err" "INFO mutsyncd: stopped$"
echo "ok"
