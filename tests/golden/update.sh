#!/bin/bash
# update.sh BUILD GOLDEN: makes the screenshots of the last test run the new references
# (cmake --build BUILD --target golden-update). Run it only after looking at every
# NAME.actual.png (and its NAME.diff.png) the failed golden tests named.
#   - each BUILD/scenario/<scenario>/NAME.actual.png becomes GOLDEN/<scenario>/NAME.png,
#     each BUILD/golden/unit/NAME.actual.png becomes GOLDEN/unit/NAME.png;
#   - references that no screenshot has any more (listed in golden-stale.txt) are deleted;
#   - GOLDEN/fonts.sha256 is re-recorded from the font files it lists.
# The self-check's pictures (BUILD/golden/selfcheck) are never copied.
set -eu
build=$1 golden=$2
n=0
copy() { # copy ACTUAL REF_DIR
    local name
    name=$(basename "$1" .actual.png)
    mkdir -p "$2"
    cp "$1" "$2/$name.png"
    rm -f "$1" "${1%.actual.png}.diff.png"
    echo "updated $2/$name.png"
    n=$((n + 1))
}
shopt -s nullglob
for f in "$build"/scenario/*/*.actual.png; do
    copy "$f" "$golden/$(basename "$(dirname "$f")")"
done
for f in "$build"/golden/unit/*.actual.png; do
    copy "$f" "$golden/unit"
done
for list in "$build"/scenario/*/golden-stale.txt "$build"/golden/unit/golden-stale.txt; do
    [ -f "$list" ] || continue
    while read -r ref; do
        case "$ref" in
        "$golden"/*.png) rm -f "$ref" && echo "deleted $ref" && n=$((n + 1)) ;;
        esac
    done <"$list"
    rm -f "$list"
done
# the fonts the new pictures were drawn with
sums=$golden/fonts.sha256
tmp=$(mktemp)
grep '^#' "$sums" >"$tmp" || true
grep -v '^#' "$sums" | while read -r _ path; do sha256sum "$path"; done >>"$tmp"
if ! cmp -s "$tmp" "$sums"; then
    cp "$tmp" "$sums"
    echo "re-recorded $sums"
fi
rm -f "$tmp"
echo "golden-update: $n references changed; review them with git diff --stat $golden"
