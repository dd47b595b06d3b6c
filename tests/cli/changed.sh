#!/bin/bash
# A file that changes while it is read is reported ("file changed while it was
# read"), never given a digest, and the exit status is 1: truncated, appended
# to, and rewritten in place (same size, new mtime). Each case runs alone (a
# batch of one streams through OpenSSL) and next to a small file (the
# multi-buffer scheduler, --jobs 1); the small file must still get its digest.
#
# The change is made once the program has the file open (seen in
# /proc/PID/fd); the files are sparse, so they cost no disk, and reading them
# takes about a second (256 MiB in sanitizer builds). If the program finished before the change could be
# made, the case is retried with a file four times larger; if that never works,
# the test fails with a message instead of passing.

. "$(dirname "$0")/lib.sh"

[ -d /proc/self/fd ] || { echo "SKIP: no /proc"; exit 77; }
# Sanitizer builds run the multi-buffer kernels ~20x slower: smaller files.
START_SIZE=$((1 << 30))
is_sanitized && START_SIZE=$((256 << 20))
random_file small 3000
md5sum small >small.md5

# provoke WHAT MODE [OTHER]: MODE is truncate, append or rewrite.
provoke()
{
    local what=$1 mode=$2 size=$START_SIZE attempt pid rc
    shift 2
    for attempt in 1 2 3; do
        rm -f victim
        truncate -s "$size" victim
        "$MV" hash --jobs 1 victim "$@" >got.out 2>got.err &
        pid=$!
        if wait_open "$pid" victim; then
            case $mode in
            truncate) truncate -s 4096 victim ;;
            append) printf 'more' >>victim ;;
            rewrite) printf 'x' | dd of=victim bs=1 seek=100 conv=notrunc status=none ;;
            esac
            if kill -0 "$pid" 2>/dev/null; then
                wait "$pid"
                rc=$?
                expect_rc "$what" 1 "$rc"
                grep -qx 'mediavault: victim: file changed while it was read' got.err ||
                    fail "$what: stderr $(cat -A got.err)"
                grep -q ' victim$' got.out && fail "$what: a digest was printed: $(cat got.out)"
                if [ $# -gt 0 ] && ! same_file "$what: the other file" small.md5 got.out; then
                    return
                fi
                echo "ok: $what (attempt $attempt, $((size >> 20)) MiB)"
                return
            fi
        fi
        wait "$pid"
        echo "$what: finished before the change at $((size >> 20)) MiB; retrying larger"
        size=$((size * 4))
    done
    fail "$what: could not change the file while it was read (even at $((size >> 22)) MiB)"
}

for mode in truncate append rewrite; do
    provoke "$mode, alone" "$mode"
    provoke "$mode, with another file" "$mode" small
done
finish
