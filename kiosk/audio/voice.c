/* Sound through SDL's audio queue: the device is opened once as 16-bit mono at espeak-ng's
 * rate, so generated clips need no conversion; a recording in another format is converted
 * once, when it is first said. Saying a prompt clears the queue and queues the new clip,
 * scaled by the volume, in small chunks from a buffer on the stack. Everything here runs on
 * the UI thread; SDL's own thread drains the queue. */
#include "audio/voice.h"

#include <SDL.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define RATE 22050     /* espeak-ng's: generated clips are queued as they are */
#define CACHE_CLIPS 24 /* slots, missing clips included */
#define CHUNK 2048     /* samples scaled and queued at a time */
#define CLICK_MS 12
#define LANG_LEN 16

#define B(n, f, d, h) CFG_BOOL_OPT(struct voice_config, "sound", n, f, d, h)
#define I(n, f, d, lo, hi, h) CFG_INT_OPT(struct voice_config, "sound", n, f, d, lo, hi, h)
#define S(n, f, d, h) CFG_STR_OPT(struct voice_config, "sound", n, f, d, h)

const struct cfg_option voice_options[] = {
    B("enabled", enabled, "true", "spoken prompts for each step, and the Sound button"),
    I("volume", volume, "80", 0, 100, "loudness of prompts and clicks; 0 = silent"),
    B("key_clicks", key_clicks, "false", "a short click when a button is pressed"),
    S("clips_dir", clips_dir, KIOSK_VOICE_DIR,
      "generated prompt clips (<lang>/<id>.wav); a recording in assets_dir/voice/<lang>/ "
      "replaces one"),
    {0},
};

/* A clip in the device's format, or the memory that it has no file. */
struct clip {
    char id[VOICE_ID_LEN];
    char lang[LANG_LEN];
    Sint16 *pcm;   /* NULL: no file (said once in the log) */
    Uint32 len;    /* bytes */
    uint64_t used; /* when it was last said; 0: a free slot */
};

struct voice {
    struct voice_config cfg;
    char assets_dir[512];
    int audio_up;          /* SDL's audio subsystem was started here */
    SDL_AudioDeviceID dev; /* 0: no sound */
    int on;                /* the customer's switch */
    int no_clips_dir;      /* clips_dir is missing: logged once, not for every clip */
    struct clip cache[CACHE_CLIPS];
    size_t bytes; /* held by the cache */
    uint64_t clock;
    char last[VOICE_ID_LEN];
    Sint16 click[RATE * CLICK_MS / 1000];
};

/* A click: a 2 kHz tone dying away within a few milliseconds. */
static void make_click(struct voice *v)
{
    size_t n = sizeof v->click / sizeof v->click[0];
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / RATE;
        v->click[i] = (Sint16)(9000.0 * sin(2.0 * M_PI * 2000.0 * t) * exp(-t / 0.003));
    }
}

struct voice *voice_open(const struct voice_config *cfg, const char *assets_dir, int headless)
{
    struct voice *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->cfg = *cfg;
    snprintf(v->assets_dir, sizeof v->assets_dir, "%s", assets_dir ? assets_dir : "");
    v->on = 1;
    make_click(v);
    if (!cfg->enabled) {
        log_info("voice", "sound off: [sound] enabled = false");
        return v;
    }
    /* A hint, not the variable: SDL_AUDIODRIVER set by the user still wins. */
    if (headless)
        SDL_SetHint(SDL_HINT_AUDIODRIVER, "dummy");
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        log_warn("voice", "no sound: %s", SDL_GetError());
        return v;
    }
    v->audio_up = 1;
    SDL_AudioSpec want, have;
    SDL_zero(want);
    want.freq = RATE;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024;
    /* no changes allowed: SDL converts for the card, the queue is always in this format */
    v->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!v->dev) {
        log_warn("voice", "no sound: %s", SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        v->audio_up = 0;
        return v;
    }
    SDL_PauseAudioDevice(v->dev, 0);
    if (access(cfg->clips_dir, R_OK | X_OK) != 0) {
        v->no_clips_dir = 1;
        log_warn("voice",
                 "no generated clips in %s (no espeak-ng at build time?): only "
                 "recordings in %s/voice are said",
                 cfg->clips_dir, v->assets_dir);
    }
    log_info("voice", "sound on %s, volume %d%s", SDL_GetCurrentAudioDriver(), cfg->volume,
             cfg->key_clicks ? ", key clicks" : "");
    return v;
}

