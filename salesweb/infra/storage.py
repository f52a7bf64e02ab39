"""The one way an uploaded file enters salesweb, and the one place files are kept.

`save()` streams an upload to a temporary file inside the upload directory while hashing and
counting it, decides its type from its content (magic bytes; Office files by their zip
structure), checks that against the allowed kinds and the name's extension, refuses zip bombs,
polyglots and PDFs that carry scripts, launch actions or embedded files, re-encodes images without
their location and camera data (keeping the capture time in the row), and then moves the file
atomically to UPLOAD_DIR/ab/abcdef... by the SHA-256 of what is stored. A refused or interrupted
upload leaves no file and no row; the same content twice is stored once.

Callers see `save()` to store, `open_stored()` to read (web.send_stored serves every download from it),
`checked_filename()` for a name, `sweep()` at start, and `scrub_images()` for images stored before uploads were
re-encoded, which still carry their metadata. Files themselves are only reached through `backend()`, the one
place that picks where they live: `LocalFiles` (the upload directory) is small enough (temp, put, open, delete,
touch, names) that an S3-compatible backend can replace it there without touching callers. `salesweb backup`
copies the local upload directory; another backend is backed up by its own means.
"""
import datetime
import bisect
import hashlib
import io
import logging
import os
import re
import tempfile
import time
import unicodedata
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytz
from peewee import IntegrityError
from PIL import ExifTags, Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from ..core.db import db, is_sqlite, utcnow
from ..core.i18n import _l
from ..models import StoredFile
from ..core.errors import Invalid

log = logging.getLogger(__name__)
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


def _utf16(word):
    """A tag name as UTF-16 bytes after its "<", little- or big-endian alike: from the "<" on, both read
    "<", NUL, letter, NUL, letter..., so one pattern finds either."""
    return b"".join(b"\x00" + re.escape(bytes([c])) for c in word.encode())


# Looked for through the whole file as it streams in, in ASCII and in UTF-16: long enough never to turn up by
# chance in compressed data (an SVG tag only with a namespace or an event handler inside it, as the short name
# alone would turn up in a large file), where a browser or another program would find a page to run.
MARKUP_ANYWHERE = re.compile(
    rb"<(?:(?:script|html|iframe|body|object|embed)[\s>/]|!doctype\s+html"
    rb"|svg[\s/][^<>]{0,512}?(?:xmlns|on[a-z]+\s*=))"
    rb"|<(?:" + b"|".join(_utf16(w) for w in ("script", "html", "svg", "iframe", "body", "object", "embed",
                                               "!doctype")) + rb")\x00[\s>/]",
    re.IGNORECASE | re.DOTALL)
OVERLAP = 1024  # bytes kept from one chunk to the next, so a marker split across two chunks is still seen
# PDF names that run a script, start a program or carry other files, also when spelled with #xx escapes
# (/J#61vaScript); a name ends at whitespace or a delimiter, so /JSON is not /JS. These are long enough never to
# turn up by chance and are looked for everywhere. /JS is three letters, which compressed data holds by chance
# (once in tens of megabytes): it counts only with a script after it, outside a stream's data.
PDF_ACTIVE = ("JavaScript", "Launch", "EmbeddedFiles", "EmbeddedFile")
PDF_NAME_END = rb"[\x00\t\n\x0c\r ()<>\[\]{}/%]"
PDF_SPACE = rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*[\r\n])"  # whitespace and comments, which a reader skips


def _pdf_name(name):
    def char(c):
        escaped = "".join(f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in f"{ord(c):02x}")
        return f"(?:{c}|#{escaped})"
    return "/" + "".join(char(c) for c in name)


PDF_ACTIVE_NAME = re.compile(("(?:" + "|".join(_pdf_name(n) for n in PDF_ACTIVE) + ")").encode() + PDF_NAME_END)
# /JS with its script: a string, a hex string or a reference to a stream
PDF_SCRIPT_KEY = re.compile(_pdf_name("JS").encode() + PDF_SPACE + rb"*(?:\(|<(?!<)|\d+" + PDF_SPACE + rb"+\d+"
                            + PDF_SPACE + rb"+R(?![A-Za-z0-9]))")
