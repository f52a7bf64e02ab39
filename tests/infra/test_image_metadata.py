"""Images are stored without where and with what they were taken: no EXIF (GPS, make, model), XMP, comments or
text chunks; upright by their EXIF orientation; the capture time kept on the file's row; named by the SHA-256 of
what is stored."""
import datetime
import hashlib
import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from salesweb.models import StoredFile
from salesweb.infra import storage
from salesweb.core.errors import Invalid
from tests.infra.test_storage import files_in, picture

MB = 1024 * 1024
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="31,14.0N" '
       b'exif:GPSLongitude="121,28.0E"/></rdf:RDF></x:xmpmeta>')


@pytest.fixture
def uploads(app):
    return app.config["UPLOAD_DIR"]


def camera_exif(taken="2026:03:14 09:26:53", offset="+08:00", orientation=None):
    """What a phone writes: where (GPS), with what (make, model, software) and when."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    exif[ExifTags.Base.Model] = "Mate 60 Pro"
    exif[ExifTags.Base.Software] = "HarmonyOS 4.2"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 2.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 41.0)
    details = exif.get_ifd(ExifTags.IFD.Exif)
    if taken:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    return exif


def stored_bytes(uploads, stored):
    return storage.backend(uploads).path(stored.sha256).read_bytes()


def assert_no_trace_of_the_camera(data):
    kept = Image.open(io.BytesIO(data))
    assert not kept.getexif(), "EXIF kept"
    assert not kept.getexif().get_ifd(ExifTags.IFD.GPSInfo), "GPS kept"
    for trace in (b"Huawei", b"Mate 60", b"HarmonyOS", b"GPSLatitude", b"xmpmeta", b"Exif\x00\x00", b"eXIf",
                  b"Shanghai office"):
        assert trace not in data, trace


def test_a_jpeg_is_stored_without_its_location_and_camera_but_with_its_capture_time(app, uploads):
    photo = picture("jpeg", size=(64, 48), exif=camera_exif(), xmp=XMP, comment=b"Shanghai office")
    assert b"Huawei" in photo and b"xmpmeta" in photo  # what the phone sent
    stored, _name = storage.save(io.BytesIO(photo), "IMG_0001.jpg", uploads, 5 * MB, zone="Asia/Shanghai")
    data = stored_bytes(uploads, stored)
    assert_no_trace_of_the_camera(data)
    assert Image.open(io.BytesIO(data)).size == (64, 48)
    assert StoredFile.get_by_id(stored.id).captured_at == datetime.datetime(2026, 3, 14, 1, 26, 53)  # 09:26 +08:00
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert files_in(uploads) == [f"{stored.sha256[:2]}/{stored.sha256}"]


def test_a_jpeg_keeps_its_quality_and_colour_profile(app, uploads):
    profile = b"\x00" * 128 + b"acspAPPL" + b"\x00" * 300  # opaque to us: kept as it came
    photo = picture("jpeg", size=(64, 48), quality=95, exif=camera_exif(), icc_profile=profile)
    stored, _name = storage.save(io.BytesIO(photo), "p.jpg", uploads, 5 * MB)
    kept = Image.open(io.BytesIO(stored_bytes(uploads, stored)))
    assert kept.info.get("icc_profile") == profile
    assert kept.quantization == Image.open(io.BytesIO(photo)).quantization


def test_a_png_is_stored_without_its_exif_and_text_chunks_but_with_its_capture_time(app, uploads):
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Shanghai office")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    screenshot = picture("png", size=(30, 20), exif=camera_exif(offset=None), pnginfo=text)
    assert b"eXIf" in screenshot and b"tEXt" in screenshot and b"iTXt" in screenshot
    stored, _name = storage.save(io.BytesIO(screenshot), "screen.png", uploads, 5 * MB, zone="Asia/Shanghai")
    data = stored_bytes(uploads, stored)
    assert_no_trace_of_the_camera(data)
    assert b"tEXt" not in data and b"iTXt" not in data and b"zTXt" not in data
    assert Image.open(io.BytesIO(data)).size == (30, 20)
    # no offset written: read on the install's clock (Shanghai, UTC+8)
    assert StoredFile.get_by_id(stored.id).captured_at == datetime.datetime(2026, 3, 14, 1, 26, 53)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_photo_taken_sideways_is_stored_upright_without_the_orientation_tag(app, uploads, orientation):
    """A phone held sideways stores the sensor's pixels and says in EXIF how to turn them: the pixels are turned
    before the tag goes, so the photo still shows the right way up."""
    sensor = Image.new("RGB", (60, 40), (255, 255, 255))
    sensor.paste((220, 0, 0), (0, 0, 30, 40))  # the left half red
    buffer = io.BytesIO()
    sensor.save(buffer, "JPEG", quality=95, exif=camera_exif(orientation=orientation))
    stored, _name = storage.save(io.BytesIO(buffer.getvalue()), "side.jpg", uploads, 5 * MB)
    kept = Image.open(io.BytesIO(stored_bytes(uploads, stored)))
    assert ExifTags.Base.Orientation not in kept.getexif()
    upright = {3: sensor.rotate(180), 6: sensor.rotate(-90, expand=True), 8: sensor.rotate(90, expand=True)}
    expected = upright[orientation]
    assert kept.size == expected.size
    for point in ((2, 2), (expected.width - 3, 2), (2, expected.height - 3), (expected.width - 3, expected.height - 3)):
        red_expected = expected.getpixel(point)[1] < 128
        assert (kept.getpixel(point)[1] < 128) == red_expected, (orientation, point)


def test_the_same_picture_with_different_metadata_is_stored_once(app, uploads):
    first, _ = storage.save(io.BytesIO(picture("jpeg", exif=camera_exif(taken="2026:01:01 08:00:00"))), "a.jpg",
                            uploads, 5 * MB)
    second, _ = storage.save(io.BytesIO(picture("jpeg", exif=camera_exif(taken="2026:02:02 08:00:00"))), "b.jpg",
                             uploads, 5 * MB)
    assert first.id == second.id and len(files_in(uploads)) == 1  # the hash is of what is kept


@pytest.mark.parametrize("taken, offset, zone, expected", [
    ("2026:03:14 09:26:53", "+08:00", "UTC", datetime.datetime(2026, 3, 14, 1, 26, 53)),
    ("2026:03:14 09:26:53", "-05:00", "Asia/Shanghai", datetime.datetime(2026, 3, 14, 14, 26, 53)),
    ("2026:01:01 00:10:00", None, "Asia/Shanghai", datetime.datetime(2025, 12, 31, 16, 10)),  # the year before
    ("2026:03:14 09:26:53", None, "UTC", datetime.datetime(2026, 3, 14, 9, 26, 53)),
    ("0000:00:00 00:00:00", None, "UTC", None),  # a camera that did not know
    ("    :  :     :  :  ", None, "UTC", None),
    ("2026:02:30 10:00:00", None, "UTC", None),  # no such day
    (None, None, "UTC", None),
])
def test_the_capture_time_is_read_by_the_cameras_offset_or_else_the_installs_clock(taken, offset, zone, expected):
    assert storage.captured_at(camera_exif(taken=taken, offset=offset), zone) == expected


def test_an_image_without_metadata_has_no_capture_time(app, uploads):
    stored, _name = storage.save(io.BytesIO(picture("png")), "plain.png", uploads, 5 * MB)
    assert StoredFile.get_by_id(stored.id).captured_at is None


def png_claiming(width, height):
    """A small PNG whose header claims `width` × `height` pixels: decoding it would take gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
            + chunk(b"IEND", b""))


def animated_png():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


@pytest.mark.parametrize("data, name, message", [
    (picture("jpeg")[:300], "cut.jpg", "could not be read"),  # cut off: half a photo
    (b"\xff\xd8\xff\xe0" + b"\x00" * 60, "fake.jpg", "could not be read"),  # the magic bytes and nothing else
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "fake.png", "could not be read"),
    (png_claiming(8_000, 8_000), "huge.png", "more than 60 megapixels"),
    (animated_png(), "moving.png", "Animated images are not accepted"),
], ids=["cut jpeg", "magic bytes jpeg", "magic bytes png", "64 megapixels", "animated png"])
def test_an_image_that_cannot_be_decoded_or_is_too_large_is_refused_and_leaves_nothing(app, uploads, data, name,
                                                                                        message):
    with pytest.raises(Invalid) as refused:
        storage.save(io.BytesIO(data), name, uploads, 5 * MB)
    assert message in str(refused.value)
    assert files_in(uploads) == [] and not StoredFile.select().exists()
