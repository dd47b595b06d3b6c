# Bad audio inputs get a clear error (exit 1, a message naming the file), never
# a crash or a hang; the good inputs around them still get their answer.
. "$(dirname "$0")/audio_lib.sh"

bad() # bad FILE WHAT
{
    local out rc
    out=$(timeout 60 "$MV" fingerprint --type audio "$T/$1" 2>&1)
    rc=$?
    [ $rc -eq 1 ] || fail "$2: exit $rc ($out)"
    case $out in *"$T/$1"*) ;; *) fail "$2: no message naming the file: $out" ;; esac
}

gen ok.mp3 "sine=frequency=440:duration=5" 44100 1
head -c 300 "$T/ok.mp3" >"$T/trunc.mp3"
bad trunc.mp3 "MP3 truncated to 300 bytes"
ffmpeg -nostdin -v error -y -f lavfi -i "color=c=red:s=64x64:d=2" -c:v mpeg4 "$T/video.mp4" ||
    fail "ffmpeg video"
bad video.mp4 "video without audio"
gen zero.wav "sine=frequency=440:duration=5" 44100 1
head -c 44 "$T/ok.mp3" >/dev/null
python3 - "$T/zero.wav" <<'PY'
import sys
p = sys.argv[1]
d = open(p, 'rb').read()
i = d.find(b'data')
open(p, 'wb').write(d[:i + 4] + b'\0\0\0\0')
PY
bad zero.wav "WAV of zero duration"
: >"$T/empty.mp3"
bad empty.mp3 "empty file"
head -c 4096 /dev/urandom >"$T/junk.bin"
bad junk.bin "random bytes"
mkdir "$T/dir.wav"
bad dir.wav "a directory"
bad missing.ogg "a missing file"
# Corrupt packets: bits flipped in the middle of an MP3 give a fingerprint or a
# clear error, never a crash or a sanitizer report (whose exit status is also 1).
gen long.mp3 "sine=frequency=440:duration=20,aeval=0.5*val(0)+0.4*sin(2*PI*t*(300+20*t))" 44100 2
for seed in 1 2 3 4; do
    python3 - "$T/long.mp3" "$T/flip$seed.mp3" "$seed" <<'PY'
import random, sys
d = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]))
for _ in range(30 * int(sys.argv[3])):
    d[r.randrange(len(d) // 4, 3 * len(d) // 4)] ^= 1 << r.randrange(8)
open(sys.argv[2], "wb").write(bytes(d))
PY
    out=$("$MV" fingerprint --type audio "$T/flip$seed.mp3" 2>&1)
    rc=$?
    case $out in *Sanitizer* | *"runtime error"*) fail "flipped MP3 $seed: $out" ;; esac
    case $rc:$out in
    0:"chromaprint "*" 20 $T/flip$seed.mp3") ;;
    1:"mediavault: $T/flip$seed.mp3: corrupt, truncated or too short audio") ;;
    *) fail "flipped MP3 $seed: exit $rc: $out" ;;
    esac
done

# The audio track of a video, with --type audio: what fpcalc gives for the file.
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=s=96x64:r=25:d=6" \
    -f lavfi -i "sine=frequency=523:duration=6,aeval=0.5*val(0)+0.3*sin(2*PI*t*(400+30*t))" \
    -c:v libx264 -c:a aac -shortest "$T/movie.mp4" || fail "ffmpeg movie.mp4"
want=$(fpcalc "$T/movie.mp4" 2>/dev/null | sed 's/^FILE=.*//')
got=$("$MV" fingerprint --type audio --format fpcalc "$T/movie.mp4") || fail "movie.mp4: exit $?"
[ -n "$want" ] && [ "$want" = "$got" ] || fail "movie.mp4 audio track: differs from fpcalc"
out=$("$MV" fingerprint --type audio "$T/ok.mp3" "$T/video.mp4" "$T/ok.mp3" 2>/dev/null)
[ "$(printf '%s\n' "$out" | grep -c '^chromaprint ')" = 2 ] || fail "good inputs around a bad one"
finish
