#!/usr/bin/env bash
# HEIC/HEIF and AVIF through libheif. The HEIC files are made here with heif-enc
# (x265) from lossless reference PNGs and from a JPEG made with ffmpeg, then:
#  - the HEIC hashes exactly like heif-convert's PNG of it (the same decoded
#    pixels through the PNG path: an exactness check of the HEIF decode), and
#    within a few bits of its source (the encode is lossy);
#  - grey (monochrome HEVC), alpha (dropped) and AVIF;
#  - irot/imir written by heif_make are applied, with or without --exif-orient;
#  - truncated and corrupt files are clear errors naming the file while the
#    other inputs go on; --max-pixels refuses from the header; a .heic holding
#    a JPEG or text is sniffed by content.
# Arguments: the program, the PDQ vectors, and heif_make (empty without libheif).
# A build without libheif must say "built without HEIF support"; then this skips.
. "$(dirname "$0")/fp_lib.sh"
need_vectors
need_program ffmpeg
need_program heif-enc
need_program heif-convert
need_program python3
HEIF_MAKE=${3:-}
cd "$T" || exit 3

# Lossy encodes of these small images measured 0..6 bits from their source.
NEAR=16

ff()
{
    ffmpeg -nostdin -loglevel error -y "$@" || fail "ffmpeg $*"
}

enc()
{
    heif-enc "$@" >/dev/null || fail "heif-enc $*"
}

# The "HEX QUALITY" of one file.
fpq()
{
    "$MV" fingerprint --no-cache "$@" | awk '{ print $2, $3 }'
}

distance()
{
    python3 -c 'import sys; print(bin(int(sys.argv[1], 16) ^ int(sys.argv[2], 16)).count("1"))' \
        "$1" "$2"
}

# same_as_decoded FILE.heic: its hash equals that of heif-convert's PNG of it.
same_as_decoded()
{
    local got want
    heif-convert "$1" "$1.png" >/dev/null || fail "heif-convert $1"
    got=$(fpq "$1")
    want=$(fpq "$1.png")
    [ -n "$got" ] && [ "$got" = "$want" ] || fail "$1: '$got', decoded PNG '$want'"
}

# near FILE REFERENCE: the hashes are at most $NEAR bits apart.
near()
{
    local a b d
    a=$(fpq "$1" | cut -d' ' -f1)
    b=$(fpq "$2" | cut -d' ' -f1)
    if [ -z "$a" ] || [ -z "$b" ]; then
        fail "near $1 $2: no hash"
        return
    fi
    d=$(distance "$a" "$b")
    [ "$d" -le "$NEAR" ] || fail "$1: $d bits from $2 (at most $NEAR expected)"
}

plasma=$VEC/synthetic/syn-128x128-plasma.png
big=$VEC/synthetic/syn-513x400-plasma.png
grey=$VEC/synthetic/syn-200x150-gray.png
cp "$plasma" p.png
cp "$big" big.png
cp "$grey" g.png
enc -q 90 p.png -o p.heic

# A build without libheif recognises HEIF and says why it cannot decode it.
"$MV" fingerprint --no-cache p.heic p.png >out.txt 2>err.txt
rc=$?
if grep -q 'built without HEIF support' err.txt; then
    [ "$rc" -eq 1 ] || fail "without HEIF: exit status $rc"
    grep -q '^mediavault: p.heic: built without HEIF support$' err.txt || fail "without HEIF: message"
    grep -q ' p.png$' out.txt || fail "without HEIF: the other input is not printed"
    "$MV" info | grep -q '^heif images: not decoded' || fail "without HEIF: info"
    "$MV" info --json | grep -q '"heif": false' || fail "without HEIF: info --json"
    [ "$FAILS" -eq 0 ] || finish
    echo "SKIP: mediavault was built without HEIF support (libheif not found)" >&2
    exit 77
fi
[ "$rc" -eq 0 ] || fail "p.heic: exit status $rc: $(cat err.txt)"
"$MV" info | grep -q '^heif images: decoded (libheif)$' || fail "info: heif line"
"$MV" info --json | python3 -c 'import json, sys; assert json.load(sys.stdin)["heif"] is True' ||
    fail "info --json: heif"

