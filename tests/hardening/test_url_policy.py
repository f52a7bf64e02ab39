"""The whole URL map against one declared policy: every route and method, with real IDs, as each role, as an
outsider of another team, and as nobody signed in.

Each row says what each user gets: `ok` (the page, or the action's own answer: a redirect, a refusal in the
form, a conflict), `in` (sent to sign in), `403` (the role may not) or `404` (the record is outside the user's
scope, or is nobody's to guess). A route missing from the table fails; so does one whose answer changed.

Columns: nobody signed in; East's rep, who holds every record the URLs name; East's manager; West's rep and
manager (the outsiders); support; ops; admin. Public routes answer `ok` to everyone who holds their token:
the calendar feed, feedback and survey links, share links. The bell answers a signed-out poll with nothing
(204), not with the sign-in page."""
import secrets

import pytest

from tests.hardening.walk import rules, walk, client_as
from tests.hardening.world import ROLES, build

POLICY_TABLE = """
admin.edit_team                  GET     in  403  403  403  403  403  403   ok
admin.edit_team                  POST    in  403  403  403  403  403  403   ok
admin.edit_user                  GET     in  403  403  403  403  403  403   ok
admin.edit_user                  POST    in  403  403  403  403  403  403   ok
admin.home                       GET     in  403  403  403  403  403  403   ok
admin.new_team                   GET     in  403  403  403  403  403  403   ok
admin.new_team                   POST    in  403  403  403  403  403  403   ok
admin.new_user                   GET     in  403  403  403  403  403  403   ok
admin.new_user                   POST    in  403  403  403  403  403  403   ok
admin.reset_password             POST    in  403  403  403  403  403  403   ok
admin.set_active                 POST    in  403  403  403  403  403  403   ok
admin.teams                      GET     in  403  403  403  403  403  403   ok
admin.unlock                     POST    in  403  403  403  403  403  403   ok
admin.users                      GET     in  403  403  403  403  403  403   ok
admin_settings.edit              GET     in  403  403  403  403  403  403   ok
admin_settings.edit              POST    in  403  403  403  403  403  403   ok
audit.index                      GET     in  403  403  403  403  403   ok   ok
audit.pick_actor                 GET     in  403  403  403  403  403   ok   ok
auth.locale                      POST    ok   ok   ok   ok   ok   ok   ok   ok
auth.login                       GET     ok   ok   ok   ok   ok   ok   ok   ok
auth.login                       POST    ok   ok   ok   ok   ok   ok   ok   ok
auth.logout                      POST    in   in   in   in   in   in   in   in
auth.password                    GET     in   ok   ok   ok   ok   ok   ok   ok
auth.password                    POST    in   ok   ok   ok   ok   ok   ok   ok
collateral.add_version           POST    in  403  403  403  403   ok   ok   ok
collateral.archive               POST    in  403  403  403  403   ok   ok   ok
collateral.download              GET     in   ok   ok   ok   ok   ok   ok   ok
collateral.download_version      GET     in   ok   ok   ok   ok   ok   ok   ok
collateral.edit                  GET     in  403  403  403  403   ok   ok   ok
collateral.edit                  POST    in  403  403  403  403   ok   ok   ok
collateral.index                 GET     in   ok   ok   ok   ok   ok   ok   ok
collateral.item                  GET     in   ok   ok   ok   ok   ok   ok   ok
collateral.new                   GET     in  403  403  403  403   ok   ok   ok
collateral.new                   POST    in  403  403  403  403   ok   ok   ok
collateral.revoke                POST    in   ok   ok  404  404   ok   ok   ok
collateral.share                 POST    in   ok   ok   ok   ok  403  403  403
customers.add_contact            POST    in   ok   ok  404  404   ok   ok   ok
customers.add_note               POST    in   ok   ok  404  404   ok   ok   ok
customers.claim                  POST    in   ok   ok   ok   ok   ok   ok   ok
customers.contacts               GET     in   ok   ok  404  404   ok   ok   ok
customers.delete_contact         POST    in   ok   ok  404  404   ok   ok   ok
customers.detail                 GET     in   ok   ok  404  404   ok   ok   ok
customers.edit                   GET     in   ok   ok  404  404   ok   ok   ok
customers.edit                   POST    in   ok   ok  404  404   ok   ok   ok
customers.edit_contact           GET     in   ok   ok  404  404   ok   ok   ok
customers.edit_contact           POST    in   ok   ok  404  404   ok   ok   ok
customers.export                 GET     in   ok   ok   ok   ok   ok   ok   ok
customers.import_commit          POST    in  403  403  403  403   ok  404  403
customers.import_preview         GET     in  403  403  403  403   ok  404  403
customers.import_preview         POST    in  403  403  403  403   ok  404  403
customers.import_report          GET     in  403  403  403  403   ok  404  403
customers.import_upload          GET     in  403  403  403  403   ok   ok  403
customers.import_upload          POST    in  403  403  403  403   ok   ok  403
customers.index                  GET     in   ok   ok   ok   ok   ok   ok   ok
customers.lock_tier              POST    in  403   ok  403  404  403   ok  403
customers.new                    GET     in   ok   ok   ok   ok   ok   ok   ok
customers.new                    POST    in   ok   ok   ok   ok   ok   ok   ok
customers.pick                   GET     in   ok   ok   ok   ok   ok   ok   ok
customers.pick_person            GET     in   ok   ok   ok   ok   ok   ok   ok
customers.pool_index             GET     in   ok   ok   ok   ok   ok   ok   ok
customers.pool_log               GET     in  403  403  403  403  403   ok   ok
customers.reassign               POST    in  403   ok  403   ok  403   ok   ok
customers.release                POST    in   ok   ok  404  404   ok   ok   ok
customers.revert_recycle         POST    in  403  403  403  403  403   ok   ok
customers.set_location           POST    in   ok   ok  404  404   ok   ok   ok
customers.unlock_tier            POST    in  403   ok  403  404  403   ok  403
expenses.approve                 POST    in   ok   ok  404  404   ok   ok   ok
expenses.budget_export           GET     in  403   ok  403   ok   ok   ok   ok
expenses.budget_sheet            GET     in  403   ok  403   ok   ok   ok   ok
expenses.detail                  GET     in   ok   ok  404  404   ok   ok   ok
expenses.index                   GET     in   ok   ok   ok   ok   ok   ok   ok
expenses.new                     GET     in   ok   ok   ok   ok  403  403  403
expenses.new                     POST    in   ok   ok   ok   ok  403  403  403
expenses.paid                    POST    in   ok   ok  404  404   ok   ok   ok
expenses.receipt                 GET     in   ok   ok  404  404   ok   ok   ok
expenses.reject                  POST    in   ok   ok  404  404   ok   ok   ok
expenses.save_budget             POST    in  403  403  403  403  403   ok  403
expenses.withdraw                POST    in   ok   ok  404  404   ok   ok   ok
feeds.planned_visits             GET     ok   ok   ok   ok   ok   ok   ok   ok
home.favicon                     GET     ok   ok   ok   ok   ok   ok   ok   ok
home.healthz                     GET     ok   ok   ok   ok   ok   ok   ok   ok
home.index                       GET     in   ok   ok   ok   ok   ok   ok   ok
manager.export                   GET     in  403   ok  403   ok  403  403  403
manager.home                     GET     in  403   ok  403   ok  403  403  403
manager_allocation.console       GET     in  403   ok  403   ok  403  403  403
manager_allocation.move          POST    in  403   ok  403   ok  403  403  403
manager_allocation.undo          POST    in  403   ok  403  404  403  403  403
ops.export                       GET     in  403  403  403  403  403   ok  403
ops.home                         GET     in  403  403  403  403  403   ok  403
ops_allocation.assign_region     POST    in  403  403  403  403  403   ok  403
ops_allocation.console           GET     in  403  403  403  403  403   ok  403
ops_allocation.move              POST    in  403  403  403  403  403   ok  403
ops_allocation.undo              POST    in  403  403  403  403  403   ok  403
ops_settings.edit                GET     in  403  403  403  403  403   ok  403
ops_settings.edit                POST    in  403  403  403  403  403   ok  403
phone.manifest                   GET     ok   ok   ok   ok   ok   ok   ok   ok
phone.offline                    GET     ok   ok   ok   ok   ok   ok   ok   ok
phone.service_worker             GET     ok   ok   ok   ok   ok   ok   ok   ok
phone_data.book                  GET     in   ok   ok   ok   ok   ok   ok   ok
phone_data.token                 GET     in   ok   ok   ok   ok   ok   ok   ok
pipeline.board                   GET     in   ok   ok   ok   ok   ok   ok   ok
pipeline.close                   GET     in   ok   ok  404  404  403   ok  403
pipeline.deal                    GET     in   ok   ok  404  404   ok   ok   ok
pipeline.edit_deal               GET     in   ok   ok  404  404   ok   ok   ok
pipeline.edit_deal               POST    in   ok   ok  404  404   ok   ok   ok
pipeline.more_cards              GET     in   ok   ok   ok   ok   ok   ok   ok
pipeline.move                    POST    in   ok   ok  404  404   ok   ok   ok
pipeline.new_deal                GET     in   ok   ok   ok   ok   ok   ok   ok
pipeline.new_deal                POST    in   ok   ok   ok   ok   ok   ok   ok
pipeline.quick_add               POST    in   ok   ok   ok   ok   ok   ok   ok
pipeline.quick_add_form          GET     in   ok   ok   ok   ok  403   ok  403
pipeline.set_next_step           POST    in   ok   ok  404  404  403   ok  403
public.feedback_form             GET     ok   ok   ok   ok   ok   ok   ok   ok
public.feedback_form             POST    ok   ok   ok   ok   ok   ok   ok   ok
public.survey                    GET     ok   ok   ok   ok   ok   ok   ok   ok
public.survey                    POST    ok   ok   ok   ok   ok   ok   ok   ok
quotes.act                       POST    in   ok   ok  404  404   ok  403  403
quotes.contract                  GET     in   ok   ok  404  404   ok   ok  403
quotes.contract                  POST    in   ok   ok  404  404   ok   ok  403
quotes.contract_file             GET     in   ok   ok  404  404   ok   ok   ok
quotes.delete_payment            POST    in   ok   ok  404  404   ok   ok  403
quotes.detail                    GET     in   ok   ok  404  404   ok   ok   ok
quotes.edit                      GET     in   ok   ok  404  404   ok  403  403
quotes.edit                      POST    in   ok   ok  404  404   ok  403  403
quotes.index                     GET     in   ok   ok   ok   ok   ok   ok   ok
quotes.manager_approvals         GET     in  403   ok  403   ok  403  403  403
quotes.new                       GET     in   ok   ok  404  404   ok  403  403
quotes.new                       POST    in   ok   ok  404  404   ok  403  403
quotes.notification_bell         GET     ok   ok   ok   ok   ok   ok   ok   ok
quotes.notification_list         GET     in   ok   ok   ok   ok   ok   ok   ok
quotes.notification_open         POST    in   ok  404  404  404  404  404  404
quotes.notification_read_all     POST    in   ok   ok   ok   ok   ok   ok   ok
quotes.ops_approvals             GET     in  403  403  403  403  403   ok  403
quotes.payment                   GET     in   ok   ok  404  404   ok   ok  403
quotes.payment                   POST    in   ok   ok  404  404   ok   ok  403
quotes.pick                      GET     in   ok   ok   ok   ok   ok  403  403
quotes.plan                      GET     in   ok   ok  404  404   ok   ok  403
quotes.plan                      POST    in   ok   ok  404  404   ok   ok  403
quotes.preview                   POST    in   ok   ok   ok   ok   ok   ok   ok
quotes.printable                 GET     in   ok   ok  404  404   ok   ok   ok
quotes.product_edit              GET     in  403  403  403  403   ok   ok  403
quotes.product_edit              POST    in  403  403  403  403   ok   ok  403
quotes.product_import            GET     in  403  403  403  403   ok   ok  403
quotes.product_import            POST    in  403  403  403  403   ok   ok  403
quotes.product_list              GET     in  403  403  403  403   ok   ok  403
quotes.product_new               GET     in  403  403  403  403   ok   ok  403
quotes.product_new               POST    in  403  403  403  403   ok   ok  403
quotes.receivables               GET     in   ok   ok   ok   ok   ok   ok   ok
rep.home                         GET     in   ok  403   ok  403  403  403  403
rep_reports.report               GET     in   ok  403   ok  403  403  403  403
rep_reports.report               POST    in   ok  403   ok  403  403  403  403
rep_reports.this_week            GET     in   ok  403   ok  403  403  403  403
service.ask                      GET     in   ok   ok   ok   ok  403  403  403
service.ask                      POST    in   ok   ok   ok   ok  403  403  403
service.attachment               GET     in   ok   ok  404  404   ok   ok   ok
service.case                     GET     in   ok   ok  404  404   ok   ok   ok
service.claim                    POST    in   ok   ok  404  404   ok   ok   ok
service.close                    POST    in   ok   ok  404  404   ok   ok   ok
service.close_case               POST    in   ok   ok  404  404   ok   ok  403
service.detail                   GET     in   ok   ok  404  404   ok   ok   ok
service.feedback_list            GET     in   ok   ok   ok   ok   ok   ok  403
service.log                      GET     in   ok   ok  404  404   ok   ok  403
service.log                      POST    in   ok   ok  404  404   ok   ok  403
service.my_requests              GET     in   ok   ok   ok   ok   ok   ok   ok
service.reply                    POST    in   ok   ok  404  404   ok   ok   ok
service.resolve                  POST    in   ok   ok  404  404   ok   ok  403
service.respond                  POST    in   ok   ok  404  404   ok   ok  403
service.revoke_link              POST    in   ok   ok  404  404   ok   ok   ok
service.send_link                POST    in   ok   ok  404  404   ok   ok   ok
shared.download                  GET     ok   ok   ok   ok   ok   ok   ok   ok
shared.landing                   GET     ok   ok   ok   ok   ok   ok   ok   ok
stages.delete_stage              POST    in  403  403  403  403  403   ok  403
stages.edit_stage                GET     in  403  403  403  403  403   ok  403
stages.edit_stage                POST    in  403  403  403  403  403   ok  403
stages.index                     GET     in  403  403  403  403  403   ok  403
stages.merge_stage               POST    in  403  403  403  403  403   ok  403
stages.move_reason               POST    in  403  403  403  403  403   ok  403
stages.move_stage                POST    in  403  403  403  403  403   ok  403
stages.new_reason                POST    in  403  403  403  403  403   ok  403
stages.new_stage                 POST    in  403  403  403  403  403   ok  403
stages.rename_reason             POST    in  403  403  403  403  403   ok  403
stages.set_reason_active         POST    in  403  403  403  403  403   ok  403
static                           GET     ok   ok   ok   ok   ok   ok   ok   ok
support.home                     GET     in  403  403  403  403   ok  403  403
support.requests                 GET     in  403  403  403  403   ok  403  403
targets.sheet                    GET     in  403   ok  403   ok  403  403  403
targets.sheet                    POST    in  403   ok  403   ok  403  403  403
team_reports.index               GET     in  403   ok  403   ok  403  403  403
team_reports.report              GET     in  403   ok  403  404  403  403  403
team_reports.report              POST    in  403   ok  403  404  403  403  403
visits.add_comment               POST    in   ok   ok  404  404   ok   ok   ok
visits.add_task                  POST    in   ok   ok   ok   ok   ok   ok   ok
visits.calendar                  GET     in   ok   ok   ok   ok  403  403  403
visits.calendar                  POST    in   ok   ok   ok   ok  403  403  403
visits.cancel                    POST    in   ok   ok  404  404  403  403  403
visits.customer_fields           GET     in   ok   ok   ok   ok   ok   ok   ok
visits.detail                    GET     in   ok   ok  404  404   ok   ok   ok
visits.index                     GET     in   ok   ok   ok   ok   ok   ok   ok
visits.new                       GET     in   ok   ok   ok   ok  403  403  403
visits.new                       POST    in   ok   ok   ok   ok  403  403  403
visits.photo                     GET     in   ok   ok  404  404   ok   ok   ok
visits.plan                      POST    in   ok   ok  404  404  403  403  403
visits.task_done                 POST    in   ok   ok  404  404  404  404  404
visits.task_list                 GET     in   ok   ok   ok   ok   ok   ok   ok
visits.task_reassign             GET     in  403   ok  404  404  404  404  404
visits.task_reassign             POST    in  403   ok  404  404  404  404  404
visits.task_snooze               POST    in   ok   ok  404  404  404  404  404
visits.week                      GET     in   ok   ok   ok   ok   ok   ok   ok
"""
POLICY = {(line.split()[0], line.split()[1]): dict(zip(ROLES, line.split()[2:]))
          for line in POLICY_TABLE.strip().splitlines()}
