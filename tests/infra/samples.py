"""Realistic files for the upload tests, built here rather than kept as binaries: PDFs laid out the way common
producers write them (classic cross-reference table, or PDF 1.5 object and cross-reference streams), Office files
with the parts Word, PowerPoint and Excel write, an MP4 with its boxes, and a phone photo."""
import io
import os
import random
import struct
import zipfile
import zlib

from PIL import ExifTags, Image

PAGE_TEXT = (b"BT /F1 24 Tf 72 720 Td (X200 pump brochure) Tj ET\n"
             b"BT /F1 11 Tf 72 690 Td (Flow 200 m3/h, head 50 m. Prices valid until 2027-03-31.) Tj ET\n"
             b"0.2 0.4 0.8 rg 72 600 468 4 re f\n"
             b"q 240 0 0 160 72 400 cm /Im1 Do Q\n")


def _png_rows(width, height):
    """Pixel rows as a PNG predictor writes them (a filter byte before each row): a gradient, like a chart."""
    rows = []
    for y in range(height):
        rows.append(b"\x02" + bytes((x * 3 + y) % 256 for x in range(width * 3)))  # "Up"-filtered rows
    return b"".join(rows)


def pdf(catalog_extra=b"", modern=False, extra_objects=(), image_size=(240, 160), object_stream_dict=b"",
        object_stream_data=None):
    """A one-page PDF with text, a Helvetica font, a Flate image with a PNG predictor, a web link, an outline and
    document information with a UTF-16 title. `modern`: the dictionaries packed in a Flate object stream and a
    cross-reference stream with a predictor (PDF 1.5, as Word, Acrobat and pdfTeX write); else a classic
    table. `catalog_extra` goes into the catalogue, `extra_objects` (bytes, numbered from 10 on) at the end."""
    width, height = image_size
    image = zlib.compress(_png_rows(width, height))
    content = zlib.compress(PAGE_TEXT)
    dictionaries = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Outlines 7 0 R /PageMode /UseOutlines " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [8 0 R] "
            b"/Resources << /Font << /F1 5 0 R /JS1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        7: b"<< /Type /Outlines /Count 0 >>",
        8: (b"<< /Type /Annot /Subtype /Link /Rect [72 680 300 700] /Border [0 0 0] "
            b"/A << /S /URI /URI (https://example.com/x200) >> >>"),
        9: (b"<< /Title <FEFF0058003200300030002000E54EA754C1624B518C> /Producer (salesweb tests) "
            b"/CreationDate (D:20260314092653+08'00') >>"),
    }
    for n, body in enumerate(extra_objects, start=10):
        dictionaries[n] = body
    streams = {
        4: b"<< /Length %d /Filter /FlateDecode >>" % len(content),
        6: (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
            b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /Columns %d >> /Length %d >>"
            % (width, height, width, len(image))),
    }
    stream_data = {4: content, 6: image}
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def put(n, body, data=None):
        offsets[n] = out.tell()
        out.write(b"%d 0 obj\n" % n + body)
        if data is not None:
            out.write(b"\nstream\r\n" + data + b"\r\nendstream")
        out.write(b"\nendobj\n")

    for n in sorted(streams):
        put(n, streams[n], stream_data[n])
    size = max([*dictionaries, *streams]) + 1
    if not modern:
        for n in sorted(dictionaries):
            put(n, dictionaries[n])
        xref_at = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for n in range(1, size):
            out.write(b"%010d 00000 n \n" % offsets[n])
        out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 9 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at))
        return out.getvalue()
    # PDF 1.5: the dictionaries in one object stream, found through a cross-reference stream
    packed = sorted(dictionaries)
    bodies, header, at = [], [], 0
    for n in packed:
        header.append(b"%d %d" % (n, at))
        bodies.append(dictionaries[n])
        at += len(dictionaries[n]) + 1
    first = b" ".join(header) + b"\n"
    objects = first + b"\n".join(bodies) + b"\n"
    stream_number = size
    data = zlib.compress(objects) if object_stream_data is None else object_stream_data
    put(stream_number, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode %s/Length %d >>"
        % (len(packed), len(first), object_stream_dict, len(data)), data)
    xref_number = stream_number + 1
    xref_at = out.tell()
    rows = [b"\x00" + struct.pack(">BIH", 0, 0, 65535)]
    for n in range(1, xref_number + 1):
        if n in packed:
            row = struct.pack(">BIH", 2, stream_number, packed.index(n))
        elif n == xref_number:
            row = struct.pack(">BIH", 1, xref_at, 0)
        else:
            row = struct.pack(">BIH", 1, offsets[n], 0)
        rows.append(b"\x00" + row)
    xref = zlib.compress(b"".join(rows))
    put(xref_number, b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Info 9 0 R /Filter /FlateDecode "
        b"/DecodeParms << /Columns 7 /Predictor 12 >> /Length %d >>" % (xref_number + 1, len(xref)), xref)
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def _zip(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>X200 报价</dc:title>'
        '<dc:creator>Li Na</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2026-03-14T01:26:53Z'
        '</dcterms:created></cp:coreProperties>')


