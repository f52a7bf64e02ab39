"""A corpus of hostile files through every upload point: executables, web pages and SVG with script, polyglots,
a zip bomb, an oversized file, an empty one, and names with a path, control characters or 300 characters. Each
is refused with a message in the form, and nothing is written: no row changes and no file is left behind.
Each point first takes a good file with the same form, so a refusal is the file's doing."""
import datetime
import io
from pathlib import Path

import pytest

from tests.files.test_storage import JPEG, PDF, PNG, office
from tests.hardening.walk import client_as, fingerprint
from tests.hardening.world import build

TODAY = datetime.date.today().isoformat()
BIG = 2 * 1024 * 1024  # over the 1 MB the test install accepts for files
BIG_CSV = 6 * 1024 * 1024  # over the 5 MB an import takes


def points(ids):
    """name → (role, url, other fields, file field, a good file): every form that takes a file."""
    return {
        "collateral": ("support", "/collateral/new", {"title": "Corpus", "kind": "brochure", "language": "en",
                                                      "tags": "x", "description": ""}, "file", (PDF, "ok.pdf")),
        "collateral version": ("support", f"/collateral/{ids['item_id']}/versions", {"note": "v"}, "file",
                               (PDF, "ok.pdf")),
        "visit photo": ("rep", "/visits/new", {"customer": ids["customer_id"], "occurred_on": TODAY,
                                               "occurred_time": "00:01", "duration_minutes": "30",
                                               "kind": "phone", "outcome": "", "purpose": "x"}, "photo",
                        (PNG, "ok.png")),
        "expense receipt": ("rep", "/expenses/new", {"spent_on": TODAY, "amount": "12.50", "category": "travel",
                                                     "description": "Taxi"}, "receipt", (PNG, "ok.png")),
        "signed contract": ("rep", f"/deals/{ids['won_deal_id']}/contract",
                            {"number": "HT-1", "signed_on": ids["won_on"], "value": "1000"}, "file",
                            (PDF, "ok.pdf")),
        "help request": ("rep", "/requests/new", {"question": "Which?", "urgency": "normal"}, "file",
                         (PDF, "ok.pdf")),
        "customer import": ("support", "/customers/import", {"on_duplicate": "skip"}, "file",
                            (b"name\nCorpus Co\n", "ok.csv")),
        "product import": ("support", "/ops/products/import", {}, "file",
                           (b"sku,name,unit,unit_price\nC-1,Corpus,pcs,1\n", "ok.csv")),
    }


def corpus(good):
    data, name = good
    extension = name.rsplit(".", 1)[1]
    return {
        "windows executable": (b"MZ\x90\x00" + b"\x00" * 200, f"setup.{extension}"),
        "linux executable": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, f"run.{extension}"),
        "web page": (b"<!doctype html><html><script>alert(1)</script></html>", f"page.{extension}"),
        "svg with script": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
                            b"</svg>", f"logo.{extension}"),
        "image with script": (PNG + b"<script>alert(1)</script>", f"photo.{extension}"),
        "pdf with a late script": (PDF + b"%" * 80_000 + b"<script>alert(1)</script>", f"late.{extension}"),
        "image with a zip": (JPEG + office("docx"), f"photo.{extension}"),
        "zip bomb": (office("docx", {"word/media/huge.bin": b"\x00" * (30 * 1024 * 1024)}), f"report.{extension}"),
        "oversized": (data + b"x,\n" * (BIG_CSV // 3) if extension == "csv" else data + b"\x00" * BIG, name),
        "empty": (b"", name),
        "path in the name": (data, f"../../{name}"),
        "control characters in the name": (data, f"a\x07b.{extension}"),
        "300-character name": (data, "n" * 296 + f".{extension}"),
    }


def files_under(folder):
    root = Path(folder)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("point", ["collateral", "collateral version", "visit photo", "expense receipt",
                                   "signed contract", "help request", "customer import", "product import"])
def test_every_hostile_file_is_refused_at_every_upload_point(app, make, point):
    world = build(app, make)
    app.config["MAX_UPLOAD_MB"] = 1
    ids = {**world.ids, "won_on": (datetime.date.today() - datetime.timedelta(days=10)).isoformat()}
    role, url, fields, file_field, good = points(ids)[point]
    client, token = client_as(app, world, role)

    def send(data, name):
        response = client.post(url, data={"csrf_token": token, **fields, file_field: (io.BytesIO(data), name)},
                               content_type="multipart/form-data", headers={"Accept-Language": "en"})
        return response, response.get_data(as_text=True)

    uploads = app.config["UPLOAD_DIR"]
    for label, (data, name) in corpus(good).items():
        with app.app_context():
            before = fingerprint()
        kept = files_under(uploads)
        response, body = send(data, name)
        assert response.status_code in (400, 413, 422), (point, label, response.status_code)
        assert 'class="field-error' in body or "error" in body, (point, label, "no message in the form")
        with app.app_context():
            assert fingerprint() == before, (point, label, "rows changed")
        assert files_under(uploads) == kept, (point, label, "a file was left behind")
    response, _body = send(*good)  # and the same form takes a good file
    assert response.status_code in (302, 303), (point, response.status_code)
