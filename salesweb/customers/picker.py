"""The customer picker's server side: matches as you type, and the customer a posted form chose."""
from flask import abort, request
from flask_login import current_user

from ..web.forms import as_id, options
from ..models import Customer
from . import queries as customers
from ..web.pages import render
from .blueprint import bp


@bp.get("/customers/pick")
def pick():
    """Customers whose name or phone, or one of whose contacts' names or phones, holds what was typed (scope
    applies)."""
    text = (request.args.get("customer_name") or request.args.get("q") or "").strip()[:100]
    matches = []
    if text:
        matches = list(customers.scope(current_user).where(customers.matching(text))
                       .order_by(Customer.name_key).limit(8))
    return render("customers/_pick.html", matches=matches, text=text)


def chosen(form, keep_id=None):
    """The customer picked (hidden id) or typed (a name matching exactly one of the user's customers).
    `keep_id` (the customer of a record already found in the user's scope, never an id from the request) stays
    valid even if it has left the user's scope, and is the choice a form shows before anything is posted."""
    picked = form.customer.data
    if picked is None and request.method == "POST":
        typed = (request.form.get("customer_name") or "").strip()
        matches = list(customers.scope(current_user).where(Customer.name == typed).limit(2)) if typed else []
        picked = matches[0].id if len(matches) == 1 else None
    if picked is None and request.method == "GET":
        picked = keep_id
    if picked is None:
        return None
    if keep_id is not None and picked == keep_id:
        return Customer.get_or_none(Customer.id == picked)
    return customers.visible_customer(picked, current_user)


def asked_for(form):
    """The customer a link names (`?customer=<id>`), made the form's choice: one in the user's scope, else 404, so
    that no name outside it is ever filled in. None when the link names no customer."""
    customer_id = as_id(request.args.get("customer"))
    if customer_id is None:
        return None
    customer = customers.visible_customer(customer_id, current_user) or abort(404)
    form.customer.data = customer.id
    return customer


def offer(form, customer):
    """Show `customer` as the picker's current choice."""
    form.customer.data = customer.id if customer else None
    form.customer.choices = options([(customer.id, customer.name)] if customer else [])
