"""Sales targets: an amount a rep or a team is to win in a month, a quarter or a year."""
from peewee import BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField

from ..core.db import BaseModel, utcnow
from .people import Team, User

PERIODS = ("month", "quarter", "year")


class Target(BaseModel):
    user = ForeignKeyField(User, null=True, backref="targets", on_delete="CASCADE")  # a rep's target, or
    team = ForeignKeyField(Team, null=True, backref="targets", on_delete="CASCADE")  # a team's (one of the two)
    period = CharField(max_length=8)
    starts_on = DateField()  # the period's first day
    amount = BigIntegerField()  # minor units
    set_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        # NULLs are distinct in a unique index: each index holds one kind of target and ignores the other.
        indexes = ((("user", "period", "starts_on"), True), (("team", "period", "starts_on"), True))
