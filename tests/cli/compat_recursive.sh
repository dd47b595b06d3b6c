#!/bin/bash
# `mediavault hash --recursive` against md5sum over the same files.
#
# Our order is depth first with the entries of each directory sorted by name
# (byte order). That is not the order of `find | LC_ALL=C sort`, which sorts
# whole paths: "a b/y" sorts before "a/x" as a path (' ' < '/') but after it as
# an entry ("a" < "a b"). The expectation is therefore built by walking the tree
# the same way in the shell; `find | sort` is used only on a subtree whose
# names make both orders coincide. Symbolic links inside the tree are not
# followed into directories, a link to a regular file is hashed by its own path,
# and dangling links and FIFOs are skipped without a word (and without blocking).

. "$(dirname "$0")/lib.sh"

mkdir -p tree/a 'tree/a b' tree/a-b tree/B tree/empty tree/sub/deep/deeper tree/plain/x/y
for f in tree/a/x 'tree/a b/y' tree/a-b/z tree/a.c tree/B/q tree/.hidden tree/sub/deep/deeper/f \
    $'tree/new\nline' 'tree/back\slash' tree/Z tree/sub/0; do
    random_file "$f" $((RANDOM % 200000))
done
for f in tree/plain/1 tree/plain/x/2 tree/plain/x/y/3 tree/plain/x/y/4 tree/plain/z; do
    random_file "$f" $((RANDOM % 100000))
done
ln -s a/x tree/link-to-file
ln -s a tree/link-to-dir
ln -s nowhere tree/dangling
mkfifo tree/fifo

# Prints, NUL-separated, the files under $1 in mediavault's order.
walk()
{
    local dir=$1 name path
    while IFS= read -r -d '' name; do
        path=$dir/$name
        if [ -L "$path" ]; then
            [ -f "$path" ] && printf '%s\0' "$path"
        elif [ -d "$path" ]; then
            walk "$path"
        elif [ -f "$path" ]; then
            printf '%s\0' "$path"
        fi
    done < <(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\0' | sort -z)
}

check_recursive()
{
    local what=$1
    shift
    local expect=()
    for arg in "$@"; do
        if [ -d "$arg" ]; then
            # mediavault joins DIR and NAME without doubling a trailing slash.
            mapfile -t -d '' part < <(walk "${arg%/}")
            expect+=("${part[@]}")
        else
            expect+=("$arg")
        fi
    done
    md5sum -- "${expect[@]}" >exp.out 2>exp.err
    local exp_rc=$?
    for jobs in 1 2; do
        timeout 60 "$MV" hash --recursive --jobs "$jobs" -- "$@" >got.out 2>got.err
        expect_rc "$what jobs=$jobs" "$exp_rc" $? &&
            same_file "$what jobs=$jobs stdout" exp.out got.out &&
            same_file "$what jobs=$jobs stderr" exp.err got.err &&
            echo "ok: $what jobs=$jobs ($(wc -l <got.out) lines)"
    done
}

check_recursive "one tree" tree
check_recursive "trailing slash" tree/
check_recursive "argument order" tree/sub tree/a.c tree/a 'tree/a b'
: >empty
check_recursive "files and stdin" tree/Z - tree/B <empty

# Where entry order and path order coincide, the plain find | sort recipe.
find tree/plain -type f | LC_ALL=C sort | xargs -d '\n' md5sum >exp.out
"$MV" hash -r tree/plain >got.out
same_file "find | sort | xargs md5sum" exp.out got.out

# Without --recursive a directory is an error, the files around it are hashed.
md5sum tree/Z tree/a tree/B/q >exp.out 2>exp.err
exp_rc=$?
"$MV" hash tree/Z tree/a tree/B/q >got.out 2>got.err
expect_rc "directory without -r" "$exp_rc" $?
same_file "directory without -r stdout" exp.out got.out
sed 's/^md5sum:/mediavault:/' exp.err >exp.err2
same_file "directory without -r stderr" exp.err2 got.err
finish
