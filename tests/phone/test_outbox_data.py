"""What a phone's outbox and offline visit form read from the server: who is signed in with a fresh form token, and
the rep's own book (customers, their people, their open deals), never anyone else's."""
import re

from salesweb.models import Contact, Deal, Stage

from ..conftest import count_queries

JSON = {"Accept": "application/json"}


def test_the_token_names_the_user_signed_in_and_is_never_kept_by_anyone(app, signed_in):
    client, rep = signed_in("rep")
    response = client.get("/phone/token", headers=JSON)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["user"] == rep.id and len(body["csrf"]) > 20


def test_signed_out_the_phone_gets_401_and_the_session_is_left_alone(app, client, signed_in):
    for url in ("/phone/token", "/phone/book"):
        response = client.get(url, headers=JSON)
        assert response.status_code == 401 and "Set-Cookie" not in response.headers, url
        assert response.get_json() == {"errors": {"form": "Sign in to send what waits on this phone."}}
    rep_client, _rep = signed_in("rep")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', rep_client.get("/account/password")
                      .get_data(as_text=True)).group(1)
    name = app.config["SESSION_COOKIE_NAME"]
    old_cookie = rep_client.get_cookie(name).value
    rep_client.post("/logout", data={"csrf_token": token})  # signed out; a request sent before, with the old cookie
    rep_client.set_cookie(name, old_cookie)
    late = rep_client.get("/phone/book", headers=JSON)
    assert late.status_code == 401 and "Set-Cookie" not in late.headers  # the sign-out's cookie is not overwritten


def test_the_book_is_the_reps_own_customers_by_name_with_their_people_and_open_deals(app, signed_in, make):
    client, rep = signed_in("rep", team="East")
    other = make.user("rep", team="East")
    zeta = make.customer(rep, name="Zeta Pumps", tier="A", phone="021-1", address="1 Bund Road")
    alpha = make.customer(rep, name="alpha Mills", tier="C")
    theirs = make.customer(other, name="Not Mine Co")
    Contact.create(customer=zeta, name="Li Wei", title="Buyer", phone="138", is_primary=False)
    Contact.create(customer=zeta, name="Chen Bo", phone="139", is_primary=True)
    Contact.create(customer=theirs, name="Hidden Person", phone="137", is_primary=True)
    make.deal(rep, zeta, title="Valves 2027")
    make.deal(other, theirs, title="Hidden Deal")
    won = make.deal(rep, zeta, title="Closed one")
    Deal.update(stage=Stage.get(Stage.kind == "won")).where(Deal.id == won.id).execute()

    with count_queries() as seen:
        response = client.get("/phone/book", headers=JSON)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    book = response.get_json()
    assert book["user"] == rep.id
    assert [c["name"] for c in book["customers"]] == ["alpha Mills", "Zeta Pumps"]  # by name, case aside
    first = book["customers"][1]
    assert (first["id"], first["tier"], first["phone"], first["address"]) == (zeta.id, "A", "021-1", "1 Bund Road")
    ids = {c.name: c.id for c in Contact.select()}
    assert first["contacts"] == [[ids["Chen Bo"], "Chen Bo", "139"], [ids["Li Wei"], "Li Wei · Buyer", "138"]]
    assert [title for _id, title in first["deals"]] == ["Valves 2027"]  # open deals only
    assert book["customers"][0]["contacts"] == [] and book["customers"][0]["deals"] == []
    text = response.get_data(as_text=True)
    assert "Not Mine Co" not in text and "Hidden" not in text
    assert len(seen) == 4  # the session's user, and the book's three reads


def test_the_book_reads_the_same_number_of_statements_for_one_customer_or_many(app, signed_in, make):
    client, rep = signed_in("rep", team="East")
    counts = []
    for size in (1, 30):
        for n in range(size - (len(counts) and 1)):
            customer = make.customer(rep)
            Contact.create(customer=customer, name=f"Person {n}", is_primary=True)
            make.deal(rep, customer)
        with count_queries() as seen:
            assert client.get("/phone/book", headers=JSON).status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]
