#!/usr/bin/env bash
# Luma's float operations in the reference's order, on RGB pixels. Natural
# images absorb a luma that is one unit in the last place off, and the reference
# vectors' numerically fragile canaries are grey or of a colour where the order
# happens not to matter; flat PNGs of these two colours and an RGB gradient give
# hashes 8 to 136 bits away when R + (G + B) is summed instead of (R + G) + B, on
# the direct path (200x150) and on the resized one (1000x600, picked columns).
# Written here byte for byte (no colour conversion on the way); the expected
# values are what Meta's reference CLI, pdq-photo-hasher, printed for them.
. "$(dirname "$0")/fp_lib.sh"
need_program python3

python3 - <<'PY' || fail "could not write the PNGs"
import struct, zlib

def png(path, w, h, row):
    raw = b"".join(b"\0" + row(y) for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

for w, h in ((200, 150), (1000, 600)):
    for c in ((1, 1, 0x27), (1, 2, 0x2A)):
        png("flat-%02x%02x%02x-%dx%d.png" % (c + (w, h)), w, h, lambda y, c=c, w=w: bytes(c) * w)
    png("grad-%dx%d.png" % (w, h), w, h, lambda y, w=w: b"".join(
        bytes((x & 255, y & 255, ((x + y) // 2) & 255)) for x in range(w)))
PY

cat >want <<'EOF2'
2c4b11341134000011342c4b1134113411342c4b113413a0554bcc53bc64bd0b 0 flat-010127-1000x600.png
aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555 0 flat-010127-200x150.png
000000002c4b2c4b2c4b2c4b113411340000554b000013a02c4b113482006603 0 flat-01022a-1000x600.png
0000ffff0000ffffffffffff0000ffff000000000000ffffffff0000ffff0000 0 flat-01022a-200x150.png
88c455d988c4ffba88c5ebaa8cc52aaa2cddf88852ffbf88552eaa7857722047 100 grad-1000x600.png
aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa7594 0 grad-200x150.png
EOF2

"$MV" fingerprint --no-cache ./*.png >out 2>err || fail "fingerprint failed: $(cat err)"
sed 's|^pdq ||; s| \./| |' out | LC_ALL=C sort -k3 >got
diff want got >&2 || fail "hashes differ from the reference's (want, got above)"
finish
