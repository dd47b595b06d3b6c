#!/usr/bin/env bash
# PDQ hex and quality exactly as the reference prints them, for every row of
# expected.tsv (default 512x512 pre-resize) and expected-fullres.tsv (--full-res),
# and the same hashes through --format json.
. "$(dirname "$0")/fp_lib.sh"
need_vectors

check_tsv expected.tsv
check_tsv expected-fullres.tsv --full-res

# JSON: one object per input, same hashes, md5 of the file, cached false.
tail -n +2 "$VEC/expected.tsv" | cut -f1 >"$T/files"
(cd "$VEC" && xargs -d '\n' "$MV" fingerprint --no-cache --format json <"$T/files") >"$T/out.json" ||
    fail "json: exit status"
if command -v jq >/dev/null 2>&1; then
    jq -r '.[] | "\(.hash) \(.quality) \(.path)"' "$T/out.json" >"$T/got"
    tail -n +2 "$VEC/expected.tsv" | awk -F'\t' '{ print $2, $3, $1 }' >"$T/want"
    cmp -s "$T/want" "$T/got" || fail "json hashes differ from the reference"
    jq -e 'all(.[]; .type == "image" and .algorithm == "pdq" and .cached == false
           and (.md5 | test("^[0-9a-f]{32}$")) and (.processing_time_ms | type) == "number")' \
        "$T/out.json" >/dev/null || fail "json fields"
    # md5 equals md5sum's for a few files.
    for f in $(head -3 "$T/files"); do
        want=$(cd "$VEC" && md5sum "$f" | cut -d' ' -f1)
        got=$(jq -r --arg p "$f" '.[] | select(.path == $p) | .md5' "$T/out.json")
        [ "$want" = "$got" ] || fail "md5 of $f: $got, md5sum says $want"
    done
else
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out.json" || fail "invalid JSON"
fi
finish
