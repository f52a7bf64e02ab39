"""Walks the URL map as one user: every rule, every method, with real IDs from the world."""
import re
from dataclasses import dataclass, field

from tests.conftest import login

# Which value of the world each URL part takes; where a rule needs another record than its name says, it is
# named per endpoint below.
VALUES = {"kind": "csv", "tab": "activity", "name": "funnel", "action": "submit", "filename": "css/app.css"}
PER_ENDPOINT = {
    "quotes.contract": {"deal_id": "won_deal_id"}, "quotes.plan": {"deal_id": "won_deal_id"},
    "quotes.payment": {"deal_id": "won_deal_id"},
    "customers.claim": {"customer_id": "pool_customer_id"},
    # an admin deactivating, re-roling or re-teaming East's people would take the later requests' users away
    "admin.edit_user": {"user_id": "spare_user_id"}, "admin.set_active": {"user_id": "spare_user_id"},
    "admin.reset_password": {"user_id": "spare_user_id"}, "admin.unlock": {"user_id": "spare_user_id"},
    "admin.edit_team": {"team_id": "spare_team_id"},
    "visits.cancel": {"visit_id": "planned_visit_id"},
    "feeds.planned_visits": {"token": "ics_token"}, "public.feedback_form": {"token": "feedback_token"},
    "public.survey": {"token": "survey_token"}, "shared.landing": {"token": "share_token"},
    "shared.download": {"token": "share_token"},
    "customers.import_preview": {"token": "import_token"}, "customers.import_commit": {"token": "import_token"},
    "customers.import_report": {"token": "report_token"},
}
# What a request must carry to reach the record it names (the rest of each form is left empty).
QUERY = {"pipeline.close": {"stage": "won_stage_id"}}
FORM = {"visits.plan": {"customer": "customer_id"}}
# State-changing requests that would take a record out of the later requests' way go last, logout very last.
LAST = ("customers.delete_contact", "quotes.delete_payment", "stages.delete_stage",
        "collateral.archive", "collateral.revoke", "service.revoke_link", "admin.set_active", "customers.release", "auth.logout")


def rules(app):
    """(endpoint, method, rule) for every rule and method, GETs first, the removing ones last."""
    found = [(r.endpoint, m, r) for r in app.url_map.iter_rules() for m in sorted(r.methods - {"HEAD", "OPTIONS"})]
    return sorted(found, key=lambda x: (x[1] != "GET", x[0] in LAST and LAST.index(x[0]), x[2].rule))


def url_for_rule(rule, endpoint, ids):
    names = PER_ENDPOINT.get(endpoint, {})
    values = {}
    for arg in rule.arguments:
        key = names.get(arg, arg)
        values[arg] = VALUES[arg] if key in VALUES else ids[key]
    return rule.build(values, append_unknown=False)[1]


def outcome(response):
    """What a request came to: 'login' (sent to sign in), '403', '404', '500' or 'ok' (anything else)."""
    code = response.status_code
    if code >= 500:
        return "500"
    if code in (403, 404):
        return str(code)
    if code == 401 or (code in (302, 303) and re.search(r"/login(\?|$)", response.headers.get("Location", ""))):
        return "login"
    return "ok"


def client_as(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, world.users[role].email).status_code == 302
    page = client.get("/account/password" if role != "anonymous" else "/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client, token


def fingerprint():
    """Rows in every table, with the latest change and the sum of versions where a table keeps them: what a
    refused request must leave as it was (one query)."""
    from salesweb.core.db import db
    from salesweb.models import ALL_MODELS
    from salesweb.models import PublicHit
    parts = []
    # A public form counts every hit, refused or not: that is its rate limit, not a change the input made.
    for model in (m for m in ALL_MODELS if m is not PublicHit):  # table and column names come from the models
        table = model._meta.table_name
        parts.append(f'(SELECT COUNT(*) FROM "{table}")')
        for name, expression in (("updated_at", 'MAX("{}")'), ("version", 'SUM("{}")'), ("read_at", 'COUNT("{}")'),
                                 ("done_at", 'COUNT("{}")'), ("archived", 'SUM(CASE WHEN "{}" THEN 1 ELSE 0 END)'),
                                 ("active", 'SUM(CASE WHEN "{}" THEN 1 ELSE 0 END)')):
            if name in model._meta.fields:
                column = model._meta.fields[name].column_name
                parts.append(f'(SELECT {expression.format(column)} FROM "{table}")')
    return db.execute_sql(f"SELECT {', '.join(parts)}").fetchone()


@dataclass
class Walk:
    seen: dict = field(default_factory=dict)  # (endpoint, method) → outcome
    fragments: dict = field(default_factory=dict)  # (endpoint, "GET") → outcome when asked for by htmx
    leaks: list = field(default_factory=list)  # (endpoint, marker) a page showed that the user may not see
    changed: list = field(default_factory=list)  # refused requests after which the rows were not as before
    odd: list = field(default_factory=list)  # (endpoint, status) of a GET let through without a page or redirect


def walk(app, world, role, markers=()):
    """Every rule and method as one user: the outcomes, and what went wrong besides."""
    client, token = client_as(app, world, role)
    result = Walk()
    for endpoint, method, rule in rules(app):
        url = url_for_rule(rule, endpoint, world.ids)
        if method == "GET":
            query = {k: world.ids[v] for k, v in QUERY.get(endpoint, {}).items()}
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, query_string=query, headers=headers)
                body = response.get_data().decode("utf-8", "replace")  # read now: a streamed answer holds its request open
                if outcome(response) == "ok" and response.status_code not in (200, 204, 302, 303):
                    result.odd.append((endpoint, response.status_code))
                if outcome(response) == "ok":
                    result.leaks += [(endpoint, m) for m in markers if m in body]
                if headers:
                    result.fragments[(endpoint, method)] = outcome(response)
                else:
                    page = response
            response = page
        else:
            data = {k: world.ids[v] for k, v in FORM.get(endpoint, {}).items()}
            with app.app_context():
                before = fingerprint()
            response = client.open(url, method=method, data={"csrf_token": token, **data})
            response.get_data()
            with app.app_context():
                after = fingerprint()
            if outcome(response) in ("403", "404", "login") and after != before and endpoint != "auth.logout":
                result.changed.append(endpoint)
        result.seen[(endpoint, method)] = outcome(response)
    return result
