"""What the phone keeps of a rep's book for logging visits without signal: their own customers, each with the
people to tick and the open deals to link, as the visit form offers them."""
from ..customers.queries import contact_label, scope
from ..models import Contact, Customer, Deal, Stage

BOOK_LIMIT = 3000  # customers a phone keeps: a rep's whole book (about 350 on the xl data); past it, by name


def book(user):
    """{customers: [{id, name, tier, phone, address, contacts: [[id, label, phone]], deals: [[id, title]]}]} of
    the customers the user owns, by name (at most BOOK_LIMIT), in three statements."""
    own = scope(user).where(Customer.owner == user.id)  # the one visibility rule, narrowed to their own
    customers = list(own.select(Customer.id, Customer.name, Customer.tier, Customer.phone, Customer.address)
                     .order_by(Customer.name_key, Customer.id).limit(BOOK_LIMIT).dicts())
    by_id = {c["id"]: dict(c, contacts=[], deals=[]) for c in customers}
    own = own.select(Customer.id)
    contacts = (Contact.select(Contact.id, Contact.customer, Contact.name, Contact.title, Contact.phone)
                .where(Contact.customer.in_(own))
                .order_by(Contact.customer, Contact.is_primary.desc(), Contact.name).tuples())
    for contact_id, customer_id, name, title, phone in contacts:
        if customer_id in by_id:
            by_id[customer_id]["contacts"].append([contact_id, contact_label(name, title), phone])
    deals = (Deal.select(Deal.id, Deal.customer, Deal.title).join(Stage)
             .where(Deal.customer.in_(own) & (Stage.kind == "open")).order_by(Deal.customer, Deal.title).tuples())
    for deal_id, customer_id, title in deals:
        if customer_id in by_id:
            by_id[customer_id]["deals"].append([deal_id, title])
    return {"customers": [by_id[c["id"]] for c in customers]}
