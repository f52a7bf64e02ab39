"""Generated values posted into every form the app offers (hypothesis): no answer is ever a 500, and an answer
that refuses the input (4xx) leaves every table as it was.

The forms are read from the pages themselves, as each role sees them, so a new form is fuzzed without being
named here. Each form is tried by the first role that is offered it; the runs are derandomised, so a failure
comes back the same way on the next run."""
import io
import os

from hypothesis import HealthCheck, given, settings, strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.infra.test_storage import JPEG, PDF, PNG, office
from tests.hardening.forms import forms_on
from tests.hardening.walk import QUERY, client_as, fingerprint, rules, url_for_rule
from tests.hardening.world import build

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Forms that end the sign-in the fuzzing goes on with.
SKIP = {"auth.logout"}
# Offered on no page of the small world (they appear only in states it does not reach, or are answered by
# script rather than a form, or, like the next step offered after a move, only in a fragment a POST answers);
# their refusals are covered by the policy walk and their own tests.
NOT_OFFERED = {"auth.login", "customers.unlock_tier", "manager_allocation.move", "ops_allocation.move",
               "quotes.delete_payment", "quotes.preview", "service.close_case", "service.revoke_link",
               "team_reports.report", "expenses.paid", "pipeline.set_next_step"}

ODD_TEXT = st.sampled_from([
    "", " ", "0", "-1", "1e309", "NaN", "-0", "99999999999999999999", "1.005", "١٢٣", "1,000.5", "12 ", "None",
    "2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "yesterday", "25:61", "2026-W60",
    '<script>alert(1)</script>"\'', "' OR 1=1 --", "../../etc/passwd", "=HYPERLINK(\"x\")", "长" * 6000,
    "\u202e\u200b", "😀" * 50, "\x00"])
FILES = st.sampled_from([None, (PDF, "a.pdf"), (PNG, "a.png"), (JPEG, "a.jpg"), (b"MZ\x90\x00" * 64, "a.pdf"),
                         (b"<html><script>alert(1)</script>", "a.png"), (b"", "empty.pdf"),
                         (office("docx", {"word/media/big.bin": b"\x00" * 4_000_000}), "bomb.docx"),
                         (b"name\n=cmd|' /C calc'!A0\n", "x.csv"), ("名字\n客户\n".encode("gbk"), "gbk.csv")])


def field_values(offered):
    if offered == ["<file>"]:
        return FILES
    choices = [v for v in offered if v]
    return st.one_of(*([st.sampled_from(choices)] if choices else []), ODD_TEXT, st.text(max_size=30),
                     st.integers(min_value=-10**20, max_value=10**20).map(str), st.dates().map(str))


def offered_forms(app, world, clients):
    """endpoint → (role, form): the first role's offer of each form, read from every page it can open with the
    role's client (whose session the form's CSRF token belongs to)."""
    adapter = app.url_map.bind("localhost")
    found = {}
    for role in ("rep", "manager", "support", "ops", "admin"):
        client = clients[role] = client_as(app, world, role)[0]
        for endpoint, method, rule in rules(app):
            if method != "GET" or endpoint == "static" or "export" in endpoint:
                continue
            response = client.get(url_for_rule(rule, endpoint, world.ids),
                                  query_string={k: world.ids[v] for k, v in QUERY.get(endpoint, {}).items()})
            if response.mimetype != "text/html":
                response.close()
                continue
            for form in forms_on(response.request.path, response.get_data(as_text=True)):
                try:
                    target, _args = adapter.match(form.action, method="POST")
                except (NotFound, MethodNotAllowed):
                    continue
                found.setdefault(target, (role, form))
    return found


def test_every_form_takes_any_input_without_a_500_and_refusals_change_nothing(app, make):
    world = build(app, make)
    clients = {}
    forms = offered_forms(app, world, clients)
    posts = {endpoint for endpoint, method, _rule in rules(app) if method == "POST"}
    unoffered = posts - forms.keys() - SKIP
    assert unoffered == NOT_OFFERED, (sorted(unoffered - NOT_OFFERED), sorted(NOT_OFFERED - unoffered))
    tried = []
    for endpoint, (role, form) in sorted(forms.items()):
        if endpoint in SKIP:
            continue
        client = clients[role]
        fixed = {name: values[0] for name, values in form.fields.items() if name.endswith("csrf_token")}
        generated = st.fixed_dictionaries({name: field_values(values) for name, values in form.fields.items()
                                           if name not in fixed})

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(values=generated)
        def post_it(values):
            data = dict(fixed)
            for name, value in values.items():
                if isinstance(value, tuple):
                    data[name] = (io.BytesIO(value[0]), value[1])
                elif value is not None:
                    data[name] = value
            with app.app_context():
                before = fingerprint()
            response = client.post(form.action, data=data, content_type="multipart/form-data",
                                   headers={"Accept-Language": "en"})
            body = response.get_data(as_text=True)
            assert response.status_code < 500, (endpoint, values)
            assert "The form expired" not in body, (endpoint, "the fuzzing itself was refused")
            if 400 <= response.status_code < 500:
                with app.app_context():
                    assert fingerprint() == before, (endpoint, response.status_code, values)

        post_it()
        assert client.get("/account/password").status_code == 200, (endpoint, "signed the fuzzing user out")
        tried.append(endpoint)
    assert len(tried) >= 75  # every form the world offers, tried EXAMPLES times each