PDF_END_STREAM = re.compile(rb"endstream")
PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream[ \t]*(?:\r\n|\r|\n)?")  # not "endstream"
MAX_PDF_STREAMS = 100_000  # a PDF with more streams than this cannot be checked in reasonable time
# Inside Flate-compressed streams: an object stream (where a PDF may keep the dictionaries that name a script)
# starts with pairs of whole numbers, possibly after whitespace and comments; such a stream is inflated whole
# and read like the rest. Every other stream is only looked at until it is plainly something else.
PDF_HEAD_LOOK = 64 * 1024  # inflated bytes read at most to decide what a stream is
PDF_INFLATE_BUDGET = 256 * 1024 * 1024  # inflated bytes read at most in one PDF, all streams together
PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")
PDF_OTHER_FILTERS = re.compile(rb"/(?:LZWDecode|LZW|ASCII85Decode|A85|ASCIIHexDecode|AHx|RunLengthDecode|RL|Crypt)"
                               rb"|/DecodeParms|/DP\b")
PDF_ANY_FILTER = re.compile(rb"/Filter\b")
PDF_DICT_LOOKBACK = 2048  # how far before a stream its dictionary is looked for
PDF_OBJECT_HEADER = re.compile(rb"(?<![0-9])[0-9]+[\x00\t\n\x0c\r ]+[0-9]+[\x00\t\n\x0c\r ]+\Z")
# Images are re-encoded without their metadata; a picture this large would take too much memory to decode.
MAX_PIXELS = 60_000_000
EXIF_TIME = re.compile(r"\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
EXIF_OFFSET = re.compile(r"\s*([+-])(\d{2}):(\d{2})")
OFFICE_PARTS = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_RATIO = 100  # uncompressed / compressed: beyond this a "document" is a zip bomb
MAX_UNPACKED = 512 * 1024 * 1024  # and no document unpacks to more than this, however large the upload
STALE_SECONDS = 24 * 3600  # a temporary upload file this old belongs to no upload still running
ORPHAN_WINDOW_SECONDS = 7 * 24 * 3600  # a file a killed save left is looked for this long
MAX_ORPHANS = 20  # more files without a row than this: the directory is another database's, not a crash's
ZIP_END = b"PK\x05\x06"
ZIP_END_REACH = 22 + 65535  # the end-of-zip record sits at most this far from a zip's end (its comment's length)


class LocalFiles:
    """Files on the local disk under the upload directory, named by their hash."""

    def __init__(self, root):
        self.root = Path(root)

    def temp(self):
        folder = self.root / ".incoming"
        folder.mkdir(parents=True, exist_ok=True)
        # The process's id in the name: after a crash, the next start knows whose files are left over.
        fd, name = tempfile.mkstemp(dir=folder, prefix=f"upload-{os.getpid()}-")
        return os.fdopen(fd, "wb"), Path(name)

    def sweep(self, now=None):
        """Remove temporary files left by a process that died mid-upload (or older than a day); returns how many."""
        folder = self.root / ".incoming"
        if not folder.is_dir():
            return 0
        now = now or time.time()
        removed = 0
        for path in folder.glob("upload-*"):
            match = re.match(r"upload-(\d+)-", path.name)
            try:
                if not (match and process_alive(int(match.group(1)))) or now - path.stat().st_mtime > STALE_SECONDS:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

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

    def open(self, sha256):
        """The stored content, binary and seekable (a download's ranges read from it)."""
        return open(self.path(sha256), "rb")

    def delete(self, sha256):
        self.path(sha256).unlink(missing_ok=True)

    def touch(self, sha256):
        """Mark a kept file as just written, so that `names(since=...)` lists it again."""
        os.utime(self.path(sha256))

    def names(self, since=0):
        """The hashes of the files kept, of those written since `since` (a time.time())."""
        for path in self.root.glob("[0-9a-f][0-9a-f]/*"):
            try:
                if re.fullmatch(r"[0-9a-f]{64}", path.name) and path.stat().st_mtime >= since:
                    yield path.name
            except FileNotFoundError:
                continue


def backend(upload_dir):
    """Where the files are kept: the one place a different backend would be chosen."""
    return LocalFiles(upload_dir)


def process_alive(pid):
    """Whether a process of this machine is still running (a pid in a leftover file's name)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def sweep(upload_dir):
    """At start: what an upload killed half-way left behind goes (see LocalFiles.sweep)."""
    return backend(upload_dir).sweep()


def sweep_orphans(upload_dir, now=None):
    """Remove stored files that no row names: a save killed between moving its file into place and committing its
    row leaves one. Each is checked again under the lock every save of that content holds from before its file
    is in place until its row is committed, so a save under way is never robbed. Only recent files are looked at
    (a crash leaves one at a time), and when many lack a row the upload directory is taken to belong to another
    database (a misconfiguration or a database rolled back) and nothing is removed. Returns how many went."""
    files = backend(upload_dir)
    names = list(files.names(since=(now or time.time()) - ORPHAN_WINDOW_SECONDS))
    orphans = []
    for start in range(0, len(names), 500):
        batch = names[start:start + 500]
        known = {row.sha256 for row in StoredFile.select(StoredFile.sha256).where(StoredFile.sha256.in_(batch))}
        orphans += [sha256 for sha256 in batch if sha256 not in known]
    if len(orphans) > MAX_ORPHANS:
        log.warning("%d stored files in %s have no row: not the database's upload directory? None removed.",
                    len(orphans), upload_dir)
        return 0
    removed = 0
    for sha256 in orphans:
        with _held(sha256):
            if not StoredFile.select().where(StoredFile.sha256 == sha256).exists():
                files.delete(sha256)
                removed += 1
    return removed


def checked_filename(name):
    """An upload's own name, refused (not quietly mended) when it carries a path, control characters or more than
    200 characters: a browser sends none of these, so a request that does is not one to trust."""
    name = unicodedata.normalize("NFC", str(name or ""))
    if re.search(r"[\\/]", name):
        raise Invalid({"file": _l("The file's name may not contain a folder path (/ or \\).")})
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in name):
        raise Invalid({"file": _l("The file's name contains control characters; rename the file.")})
    if len(name) > MAX_NAME:
        raise Invalid({"file": _l("The file's name is longer than %(n)d characters; rename the file.", n=MAX_NAME)})
    return safe_filename(name)


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
    """docx/pptx/xlsx by the parts inside the zip, or a refusal for anything else or a zip bomb. The parts are
    really unpacked (and counted, up to the limit) rather than trusting the sizes the zip claims for them."""
    bomb = Invalid({"file": _l("The file unpacks to far more than its size; it is refused.")})
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise Invalid({"file": _l("The file holds too many parts to be a document.")})
            limit = min(MAX_ZIP_RATIO * max(size, 1), MAX_UNPACKED)
            if sum(e.file_size for e in entries) > limit:
                raise bomb
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names:
                return None
            unpacked = 0
            for entry in entries:
                with archive.open(entry) as part:
                    while chunk := part.read(CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise bomb
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            zlib.error):
        return None  # broken, encrypted or oddly packed: not a document we accept
    kinds = {kind for prefix, kind in OFFICE_PARTS.items() if any(n.startswith(prefix) for n in names)}
    return kinds.pop() if len(kinds) == 1 else None


class _Scan:
    """What the streaming upload is checked for, chunk by chunk with an overlap, never the whole file in memory:
    markup anywhere, and for a PDF the names of active content and where its streams begin."""

    def __init__(self):
        self.markup = self.pdf = self.pdf_active = False
        self.streams = []  # offsets where a PDF stream's data may begin
        self.stream_ends, self.script_keys = [], set()  # where "endstream" stands; where /JS and a script stand
        self.carry, self.offset = b"", 0

    def feed(self, chunk, last=False):
        if self.offset == 0 and chunk:
            self.pdf = chunk.startswith(b"%PDF-")
        window = self.carry + chunk + (b"\n" if last else b"")  # at the end, a name's end is the file's end
        start = self.offset - len(self.carry)
        self.markup = self.markup or bool(MARKUP_ANYWHERE.search(window))
        if self.pdf:
            self.pdf_active = self.pdf_active or bool(PDF_ACTIVE_NAME.search(window))
            for pattern, found in ((PDF_STREAM, self.streams), (PDF_END_STREAM, self.stream_ends)):
                for match in pattern.finditer(window):
                    if len(found) > MAX_PDF_STREAMS:
                        break  # too many to check: refused, and not kept in memory
                    if not found or start + match.end() > found[-1]:
                        found.append(start + match.end())
            if len(self.script_keys) <= MAX_PDF_STREAMS:
                self.script_keys.update(start + at for at in _script_keys(window))
        self.offset += len(chunk)
        self.carry = window[-OVERLAP:]

    def finish(self):
        self.feed(b"", last=True)

    def pdf_script_outside_streams(self):
        """Whether a /JS with its script stands outside every stream's data (from a stream's start to the next
        "endstream"), where a reader takes it for a dictionary's entry; or too many of them to tell."""
        if max(len(self.script_keys), len(self.streams), len(self.stream_ends)) > MAX_PDF_STREAMS:
            return True
        for at in self.script_keys:
            opened = bisect.bisect_right(self.streams, at)
            if not opened:
                return True
            closed = bisect.bisect_left(self.stream_ends, self.streams[opened - 1])
            if closed < len(self.stream_ends) and self.stream_ends[closed] <= at:
                return True  # the last stream opened before it has ended before it
        return False


