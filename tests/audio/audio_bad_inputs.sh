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
out=$("$MV" fingerprint --type audio "$T/ok.mp3" "$T/video.mp4" "$T/ok.mp3" 2>/dev/null)
[ "$(printf '%s\n' "$out" | grep -c '^chromaprint ')" = 2 ] || fail "good inputs around a bad one"
finish
