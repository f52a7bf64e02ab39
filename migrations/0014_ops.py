"""Regions and their reps, bulk reallocations (kept for undo), team budgets, expense claims."""
from peewee import (BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    SmallIntegerField, TextField)


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"id": IntegerField(primary_key=True), "Meta": Meta})

    User, Team, Customer, Deal, Visit, StoredFile = (
        stub(n) for n in ("user", "team", "customer", "deal", "visit", "stored_file"))

    def meta(name, indexes=()):
        return type("Meta", (), {"database": db, "table_name": name, "indexes": indexes})

    class Region(Model):
        name = CharField(max_length=64)
        name_key = CharField(max_length=64, unique=True)
        rep = ForeignKeyField(User, null=True, on_delete="SET NULL")
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        Meta = meta("region")

    class Reallocation(Model):
        by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        to_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        customers = IntegerField(default=0)
        deals = IntegerField(default=0)
        created_at = DateTimeField(index=True)
        undone_at = DateTimeField(null=True)
        undone_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        Meta = meta("reallocation")

    class ReallocationMove(Model):
        reallocation = ForeignKeyField(Reallocation, on_delete="CASCADE")
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        deal = ForeignKeyField(Deal, null=True, on_delete="CASCADE")
        from_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        to_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        Meta = meta("reallocation_move")

    class Budget(Model):
        team = ForeignKeyField(Team, on_delete="CASCADE")
        year = SmallIntegerField()
        quarter = SmallIntegerField()
        category = CharField(max_length=16)
        amount = BigIntegerField(default=0)
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        Meta = meta("budget", ((("team", "year", "quarter", "category"), True),))

    class Expense(Model):
        claimant = ForeignKeyField(User, on_delete="RESTRICT")
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        spent_on = DateField()
        category = CharField(max_length=16)
        amount = BigIntegerField()
        description = TextField()
        visit = ForeignKeyField(Visit, null=True, on_delete="SET NULL")
        customer = ForeignKeyField(Customer, null=True, on_delete="SET NULL")
        receipt = ForeignKeyField(StoredFile, on_delete="RESTRICT")
        receipt_name = CharField(max_length=255)
        status = CharField(max_length=10, default="submitted")
        decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        decided_at = DateTimeField(null=True)
        decision_note = CharField(max_length=500, default="")
        over_budget = SmallIntegerField(default=0)
        paid_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        paid_at = DateTimeField(null=True)
        payment_reference = CharField(max_length=100, default="")
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        Meta = meta("expense", ((("claimant", "created_at"), False), (("status", "created_at"), False),
                                (("team", "spent_on", "category"), False)))

    db.create_tables([Region, Reallocation, ReallocationMove, Budget, Expense])
