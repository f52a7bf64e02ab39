"""Measure salesweb on the SPEC §4 data set: queries, server time and bytes per page.

    make bench                                  # SQLite, database under instance/bench/
    DATABASE_URL=postgresql://... make bench    # the same against PostgreSQL

What is timed is the cold view: before every timed request another connection commits a write, as another worker
would, so nothing the app's connection read before is trusted and no kept result can be served. For each page
and partial: the SQL queries of that first view after a write (on the small data too, which must agree), the
median and p95 server time over the timed requests (in-process, through the whole WSGI stack), the response size
raw and gzipped, the first full load on a phone (HTML plus the CSS and JS it references, gzipped), and the ratio
of the median to a floor page that renders the base layout with no queries, timed in turn with each page's own
requests.
Prints a table, writes JSON, and exits non-zero when a budget of SPEC §4 is missed.
"""
import argparse
import contextlib
import datetime
import gzip
import json
import logging
import os
import pathlib
import re
import statistics
import sys
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402

from salesweb.app import create_app  # noqa: E402
from salesweb.cli import freeze_heap  # noqa: E402
from salesweb.core.db import db, make_database  # noqa: E402

PASSWORD = "salesweb-demo"
BUDGET = {"queries": 12, "ratio": 10.0, "move_ratio": 3.0, "first_load_kb": 60.0}
ROLES = {"rep": "zhang.min@example.com", "manager": "wang.fang@example.com", "director": "director@example.com",
         "support": "support@example.com", "ops": "ops@example.com", "admin": "admin@example.com"}
# The write committed before each timed request. quote_counter is read only when a quote is created, which no
# measured request does, so the write changes nothing a measured page shows; setting the number to itself leaves
# the next quote's number as it was, and it is still a committed write (a new row version, a new WAL frame).
WRITE = 'UPDATE quote_counter SET "last" = "last"'


class Counter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if isinstance(record.msg, tuple):
            self.count += 1


@contextlib.contextmanager
def counting():
    logger, counter = logging.getLogger("peewee"), Counter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


def csrf_of(body):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', body)
    return match.group(1)


class Writer:
    """Another worker's connection to the same database, committing one small write before each timed request.
    On SQLite that commit is what makes the next view cold: a connection that sees the database changed by
    another one drops every page it had cached and reads them again."""

    def __init__(self, url):
        self.database = make_database(url)  # the app's own settings (pragmas, lock type), a connection of its own

    def write(self):
        with self.database.atomic():
            if self.database.execute_sql(WRITE).rowcount < 1:
                raise SystemExit("the bench's write changed no row: the quote_counter table is empty")

    def close(self):
        self.database.close()
        if hasattr(self.database, "close_all"):  # a PostgreSQL pool
            self.database.close_all()


def prepare(directory, scale, url=None):
    """The app on a database holding the `scale` demo data, built the first time."""
    env = {"INSTANCE_PATH": directory, "UPLOAD_DIR": str(directory / f"uploads-{scale}"),
           "DATABASE_URL": url or f"sqlite:///{directory / f'{scale}.db'}", "SECRET_KEY": "salesweb-bench",
           # The settings are kept by a worker for a few seconds whatever is written (a change made through it is
           # seen at once): most requests find them kept, and the counts stay those the tests pin.
           "SETTINGS_CACHE_SECONDS": "3600"}
    app = create_app(env)
    app.add_url_rule("/_bench/floor", "bench_floor", lambda: render_template("base.html"))
    with app.app_context():
        from salesweb.demo import build as demo
        from salesweb.infra import schema
        schema.migrate()
        if demo.is_empty():
            started = time.perf_counter()
            print(f"Building the {scale} demo data ...", flush=True)
            demo.load(app.config["UPLOAD_DIR"], scale)
            print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        from salesweb.models import PublicHit
        PublicHit.delete().execute()  # the public form's per-address limit would count an earlier run's views
    return app, env


