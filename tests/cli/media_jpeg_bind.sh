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

# The fake stands in only where the plugin needs libjpeg.so.62 by that name and
# LD_LIBRARY_PATH is searched first (no DT_RPATH): Debian's layout. Elsewhere
# (libjpeg.so.8, a libjpeg found through RPATH) this check does not apply.
command -v readelf >/dev/null || { echo "SKIP: readelf not found"; exit 77; }
LD_DEBUG=files LD_DEBUG_OUTPUT=$PWD/ld.real "$MV" fingerprint --no-cache a.jpg >/dev/null 2>&1 ||
    fail "a.jpg with the real libjpeg"
plugin=$(sed -n 's/.*file=\([^ ]*mediavault-jpeg\.so\) .*/\1/p' ld.real.* | head -n 1)
[ -n "$plugin" ] || fail "no mediavault-jpeg.so loaded for a JPEG"
readelf -d "$plugin" | grep -q 'NEEDED.*\[libjpeg\.so\.62\]' ||
    { echo "SKIP: $plugin does not need libjpeg.so.62"; exit 77; }
readelf -d "$plugin" | grep -q '(RPATH)' &&
    { echo "SKIP: $plugin has an RPATH, searched before LD_LIBRARY_PATH"; exit 77; }

LD_DEBUG=files LD_DEBUG_OUTPUT=$PWD/ld.fake \
    LD_LIBRARY_PATH=$(dirname "$fake")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$MV" fingerprint \
    --no-cache --jobs 1 a.jpg a.txt >out 2>err
rc=$?
grep -q "file=$fake " ld.fake.* || fail "the fake $fake was not loaded (ld.so: $(head -c 300 ld.fake.*))"
[ "$rc" = 1 ] || fail "exit $rc, expected 1: $(cat err)"
grep -q "^mediavault: a.jpg: JPEG decoder unavailable: .*mediavault-jpeg\.so: .*jpeg_skip_scanlines" \
    err || fail "stderr: $(cat err)"
grep -q "^simhash64 [0-9a-f]\{16\} [0-9]* a.txt$" out || fail "the text after it: $(cat out)"
grep -q 'a.jpg' out && fail "a.jpg has a result: $(cat out)"

finish
