# --check: OK, FAILED, FAILED open or read, a malformed line (--warn), the summary.
printf 'abc' >abc
printf 'xyz' >xyz
{
    printf '900150983cd24fb0d6963f7d28e17f72  abc\n'
    printf '00000000000000000000000000000000  xyz\n'
    printf 'not a checksum line\n'
    printf '# a comment\n'
    printf 'MD5 (abc) = 900150983CD24FB0D6963F7D28E17F72\r\n'
    printf 'd41d8cd98f00b204e9800998ecf8427e  missing\n'
} >sums
"$MV" hash --check --warn sums 2>&1
