"""The library's rules without HTTP: items and versions, tags, search and order, downloads, share links."""
import datetime
import io

import pytest

from salesweb.models import AuditEvent, CollateralItem, CollateralTag, CollateralVersion, Download, ShareLink, StoredFile
from salesweb.collateral import queries, rules as collateral
from salesweb.core.errors import Invalid
from tests.infra.test_storage import PDF, PNG, files_in, office

MB = 1024 * 1024
NOW = datetime.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def uploads(app):
    return app.config["UPLOAD_DIR"]


def values(**kw):
    return {"title": "X200 brochure", "kind": "brochure", "language": "en", "tags": "X200, Pumps", "description": "",
            **kw}


def upload(uploads, by, data=PDF, name="x200.pdf", **kw):
    return collateral.create(values(**kw), (io.BytesIO(data), name), by, uploads, 5 * MB, now=kw.pop("now", NOW))


def test_an_upload_makes_an_item_with_its_first_version_and_tags(app, make, uploads):
    support = make.user("support")
    item = upload(uploads, support, tags="X200, pumps，泵、 X200")
    assert (item.version_count, item.title, item.created_by_id) == (1, "X200 brochure", support.id)
    version = CollateralVersion.get(CollateralVersion.item == item)
    assert (version.number, version.filename, version.file.kind) == (1, "x200.pdf", "pdf")
    assert [t.tag for t in CollateralTag.select().order_by(CollateralTag.id)] == ["X200", "pumps", "泵"]
    assert AuditEvent.select().where(AuditEvent.object_type == "collateral_item").count() == 1


@pytest.mark.parametrize("bad, field", [
    ({"title": "  "}, "title"), ({"title": "x" * 201}, "title"), ({"kind": "poster"}, "kind"),
    ({"language": "fr"}, "language"), ({"tags": ",".join(f"t{i}" for i in range(21))}, "tags"),
    ({"tags": "y" * 61}, "tags"), ({"description": "d" * 5001}, "description"),
])
def test_bad_details_are_refused_before_any_file_is_kept(app, make, uploads, bad, field):
    with pytest.raises(Invalid) as refused:
        upload(uploads, make.user("support"), **bad)
    assert field in refused.value.errors
    assert files_in(uploads) == [] and not CollateralItem.select().exists() and not StoredFile.select().exists()


def test_a_refused_file_leaves_no_item(app, make, uploads):
    with pytest.raises(Invalid):
        upload(uploads, make.user("support"), data=b"MZ" + b"\x00" * 50, name="setup.pdf")
    assert files_in(uploads) == [] and not CollateralItem.select().exists()


def test_a_failure_after_the_file_is_saved_removes_the_file_again(app, make, uploads, monkeypatch):
    def broken(*args, **kw):
        raise RuntimeError("disk full")
    monkeypatch.setattr(collateral, "_set_tags", broken)
    with pytest.raises(RuntimeError):
        upload(uploads, make.user("support"))
    assert files_in(uploads) == [] and not CollateralItem.select().exists() and not StoredFile.select().exists()


def test_new_versions_keep_the_history_and_become_current(app, make, uploads):
    support = make.user("support")
    item = upload(uploads, support)
    later = NOW + datetime.timedelta(days=3)
    collateral.add_version(item, (io.BytesIO(PDF + b"% v2\n"), "x200-2027.pdf"), "2027 prices", support, uploads, 5 * MB,
                           now=later)
    current = queries.get_item(item.id)
    assert (current.version_count, current.current.filename, current.current.note) == (2, "x200-2027.pdf", "2027 prices")
    assert current.updated_at == later
    assert [v.number for v in queries.versions(current)] == [2, 1]
    with pytest.raises(Invalid):
        collateral.add_version(item, (io.BytesIO(PDF), "x.pdf"), "n" * 501, support, uploads, 5 * MB)
    assert queries.get_item(item.id).version_count == 2


def test_an_archived_item_leaves_search_but_keeps_its_history(app, make, uploads):
    support = make.user("support")
    item = upload(uploads, support)
    collateral.set_archived(item, True, support)
    assert list(queries.search({})) == []
    assert [i.id for i in queries.search({"archived": True})] == [item.id]
    assert queries.get_item(item.id).current.filename == "x200.pdf"
    with pytest.raises(Invalid):
        collateral.add_version(item, (io.BytesIO(PDF), "x.pdf"), "", support, uploads, 5 * MB)
    rep = make.user("rep")
    with pytest.raises(Invalid):
        collateral.share(item, make.customer(rep), rep, 7)


