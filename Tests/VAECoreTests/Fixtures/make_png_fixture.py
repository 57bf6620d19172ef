"""Writes dark-ring-on-white.png: a 40x30 RGB PNG of a dark ring on a white page, with the
Python standard library only (zlib + struct). Run once; the output is committed:

    python3 make_png_fixture.py
"""
import struct, zlib

W, H = 40, 30
rows = []
for y in range(H):
    row = bytearray([0])  # filter type 0
    for x in range(W):
        d = ((x - 20) ** 2 + (y - 15) ** 2) ** 0.5
        v = 30 if abs(d - 9) < 2.5 else 250
        row += bytes([v, v, min(255, v + 5)])
    rows.append(bytes(row))

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
open("dark-ring-on-white.png", "wb").write(png)
