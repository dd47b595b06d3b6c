#!/usr/bin/env bash
# Two devices, one reader each: a tree on the disk with a tmpfs mounted inside
# it (mounting needs root: skipped otherwise). The summary must stay exact
# (files, bytes read once per inode, new, unchanged), the catalog must equal
# md5sum's sums on both devices, hard links on either device are read once,
# and the scan reports two devices read; with --one-file-system only one. With
# few file descriptors the devices' engines take turns, with the same result.
set -u
MV=$1
T=$(mktemp -d /tmp/mv-scan-devices.XXXXXX)
R=$T/root
cleanup() {
    mountpoint -q "$R/mnt" 2>/dev/null && umount "$R/mnt"
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
field() { grep -o "\"$1\": [0-9]*" | head -1 | awk '{print $2}'; }

[ "$(id -u)" -eq 0 ] || {
    echo "mounting a tmpfs needs root: skipped"
    exit 77
}
mkdir -p "$R/disk/a" "$R/mnt"
mount -t tmpfs -o size=64m mv-scan-test "$R/mnt" 2>"$T/mount.err" || {
    echo "cannot mount a tmpfs ($(cat "$T/mount.err")): skipped"
    exit 77
}
[ "$(stat -c %d "$R/disk")" != "$(stat -c %d "$R/mnt")" ] || fail "the tmpfs has the disk's device"

mkdir -p "$R/mnt/b/c"
# Sizes around the engine's 1 MiB reads and empty files, on both devices.
for i in $(seq 1 40); do
    head -c $((i * 37 + (i % 5) * 300000)) /dev/urandom >"$R/disk/a/f$i"
    head -c $((i * 53 + (i % 7) * 200000)) /dev/urandom >"$R/mnt/b/c/g$i"
done
: >"$R/disk/empty"
: >"$R/mnt/empty"
echo same >"$R/disk/same"
echo same >"$R/mnt/same"
ln "$R/disk/a/f3" "$R/disk/link3"
ln "$R/mnt/b/c/g4" "$R/mnt/link4"

files=$(find "$R" -type f | wc -l)
bytes=$(find "$R" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
once=$(find "$R" -type f -printf '%D %i %s\n' | sort -u | awk '{ s += $3 } END { print s }')

out=$("$MV" --catalog "$T/c.db" --jobs 2 scan --json "$R") || fail "first scan: $out"
[ "$(echo "$out" | field files)" = "$files" ] || fail "files: $out (want $files)"
[ "$(echo "$out" | field bytes)" = "$bytes" ] || fail "bytes: $out (want $bytes)"
[ "$(echo "$out" | field bytes_read)" = "$once" ] || fail "bytes_read: $out (want $once)"
[ "$(echo "$out" | field new)" = "$files" ] || fail "new: $out"
[ "$(echo "$out" | field errors)" = 0 ] || fail "errors: $out"
[ "$(echo "$out" | field devices)" = 2 ] || fail "not one reader per device: $out"

"$MV" --catalog "$T/c.db" export | LC_ALL=C sort >"$T/export"
find "$R" -type f -print0 | xargs -0 md5sum | LC_ALL=C sort >"$T/md5sum"
cmp -s "$T/export" "$T/md5sum" || {
    diff "$T/md5sum" "$T/export" | head >&2
    fail "catalog differs from md5sum"
}

out=$("$MV" --catalog "$T/c.db" scan --json "$R") || fail "rescan: $out"
[ "$(echo "$out" | field bytes_read)" = 0 ] || fail "rescan read: $out"
[ "$(echo "$out" | field unchanged)" = "$files" ] || fail "rescan: $out"

# One job for two devices still reads both (each reader gets at least one).
out=$("$MV" --catalog "$T/one.db" --jobs 1 scan --json "$R/mnt" "$R/disk") ||
    fail "two roots, one job: $out"
[ "$(echo "$out" | field bytes_read)" = "$once" ] || fail "two roots, one job: $out"
[ "$(echo "$out" | field devices)" = 2 ] || fail "two roots, one job: $out"

# With few descriptors the two engines take turns (one at a time here): same result.
out=$(ulimit -n 90 && "$MV" --catalog "$T/few.db" --jobs 2 scan --json "$R") ||
    fail "few descriptors: $out"
[ "$(echo "$out" | field bytes_read)" = "$once" ] || fail "few descriptors: $out"
[ "$(echo "$out" | field new)" = "$files" ] || fail "few descriptors: $out"
[ "$(echo "$out" | field devices)" = 2 ] || fail "few descriptors: $out"
"$MV" --catalog "$T/few.db" export | LC_ALL=C sort | cmp -s - "$T/md5sum" ||
    fail "few descriptors: catalog differs from md5sum"

out=$("$MV" --catalog "$T/x.db" scan --json --one-file-system "$R") || fail "-x: $out"
[ "$(echo "$out" | field devices)" = 1 ] || fail "--one-file-system read two devices: $out"
echo "all checks passed"