def docx():
    """A Word document with a heading, a table, a picture and the usual package parts."""
    media = Image.new("RGB", (120, 80), (20, 90, 160))
    png = io.BytesIO()
    media.save(png, "PNG")
    body = "".join(f"<w:p><w:r><w:t>第 {n} 条：交货期 30 天，质保 12 个月。Delivery within 30 days.</w:t></w:r></w:p>"
                   for n in range(1, 200))
    return _zip({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types '
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'),
        "docProps/core.xml": CORE,
        "docProps/app.xml": '<?xml version="1.0"?><Properties><Application>Microsoft Office Word</Application>'
                            '</Properties>',
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document '
            'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            f'<w:p><w:r><w:t>供货合同 Supply contract</w:t></w:r></w:p>{body}</w:body></w:document>'),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId5" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
            'Target="media/image1.png"/></Relationships>'),
        "word/styles.xml": '<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/'
                           'wordprocessingml/2006/main"/>',
        "word/media/image1.png": png.getvalue(),
    })


def pptx():
    """A presentation of three slides, each with a title and a photo."""
    photo = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(photo, "JPEG", quality=85)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types '
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="jpeg" '
            'ContentType="image/jpeg"/><Override PartName="/ppt/presentation.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'),
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'relationships"/>',
        "docProps/core.xml": CORE,
        "ppt/presentation.xml": '<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/'
                                'presentationml/2006/main"/>',
    }
    for n in range(1, 4):
        parts[f"ppt/slides/slide{n}.xml"] = (
            '<?xml version="1.0"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>'
            f'<a:p><a:r><a:t>X200 第 {n} 页</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>')
        parts[f"ppt/media/image{n}.jpeg"] = photo.getvalue()
    return _zip(parts)


def xlsx():
    """A price list written by openpyxl, as Excel would save it."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "价格表"
    sheet.append(["SKU", "Name", "Unit price", "Formula"])
    for n in range(1, 500):
        sheet.append([f"X{n:03d}", f"泵 {n}", n * 1000.5, f"=C{n + 1}*1.13"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(mdat_bytes=3 * 1024 * 1024, seed=7):
    """An MP4 as a phone records it: ftyp, moov (movie header, a video track, a title in the user data) and
    the media data, which is compressed video: bytes that look random."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, 12_000) + b"\x00\x01\x00\x00"
                + b"\x01\x00" + b"\x00" * 10 + b"\x00" * 36 + b"\x00" * 24 + struct.pack(">I", 2))
    tkhd = _box(b"tkhd", b"\x00\x00\x00\x03" + b"\x00" * 76 + struct.pack(">II", 1920 << 16, 1080 << 16))
    hdlr = _box(b"hdlr", b"\x00" * 8 + b"vide" + b"\x00" * 12 + b"VideoHandler\x00")
    trak = _box(b"trak", tkhd + _box(b"mdia", hdlr))
    title = _box(b"udta", _box(b"\xa9nam", struct.pack(">HH", 19, 0) + "X200 安装演示".encode()))
    moov = _box(b"moov", mvhd + trak + title)
    noise = random.Random(seed).randbytes(mdat_bytes)
    return ftyp + moov + _box(b"mdat", noise)


def phone_photo(size=(1200, 900)):
    """A JPEG as a phone takes it: noise-like detail (so it is not trivially small), EXIF with GPS, make, model,
    the capture time and its offset."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Model] = "14 Ultra"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2026:03:14 09:26:53"
    details[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    buffer = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def random_bytes(n, seed=11):
    return random.Random(seed).randbytes(n) if seed is not None else os.urandom(n)