static void clip_drop(struct voice *v, struct clip *c)
{
    if (c->pcm)
        v->bytes -= c->len;
    free(c->pcm);
    memset(c, 0, sizeof *c);
}

void voice_close(struct voice *v)
{
    if (!v)
        return;
    if (v->dev)
        SDL_CloseAudioDevice(v->dev);
    if (v->audio_up)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    for (int i = 0; i < CACHE_CLIPS; i++)
        clip_drop(v, &v->cache[i]);
    free(v);
}

int voice_available(const struct voice *v)
{
    return v && v->cfg.enabled && v->dev;
}

void voice_set_on(struct voice *v, int on)
{
    if (!v || v->on == !!on)
        return;
    if (!on)
        voice_stop(v);
    v->on = !!on;
    log_info("voice", "sound %s", on ? "on" : "off");
}

int voice_on(const struct voice *v)
{
    return v && v->on;
}

static int speaking(const struct voice *v)
{
    return v && v->dev && v->cfg.enabled && v->on;
}

/* The file a clip is read from: a recording in assets, else the generated one. 0, or -1
 * when neither exists. */
static int clip_path(const struct voice *v, const char *id, const char *lang, char *path,
                     size_t cap)
{
    int n = snprintf(path, cap, "%s/voice/%s/%s.wav", v->assets_dir, lang, id);
    if (n > 0 && (size_t)n < cap && access(path, R_OK) == 0)
        return 0;
    n = snprintf(path, cap, "%s/%s/%s.wav", v->cfg.clips_dir, lang, id);
    return n > 0 && (size_t)n < cap && access(path, R_OK) == 0 ? 0 : -1;
}

/* Reads a WAV file and converts it to the device's format (a new buffer). 0 or -1 (logged). */
static int clip_read(const char *path, Sint16 **pcm, Uint32 *len)
{
    SDL_AudioSpec spec;
    Uint8 *buf = NULL;
    Uint32 blen = 0;
    if (!SDL_LoadWAV(path, &spec, &buf, &blen)) {
        log_warn("voice", "%s: %s", path, SDL_GetError());
        return -1;
    }
    SDL_AudioCVT cvt;
    const size_t max_out = (size_t)RATE * sizeof(Sint16) * VOICE_CLIP_MAX_S;
    int rc = -1;
    if (SDL_BuildAudioCVT(&cvt, spec.format, spec.channels, spec.freq, AUDIO_S16SYS, 1, RATE) < 0) {
        log_warn("voice", "%s: cannot convert: %s", path, SDL_GetError());
    } else if (blen > 64u << 20 || (double)blen * cvt.len_ratio > (double)max_out) {
        log_warn("voice", "%s: longer than %d s, not a prompt", path, VOICE_CLIP_MAX_S);
    } else {
        cvt.len = (int)blen;
        cvt.buf = malloc((size_t)blen * (size_t)(cvt.len_mult > 0 ? cvt.len_mult : 1) + 2);
        if (!cvt.buf) {
            log_error("voice", "%s: out of memory", path);
        } else {
            memcpy(cvt.buf, buf, blen);
            if (cvt.needed && SDL_ConvertAudio(&cvt) != 0) {
                log_warn("voice", "%s: cannot convert: %s", path, SDL_GetError());
                free(cvt.buf);
            } else {
                *pcm = (Sint16 *)(void *)cvt.buf;
                *len = (Uint32)(cvt.needed ? cvt.len_cvt : cvt.len) & ~1u;
                rc = 0;
            }
        }
    }
    SDL_FreeWAV(buf);
    return rc;
}

/* A slot for a clip of `bytes` more bytes: older clips go until it fits the budget, then a
 * free slot or the least recently said. */
static struct clip *cache_slot(struct voice *v, size_t bytes)
{
    while (v->bytes + bytes > VOICE_CACHE_BYTES) {
        struct clip *old = NULL;
        for (int i = 0; i < CACHE_CLIPS; i++)
            if (v->cache[i].pcm && (!old || v->cache[i].used < old->used))
                old = &v->cache[i];
        if (!old)
            break;
        clip_drop(v, old);
    }
    struct clip *s = NULL;
    for (int i = 0; i < CACHE_CLIPS; i++) {
        struct clip *c = &v->cache[i];
        if (!c->used) {
            s = c;
            break;
        }
        if (!s || c->used < s->used)
            s = c;
    }
    clip_drop(v, s);
    return s;
}

