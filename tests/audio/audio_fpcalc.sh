# `fingerprint --format fpcalc` must print exactly fpcalc's lines (base64 and
# --raw, default length, --length 0 and 10) for generated tones, noise and
# chirps in wav/flac/mp3/ogg, mono and stereo, 8 to 48 kHz.
. "$(dirname "$0")/audio_lib.sh"

same() # same FILE FPCALC-ARGS...
{
    local f=$1 want got
    shift
    want=$(fpcalc "$@" "$T/$f" 2>/dev/null | sed 's/^FILE=.*//')
    local mvargs=()
    for a in "$@"; do mvargs+=("${a/#-/--}"); done
    got=$("$MV" fingerprint --format fpcalc "${mvargs[@]}" "$T/$f") || fail "$f $*: exit $?"
    [ -n "$want" ] && [ "$want" = "$got" ] || fail "$f $*: differs from fpcalc"
}

i=0
for spec in "wav 8000 1" "wav 48000 2" "flac 22050 2" "flac 44100 1" "mp3 44100 2" \
    "mp3 22050 1" "mp3 48000 1" "ogg 44100 2" "ogg 48000 1" "wav 22050 1" "flac 8000 2"; do
    set -- $spec
    for src in "sine=frequency=440:duration=25" "anoisesrc=d=25:c=pink:seed=7" \
        "sine=frequency=1000:duration=25,aeval=sin(2*PI*t*(200+40*t))"; do
        i=$((i + 1))
        f=a$i.$1
        gen "$f" "$src" "$2" "$3"
        same "$f"
        same "$f" -raw
        same "$f" -length 10
        same "$f" -length 0
    done
done
# A long file, longer than the default 120 s, and several files at once.
gen long.flac "sine=frequency=330:duration=150" 44100 2
same long.flac
same long.flac -length 0
# (fpcalc itself stops after the first file: it ends each with an error.)
want=$(fpcalc "$T/a1.wav" 2>/dev/null; echo; fpcalc "$T/a4.wav" 2>/dev/null)
got=$("$MV" fingerprint --format fpcalc "$T/a1.wav" "$T/a4.wav")
[ "$want" = "$got" ] || fail "two files differ from fpcalc"
# Auto type: all-audio inputs take the audio path; text and json forms.
line=$("$MV" fingerprint --no-cache "$T/a1.wav") || fail "auto: exit $?"
fp=$(fpcalc "$T/a1.wav" 2>/dev/null | sed -n 's/^FINGERPRINT=//p')
[ "$line" = "chromaprint $fp 25 $T/a1.wav" ] || fail "text line: $line"
"$MV" fingerprint --type audio --format json "$T/a1.wav" | grep -q "\"fingerprint\": \"$fp\"" ||
    fail "json form"
finish