def clients(app):
    out = {"anonymous": app.test_client()}
    for role, email in ROLES.items():
        client = app.test_client()
        token = csrf_of(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
        assert response.status_code == 302, f"{email} could not sign in"
        out[role] = client
    return out


def fixtures(app):
    """Real ids for the pages that take one: the rep's busiest customer, an open deal, a visit, an item."""
    from peewee import fn

    from salesweb.models import (CollateralItem, Contract, Customer, CustomerLink, Deal, Expense, Feedback,
                                 HelpRequest, Product, Quote, Stage, User, Visit)
    from salesweb.service import links as customer_links, rules as feedback, help
    from salesweb.core import settings
    with app.app_context():
        rep = User.get(User.email == ROLES["rep"])
        busiest = (Visit.select(Visit.customer, fn.COUNT(Visit.id).alias("n")).where(Visit.rep == rep.id)
                   .group_by(Visit.customer).order_by(fn.COUNT(Visit.id).desc()).first())
        open_stages = list(Stage.select().where(Stage.kind == "open").order_by(Stage.position))
        deal = (Deal.select().where((Deal.owner == rep.id) & Deal.stage.in_(open_stages))
                .order_by(Deal.id).first())
        visit = Visit.select().where((Visit.rep == rep.id) & (Visit.status == "done")).order_by(
            Visit.occurred_at.desc()).first()
        item = CollateralItem.select().order_by(CollateralItem.download_count.desc()).first()
        other = next(s for s in open_stages if s.id != deal.stage_id)
        # the rep's latest quote, and the latest contract on one of their won deals
        quote = Quote.select().where(Quote.prepared_by == rep.id).order_by(Quote.id.desc()).first()
        contract = (Contract.select().join(Deal).where(Deal.owner == rep.id).order_by(Contract.id.desc()).first())
        product = Product.select().where(Product.active == True).order_by(Product.id).first()  # noqa: E712
        # the rep's latest help request and feedback case, and a feedback-form link for a customer of theirs
        asked = HelpRequest.select().where(HelpRequest.asked_by == rep.id).order_by(HelpRequest.id.desc()).first()
        case = (Feedback.select().join(Customer).where(Customer.owner == rep.id).order_by(Feedback.id.desc()).first())
        asked = asked or help.ask(rep, "Benchmark question", "normal", busiest.customer_id, None)
        case = case or feedback.log(busiest.customer, "complaint", "phone", "high", "Benchmark", "", rep,
                                    settings.current())
        link = (CustomerLink.get_or_none((CustomerLink.purpose == "feedback") & (CustomerLink.created_by == rep.id))
                or customer_links.create(busiest.customer, "feedback", rep, settings.current()))
        claim = Expense.select().where(Expense.claimant == rep.id).order_by(Expense.id.desc()).first()
        return {"quote": quote.id, "rep": rep.id, "claim": claim.id, "won": contract.deal_id, "product": product, "request": asked.id,
                "feedback": case.id, "feedback_link": link.token,
                "customer": busiest.customer_id, "deal": deal.id, "stages": (deal.stage_id, other.id), "team": rep.team_id,
                "visit": visit.id, "item": item.id, "first_stage": open_stages[0].id,
                "customer_name": busiest.customer.name[:4]}


def pages(ids, today):
    """(name, role, method, url, form data or a function of the client giving it, fragment?)"""
    moves = {"n": 0}

    def move(app):
        from salesweb.models import Deal
        with app.app_context():
            deal = Deal.get_by_id(ids["deal"])
        moves["n"] += 1
        target = ids["stages"][moves["n"] % 2]  # back and forth, so the board stays as it was
        return {"stage": target, "version": deal.version, "before": "", "after": ""}

    def log_visit(app):
        import pytz
        with app.app_context():
            from salesweb.core import settings
            zone = pytz.timezone(settings.current()["timezone"])
        at = datetime.datetime.now(zone) - datetime.timedelta(minutes=30)  # day and time from one moment, just past
        return {"customer": ids["customer"], "occurred_on": at.date().isoformat(), "occurred_time": at.strftime("%H:%M"),
                "duration_minutes": "45", "kind": "phone", "purpose": "Benchmark call", "notes": "Went well.",
                "outcome": "positive"}

    def preview(app):
        product = ids["product"]
        return {"lines-0-product": product.id, "lines-0-product_name": product.name, "lines-0-quantity": "12",
                "lines-0-unit_price": str(product.unit_price / 100), "lines-0-discount": "5",
                "lines-1-product_name": "", "discount": "3", "valid_until": "", "notes": ""}

    return [
        ("login page", "anonymous", "GET", "/login", None, False),
        ("rep home (Today)", "rep", "GET", "/rep/", None, False),
        ("manager home", "manager", "GET", "/manager/", None, False),
        ("manager home (director)", "director", "GET", "/manager/", None, False),
        ("targets (director)", "director", "GET", "/manager/targets", None, False),
        ("team figure as CSV (director)", "director", "GET", "/manager/export/attainment.csv", None, False),
        ("ops analytics, performance", "ops", "GET", "/ops/", None, False),
        ("ops analytics, activity", "ops", "GET", "/ops/activity", None, False),
        ("ops analytics, trends", "ops", "GET", "/ops/trends", None, False),
        ("ops analytics, won and lost", "ops", "GET", "/ops/outcomes", None, False),
        ("ops analytics, a team's (filter swap)", "ops", "GET", f"/ops/?team={ids['team']}", None, True),
        ("admin home", "admin", "GET", "/admin/users", None, False),
        ("customers, tier A (rep)", "rep", "GET", "/customers?tier=A", None, False),
        ("customers, tier C (manager)", "manager", "GET", "/customers?tier=C", None, False),
        ("customers, all (director)", "director", "GET", "/customers", None, False),
        ("customers, search (manager)", "manager", "GET", "/customers?q=" + urllib.parse.quote(ids["customer_name"]),
         None, True),
        ("customer pool", "rep", "GET", "/customers/pool", None, False),
        ("customer page", "rep", "GET", f"/customers/{ids['customer']}", None, False),
        ("customer picker", "rep", "GET", "/customers/pick?customer_name=" + urllib.parse.quote(ids["customer_name"]),
         None, True),
        ("board (rep)", "rep", "GET", "/pipeline", None, False),
        ("board (manager)", "manager", "GET", "/pipeline", None, False),
        ("board (director)", "director", "GET", "/pipeline", None, False),
        ("board, more cards", "director", "GET", f"/pipeline/stages/{ids['first_stage']}/cards?offset=50", None, True),
        ("deal page", "rep", "GET", f"/deals/{ids['deal']}", None, False),
        ("card move", "rep", "POST", f"/deals/{ids['deal']}/move", move, True),
        ("visits (rep)", "rep", "GET", "/visits", None, False),
        ("visits (manager)", "manager", "GET", "/visits", None, False),
        ("visits this week (manager)", "manager", "GET", "/visits/week", None, False),
        ("visit page", "rep", "GET", f"/visits/{ids['visit']}", None, False),
        ("log visit form", "rep", "GET", "/visits/new", None, False),
        ("log visit submit", "rep", "POST", "/visits/new", log_visit, False),
        ("tasks", "rep", "GET", "/tasks", None, False),
        ("weekly reports (manager)", "manager", "GET", "/manager/reports", None, False),
        ("collateral library", "rep", "GET", "/collateral", None, False),
        ("collateral search", "rep", "GET", "/collateral?q=X200", None, True),
        ("collateral item", "rep", "GET", f"/collateral/{ids['item']}", None, False),
        ("product catalogue (support)", "support", "GET", "/ops/products", None, False),
        ("product picker", "rep", "GET", "/products/pick?q=" + urllib.parse.quote(ids["product"].name[:3]), None, True),
        ("new quote form", "rep", "GET", f"/deals/{ids['deal']}/quotes/new", None, False),
        ("quote totals (live preview)", "rep", "POST", "/quotes/preview", preview, True),
        ("quote page", "rep", "GET", f"/quotes/{ids['quote']}", None, False),
        ("quote printout", "rep", "GET", f"/quotes/{ids['quote']}/print", None, False),
        ("quote list (support)", "support", "GET", "/quotes", None, False),
        ("quote list, sent ones (director)", "director", "GET", "/quotes?status=sent", None, True),
        ("approvals queue (manager)", "manager", "GET", "/manager/approvals", None, False),
        ("deal page with contract", "rep", "GET", f"/deals/{ids['won']}", None, False),
        ("receivables (manager)", "manager", "GET", "/receivables", None, False),
        ("notifications", "rep", "GET", "/notifications", None, False),
        ("support desk", "support", "GET", "/support/", None, False),
        ("help requests queue (support)", "support", "GET", "/support/requests", None, False),
        ("help request", "rep", "GET", f"/requests/{ids['request']}", None, False),
        ("feedback list (manager)", "manager", "GET", "/feedback?show=all", None, False),
        ("feedback case", "rep", "GET", f"/feedback/{ids['feedback']}", None, False),
        ("customer's feedback form", "anonymous", "GET", f"/f/{ids['feedback_link']}", None, False),
        ("allocation console (ops)", "ops", "GET", "/ops/allocation", None, False),
        ("allocation, one rep's customers", "ops", "GET", f"/ops/allocation?owner={ids['rep']}", None, False),
        ("allocation console (manager)", "manager", "GET", "/manager/allocation", None, False),
        ("budgets (ops)", "ops", "GET", "/budgets", None, False),
        ("expense claims (manager)", "manager", "GET", "/expenses", None, False),
        ("expense claim", "rep", "GET", f"/expenses/{ids['claim']}", None, False),
        ("audit log", "admin", "GET", "/audit/", None, False),
    ]


def request(client, app, method, url, data, fragment, csrf):
    return send(client, method, url, posted(app, method, data, csrf), fragment)


def posted(app, method, data, csrf):
    """The form a POST sends. Built before a request is timed: a card move reads the deal's version for it,
    and that read is the bench's, not the server's."""
    if method == "GET":
        return None
    form = data(app) if callable(data) else dict(data or {})
    form["csrf_token"] = csrf
    return form


def send(client, method, url, form, fragment):
    headers = {"HX-Request": "true"} if fragment else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, data=form, headers=headers)


