"""The library over HTTP: roles, the upload matrix, downloads, sharing, scope, CSRF and query counts."""
import datetime
import io
import itertools
import re

import pytest

from salesweb.models import AuditEvent, CollateralItem, Download, ShareLink, StoredFile
from salesweb.collateral import queries, rules as collateral
from tests.conftest import count_queries, csrf_token, post
from tests.infra.test_storage import JPEG, MP4, PDF, PNG, files_in, office

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", **EN}


@pytest.fixture
def people(app, signed_in):
    support_client, support = signed_in("support", name="Sue Support")
    boss_client, boss = signed_in("manager", name="Boss", team="East")
    rep_client, rep = signed_in("rep", name="Rep One", team="East", reports_to=boss)
    other_client, other = signed_in("rep", name="Rep Two", team="West")
    return dict(support=support, support_client=support_client, boss=boss, boss_client=boss_client, rep=rep,
                rep_client=rep_client, other=other, other_client=other_client)


def form(title="X200 brochure", data=PDF, name="x200.pdf", **kw):
    return {"title": title, "kind": "brochure", "language": "en", "tags": "X200", "description": "For buyers",
            "file": (io.BytesIO(data), name), **kw}


def upload(client, **kw):
    return post(client, "/collateral/new", form(**kw), token_from="/collateral/new",
                content_type="multipart/form-data", headers=EN)


def an_item(app, people, **kw):
    with app.app_context():
        return collateral.create(
            {"title": kw.pop("title", "X200 brochure"), "kind": "brochure", "language": "en", "tags": "X200",
             **kw}, (io.BytesIO(kw.pop("data", PDF)), kw.pop("name", "产品手册.pdf")), people["support"],
            app.config["UPLOAD_DIR"], 50 * 1024 * 1024)


@pytest.mark.parametrize("data, name", [
    (PDF, "brochure.pdf"), (office("pptx"), "deck.pptx"), (office("docx"), "合同模板.docx"),
    (office("xlsx"), "prices.xlsx"), (PNG, "photo.png"), (JPEG, "photo.jpg"), (MP4, "demo.mp4"),
])
def test_support_uploads_each_allowed_type(app, people, data, name):
    response = upload(people["support_client"], data=data, name=name)
    assert response.status_code == 303
    item = CollateralItem.get()
    assert response.headers["Location"].endswith(f"/collateral/{item.id}")
    page = people["support_client"].get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert "X200 brochure" in page and name in page and "Uploaded." in page


