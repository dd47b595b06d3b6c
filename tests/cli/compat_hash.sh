#!/bin/bash
# `mediavault hash` prints exactly what md5sum (sha1sum, sha256sum, b2sum)
# prints for the same arguments: block-edge sizes, random sizes up to 16 MiB,
# odd file names (md5sum's leading-backslash escaping), a name starting with
# '-' after '--', standard input given twice, and 300 files of very different
# lengths at once so that the multi-buffer lanes finish at different times.
# MD5 runs once per available engine (MEDIAVAULT_MD5_ENGINE) and with --jobs 1
# and --jobs 2; the other algorithms with --jobs 1 and 2. The GNU output is
# computed once and reused.
#
# Usage: compat_hash.sh PATH-TO-mediavault   (or MV=... compat_hash.sh)
# MV_TEST_SEED fixes the random sizes (the seed is printed).

. "$(dirname "$0")/lib.sh"

SEED=${MV_TEST_SEED:-$$}
RANDOM=$SEED
echo "seed $SEED (MV_TEST_SEED=$SEED reproduces the sizes)"

args=()
for n in 0 1 55 56 57 63 64 65 119 120 128 4095 4096 4097 1048577; do
    random_file "size$n" "$n"
    args+=("size$n")
done
for i in 1 2 3; do
    n=$(((RANDOM * 32768 + RANDOM) % (16 << 20)))
    random_file "random$i" "$n"
    args+=("random$i")
done
odd=('sp ace' ' leading space' 'back\slash' $'new\nline' $'car\rret' $'bad\xffutf8'
    '\leading backslash' $'all\\of\nthem\r' '*star' 'trailing space ')
for name in "${odd[@]}"; do
    random_file "$name" $((RANDOM % 5000))
done
random_file -dash 100
mkdir many
for ((i = 0; i < 300; i++)); do
    random_file "many/f$i" $(((RANDOM * 32768 + RANDOM) % (300 * 1024 + 1)))
    args+=("many/f$i")
done
random_file stdin.data 70000

# One argument list: stdin first and again later (the second read sees end of
# file, as with md5sum), odd names in the middle, '-dash' (only after '--').
# The '--' comes first: md5sum also honours a '--' after operands (GNU getopt
# permutes), while `mediavault hash` stops at the first operand.
list=(-- - "${args[@]:0:10}" "${odd[@]}" -dash - "${args[@]:10}")

run_compat()
{
    local what=$1 tool=$2
    shift 2
    "$tool" "${list[@]}" <stdin.data >exp.out 2>exp.err
    local exp_rc=$?
    expect_rc "$tool" 0 "$exp_rc"
    for jobs in 1 2; do
        for engine in "$@"; do
            local tag="$what jobs=$jobs${engine:+ engine=$engine}"
            MEDIAVAULT_MD5_ENGINE=$engine "$MV" hash --algo "$what" --jobs "$jobs" "${list[@]}" \
                <stdin.data >got.out 2>got.err
            expect_rc "$tag" "$exp_rc" $? &&
                same_file "$tag stdout" exp.out got.out &&
                same_file "$tag stderr" exp.err got.err &&
                echo "ok: $tag ($(wc -l <got.out) lines)"
        done
    done
}

mapfile -t engines < <(available_engines)
for e in $(known_engines); do
    case " ${engines[*]} " in
    *" $e "*) ;;
    *) echo "engine $e not available here: skipped" ;;
    esac
done
[ "${#engines[@]}" -gt 0 ] || fail "mediavault info lists no available engine"
# The default engine choice as well as each pinned one.
run_compat md5 md5sum "" "${engines[@]}"
for algo in sha1 sha256 blake2b; do
    run_compat "$algo" "$(gnu_tool "$algo")" ""
done

# The same bytes through a pipe and through `--` with only '-' (no file).
md5sum <stdin.data >exp.out
"$MV" hash <stdin.data >got.out
same_file "no operand reads stdin" exp.out got.out
finish
