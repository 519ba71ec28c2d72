"""Writes the small PNG and JPEG variant fixtures the decoder tests read.

Each image is 24x32 (width x height): white, with a dark rectangle at
x 6..17, y 8..23 and, top-left, a 4x4 marker whose colour is known, so a
test can check pixels and orientation. Run: python3 make_fixtures.py
(PNGs use only the standard library; the JPEGs need Pillow).
"""
import struct
import zlib

W, H = 24, 32


def value(x, y):
    """Intensity 0..1 of the pattern (1 = white)."""
    if x < 4 and y < 4:
        return 0.0          # black marker, top-left
    if 6 <= x < 18 and 8 <= y < 24:
        return 0.25         # dark rectangle
    return 1.0


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(name, color_type, depth, rows, extra=b""):
    """rows: list of lists of integer samples, packed at `depth` bits."""
    raw = b""
    for row in rows:
        if depth >= 8:
            fmt = ">" + ("B" if depth == 8 else "H") * len(row)
            raw += b"\x00" + struct.pack(fmt, *row)
        else:
            bits, nbits, out = 0, 0, bytearray()
            for s in row:
                bits = (bits << depth) | s
                nbits += depth
                if nbits == 8:
                    out.append(bits)
                    bits, nbits = 0, 0
            if nbits:
                out.append(bits << (8 - nbits))
            raw += b"\x00" + bytes(out)
    ihdr = struct.pack(">IIBBBBB", W, H, depth, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(name, "wb").write(data)


def gray_rows(depth):
    top = (1 << depth) - 1
    return [[round(value(x, y) * top) for x in range(W)] for y in range(H)]


for d in (1, 2, 4, 8, 16):
    png(f"gray{d}.png", 0, d, gray_rows(d))
png("gray-alpha.png", 4, 8, [[v for x in range(W) for v in (round(value(x, y) * 255), 255)] for y in range(H)])
png("rgb8.png", 2, 8, [[v for x in range(W) for v in [round(value(x, y) * 255)] * 3] for y in range(H)])
png("rgb16.png", 2, 16, [[v for x in range(W) for v in [round(value(x, y) * 65535)] * 3] for y in range(H)])
png("rgba8.png", 6, 8, [[v for x in range(W) for v in [round(value(x, y) * 255)] * 3 + [255]] for y in range(H)])
png("rgba16.png", 6, 16, [[v for x in range(W) for v in [round(value(x, y) * 65535)] * 3 + [65535]] for y in range(H)])
# Transparent background: the white area is fully transparent black, which must composite to white.
png("rgba-transparent.png", 6, 8,
    [[v for x in range(W) for v in ([0, 0, 0, 0] if value(x, y) == 1.0 else [round(value(x, y) * 255)] * 3 + [255])]
     for y in range(H)])
# Palette: 0 = white, 1 = dark, 2 = black marker, 3 = transparent (tRNS), used for the last row.
palette = bytes([255, 255, 255, 64, 64, 64, 0, 0, 0, 12, 34, 56])
idx = {1.0: 0, 0.25: 1, 0.0: 2}
rows = [[idx[value(x, y)] for x in range(W)] for y in range(H - 1)] + [[3] * W]
png("palette-trns.png", 3, 8, rows, chunk(b"PLTE", palette) + chunk(b"tRNS", bytes([255, 255, 255, 0])))

try:
    from PIL import Image
except ImportError:
    raise SystemExit("PNG fixtures written; install Pillow for the JPEG ones")

img = Image.new("RGB", (W, H))
img.putdata([tuple([round(value(x, y) * 255)] * 3) for y in range(H) for x in range(W)])
img.save("baseline.jpg", quality=95)
img.save("progressive.jpg", quality=95, progressive=True)
img.convert("L").save("gray.jpg", quality=95)
img.convert("CMYK").save("cmyk.jpg", quality=95)
# EXIF orientation 6 (rotate 90° clockwise to display): store the image rotated the other way.
stored = img.transpose(Image.Transpose.ROTATE_90)
exif = Image.Exif()
exif[0x0112] = 6
stored.save("exif-orientation-6.jpg", quality=95, exif=exif.tobytes())
print("fixtures written")