@pytest.mark.parametrize("data, name, message", [
    (b"MZ\x90\x00" + b"\x00" * 200, "brochure.pdf", "not accepted"),
    (b"<!doctype html><script>alert(1)</script>", "brochure.pdf", "not accepted"),
    (office("docx", {"word/media/huge.bin": b"\x00" * (20 * 1024 * 1024)}), "report.docx", "unpacks to far more"),
    (b"", "empty.pdf", "empty"),
    (PDF, "x.docx", "name ends in"),
    (PDF, "../../x.pdf", "folder path"),
    (PDF, "a\x07b.pdf", "control characters"),
    (PDF, "report\u202efdp.exe", "control characters"),
    (PDF, "x" * 296 + ".pdf", "longer than 200"),
    (PDF, "", "Choose a file"),  # a browser sends a file field without a name when none was chosen
    (PNG + b"<html><script>alert(1)</script>", "photo.png", "also something else"),
    (PDF + b"%" * 70_000 + b"<script>alert(1)</script>\n%%EOF", "late.pdf", "also something else"),
])
def test_refused_uploads_say_why_and_write_nothing(app, people, data, name, message):
    response = upload(people["support_client"], data=data, name=name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not CollateralItem.select().exists() and not StoredFile.select().exists()
    assert files_in(app.config["UPLOAD_DIR"]) == []


def test_a_file_over_the_limit_is_refused_while_streaming(app, people):
    app.config["MAX_UPLOAD_MB"] = "1"
    response = upload(people["support_client"], data=PDF + b"x" * (1024 * 1024 + 10), name="big.pdf")
    assert response.status_code == 422 and "larger than 1 MB" in response.get_data(as_text=True)
    assert files_in(app.config["UPLOAD_DIR"]) == []


def test_a_request_over_the_content_length_gets_a_clear_page(app, people):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = upload(people["support_client"], data=PDF + b"x" * 4096, name="big.pdf")
    assert response.status_code == 413 and "larger than this installation accepts" in response.get_data(as_text=True)
    assert not CollateralItem.select().exists()


def test_missing_title_or_file_keeps_the_input(app, people):
    response = post(people["support_client"], "/collateral/new",
                    {"title": "", "kind": "brochure", "language": "en", "tags": "Pumps, X200"},
                    token_from="/collateral/new", content_type="multipart/form-data", headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a file to upload." in body and 'value="Pumps, X200"' in body


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_reps_and_managers_browse_but_do_not_upload_or_edit(app, people, signed_in, role):
    item = an_item(app, people)
    client, _user = signed_in(role, team="East")
    assert client.get("/collateral", headers=EN).status_code == 200
    assert client.get("/collateral/new").status_code == 403
    assert upload(client).status_code in (400, 403)
    assert post(client, f"/collateral/{item.id}/archive", {}, token_from="/collateral").status_code == 403
    assert post(client, f"/collateral/{item.id}/edit", {"title": "Hacked"}, token_from="/collateral").status_code == 403
    assert post(client, f"/collateral/{item.id}/versions", {"file": (io.BytesIO(PDF), "v.pdf")},
                token_from="/collateral", content_type="multipart/form-data").status_code == 403
    assert CollateralItem.get_by_id(item.id).title == "X200 brochure"
    page = client.get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert "Edit details" not in page and "Upload a new version" not in page


def test_the_library_searches_filters_and_answers_a_fragment(app, people):
    an_item(app, people, title="X200 brochure")
    an_item(app, people, title="Pump deck", kind="presentation", tags="Pumps", data=office("pptx"), name="d.pptx")
    client = people["rep_client"]
    page = client.get("/collateral?q=pump", headers=HX)
    body = page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"] and "<html" not in body
    assert "Pump deck" in body and "X200 brochure" not in body and "1 item" in body
    body = client.get("/collateral?kind=brochure&sort=downloads", headers=EN).get_data(as_text=True)
    assert "X200 brochure" in body and "Pump deck" not in body and "<html" in body
    body = client.get("/collateral?product=x200", headers=EN).get_data(as_text=True)
    assert "X200 brochure" in body and "Pump deck" not in body
    assert "Nothing in the library matches" in client.get("/collateral?q=zzz", headers=EN).get_data(as_text=True)


def test_every_filter_combination_lists_what_it_matches(app, people):
    """Each shape of the library's kept reads: every filter present or not, each sort, with archived items or not."""
    an_item(app, people, title="X200 brochure")
    an_item(app, people, title="Pump deck", kind="presentation", tags="Pumps", data=office("pptx"), name="d.pptx")
    filters = {"q": "pump", "kind": "presentation", "language": "en", "product": "pumps"}
    for present in itertools.product((False, True), repeat=4):
        for sort in ("newest", "downloads", "title"):
            for client, archived in ((people["rep_client"], ""), (people["support_client"], "1")):
                query = "&".join(f"{name}={value}" for (name, value), on in zip(filters.items(), present) if on)
                body = client.get(f"/collateral?{query}&sort={sort}&archived={archived}",
                                  headers=EN).get_data(as_text=True)
                assert "Pump deck" in body
                assert ("X200 brochure" in body) == (not any(present[:2]) and not present[3])


@pytest.mark.parametrize("query", ["page=-1", "page=99999999999999999999", "kind=<x>", "sort=drop", "q=" + "x" * 500,
                                   "product=" + "p" * 500, "archived=y", "language=%01"])
def test_the_library_survives_odd_query_strings(app, people, query):
    an_item(app, people)
    assert people["rep_client"].get(f"/collateral?{query}").status_code == 200


def test_archived_items_leave_the_library_for_everyone_but_editors_who_ask(app, people):
    item = an_item(app, people)
    client = people["support_client"]
    assert post(client, f"/collateral/{item.id}/archive", {"archived": "1"}, token_from="/collateral").status_code == 303
    assert "X200 brochure" not in people["rep_client"].get("/collateral?archived=y", headers=EN).get_data(as_text=True)
    assert "X200 brochure" in client.get("/collateral?archived=y", headers=EN).get_data(as_text=True)
    from salesweb.models import CollateralVersion
    version = CollateralVersion.get(CollateralVersion.item == item.id).id
    for path in (f"/collateral/{item.id}", f"/collateral/{item.id}/download",
                 f"/collateral/{item.id}/versions/{version}/download"):  # withdrawn: reps and managers reach it no more
        assert people["rep_client"].get(path).status_code == 404, path
    page = client.get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert "is archived" in page and "Create share link" not in page
    assert client.get(f"/collateral/{item.id}/download").status_code == 200  # its keepers still do
    post(client, f"/collateral/{item.id}/archive", {"archived": "0"}, token_from="/collateral")
    assert "X200 brochure" in people["rep_client"].get("/collateral", headers=EN).get_data(as_text=True)


def test_edit_and_new_version(app, people):
    item = an_item(app, people)
    client = people["support_client"]
    done = post(client, f"/collateral/{item.id}/edit", {"title": "X200 brochure 2027", "kind": "spec_sheet",
                                                       "language": "zh", "tags": "X200, 泵", "description": "新版"},
                token_from=f"/collateral/{item.id}/edit")
    assert done.status_code == 303
    refused = post(client, f"/collateral/{item.id}/versions", {"file": (io.BytesIO(b"MZ" * 40), "v2.pdf")},
                   token_from=f"/collateral/{item.id}", content_type="multipart/form-data", headers=EN)
    assert refused.status_code == 422 and "not accepted" in refused.get_data(as_text=True)
    added = post(client, f"/collateral/{item.id}/versions", {"file": (io.BytesIO(PNG), "v2.png"), "note": "Photo"},
                 token_from=f"/collateral/{item.id}", content_type="multipart/form-data")
    assert added.status_code == 303
    page = client.get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert "X200 brochure 2027" in page and "v2.png" in page and "Photo" in page and "Version 2 uploaded." in page
    assert "泵" in page and "Spec sheet" in page


def test_downloads_are_authorised_attachments_with_ranges_and_counted_once(app, people):
    item = an_item(app, people)
    client = people["rep_client"]
    response = client.get(f"/collateral/{item.id}/download")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E4%BA%A7%E5%93%81%E6%89%8B%E5%86%8C.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.mimetype == "application/pdf"
    etag = response.headers["ETag"]
    assert client.get(f"/collateral/{item.id}/download", headers={"If-None-Match": etag}).status_code == 304
    first = client.get(f"/collateral/{item.id}/download", headers={"Range": "bytes=0-4"})
    rest = client.get(f"/collateral/{item.id}/download", headers={"Range": "bytes=5-"})
    assert (first.status_code, first.data, rest.status_code, rest.data) == (206, b"%PDF-", 206, PDF[5:])
    asked_inline = client.get(f"/collateral/{item.id}/download?inline=1")
    assert asked_inline.headers["Content-Disposition"].startswith("attachment")  # a PDF never opens here
    assert CollateralItem.get_by_id(item.id).download_count == 3  # full, first range, inline; not the 304 or the rest
    assert Download.select().where(Download.user == people["rep"].id).count() == 3


def test_unknown_items_and_versions_are_not_found(app, people):
    item = an_item(app, people)
    other = an_item(app, people, title="Other", data=PNG, name="o.png")
    version_of_other = queries.versions(other)[0]
    client = people["rep_client"]
    assert client.get(f"/collateral/{item.id}/versions/{version_of_other.id}/download").status_code == 404
    assert client.get("/collateral/99999999999999999999").status_code == 404
    assert client.get("/collateral/12345/download").status_code == 404
    assert client.get("/collateral").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get(f"/collateral/{item.id}/download").status_code == 302  # to sign in


def share(client, item, customer_id=None, customer_name=None):
    data = {"customer": str(customer_id or ""), "customer_name": customer_name or ""}
    return post(client, f"/collateral/{item.id}/share", data, token_from=f"/collateral/{item.id}", headers=HX)


def test_a_rep_shares_with_a_customer_and_the_customer_downloads_without_signing_in(app, people, make):
    item = an_item(app, people)
    customer = make.customer(people["rep"], name="Acme 上海")
    response = share(people["rep_client"], item, customer.id)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    link = ShareLink.get()
    assert f"/s/{link.token}" in body and "Copy link" in body and "Acme 上海" in body
    public = app.test_client()
    landing = public.get(f"/s/{link.token}", headers=EN)
    assert landing.status_code == 200 and "X200 brochure" in landing.get_data(as_text=True)
    assert landing.headers.get("X-Robots-Tag") == "noindex"
    download = public.get(f"/s/{link.token}/download")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert ShareLink.get_by_id(link.id).download_count == 1
    timeline = people["rep_client"].get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    assert "Shared" in timeline and "X200 brochure" in timeline and "1 download" in timeline
    assert AuditEvent.select().where(AuditEvent.object_type == "share_link").count() == 1


def test_a_share_needs_a_customer_in_scope(app, people, make):
    item = an_item(app, people)
    theirs = make.customer(people["other"], name="Theirs")
    refused = share(people["rep_client"], item, theirs.id)
    assert refused.status_code == 422 and "Choose one of your customers." in refused.get_data(as_text=True)
    assert share(people["rep_client"], item).status_code == 422
    assert share(people["support_client"], item, theirs.id).status_code == 403
    assert not ShareLink.select().exists()
    mine = make.customer(people["rep"], name="Only Mine")
    assert share(people["rep_client"], item, customer_name="Only Mine").status_code == 200  # typed, not picked
    assert ShareLink.get().customer_id == mine.id


def test_expired_revoked_and_guessed_links(app, people, make):
    item = an_item(app, people)
    customer = make.customer(people["rep"])
    share(people["rep_client"], item, customer.id)
    link = ShareLink.get()
    public = app.test_client()
    assert public.get(f"/s/{link.token[:-2]}xx").status_code == 404
    assert public.get("/s/" + "a" * 80).status_code == 404
    ShareLink.update(expires_at=ShareLink.created_at).execute()
    expired = public.get(f"/s/{link.token}/download", headers=EN)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert ShareLink.get_by_id(link.id).download_count == 0
    ShareLink.update(expires_at=link.expires_at).execute()  # valid again, to revoke it
    assert post(people["other_client"], f"/collateral/shares/{link.id}/revoke", {},
                token_from="/collateral").status_code == 404  # outside their scope
    assert post(people["rep_client"], f"/collateral/shares/{link.id}/revoke", {},
                token_from="/collateral").status_code == 303
    revoked = public.get(f"/s/{link.token}", headers=EN)
    assert revoked.status_code == 410 and "withdrawn" in revoked.get_data(as_text=True)
    assert public.get(f"/s/{link.token}/download").status_code == 410


def test_state_changes_need_the_csrf_token(app, people, make):
    item = an_item(app, people)
    client = people["support_client"]
    assert client.post(f"/collateral/{item.id}/archive", data={"archived": "1"}).status_code == 400
    assert client.post("/collateral/new", data=form(), content_type="multipart/form-data").status_code == 400
    customer = make.customer(people["rep"])
    assert people["rep_client"].post(f"/collateral/{item.id}/share", data={"customer": customer.id}).status_code == 400
    assert not CollateralItem.get_by_id(item.id).archived and not ShareLink.select().exists()


def test_query_counts_do_not_grow_with_the_library(app, people, make):
    client = people["rep_client"]
    first = an_item(app, people)
    customer = make.customer(people["rep"])
    with count_queries() as small_list:
        client.get("/collateral")
    with count_queries() as small_item:
        client.get(f"/collateral/{first.id}")
    for i in range(30):
        item = an_item(app, people, title=f"Item {i}", data=PDF + str(i).encode(), name=f"i{i}.pdf")
        collateral.share(item, customer, people["rep"], 7)
        collateral.share(first, customer, people["rep"], 7)
    with count_queries() as big_list:
        client.get("/collateral")
    with count_queries() as big_item:
        client.get(f"/collateral/{first.id}")
    assert len(big_list) == len(small_list) <= 12
    assert len(big_item) == len(small_item) <= 12


def test_archiving_an_item_withdraws_its_links(app, people, make):
    item = an_item(app, people)
    share(people["rep_client"], item, make.customer(people["rep"]).id)
    link = ShareLink.get()
    post(people["support_client"], f"/collateral/{item.id}/archive", {"archived": "1"}, token_from="/collateral")
    public = app.test_client()
    withdrawn = public.get(f"/s/{link.token}", headers=EN)
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.get_data(as_text=True)
    assert public.get(f"/s/{link.token}/download").status_code == 410


def test_head_requests_and_odd_tokens_are_not_downloads(app, people, make):
    item = an_item(app, people)
    share(people["rep_client"], item, make.customer(people["rep"]).id)
    link = ShareLink.get()
    public = app.test_client()
    assert public.head(f"/s/{link.token}/download").status_code == 200
    assert people["rep_client"].head(f"/collateral/{item.id}/download").status_code == 200
    assert ShareLink.get_by_id(link.id).download_count == 0 and CollateralItem.get_by_id(item.id).download_count == 0
    for token in ("a%00b" + "c" * 40, "..%2F..%2Fetc", "x" * 30 + "%20" + "y" * 10):
        assert public.get(f"/s/{token}").status_code in (400, 404)


def test_sharing_without_javascript_returns_to_the_item_with_the_link_to_copy(app, people, make):
    item = an_item(app, people)
    customer = make.customer(people["rep"], name="No Script Co")
    response = post(people["rep_client"], f"/collateral/{item.id}/share", {"customer": str(customer.id)},
                    token_from=f"/collateral/{item.id}", headers=EN)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/collateral/{item.id}#share-panel")
    page = people["rep_client"].get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert f"/s/{ShareLink.get().token}" in page and "Copy link" in page
    assert f"/s/{ShareLink.get().token}" not in people["boss_client"].get(f"/collateral/{item.id}").get_data(as_text=True)


def test_a_pdf_is_always_a_sandboxed_attachment_and_only_an_image_previews_inline(app, people):
    pdf = an_item(app, people)
    png = an_item(app, people, title="Photo", data=PNG, name="p.png")
    client = people["rep_client"]
    asked_inline = client.get(f"/collateral/{pdf.id}/download?inline=1")
    assert asked_inline.headers["Content-Disposition"].startswith("attachment")
    assert asked_inline.headers["Content-Security-Policy"].startswith("sandbox")
    assert asked_inline.headers["X-Content-Type-Options"] == "nosniff" and asked_inline.mimetype == "application/pdf"
    image = client.get(f"/collateral/{png.id}/download?inline=1")
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["Content-Security-Policy"].startswith("sandbox")
    assert "Preview" not in client.get(f"/collateral/{pdf.id}", headers=EN).get_data(as_text=True)
    assert "Preview" in client.get(f"/collateral/{png.id}", headers=EN).get_data(as_text=True)


def test_a_share_lasts_as_many_days_as_the_setting_says(app, people, make):
    from salesweb.core import settings
    settings.update({"share_link_days": 14}, by=make.user("admin"))
    item = an_item(app, people)
    customer = make.customer(people["rep"], name="Fortnight Co")
    assert share(people["rep_client"], item, customer.id).status_code == 200
    link = ShareLink.get()
    assert (link.expires_at - link.created_at) == datetime.timedelta(days=14)


@pytest.mark.parametrize("role", ["ops", "admin"])
def test_ops_and_admin_keep_the_library_too(app, signed_in, role):
    client, _user = signed_in(role)
    assert upload(client, title=f"{role} sheet").status_code == 303
    item = CollateralItem.get(CollateralItem.title == f"{role} sheet")
    assert post(client, f"/collateral/{item.id}/versions", {"file": (io.BytesIO(PNG), "v2.png"), "note": "Photo"},
                token_from=f"/collateral/{item.id}", content_type="multipart/form-data").status_code == 303
    assert CollateralItem.get_by_id(item.id).version_count == 2


def test_a_card_shows_kind_size_version_and_date_and_the_item_its_downloads(app, people):
    item = an_item(app, people, title="Sized brochure")
    with app.app_context():
        collateral.add_version(item, (io.BytesIO(PDF + b"%" * 2048), "v2.pdf"), "Bigger", people["support"],
                               app.config["UPLOAD_DIR"], 5 * 1024 * 1024)
    assert people["rep_client"].get(f"/collateral/{item.id}/download").status_code == 200
    body = people["rep_client"].get("/collateral", headers=EN).get_data(as_text=True)
    card = body[body.index("Sized brochure"):][:1500]
    assert "Brochure · PDF · 2.1 KB" in card and re.search(r"· v2 · [A-Z][a-z]{2} \d{1,2}, 20\d\d", card)
    page = people["rep_client"].get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert "Bigger" in page and "1 download" in page


def test_the_item_page_lists_the_shares_each_role_sees(app, people, make, signed_in):
    """The item page's kept reads, in each scope shape (own, team, all) and with or without archived items."""
    item = an_item(app, people)
    with app.app_context():
        mine = make.customer(people["rep"], name="Mine Ltd")
        theirs = make.customer(people["other"], name="Theirs Ltd")
        collateral.share(item, mine, people["rep"], 7)
        collateral.share(item, theirs, people["other"], 7)
    ops_client, _ = signed_in("ops", name="Olly Ops")
    seen = {"rep_client": {"Mine Ltd"}, "boss_client": {"Mine Ltd"}, "other_client": {"Theirs Ltd"},
            "support_client": {"Mine Ltd", "Theirs Ltd"}}
    for client, names in [(people[name], names) for name, names in seen.items()] + [
            (ops_client, {"Mine Ltd", "Theirs Ltd"})]:
        page = client.get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
        assert {name for name in ("Mine Ltd", "Theirs Ltd") if name in page} == names
        assert "v1" in page and "Sue Support" in page
    with app.app_context():
        collateral.set_archived(item, True, people["support"])
    assert people["rep_client"].get(f"/collateral/{item.id}", headers=EN).status_code == 404
    page = people["support_client"].get(f"/collateral/{item.id}", headers=EN).get_data(as_text=True)
    assert "Archived" in page and "Revoked" in page
