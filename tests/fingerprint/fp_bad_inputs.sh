#!/usr/bin/env bash
# Inputs that cannot be fingerprinted become errors ({"path","error"} objects in
# JSON, a message on stderr) while the others are still printed; exit 1.
. "$(dirname "$0")/fp_lib.sh"
need_vectors
cd "$T" || exit 3

jpg=$VEC/images/labelme/q0122.jpg
png=$VEC/synthetic/syn-128x128-plasma.png
cp "$jpg" good.jpg
cp "$png" good.png
head -c $(($(stat -c %s good.jpg) / 2)) good.jpg >truncated.jpg
: >empty.jpg
mkdir adir
printf '\000\001\002\003\004binary\377\376\375 not an image\000' >binary.dat
printf 'Just some plain words of text here\n' >plain.txt
printf '<!DOCTYPE html>\n<html><body><p>Some words of text here</p></body></html>\n' >page.html
printf '1\n00:00:01,000 --> 00:00:02,000\nSome words of text here\n' >subs.srt
printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nSome words of text here\n' >subs.vtt
printf '\377\330\377 text.txt is a jpeg in disguise' >notext.txt

"$MV" fingerprint --format json good.jpg missing.jpg empty.jpg truncated.jpg adir binary.dat \
    good.png plain.txt page.html subs.srt subs.vtt notext.txt >out.json 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
python3 - out.json <<'PY' || fail "json contents"
import json, sys
a = json.load(open(sys.argv[1]))
want_err = {"missing.jpg", "empty.jpg", "truncated.jpg", "adir", "binary.dat", "notext.txt"}
assert [o["path"] for o in a] == ["good.jpg", "missing.jpg", "empty.jpg", "truncated.jpg",
    "adir", "binary.dat", "good.png", "plain.txt", "page.html", "subs.srt", "subs.vtt",
    "notext.txt"], a
for o in a:
    if o["path"] in want_err:
        assert set(o) == {"path", "error"} and o["error"], o
    else:
        assert "error" not in o, o
        assert len(o["md5"]) == 32 and o["cached"] is False, o
by = {o["path"]: o for o in a}
assert by["good.jpg"]["hash"] == "cfb2009ddd21c6dab0046a7745b5984757a8a4535b3377aea2591d32b33ff940"
assert by["good.jpg"]["quality"] == 100 and by["good.jpg"]["type"] == "image"
for t in ("plain.txt", "page.html", "subs.srt", "subs.vtt"):
    assert by[t]["type"] == "text" and by[t]["algorithm"] == "simhash64", by[t]
    assert len(by[t]["hash"]) == 16 and by[t]["tokens"] > 0, by[t]
# Markup and subtitle furniture are not words: the same five words hash the same.
assert by["page.html"]["hash"] == by["subs.srt"]["hash"] == by["subs.vtt"]["hash"], a
assert by["page.html"]["tokens"] == 5, by["page.html"]
assert by["empty.jpg"]["error"] == "empty file"
PY
for f in missing.jpg empty.jpg truncated.jpg adir binary.dat notext.txt; do
    grep -q "^mediavault: $f: " err.txt || fail "no stderr message for $f"
done

# Text format: one line per fingerprint, errors only on stderr.
"$MV" fingerprint good.jpg missing.jpg plain.txt >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "text: exit status $rc"
[ "$(wc -l <out.txt)" -eq 2 ] || fail "text: expected 2 lines"
grep -q '^pdq cfb2009ddd21c6dab0046a7745b5984757a8a4535b3377aea2591d32b33ff940 100 good.jpg$' \
    out.txt || fail "text: pdq line"
grep -Eq '^simhash64 [0-9a-f]{16} 7 plain.txt$' out.txt || fail "text: simhash line"

# --type forces the algorithm; asking for an image on a text file is an error.
"$MV" fingerprint --type image plain.txt >out.txt 2>/dev/null
[ $? -eq 1 ] && [ ! -s out.txt ] || fail "--type image on text"
"$MV" fingerprint --type text plain.txt >out.txt || fail "--type text"
# --max-pixels: a 128x128 image is refused below 16384 pixels, before decoding (a
# decoding limit: a cached fingerprint needs no decoding, hence --no-cache here).
"$MV" fingerprint --no-cache --max-pixels 16383 good.png >out.txt 2>err.txt
[ $? -eq 1 ] && grep -q "too large" err.txt || fail "--max-pixels refusal"
"$MV" fingerprint --max-pixels 16384 good.png >out.txt || fail "--max-pixels at the limit"
# Usage errors.
"$MV" fingerprint >/dev/null 2>&1
[ $? -eq 2 ] || fail "no FILE: exit 2"
"$MV" fingerprint --format xml good.jpg >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --format: exit 2"
"$MV" fingerprint --type bogus good.jpg >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --type: exit 2"
finish
