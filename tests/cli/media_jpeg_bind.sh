#!/bin/bash
# Usage: media_jpeg_bind.sh MEDIAVAULT FAKE_LIBJPEG
# The JPEG plugin binds every function when it is loaded (RTLD_NOW): with a
# libjpeg.so.62 that lacks jpeg_skip_scanlines (media_fake_libjpeg.c) found
# first, a JPEG fails with exit 1 and "JPEG decoder unavailable: FILE: reason",
# the program goes on to the next input, and nothing of the fake is called.
fake=$2
. "$(dirname "$0")/lib.sh"
[ -f "$fake" ] || fail "no fake libjpeg: $fake"
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg not found"; exit 77; }
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=96x64 -frames:v 1 a.jpg || exit 3
printf 'the quick brown fox jumps over the lazy dog\n' >a.txt

LD_LIBRARY_PATH=$(dirname "$fake")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$MV" fingerprint \
    --no-cache --jobs 1 a.jpg a.txt >out 2>err
rc=$?
[ "$rc" = 1 ] || fail "exit $rc, expected 1: $(cat err)"
grep -q "^mediavault: a.jpg: JPEG decoder unavailable: .*mediavault-jpeg\.so: .*jpeg_skip_scanlines" \
    err || fail "stderr: $(cat err)"
grep -q "^simhash64 [0-9a-f]\{16\} [0-9]* a.txt$" out || fail "the text after it: $(cat out)"
grep -q 'a.jpg' out && fail "a.jpg has a result: $(cat out)"

finish
