#!/bin/bash
# Usage errors exit 2 with a message on stderr and nothing on stdout; --help
# exits 0 and prints the usage on stdout.

. "$(dirname "$0")/lib.sh"

random_file file 10

# usage_error WHAT REGEX ARG...
usage_error()
{
    local what=$1 regex=$2
    shift 2
    "$MV" "$@" <file >got.out 2>got.err
    expect_rc "$what" 2 $? || return
    [ -s got.out ] && fail "$what: wrote to stdout: $(cat got.out)" && return
    grep -Eq -- "$regex" got.err || { fail "$what: stderr $(cat got.err)"; return; }
    echo "ok: $what: $(head -1 got.err)"
}

usage_error "unknown option" "^mediavault: unrecognized option '--bogus'" hash --bogus file
usage_error "unknown short option" "^mediavault: invalid option -- 'x'" hash -x file
usage_error "--algo md4" "^mediavault: unknown algorithm 'md4'" hash --algo md4 file
usage_error "--algo without value" "requires an argument" hash --algo
usage_error "--jobs 0" "^mediavault: invalid value '0' for --jobs" hash --jobs 0 file
usage_error "--jobs abc" "^mediavault: invalid value 'abc' for --jobs" hash --jobs abc file
usage_error "--jobs -1" "^mediavault: invalid value '-1' for --jobs" hash --jobs -1 file
usage_error "--jobs 2x" "^mediavault: invalid value '2x' for --jobs" hash -j 2x file
usage_error "global --jobs 0" "invalid value '0' for --jobs" --jobs 0 hash file
usage_error "unknown command" "^mediavault: unknown command 'bogus'" bogus file
usage_error "no command" "Usage:" 
usage_error "--status without --check" "need --check" hash --status file
usage_error "--quiet without --check" "need --check" hash --quiet file
usage_error "--ignore-missing without --check" "need --check" hash --ignore-missing file
usage_error "--strict without --check" "need --check" hash --strict file
usage_error "--warn without --check" "need --check" hash --warn file

for args in "hash --help" "--help" "hash -h"; do
    # shellcheck disable=SC2086
    "$MV" $args >got.out 2>got.err
    expect_rc "$args" 0 $? || continue
    grep -q '^Usage: mediavault' got.out || { fail "$args: no usage on stdout"; continue; }
    [ -s got.err ] && { fail "$args: wrote to stderr"; continue; }
    echo "ok: $args"
done
finish
