"""A small install with one of everything, for the sweeps: two teams (East and West), each with a manager and a
rep, plus support, ops and admin. Every record that a route takes by ID belongs to East's rep (or East), so West's
people are the outsiders of the object-level checks."""
import datetime
import io
from dataclasses import dataclass, field

from salesweb.models import Notification, PoolMove, Product, Stage, LossReason, Customer, Visit
from salesweb.allocation import rules as allocation
from salesweb.infra import calendar_feed
from salesweb.collateral import queries as library, rules as collateral
from salesweb.quotes import contracts, rules as quotes
from salesweb.service import links as customer_links, rules as feedback, help
from salesweb.customers import rules as customers, importer as imports
from salesweb.expenses import rules as expenses
from salesweb.reports import rules as reports
from salesweb.core import settings
from salesweb.visits import tasks, rules as visits
from salesweb.core.clock import local_today
from tests.infra.test_storage import PNG

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = "name,region\nAcme Pumps,East\n".encode()
MB = 1024 * 1024
ROLES = ("anonymous", "rep", "manager", "other_rep", "other_manager", "support", "ops", "admin")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name above → User (no anonymous)
    ids: dict = field(default_factory=dict)  # what a URL names → its value


def build(app, make):
    """The world, written through the services (as the app would write it)."""
    upload_dir = app.config["UPLOAD_DIR"]
    world = World()
    u = world.users
    u["manager"] = make.user("manager", team="East", name="East lead")
    u["rep"] = make.user("rep", team="East", reports_to=u["manager"], name="East rep")
    u["other_manager"] = make.user("manager", team="West", name="West lead")
    u["other_rep"] = make.user("rep", team="West", reports_to=u["other_manager"], name="West rep")
    for role in ("support", "ops", "admin"):
        u[role] = make.user(role, name=role.title())
    rep, manager, support = u["rep"], u["manager"], u["support"]
    spare_user = make.user("rep", team="North", name="North rep")  # the admin's forms act on this one
    values = settings.current()
    with app.test_request_context():
        today = local_today()
        now = datetime.datetime.utcnow().replace(microsecond=0)
        customer = make.customer(rep, name="Acme Pumps", region="East")
        contact = customers.save_contact(customer, None, {"name": "Li Wei"}, rep)
        deal = make.deal(rep, customer=customer, title="Boiler room")
        won = make.won_deal(rep, today - datetime.timedelta(days=10), customer=customer, title="Chiller")
        contract = contracts.save(won, "HT-1", won.won_on, "1000", rep, today,
                                  upload=(io.BytesIO(PDF), "contract.pdf", upload_dir, 5 * MB))
        contracts.save_plan(contract, [{"due_on": today, "amount": "1000"}], rep, today)
        payment = contracts.record_payment(contract, today, "100", "", rep, today)
        product = Product.create(sku="PX-1", name="Pump PX-1", unit="pcs", unit_price=100_00)
        quote = quotes.create(deal, [{"product": str(product.id), "quantity": "1", "unit_price": "",
                                      "discount": ""}], "", today + datetime.timedelta(days=20), "", rep, values,
                              today)
        visit_values = {"occurred_at": now - datetime.timedelta(hours=2), "duration_minutes": 45, "kind": "on_site",
                        "purpose": "Review", "notes": "", "outcome": "positive", "next_step": "",
                        "next_visit_on": None, "deal": None, "contacts": [], "market_note": "", "market_tags": "",
                        "lat": None, "lon": None, "accuracy": None, "fix_at": None}
        visit = visits.log(visit_values, customer, rep, rep, values, photo=(io.BytesIO(PNG), "photo.png"),
                           upload_dir=upload_dir, max_bytes=5 * MB)
        visits.comment(visit, "Good call", manager)
        planned = visits.plan(customer, rep, today, rep, today)  # today: on this week's plan whatever the weekday
        task = tasks.create("Send the brochure", rep, today + datetime.timedelta(days=1), rep, today,
                            customer=customer)
        expense = expenses.file(rep, {"spent_on": today, "category": "travel", "amount": 30_00,
                                      "description": "Taxi to Acme"},
                                (io.BytesIO(PNG), "receipt.png", upload_dir, 5 * MB), values, today)
        case = feedback.log(customer, "complaint", "phone", "high", "Late delivery", "", rep, values)
        link = customer_links.create(customer, "feedback", rep, values)
        survey = customer_links.create(customer, "survey", rep, values)
        request = help.ask(rep, "Spec sheet?", "normal", customer.id, None,
                           upload=(io.BytesIO(PDF), "question.pdf", upload_dir, 5 * MB))
        item = collateral.create({"title": "PX brochure", "kind": "brochure", "language": "en", "tags": "PX",
                                  "description": ""}, (io.BytesIO(PDF), "px.pdf"), support, upload_dir, 5 * MB)
        version = library.versions(item)[0]
        share = collateral.share(item, customer, rep, 7)
        spare = make.customer(rep, name="Spare Works")
        batch = allocation.reassign(manager, [spare.id], manager)
        recycled = make.customer(rep, name="Idle Traders")
        Customer.update(owner=None).where(Customer.id == recycled.id).execute()
        move = PoolMove.create(customer=recycled.id, kind="recycle", from_owner=rep.id, at=now)
        pooled = make.customer(None, name="Pool Ltd")
        year, week, _ = today.isocalendar()
        reports.save(rep, year, week, {"feedback": "Fine"}, False, today)
    import_token = imports.store(upload_dir, CSV, support.id, "customers.csv")
    report_token = imports.store(upload_dir, "name\nImported Co\n".encode(), support.id, "done.csv")
    done = imports.load(upload_dir, report_token, support.id)
    table = imports.read(done.data)
    imports.take(upload_dir, done)
    imports.finish(upload_dir, done, imports.commit(imports.plan(table, imports.guess_mapping(table.header), support),
                                                    support, values))
    notification = Notification.get(Notification.user == rep.id)
    world.ids = {
        "customer_id": customer.id, "contact_id": contact.id, "deal_id": deal.id, "won_deal_id": won.id,
        "contract_id": contract.id, "payment_id": payment.id, "quote_id": quote.id, "product_id": product.id,
        "visit_id": visit.id, "planned_visit_id": planned.id, "task_id": task.id, "expense_id": expense.id,
        "feedback_id": case.id, "link_id": link.id, "feedback_token": link.token, "survey_token": survey.token,
        "request_id": request.id, "item_id": item.id, "version_id": version.id, "share_id": share.id,
        "share_token": share.token, "batch_id": batch.id, "move_id": move.id, "pool_customer_id": pooled.id,
        "ics_token": calendar_feed.token_for(rep), "import_token": import_token, "report_token": report_token, "notification_id": notification.id,
        "team_id": rep.team_id, "user_id": rep.id, "spare_user_id": spare_user.id,
        "spare_team_id": spare_user.team_id, "rep_id": rep.id, "year": year, "week": week,
        "stage_id": Stage.select().order_by(Stage.position).first().id,
        "won_stage_id": Stage.get(Stage.kind == "won").id, "reason_id": LossReason.select().order_by(LossReason.position).first().id,
    }
    return world
