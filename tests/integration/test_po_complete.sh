#!/bin/bash
#  Every string marked for translation (_ and N_) in client/, server/, lib/
#  and include/ has a French translation in po/fr.po: none missing, empty or
#  fuzzy; and fr.po compiles with its printf formats checked against the
#  English ones. After changing a marked string, see po/CMakeLists.txt.
source "$MS_TESTLIB"

po=$MS_LIB_ROOT/po/fr.po
pot=$MS_TEST_ROOT/mutsync.pot
expect_exit 0 sh "$MS_LIB_ROOT/po/mkpot.sh" "$MS_LIB_ROOT" "$pot"
[ "$(grep -c '^msgid ' "$pot")" -gt 100 ] || fail "the template holds too few strings: $pot"

#  msgcmp counts untranslated and fuzzy entries of fr.po as missing.
expect_exit 0 msgcmp "$po" "$pot"
expect_exit 0 msgfmt --check --statistics -o "$MS_TEST_ROOT/fr.mo" "$po"
expect_contains "$ERR" "^[0-9]+ translated messages\.$"
echo "ok"