OUTCOME = {"ok": "ok", "in": "login", "403": "403", "404": "404"}
# Records every signed-in user shares by design, whose routes an outsider may reach: the collateral library, the
# process settings (stages, loss reasons, products), people and teams (admin), the pool, and the token pages.
SHARED = ("collateral.", "ops.", "stages.", "quotes.product_", "admin.", "customers.claim", "customers.import_",
          "feeds.", "public.", "shared.", "pipeline.more_cards", "pipeline.quick_add", "expenses.save_budget",
          "static")
# What only East's people (and the roles that see everything) may read: no page an outsider gets may show them.
MARKERS = ("Acme Pumps", "Boiler room", "Chiller", "Li Wei", "Taxi to Acme", "Late delivery", "Spec sheet?")
PUBLIC_TOKEN_ROUTES = ("/calendar/{}.ics", "/s/{}", "/s/{}/download", "/f/{}", "/nps/{}")
IMPORT_TOKEN_ROUTES = ("/customers/import/{}", "/customers/import/{}/report")


def test_the_table_names_every_route_and_method(app):
    routes = {(endpoint, method) for endpoint, method, _rule in rules(app)}
    assert sorted(routes - POLICY.keys()) == [], "routes without a policy: add them to POLICY_TABLE"
    assert sorted(POLICY.keys() - routes) == [], "policy rows for routes that no longer exist"
    assert all(len(row) == len(ROLES) and set(row.values()) <= OUTCOME.keys() for row in POLICY.values())


