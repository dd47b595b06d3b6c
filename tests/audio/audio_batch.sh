# `fingerprint --jobs N` over many files: the same bytes as --jobs 1 and as
# fpcalc run once per file, in argument order, for N = 2 and 3 and for more
# files than the batch's window holds; a bad file in the middle is an error
# (stderr, and an object in JSON) while the others still get their answer;
# --type auto on one mixed list (audio, video, image, text, a missing file)
# dispatches each input on its own, the same way for every N; the first
# result is printed before a slow file later in the list is done; and a slow
# file first holds the others back without reordering them.
. "$(dirname "$0")/audio_lib.sh"

n=12
for i in $(seq 1 $n); do
    gen "a$i.mp3" "sine=frequency=$((200 + 45 * i)):duration=$((6 + i % 4)),aeval=0.6*val(0)+0.3*sin(2*PI*t*$((300 + 17 * i)))" \
        $((i % 2 ? 44100 : 22050)) $((1 + i % 2)) &
    [ $((i % 2)) -eq 0 ] && wait
done
wait
files=()
for i in $(seq 1 $n); do files+=("$T/a$i.mp3"); done

# fpcalc, one process per file, a blank line between files as --format fpcalc does.
for f in "${files[@]}"; do
    fpcalc "$f" 2>/dev/null | sed 's/^FILE=.*//' | sed '/^$/d'
    echo
done | sed '$d' >"$T/want.fp"
[ "$(grep -c '^FINGERPRINT=' "$T/want.fp")" = $n ] || fail "fpcalc printed too few fingerprints"
for j in 1 2 3; do
    "$MV" fingerprint --type audio --format fpcalc --jobs $j "${files[@]}" >"$T/j$j.fp" ||
        fail "--jobs $j: exit $?"
    same_file "--jobs $j against fpcalc" "$T/want.fp" "$T/j$j.fp"
done
# The default --jobs (every CPU) and the text format: one line per file, in order.
"$MV" fingerprint --type audio "${files[@]}" >"$T/text" || fail "default jobs: exit $?"
awk '{ print $NF }' "$T/text" >"$T/order"
printf '%s\n' "${files[@]}" >"$T/want.order"
same_file "text lines in argument order" "$T/want.order" "$T/order"

# A bad file in the middle of a parallel batch.
printf 'not audio at all' >"$T/bad.mp3"
"$MV" fingerprint --type audio --format json --jobs 2 "$T/a1.mp3" "$T/bad.mp3" "$T/a2.mp3" \
    "$T/missing.mp3" "$T/a3.mp3" >"$T/bad.json" 2>"$T/bad.err"
expect_rc "batch with bad files" 1 $?
[ "$(grep -c "^mediavault: $T/bad.mp3: \|^mediavault: $T/missing.mp3: " "$T/bad.err")" = 2 ] ||
    fail "bad files: stderr $(cat "$T/bad.err")"
python3 - "$T/bad.json" "$T" <<'PY' || fail "bad files: JSON"
import json, sys
a, t = json.load(open(sys.argv[1])), sys.argv[2]
assert [o["path"] for o in a] == [t + "/" + p for p in
        ("a1.mp3", "bad.mp3", "a2.mp3", "missing.mp3", "a3.mp3")], a
assert [("error" in o) for o in a] == [False, True, False, True, False], a
assert all(o["type"] == "audio" and o["fingerprint"] for o in a if "error" not in o), a
PY

# --type auto on a mixed list: each input on its own path, identical for every N.
ffmpeg -nostdin -v error -y -f lavfi -i testsrc=s=96x64:r=10:d=2 -c:v mpeg4 "$T/v.mp4" ||
    fail "ffmpeg video"
ffmpeg -nostdin -v error -y -f lavfi -i testsrc=s=64x64 -frames:v 1 "$T/i.png" || fail "ffmpeg png"
printf 'The quick brown fox jumps over the lazy dog, again and again.\n' >"$T/t.txt"
mixed=("$T/a1.mp3" "$T/v.mp4" "$T/i.png" "$T/missing.x" "$T/t.txt" "$T/a2.mp3")
for j in 1 2 3; do
    "$MV" fingerprint --no-cache --jobs $j "${mixed[@]}" >"$T/mixed$j" 2>"$T/mixed$j.err"
    expect_rc "mixed list, --jobs $j" 1 $?
done
same_file "mixed list, --jobs 2 against 1" "$T/mixed1" "$T/mixed2"
same_file "mixed list, --jobs 3 against 1" "$T/mixed1" "$T/mixed3"
[ "$(awk '{ print $1 }' "$T/mixed1" | uniq | tr '\n' ' ')" = "chromaprint vpdq pdq simhash64 chromaprint " ] ||
    fail "mixed list: $(awk '{ print $1 }' "$T/mixed1" | uniq | tr '\n' ' ')"
grep -q "^mediavault: $T/missing.x: " "$T/mixed1.err" || fail "mixed list: no error for missing.x"
"$MV" fingerprint --no-cache --jobs 2 --format json "${mixed[@]}" 2>/dev/null |
    python3 -c 'import json, sys; print(" ".join(o.get("type", "error") for o in json.load(sys.stdin)))' \
        >"$T/types"
[ "$(cat "$T/types")" = "audio video image error text audio" ] || fail "mixed JSON: $(cat "$T/types")"

# Streaming: with a slow file last (an hour of MP3, a minute looped by stream
# copy, at --length 0), the first results are out while it still runs.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=60" -ac 2 -ar 44100 \
    -c:a libmp3lame -b:a 64k "$T/minute.mp3" &&
    ffmpeg -nostdin -v error -y -stream_loop 59 -i "$T/minute.mp3" -c copy "$T/hour.mp3" ||
    fail "ffmpeg hour.mp3"
"$MV" fingerprint --type audio --length 0 --jobs 2 "$T/a1.mp3" "$T/a2.mp3" "$T/hour.mp3" \
    >"$T/stream" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    [ -s "$T/stream" ] || ! kill -0 $pid 2>/dev/null && break
    sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
    [ "$(grep -c '^chromaprint ' "$T/stream")" -ge 1 ] ||
        fail "streaming: nothing printed while the slow file runs"
    kill $pid
else
    fail "streaming: the first results came only when the whole call was done"
fi
wait $pid 2>/dev/null
# The slow file first: the quick ones fill the window behind it (more files than
# the window holds) and still come out in order after it.
"$MV" fingerprint --type audio --length 0 --jobs 1 "$T/hour.mp3" "${files[@]}" >"$T/slow1" ||
    fail "slow first, --jobs 1: exit $?"
"$MV" fingerprint --type audio --length 0 --jobs 2 "$T/hour.mp3" "${files[@]}" >"$T/slow2" ||
    fail "slow first, --jobs 2: exit $?"
same_file "slow first, --jobs 2 against 1" "$T/slow1" "$T/slow2"
[ "$(wc -l <"$T/slow2")" = $((n + 1)) ] || fail "slow first: $(wc -l <"$T/slow2") lines"
finish
