#!/usr/bin/env bash
# `cmake --install` (what `make install` runs) gives a working, relocatable tree:
# the program finds its library and the decoder plugins beside it from wherever
# the tree is unpacked (a JPEG needs the JPEG plugin alone), DESTDIR is
# honoured, and a program built against the installed headers with pkg-config
# links and runs.
. "$(dirname "$0")/lib.sh"

build=$(dirname "$MV")
[ -f "$build/cmake_install.cmake" ] || {
    echo "SKIP: $build is not a CMake build directory" >&2
    exit 77
}
command -v cmake >/dev/null 2>&1 || {
    echo "SKIP: no cmake program" >&2
    exit 77
}

cmake --install "$build" --prefix "$T/prefix" >install.log 2>&1 || {
    cat install.log >&2
    fail "cmake --install failed"
}
bin=$T/prefix/bin/mediavault
[ -x "$bin" ] || fail "no bin/mediavault installed"
lib=$(find "$T/prefix" -name 'libmediavault.so*' -type f | head -n 1)
[ -n "$lib" ] || fail "no libmediavault.so installed"
libdir=$(dirname "$lib")
[ -f "$libdir/mediavault-media.so" ] || fail "the media plugin is not beside the library"
[ -f "$libdir/mediavault-jpeg.so" ] || fail "the JPEG plugin is not beside the library"
[ -f "$T/prefix/include/mediavault/mediavault.h" ] || fail "no public headers installed"
readelf -d "$bin" | grep -q 'RUNPATH.*\$ORIGIN' || fail "the program's RUNPATH is not relative"

# Move the tree: the program still runs on the library and plugin it carries.
mv "$T/prefix" "$T/moved"
bin=$T/moved/bin/mediavault
libdir=$T/moved/${libdir#"$T/prefix/"}
"$bin" --version >version.txt || fail "moved program: --version"
"$bin" info >info.txt 2>&1 || fail "moved program: info"
# Its own plugins, found beside the library: the path dladdr gives, or the one
# through the program's relative RUNPATH.
own="\($libdir\|$T/moved/bin/\.\./[^ ]*\)"
grep -q "^media decoders: loaded ($own/mediavault-media.so: " info.txt &&
    grep -q "^JPEG decoder: loaded ($own/mediavault-jpeg.so: " info.txt ||
    fail "moved program does not load its own plugins: $(grep decoder info.txt)"
if command -v ffmpeg >/dev/null 2>&1; then
    ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=320x240:rate=1 -frames:v 1 pic.png ||
        fail "ffmpeg"
    ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=800x600:rate=1 -frames:v 1 pic.jpg ||
        fail "ffmpeg"
    "$bin" fingerprint --no-cache pic.png >fp.txt || fail "moved program: fingerprint"
    "$MV" fingerprint --no-cache pic.png >fp-build.txt || fail "build program: fingerprint"
    cmp -s fp.txt fp-build.txt || fail "installed and built programs disagree"
    # A JPEG: the moved tree's JPEG plugin, and nothing of the media plugin.
    LD_DEBUG=files "$bin" fingerprint --no-cache --exif-orient pic.jpg >fpj.txt 2>fpj.log ||
        fail "moved program: JPEG fingerprint"
    "$MV" fingerprint --no-cache --exif-orient pic.jpg >fpj-build.txt || fail "build program: JPEG"
    cmp -s fpj.txt fpj-build.txt || fail "installed and built programs disagree on a JPEG"
    grep -q "file=$T/moved/[^ ]*/mediavault-jpeg\.so" fpj.log ||
        fail "moved program: a JPEG not decoded by its own JPEG plugin"
    grep -Eq 'file=[^ ]*(mediavault-media\.so|libavcodec|libheif|libchromaprint)' fpj.log &&
        fail "moved program: a JPEG loaded the media plugin or FFmpeg"
fi
printf 'abc' >abc.txt
[ "$("$bin" hash abc.txt)" = "900150983cd24fb0d6963f7d28e17f72  abc.txt" ] ||
    fail "moved program: hash"

# DESTDIR puts the same tree under a staging root.
DESTDIR=$T/stage cmake --install "$build" --prefix /opt/mv >stage.log 2>&1 || fail "DESTDIR install"
[ -x "$T/stage/opt/mv/bin/mediavault" ] || fail "DESTDIR: no program under the staging root"

# A program built against the installed headers and library (pkg-config).
if command -v pkg-config >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
    pc=$(find "$T/moved" -name mediavault.pc | head -n 1)
    [ -n "$pc" ] || fail "no mediavault.pc installed"
    cat >user.c <<'C'
#include <mediavault/mediavault.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    uint8_t md5[MV_DIGEST_MAX_LEN];
    if (mv_digest_buffer(MV_DIGEST_MD5, "abc", 3, md5) != MV_OK)
        return 1;
    printf("%s %02x%02x\n", mv_version_string(), md5[0], md5[1]);
    return 0;
}
C
    flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs mediavault) ||
        fail "pkg-config mediavault"
    # A sanitized library (the test build) needs its runtime in the program too.
    san=""
    ldd "$bin" | grep -q libasan && san="-fsanitize=address,undefined"
    # shellcheck disable=SC2086
    cc $san -o user user.c $flags -Wl,-rpath,"$libdir" 2>cc.log || {
        cat cc.log >&2
        fail "a program against the installed library does not build"
    }
    ./user >user.txt || fail "the program against the installed library does not run"
    grep -q ' 9001$' user.txt || fail "installed library: wrong MD5 ($(cat user.txt))"
fi
finish
