# md5sum-compatible output for fixed contents, odd names and standard input.
printf '' >empty
printf 'abc' >abc
printf 'The quick brown fox jumps over the lazy dog' >'with space'
printf 'back' >'back\slash'
printf 'nl' >$'new\nline'
printf 'cr' >$'car\rret'
printf '%.0s0123456789' {1..100} >'-thousand'
printf 'stdin' | "$MV" hash -- empty abc 'with space' 'back\slash' $'new\nline' $'car\rret' -thousand -
"$MV" hash --algo sha256 abc
"$MV" hash --algo sha1 abc
"$MV" hash --algo blake2b abc
