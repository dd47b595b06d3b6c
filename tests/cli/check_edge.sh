#!/bin/bash
# Sums-file corners where md5sum's parser is lenient or odd, and its quoting.
# Once known differences, now fixed; kept so that they stay fixed. Run directly:
#   bash tests/cli/check_edge.sh build/mediavault
# Lines md5sum 9.x accepts that a strict parser would reject, and md5sum's
# shell quoting of names in messages ("md5sum: 'a b': No such file or directory").

. "$(dirname "$0")/lib.sh"

printf 'a' >'a b'
printf 'b' >'back\slash'
H=0cc175b9c0f1b6a831c399e269772661
md5sum --tag 'back\slash' >escaped-tag.md5 # "\MD5 (back\\slash) = ..."

edge()
{
    local what=$1
    shift
    printf "$@" >edge.md5
    md5sum -c edge.md5 >exp.out 2>exp.err
    local exp_rc=$?
    sed -i 's/^md5sum:/mediavault:/' exp.err
    "$MV" hash -c edge.md5 >got.out 2>got.err
    expect_rc "$what" "$exp_rc" $? && same_file "$what stdout" exp.out got.out &&
        same_file "$what stderr" exp.err got.err && echo "ok: $what"
}

edge "BSD line without the space before (" "MD5(a b)= $H\n"
edge "BSD line with spaces around =" "MD5 (a b) =  $H\n"
edge "tab between digest and name" "$H\ta b\n"
edge "one space between digest and name (md5 -r)" "$H a b\n"
edge "comment after leading blanks is malformed" "  # c\n$H  a b\n"
edge "missing name needing quotes" "$H  no such\n"
cp escaped-tag.md5 edge.src
edge "escaped BSD line from md5sum --tag" "%s" "$(cat edge.src)"
finish
