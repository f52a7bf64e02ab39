"""Every state-changing route refuses a request without the CSRF token."""
import re

import pytest

from salesweb.models import AuditEvent, User

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            yield rule, method


def _url(rule, ids):
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids), rule.rule)


def test_there_are_state_changing_routes_to_check(app):
    assert len(list(_routes(app))) >= 10


@pytest.mark.parametrize("as_role", [None, "admin"])
def test_every_post_route_refuses_a_request_without_token(app, make, signed_in, as_role):
    target = make.user("rep")
    client = signed_in(as_role)[0] if as_role else app.test_client()
    before = (User.select().count(), AuditEvent.select().count())
    for rule, method in _routes(app):
        url = _url(rule, target.id)
        response = client.open(url, method=method, data={"name": "x", "active": "0", "locale": "zh"})
        assert response.status_code == 400, (method, url, response.status_code)
        assert "The form expired" in response.get_data(as_text=True)
        # a wrong token is no better than none
        response = client.open(url, method=method, data={"csrf_token": "forged"},
                               headers={"X-CSRFToken": "forged"})
        assert response.status_code == 400, (method, url)
    assert (User.select().count(), AuditEvent.select().count()) == before
    assert User.get_by_id(target.id).active
