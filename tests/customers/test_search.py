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


def test_the_index_follows_rows_written_many_at_a_time(app, make):
    """An import writes customers and contacts a statement at a time: every row of the statement is found."""
    with app.app_context():
        rep = make.user()
        Customer.insert_many([{"name": name, "name_key": name, "owner": rep.id, "next_visit_due": "2026-01-05",
                               "last_activity_at": "2026-01-01 09:00:00"}
                              for name in ("深圳博达卓越化工", "厦门恒通包装")]).execute()
        shenzhen, xiamen = (Customer.get(Customer.name == name).id for name in ("深圳博达卓越化工", "厦门恒通包装"))
        Contact.insert_many([{"customer": shenzhen, "name": "黄伟敏", "phone": "13900001111"},
                             {"customer": xiamen, "name": "孙伟", "phone": "13900002222"},
                             {"customer": xiamen, "name": "赵芳", "phone": ""}]).execute()
        assert _found("博达卓") == {"深圳博达卓越化工"} and _found("黄伟敏") == {"深圳博达卓越化工"}
        assert _found("孙伟") == {"厦门恒通包装"} and _found("赵芳") == {"厦门恒通包装"}
        assert _found("1390000") == {"深圳博达卓越化工", "厦门恒通包装"}
        Contact.delete().where(Contact.name.in_(["黄伟敏", "赵芳"])).execute()
        assert _found("黄伟敏") == set() and _found("赵芳") == set() and _found("孙伟") == {"厦门恒通包装"}