def test_another_teams_records_are_out_of_reach_on_every_route_that_names_one(app):
    """Read from the table itself, so that a row cannot quietly let an outsider in: every route taking an ID or
    token of East's is 403 or 404 for West, unless it is one of the shared kinds above."""
    for endpoint, method, rule in rules(app):
        if not rule.arguments - {"kind", "tab", "name", "filename", "year", "week", "action"} or endpoint.startswith(SHARED):
            continue
        for outsider in ("other_rep", "other_manager"):
            assert POLICY[(endpoint, method)][outsider] in ("403", "404"), (endpoint, method, outsider)


@pytest.mark.parametrize("role", ROLES)
def test_each_user_gets_what_the_policy_says(app, make, role):
    world = build(app, make)
    markers = MARKERS if role.startswith("other_") else ()
    result = walk(app, world, role, markers)
    wrong = {key: (OUTCOME[POLICY[key][role]], seen) for key, seen in result.seen.items()
             if seen != OUTCOME[POLICY[key][role]]}
    assert wrong == {}, "routes answering otherwise than the policy: (expected, got)"
    # an htmx request for the same URL is held to the same rule (fragments are no back door)
    assert {key: seen for key, seen in result.fragments.items() if seen != result.seen[key]} == {}
    # an outsider's pages (lists, exports, pickers, fragments) never show East's records, except through a token
    assert [(e, m) for e, m in result.leaks if not e.startswith(("feeds.", "public.", "shared."))] == []
    assert result.changed == [], "a refused request changed rows"
    assert result.odd == [], "a GET let through answered neither a page nor a redirect"


def test_a_guessed_token_is_not_found_by_anyone(app, make):
    world = build(app, make)
    tries = [(role, PUBLIC_TOKEN_ROUTES) for role in ("anonymous", "other_rep", "support")]
    tries += [(role, IMPORT_TOKEN_ROUTES) for role in ("support", "ops")]  # the roles that import
    for role, routes in tries:
        client, _token = client_as(app, world, role)
        for route in routes:
            assert client.get(route.format(secrets.token_urlsafe(32))).status_code == 404, (role, route)
