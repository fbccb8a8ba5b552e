/* voice-prompts LOCALE_DIR LANGS: prints every spoken prompt in each language, as the kiosk
 * would say it, one line each: "<lang>\t<id>\t<words>". The build feeds it to espeak-ng
 * (tools/voice-gen.sh); the words come from the compiled catalogs through the kiosk's own
 * i18n, so a clip says exactly what the translation says. Exit status 1 when a catalog
 * cannot be read or a prompt's words cannot go on one line. */
#include <stdio.h>
#include <string.h>

#include "audio/voice.h"
#include "core/i18n.h"

int main(int argc, char **argv)
{
    char err[512];
    if (argc != 3) {
        fprintf(stderr, "usage: voice-prompts LOCALE_DIR LANGS (zh_CN,en_US)\n");
        return 2;
    }
    if (i18n_init(argv[1], argv[2], err, sizeof err) != 0) {
        fprintf(stderr, "voice-prompts: %s\n", err);
        return 1;
    }
    int rc = 0;
    for (int l = 0; l < i18n_count(); l++) {
        const char *lang = i18n_lang_at(l);
        for (const struct voice_prompt *p = voice_prompts; p->id; p++) {
            const char *words = i18n_get_in(lang, p->msgid);
            if (strpbrk(words, "\t\r\n")) {
                fprintf(stderr, "voice-prompts: %s (%s) is not one line\n", p->id, lang);
                rc = 1;
                continue;
            }
            printf("%s\t%s\t%s\n", lang, p->id, words);
        }
    }
    i18n_shutdown();
    return rc;
}
