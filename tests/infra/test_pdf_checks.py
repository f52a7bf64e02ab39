"""PDFs that run a script, start a program or carry other files are refused, however the names are spelled and
wherever the PDF keeps them (in plain dictionaries or packed in a compressed object stream); ordinary PDFs, with
text, fonts, pictures, links and object streams, are taken."""
import io
import zlib

import pytest

from salesweb.models import StoredFile
from salesweb.infra import storage
from salesweb.core.errors import Invalid
from tests.infra import samples
from tests.infra.test_storage import files_in

MB = 1024 * 1024
REFUSED = "The PDF carries a script"
SCRIPT = b"/OpenAction << /S /JavaScript /JS (app.alert('hi')) >>"


@pytest.fixture
def uploads(app):
    return app.config["UPLOAD_DIR"]


def save(uploads, data, name="brochure.pdf"):
    return storage.save(io.BytesIO(data), name, uploads, 50 * MB)


def objects_packed(body):
    """An object stream holding one dictionary, compressed, as object 10."""
    return b"10 0\n" + body + b"\n"


@pytest.mark.parametrize("modern", [False, True], ids=["classic", "object streams"])
def test_an_ordinary_pdf_with_text_fonts_pictures_links_and_outlines_is_taken(app, uploads, modern):
    data = samples.pdf(modern=modern)
    stored, _name = save(uploads, data)
    assert stored.kind == "pdf" and storage.backend(uploads).path(stored.sha256).read_bytes() == data


def test_a_large_pdf_of_pictures_is_taken(app, uploads):
    data = samples.pdf(modern=True, image_size=(1600, 1200))  # a 5.8 MB picture, inflated from its stream
    stored, _name = save(uploads, data)
    assert stored.kind == "pdf"


def test_a_name_that_only_starts_like_an_active_one_is_not_taken_for_it(app, uploads):
    """/JS1 (a font's name in the sample) and /JSON are other names than /JS; /Launched is not /Launch."""
    data = samples.pdf(catalog_extra=b"/PieceInfo << /JSON << /Private (x) >> /Launched true >>")
    assert save(uploads, data)[0].kind == "pdf"


@pytest.mark.parametrize("extra", [
    SCRIPT,
    b"/OpenAction << /S /J#61vaScript /#4A#53 (app.alert('hi')) >>",  # #xx escapes
    b"/OpenAction << /S /J#61v#61Script /JS 10 0 R >>",
    b"/AA << /O << /S /JavaScript /JS (x) >> >>",
    b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>",
    b"/OpenAction << /S /L#61unch /F (calc.exe) >>",
    b"/Names << /EmbeddedFiles << /Names [(invoice.exe) 10 0 R] >> >>",
    b"/Names << /Embedded#46iles << /Names [(a) 10 0 R] >> >>",
    b"/Names<</JavaScript<</Names[(x)10 0 R]>>>>",  # no spaces at all
    b"/OpenAction << /S /Rendition /JS (app.alert('hi')) >>",  # a script without the word JavaScript
    b"/OpenAction << /S /Rendition /#4A#53 %a comment\n 10 0 R >>",
    b"/OpenAction<</S/Rendition/JS<6170702e616c657274283129>>>",
], ids=["javascript", "escaped", "partly escaped", "page action", "launch", "escaped launch", "embedded files",
        "escaped embedded files", "no spaces", "js string", "js reference", "js hex string"])
def test_a_pdf_with_a_script_a_launch_action_or_embedded_files_is_refused(app, uploads, extra):
    for modern in (False, True):  # written plainly, and packed in a compressed object stream
        with pytest.raises(Invalid) as refused:
            save(uploads, samples.pdf(catalog_extra=extra, modern=modern))
        assert REFUSED in str(refused.value), modern
    assert files_in(uploads) == [] and not StoredFile.select().exists()


def test_an_embedded_file_stream_is_refused(app, uploads):
    attached = zlib.compress(b"MZ\x90\x00 an executable")
    data = samples.pdf(extra_objects=[b"<< /Type /Filespec /F (setup.exe) /EF << /F 11 0 R >> >>",
                                      b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(attached) + attached
                                      + b"\nendstream"])
    with pytest.raises(Invalid) as refused:
        save(uploads, data)
    assert REFUSED in str(refused.value)


