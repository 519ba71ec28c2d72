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
    ihdr = struct.pack(">IIBBBBB", len(rows[0]), len(rows), depth, color_type, 0, 0, 0)
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



def exif_orientation(value):
    """A big-endian TIFF structure whose IFD0 holds one entry: Orientation (0x0112, SHORT) = value."""
    return b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, value, 0) \
        + struct.pack(">I", 0)


def ztxt(keyword, size):
    return chunk(b"zTXt", keyword + b"\x00\x00" + zlib.compress(b"\x00" * size, 9))


# Orientation 6 (rotate 90 degrees clockwise to display): stored rotated the other way, as 32x24, with the
# orientation in an eXIf chunk and text chunks of every kind before the image data, all of which are skipped.
png("png-exif-text.png", 0, 8, [[round(value(W - 1 - y, x) * 255) for x in range(H)] for y in range(W)],
    chunk(b"eXIf", exif_orientation(6)) + chunk(b"tEXt", b"Title\x00shirt") + ztxt(b"Comment", 1000)
    + chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta/>"))

# Text-chunk bomb: eight zTXt chunks, each inflating to 15 MB, before a valid small image (120 KB in all).
png("text-bomb.png", 0, 8, [[round(value(x, y) * 255) for x in range(W)] for y in range(H)],
    b"".join(ztxt(b"Comment", 15 << 20) for _ in range(8)))


def adam7_bomb(name, side):
    """A gray Adam7-interlaced PNG of side x side pixels, all black, streamed through zlib (about 110 KB)."""
    c, out = zlib.compressobj(9), []
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                           (0, 1, 1, 2)]:
        row = b"\x00" + bytes((side - x0 + dx - 1) // dx)
        for _ in range((side - y0 + dy - 1) // dy):
            out.append(c.compress(row))
    out.append(c.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 1)
    with open(name, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(out)) + chunk(b"IEND", b""))


adam7_bomb("adam7-bomb-8944x8944.png", 8944)

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
# The same with an XMP APP1 segment before the EXIF one, as editors often write it.
xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
data = open("exif-orientation-6.jpg", "rb").read()
with open("exif-behind-xmp.jpg", "wb") as f:
    f.write(data[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + data[2:])
print("fixtures written")
