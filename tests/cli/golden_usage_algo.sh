# A bad --algo is a usage error: exit 2, one line on stderr, nothing hashed.
printf 'abc' >abc
"$MV" hash --algo md4 abc
