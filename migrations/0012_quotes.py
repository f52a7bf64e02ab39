"""Products, quotes (numbered per year, with lines and a log of decisions), contracts with a payment plan and
payments, and in-app notifications."""
from peewee import (BigIntegerField, BooleanField, CharField, DateField, DateTimeField, DecimalField, ForeignKeyField,
                    IntegerField, Model, TextField)


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"id": IntegerField(primary_key=True), "Meta": Meta})

    User, Customer, Deal, StoredFile, Task = (stub(n) for n in ("user", "customer", "deal", "stored_file", "task"))

    def meta(name, indexes=()):
        return type("Meta", (), {"database": db, "table_name": name, "indexes": indexes})

    class Product(Model):
        sku = CharField(max_length=40, unique=True)
        name = CharField(max_length=200)
        unit = CharField(max_length=20, default="")
        unit_price = BigIntegerField()
        active = BooleanField(default=True)
        updated_at = DateTimeField()
        Meta = meta("product", ((("active", "name"), False),))

    class QuoteCounter(Model):
        year = IntegerField(primary_key=True)
        last = IntegerField(default=0)
        Meta = meta("quote_counter")

    class Quote(Model):
        number = CharField(max_length=20, unique=True)
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        prepared_by = ForeignKeyField(User, on_delete="RESTRICT")
        status = CharField(max_length=10, default="draft")
        valid_until = DateField()
        notes = TextField(default="")
        discount_bp = IntegerField(default=0)
        list_total = BigIntegerField(default=0)
        subtotal = BigIntegerField(default=0)
        total = BigIntegerField(default=0)
        effective_bp = IntegerField(default=0)
        needs = CharField(max_length=8, default="")
        decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        decided_at = DateTimeField(null=True)
        decision_note = CharField(max_length=500, default="")
        sent_on = DateField(null=True)
        answered_on = DateField(null=True)
        follow_up = ForeignKeyField(Task, null=True, on_delete="SET NULL")
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        Meta = meta("quote", ((("deal", "created_at"), False), (("customer", "created_at"), False),
                              (("status", "needs"), False)))

    class QuoteLine(Model):
        quote = ForeignKeyField(Quote, on_delete="CASCADE")
        position = IntegerField()
        product = ForeignKeyField(Product, on_delete="RESTRICT")
        name = CharField(max_length=200)
        unit = CharField(max_length=20, default="")
        quantity = DecimalField(max_digits=15, decimal_places=3, auto_round=True)
        list_price = BigIntegerField()
        unit_price = BigIntegerField()
        discount_bp = IntegerField(default=0)
        net = BigIntegerField()
        Meta = meta("quote_line", ((("quote", "position"), False),))

    class QuoteEvent(Model):
        quote = ForeignKeyField(Quote, on_delete="CASCADE")
        action = CharField(max_length=12)
        from_status = CharField(max_length=10, default="")
        to_status = CharField(max_length=10)
        by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        note = CharField(max_length=500, default="")
        at = DateTimeField()
        Meta = meta("quote_event", ((("quote", "at"), False),))

    class Contract(Model):
        deal = ForeignKeyField(Deal, unique=True, on_delete="CASCADE")
        number = CharField(max_length=60, unique=True)
        signed_on = DateField()
        value = BigIntegerField()
        file = ForeignKeyField(StoredFile, null=True, on_delete="RESTRICT")
        file_name = CharField(max_length=255, default="")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        updated_at = DateTimeField()
        Meta = meta("contract")

    class Instalment(Model):
        contract = ForeignKeyField(Contract, on_delete="CASCADE")
        due_on = DateField()
        amount = BigIntegerField()
        Meta = meta("instalment", ((("contract", "due_on"), False), (("due_on",), False)))

    class Payment(Model):
        contract = ForeignKeyField(Contract, on_delete="CASCADE")
        received_on = DateField()
        amount = BigIntegerField()
        note = CharField(max_length=200, default="")
        recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        Meta = meta("payment", ((("contract", "received_on"), False), (("received_on",), False)))

    class Notification(Model):
        user = ForeignKeyField(User, on_delete="CASCADE")
        kind = CharField(max_length=24)
        params = TextField(default="{}")
        link = CharField(max_length=300, default="")
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        Meta = meta("notification", ((("user", "created_at"), False),))

    db.create_tables([Product, QuoteCounter, Quote, QuoteLine, QuoteEvent, Contract, Instalment, Payment,
                      Notification])
    db.execute_sql("CREATE INDEX IF NOT EXISTS notification_unread ON notification (user_id) WHERE read_at IS NULL")
