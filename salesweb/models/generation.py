"""The data generation (see migrations/0016_data_generation.py): moved by triggers on every write to the business
tables, read with the signed-in user, and the key under which results computed from the data are cached."""
from peewee import BigIntegerField, IntegerField

from ..core.db import BaseModel


class DataGeneration(BaseModel):
    id = IntegerField(primary_key=True)
    n = BigIntegerField()

    class Meta:
        table_name = "data_generation"
