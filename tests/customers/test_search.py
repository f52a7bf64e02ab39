"""Finding customers by what was typed: the index follows every change to names, phones and contacts."""
import pytest

from salesweb.models import Contact, Customer
from salesweb.customers import queries, rules as customers


def _found(text):
    return {c.name for c in Customer.select().where(queries.matching(text))}


def test_the_index_follows_customers_and_contacts(app, make):
    with app.app_context():
        rep = make.user()
        acme = make.customer(rep, name="Acme Robotics", phone="021-5555-0101")
        other = make.customer(rep, name="Blue Sky")
        assert _found("robot") == {"Acme Robotics"} and _found("ROBOT") == {"Acme Robotics"}
        assert _found("5555-01") == {"Acme Robotics"}

        Customer.update(name="Acme Machines").where(Customer.id == acme.id).execute()
        assert _found("robot") == set() and _found("machine") == {"Acme Machines"}

        contact = customers.save_contact(acme, None, {"name": "王小明", "phone": "13812345678"}, rep)
        assert _found("王小明") == {"Acme Machines"} and _found("1234567") == {"Acme Machines"}
        customers.save_contact(acme, contact, {"name": "王大明", "phone": "13812345678"}, rep)
        assert _found("王小明") == set() and _found("王大明") == {"Acme Machines"}

        Contact.update(customer=other.id).where(Contact.id == contact.id).execute()
        assert _found("王大明") == {"Blue Sky"}
        customers.delete_contact(Contact.get_by_id(contact.id), rep)
        assert _found("王大明") == set() and _found("Blue Sky") == {"Blue Sky"}

        Customer.delete().where(Customer.id == other.id).execute()
        assert _found("Blue Sky") == set()


@pytest.mark.parametrize("text", ['"', 'a"b" OR x', "NEAR(a b)", "50%_off", "*", "o'neil", "和"])
def test_search_operators_and_short_terms_are_plain_text(app, make, text):
    with app.app_context():
        rep = make.user()
        make.customer(rep, name=f"Shop {text} Ltd")
        make.customer(rep, name="Another")
        assert _found(text) == {f"Shop {text} Ltd"}


def test_terms_across_two_texts_do_not_match(app, make):
    with app.app_context():
        rep = make.user()
        acme = make.customer(rep, name="Acme", phone="8888")
        customers.save_contact(acme, None, {"name": "Lee", "phone": ""}, rep)
        assert _found("Acme") == {"Acme"} and _found("me8888") == set() and _found("8888Lee") == set()
