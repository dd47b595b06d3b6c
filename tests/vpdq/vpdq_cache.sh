#!/bin/bash
# vPDQ results cached in the catalog by content: the second run, and the same
# bytes under another path, are answered without decoding (the runs that check
# it point MEDIAVAULT_MEDIA_PLUGIN at a missing plugin, so nothing can decode),
# with "cached": true and otherwise the same output in text, JSON and
# --format vpdq; a truncated stream comes back truncated (flag and warning);
# another --every, --size or --max-pixels is a miss; --no-cache neither reads
# nor writes; a timed-out video stores nothing; two processes with --jobs 2
# write the same catalog at once.
# usage: vpdq_cache.sh MEDIAVAULT
. "$(dirname "$0")/../cli/lib.sh" "${1:-}"
command -v ffmpeg >/dev/null || { echo "no ffmpeg program: skip"; exit 77; }
command -v python3 >/dev/null || { echo "no python3: skip"; exit 77; }
export MEDIAVAULT_CATALOG=$T/catalog.db HOME=$T
gone=$T/no-such-plugin.so
gen() { ffmpeg -nostdin -v error -y "$@" </dev/null || fail "ffmpeg $*"; }
nocache() { "$MV" fingerprint --no-cache --type video "$@"; }
nodecode() { MEDIAVAULT_MEDIA_PLUGIN=$gone "$MV" fingerprint --type video "$@"; }

for n in 1 2 3 4 5; do
    gen -f lavfi -i "testsrc=s=96x72:r=10:d=3,hue=h=$((n * 60))" -c:v mpeg4 "$T/v$n.mp4"
done

# Text, JSON and vpdq lines: computed, then answered from the catalog alone.
for fmt in text vpdq json; do
    nocache --format $fmt "$T/v1.mp4" "$T/v2.mp4" >"$T/want.$fmt" || fail "$fmt: --no-cache"
    "$MV" fingerprint --type video --format $fmt "$T/v1.mp4" "$T/v2.mp4" >"$T/first.$fmt" ||
        fail "$fmt: first run: exit $?"
    nodecode --format $fmt "$T/v1.mp4" "$T/v2.mp4" >"$T/hit.$fmt" 2>"$T/hit.err"
    expect_rc "$fmt: second run without decoders" 0 $?
    [ $fmt = json ] && continue
    same_file "$fmt: first run" "$T/want.$fmt" "$T/first.$fmt"
    same_file "$fmt: from the catalog" "$T/want.$fmt" "$T/hit.$fmt"
done
python3 - "$T/want.json" "$T/first.json" "$T/hit.json" <<'PY' || fail "JSON from the catalog"
import json, sys
w, f, h = (json.load(open(p)) for p in sys.argv[1:4])
# (the text run above stored them, so both later runs are hits)
assert [o["cached"] for o in w + f + h] == [False] * 2 + [True] * 4, (w, f, h)
for o in w + f + h:
    del o["cached"], o["processing_time_ms"]
assert w == f == h, (w, f, h)
assert len(w[0]["frames"]) == 3, w
PY

# The same content under another path is a hit.
cp "$T/v1.mp4" "$T/copy.mp4"
nodecode "$T/copy.mp4" >"$T/copy.out" || fail "same content, other path: exit $?"
sed -n "s|$T/v1.mp4\$|$T/copy.mp4|p" "$T/want.text" >"$T/copy.want"
same_file "same content, other path" "$T/copy.want" "$T/copy.out"

# Every parameter that changes the result is in the key.
for args in "--every 0" "--every 0.5" "--size 32" "--max-pixels 100000"; do
    # shellcheck disable=SC2086
    nodecode $args "$T/v1.mp4" >/dev/null 2>"$T/miss.err"
    expect_rc "$args: a miss" 1 $?
    grep -q "media decoders unavailable" "$T/miss.err" || fail "$args: $(cat "$T/miss.err")"
    # shellcheck disable=SC2086
    "$MV" fingerprint --type video $args "$T/v1.mp4" >"$T/p.out" || fail "$args: exit $?"
    # shellcheck disable=SC2086
    nocache $args "$T/v1.mp4" >"$T/p.want"
    same_file "$args: computed" "$T/p.want" "$T/p.out"
    # shellcheck disable=SC2086
    nodecode $args "$T/v1.mp4" >"$T/p.hit" || fail "$args: second run not cached"
    same_file "$args: from the catalog" "$T/p.want" "$T/p.hit"
