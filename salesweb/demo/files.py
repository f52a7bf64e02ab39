"""Small real files for the demo library: one-page PDFs with text, and PNG pictures, made without any library."""
import struct
import zlib


def _pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace")


def pdf(title, lines):
    """A valid one-page A4 PDF: a title and lines of text in Helvetica (Latin text only)."""
    ops = [b"BT /F1 22 Tf 60 770 Td (" + _pdf_text(title) + b") Tj ET", b"0.12 0.37 0.75 rg 60 750 475 3 re f"]
    y = 720
    for line in lines:
        ops.append(b"BT /F1 12 Tf 60 %d Td (" % y + _pdf_text(line) + b") Tj ET")
        y -= 20
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, colour, bars):
    """A PNG picture: a pale background in `colour` with a bar chart of `bars` (heights 0..1)."""
    r, g, b = colour
    background = bytes((255 - (255 - r) // 6, 255 - (255 - g) // 6, 255 - (255 - b) // 6))
    bar_width = max(1, width // (2 * len(bars) + 1))
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            slot = x // bar_width
            index = (slot - 1) // 2
            is_bar = slot % 2 == 1 and index < len(bars) and y >= height * (1 - bars[index] * 0.85)
            row += bytes((r, g, b)) if is_bar else background
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + _chunk(b"IEND", b""))
