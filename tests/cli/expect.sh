#!/bin/sh
# expect.sh CODE REGEX CMD...: runs CMD, passes when it exits with CODE and its stderr
# matches the extended regex REGEX. Used for the bad-input tests.
code=$1; regex=$2; shift 2
err=$(mktemp)
timeout 60 "$@" >/dev/null 2>"$err"
rc=$?
if [ "$rc" -ne "$code" ]; then
    echo "exit code $rc, expected $code; stderr:"; cat "$err"; rm -f "$err"; exit 1
fi
if ! grep -Eq -- "$regex" "$err"; then
    echo "stderr does not match '$regex':"; cat "$err"; rm -f "$err"; exit 1
fi
rm -f "$err"
exit 0
