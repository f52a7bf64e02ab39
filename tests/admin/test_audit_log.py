"""The audit log pages by key, newest first, without counting the whole history; its "who" filter is a select
for few people and a picker beyond."""
import datetime
import re

from salesweb.audit import queries
from salesweb.core import audit
from salesweb.models import AuditEvent, User
from tests.conftest import count_queries

EN = {"Accept-Language": "en"}


def _summaries(page):
    return re.findall(r'data-label="Details">(step \d+)<', page)


def _link(page, rel):
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_newer_and_older_walk_every_event_once_in_order_whatever_the_ties(app, signed_in, make):
    client, _admin = signed_in("admin")
    app.config["PAGE_SIZE"] = 4
    actor = make.user("ops", name="Olga Ops")
    AuditEvent.delete().execute()
    same = datetime.datetime(2026, 3, 1, 9, 0)
    for n in range(11):  # three share a time: the id orders them
        audit.record("edit", actor=actor, summary=f"step {n:02}")
        AuditEvent.update(at=same if 4 <= n <= 6 else same + datetime.timedelta(minutes=n + 1)).where(
            AuditEvent.summary == f"step {n:02}").execute()
    expected = [f"step {n:02}" for n in (10, 9, 8, 7, 3, 2, 1, 0, 6, 5, 4)]
    seen, url, pages = [], "/audit/?action=edit", []
    while url:
        page = client.get(url, headers=EN).get_data(as_text=True)
        pages.append(page)
        seen += _summaries(page)
        url = _link(page, "next")
    assert seen == expected and len(pages) == 3
    assert "11 events" in pages[0] and _link(pages[0], "prev") is None
    # and back: Newer from the last page gives the pages before it, in the same order
    back = client.get(_link(pages[2], "prev"), headers=EN).get_data(as_text=True)
    assert _summaries(back) == expected[4:8]
    top = client.get(_link(back, "prev"), headers=EN).get_data(as_text=True)
    assert _summaries(top) == expected[:4] and _link(top, "prev") is None
    # a key that names no event shows the newest page
    assert _summaries(client.get("/audit/?older=99999999", headers=EN).get_data(as_text=True))[:1] == ["step 10"]


def test_the_count_reads_no_further_than_it_says(app, signed_in, make):
    client, _admin = signed_in("admin")
    AuditEvent.delete().execute()
    AuditEvent.insert_many([{"at": datetime.datetime(2026, 1, 1), "action": "edit", "summary": f"e{n}"}
                            for n in range(queries.COUNTED + 1)]).execute()
    page = client.get("/audit/", headers=EN).get_data(as_text=True)
    assert f"More than {queries.COUNTED} events" in page
    AuditEvent.delete().where(AuditEvent.summary == "e0").execute()
    assert f"{queries.COUNTED} events" in client.get("/audit/", headers=EN).get_data(as_text=True)


def test_a_page_of_the_log_takes_the_same_queries_on_any_page(app, signed_in, make):
    client, _admin = signed_in("admin")
    app.config["PAGE_SIZE"] = 3
    for n in range(10):
        audit.record("edit", actor=None, summary=f"step {n:02}")
    first = client.get("/audit/").get_data(as_text=True)
    counts = []
    for url in ("/audit/", _link(first, "next")):
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        counts.append(len(seen))
    # the session's user, the people for the "who" filter, the count, the page
    assert counts == [4, 4]


def test_the_who_filter_is_a_picker_beyond_twenty_people(app, signed_in, make):
    client, admin = signed_in("admin", name="Admin")
    olga = make.user("ops", name="Olga Ops")
    audit.record("edit", actor=olga, summary="budget East travel")
    page = client.get("/audit/", headers=EN).get_data(as_text=True)
    assert '<select id="actor" name="actor">' in page and ">Olga Ops</option>" in page
    for n in range(queries.ACTORS_LISTED):
        make.user("rep", name=f"Rep {n:02}")
    page = client.get(f"/audit/?actor={olga.id}", headers=EN).get_data(as_text=True)
    assert '<select id="actor"' not in page and "Rep 05" not in page
    assert re.search(r'id="actor-name"[^>]*value="Olga Ops"', page, re.S) and "budget East travel" in page
    picked = client.get("/audit/people?person_name=rep 0", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert set(re.findall(r'data-label="([^"]+)"', picked)) == {f"Rep {n:02}" for n in range(10)}
    assert "Not a valid choice" in client.get("/audit/?actor=99999", headers=EN).get_data(as_text=True)
    assert User.select().count() == queries.ACTORS_LISTED + 2
