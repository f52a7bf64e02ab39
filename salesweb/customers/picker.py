"""The customer picker's server side: matches as you type (the customer a form chose: forms.chosen)."""
from flask import request
from flask_login import current_user

from ..models import Customer
from . import queries
from ..web.pages import render
from .blueprint import bp


@bp.get("/customers/pick")
def pick():
    """Customers whose name or phone, or one of whose contacts' names or phones, holds what was typed (scope
    applies)."""
    text = (request.args.get("customer_name") or request.args.get("q") or "").strip()[:100]
    matches = []
    if text:
        matches = list(queries.scope(current_user).where(queries.matching(text))
                       .order_by(Customer.name_key).limit(8))
    return render("customers/_pick.html", matches=matches, text=text)

