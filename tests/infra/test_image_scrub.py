"""Images stored before uploads were re-encoded (migration 0019) still carry where and with what they were taken.
`salesweb scrub-images`, and `migrate` or `restore` as they apply 0019, re-encode each one as an upload would be:
its capture time kept on the row, the row on the new content's file, the old file gone, every download clean. An
image already clean is left as it is; one that cannot be decoded is reported and left."""
import datetime
import hashlib
import io
import os
import time

import pytest
from PIL import Image, PngImagePlugin

from salesweb.app import create_app
from salesweb.core.db import db, utcnow
from salesweb.models import CollateralVersion, StoredFile, Visit
from salesweb.collateral import rules as collateral
from salesweb.infra import ratelimit, schema, storage
from salesweb.core import settings
from salesweb.visits import rules as visits
from tests.infra.test_image_metadata import XMP, assert_no_trace_of_the_camera, camera_exif
from tests.infra.test_storage import files_in, picture

ZONE = "Asia/Shanghai"
MB = 1024 * 1024
# A phone's photo: GPS, make and model, taken at 09:26:53 +08:00 (01:26:53 UTC)
PHOTO = picture("jpeg", size=(64, 48), exif=camera_exif(), xmp=XMP, comment=b"Shanghai office")
PHOTO_TAKEN = datetime.datetime(2026, 3, 14, 1, 26, 53)


def _screenshot():
    """A PNG with text chunks (a comment, XMP) and EXIF taken at 00:10 without an offset: 16:10 UTC the day before
    on the install's clock (Shanghai)."""
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Shanghai office")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    return picture("png", size=(30, 20), exif=camera_exif(taken="2026:01:01 00:10:00", offset=None), pnginfo=text)


SCREENSHOT = _screenshot()
SCREENSHOT_TAKEN = datetime.datetime(2025, 12, 31, 16, 10)


@pytest.fixture
def uploads(app):
    return app.config["UPLOAD_DIR"]