def _script_keys(window):
    """Where /JS and a script stand in `window`; one that reaches its end is seen whole with the next chunk."""
    return [match.start() for match in PDF_SCRIPT_KEY.finditer(window) if match.end() < len(window)]


def _pdf_refusal():
    return Invalid({"file": _l("The PDF carries a script, an embedded file or an action that starts a program, "
                               "or hides its contents where they cannot be checked; it is refused. Save it again "
                               "without them (for example, print it to a new PDF) and upload that.")})


def _unescaped(data):
    """PDF names with their #xx escapes spelled out, as a reader sees them."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)


def _check_pdf_streams(path, offsets):
    """Refuse a PDF that hides active content in a compressed stream. Every stream that starts as Flate data is
    inflated as far as it takes to see what it is; one that starts like an object stream (numbers: where a PDF
    keeps more dictionaries) is inflated whole and searched like the file. An object stream in another encoding
    (or with a predictor), or more inflated data than the budget, cannot be checked and is refused."""
    if len(offsets) > MAX_PDF_STREAMS:
        raise _pdf_refusal()
    budget = PDF_INFLATE_BUDGET
    with open(path, "rb") as fh:
        for at in offsets:
            fh.seek(max(0, at - PDF_DICT_LOOKBACK))
            before = fh.read(at - max(0, at - PDF_DICT_LOOKBACK))
            dictionary = _unescaped(_own_dictionary(before))
            object_stream = bool(PDF_OBJECT_STREAM.search(dictionary))
            fh.seek(at)
            flate = _is_zlib(fh.read(2))
            if object_stream and (PDF_OTHER_FILTERS.search(dictionary)
                                  or (not flate and PDF_ANY_FILTER.search(dictionary))):
                raise _pdf_refusal()  # encoded otherwise, or encrypted: what it holds cannot be read here
            if flate:
                budget = _inflate_and_check(fh, at, budget, whole=object_stream)


def _own_dictionary(before):
    """What follows the last object header ("12 0 obj") in the bytes before a stream: its own dictionary."""
    at = len(before)
    while (at := before.rfind(b"obj", 0, at)) >= 0:
        if PDF_OBJECT_HEADER.search(before, max(0, at - 40), at):
            return before[at + 3:]
    return before


def _is_zlib(first):
    """Whether two bytes start zlib (Flate) data: any other stream is an image codec's or plain, and plain
    bytes were read with the file already."""
    return len(first) == 2 and (first[0] & 0x0F) == 8 and (first[0] << 8 | first[1]) % 31 == 0


def _inflate_and_check(fh, at, budget, whole):
    """Inflate the Flate stream at `at` and refuse active names in it; returns the budget left. Unless `whole`,
    it stops as soon as the start shows the stream holds no objects."""
    fh.seek(at)
    inflater, carry, head, block = zlib.decompressobj(), b"", b"", 4096  # most streams are told by their start
    while not inflater.eof:
        data = inflater.unconsumed_tail or fh.read(block)
        block = CHUNK
        if not data:
            break
        try:
            chunk = inflater.decompress(data, CHUNK)
        except zlib.error:
            break  # broken data ends the stream for a reader too; what came before it was checked
        budget -= len(chunk)
        if budget < 0:
            raise _pdf_refusal()
        verdict = whole
        if not whole:
            head += chunk[:PDF_HEAD_LOOK + 1 - len(head)]
            verdict = _may_hold_objects(head)
            whole = bool(verdict)
        window = carry + chunk
        if PDF_ACTIVE_NAME.search(window) or (whole and _script_keys(window)):
            raise _pdf_refusal()
        if verdict is False:
            return budget
        carry = window[-OVERLAP:]
    if PDF_ACTIVE_NAME.search(carry + b"\n") or (whole and _script_keys(carry + b"\n")):
        raise _pdf_refusal()
    return budget


PDF_NUMBER = rb"[+-]?(?:\d+\.?\d*|\.\d+)"
PDF_NUMBERS_THEN = re.compile(rb"(?:" + PDF_NUMBER + rb"(?![0-9.])" + PDF_SPACE + rb"*)+(?P<next>[^\x00\t\n\x0c\r %])")


def _may_hold_objects(head):
    """Whether inflated data starting with `head` may be an object stream (pairs of whole numbers, then the
    objects): True, False when it is plainly something else (a page's drawing operators, a font, pixels), or
    None while not known. Spaces and comments alone for PDF_HEAD_LOOK bytes are taken as an object stream."""
    undecided = True if len(head) > PDF_HEAD_LOOK else None
    rest = head[re.match(PDF_SPACE + rb"*", head).end():]
    token = re.match(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]*", rest).group()
    if len(token) == len(rest):
        return undecided  # the first word is not complete yet
    if not re.fullmatch(PDF_NUMBER, token):
        return False
    numbers = PDF_NUMBERS_THEN.match(rest)
    if numbers is None:
        return undecided
    # Numbers then an operator ("1 0 0 1 0 0 cm", "0.5 w") draw a page; numbers then a value are objects.
    after = rest[numbers.start("next"):]
    return not (after[:1].isalpha() and not re.match(rb"(?:null|true|false)(?![A-Za-z])", after))


def detect(path, size):
    """The kind of a file from its content, or None when it is none of the allowed kinds."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
        fh.seek(max(0, size - ZIP_END_REACH))
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
    if MARKUP.search(head) or ZIP_END in tail:
        raise Invalid({"file": _l("The file is also something else (a web page or an archive); it is refused.")})
    return kind


def captured_at(exif, zone):
    """When the picture was taken (EXIF DateTimeOriginal), in UTC: by the camera's own offset when it wrote one
    (OffsetTimeOriginal), else read in `zone`. None when missing or not a real time."""
    try:
        found = exif.get_ifd(ExifTags.IFD.Exif)
        written = EXIF_TIME.match(str(found.get(ExifTags.Base.DateTimeOriginal) or ""))
        if written is None:
            return None
        local = datetime.datetime(*(int(part) for part in written.groups()))
        offset = EXIF_OFFSET.match(str(found.get(ExifTags.Base.OffsetTimeOriginal) or ""))
    except (ValueError, TypeError, KeyError, OverflowError):
        return None  # "0000:00:00 00:00:00" and other placeholders a camera writes when it does not know
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        delta = datetime.timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
        return local - sign * delta
    try:
        return pytz.timezone(zone).localize(local).astimezone(pytz.utc).replace(tzinfo=None)
    except (pytz.UnknownTimeZoneError, OverflowError, ValueError):
        return None


def _without_metadata(source, kind, files, zone):
    """Re-encode an image without what it says about where and with what it was taken (EXIF with GPS, make and
    model; XMP; comments; text chunks): the pixels are turned upright by the EXIF orientation first, and a JPEG
    keeps its quantisation (its quality) and a picture its colour profile. Returns the new file's temporary
    path and the capture time; refuses what cannot be decoded, an animation, or too many pixels."""
    unreadable = Invalid({"file": _l("The image could not be read; it may be damaged. Please take or export it "
                                     "again.")})
    out, path = files.temp()
    try:
        with out, Image.open(source, formats=("PNG",) if kind == "png" else ("JPEG", "MPO")) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Invalid({"file": _l("The image has more than %(n)d megapixels; please upload a smaller "
                                          "one.", n=MAX_PIXELS // 1_000_000)})
            if kind == "png" and getattr(image, "is_animated", False):
                raise Invalid({"file": _l("Animated images are not accepted; upload a still picture, or a "
                                          "video as MP4.")})
            when = captured_at(image.getexif(), zone)
            kept = {key: image.info[key] for key in ("icc_profile", "dpi") if image.info.get(key)}
            if kind == "jpeg":
                kept.update(qtables=image.quantization, subsampling=JpegImagePlugin.get_sampling(image),
                            progressive=bool(image.info.get("progressive")), comment=b"")
            ImageOps.exif_transpose(image, in_place=True)
            image.save(out, "JPEG" if kind == "jpeg" else "PNG", **kept)
    except Invalid:
        path.unlink(missing_ok=True)
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, TypeError,
            EOFError, KeyError, IndexError, MemoryError):
        path.unlink(missing_ok=True)
        raise unreadable from None
    return path, when


# What a re-encoded image is made of, and nothing else: a stored image holding any other segment or chunk (EXIF,
# XMP, IPTC, comments, text chunks, a maker's own data) or bytes after its end still carries what it was taken with.
JPEG_FRAME = set(range(0xC0, 0xE0)) - {0xD8, 0xD9}  # frames, tables, restart interval, scan (SOI and EOI aside)
JPEG_RESTART = set(range(0xD0, 0xD8)) | {0x01}  # markers that stand alone, without a length
JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")  # after a scan: not a stuffed byte, a restart or fill
PNG_IMAGE_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP",
                    b"mDCV", b"cLLI", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT"}


def _jpeg_segment_is_image(marker, body):
    if marker == 0xE0:  # JFIF, without a thumbnail (a thumbnail may show what the picture was cropped from)
        return len(body) == 14 and body.startswith(b"JFIF\x00") and body[12:14] == b"\x00\x00"
    if marker == 0xE2:
        return body.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:
        return body.startswith(b"Adobe")  # the colour transform a CMYK picture needs
    return marker in JPEG_FRAME


def _jpeg_carries_metadata(data):
    at, end = 2, len(data)
    while at + 2 <= end:
        if data[at] != 0xFF:
            return True  # not a JPEG's structure: the decoder decides what it is
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
        elif marker == 0xD9:
            return at + 2 < end  # anything after the end: another picture (MPO), a video, a maker's trailer
        elif marker in JPEG_RESTART:
            at += 2
        else:
            length = int.from_bytes(data[at + 2:at + 4], "big")
            if length < 2 or at + 2 + length > end or not _jpeg_segment_is_image(marker, data[at + 4:at + 2 + length]):
                return True
            at += 2 + length
            if marker == 0xDA:  # the scan's coded data runs to the next marker
                following = JPEG_NEXT_MARKER.search(data, at)
                if following is None:
                    return True
                at = following.start()
    return True  # cut off before its end


def _png_carries_metadata(data):
    at, end = 8, len(data)
    while at + 12 <= end:
        length, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if kind not in PNG_IMAGE_CHUNKS:
            return True
        at += 12 + length
        if kind == b"IEND":
            return at < end
    return True


def carries_metadata(data, kind):
    """Whether a stored PNG or JPEG holds more than a re-encoded one would: its EXIF, XMP, comments, text chunks,
    anything else that is not the picture itself, or bytes after its end."""
    return _jpeg_carries_metadata(data) if kind == "jpeg" else _png_carries_metadata(data)


def _hashed(path):
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def save(stream, filename, upload_dir, max_bytes, allowed=tuple(KINDS), then=None, zone="UTC"):
    """Store an upload; returns (StoredFile, safe name). Raises Invalid with a clear message, leaving nothing.

    `then(stored, name)`, when given, writes the caller's rows in the same transaction as the file's, and its
    result is returned instead: if it fails, the file goes again (unless other rows already used it). `zone` is
    the install's time zone, in which a photo's capture time without an offset is read."""
    name = checked_filename(filename)
    files = backend(upload_dir)
    out, temp_path = files.temp()
    cleaned = None
    digest, size, scan = hashlib.sha256(), 0, _Scan()
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
                scan.feed(chunk)
                out.write(chunk)
            scan.finish()
        if size == 0:
            raise Invalid({"file": _l("The file is empty.")})
        kind = detect(temp_path, size)
        if scan.markup and kind in ("pdf", "png", "jpeg", "mp4"):
            raise Invalid({"file": _l("The file is also something else (a web page or an archive); it is refused.")})
        if kind is None or kind not in allowed:
            raise Invalid({"file": _l("This type of file is not accepted. Allowed: %(kinds)s.",
                                      kinds=", ".join(k.upper() for k in allowed))})
        extension = os.path.splitext(name)[1].lower()
        if extension not in KINDS[kind].extensions:
            raise Invalid({"file": _l("The file is a %(kind)s but its name ends in “%(ext)s”.",
                                      kind=kind.upper(), ext=extension or "—")})
        if kind == "pdf":
            if scan.pdf_active or scan.pdf_script_outside_streams():
                raise _pdf_refusal()
            _check_pdf_streams(temp_path, scan.streams)
        sha256, when = digest.hexdigest(), None
        if kind in IMAGES:
            cleaned, when = _without_metadata(temp_path, kind, files, zone)
            sha256, size = _hashed(cleaned)  # named by what is kept, not by what was sent
            if size > max_bytes:
                raise Invalid({"file": _l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))})
        try:
            with _held(sha256):
                # Two uploads of the same new content at once: the second insert does nothing, both read one row.
                (StoredFile.insert(sha256=sha256, size=size, kind=kind, mime=KINDS[kind].mime, created_at=utcnow(),
                                   captured_at=when)
                 .on_conflict_ignore().execute())
                stored = StoredFile.get(StoredFile.sha256 == sha256)
                files.put(cleaned or temp_path, sha256)
                return then(stored, name) if then else (stored, name)
        except BaseException:
            _discard_unused(files, sha256)
            raise
    finally:
        temp_path.unlink(missing_ok=True)  # refused, interrupted or already moved: nothing is left behind
        if cleaned is not None:
            cleaned.unlink(missing_ok=True)


def open_stored(stored, upload_dir):
    """A stored file's content, binary and seekable, and the row it is the content of: `stored`, or the row read
    again when its file went since `stored` was read (a scrub put the row on new content, whose file was in place
    before the row named it)."""
    files = backend(upload_dir)
    try:
        return files.open(stored.sha256), stored
    except FileNotFoundError:
        current = StoredFile.get_or_none(StoredFile.id == stored.id)
        if current is None or current.sha256 == stored.sha256:
            raise
        return files.open(current.sha256), current


@dataclass
class ScrubReport:
    scrubbed: int = 0
    clean: int = 0
    failed: list = field(default_factory=list)  # (StoredFile, why), each left as it was


def scrub_images(upload_dir, zone, batch=200):
    """Re-encode every stored image that still carries metadata (stored before uploads were re-encoded) exactly
    as an upload is, each in its own short transaction (see `scrub_image`); an image already clean is left as it
    is, so a second run changes nothing. What a run killed half-way left behind goes first. `zone` is the
    install's time zone. Returns a ScrubReport; an image that cannot be read is counted as failed, with why."""
    sweep_orphans(upload_dir)
    report, last = ScrubReport(), 0
    while rows := list(StoredFile.select().where(StoredFile.kind.in_(IMAGES), StoredFile.id > last)
                       .order_by(StoredFile.id).limit(batch)):
        for row in rows:
            last = row.id
            try:
                if scrub_image(row, upload_dir, zone):
                    report.scrubbed += 1
                else:
                    report.clean += 1
            except Invalid as refused:
                report.failed.append((row, str(refused)))
            except FileNotFoundError:
                report.failed.append((row, "its file is missing from the upload directory"))
            except OSError as trouble:  # unreadable, or no room for the new file
                report.failed.append((row, f"its file could not be read or written: {trouble.strerror or trouble}"))
            except IntegrityError:
                report.failed.append((row, "another record took its file meanwhile; run the command again"))
    return report


def scrub_image(stored, upload_dir, zone):
    """Put one stored image on a copy without its metadata, as an upload would have stored it; returns whether it
    did (False: the image was already clean). The capture time is read from its EXIF first. The image work is done
    before the transaction, which only moves the new file into place, under its content's lock (as `save()`
    does, so the orphan sweep never takes it), and points the row at it; the old file goes after the commit, once
    no row names it. A download that read the row before then finds the file gone and reads the row again (see
    `open_stored`). When another row already has the new content, the references to it move to this row, which
    takes its content, and that row goes: its file stays, named by this row. Raises Invalid when the image cannot
    be decoded, FileNotFoundError when its file is missing; either way nothing changes."""
    files, old = backend(upload_dir), stored.sha256
    with files.open(old) as fh:
        data = fh.read()
    if not carries_metadata(data, stored.kind):
        return False
    cleaned, when = _without_metadata(io.BytesIO(data), stored.kind, files, zone)
    try:
        sha256, size = _hashed(cleaned)
        if sha256 == old:
            return False
        files.touch(old)  # should this process die after the commit, the sweep of orphans finds the old file
        try:
            with _held(sha256):
                row = StoredFile.get_or_none(StoredFile.id == stored.id)
                if row is None or row.sha256 != old:
                    return False  # scrubbed meanwhile by another run
                twin = StoredFile.get_or_none(StoredFile.sha256 == sha256)
                files.put(cleaned, sha256)
                if twin is not None:
                    for reference, model in StoredFile._meta.backrefs.items():
                        model.update({reference: row.id}).where(reference == twin.id).execute()
                    StoredFile.delete().where(StoredFile.id == twin.id).execute()
                    when = when or twin.captured_at
                (StoredFile.update(sha256=sha256, size=size, captured_at=when or row.captured_at, created_at=utcnow())
                 .where(StoredFile.id == row.id).execute())
        except BaseException:
            _discard_unused(files, sha256)
            raise
    finally:
        cleaned.unlink(missing_ok=True)
    _discard_unused(files, old)
    return True


@contextmanager
def _held(sha256):
    """A transaction that holds one content's file and row against every other save or discard of it: SQLite's
    BEGIN IMMEDIATE takes the write lock, PostgreSQL an advisory lock on the hash. So a save that rolls back
    cannot remove a file that a parallel save of the same content has just committed a row for."""
    with db.atomic():
        if not is_sqlite():
            db.execute_sql("SELECT pg_advisory_xact_lock(4, hashtext(%s))", (sha256,))
        yield


def _discard_unused(files, sha256):
    """After a rolled-back save: remove the file again unless a row (committed by someone else) names it."""
    with _held(sha256):
        if not StoredFile.select().where(StoredFile.sha256 == sha256).exists():
            files.delete(sha256)
