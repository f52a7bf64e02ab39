"""Customers, contacts, notes, tier history and pool moves."""
from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    TextField)


def up(migrator, db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class Customer(Model):
        name = CharField(max_length=200)
        name_key = CharField(max_length=200, index=True)
        industry = CharField(max_length=100, default="")
        region = CharField(max_length=64, default="", index=True)
        address = CharField(max_length=300, default="")
        phone = CharField(max_length=40, default="")
        website = CharField(max_length=200, default="")
        source = CharField(max_length=16, default="other")
        status = CharField(max_length=16, default="lead")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        tier = CharField(max_length=1, default="C")
        tier_locked = BooleanField(default=False)
        tier_lock_reason = CharField(max_length=300, default="")
        notes = TextField(default="")
        last_visit_at = DateTimeField(null=True)
        next_visit_due = DateField(index=True)
        last_activity_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "customer"
            indexes = (
                (("owner", "tier", "next_visit_due"), False),
                (("tier", "next_visit_due"), False),
                (("owner", "last_activity_at"), False),
            )

    class Contact(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        name = CharField(max_length=100, index=True)
        title = CharField(max_length=100, default="")
        phone = CharField(max_length=40, default="", index=True)
        email = CharField(max_length=254, default="")
        wechat = CharField(max_length=64, default="")
        is_primary = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "contact"

    class CustomerNote(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "customer_note"
            indexes = ((("customer", "created_at"), False),)

    class TierChange(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        old_tier = CharField(max_length=1, null=True)
        new_tier = CharField(max_length=1)
        reason = CharField(max_length=16)
        note = CharField(max_length=300, default="")
        by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "tier_change"
            indexes = ((("customer", "at"), False),)

    class PoolMove(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        kind = CharField(max_length=16)
        from_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        to_owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = DateTimeField(index=True)
        reverted_at = DateTimeField(null=True)
        reverted_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "pool_move"

    db.create_tables([Customer, Contact, CustomerNote, TierChange, PoolMove])
