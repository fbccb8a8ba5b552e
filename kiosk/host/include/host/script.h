/* Scripted sessions: a plain-text script, one step a line, played against the real kiosk
 * (docs/scripts.md). Parsing is separate from playing so a malformed line is reported
 * before anything runs. */
#ifndef HOST_SCRIPT_H
#define HOST_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

enum step_kind {
    STEP_TAP,        /* tap <id> */
    STEP_TYPE,       /* type <text> */
    STEP_KEY,        /* key <Tab|Return|Escape|Left|Right|Up|Down> */
    STEP_SCAN,       /* scan <code> */
    STEP_WAIT,       /* wait <screen> [timeout] */
    STEP_EXPECT,     /* expect <id> [text] : widget exists, text contains */
    STEP_ABSENT,     /* absent <id> */
    STEP_UNAVAILABLE,/* unavailable <id> : the widget says it cannot be used */
    STEP_AVAILABLE,  /* available <id> : wait (up to 15 s) until it can be used */
    STEP_AWAIT,      /* await <id> <text> : wait (up to 15 s) until the widget says text */
    STEP_ADVANCE,    /* advance <duration> : move the kiosk clock */
    STEP_PAUSE,      /* pause <duration> : real time passes (benchmarks) */
    STEP_SHOT,       /* shot <name> : screenshot <out>/<name>.png */
    STEP_SIZE,       /* size <w> <h> */
    STEP_SETTLED,    /* settled : wait (up to 15 s) until no payment is being settled, no
                      * receipt is printing and the outbox has uploaded everything */
    STEP_HOLD,       /* hold <id> : press it as long as it asks (ui_widget.hold_ms) */
    STEP_LAST
};

struct step {
    enum step_kind kind;
    int line;
    char arg[256];
    char text[256];
    int64_t ms;      /* durations and timeouts */
    int w, h;
};

struct script {
    struct step *steps;
    int n;
    char path[512];
};

/* Parses the file at path. -1 with "path:line: reason" in err. */
int script_load(struct script *s, const char *path, char *err, size_t errcap);
/* Parses script text (for tests); name is used in messages. */
int script_parse(struct script *s, const char *name, const char *text, char *err, size_t errcap);
void script_free(struct script *s);
/* Parses "500ms", "5s", "2m" into milliseconds; -1 if malformed. */
int64_t script_duration(const char *text);

#endif