/* The clip of `id` in `lang`, from the cache or read now; NULL when it has no file. */
static const struct clip *clip_get(struct voice *v, const char *id, const char *lang)
{
    for (int i = 0; i < CACHE_CLIPS; i++) {
        struct clip *c = &v->cache[i];
        if (c->used && !strcmp(c->id, id) && !strcmp(c->lang, lang)) {
            c->used = ++v->clock;
            return c->pcm ? c : NULL;
        }
    }
    char path[1100];
    Sint16 *pcm = NULL;
    Uint32 len = 0;
    if (clip_path(v, id, lang, path, sizeof path) != 0) {
        if (v->no_clips_dir)
            log_debug("voice", "no clip for %s (%s)", id, lang);
        else
            log_warn("voice", "no clip for %s (%s): neither %s/voice/%s/%s.wav nor %s/%s/%s.wav",
                     id, lang, v->assets_dir, lang, id, v->cfg.clips_dir, lang, id);
    } else if (clip_read(path, &pcm, &len) == 0) {
        log_debug("voice", "%s: %u bytes", path, (unsigned)len);
    }
    /* remembered either way: a clip with no file is said once in the log, not every time */
    struct clip *c = cache_slot(v, pcm ? len : 0);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->lang, sizeof c->lang, "%s", lang);
    c->pcm = pcm;
    c->len = pcm ? len : 0;
    c->used = ++v->clock;
    v->bytes += c->len;
    return c->pcm ? c : NULL;
}

/* Queues samples scaled by the volume (perceived: the amplitude goes with its square). */
static void queue(struct voice *v, const Sint16 *pcm, Uint32 bytes)
{
    Sint16 buf[CHUNK];
    long g = (long)v->cfg.volume * v->cfg.volume; /* of 100 * 100 */
    Uint32 n = bytes / sizeof(Sint16);
    for (Uint32 i = 0; i < n;) {
        Uint32 k = n - i < CHUNK ? n - i : CHUNK;
        for (Uint32 j = 0; j < k; j++)
            buf[j] = (Sint16)(pcm[i + j] * g / 10000);
        if (SDL_QueueAudio(v->dev, buf, k * (Uint32)sizeof(Sint16)) != 0) {
            log_warn("voice", "cannot queue: %s", SDL_GetError());
            SDL_ClearQueuedAudio(v->dev);
            return;
        }
        i += k;
    }
}

/* A language code is a file name part: letters and '_' only. */
static int lang_ok(const char *lang)
{
    size_t n = lang ? strlen(lang) : 0;
    if (n == 0 || n >= LANG_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(lang[i] == '_' || (lang[i] >= 'a' && lang[i] <= 'z') ||
              (lang[i] >= 'A' && lang[i] <= 'Z')))
            return 0;
    return 1;
}

void voice_say(struct voice *v, const char *id, const char *lang)
{
    if (!speaking(v))
        return;
    voice_stop(v);
    if (!id)
        return;
    const struct voice_prompt *p = voice_prompt_find(id);
    if (!p || !lang_ok(lang)) {
        log_warn("voice", "no prompt %s in language %s", id, lang ? lang : "(none)");
        return;
    }
    snprintf(v->last, sizeof v->last, "%s", p->id);
    log_info("voice", "say %s (%s)", p->id, lang);
    if (v->cfg.volume == 0)
        return;
    const struct clip *c = clip_get(v, p->id, lang);
    if (c)
        queue(v, c->pcm, c->len);
}

void voice_stop(struct voice *v)
{
    if (!v)
        return;
    if (v->dev)
        SDL_ClearQueuedAudio(v->dev);
    v->last[0] = '\0';
}

void voice_click(struct voice *v)
{
    if (!speaking(v) || !v->cfg.key_clicks || v->cfg.volume == 0 ||
        SDL_GetQueuedAudioSize(v->dev) > 0)
        return;
    queue(v, v->click, (Uint32)sizeof v->click);
}

const char *voice_last(const struct voice *v)
{
    return v && v->last[0] ? v->last : NULL;
}

unsigned voice_queued(const struct voice *v)
{
    return v && v->dev ? SDL_GetQueuedAudioSize(v->dev) : 0;
}
