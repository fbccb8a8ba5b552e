#!/bin/bash
# voice-gen.sh PROMPTS LOCALE_DIR OUT_DIR ESPEAK: the spoken prompts' clips, one WAV per
# prompt and language, OUT_DIR/<lang>/<id>.wav, made with espeak-ng from the words the
# compiled catalogs give (PROMPTS is the voice-prompts tool: "<lang>\t<id>\t<words>" lines).
#
# Run by the build (kiosk/audio/CMakeLists.txt) when a catalog or the prompt table changes.
# A clip is made again only when its words or its voice changed (each WAV has a .txt next to
# it with what it says); clips of prompts that are gone are removed. A clip espeak-ng cannot
# make (a voice not installed) is left out with a warning: the kiosk is silent there, and
# unit_voice says which. Recordings never live here: they go in
# assets/voice/<lang>/<id>.wav and take precedence at run time.
set -euo pipefail
prompts=$1 locale=$2 out=$3 espeak=$4

# espeak-ng's voice for a language and its speed (its "words" per minute): clear rather than
# quick, for people standing at a pump; espeak-ng's Mandarin is slow at its default 175.
voice_of() {
    case $1 in
    zh_CN) echo "cmn 190" ;;
    en_US) echo "en-us 160" ;;
    *) return 1 ;;
    esac
}

list=$("$prompts" "$locale" zh_CN,en_US)
made=0 kept=0 failed=0
declare -A wanted=()
while IFS=$'\t' read -r lang id words; do
    if ! vs=$(voice_of "$lang"); then
        echo "voice-gen: no espeak-ng voice for $lang: $id left out" >&2
        continue
    fi
    voice=${vs% *} speed=${vs#* }
    mkdir -p "$out/$lang"
    wav=$out/$lang/$id.wav
    said="$voice $speed $words"
    wanted[$lang/$id]=1
    if [ -f "$wav" ] && [ "$(cat "$out/$lang/$id.txt" 2>/dev/null)" = "$said" ]; then
        kept=$((kept + 1))
        continue
    fi
    # the words on stdin: nothing in them is taken for an option
    if ! printf '%s' "$words" | "$espeak" -v "$voice" -s "$speed" -w "$wav.part"; then
        echo "voice-gen: espeak-ng could not say $lang/$id with voice $voice: no clip" >&2
        rm -f "$wav.part" "$wav" "$out/$lang/$id.txt"
        failed=$((failed + 1))
        continue
    fi
    mv "$wav.part" "$wav"
    printf '%s\n' "$said" >"$out/$lang/$id.txt"
    made=$((made + 1))
done <<<"$list"

removed=0
for f in "$out"/*/*.wav; do
    [ -e "$f" ] || continue
    rel=${f#"$out"/}
    if [ -z "${wanted[${rel%.wav}]:-}" ]; then
        rm -f "$f" "${f%.wav}.txt"
        removed=$((removed + 1))
    fi
done
touch "$out/.generated"
echo "voice-gen: $made clips made, $kept unchanged, $removed removed, $failed failed"
