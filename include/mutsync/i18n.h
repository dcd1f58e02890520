//  i18n - the language of what people read: usage texts, messages, table
//  headers. French and English, through gettext (text domain "mutsync").
//
//  Strings for people are written in English in the source and marked:
//  _("...") where they are used, N_("...") where they are only stored (a
//  table, a static usage text) and translated with _() when printed; the
//  format given to ms_error_set is a msgid too, translated by ms_error_set
//  (error.h). The library translates but never chooses the language: the
//  programs call ms_i18n_init (mutsync for every command, mutsyncd for its
//  usage and configuration messages, then English for its logs). The
//  French catalogue is po/fr.po, compiled to LOCALEDIR/fr/LC_MESSAGES/
//  mutsync.mo. What machines read is never translated: --format csv|json
//  output, error codes, record fields, refusal names.

#ifndef MS_I18N_H
#define MS_I18N_H

#include <libintl.h>

#define MS_TEXTDOMAIN "mutsync"

#define _(text) dgettext(MS_TEXTDOMAIN, text)
#define N_(text) text

//  Chooses the language of messages: LANG_OR_NULL when given ("fr" or
//  "en", as --lang says), else the language part of the first of LC_ALL,
//  LC_MESSAGES and LANG that is set and not empty ("fr_SN.UTF-8" is "fr");
//  anything but French is English. French works even when the system has
//  no such locale (Debian has no fr_SN): the messages locale falls back on
//  C.UTF-8 and LANGUAGE names the catalogue; numbers, dates and character
//  classes keep the C locale. The catalogue is read from
//  $MUTSYNC_LOCALEDIR when set (tests, a build tree), else from the
//  install prefix's locale directory. May be called again to change.
//  Returns 0, or MS_EINVAL (nothing changed) when LANG_OR_NULL is neither.
int ms_i18n_init(const char *lang_or_null);

//  The language chosen by the last ms_i18n_init: "fr" or "en" ("en"
//  before any). Borrowed, static.
const char *ms_i18n_lang(void);

#endif
