/* What the operations team pushes for the attract screen, as the fleet agent keeps it in
 * the journal's settings (docs/fleet.md): the playlist in force, "playlist" =
 * {"version":N,"dir":"/absolute/folder"} (the folder holds its slides.ini and images), read
 * strictly: a setting that does not read is refused whole, with the reason, never half used.
 * The "prices" setting is read with core/prices.h, the schema the fleet agent writes it
 * with. */
#ifndef SESSION_PUSH_H
#define SESSION_PUSH_H

#include <stddef.h>
#include <stdint.h>

/* Versions are whole numbers 1 .. 2^53 (exact in JSON). */
#define PUSH_VERSION_MAX INT64_C(9007199254740992)

struct push_playlist {
    int64_t version;
    char dir[256]; /* absolute, no "..": where its slides.ini is */
};

/* Reads the "playlist" setting into *out. 0, or -1 with the reason in err. */
int push_playlist_parse(const char *json, struct push_playlist *out, char *err, size_t errcap);

#endif