def legacy(uploads, data, kind):
    """A file as an install stored it before 0019: the bytes as they were sent, named by their hash, and its row
    (written with the columns every schema has). Returns the row's id and the hash."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = storage.backend(uploads).path(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    row_id = StoredFile.insert(sha256=sha256, size=len(data), kind=kind, mime=storage.KINDS[kind].mime,
                               created_at=datetime.datetime(2025, 6, 1, 8, 0)).execute()
    return row_id, sha256


def on_disk(uploads, sha256):
    return storage.backend(uploads).path(sha256)


def assert_scrubbed(uploads, row_id, old_sha256, taken):
    """The row names a new file that exists, holds what the row says and no trace of the camera; the old is gone."""
    row = StoredFile.get_by_id(row_id)
    assert row.sha256 != old_sha256
    assert not on_disk(uploads, old_sha256).exists()
    data = on_disk(uploads, row.sha256).read_bytes()
    assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.size
    assert_no_trace_of_the_camera(data)
    assert b"tEXt" not in data and b"iTXt" not in data
    assert row.captured_at == taken
    return data


@pytest.fixture
def team(signed_in):
    boss_client, boss = signed_in("manager", name="Boss", team="East")
    rep_client, rep = signed_in("rep", name="Rep One", team="East", reports_to=boss)
    return dict(boss=boss, boss_client=boss_client, rep=rep, rep_client=rep_client)


def visit_with_photo(make, rep, photo_id):
    """A visit of `rep` whose photo is the stored file `photo_id` (as an older install had it)."""
    customer = make.customer(rep)
    visit = visits.log({"duration_minutes": 45, "kind": "on_site", "outcome": "", "contacts": [],
                        "occurred_at": utcnow() - datetime.timedelta(hours=2)}, customer, rep, rep, settings.current())
    Visit.update(photo=photo_id).where(Visit.id == visit.id).execute()
    return visit


def shared_picture(app, make, rep, file_id):
    """A library item whose current version is the stored file `file_id`, shared by `rep` with a customer."""
    support = make.user("support")
    item = collateral.create({"title": "Site photo", "kind": "other", "language": "en", "tags": ""},
                             (io.BytesIO(picture("png", size=(12, 12))), "site.png"), support,
                             app.config["UPLOAD_DIR"], 5 * MB)
    CollateralVersion.update(file=file_id).where(CollateralVersion.item == item.id).execute()
    return collateral.share(item, make.customer(rep), rep, 7)


def test_images_stored_before_the_upgrade_lose_location_and_camera_and_downloads_serve_them_clean(
        app, make, team, uploads):
    photo_id, photo_sha = legacy(uploads, PHOTO, "jpeg")
    screenshot_id, screenshot_sha = legacy(uploads, SCREENSHOT, "png")
    visit = visit_with_photo(make, team["rep"], photo_id)
    link = shared_picture(app, make, team["rep"], screenshot_id)
    assert b"Huawei" in team["boss_client"].get(f"/visits/{visit.id}/photo").data  # what the manager got so far
    assert b"Huawei" in app.test_client().get(f"/s/{link.token}/download").data  # and the customer

    report = storage.scrub_images(uploads, ZONE)

    assert (report.scrubbed, report.clean, report.failed) == (2, 1, [])  # the library's own upload was clean
    photo = assert_scrubbed(uploads, photo_id, photo_sha, PHOTO_TAKEN)
    screenshot = assert_scrubbed(uploads, screenshot_id, screenshot_sha, SCREENSHOT_TAKEN)
    assert Image.open(io.BytesIO(photo)).size == (64, 48) and Image.open(io.BytesIO(screenshot)).size == (30, 20)
    seen_by_manager = team["boss_client"].get(f"/visits/{visit.id}/photo")
    assert seen_by_manager.status_code == 200 and seen_by_manager.data == photo
    assert seen_by_manager.headers["ETag"] == f'"{StoredFile.get_by_id(photo_id).sha256}"'
    seen_by_customer = app.test_client().get(f"/s/{link.token}/download")
    assert seen_by_customer.status_code == 200 and seen_by_customer.data == screenshot


def test_a_second_scrub_changes_nothing_and_a_clean_image_is_left_as_it_is(app, uploads):
    legacy(uploads, PHOTO, "jpeg")
    legacy(uploads, SCREENSHOT, "png")
    clean_id, clean_sha = legacy(uploads, picture("jpeg", size=(20, 20)), "jpeg")  # no metadata: nothing to do
    pdf_id, pdf_sha = legacy(uploads, b"%PDF-1.4\n%%EOF\n", "pdf")  # not an image
    first = storage.scrub_images(uploads, ZONE)
    assert (first.scrubbed, first.clean, first.failed) == (2, 1, [])
    assert StoredFile.get_by_id(clean_id).sha256 == clean_sha and StoredFile.get_by_id(pdf_id).sha256 == pdf_sha
    rows = list(StoredFile.select().order_by(StoredFile.id).tuples())
    stored = {name: (os.stat(os.path.join(uploads, name)).st_mtime_ns, open(os.path.join(uploads, name), "rb").read())
              for name in files_in(uploads)}

    second = storage.scrub_images(uploads, ZONE)

    assert (second.scrubbed, second.clean, second.failed) == (0, 3, [])
    assert list(StoredFile.select().order_by(StoredFile.id).tuples()) == rows
    assert {name: (os.stat(os.path.join(uploads, name)).st_mtime_ns, open(os.path.join(uploads, name), "rb").read())
            for name in files_in(uploads)} == stored


def _jpeg(mode="RGB", **options):
    buffer = io.BytesIO()
    Image.effect_noise((40, 30), 40).convert(mode).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _png(image=None, chunks=(), **options):
    extra = PngImagePlugin.PngInfo()
    for kind, data in chunks:
        extra.add(kind, data)
    buffer = io.BytesIO()
    (image or Image.effect_noise((40, 30), 40).convert("RGB")).save(buffer, "PNG", pnginfo=extra, **options)
    return buffer.getvalue()


def _with_thumbnail(jpeg):
    """A JPEG whose JFIF segment carries a 1×1 thumbnail (a thumbnail may show what the picture was cut from)."""
    assert jpeg[2:6] == b"\xff\xe0\x00\x10" and jpeg[6:11] == b"JFIF\x00"
    return jpeg[:2] + b"\xff\xe0\x00\x13" + jpeg[6:18] + b"\x01\x01" + b"\xc8\x1e\x1e" + jpeg[20:]


def _text(zipped=False):
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Shanghai office " * (8 if zipped else 1), zip=zipped)
    return text


def _palette():
    image = Image.new("P", (8, 8))
    image.putpalette([200, 30, 30] * 256)
    return image


@pytest.mark.parametrize("data, kind, trace", [
    (_jpeg(comment=b"Shanghai office"), "jpeg", b"Shanghai office"),
    (_jpeg(xmp=XMP), "jpeg", b"xmpmeta"),
    (_jpeg(exif=camera_exif()), "jpeg", b"Huawei"),
    (_jpeg(progressive=True, exif=camera_exif()), "jpeg", b"Huawei"),
    (_with_thumbnail(_jpeg()), "jpeg", b"\xc8\x1e\x1e"),
    (_jpeg() + _jpeg(exif=camera_exif()), "jpeg", b"Huawei"),  # a second picture after the end, as MPO has
    (_jpeg() + b"SEFT\x00\x00\x00\x00", "jpeg", b"SEFT"),  # a maker's trailer
    (picture("png", pnginfo=_text()), "png", b"tEXt"),
    (picture("png", pnginfo=_text(zipped=True)), "png", b"zTXt"),
    (picture("png", exif=camera_exif()), "png", b"eXIf"),
    (_png(chunks=[(b"tIME", b"\x07\xea\x03\x0e\x09\x1a\x35")]), "png", b"tIME"),
    (_png(chunks=[(b"caBX", b"Huawei Mate 60 Pro")]), "png", b"caBX"),  # a chunk of someone's own
    (_png() + b"Huawei", "png", b"Huawei"),  # after the end
], ids=["jpeg comment", "jpeg xmp", "jpeg exif", "progressive jpeg exif", "jfif thumbnail", "second picture",
        "maker trailer", "png text", "png compressed text", "png exif", "png time", "png private chunk",
        "png after end"])
def test_each_kind_of_metadata_alone_is_scrubbed_and_what_is_left_counts_as_clean(app, uploads, data, kind, trace):
    assert trace in data and storage.carries_metadata(data, kind)
    row_id, sha256 = legacy(uploads, data, kind)
    assert storage.scrub_images(uploads, ZONE).scrubbed == 1
    row = StoredFile.get_by_id(row_id)
    kept = on_disk(uploads, row.sha256).read_bytes()
    assert row.sha256 != sha256 and trace not in kept and not on_disk(uploads, sha256).exists()
    assert Image.open(io.BytesIO(kept)).size == Image.open(io.BytesIO(data)).size
    assert storage.scrub_images(uploads, ZONE).clean == 1  # what an upload stores is clean


@pytest.mark.parametrize("data, kind", [
    (_jpeg(optimize=True), "jpeg"),
    (_jpeg(progressive=True), "jpeg"),
    (_jpeg(restart_marker_blocks=1), "jpeg"),
    (_jpeg(icc_profile=b"\x00" * 128 + b"acspAPPL" + b"\x00" * 300), "jpeg"),
    (_jpeg("CMYK"), "jpeg"),
    (_png(compress_level=0), "png"),
    (_png(chunks=[(b"sRGB", b"\x00"), (b"gAMA", b"\x00\x00\xb1\x8f")]), "png"),
    (_png(_palette(), transparency=0), "png"),
], ids=["optimised jpeg", "progressive jpeg", "restart markers", "colour profile", "cmyk", "uncompressed png",
        "png colour space", "png palette"])
def test_an_image_without_metadata_is_left_byte_for_byte(app, uploads, data, kind):
    """Re-encoding these would change their bytes (tables, compression, chunks that only say how to show the
    colours): they carry nothing about where or with what they were taken, so they are left alone."""
    row_id, sha256 = legacy(uploads, data, kind)
    report = storage.scrub_images(uploads, ZONE)
    assert (report.scrubbed, report.clean, report.failed) == (0, 1, [])
    assert StoredFile.get_by_id(row_id).sha256 == sha256 and on_disk(uploads, sha256).read_bytes() == data


@pytest.mark.parametrize("data", [
    PHOTO[:len(PHOTO) // 2],  # cut off half way, its EXIF whole
    b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00" + b"\x00" * 200,  # EXIF and no picture
], ids=["cut off", "no picture"])
def test_an_image_that_cannot_be_decoded_is_reported_and_left_as_it_was(app, uploads, data):
    damaged_id, damaged_sha = legacy(uploads, data, "jpeg")
    good_id, good_sha = legacy(uploads, PHOTO, "jpeg")
    report = storage.scrub_images(uploads, ZONE)
    assert report.scrubbed == 1 and [row.id for row, _why in report.failed] == [damaged_id]
    assert "could not be read" in report.failed[0][1]
    row = StoredFile.get_by_id(damaged_id)
    assert (row.sha256, row.size, row.captured_at) == (damaged_sha, len(data), None)
    assert on_disk(uploads, damaged_sha).read_bytes() == data
    assert_scrubbed(uploads, good_id, good_sha, PHOTO_TAKEN)  # the others are scrubbed all the same


def test_an_image_whose_file_is_missing_is_reported_and_its_row_left(app, uploads):
    missing_id, missing_sha = legacy(uploads, PHOTO, "jpeg")
    on_disk(uploads, missing_sha).unlink()
    report = storage.scrub_images(uploads, ZONE)
    assert [(row.id, why) for row, why in report.failed] == [
        (missing_id, "its file is missing from the upload directory")]
    assert StoredFile.get_by_id(missing_id).sha256 == missing_sha


def test_a_download_that_read_the_row_before_the_swap_is_served_the_clean_file(app, make, team, uploads,
                                                                               monkeypatch):
    screenshot_id, screenshot_sha = legacy(uploads, SCREENSHOT, "png")
    link = shared_picture(app, make, team["rep"], screenshot_id)
    allow_all = ratelimit.allow_all

    def scrubbed_meanwhile(*args, **kw):  # between reading the link's row and opening its file
        assert storage.scrub_images(uploads, ZONE).scrubbed == 1
        return allow_all(*args, **kw)

    monkeypatch.setattr(ratelimit, "allow_all", scrubbed_meanwhile)
    download = app.test_client().get(f"/s/{link.token}/download")
    monkeypatch.undo()
    row = StoredFile.get_by_id(screenshot_id)
    assert download.status_code == 200 and download.data == on_disk(uploads, row.sha256).read_bytes()
    assert download.headers["ETag"] == f'"{row.sha256}"' and int(download.headers["Content-Length"]) == row.size
    assert not on_disk(uploads, screenshot_sha).exists()


def test_an_image_whose_clean_copy_is_already_stored_takes_that_file_and_every_reference_follows(
        app, make, team, uploads):
    """The same photo uploaded again since the upgrade is stored clean: scrubbing the old copy gives the same bytes,
    which one row alone may name. The old row takes them, the references to the newer row move to it, and the
    newer row goes; one file is left."""
    photo_id, photo_sha = legacy(uploads, PHOTO, "jpeg")
    since, _name = storage.save(io.BytesIO(PHOTO), "again.jpg", uploads, 5 * MB, zone=ZONE)
    before = visit_with_photo(make, team["rep"], photo_id)
    after = visit_with_photo(make, team["rep"], since.id)
    link = shared_picture(app, make, team["rep"], since.id)

    report = storage.scrub_images(uploads, ZONE)

    assert (report.scrubbed, report.failed) == (1, [])
    data = assert_scrubbed(uploads, photo_id, photo_sha, PHOTO_TAKEN)
    assert StoredFile.get_by_id(photo_id).sha256 == since.sha256
    assert StoredFile.get_or_none(StoredFile.id == since.id) is None
    assert {Visit.get_by_id(v.id).photo_id for v in (before, after)} == {photo_id}
    assert CollateralVersion.get(CollateralVersion.item == link.item_id).file_id == photo_id
    for visit in (before, after):
        assert team["boss_client"].get(f"/visits/{visit.id}/photo").data == data
    assert app.test_client().get(f"/s/{link.token}/download").data == data
    assert f"{since.sha256[:2]}/{since.sha256}" in files_in(uploads)


def test_a_scrub_killed_after_its_commit_leaves_the_old_file_for_the_next_run_to_remove(app, uploads, monkeypatch):
    photo_id, photo_sha = legacy(uploads, PHOTO, "jpeg")
    old_file = on_disk(uploads, photo_sha)
    os.utime(old_file, (time.time() - 400 * 86400,) * 2)  # stored long ago
    discard = storage._discard_unused

    def killed_before_removing_the_old_file(files, sha256):
        if sha256 == photo_sha:
            raise SystemExit("killed")
        return discard(files, sha256)

    monkeypatch.setattr(storage, "_discard_unused", killed_before_removing_the_old_file)
    with pytest.raises(SystemExit):
        storage.scrub_images(uploads, ZONE)
    monkeypatch.undo()
    assert StoredFile.get_by_id(photo_id).sha256 != photo_sha and old_file.exists()  # committed, not yet removed

    rerun = storage.scrub_images(uploads, ZONE)

    assert (rerun.scrubbed, rerun.clean, rerun.failed) == (0, 1, [])
    assert_scrubbed(uploads, photo_id, photo_sha, PHOTO_TAKEN)


def test_the_command_scrubs_on_the_installs_clock_and_prints_how_many_were_scrubbed_clean_and_failed(app, uploads):
    legacy(uploads, SCREENSHOT, "png")  # no offset: read in the install's time zone (Shanghai)
    legacy(uploads, picture("png"), "png")
    damaged_id, damaged_sha = legacy(uploads, PHOTO[:400], "jpeg")
    result = app.test_cli_runner().invoke(args=["scrub-images"])
    assert result.exit_code == 0, result.output
    assert "1 scrubbed, 1 already clean, 1 failed" in result.output
    assert f"stored file {damaged_id} (JPEG, {damaged_sha})" in result.output and "could not be read" in result.output
    assert StoredFile.get(StoredFile.kind == "png", StoredFile.captured_at.is_null(False)).captured_at == \
        SCREENSHOT_TAKEN
    again = app.test_cli_runner().invoke(args=["scrub-images"])
    assert "0 scrubbed, 2 already clean, 1 failed" in again.output


def _install_at_0018(tmp_path, name):
    """An install from before images were re-encoded (schema at 0018), holding a phone's photo as it was sent."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / name}",
                      "INSTANCE_PATH": tmp_path / "instance", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "SECRET_KEY": "test-secret"})
    with app.app_context():
        schema.runner().up(target="0018_quote_discount_setter")
        photo_id, photo_sha = legacy(app.config["UPLOAD_DIR"], PHOTO, "jpeg")
        db.close()
    return app, photo_id, photo_sha


def test_migrate_applying_0019_scrubs_the_images_an_older_install_stored(tmp_path):
    app, photo_id, photo_sha = _install_at_0018(tmp_path, "old.db")
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "0019_file_capture_time" in result.output and "1 scrubbed, 0 already clean, 0 failed" in result.output
    with app.app_context():
        assert_scrubbed(app.config["UPLOAD_DIR"], photo_id, photo_sha, PHOTO_TAKEN)
        db.close()
    again = app.test_cli_runner().invoke(args=["migrate"])
    assert again.exit_code == 0 and "scrubbed" not in again.output  # 0019 applied before: nothing to look at


def test_restoring_a_backup_from_before_0019_scrubs_its_images(tmp_path):
    app, photo_id, photo_sha = _install_at_0018(tmp_path, "old.db")
    archive = tmp_path / "old.tar.gz"
    made = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    result = app.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 scrubbed, 0 already clean, 0 failed" in result.output
    with app.app_context():
        assert_scrubbed(app.config["UPLOAD_DIR"], photo_id, photo_sha, PHOTO_TAKEN)
        db.close()
