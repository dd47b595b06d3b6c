# shellcheck shell=bash
#
# Sourced by the dupes tests: builds real trees with planted duplicates.
#
# make_tree DIR: duplicates of many sizes around the 4 KiB head/tail sample
# edges (1 B .. 3 MB), same size with other content, same head and tail with
# another middle (must not be grouped), hard links (of a duplicated file and a
# pair of names of one lone inode), symbolic links to files and directories (not
# followed), empty files, and names with spaces, quotes, '#', '=', '-', a comma,
# a backslash and UTF-8. No name holds a newline or a tab, so that tools that
# print one path per line can be compared; make_odd_names adds those.

rand_file() { # rand_file PATH SIZE
    head -c "$2" /dev/urandom >"$1"
}

# Flips one byte at OFFSET of PATH in place.
patch_byte() { # patch_byte PATH OFFSET
    printf '\x5a' | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

make_tree() {
    local t=$1 size n
    mkdir -p "$t/a/b/c" "$t/x y" "$t/deep/1/2/3/4/5" "$t/other"
    n=0
    for size in 1 2 100 4095 4096 4097 8191 8192 8193 8194 12288 65536 1048576 3000000; do
        n=$((n + 1))
        rand_file "$t/orig-$size" "$size"
        cp "$t/orig-$size" "$t/a/copy-$size"
        if ((n % 2)); then cp "$t/orig-$size" "$t/deep/1/2/3/4/5/copy $size"; fi
        if ((n % 3 == 0)); then cp "$t/orig-$size" "$t/x y/\"quoted\" $size"; fi
        rand_file "$t/other/same-size-$size" "$size" # same size, other content
        if ((size > 8192)); then                      # same head and tail, other middle
            cp "$t/orig-$size" "$t/a/b/middle-$size"
            patch_byte "$t/a/b/middle-$size" $((size / 2))
            cp "$t/a/b/middle-$size" "$t/a/b/c/middle-copy-$size"
        fi
    done
    # Different sizes sharing their first and last 4 KiB: not duplicates either.
    head -c 20000 "$t/orig-3000000" >"$t/other/prefix-20000"
    head -c 20001 "$t/orig-3000000" >"$t/other/prefix-20001"
    # Hard links: a duplicated file with extra names, and a lone inode with two.
    ln "$t/orig-65536" "$t/a/b/hardlink-65536"
    ln "$t/orig-65536" "$t/x y/hardlink two"
    rand_file "$t/lone" 50000
    ln "$t/lone" "$t/a/lone-link"
    # Symbolic links, never followed.
    ln -s ../orig-4096 "$t/a/symlink-to-file"
    ln -s ../a "$t/other/symlink-to-dir"
    ln -s /nonexistent "$t/dangling"
    # Empty files: ignored, as jdupes does without -z.
    : >"$t/empty1"
    : >"$t/a/empty2"
    # Odd names (no newline, no tab).
    cp "$t/orig-100" "$t/#hash start"
    cp "$t/orig-100" "$t/=equals start"
    cp "$t/orig-100" "$t/-dash"
    cp "$t/orig-100" "$t/comma,name"
    cp "$t/orig-100" "$t/back\\slash"
    cp "$t/orig-100" "$t/x y/ünïcödé ✓"
    cp "$t/orig-100" "$t/ lead and trail "
}

# make_odd_names DIR: duplicates under names with a newline, a tab, a carriage
# return and a byte that is not UTF-8.
make_odd_names() {
    local t=$1
    mkdir -p "$t"
    rand_file "$t/base" 5000
    cp "$t/base" "$t/new
line"
    cp "$t/base" "$t/tab	name"
    cp "$t/base" "$t/cr$(printf '\r')name"
    cp "$t/base" "$t/latin1-$(printf '\351')t"
    cp "$t/base" "$t/quote\"comma,back\\slash"
    cp "$t/base" "$t/#hash"
    cp "$t/base" "$t/=eq"
}
