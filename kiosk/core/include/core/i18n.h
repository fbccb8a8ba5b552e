/* Translations: gettext catalogs (i18n/<lang>.po) compiled to .mo at build time and
 * read here directly, so the language switches live without touching the process
 * locale. Message ids are English; zh_CN is the default language.
 * Mark strings with _("...") in code and N_("...") in static tables. */
#ifndef KIOSK_CORE_I18N_H
#define KIOSK_CORE_I18N_H

#include <stddef.h>

#define I18N_MAX_LANGS 4

/* Loads <dir>/<lang>/LC_MESSAGES/kiosk.mo for each language in `langs` (comma separated,
 * first one is the default). On failure writes what and where into err and returns -1. */
int i18n_init(const char *dir, const char *langs, char *err, size_t errcap);
void i18n_shutdown(void);

/* Switches the current language; returns -1 if `lang` was not loaded. */
int i18n_set_lang(const char *lang);
const char *i18n_lang(void);
/* Switches to the next loaded language (the language button) and returns its code. */
const char *i18n_cycle(void);
/* Number of loaded languages and the code of the i-th one. */
int i18n_count(void);
const char *i18n_lang_at(int i);
/* Translation of msgid in the current language; msgid itself if untranslated. */
const char *i18n_get(const char *msgid) __attribute__((format_arg(1)));
/* Translation of msgid in a given language (receipts follow the customer's language). */
const char *i18n_get_in(const char *lang, const char *msgid) __attribute__((format_arg(2)));

#define _(s) i18n_get(s)
#define N_(s) (s)

#endif