def test_an_object_stream_that_cannot_be_read_here_is_refused(app, uploads):
    """Packed with a predictor (which would scramble the names) or another encoding, or encrypted: what it
    holds cannot be checked, so the PDF is refused rather than taken unseen."""
    plain = b"1 0\n<< /Type /Catalog >>\n"
    for dictionary, data in [
        (b"/DecodeParms << /Predictor 12 /Columns 5 >> ", zlib.compress(plain)),
        (b"/Filter [/ASCIIHexDecode /FlateDecode] ", zlib.compress(plain).hex().encode() + b">"),
        (b"", b"\x8f\x11\xa0 encrypted bytes, not zlib"),
    ]:
        with pytest.raises(Invalid) as refused:
            save(uploads, samples.pdf(modern=True, object_stream_dict=dictionary, object_stream_data=data))
        assert REFUSED in str(refused.value), dictionary


def test_a_script_behind_comments_at_the_start_of_an_object_stream_is_found(app, uploads):
    """A reader skips comments before an object stream's numbers, and so does the check."""
    hidden = b"%" + b"c" * 70_000 + b"\n% more\n" + objects_packed(b"<< /S /JavaScript /JS (x) >>")
    data = samples.pdf(modern=True, object_stream_data=zlib.compress(hidden))
    with pytest.raises(Invalid):
        save(uploads, data)


def test_a_script_in_a_stream_without_an_object_stream_label_is_still_found(app, uploads):
    """Any Flate stream that starts like an object stream is read whole, whatever its dictionary says."""
    packed = zlib.compress(objects_packed(b"<< /Type /Action /S /JavaScript /JS (x) >>"))
    data = samples.pdf(extra_objects=[b"<< /Length %d /Filter /FlateDecode /Subtype /Image >>\nstream\n"
                                      % len(packed) + packed + b"\nendstream"])
    with pytest.raises(Invalid):
        save(uploads, data)


def test_a_flate_bomb_is_refused_within_the_budget(app, uploads, monkeypatch):
    monkeypatch.setattr(storage, "PDF_INFLATE_BUDGET", 4 * MB)
    bomb = zlib.compress(b"1 0 " + b" " * (16 * MB), 9)  # numbers first: read whole
    data = samples.pdf(extra_objects=[b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb
                                      + b"\nendstream"])
    assert len(data) < MB
    with pytest.raises(Invalid) as refused:
        save(uploads, data)
    assert REFUSED in str(refused.value)


def test_drawing_operators_are_not_read_past_their_start(app, uploads, monkeypatch):
    """A page's content stream ("1 0 0 1 72 720 cm ...") holds no objects: only its start is inflated, so a
    large drawing does not use up the budget."""
    monkeypatch.setattr(storage, "PDF_INFLATE_BUDGET", 1 * MB)
    drawing = zlib.compress(b"1 0 0 1 72 720 cm\n" + b"10 10 m 20 20 l S\n" * 400_000)
    data = samples.pdf(extra_objects=[b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(drawing) + drawing
                                      + b"\nendstream"])
    assert save(uploads, data)[0].kind == "pdf"


def test_js_and_a_bracket_by_chance_in_a_streams_data_is_not_a_script(app, uploads):
    """Three letters and a bracket turn up by chance in compressed data and pictures: inside a stream's data they
    are not a dictionary's entry, so they do not count (a stored Flate block, and a JPEG-like picture)."""
    stored = zlib.compressobj(0)
    image = stored.compress(b"\x02" + b"\x90" * 500 + b"/JS(" + b"\x80" * 500) + stored.flush()
    picture = b"\xff\xd8\xff\xe0" + b"\x91" * 300 + b"/JS <a1 /JS 1 0 R" + b"\x92" * 300 + b"\xff\xd9"
    data = samples.pdf(extra_objects=[
        b"<< /Type /XObject /Subtype /Image /Filter /FlateDecode /Length %d >>\nstream\n" % len(image) + image
        + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length %d >>\nstream\n" % len(picture) + picture
        + b"\nendstream"])
    assert b"/JS(" in data and save(uploads, data)[0].kind == "pdf"


def test_a_pdf_of_random_compressed_data_is_taken(app, uploads):
    """30 MB of stream data as random as compressed pictures are: no name turns up by chance."""
    noise = samples.random_bytes(30 * MB, seed=24)
    data = samples.pdf(extra_objects=[b"<< /Filter /DCTDecode /Length %d >>\nstream\n" % len(noise) + noise
                                      + b"\nendstream"])
    assert save(uploads, data)[0].kind == "pdf"
