"""Every shape of the quote package's kept selects (each role's scope, each filter of the list, each approver's
queue) runs here twice with other values: under CHECK_KEPT_STATEMENTS a key that misses what its SQL depends on
fails."""
import itertools

import pytest

from salesweb.quotes import queries
from tests.conftest import client_for
from tests.quotes.test_quote_list import book  # noqa: F401 (the fixture)


@pytest.mark.parametrize("role", ["rep", "manager", "support"])
def test_every_filter_of_the_list_in_every_scope(app, book, role):  # noqa: F811
    client = client_for(app, book[role])
    owners = ["", str(book["rep"].id), str(book["west"].id)]
    for status, owner, q, validity in itertools.product(
            ["", "draft", "sent", "expired", "accepted"], owners, ["", "Acme", "Harb"], ["", "valid", "expired"]):
        response = client.get(f"/quotes?status={status}&owner={owner}&q={q}&validity={validity}&page=2")
        assert response.status_code == 200


def test_the_quote_page_in_every_scope(app, make, book):  # noqa: F811
    east, west = book["east_quote"], book["west_quote"]
    for role, sees_west in (("rep", False), ("manager", False), ("support", True), ("west", True)):
        client = client_for(app, book[role])
        for path in ("/quotes/{}", "/quotes/{}/print"):
            assert client.get(path.format(west.id)).status_code == (200 if sees_west else 404)
            assert client.get(path.format(east.id)).status_code == (404 if role == "west" else 200)


def test_each_approvers_queue(app, make, book):  # noqa: F811
    ops = make.user("ops")
    for user in (book["manager"], ops, book["manager"], ops):
        assert isinstance(queries.queue(user, book["today"]), list)


def test_the_new_quote_form_in_every_scope(app, make, book):  # noqa: F811
    east, west = book["east_quote"], book["west_quote"]
    for role, sees_west in (("rep", False), ("manager", False), ("support", True), ("west", True)):
        client = client_for(app, book[role])
        for quote, seen in ((west, sees_west), (east, role != "west")):
            status = client.get(f"/deals/{quote.deal_id}/quotes/new").status_code
            assert status == 404 if not seen else status in (200, 403)