done
# The limit is part of the key, so a lower one is never answered by a larger one's row.
nodecode --max-pixels 1000 "$T/v1.mp4" >/dev/null 2>&1
expect_rc "--max-pixels 1000: a miss" 1 $?

# --no-cache: no lookup and no store.
nodecode --no-cache "$T/v1.mp4" >/dev/null 2>&1
expect_rc "--no-cache looks nothing up" 1 $?
nocache "$T/v3.mp4" >/dev/null || fail "--no-cache v3: exit $?"
nodecode "$T/v3.mp4" >/dev/null 2>&1
expect_rc "--no-cache stored nothing" 1 $?

# A truncated stream (its index first, its data cut) is stored as truncated.
gen -f lavfi -i testsrc=s=96x72:r=10:d=10 -c:v mpeg4 -movflags +faststart "$T/whole.mp4"
head -c $(($(stat -c %s "$T/whole.mp4") * 6 / 10)) "$T/whole.mp4" >"$T/cut.mp4"
"$MV" fingerprint --type video --format json --every 0 "$T/cut.mp4" >"$T/cut1" 2>"$T/cut1.err"
expect_rc "truncated: computed" 0 $?
nodecode --format json --every 0 "$T/cut.mp4" >"$T/cut2" 2>"$T/cut2.err"
expect_rc "truncated: from the catalog" 0 $?
python3 - "$T/cut1" "$T/cut2" <<'PY' || fail "truncated from the catalog"
import json, sys
a, b = (json.load(open(p))[0] for p in sys.argv[1:3])
assert a.get("truncated") is True and 0 < len(a["frames"]) < 100, a
assert a["cached"] is False and b["cached"] is True, (a, b)
for o in (a, b):
    del o["cached"], o["processing_time_ms"]
assert a == b, (a, b)
PY
same_file "truncated: the same warning" "$T/cut1.err" "$T/cut2.err"
grep -q "warning: corrupt or truncated" "$T/cut2.err" || fail "truncated: $(cat "$T/cut2.err")"

# A timed-out video stores nothing: 600 frames of 720p, every frame, under 1 s.
gen -f lavfi -i testsrc2=s=1280x720:r=30 -frames:v 30 -c:v mpeg4 -q:v 20 -g 30 "$T/second.mp4"
gen -stream_loop 19 -i "$T/second.mp4" -c copy "$T/slow.mp4"
MEDIAVAULT_TIMEOUT=1 "$MV" fingerprint --type video --every 0 "$T/slow.mp4" >/dev/null \
    2>"$T/to.err"
expect_rc "slow under 1 s" 1 $?
grep -q "timed out" "$T/to.err" || fail "no timeout: $(cat "$T/to.err")"
nodecode --every 0 "$T/slow.mp4" >/dev/null 2>"$T/to2.err"
expect_rc "timed out: nothing stored" 1 $?
grep -q "media decoders unavailable" "$T/to2.err" || fail "timed out: $(cat "$T/to2.err")"

# Two processes at once, --jobs 2 each, over the same new files in opposite orders.
(cd "$T" && nocache v4.mp4 v5.mp4 second.mp4 >"$T/c.want") || fail "concurrent: reference"
(cd "$T" && "$MV" fingerprint --type video --jobs 2 v4.mp4 v5.mp4 second.mp4 >"$T/p1" \
    2>"$T/p1.err") &
pid=$!
(cd "$T" && "$MV" fingerprint --type video --jobs 2 second.mp4 v5.mp4 v4.mp4 >"$T/p2" \
    2>"$T/p2.err")
rc2=$?
wait $pid
expect_rc "concurrent run 1" 0 $?
expect_rc "concurrent run 2" 0 $rc2
[ ! -s "$T/p1.err" ] && [ ! -s "$T/p2.err" ] || fail "concurrent: $(cat "$T/p1.err" "$T/p2.err")"
same_file "concurrent run 1" "$T/c.want" "$T/p1"
sort "$T/c.want" >"$T/c.sorted"
sort "$T/p2" | same_file "concurrent run 2" "$T/c.sorted" -
(cd "$T" && nodecode --jobs 2 v4.mp4 v5.mp4 second.mp4 >"$T/p3") ||
    fail "concurrent: not everything cached"
same_file "concurrent: from the catalog" "$T/c.want" "$T/p3"
finish
