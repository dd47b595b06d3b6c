# A missing file is reported in argument order; the others are hashed; exit 1.
printf 'abc' >abc
"$MV" hash --jobs 2 abc missing abc 2>&1