def test_search_matches_title_or_tag_and_filters_by_kind_product_and_language(app, make, uploads):
    support = make.user("support")
    brochure = upload(uploads, support, title="X200 brochure", tags="X200")
    deck = upload(uploads, support, data=office("pptx"), name="deck.pptx", title="Company deck", kind="presentation",
                  tags="Pumps, Valves", language="zh")
    prices = upload(uploads, support, data=office("xlsx"), name="p.xlsx", title="Price list 2027", kind="price_list",
                    tags="x200", language="multi")

    def ids(**criteria):
        return {i.id for i in queries.search(criteria)}
    assert ids(q="x200") == {brochure.id, prices.id}      # title or tag, any case
    assert ids(q="valv") == {deck.id}                      # part of a tag
    assert ids(q="100%") == set()                          # % is a plain character
    assert ids(kind="presentation") == {deck.id}
    assert ids(product="X200") == {brochure.id, prices.id}
    assert ids(language="zh") == {deck.id}
    assert ids(kind="nonsense", language="fr") == {brochure.id, deck.id, prices.id}
    assert queries.products() == [("pumps", "Pumps"), ("valves", "Valves"), ("x200", "X200")]


def test_newest_and_most_downloaded_first(app, make, uploads):
    support = make.user("support")
    old = upload(uploads, support, title="Old", now=NOW - datetime.timedelta(days=30))
    new = upload(uploads, support, title="New", data=PNG, name="n.png")
    for _ in range(3):
        collateral.record_download(old, queries.get_item(old.id).current, user=support)
    assert [i.title for i in queries.search({"sort": "newest"})] == ["New", "Old"]
    assert [i.title for i in queries.search({"sort": "downloads"})] == ["Old", "New"]
    assert [i.title for i in queries.search({"sort": "title"})] == ["New", "Old"]
    assert queries.get_item(old.id).download_count == 3 and new.download_count == 0


def test_a_share_link_expires_after_the_configured_days_and_can_be_revoked(app, make, uploads):
    item = upload(uploads, make.user("support"))
    rep = make.user("rep")
    customer = make.customer(rep, name="Acme")
    link = collateral.share(item, customer, rep, 7, now=NOW)
    assert len(link.token) >= 40 and link.expires_at == NOW + datetime.timedelta(days=7)
    found = queries.find_link(link.token)
    assert found.customer.name == "Acme" and found.version.number == 1
    assert queries.link_state(found, NOW + datetime.timedelta(days=7) - datetime.timedelta(seconds=1)) == "active"
    assert queries.link_state(found, NOW + datetime.timedelta(days=7)) == "expired"
    collateral.revoke(found, rep, now=NOW + datetime.timedelta(hours=1))
    assert queries.link_state(queries.find_link(link.token), NOW) == "revoked"
    assert queries.find_link("guessed-" + link.token[8:]) is None and queries.find_link("x" * 65) is None


def test_a_link_keeps_the_version_it_was_made_for(app, make, uploads):
    support, rep = make.user("support"), make.user("rep")
    item = upload(uploads, support)
    link = collateral.share(item, make.customer(rep), rep, 7)
    collateral.add_version(item, (io.BytesIO(PNG), "v2.png"), "", support, uploads, 5 * MB)
    assert queries.find_link(link.token).version.number == 1


def test_only_reps_and_managers_share_and_only_with_customers_they_see(app, make, uploads):
    item = upload(uploads, make.user("support"))
    rep, other = make.user("rep", team="East"), make.user("rep", team="West")
    theirs = make.customer(other)
    with pytest.raises(Invalid) as refused:
        collateral.share(item, theirs, rep, 7)
    assert "customer" in refused.value.errors
    with pytest.raises(Invalid):
        collateral.share(item, theirs, make.user("support"), 7)
    assert not ShareLink.select().exists()


def test_who_may_revoke(app, make, uploads):
    item = upload(uploads, make.user("support"))
    boss = make.user("manager", team="East")
    rep, peer = make.user("rep", team="East", reports_to=boss), make.user("rep", team="East", reports_to=boss)
    link = collateral.share(item, make.customer(rep), rep, 7)
    with pytest.raises(Invalid):
        collateral.revoke(link, peer)
    assert queries.link_state(ShareLink.get_by_id(link.id)) == "active"
    collateral.revoke(queries.get_share(link.id, boss), boss)
    assert ShareLink.get_by_id(link.id).revoked_by_id == boss.id


def test_downloads_through_a_link_count_for_the_link_and_the_item(app, make, uploads):
    item = upload(uploads, make.user("support"))
    rep = make.user("rep")
    link = collateral.share(item, make.customer(rep), rep, 7)
    found = queries.find_link(link.token)
    collateral.record_download(found.item, found.version, link=found)
    collateral.record_download(found.item, found.version, user=rep)
    assert ShareLink.get_by_id(link.id).download_count == 1
    assert CollateralItem.get_by_id(item.id).download_count == 2
    assert Download.select().where(Download.share_link.is_null(False)).count() == 1
    assert [v.downloads for v in queries.versions(item)] == [2]


def test_shares_of_an_item_show_only_customers_in_scope(app, make, uploads):
    item = upload(uploads, make.user("support"))
    rep, other = make.user("rep", team="East"), make.user("rep", team="West")
    collateral.share(item, make.customer(rep, name="Mine"), rep, 7)
    collateral.share(item, make.customer(other, name="Theirs"), other, 7)
    assert [s.customer.name for s in queries.shares_of_item(item, rep)] == ["Mine"]
    assert {s.customer.name for s in queries.shares_of_item(item, make.user("ops"))} == {"Mine", "Theirs"}
