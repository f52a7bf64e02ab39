"""The one way an uploaded file enters salesweb, and the one place files are kept.

`save()` streams an upload to a temporary file inside the upload directory while hashing and
counting it, decides its type from its content (magic bytes; Office files by their zip
structure), checks that against the allowed kinds and the name's extension, refuses zip bombs
and polyglots, and then moves it atomically to UPLOAD_DIR/ab/abcdef... by SHA-256. A refused or
interrupted upload leaves no file and no row; the same content twice is stored once.

Callers only see `save()`, `path_of()` and `safe_filename()`: the `LocalFiles` backend behind
them is small enough that an S3-compatible one can replace it without touching callers.
"""
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..db import db, utcnow
from ..i18n import _l
from ..models import StoredFile
from .errors import Invalid

CHUNK = 64 * 1024
MAX_NAME = 200


@dataclass(frozen=True)
class Kind:
    name: str
    mime: str
    extensions: tuple


KINDS = {k.name: k for k in (
    Kind("pdf", "application/pdf", (".pdf",)),
    Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    Kind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
    Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    Kind("png", "image/png", (".png",)),
    Kind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    Kind("mp4", "video/mp4", (".mp4", ".m4v")),
)}
IMAGES = ("png", "jpeg")
MARKUP = re.compile(rb"<\s*(?:html|script|svg|body|iframe|!doctype)", re.IGNORECASE)
OFFICE_PARTS = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_RATIO = 100  # uncompressed / compressed: beyond this a "document" is a zip bomb


class LocalFiles:
    """Files on the local disk under the upload directory, named by their hash."""

    def __init__(self, root):
        self.root = Path(root)

    def temp(self):
        folder = self.root / ".incoming"
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="upload-")
        return os.fdopen(fd, "wb"), Path(name)

    def path(self, sha256):
        return self.root / sha256[:2] / sha256

    def put(self, temp_path, sha256):
        """Move a finished temporary file into place (atomic); a copy already there wins."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            temp_path.unlink(missing_ok=True)
        else:
            os.replace(temp_path, target)
        return target


def safe_filename(name):
    """The name to show and to offer on download: no path, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        raise Invalid({"file": _l("The file needs a name.")})
    if len(name) > MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[:MAX_NAME - len(ext)] + ext if len(ext) <= 10 else name[:MAX_NAME]
    return name


def _office_kind(path, size):
    """docx/pptx/xlsx by the parts inside the zip, or a refusal for anything else or a zip bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise Invalid({"file": _l("The file holds too many parts to be a document.")})
            unpacked = sum(e.file_size for e in entries)
            if unpacked > MAX_ZIP_RATIO * max(size, 1):
                raise Invalid({"file": _l("The file unpacks to far more than its size; it is refused.")})
            names = {e.filename for e in entries}
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    kinds = {kind for prefix, kind in OFFICE_PARTS.items() if any(n.startswith(prefix) for n in names)}
    return kinds.pop() if len(kinds) == 1 else None


def detect(path, size):
    """The kind of a file from its content, or None when it is none of the allowed kinds."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path, size)
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head[4:8] == b"ftyp" and head[8:12] in (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"):
        kind = "mp4"
    else:
        return None
    # A polyglot: markup a browser would run, or a zip hidden at the end of an image or PDF.
    if MARKUP.search(head) or b"PK\x05\x06" in tail:
        raise Invalid({"file": _l("The file is also something else (a web page or an archive); it is refused.")})
    return kind


def save(stream, filename, upload_dir, max_bytes, allowed=tuple(KINDS), then=None):
    """Store an upload; returns (StoredFile, safe name). Raises Invalid with a clear message, leaving nothing.

    `then(stored, name)`, when given, writes the caller's rows in the same transaction as the file's, and its
    result is returned instead: if it fails, the file goes again (unless other rows already used it)."""
    name = safe_filename(filename)
    files = LocalFiles(upload_dir)
    out, temp_path = files.temp()
    digest, size = hashlib.sha256(), 0
    try:
        with out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid({"file": _l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid({"file": _l("The file is empty.")})
        kind = detect(temp_path, size)
        if kind is None or kind not in allowed:
            raise Invalid({"file": _l("This type of file is not accepted. Allowed: %(kinds)s.",
                                      kinds=", ".join(k.upper() for k in allowed))})
        extension = os.path.splitext(name)[1].lower()
        if extension not in KINDS[kind].extensions:
            raise Invalid({"file": _l("The file is a %(kind)s but its name ends in “%(ext)s”.",
                                      kind=kind.upper(), ext=extension or "—")})
        sha256 = digest.hexdigest()
        try:
            with db.atomic():
                # Two uploads of the same new content at once: the second insert does nothing, both read one row.
                (StoredFile.insert(sha256=sha256, size=size, kind=kind, mime=KINDS[kind].mime, created_at=utcnow())
                 .on_conflict_ignore().execute())
                stored = StoredFile.get(StoredFile.sha256 == sha256)
                files.put(temp_path, sha256)
                return then(stored, name) if then else (stored, name)
        except BaseException:
            _discard_unused(files, sha256)
            raise
    finally:
        temp_path.unlink(missing_ok=True)  # refused, interrupted or already moved: nothing is left behind


def path_of(stored, upload_dir):
    return LocalFiles(upload_dir).path(stored.sha256)


def _discard_unused(files, sha256):
    """After a rolled-back save: remove the file again unless a row (committed by someone else) names it."""
    if not StoredFile.select().where(StoredFile.sha256 == sha256).exists():
        files.path(sha256).unlink(missing_ok=True)
