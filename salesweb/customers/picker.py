"""The customer and person pickers' server side: matches as you type (the customer a form chose: forms.chosen;
a person field: templates/_person_picker.html)."""
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



@bp.get("/people/pick")
def pick_person():
    """Reps and managers in the user's reach (queries.people_in_reach: the one visibility rule) whose name holds
    what was typed, at most PEOPLE_LISTED; with `leavers=1`, those who have left too."""
    text = (request.args.get("person_name") or "").strip()[:100]
    matches = queries.people_in_reach(current_user, request.args.get("leavers") == "1", text=text,
                                      limit=queries.PEOPLE_LISTED) if text else []
    return render("_person_pick.html", matches=matches, text=text)
