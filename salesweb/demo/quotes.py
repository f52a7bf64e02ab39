"""Demo catalogue, quotes on open deals, and contracts with payment plans and payments for the last year's wins
(most paid on time, some late), written in bulk."""
import datetime
from decimal import Decimal

from ..models import Contract, Deal, Instalment, Payment, Product, Quote, QuoteCounter, QuoteEvent, QuoteLine, Stage
from ..quotes import rules as quote_rules
from ..quotes.contracts import even_plan

PRODUCTS = (
    ("PX", "离心泵", "Centrifugal pump", "台", (8_000_00, 60_000_00)),
    ("VL", "控制阀", "Control valve", "个", (1_200_00, 9_000_00)),
    ("HX", "板式换热器", "Plate heat exchanger", "台", (20_000_00, 150_000_00)),
    ("SN", "压力传感器", "Pressure sensor", "个", (600_00, 3_500_00)),
    ("PL", "PLC 控制柜", "PLC cabinet", "套", (30_000_00, 120_000_00)),
    ("SV", "安装调试服务", "Installation and commissioning", "天", (2_500_00, 6_000_00)),
    ("MT", "年度维保", "Annual maintenance", "年", (10_000_00, 80_000_00)),
    ("TR", "操作培训", "Operator training", "人天", (1_500_00, 4_000_00)),
)


def _products(rng):
    rows = []
    for prefix, zh, en, unit, (low, high) in PRODUCTS:
        for model in range(1, 6):
            price = rng.randint(low // 100_00, high // 100_00) * 100_00
            rows.append({"sku": f"{prefix}-{model * 100}", "name": f"{zh} {en} {prefix}{model * 100}", "unit": unit,
                         "unit_price": price, "active": model != 5 or prefix not in ("SN", "TR")})
    Product.insert_many(rows).execute()
    return list(Product.select().where(Product.active == True))  # noqa: E712


def _quotes(rng, now, products, settings):
    """A quote on about a third of the open deals, its lines drawn to come near the deal's amount."""
    today = now.date()
    open_stages = Stage.select(Stage.id).where(Stage.kind == "open")
    deals = list(Deal.select(Deal.id, Deal.customer, Deal.owner, Deal.amount, Deal.created_at)
                 .where(Deal.stage.in_(open_stages)).order_by(Deal.id))
    chosen = [d for d in deals if rng.random() < 0.33]
    quotes, lines, statuses = [], [], []
    for number, deal in enumerate(chosen, start=1):
        items = rng.sample(products, rng.randint(1, 3))
        drafted = []
        for item in items:
            quantity = Decimal(max(1, round(deal.amount / len(items) / max(item.unit_price, 1))))
            quantity = min(quantity, Decimal(500))
            discount = rng.choice((0, 0, 0, 500, 800, 1000))
            drafted.append(quote_rules.Line(item, quantity, item.unit_price, discount))
        status = rng.choices(("draft", "pending", "approved", "sent", "accepted", "rejected"),
                             (3, 2, 2, 6, 2, 1))[0]
        if status == "pending":  # waiting for a manager: a discount just beyond a rep's authority
            drafted = [quote_rules.Line(line.product, line.quantity, line.unit_price, 0) for line in drafted]
            overall = rng.choice((1200, 1500, 1800))
        else:
            overall = rng.choice((0, 0, 0, 200, 500))
        figures = quote_rules.totals(drafted, overall)
        needs = quote_rules.needs(figures, _Role("rep"), settings)
        made = now - datetime.timedelta(days=rng.randint(1, 25), hours=rng.randint(0, 8))
        sent_on = (made + datetime.timedelta(days=1)).date() if status in ("sent", "accepted", "rejected") else None
        quotes.append({"number": f"Q-{today.year}-{number:04d}", "deal": deal.id, "customer": deal.customer_id,
                       "prepared_by": deal.owner_id, "discount_set_by": deal.owner_id, "status": status,
                       "valid_until": today + datetime.timedelta(days=rng.randint(5, 40)), "notes": "",
                       "discount_bp": overall,
                       "list_total": figures.list_total, "subtotal": figures.subtotal, "total": figures.total,
                       "effective_bp": figures.effective_bp, "needs": needs, "sent_on": sent_on,
                       "answered_on": sent_on + datetime.timedelta(days=2) if status in ("accepted", "rejected")
                       else None, "created_at": made, "updated_at": made, "version": 1})
        lines.append(drafted)
        statuses.append(status)
    ids = []
    for first in range(0, len(quotes), 500):
        ids += [row[0] for row in Quote.insert_many(quotes[first:first + 500]).returning(Quote.id).tuples()]
    line_rows = [{"quote": quote_id, "position": i, "product": line.product.id, "name": line.product.name,
                  "unit": line.product.unit, "quantity": line.quantity, "list_price": line.list_price,
                  "unit_price": line.unit_price, "discount_bp": line.discount_bp, "net": line.net}
                 for quote_id, drafted in zip(ids, lines) for i, line in enumerate(drafted)]
    for first in range(0, len(line_rows), 500):
        QuoteLine.insert_many(line_rows[first:first + 500]).execute()
    events = [{"quote": quote_id, "action": "created", "from_status": "", "to_status": "draft",
               "by": row["prepared_by"], "at": row["created_at"]} for quote_id, row in zip(ids, quotes)]
    for first in range(0, len(events), 500):
        QuoteEvent.insert_many(events[first:first + 500]).execute()
    if quotes:
        QuoteCounter.insert(year=today.year, last=len(quotes)).execute()


class _Role:
    def __init__(self, role):
        self.role = role


def _contracts(rng, now):
    """Contracts for the wins of the last twelve months, paid in one to four monthly instalments."""
    today = now.date()
    won = Stage.select(Stage.id).where(Stage.kind == "won")
    deals = list(Deal.select(Deal.id, Deal.owner, Deal.amount, Deal.won_on)
                 .where(Deal.stage.in_(won) & (Deal.won_on >= today - datetime.timedelta(days=365))).order_by(Deal.id))
    rows = [{"deal": d.id, "number": f"HT-{d.won_on.year}-{i:05d}", "signed_on": d.won_on, "value": d.amount,
             "created_by": d.owner_id, "updated_at": now} for i, d in enumerate(deals, start=1)]
    ids = []
    for first in range(0, len(rows), 500):
        ids += [row[0] for row in Contract.insert_many(rows[first:first + 500]).returning(Contract.id).tuples()]
    instalments, payments = [], []
    for contract_id, deal in zip(ids, deals):
        late = rng.random() < 0.15  # a customer behind on payments
        for due, amount in even_plan(deal.amount, rng.randint(1, 4), deal.won_on + datetime.timedelta(days=30)):
            instalments.append({"contract": contract_id, "due_on": due, "amount": amount})
            if due < today and not (late and due > today - datetime.timedelta(days=90)):
                paid_on = min(today, due + datetime.timedelta(days=rng.randint(-5, 12)))
                payments.append({"contract": contract_id, "received_on": paid_on, "amount": amount,
                                 "recorded_by": deal.owner_id, "created_at": now})
    for first in range(0, len(instalments), 500):
        Instalment.insert_many(instalments[first:first + 500]).execute()
    for first in range(0, len(payments), 500):
        Payment.insert_many(payments[first:first + 500]).execute()


def load(rng, now, settings):
    products = _products(rng)
    _quotes(rng, now, products, settings)
    _contracts(rng, now)
