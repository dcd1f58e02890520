#!/bin/bash
#  The unit mutsyncd.service, as cmake configured it, is sandboxed: the
#  exposure systemd-analyze security gives it is 2.5 or less, and it keeps
#  the directives the service relies on.
source "$MS_TESTLIB"

unit=$MS_BUILD_ROOT/deploy/mutsyncd.service
[ -f "$unit" ] || fail "no configured unit at $unit"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (deploy/install-deps.sh installs systemd)"

#  --offline (systemd 250 and later; Debian 12 has 252) reads the file alone.
work=$(ms_tmpdir)
cp "$unit" "$work/mutsyncd.service"
expect_exit 0 systemd-analyze security --offline=true --no-pager "$work/mutsyncd.service"
score=$(sed -n 's/.*Overall exposure level for mutsyncd.service: \([0-9.]*\).*/\1/p' "$OUT")
[ -n "$score" ] || fail "no overall exposure level in: $(tail -n 3 "$OUT")"
echo "systemd-analyze security mutsyncd.service: overall exposure $score"
grep '✗' "$OUT" || true
awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || fail "exposure $score is above 2.5"

for directive in "Type=notify" "User=mutsync" "UMask=0077" "LimitNOFILE=" \
    "ProtectSystem=strict" "ProtectHome=true" "PrivateTmp=true" "PrivateDevices=true" \
    "NoNewPrivileges=true" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
    "SystemCallFilter=@system-service" "CapabilityBoundingSet=$" \
    "ReadWritePaths=/var/lib/mutsync -/var/lib/mutsync-site"; do
    expect_contains "$unit" "^$directive"
done
expect_contains "$unit" "^ExecStart=/.*/mutsyncd --config /.*/mutsync/mutsyncd.conf$"
echo "ok"
