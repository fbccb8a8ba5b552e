#!/bin/sh
# tools/fuzz.sh BIN_DIR SRC_DIR SECONDS TARGET...: the `fuzz` target of a fuzzing build.
# Runs each libFuzzer target SECONDS seconds over its corpus (tests/fuzz/corpus/<target>/,
# with tests/fuzz/dict/<target>.dict where there is one), then keeps the inputs that add
# coverage: the corpus becomes the minimal set covering the old and the new inputs
# (libFuzzer's -merge=1). Prints, per target, the executions, the edges covered, the
# coverage features and the corpus size. An input that crashes, leaks or hangs is kept in
# tests/fuzz/crashes/<target>/ and the run fails.
set -u
bin=$1 src=$2 secs=$3
shift 3
fail=0
printf '%-10s %11s %7s %9s %7s\n' target executions edges features corpus
for t in "$@"; do
    corpus=$src/corpus/$t
    mkdir -p "$corpus"
    work=$(mktemp -d)
    mkdir "$work/new" "$work/min" "$work/art"
    set --
    [ -f "$src/dict/$t.dict" ] && set -- "-dict=$src/dict/$t.dict"
    KIOSK_LOG=error "$bin/libfuzzer_$t" -max_total_time="$secs" -print_final_stats=1 \
        -close_fd_mask=1 -artifact_prefix="$work/art/" "$@" "$work/new" "$corpus" \
        >"$work/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    # slow-unit-* files only say an input was slow (or the run was paused): not a failure
    rm -f "$work/art"/slow-unit-*
    if [ $rc -ne 0 ] || [ -n "$(ls "$work/art")" ]; then
        mkdir -p "$src/crashes/$t"
        cp "$work/art"/* "$src/crashes/$t/" 2>/dev/null
        echo "$t: FAILED (rc $rc); the inputs are in $src/crashes/$t/"
        tail -40 "$work/log"
        fail=1
    fi
    if KIOSK_LOG=error "$bin/libfuzzer_$t" -merge=1 "$@" "$work/min" "$corpus" "$work/new" \
        >"$work/merge.log" 2>&1 && [ -n "$(ls "$work/min")" ]; then
        rm -f "$corpus"/*
        cp "$work/min"/* "$corpus"/
    fi
    printf '%-10s %11s %7s %9s %7s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
        "$(ls "$corpus" | wc -l)"
    rm -rf "$work"
done
exit $fail
