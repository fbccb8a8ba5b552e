/* Sound: a short spoken prompt for each step of a customer's flow, and key clicks. The only
 * module that uses SDL's audio.
 *
 * A screen names its prompt (struct ui_tree's `prompt`: the id of a clip in voice_prompts
 * below); the host says it when the screen's prompt changes or the language does. A new
 * prompt cuts the one playing. Nothing here waits for the sound card: a clip is put on SDL's
 * audio queue and SDL's own thread plays it, so a prompt never holds up input.
 *
 * Clips are WAV files, one per prompt and language: <assets_dir>/voice/<lang>/<id>.wav when
 * someone has dropped a recording there, otherwise <clips_dir>/<lang>/<id>.wav, generated at
 * build time from the translation catalogs with espeak-ng (tools/voice-gen.sh). A clip is
 * read when it is first said and kept, converted to the device's format, in a small cache
 * (VOICE_CACHE_BYTES; the least recently said goes first).
 *
 * Sound is never an error: with no sound card, [sound] enabled = false, or no clips, the
 * kiosk works silently and says why once in its log. Headless runs use SDL's dummy driver,
 * which plays into nothing at real speed, so what was queued can be checked. */
#ifndef KIOSK_AUDIO_VOICE_H
#define KIOSK_AUDIO_VOICE_H

#include "core/config.h"

#define VOICE_CACHE_BYTES (2u << 20) /* converted clips kept in memory */
#define VOICE_CLIP_MAX_S 30          /* a longer recording is refused (it would be no prompt) */
#define VOICE_ID_LEN 32

/* [sound]: read with the kiosk's other keys (docs/config.md). */
struct voice_config {
    int enabled;         /* speak at all; false: no prompts, no clicks, no Sound button */
    int volume;          /* 0..100, perceived loudness; 0 = silent */
    int key_clicks;      /* a short click when a button is pressed */
    char clips_dir[512]; /* the generated clips */
};
/* Its option table (offsets into struct voice_config), ended by name == NULL. */
extern const struct cfg_option voice_options[];

/* A prompt: the clip's stable name and what it says. */
struct voice_prompt {
    const char *id;    /* ASCII slug ("pick_pump"): the clip's file name, log lines, tests */
    const char *msgid; /* a message id of the catalogs (English), spoken in each language */
};
/* Every prompt a screen may name, ended by id == NULL. The one list the clips are generated
 * from (tools/voice-gen.sh, through voice-prompts). */
extern const struct voice_prompt voice_prompts[];
/* The prompt called `id`, or NULL. */
const struct voice_prompt *voice_prompt_find(const char *id);

struct voice;

/* Opens the audio device (SDL's audio subsystem; `headless`: SDL's dummy driver unless
 * SDL_AUDIODRIVER names another). `cfg` is copied; assets_dir is where recordings override
 * generated clips. Never fails for want of sound: without a device every call below does
 * nothing (one log line says why). NULL only when out of memory; every function takes
 * NULL as "no sound". */
struct voice *voice_open(const struct voice_config *cfg, const char *assets_dir, int headless);
/* Stops the sound, frees the cache, closes the device. NULL-safe. */
void voice_close(struct voice *v);

/* Whether the kiosk has sound to offer: enabled in config and a device open. The Sound
 * button is shown only then. */
int voice_available(const struct voice *v);
/* The customer's switch (the Sound button): on by default; off stops what is playing and
 * keeps everything silent until it is on again. */
void voice_set_on(struct voice *v, int on);
int voice_on(const struct voice *v);

/* Says prompt `id` (from voice_prompts) in `lang` ("zh_CN"): whatever is playing or queued
 * is cut, then the clip is queued at the configured volume. id NULL only cuts. Logs
 * "[voice] say <id> (<lang>)"; a clip with no file is logged once and left out. Does nothing
 * while sound is off or unavailable. */
void voice_say(struct voice *v, const char *id, const char *lang);
/* Cuts what is playing. */
void voice_stop(struct voice *v);
/* A short click, when [sound] key_clicks is on and nothing is being said (a click never cuts
 * or delays a prompt). */
void voice_click(struct voice *v);

/* For tests: the id of the prompt said last (NULL before the first, and after a cut); the
 * bytes still queued for the device. */
const char *voice_last(const struct voice *v);
unsigned voice_queued(const struct voice *v);

#endif
