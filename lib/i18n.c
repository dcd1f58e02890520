//  i18n - picks the language and points gettext at the catalogue.
//
//  glibc ignores LANGUAGE while LC_MESSAGES is the "C" locale, and cannot
//  load a locale that is not generated (fr_SN.UTF-8 on Debian 12, and
//  often fr_FR too): then setlocale falls back on "C". So the language is
//  decided here, from the environment's language part, and given to
//  gettext through LANGUAGE with LC_MESSAGES set to a locale that always
//  exists and is not "C": C.UTF-8. Only LC_MESSAGES is changed; printf
//  keeps '.' as the decimal point, which CSV and JSON output rely on.

#include "mutsync/i18n.h"
#include "mutsync/error.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#ifndef MS_LOCALEDIR
#define MS_LOCALEDIR "/usr/local/share/locale"
#endif

static const char *current = "en";  //  "fr" or "en"

//  The first of LC_ALL, LC_MESSAGES and LANG that is set, as POSIX orders them.
static const char *environment_locale(void)
{
    static const char *const names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = getenv(names[i]);
        if (value && value[0])
            return value;
    }
    return "";
}

int ms_i18n_init(const char *lang_or_null)
{
    const char *lang = "en";
    if (lang_or_null) {
        if (strcmp(lang_or_null, "fr") != 0 && strcmp(lang_or_null, "en") != 0)
            return MS_EINVAL;
        lang = lang_or_null;
    } else {
        const char *locale = environment_locale();
        //  "fr", "fr_SN.UTF-8", "fr.UTF-8", "fr@euro"; not "fur_IT".
        if (strncmp(locale, "fr", 2) == 0 && strchr("_.@", locale[2]))
            lang = "fr";
    }
    current = lang;
    setenv("LANGUAGE", lang, 1);
    const char *messages = setlocale(LC_MESSAGES, "");
    if (!messages || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0)
        setlocale(LC_MESSAGES, "C.UTF-8");
    const char *dir = getenv("MUTSYNC_LOCALEDIR");
    bindtextdomain(MS_TEXTDOMAIN, dir && dir[0] ? dir : MS_LOCALEDIR);
    bind_textdomain_codeset(MS_TEXTDOMAIN, "UTF-8");
    return 0;
}

const char *ms_i18n_lang(void)
{
    return current;
}
