"""Help requests with their replies, customer feedback and complaints, customer links (feedback form, NPS survey),
NPS answers, and the hits that rate-limit public forms."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, SmallIntegerField, TextField


def up(migrator, db):
    def stub(name):
        class Meta:
            database = db
            table_name = name
        return type(name, (Model,), {"id": IntegerField(primary_key=True), "Meta": Meta})

    User, Customer, Deal, StoredFile, Task = (stub(n) for n in ("user", "customer", "deal", "stored_file", "task"))

    def meta(name, indexes=()):
        return type("Meta", (), {"database": db, "table_name": name, "indexes": indexes})

    class HelpRequest(Model):
        asked_by = ForeignKeyField(User, on_delete="CASCADE")
        question = TextField()
        urgency = CharField(max_length=8, default="normal")
        urgency_rank = SmallIntegerField(default=1)
        customer = ForeignKeyField(Customer, null=True, on_delete="SET NULL")
        deal = ForeignKeyField(Deal, null=True, on_delete="SET NULL")
        file = ForeignKeyField(StoredFile, null=True, on_delete="RESTRICT")
        file_name = CharField(max_length=255, default="")
        status = CharField(max_length=10, default="open")
        claimed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        claimed_at = DateTimeField(null=True)
        answered_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        Meta = meta("help_request", ((("status", "urgency_rank", "created_at"), False),
                                     (("asked_by", "updated_at"), False)))

    class HelpReply(Model):
        request = ForeignKeyField(HelpRequest, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        created_at = DateTimeField()
        Meta = meta("help_reply", ((("request", "created_at"), False),))

    class CustomerLink(Model):
        token = CharField(max_length=64, unique=True)
        purpose = CharField(max_length=10)
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        expires_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        uses = IntegerField(default=0)
        Meta = meta("customer_link", ((("customer", "created_at"), False),))

    class Feedback(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        kind = CharField(max_length=12)
        channel = CharField(max_length=10)
        severity = CharField(max_length=8, default="medium")
        description = TextField()
        contact_name = CharField(max_length=100, default="")
        source = CharField(max_length=10, default="staff")
        link = ForeignKeyField(CustomerLink, null=True, on_delete="SET NULL")
        logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        response_due_at = DateTimeField()
        responded_at = DateTimeField(null=True)
        responded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        response = TextField(default="")
        escalated_at = DateTimeField(null=True)
        escalated_to = ForeignKeyField(User, null=True, on_delete="SET NULL")
        resolved_at = DateTimeField(null=True)
        resolved_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        resolution = TextField(default="")
        satisfaction = SmallIntegerField(null=True)
        closed_at = DateTimeField(null=True)
        task = ForeignKeyField(Task, null=True, on_delete="SET NULL")
        version = IntegerField(default=1)
        Meta = meta("feedback", ((("customer", "created_at"), False), (("responded_at", "response_due_at"), False),
                                 (("closed_at", "created_at"), False)))

    class SurveyAnswer(Model):
        link = ForeignKeyField(CustomerLink, unique=True, on_delete="CASCADE")
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        rep = ForeignKeyField(User, null=True, on_delete="SET NULL")
        score = SmallIntegerField()
        comment = TextField(default="")
        answered_at = DateTimeField()
        Meta = meta("survey_answer", ((("answered_at",), False), (("customer", "answered_at"), False)))

    class PublicHit(Model):
        key = CharField(max_length=100)
        at = DateTimeField()
        Meta = meta("public_hit", ((("key", "at"), False),))

    db.create_tables([HelpRequest, HelpReply, CustomerLink, Feedback, SurveyAnswer, PublicHit])
