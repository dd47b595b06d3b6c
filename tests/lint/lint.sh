#!/usr/bin/env bash
# Source checks run by CTest: formatting, banned functions, exported symbols.
# Usage: lint.sh format|banned SRC_DIR   or   lint.sh exports LIBRARY
#        or   lint.sh plugin-exports PLUGIN ENTRY_SYMBOL
set -u

what=$1
arg=$2

case "$what" in
format)
    fmt=$(command -v clang-format-14 || command -v clang-format || true)
    if [ -z "$fmt" ]; then
        echo "clang-format not installed (make check installs it)" >&2
        exit 1
    fi
    cd "$arg" || exit 1
    files=$(git ls-files -- '*.c' '*.h' 2>/dev/null || find src include tests bench -name '*.[ch]')
    # shellcheck disable=SC2086
    "$fmt" --dry-run --Werror $files
    ;;
banned)
    cd "$arg" || exit 1
    # curl's list of functions that invite overflows or hide errors.
    if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atof|gets)[[:space:]]*\(' \
        -r src include; then
        echo "banned function used (see above)" >&2
        exit 1
    fi
    ;;
exports)
    bad=$(nm -D --defined-only "$arg" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
        grep -vE '^mv_[a-z]' | grep -vE '^(_init|_fini|_edata|_end|__bss_start)$' || true)
    if [ -n "$bad" ]; then
        echo "symbols exported beyond mv_*:" >&2
        echo "$bad" >&2
        exit 1
    fi
    count=$(nm -D --defined-only "$arg" | grep -c ' T mv_')
    echo "$count mv_* functions exported"
    [ "$count" -gt 10 ]
    ;;
plugin-exports)
    # A plugin exports its entry point and nothing else: lint.sh plugin-exports SO SYMBOL.
    got=$(nm -D --defined-only "$arg" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
        grep -vE '^(_init|_fini|_edata|_end|__bss_start)$' || true)
    if [ "$got" != "${3:-}" ]; then
        echo "$arg should export ${3:-?} only; it exports:" >&2
        echo "$got" >&2
        exit 1
    fi
    echo "$arg exports $got only"
    ;;
*)
    echo "usage: lint.sh format|banned|exports ARG, or plugin-exports SO SYMBOL" >&2
    exit 2
    ;;
esac
