/* golden-cmp: compares the screenshots a scenario wrote (its `shot` steps; the fail-line-N
 * pictures of a failed step are not compared) with their references.
 * usage: golden-cmp --fonts SUMS --script SCRIPT --ref REF_DIR --out OUT_DIR
 * SCRIPT is parsed by the kiosk's own script parser; OUT_DIR/NAME.png is compared with
 * REF_DIR/NAME.png. Exit status 0 when every one matches, 1 when one does not (the reasons
 * on stderr, NAME.actual.png and NAME.diff.png in OUT_DIR), 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/script.h"
#include "golden.h"

static void usage(void)
{
    fprintf(stderr, "usage: golden-cmp --fonts SUMS --script SCRIPT --ref REF_DIR --out OUT_DIR\n");
}

int main(int argc, char **argv)
{
    const char *fonts = NULL, *script = NULL, *ref = NULL, *out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--fonts"))
            fonts = argv[i + 1];
        else if (!strcmp(argv[i], "--script"))
            script = argv[i + 1];
        else if (!strcmp(argv[i], "--ref"))
            ref = argv[i + 1];
        else if (!strcmp(argv[i], "--out"))
            out = argv[i + 1];
    }
    if (!fonts || !script || !ref || !out || argc != 9) {
        usage();
        return 2;
    }
    char err[1200];
    struct script s;
    if (script_load(&s, script, err, sizeof err) != 0) {
        fprintf(stderr, "golden-cmp: %s\n", err);
        return 2;
    }
    /* the scenario's name in messages: the reference folder's */
    const char *scenario = strrchr(ref, '/') ? strrchr(ref, '/') + 1 : ref;
    int failed = 0, checked = 0;
    /* compared even when the fonts differ: the new pictures are there to look at */
    if (golden_fonts_check(fonts, err, sizeof err) != 0) {
        fprintf(stderr, "golden-cmp: %s\n", err);
        failed++;
    }
    const char **names = calloc((size_t)s.n + 1, sizeof *names);
    if (!names) {
        script_free(&s);
        return 2;
    }
    for (int i = 0; i < s.n; i++) {
        if (s.steps[i].kind != STEP_SHOT)
            continue;
        const char *name = s.steps[i].arg;
        char shot[1024], want[1024], what[400], msg[2000];
        snprintf(shot, sizeof shot, "%s/%s.png", out, name);
        snprintf(want, sizeof want, "%s/%s.png", ref, name);
        snprintf(what, sizeof what, "%s:%d: %s/%s", script, s.steps[i].line, scenario, name);
        names[checked++] = name;
        int rc = golden_check(shot, want, out, name, what, msg, sizeof msg);
        fprintf(rc == 0 ? stdout : stderr, "%s%s\n", rc == 0 ? "" : "FAILED: ", msg);
        failed += rc != 0;
    }
    if (golden_stale(ref, names, checked, out) > 0)
        failed++;
    printf("%s: %d screenshots compared, %d failures\n", scenario, checked, failed);
    free(names);
    script_free(&s);
    return failed ? 1 : 0;
}
