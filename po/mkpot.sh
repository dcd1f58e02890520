#!/bin/sh
#  Writes the template of every string marked for translation (_ and N_) in
#  the C sources under SOURCE_DIR (client/, server/, lib/, include/) to OUT.
#  Usage: mkpot.sh SOURCE_DIR OUT.pot
set -eu
src=$1 out=$2
cd "$src"
find client server lib include -name '*.[ch]' | LC_ALL=C sort |
    xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
        --add-comments=TRANSLATORS: --package-name=mutsync \
        --msgid-bugs-address= --no-wrap -o "$out" -f -
