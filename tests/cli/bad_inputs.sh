#!/bin/bash
# Inputs that cannot be hashed: each gets "mediavault: PATH: reason" on stderr,
# the others are still hashed, and the exit status is 1. FIFOs, sockets and
# devices are refused without blocking (every run is under `timeout 10`); a
# FIFO named as "-" on standard input is read. Where md5sum gives the same
# answer (directory, symlink loop, dangling link) its stderr is the reference;
# md5sum would block on a FIFO or a device, so those messages are spelled out.
#
# Note: the device is /dev/null only where /dev/null really is one; some
# sandboxes replace it with a regular file, so /dev/zero is tried next.

. "$(dirname "$0")/lib.sh"

random_file ok1 1000
random_file ok2 100000
mkfifo fifo
mkdir dir
ln -s loop-b loop-a
ln -s loop-a loop-b
ln -s nowhere dangling
device=
for d in /dev/null /dev/zero /dev/full; do
    if [ -c "$d" ]; then
        device=$d
        break
    fi
done
sock=
if command -v python3 >/dev/null; then
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock && sock=sock
fi
[ -n "$sock" ] || echo "no unix socket (python3 missing): that case is skipped"

# One bad input between two good ones, alone, and with --jobs 1 and 2.
# expect_refused WHAT INPUT REASON-REGEX
expect_refused()
{
    local what=$1 input=$2 reason=$3 jobs args
    md5sum ok1 ok2 >exp.out
    for jobs in 1 2; do
        for args in both alone; do
            local tag="$what ($args, jobs $jobs)"
            if [ "$args" = both ]; then
                timeout 10 "$MV" hash --jobs "$jobs" ok1 "$input" ok2 >got.out 2>got.err
            else
                timeout 10 "$MV" hash --jobs "$jobs" "$input" >got.out 2>got.err
            fi
            local rc=$?
            [ "$rc" = 124 ] && fail "$tag blocked" && continue
            expect_rc "$tag" 1 "$rc" || continue
            if [ "$args" = both ]; then
                same_file "$tag stdout" exp.out got.out || continue
            elif [ -s got.out ]; then
                fail "$tag printed a digest: $(cat got.out)"
                continue
            fi
            if ! grep -Eqx "mediavault: $input: $reason" got.err || [ "$(wc -l <got.err)" != 1 ]; then
                fail "$tag stderr: $(cat -A got.err)"
                continue
            fi
            echo "ok: $tag: $(cat got.err)"
        done
    done
}

expect_refused "FIFO without a writer" fifo "not a regular file"
[ -n "$device" ] && expect_refused "device $device" "$device" "not a regular file"
[ -n "$sock" ] && expect_refused "unix socket" sock ".+"
expect_refused "directory without --recursive" dir "Is a directory"
expect_refused "symlink loop" loop-a "Too many levels of symbolic links"
expect_refused "dangling symlink" dangling "No such file or directory"
expect_refused "missing file" no-such-file "No such file or directory"

# Where md5sum has the same answer, it is the reference, stderr included.
md5sum ok1 dir loop-a ok2 dangling no-such-file >exp.out 2>exp.err
exp_rc=$?
sed 's/^md5sum:/mediavault:/' exp.err >exp.err2
"$MV" hash ok1 dir loop-a ok2 dangling no-such-file >got.out 2>got.err
expect_rc "md5sum reference" "$exp_rc" $?
same_file "md5sum reference stdout" exp.out got.out
same_file "md5sum reference stderr" exp.err2 got.err

# A FIFO named explicitly as standard input is read.
random_file fifo.data 300000
md5sum - <fifo.data >exp.out
(cat fifo.data >fifo &)
timeout 10 "$MV" hash - <fifo >got.out 2>got.err
expect_rc "FIFO on stdin" 0 $?
same_file "FIFO on stdin" exp.out got.out && echo "ok: FIFO on stdin"
[ -s got.err ] && fail "FIFO on stdin: stderr $(cat got.err)"

# A FIFO with a writer still attached is refused as well, without reading it.
exec 3<>fifo
timeout 10 "$MV" hash fifo ok1 >got.out 2>got.err
rc=$?
exec 3>&-
expect_rc "FIFO with a writer" 1 "$rc" && echo "ok: FIFO with a writer: $(cat got.err)"
finish
