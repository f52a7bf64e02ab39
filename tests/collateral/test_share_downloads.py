"""Downloads through a customer's share link: rate-limited per address and per link (counted in the database,
like the public forms) with a clear page beyond, and each download counted once, however it is fetched."""
import datetime

import pytest

from salesweb.core.db import utcnow
from salesweb.models import CollateralItem, Download, PublicHit, ShareLink
from tests.collateral.test_pages import EN, an_item, people, share  # noqa: F401 (the people fixture)
from tests.conftest import ON_POSTGRES, count_queries
from tests.infra.test_storage import PDF


@pytest.fixture
def link(app, people, make):
    item = an_item(app, people)
    share(people["rep_client"], item, make.customer(people["rep"]).id)
    return ShareLink.get()


def fetch(client, link, address="203.0.113.7", **headers):
    return client.get(f"/s/{link.token}/download", headers={**EN, **headers}, environ_base={"REMOTE_ADDR": address})


def counted(link):
    return ShareLink.get_by_id(link.id).download_count


def test_many_range_requests_from_one_customer_count_as_one_download(app, link):
    customer = app.test_client()
    for _ in range(20):  # a player or a download manager probing the first byte again and again
        first = fetch(customer, link, Range="bytes=0-0")
        assert first.status_code == 206 and first.data == PDF[:1]
    for at in range(1, 9):  # and then fetching one byte at a time
        assert fetch(customer, link, Range=f"bytes={at}-{at}").data == PDF[at:at + 1]
    assert counted(link) == 1
    assert CollateralItem.get_by_id(link.item_id).download_count == 1
    assert Download.select().where(Download.share_link == link.id).count() == 1


def test_a_304_a_head_or_a_later_range_is_no_download_and_another_address_is_another(app, link):
    customer = app.test_client()
    etag = customer.head(f"/s/{link.token}/download", environ_base={"REMOTE_ADDR": "203.0.113.7"}).headers["ETag"]
    assert fetch(customer, link, **{"If-None-Match": etag}).status_code == 304
    assert fetch(customer, link, Range="bytes=5-").status_code == 206
    assert counted(link) == 0
    assert fetch(customer, link).status_code == 200
    assert fetch(app.test_client(), link, address="198.51.100.20").status_code == 200  # a colleague's copy
    assert counted(link) == 2


def test_one_address_is_refused_after_its_limit_with_a_clear_page_and_nothing_counted(app, link):
    limit = 30  # requests an address may make in five minutes
    customer = app.test_client()
    for _ in range(limit):
        assert fetch(customer, link, Range="bytes=0-0").status_code == 206
    refused = fetch(customer, link)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "300"
    page = refused.get_data(as_text=True)
    assert "Too many downloads from here in a short time" in page and PDF.decode() not in page
    assert counted(link) == 1
    zh = customer.get(f"/s/{link.token}/download", headers={"Accept-Language": "zh-CN"},
                      environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert zh.status_code == 429 and "短时间内下载次数过多" in zh.get_data(as_text=True)
    assert fetch(app.test_client(), link, address="198.51.100.20").status_code == 200  # others are not held up
    # once the window has passed, the address may fetch again
    PublicHit.update(at=utcnow() - datetime.timedelta(minutes=6)).execute()
    assert fetch(customer, link).status_code == 200


def test_one_link_is_refused_after_its_limit_from_any_address(app, link):
    limit = 120  # requests a link takes in an hour
    for n in range(limit):
        assert fetch(app.test_client(), link, address=f"10.0.{n // 200}.{n % 200}").status_code == 200, n
    assert fetch(app.test_client(), link, address="192.0.2.1").status_code == 429
    assert counted(link) == limit  # each address's first download counted, the refused one not


def test_a_download_sends_a_fixed_number_of_queries(app, link):
    customer = app.test_client()
    fetch(customer, link)
    with count_queries() as again:  # limits checked (two reads, two writes), already counted (one read)
        assert fetch(customer, link).status_code == 200
    with count_queries() as first:
        assert fetch(customer, link, address="198.51.100.20").status_code == 200
    # PostgreSQL takes an advisory lock before each of the three limits' reads (SQLite's write lock does it there)
    assert (len(again), len(first)) == ((9, 13) if ON_POSTGRES else (6, 10))
