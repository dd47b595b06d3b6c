#!/bin/bash
# Files larger than 4 GiB: byte counts and MD5 bit lengths past 32 bits.
#
# Two sparse files (no disk space used): 5 GiB of holes, and one with a few
# KiB of data at 4.5 GiB. md5sum needs 10-20 s per file here, so its output is
# computed once (both files in parallel) and reused by every mediavault run:
#   - one file alone: a batch of one streams through OpenSSL, the same code
#     as the scalar engine's workers;
#   - both files with the default engine and --jobs 1: one multi-buffer
#     worker, two lanes of different lengths, the longer finished alone.
# Sanitizer builds run only the OpenSSL path (the unoptimized SIMD kernels
# would take minutes); MV_TEST_SPARSE_ALL_ENGINES=1 adds every available
# engine with --jobs 1 and 2 (slow: about 20 s each).

. "$(dirname "$0")/lib.sh"

truncate -s 5G big5g || exit 3
truncate -s 4608M data45 || exit 3
head -c 6000 /dev/urandom | dd of=data45 bs=1M seek=4608 conv=notrunc status=none || exit 3
[ "$(stat -c %s data45)" -gt $((1 << 32)) ] || fail "data45 is not above 4 GiB"

md5sum big5g >exp.big &
pid_big=$!
md5sum data45 >exp.data &
pid_data=$!
wait "$pid_big" || fail "md5sum big5g failed"
wait "$pid_data" || fail "md5sum data45 failed"
cat exp.big exp.data >exp.both

run_sparse()
{
    local what=$1 engine=$2 jobs=$3 expect=$4
    shift 4
    local start=$SECONDS
    MEDIAVAULT_MD5_ENGINE=$engine "$MV" hash --jobs "$jobs" "$@" >got.out 2>got.err
    expect_rc "$what" 0 $? && same_file "$what stdout" "$expect" got.out || return
    if [ -s got.err ]; then
        fail "$what wrote to stderr: $(head -3 got.err)"
        return
    fi
    echo "ok: $what ($((SECONDS - start)) s)"
}

run_sparse "one file" "" 1 exp.data data45
if is_sanitized; then
    echo "sanitizer build: the OpenSSL path only"
else
    run_sparse "default engine, jobs 1" "" 1 exp.both big5g data45
fi
if [ "${MV_TEST_SPARSE_ALL_ENGINES:-0}" = 1 ]; then
    for engine in $(available_engines); do
        for jobs in 1 2; do
            run_sparse "engine $engine, jobs $jobs" "$engine" "$jobs" exp.both big5g data45
        done
    done
fi
finish
