"""Visits, who was met, comments, tasks and weekly reports; where customers are; each user's calendar secret."""
from peewee import (BooleanField, CharField, DateField, DateTimeField, DoubleField, ForeignKeyField, IntegerField, Model,
                    TextField)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("customer", "lat", DoubleField(null=True)),
        migrator.add_column("customer", "lon", DoubleField(null=True)),
        migrator.add_column("user", "calendar_token", CharField(max_length=64, null=True)),
        migrator.add_index("user", ("calendar_token",), True),
    )

    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"id": IntegerField(primary_key=True), "Meta": Meta})

    User, Customer, Contact, Deal, StoredFile = (stub(n) for n in ("user", "customer", "contact", "deal", "stored_file"))

    class Visit(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        rep = ForeignKeyField(User, on_delete="RESTRICT")
        status = CharField(max_length=10, default="done")
        planned_for = DateField(null=True)
        occurred_at = DateTimeField(null=True)
        duration_minutes = IntegerField(default=45)
        kind = CharField(max_length=10, default="on_site")
        purpose = CharField(max_length=200, default="")
        notes = TextField(default="")
        outcome = CharField(max_length=10, default="")
        next_step = CharField(max_length=200, default="")
        next_visit_on = DateField(null=True)
        deal = ForeignKeyField(Deal, null=True, on_delete="SET NULL")
        market_note = TextField(default="")
        market_tags = CharField(max_length=300, default="")
        lat = DoubleField(null=True)
        lon = DoubleField(null=True)
        accuracy_m = DoubleField(null=True)
        fix_at = DateTimeField(null=True)
        distance_m = IntegerField(null=True)
        verified = BooleanField(default=False)
        check_problem = CharField(max_length=16, default="")
        photo = ForeignKeyField(StoredFile, null=True, on_delete="RESTRICT")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "visit"
            indexes = ((("rep", "occurred_at"), False), (("rep", "status", "planned_for"), False),
                       (("customer", "occurred_at"), False), (("occurred_at",), False))

    class VisitContact(Model):
        visit = ForeignKeyField(Visit, on_delete="CASCADE")
        contact = ForeignKeyField(Contact, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "visit_contact"
            indexes = ((("visit", "contact"), True),)

    class VisitComment(Model):
        visit = ForeignKeyField(Visit, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "visit_comment"
            indexes = ((("visit", "created_at"), False),)

    class Task(Model):
        title = CharField(max_length=200)
        assignee = ForeignKeyField(User, on_delete="CASCADE")
        due_on = DateField()
        customer = ForeignKeyField(Customer, null=True, on_delete="CASCADE")
        deal = ForeignKeyField(Deal, null=True, on_delete="SET NULL")
        visit = ForeignKeyField(Visit, null=True, on_delete="SET NULL")
        source = CharField(max_length=16, default="manual")
        done_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "task"
            indexes = ((("assignee", "done_at", "due_on"), False),)

    class WeeklyReport(Model):
        rep = ForeignKeyField(User, on_delete="CASCADE")
        year = IntegerField()
        week = IntegerField()
        feedback = TextField(default="")
        market = TextField(default="")
        plan = TextField(default="")
        forecast = TextField(default="")
        submitted_at = DateTimeField(null=True)
        comment = TextField(default="")
        commented_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        commented_at = DateTimeField(null=True)
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "weekly_report"
            indexes = ((("rep", "year", "week"), True), (("year", "week"), False))

    db.create_tables([Visit, VisitContact, VisitComment, Task, WeeklyReport])
