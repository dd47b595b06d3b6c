# Regression: long MP3s like bench/av.sh's (a sine, pink noise and a chirp,
# mixed, 44.1 kHz stereo, LAME 128k) must match fpcalc bit for bit. Forcing
# swresample's internal format to S16P (fpcalc leaves it to swresample, FLTP
# for float decoders) flipped single bits of the raw fingerprint in about
# half of such files.
. "$(dirname "$0")/audio_lib.sh"

gen_mp3() # gen_mp3 I DURATION
{
    local i=$1 d=$2 f=$((220 + 37 * $1)) c=$((300 + 53 * $1))
    ffmpeg -nostdin -v error -y \
        -f lavfi -i "sine=f=$f:d=$d:sample_rate=44100" \
        -f lavfi -i "anoisesrc=d=$d:c=pink:a=0.15:seed=$((i + 1)):r=44100" \
        -f lavfi -i "aevalsrc=0.4*sin(2*PI*$c*t*(1+0.5*sin(2*PI*t/7))):d=$d:s=44100" \
        -filter_complex "[0][1][2]amix=inputs=3,volume=2" -ac 2 -ar 44100 \
        -c:a libmp3lame -b:a 128k "$T/m$i.mp3" || fail "ffmpeg could not make m$i.mp3"
}

for i in 0 1 6 7 9 11; do
    gen_mp3 "$i" 130 &
done
wait
for i in 0 1 6 7 9 11; do
    for args in "" "-raw" "-raw -length 0"; do
        # fpcalc 1.5.1 exits non-zero at the end of each file but still prints.
        want=$(fpcalc $args "$T/m$i.mp3" 2>/dev/null | sed 's/^FILE=.*//')
        mvargs=${args//-/--}
        got=$("$MV" fingerprint --type audio --format fpcalc $mvargs "$T/m$i.mp3") ||
            fail "m$i.mp3 $args: exit $?"
        [ -n "$want" ] && [ "$want" = "$got" ] || fail "m$i.mp3 $args: differs from fpcalc"
    done
done
finish