# Colour, from a PNG and from a JPEG (made with ffmpeg), and larger than the
# 512x512 pre-resize.
ff -i "$plasma" -q:v 2 pj.jpg
enc -q 90 pj.jpg -o pj.heic
enc -q 90 big.png -o big.heic
for f in p pj big; do
    same_as_decoded $f.heic
done
near p.heic p.png
near pj.heic pj.jpg
near big.heic big.png

# 10 bits per sample (from a 16-bit PNG): libheif reduces it to 8 bits.
ff -i "$plasma" -pix_fmt rgb48be p16.png
enc -b 10 -q 90 p16.png -o p10.heic
heif-convert p10.heic p10.png >/dev/null || fail "heif-convert p10.heic"
near p10.heic p.png
near p10.heic p10.png

# Grey: heif-enc writes a monochrome HEVC image.
enc -q 90 g.png -o g.heic
heif-info g.heic >info.txt 2>&1 || fail "heif-info g.heic"
same_as_decoded g.heic
near g.heic g.png

# Alpha (varying) is stored, then dropped like a PNG's alpha.
ff -i "$plasma" -vf "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='2*X'" pa.png
enc -q 90 pa.png -o pa.heic
heif-info pa.heic | grep -q 'alpha channel: yes' || fail "pa.heic has no alpha channel"
same_as_decoded pa.heic
near pa.heic p.png

# AVIF, when this libheif has an AV1 encoder (it decodes AV1 through dav1d/aom).
if heif-enc --list-encoders 2>/dev/null | grep -qi 'aom\|rav1e\|svt'; then
    enc -A -q 90 p.png -o p.avif
    same_as_decoded p.avif
    near p.avif p.png
fi

# Text and JSON output: one line / one object each, the same hash, the file's MD5.
"$MV" fingerprint --no-cache p.heic g.heic >out.txt || fail "text output: exit status"
grep -Eq '^pdq [0-9a-f]{64} [0-9]+ p\.heic$' out.txt || fail "text output: p.heic line"
[ "$(wc -l <out.txt)" -eq 2 ] || fail "text output: line count"
"$MV" fingerprint --no-cache --format json p.heic g.heic >out.json || fail "json: exit status"
python3 - out.json "$(fpq p.heic)" "$(md5sum <p.heic | cut -d' ' -f1)" <<'PY' || fail "json contents"
import json, sys
a = json.load(open(sys.argv[1]))
assert [o["path"] for o in a] == ["p.heic", "g.heic"], a
o = a[0]
assert o["type"] == "image" and o["algorithm"] == "pdq", o
assert "%s %d" % (o["hash"], o["quality"]) == sys.argv[2], (o, sys.argv[2])
assert o["md5"] == sys.argv[3] and o["cached"] is False, o
PY
# The catalog cache serves a HEIC like any image.
"$MV" fingerprint --format json p.heic >/dev/null || fail "cache: first run"
"$MV" fingerprint --format json p.heic | grep -q '"cached": true' || fail "cache: not cached"

# Threads: each decode has its own libheif context; --jobs 4 prints what --jobs 1 does.
mkdir many
for i in 1 2 3 4 5 6; do
    cp p.heic many/p$i.heic
    cp g.heic many/g$i.heic
    cp pa.heic many/a$i.heic