def assets_gzip(client, body, cache):
    """Gzipped bytes of the CSS and JS a full page references."""
    total = 0
    for path in re.findall(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"?]+\.(?:js|css))', body):
        if path not in cache:
            cache[path] = len(gzip.compress(client.get(path).get_data(), 6))
        total += cache[path]
    return total


def measure(app, page_list, rounds, writer, warm_up=3):
    """Each page's first view after a write (its queries, its body), then `rounds` timed views, each after a write
    committed through `writer`. The floor is timed in turn with each page's requests, with no write before it:
    the least a page costs, so a write's cost never flatters a ratio."""
    users = clients(app)
    freeze_heap()  # as a server worker does once it is ready (salesweb serve)
    csrf = {role: csrf_of(c.get("/account/password" if role != "anonymous" else "/login").get_data(as_text=True))
            for role, c in users.items()}
    cache, results = {}, []
    floors = [("floor (base layout, no queries)", "anonymous", "GET", "/_bench/floor", None, False),
              ("floor, signed in (+ session user)", "rep", "GET", "/_bench/floor", None, False)]
    for name, role, method, url, data, fragment in floors + page_list:
        client = users[role]
        for _ in range(warm_up):  # templates compiled, code paths run once: not what a user meets on a busy worker
            request(client, app, method, url, data, fragment, csrf[role])
        form = posted(app, method, data, csrf[role])  # the bench's own reads (a deal's version) come before the write
        writer.write()
        with counting() as counter:  # a streamed body (a CSV) runs its queries as it is read
            response = send(client, method, url, form, fragment)
            body = response.get_data()
        assert response.status_code < 400 or name == "login page", f"{name}: HTTP {response.status_code}"

        floor_client = users["anonymous" if role == "anonymous" else "rep"]
        times, floor_times = [], []
        for _ in range(rounds):
            form = posted(app, method, data, csrf[role])
            writer.write()
            started = time.perf_counter()
            answer = send(client, method, url, form, fragment)
            answer.get_data()
            times.append((time.perf_counter() - started) * 1000)
            # the floor in turn with the page, so both are timed on the machine as it is at that moment
            started = time.perf_counter()
            floor_client.get("/_bench/floor").get_data()
            floor_times.append((time.perf_counter() - started) * 1000)
        html = response.mimetype == "text/html" and not fragment and method == "GET"
        results.append({
            "page": name, "role": role, "method": method, "url": url, "status": answer.status_code,
            "queries": counter.count,
            "cold_median_ms": round(statistics.median(times), 2),
            "cold_p95_ms": round(sorted(times)[max(0, int(len(times) * 0.95) - 1)], 2),
            "floor_ms": round(statistics.median(floor_times), 2),
            "bytes": len(body), "gzip_bytes": len(gzip.compress(body, 6)),
            "first_load_gzip_bytes": len(gzip.compress(body, 6)) + assets_gzip(client, body.decode(), cache)
            if html else None})
    # A signed-in page is compared with the same layout for a signed-in user: the nav and the session's
    # user (its one query) are on every such page; the login page with the anonymous floor. Each page with
    # the floor's median over the requests made in turn with its own: on a shared machine the speed drifts
    # by a fifth from minute to minute, and a floor timed once, apart, put that drift into every ratio.
    for row in results:
        row["ratio"] = round(row["cold_median_ms"] / row["floor_ms"], 2)
    return results


def small_counts(directory, page_list_for):
    """Queries per page on the small demo data (SQLite): they must equal the large data's."""
    app, env = prepare(directory, "small")
    with app.app_context():
        from salesweb.core import settings
        today = datetime.date.today()
        settings.current()
    writer = Writer(env["DATABASE_URL"])
    rows = measure(app, page_list_for(app, today), rounds=1, writer=writer, warm_up=1)
    writer.close()
    db.close()
    return {row["page"]: row["queries"] for row in rows}


def data_size(app):
    from salesweb.models import CollateralItem, Contact, Customer, Deal, Stage, User, Visit
    with app.app_context():
        return {"users": User.select().count(), "customers": Customer.select().count(),
                "contacts": Contact.select().count(), "deals": Deal.select().count(),
                "open_deals": Deal.select().join(Stage).where(Stage.kind == "open").count(),
                "visits": Visit.select().count(), "collateral_items": CollateralItem.select().count()}


def misses(rows, small, engine):
    """Every budget a page misses. The small-data counts come from SQLite, so they are compared on SQLite
    only (on PostgreSQL the customer's feedback form takes one more); the ratio to the floor too (SPEC §4)."""
    found = []
    for row in rows[2:]:
        limit = BUDGET["move_ratio"] if row["page"] == "card move" else BUDGET["ratio"]
        if row["queries"] > BUDGET["queries"]:
            found.append(f"{row['page']}: {row['queries']} queries (budget {BUDGET['queries']})")
        if engine == "sqlite" and small.get(row["page"]) != row["queries"]:
            found.append(f"{row['page']}: {small.get(row['page'])} queries on small data, {row['queries']} on this")
        if engine == "sqlite" and row["ratio"] > limit:
            found.append(f"{row['page']}: {row['ratio']}x the floor (budget {limit}x)")
        if row["first_load_gzip_bytes"] and row["first_load_gzip_bytes"] > BUDGET["first_load_kb"] * 1024:
            found.append(f"{row['page']}: first load {row['first_load_gzip_bytes'] / 1024:.1f} KB gzip "
                         f"(budget {BUDGET['first_load_kb']:.0f} KB)")
    return found


def table(rows, small):
    head = (f"{'page':<38}{'queries':>9}{'cold ms':>9}{'p95 ms':>9}{'floor ms':>10}{'x floor':>9}"
            f"{'bytes':>9}{'gzip':>8}{'first KB':>10}")
    lines = [head, "-" * len(head)]
    for row in rows:
        queries = str(row["queries"]) + ("" if small.get(row["page"], row["queries"]) == row["queries"] else "≠")
        first = f"{row['first_load_gzip_bytes'] / 1024:.1f}" if row["first_load_gzip_bytes"] else ""
        lines.append(f"{row['page']:<38}{queries:>9}{row['cold_median_ms']:>9.2f}{row['cold_p95_ms']:>9.2f}"
                     f"{row['floor_ms']:>10.2f}{row['ratio']:>9.2f}"
                     f"{row['bytes']:>9}{row['gzip_bytes']:>8}{first:>10}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=str(ROOT / "instance" / "bench"), help="where the databases are kept")
    parser.add_argument("--scale", choices=("large", "xl"), default="large",
                        help="the demo data measured (xl: five times large, built the first time, a few minutes)")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per page")
    parser.add_argument("--out", help="JSON results (default: <dir>/results-<engine>.json, or -<scale>.json)")
    args = parser.parse_args()
    directory = pathlib.Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL")
    engine = "postgresql" if url and url.startswith("postgres") else "sqlite"

    def page_list_for(app, today):
        return pages(fixtures(app), today)

    small = small_counts(directory, page_list_for)
    app, env = prepare(directory, args.scale, url)
    with app.app_context():
        from salesweb.customers import cadence
        from salesweb.core import settings
        today = cadence.local_date(datetime.datetime.utcnow(), settings.current())
    size = data_size(app)
    writer = Writer(env["DATABASE_URL"])
    rows = measure(app, page_list_for(app, today), args.rounds, writer)
    writer.close()
    db.close()
    print(f"\nsalesweb benchmark, {engine}, {args.scale} data: " + ", ".join(f"{v:,} {k}" for k, v in size.items()))
    print(f"cold view: a write committed by another connection before each of {args.rounds} requests per page, "
          f"in-process; budgets: ≤ {BUDGET['queries']} queries and the same count on small data (≠ marks a "
          f"difference), ≤ {BUDGET['ratio']:g}x the floor (card move {BUDGET['move_ratio']:g}x, SQLite), "
          f"first load ≤ {BUDGET['first_load_kb']:g} KB gzip\n")
    print(table(rows, small))
    found = misses(rows, small, engine)
    out = pathlib.Path(args.out or directory / (f"results-{engine}.json" if args.scale == "large"
                                                else f"results-{engine}-{args.scale}.json"))
    out.write_text(json.dumps({"engine": engine, "when": datetime.datetime.now().isoformat(timespec="seconds"),
                               "data": size, "budget": BUDGET, "pages": rows, "small_queries": small,
                               "misses": found}, indent=2, ensure_ascii=False))
    print(f"\nresults written to {out}")
    if found:
        print("\nbudgets missed:\n  " + "\n  ".join(found))
        sys.exit(1)
    print("all budgets hold")


if __name__ == "__main__":
    main()
