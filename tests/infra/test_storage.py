"""The storage service: type by content, size while streaming, dedup, nothing left behind; downloads."""
import io
import os
import zipfile

import pytest
from PIL import Image

from salesweb.models import StoredFile
from salesweb.infra import storage
from salesweb.core.errors import Invalid
from tests.infra import samples



def picture(kind, size=(8, 8), colour=(200, 30, 30), **options):
    """A real image, as a camera or an editor would hand it over (`options`: Pillow's, e.g. exif=)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, {"png": "PNG", "jpeg": "JPEG"}[kind], **options)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = picture("png")  # without metadata: stored as it is
JPEG = picture("jpeg")
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 60
MB = 1024 * 1024


def office(kind, extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr({"docx": "word/document.xml", "pptx": "ppt/presentation.xml",
                          "xlsx": "xl/workbook.xml"}[kind], "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_with_comment(length):
    """A zip holding a web page, with a comment of `length` bytes after its central directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
        archive.comment = b"c" * length
    return buffer.getvalue()


@pytest.fixture
def uploads(app):
    return app.config["UPLOAD_DIR"]


def save(uploads, data, name, **kw):
    return storage.save(io.BytesIO(data), name, uploads, kw.pop("max_bytes", 5 * MB), **kw)


def files_in(uploads):
    return sorted(str(p.relative_to(uploads)) for p in __import__("pathlib").Path(uploads).rglob("*") if p.is_file())


@pytest.mark.parametrize("data, name, kind", [
    (PDF, "产品手册.pdf", "pdf"), (PNG, "photo.PNG", "png"), (JPEG, "shot.jpg", "jpeg"), (JPEG, "shot.jpeg", "jpeg"),
    (MP4, "demo.mp4", "mp4"), (office("docx"), "合同模板.docx", "docx"), (office("pptx"), "deck.pptx", "pptx"),
    (office("xlsx"), "prices.xlsx", "xlsx"),
])
def test_allowed_files_are_detected_by_content_and_stored_by_hash(app, uploads, data, name, kind):
    stored, safe = save(uploads, data, name)
    assert (stored.kind, stored.size, safe) == (kind, len(data), name)
    path = storage.backend(uploads).path(stored.sha256)
    assert path.read_bytes() == data and path.parent.name == stored.sha256[:2]
    assert files_in(uploads) == [f"{stored.sha256[:2]}/{stored.sha256}"]


@pytest.mark.parametrize("data, name, message", [
    (b"MZ\x90\x00" + b"\x00" * 100, "brochure.pdf", "not accepted"),                      # an executable
    (b"<html><script>alert(1)</script></html>", "brochure.pdf", "not accepted"),           # a web page
    (b"<svg onload=alert(1)>", "logo.png", "not accepted"),
    (PDF, "brochure.docx", "name ends in"),                                               # a PDF called .docx
    (PNG + b"<script>alert(1)</script>", "photo.png", "also something else"),            # markup in an image
    (JPEG + office("docx"), "photo.jpg", "also something else"),                          # an image with a zip
    (PDF + zip_with_comment(65535), "brochure.pdf", "also something else"),  # the zip's end pushed 64 KB back
    (PNG + zip_with_comment(65535), "photo.png", "also something else"),
    (b"", "empty.pdf", "empty"),
    (b"PK\x03\x04" + b"\x00" * 100, "broken.docx", "not accepted"),                       # not a real zip
])
def test_refused_files_say_why_and_leave_nothing(app, uploads, data, name, message):
    with pytest.raises(Invalid) as refused:
        save(uploads, data, name)
    assert message in str(refused.value)
    assert files_in(uploads) == [] and not StoredFile.select().exists()


def test_a_zip_bomb_dressed_as_a_document_is_refused(app, uploads):
    bomb = office("docx", {"word/media/huge.bin": b"\x00" * (20 * MB)})
    assert len(bomb) < MB
    with pytest.raises(Invalid) as refused:
        save(uploads, bomb, "report.docx")
    assert "unpacks to far more" in str(refused.value) and files_in(uploads) == []


def test_the_size_cap_holds_while_streaming(app, uploads):
    class Endless(io.RawIOBase):
        read_bytes = 0

        def read(self, n=-1):
            self.read_bytes += n
            return PDF[:5] + b"x" * (n - 5) if self.read_bytes == n else b"x" * n

    stream = Endless()
    with pytest.raises(Invalid) as refused:
        storage.save(stream, "big.pdf", uploads, max_bytes=MB)
    assert "larger than 1 MB" in str(refused.value)
    assert stream.read_bytes <= MB + storage.CHUNK  # stopped as soon as it passed the cap
    assert files_in(uploads) == []