done
"$MV" fingerprint --no-cache --jobs 1 many/* >jobs1.txt || fail "--jobs 1"
"$MV" fingerprint --no-cache --jobs 4 many/* >jobs4.txt || fail "--jobs 4"
same_file "--jobs 4 output" jobs1.txt jobs4.txt
[ "$(cut -d' ' -f2 jobs4.txt | sort -u | wc -l)" -eq 3 ] || fail "--jobs: not 3 distinct hashes"

# Container turns: irot/imir are applied (heif-convert applies them too), and
# --exif-orient changes nothing, since HEIF has no EXIF-only turn to apply.
# (x265 keeps an allocation until exit, which LeakSanitizer would call a leak.)
if [ -n "$HEIF_MAKE" ]; then
    ff -i big.png -pix_fmt rgb24 big.ppm
    for o in 6 2; do
        ASAN_OPTIONS=detect_leaks=0 "$HEIF_MAKE" big.ppm o$o.heic $o || fail "heif_make $o"
    done
    mv o6.heic rot6.heic
    mv o2.heic mirror2.heic
    heif-info rot6.heic | grep -q 'image: 400x513' || fail "rot6.heic: not 400x513 as displayed"
    ff -i big.png -vf transpose=clock cw.png
    ff -i big.png -vf hflip hflip.png
    same_as_decoded rot6.heic
    same_as_decoded mirror2.heic
    near rot6.heic cw.png
    near mirror2.heic hflip.png
    [ "$(fpq rot6.heic)" = "$(fpq --exif-orient rot6.heic)" ] || fail "--exif-orient turned rot6.heic"
    a=$(fpq rot6.heic | cut -d' ' -f1)
    b=$(fpq big.heic | cut -d' ' -f1)
    [ "$(distance "$a" "$b")" -gt 64 ] || fail "rot6.heic hashes like the unturned image"
else
    echo "note: no heif_make, container turns not checked" >&2
fi

# Truncated and corrupt files: an error naming the file; the other inputs go on.
head -c $(($(stat -c %s p.heic) / 2)) p.heic >trunc.heic
head -c 40 p.heic >short.heic
python3 - p.heic bad.heic <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"iloc")  # the item locations: where the image data is
assert i > 0
d[i + 4:i + 40] = b"\xff" * 36
open(sys.argv[2], "wb").write(d)
PY
"$MV" fingerprint --no-cache --format json p.png trunc.heic short.heic bad.heic g.heic \
    >out.json 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "bad files: exit status $rc, expected 1"
for f in trunc.heic short.heic bad.heic; do
    grep -q "^mediavault: $f: corrupt or truncated data$" err.txt || fail "$f: no clear error"
done
python3 - out.json <<'PY' || fail "bad files: json"
import json, sys
a = json.load(open(sys.argv[1]))
assert [o["path"] for o in a] == ["p.png", "trunc.heic", "short.heic", "bad.heic", "g.heic"], a
assert "hash" in a[0] and "hash" in a[4], a
for o in a[1:4]:
    assert set(o) == {"path", "error"} and o["error"], o
PY

# The pixel limit, from the header: 128x128 is 16384 pixels.
"$MV" fingerprint --no-cache --max-pixels 16383 p.heic >out.txt 2>err.txt
[ $? -eq 1 ] && grep -q '^mediavault: p.heic: too large' err.txt || fail "--max-pixels refusal"
"$MV" fingerprint --no-cache --max-pixels 16384 p.heic >out.txt || fail "--max-pixels at the limit"
# Below one side (128), libheif's own limit per side refuses it while reading: still too large.
"$MV" fingerprint --no-cache --max-pixels 127 p.heic >out.txt 2>err.txt
[ $? -eq 1 ] && grep -q '^mediavault: p.heic: too large' err.txt || fail "--max-pixels 127"
# The limit counts the coded size too; the turned 400x513 image is 205200 pixels.
"$MV" fingerprint --no-cache --max-pixels 205199 big.heic >/dev/null 2>&1
[ $? -eq 1 ] || fail "--max-pixels on big.heic"

# Sniffed, not named: a JPEG or a text called .heic; a HEIC called .jpg.
cp pj.jpg jpeg.heic
[ "$(fpq jpeg.heic)" = "$(fpq pj.jpg)" ] || fail "jpeg.heic: not hashed as its JPEG"
printf 'Some plain words of text in a file named like a photo\n' >words.heic
"$MV" fingerprint --no-cache words.heic | grep -q '^simhash64 ' || fail "words.heic: not text"
cp p.heic photo.jpg
[ "$(fpq photo.jpg)" = "$(fpq p.heic)" ] || fail "photo.jpg (a HEIC): not hashed as HEIC"

# A generic major brand (iso8) with the image brands only among the compatible
# ones is still an image, not an MP4 video: the ftyp box is rewritten in place
# (major brand iso8, the old major brand moved into the first compatible slot).
python3 - p.heic iso8.heic <<'PY' || fail "iso8.heic: could not rewrite the ftyp box"
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
assert d[4:8] == b'ftyp' and int.from_bytes(d[0:4], 'big') >= 20
major = bytes(d[8:12])
d[8:12] = b'iso8'
d[16:20] = major
open(sys.argv[2], 'wb').write(d)
PY
[ "$(fpq iso8.heic)" = "$(fpq p.heic)" ] || fail "iso8.heic: not hashed as the HEIC it is"
finish
