"""Stages with the SPEC defaults, loss reasons, deals and their stage history."""

from peewee import (BooleanField, CharField, DateField, DateTimeField, DoubleField, ForeignKeyField, IntegerField,
                    Model, TextField)

STAGES = [
    ("Prospecting", "寻找潜在客户", 10, "open", 14),
    ("Needs analysis", "需求挖掘", 25, "open", 14),
    ("Proposal", "方案报价", 50, "open", 3),
    ("Negotiation", "谈判", 75, "open", 10),
    ("Won", "成交", 100, "won", None),
    ("Lost", "丢单", 0, "lost", None),
]
LOSS_REASONS = [
    ("Price", "价格"), ("Competitor", "竞争对手"), ("No budget", "没有预算"), ("No decision", "客户未决策"),
    ("Product fit", "产品不匹配"), ("Timing", "时机不对"), ("Other", "其他"),
]


def up(migrator, db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class Customer(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "customer"

    class Stage(Model):
        name_en = CharField(max_length=60)
        name_zh = CharField(max_length=60)
        position = IntegerField(index=True)
        probability = IntegerField()
        kind = CharField(max_length=8, default="open")
        rotting_days = IntegerField(null=True)

        class Meta:
            database = db
            table_name = "stage"

    class LossReason(Model):
        name_en = CharField(max_length=80)
        name_zh = CharField(max_length=80)
        position = IntegerField()
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "loss_reason"

    class Deal(Model):
        title = CharField(max_length=200)
        customer = ForeignKeyField(Customer, on_delete="RESTRICT")
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        amount = IntegerField(default=0)
        stage = ForeignKeyField(Stage, on_delete="RESTRICT")
        position = DoubleField()
        probability = IntegerField()
        probability_overridden = BooleanField(default=False)
        expected_close = DateField(null=True)
        next_step = CharField(max_length=200, default="")
        next_step_due = DateField(null=True)
        lost_reason = ForeignKeyField(LossReason, null=True, on_delete="SET NULL")
        lost_note = CharField(max_length=500, default="")
        won_on = DateField(null=True)
        lost_on = DateField(null=True)
        stage_entered_at = DateTimeField()
        last_activity_at = DateTimeField()
        version = IntegerField(default=1)
        notes = TextField(default="")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "deal"
            indexes = (
                (("stage", "position"), False),
                (("owner", "stage"), False),
                (("expected_close",), False),
                (("won_on",), False),
            )

    class StageChange(Model):
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        from_stage = ForeignKeyField(Stage, null=True, on_delete="SET NULL")
        to_stage = ForeignKeyField(Stage, on_delete="CASCADE")
        by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = DateTimeField()

        class Meta:
            database = db
            table_name = "stage_change"
            indexes = ((("deal", "at"), False), (("to_stage", "at"), False))

    db.create_tables([Stage, LossReason, Deal, StageChange])
    Stage.insert_many([
        {"name_en": en, "name_zh": zh, "position": i, "probability": p, "kind": kind, "rotting_days": rot}
        for i, (en, zh, p, kind, rot) in enumerate(STAGES)]).execute()
    LossReason.insert_many([{"name_en": en, "name_zh": zh, "position": i} for i, (en, zh) in enumerate(LOSS_REASONS)]).execute()