def test_the_same_content_is_stored_once(app, uploads):
    first, _ = save(uploads, PDF, "a.pdf")
    second, name = save(uploads, PDF, "b.pdf")
    assert first.id == second.id and name == "b.pdf"
    assert StoredFile.select().count() == 1 and len(files_in(uploads)) == 1


@pytest.mark.parametrize("given, safe", [
    ("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Users\\x\\报价单.pdf", "报价单.pdf"),
    ("a\x00b\x1f\nc.pdf", "abc.pdf"), ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_names_are_sanitised(given, safe):
    assert storage.safe_filename(given) == safe


@pytest.mark.parametrize("given", ["", "../", "\x00\x01", "..."])
def test_a_name_with_nothing_left_is_refused(given):
    with pytest.raises(Invalid):
        storage.safe_filename(given)


@pytest.mark.parametrize("given, message", [
    ("../../x.pdf", "folder path"), ("C:\\Users\\x\\报价单.pdf", "folder path"), ("a\x00b.pdf", "control characters"),
    ("a\nb.pdf", "control characters"), ("invoice\u202efdp.exe", "control characters"),
    ("x" * 296 + ".pdf", "longer than 200"),
])
def test_an_uploads_own_name_with_a_path_control_characters_or_300_characters_is_refused(app, uploads, given,
                                                                                          message):
    with pytest.raises(Invalid) as refused:
        save(uploads, PDF, given)
    assert message in str(refused.value) and files_in(uploads) == [] and not StoredFile.select().exists()


def lying_zip(real_size):
    """A "document" whose directory claims each part is tiny, while the parts unpack to `real_size` bytes."""
    data = bytearray(office("docx", {"word/media/huge.bin": b"\x00" * real_size}))
    claimed = (10).to_bytes(4, "little")
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:  # central directory: uncompressed size at +24
        data[at + 24:at + 28] = claimed
        at += 4
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) != -1:  # local headers: at +22
        data[at + 22:at + 26] = claimed
        at += 4
    return bytes(data)


def test_a_zip_bomb_lying_about_its_sizes_is_unpacked_and_refused_or_not_taken_for_a_document(app, uploads):
    with pytest.raises(Invalid) as refused:
        save(uploads, lying_zip(20 * MB), "report.docx")
    assert ("unpacks to far more" in str(refused.value) or "not accepted" in str(refused.value))
    assert files_in(uploads) == [] and not StoredFile.select().exists()


def test_markup_anywhere_in_a_pdf_or_image_is_refused_but_chance_bytes_are_not(app, uploads):
    late = PDF + b"%" * (200 * 1024) + b"<script>alert(1)</script>"
    with pytest.raises(Invalid) as refused:
        save(uploads, late, "late.pdf")
    assert "also something else" in str(refused.value)
    split = PDF + b"%" * (storage.CHUNK - len(PDF) - 3) + b"<script>x</script>"  # the tag spans two chunks
    with pytest.raises(Invalid):
        save(uploads, split, "split.pdf")
    # 8 MB of random bytes (as a compressed PDF stream would be) holds no long tag by chance
    noise = PDF + b"1 0 obj << /Length 8388608 >>\nstream\n" + os.urandom(8 * MB) + b"\nendstream\nendobj\n"
    stored, _name = save(uploads, noise, "scan.pdf", max_bytes=10 * MB)
    assert stored.kind == "pdf"


def test_a_stream_broken_off_half_way_leaves_nothing(app, uploads):
    class Broken(io.RawIOBase):
        sent = 0

        def read(self, n=-1):
            self.sent += 1
            if self.sent > 3:
                raise ConnectionResetError("client went away")
            return PDF if self.sent == 1 else b"x" * 1000

    with pytest.raises(ConnectionResetError):
        storage.save(Broken(), "cut.pdf", uploads, 5 * MB)
    assert files_in(uploads) == [] and not StoredFile.select().exists()


def test_the_move_into_place_is_one_rename(app, uploads, monkeypatch):
    renames = []
    real = os.replace
    monkeypatch.setattr(storage.os, "replace", lambda a, b: renames.append((a, b)) or real(a, b))
    stored, _name = save(uploads, PDF, "a.pdf")
    [(source, target)] = renames
    assert ".incoming" in str(source) and target == storage.backend(uploads).path(stored.sha256)


def test_files_left_by_a_killed_upload_are_swept_at_the_next_start(app, uploads, tmp_path):
    import subprocess
    import sys
    incoming = __import__("pathlib").Path(uploads) / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = incoming / f"upload-{gone.stdout.strip()}-abc"  # its process has ended
    orphan.write_bytes(b"half")
    running = incoming / f"upload-{os.getpid()}-def"  # an upload still under way in a live worker
    running.write_bytes(b"half")
    old = incoming / f"upload-{os.getpid()}-old"
    old.write_bytes(b"half")
    os.utime(old, (0, 0))
    assert storage.sweep(uploads) == 2
    assert sorted(p.name for p in incoming.iterdir()) == [running.name]
    from salesweb.cli import settle_crashes  # and a server worker does it as it starts
    running.unlink()
    orphan.write_bytes(b"half")
    settle_crashes(app)
    assert list(incoming.iterdir()) == []


def test_downloads_are_attachments_with_ranges_and_conditional_requests(app, uploads):
    from salesweb.web.downloads import send_stored
    stored, name = save(uploads, PDF, "产品手册.pdf")
    with app.test_request_context(headers={"Range": "bytes=0-4"}):
        response = send_stored(stored, name)
        response.direct_passthrough = False
        assert response.status_code == 206 and response.get_data() == b"%PDF-"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "filename*=UTF-8''%E4%BA%A7%E5%93%81" in disposition
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
        assert response.mimetype == "application/pdf"
    with app.test_request_context(headers={"If-None-Match": f'"{stored.sha256}"'}):
        assert send_stored(stored, name).status_code == 304
    with app.test_request_context(headers={"Range": f"bytes={len(PDF) - 4}-"}):
        tail = send_stored(stored, name)
        tail.direct_passthrough = False
        assert tail.status_code == 206 and tail.get_data() == PDF[-4:]
        assert tail.headers["Content-Range"] == f"bytes {len(PDF) - 4}-{len(PDF) - 1}/{len(PDF)}"
    with app.test_request_context(headers={"Range": f"bytes={len(PDF) + 10}-"}):
        from werkzeug.exceptions import RequestedRangeNotSatisfiable
        with pytest.raises(RequestedRangeNotSatisfiable):
            send_stored(stored, name)
    with app.test_request_context():
        assert send_stored(stored, name, inline=True).headers["Content-Disposition"].startswith("attachment")
    image, image_name = save(uploads, PNG, "photo.png")
    with app.test_request_context():
        assert send_stored(image, image_name, inline=True).headers["Content-Disposition"].startswith("inline")
    docx, docx_name = save(uploads, office("docx"), "x.docx")
    with app.test_request_context():
        assert send_stored(docx, docx_name, inline=True).headers["Content-Disposition"].startswith("attachment")


def test_a_failing_caller_write_takes_the_new_file_with_it_but_never_a_shared_one(app, uploads):
    def fail(stored, name):
        raise RuntimeError("the caller's row could not be written")
    with pytest.raises(RuntimeError):
        save(uploads, PDF, "a.pdf", then=fail)
    assert files_in(uploads) == [] and not StoredFile.select().exists()
    kept, _ = save(uploads, PNG, "kept.png")
    with pytest.raises(RuntimeError):
        save(uploads, PNG, "again.png", then=fail)  # the same content, already used by an earlier upload
    assert files_in(uploads) == [f"{kept.sha256[:2]}/{kept.sha256}"] and StoredFile.select().count() == 1


def test_a_file_left_without_its_row_is_swept_but_never_one_a_save_is_committing(app, uploads):
    """A save killed after moving its file into place but before its row was committed leaves a file no row
    names; the sweep removes it, but waits for a save of that content under way and keeps its file."""
    import threading

    from salesweb.core.db import db
    kept, _ = save(uploads, PDF, "kept.pdf")
    files = storage.backend(uploads)
    orphan = "ab" * 32
    files.path(orphan).parent.mkdir(parents=True, exist_ok=True)
    files.path(orphan).write_bytes(b"left behind")
    assert storage.sweep_orphans(uploads) == 1
    assert files_in(uploads) == [f"{kept.sha256[:2]}/{kept.sha256}"]
    in_place, swept = threading.Event(), {}

    def slow_commit(stored, name):
        in_place.set()  # the file is in place, its row not yet committed
        threading.Event().wait(0.3)
        return stored

    def sweeper():
        in_place.wait(5)
        with db.connection_context():
            swept["n"] = storage.sweep_orphans(uploads)
    thread = threading.Thread(target=sweeper)
    thread.start()
    stored = save(uploads, PNG, "arriving.png", then=slow_commit)
    thread.join(10)
    assert swept["n"] == 0 and files.path(stored.sha256).read_bytes() == PNG


def test_an_upload_directory_full_of_files_without_rows_is_left_alone(app, uploads):
    """Many files no row names are not a crash's leftovers but another database's directory (a misconfigured
    DATABASE_URL, a database rolled back): nothing is removed. Old ones are not looked at either."""
    import time
    files = storage.backend(uploads)
    for n in range(storage.MAX_ORPHANS + 1):
        path = files.path(f"{n:064x}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"someone else's")
    assert storage.sweep_orphans(uploads) == 0 and len(files_in(uploads)) == storage.MAX_ORPHANS + 1
    later = time.time() + storage.ORPHAN_WINDOW_SECONDS + 60
    assert storage.sweep_orphans(uploads, now=later) == 0


def test_a_save_that_rolls_back_never_takes_the_file_of_a_parallel_save_of_the_same_content(app, uploads,
                                                                                            monkeypatch):
    """The first save fails after moving its file into place; a second save of the same content takes the lock
    it let go, finds the file there and is about to commit its row when the first turns to clean up."""
    import threading

    from salesweb.core.db import db
    first_in, second_in, never = threading.Event(), threading.Event(), threading.Event()
    results = {}
    discard = storage._discard_unused

    def discard_once_the_second_is_in(files, sha256):
        second_in.wait(5)
        discard(files, sha256)
    monkeypatch.setattr(storage, "_discard_unused", discard_once_the_second_is_in)

    def fail(stored, name):
        first_in.set()
        raise RuntimeError("the caller's row could not be written")

    def linger(stored, name):
        second_in.set()
        never.wait(0.3)  # the first save's clean-up runs now, unless it has to wait for this commit
        return stored

    def first():
        with db.connection_context():
            try:
                save(uploads, PNG, "one.png", then=fail)
            except RuntimeError:
                results["first"] = "rolled back"

    def second():
        first_in.wait(5)
        with db.connection_context():
            results["second"] = save(uploads, PNG, "two.png", then=linger)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results["first"] == "rolled back" and StoredFile.select().count() == 1
    assert storage.backend(uploads).path(results["second"].sha256).read_bytes() == PNG  # the row has its file


LATE = b"\x00" * 5000  # past the first 4 KB, where only the whole-file search looks


@pytest.mark.parametrize("carrier, name", [(JPEG, "photo.jpg"), (PDF, "brochure.pdf"), (MP4, "demo.mp4")],
                         ids=["jpeg", "pdf", "mp4"])
@pytest.mark.parametrize("markup", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="5"/></svg>',
    b"<svg/onload=alert(1)>",
    b"<body onload=alert(1)>",
    b"<object data=javascript:alert(1)>",
    b"<embed src=x.swf>",
    b"<HTML><b>hi</b></HTML>",
    "<script>alert(1)</script>".encode("utf-16-le"),
    "<html><body>hi".encode("utf-16-be"),
    "\ufeff<svg onload=alert(1)>".encode("utf-16"),
    "<!DOCTYPE html>".encode("utf-16-le"),
], ids=["svg", "svg handler", "body", "object", "embed", "html upper case", "utf-16le script", "utf-16be html",
        "utf-16 bom svg", "utf-16le doctype"])
def test_html_svg_or_script_anywhere_in_a_file_in_ascii_or_utf16_is_refused(app, uploads, carrier, name, markup):
    with pytest.raises(Invalid) as refused:
        save(uploads, carrier + LATE + markup + LATE, name)
    assert "also something else" in str(refused.value)
    assert files_in(uploads) == [] and not StoredFile.select().exists()


def test_markup_split_across_two_chunks_is_still_found(app, uploads):
    marker = "<svg onload=alert(1)>".encode("utf-16-le")
    for cut in (1, 7, len(marker) - 2):
        data = PDF + b"%" * (storage.CHUNK - len(PDF) - cut) + marker
        with pytest.raises(Invalid):
            save(uploads, data, "split.pdf")


@pytest.mark.parametrize("make, name", [
    (lambda: samples.pdf(), "brochure.pdf"), (lambda: samples.pdf(modern=True), "brochure-1.7.pdf"),
    (samples.docx, "供货合同.docx"), (samples.pptx, "X200 deck.pptx"), (samples.xlsx, "价格表.xlsx"),
    (samples.mp4, "install.mp4"), (samples.phone_photo, "IMG_20260314_092653.jpg"),
    (lambda: picture("png", size=(800, 600)), "screenshot.png"),
], ids=["pdf", "pdf 1.7", "docx", "pptx", "xlsx", "mp4", "phone photo", "screenshot"])
def test_realistic_files_of_every_allowed_kind_are_taken(app, uploads, make, name):
    data = make()
    stored, safe = save(uploads, data, name, max_bytes=50 * MB)
    assert safe == name and stored.kind == storage.detect(storage.backend(uploads).path(stored.sha256), stored.size)
    if stored.kind not in storage.IMAGES:
        assert storage.backend(uploads).path(stored.sha256).read_bytes() == data  # stored as sent


def test_a_video_or_a_compressed_pdf_of_random_bytes_is_not_taken_for_markup(app, uploads):
    """Compressed video and Flate streams look random: 40 MB of them hold no marker by chance."""
    noise = samples.random_bytes(40 * MB, seed=2026)
    stored, _name = save(uploads, MP4 + noise, "long.mp4", max_bytes=50 * MB)
    assert stored.kind == "mp4"
