#!/bin/bash
# `mediavault hash --check` against `md5sum -c` (and sha256sum, sha1sum, b2sum)
# on the same sums files: stdout, stderr with "md5sum:" read as "mediavault:",
# both streams merged (md5sum flushes stdout before each message, so the
# interleaving is part of what users see), and the exit status.
#
# Cases: good files (odd names, escaped lines), a bad digest, a missing file, a
# directory, malformed lines, blank lines and comments, CRLF line ends, BSD
# tagged lines (`md5sum --tag`), uppercase hex, "-" naming standard input, the
# sums file itself on standard input, several sums files, a sums file that does
# not exist, and sums files without a valid line; each with no option, --quiet,
# --status, --warn, --strict, --ignore-missing and the combinations in which
# md5sum lets the last of --quiet/--status/--warn win.
#
# Names that md5sum would shell-quote in its messages ("md5sum: 'a b': No such
# file or directory") appear here only where no message names them: mediavault
# prints names in messages as they are (see check_edge.sh).

. "$(dirname "$0")/lib.sh"

mkdir -p files/dir
for f in files/one files/two files/three 'files/sp ace' $'files/new\nline' 'files/back\slash' \
    $'files/car\rret' files/empty; do
    random_file "$f" $((RANDOM % 70000))
done
: >files/empty
random_file stdin.data 12345
: >no-input

# cmp_check WHAT STDIN TOOL [OPTION|SUMS]...: runs TOOL -c and mediavault.
cmp_check()
{
    local what=$1 input=$2 tool=$3 algo
    shift 3
    case $tool in
    md5sum) algo=md5 ;;
    sha1sum) algo=sha1 ;;
    sha256sum) algo=sha256 ;;
    b2sum) algo=blake2b ;;
    esac
    "$tool" -c "$@" <"$input" >exp.out 2>exp.err.raw
    local exp_rc=$?
    "$tool" -c "$@" <"$input" >exp.all.raw 2>&1
    sed "s/^$tool:/mediavault:/" exp.err.raw >exp.err
    sed "s/^$tool:/mediavault:/" exp.all.raw >exp.all
    for jobs in 1 2; do
        local tag="$what ($tool -c $*, jobs $jobs)"
        "$MV" hash --jobs "$jobs" --algo "$algo" -c "$@" <"$input" >got.out 2>got.err
        expect_rc "$tag" "$exp_rc" $? || continue
        same_file "$tag stdout" exp.out got.out || continue
        same_file "$tag stderr" exp.err got.err || continue
        "$MV" hash --jobs "$jobs" --algo "$algo" -c "$@" <"$input" >got.all 2>&1
        same_file "$tag merged" exp.all got.all || continue
        echo "ok: $tag"
    done
}

OPTION_SETS=("" --quiet --status --warn --strict --ignore-missing "--strict --warn"
    "--quiet --warn" "--warn --quiet" "--status --warn" "--warn --status" "--ignore-missing --quiet"
    "--ignore-missing --status")

# every_option WHAT STDIN SUMS...: cmp_check with each option set.
every_option()
{
    local what=$1 input=$2 opts
    shift 2
    for opts in "${OPTION_SETS[@]}"; do
        # shellcheck disable=SC2086 # the option sets are word lists
        cmp_check "$what" "$input" md5sum $opts "$@"
    done
}

all_files=(files/one files/two files/three 'files/sp ace' $'files/new\nline' 'files/back\slash'
    $'files/car\rret' files/empty)
md5sum -- "${all_files[@]}" >good.md5
grep -c '^\\' good.md5 >/dev/null || fail "md5sum wrote no escaped line"
every_option "all good, escaped names" no-input good.md5

cp good.md5 bad.md5
random_file files/changed 100
md5sum files/changed >>bad.md5
echo x >>files/changed
random_file files/gone 10
md5sum files/gone >>bad.md5
rm files/gone
printf 'd41d8cd98f00b204e9800998ecf8427e  files/dir\n' >>bad.md5
every_option "bad digest, missing file, directory" no-input bad.md5

{
    printf 'garbage\n'
    head -2 good.md5
    printf '\n# a comment\n\n'
    printf '0123456789abcdef  too short\n'
    printf 'zz23456789abcdef0123456789abcdef  not hex\n'
    tail -n +3 good.md5
    printf 'd41d8cd98f00b204e9800998ecf8427e *files/empty\n'
    printf 'd41d8cd98f00b204e9800998ecf8427e'
} >malformed.md5
every_option "malformed lines, blank lines, comments" no-input malformed.md5

sed 's/$/\r/' good.md5 >crlf.md5
every_option "CRLF line ends" no-input crlf.md5

md5sum --tag files/one files/two 'files/sp ace' files/empty files/missing >tag.md5 2>tag.err
printf 'MD5 (files/missing) = d41d8cd98f00b204e9800998ecf8427e\n' >>tag.md5
head -1 good.md5 >>tag.md5
every_option "BSD tagged lines mixed with GNU lines" no-input tag.md5

sed 's/^\(\\\?\)\([0-9a-f]\{32\}\)/\1\U\2/' good.md5 >upper.md5
grep -q '^[0-9A-F]\{32\}  ' upper.md5 || fail "no uppercase line in upper.md5"
every_option "uppercase hex" no-input upper.md5

{
    md5sum - <stdin.data
    head -1 good.md5
    md5sum - <stdin.data
} >stdin.md5
cmp_check "a line naming standard input" stdin.data md5sum stdin.md5
cmp_check "sums file on standard input" good.md5 md5sum
cmp_check "sums file as -" good.md5 md5sum -
cmp_check "several sums files" no-input md5sum good.md5 bad.md5 malformed.md5 tag.md5

printf 'd41d8cd98f00b204e9800998ecf8427e  files/nothere\n' >missing.md5
every_option "everything missing" no-input missing.md5
printf 'garbage\n\n# only a comment\n' >invalid.md5
every_option "no valid line" no-input invalid.md5
: >empty.md5
every_option "empty sums file" no-input empty.md5
every_option "sums file that does not exist" no-input no-such.md5

for algo in sha1 sha256 blake2b; do
    tool=$(gnu_tool "$algo")
    "$tool" -- "${all_files[@]}" >"good.$algo"
    "$tool" --tag files/one >>"good.$algo"
    printf 'garbage\n' >>"good.$algo"
    "$tool" files/changed >>"good.$algo"
    echo y >>files/changed
    # MD5-length lines are malformed for sha1sum and sha256sum; b2sum reads them
    # as BLAKE2b-128 digests (its -l option), which mediavault does not do.
    [ "$algo" != blake2b ] && cat good.md5 >>"good.$algo"
    for opts in "" --warn --quiet --strict; do
        # shellcheck disable=SC2086
        cmp_check "$algo" no-input "$tool" $opts "good.$algo"
    done
done
finish
