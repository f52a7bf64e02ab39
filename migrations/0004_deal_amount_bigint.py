"""Deal amounts are 64-bit: in minor units, 21,474,836.47 overflowed PostgreSQL's integer (SQLite's is already 64-bit)."""
from peewee import PostgresqlDatabase


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('ALTER TABLE "deal" ALTER COLUMN "amount" TYPE bigint')
