#!/bin/sh
#  Writes the template of every string marked for translation in
#  the C sources under SOURCE_DIR (client/, server/, lib/, include/) to OUT:
#  _(), N_() and the message format of ms_error_set (its fourth argument),
#  which the library translates when an error is set.
#  Usage: mkpot.sh SOURCE_DIR OUT.pot
set -eu
src=$1 out=$2
cd "$src"
find client server lib include -name '*.[ch]' | LC_ALL=C sort |
    xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ms_error_set:4 \
        --add-comments=TRANSLATORS: --package-name=mutsync \
        --msgid-bugs-address= --no-wrap -o "$out" -f -
