"""A won deal makes its customer a customer. Installs from before that rule may hold leads and prospects with won
deals (an A-tier "lead" with a 1.7 M win): they become customers here, as do dormant customers who won a deal in
the last year (the demo data follows the same rule); a dormant one whose wins are all older stays dormant. Each
change is written to the audit log, by no one, like any status change.

The tables are named here as they stand at this migration, not through the models, which may grow columns later."""
import datetime

from peewee import Table, fn


def up(migrator, db):
    customer = Table("customer", ("id", "name", "status", "updated_at")).bind(db)
    deal = Table("deal", ("id", "customer_id", "stage_id", "won_on")).bind(db)
    stage = Table("stage", ("id", "kind")).bind(db)
    audit = Table("audit_event", ("id", "at", "actor_id", "action", "object_type", "object_id", "summary", "ip"))
    audit = audit.bind(db)
    year_ago = datetime.date.today() - datetime.timedelta(days=365)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    won = (customer.select(customer.id, customer.name, customer.status, fn.MAX(deal.won_on).alias("last_won"))
           .join(deal, on=(deal.customer_id == customer.id)).join(stage, on=(stage.id == deal.stage_id))
           .where((stage.kind == "won") & customer.status.in_(("lead", "prospect", "dormant")))
           .group_by(customer.id, customer.name, customer.status).tuples())
    with db.atomic():
        for customer_id, name, status, last_won in list(won):
            if isinstance(last_won, str):  # SQLite hands back an aggregate's date as text
                last_won = datetime.date.fromisoformat(last_won[:10])
            if status == "dormant" and (last_won is None or last_won < year_ago):
                continue
            customer.update(status="customer", updated_at=now).where(customer.id == customer_id).execute()
            audit.insert(at=now, actor_id=None, action="edit", object_type="customer", object_id=customer_id,
                         summary=f"{name}: status {status} → customer (a won deal, on upgrading)"[:500], ip=None).execute()
