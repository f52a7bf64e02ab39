"""People, teams, login attempts, the audit log and settings."""
import datetime

from peewee import (BooleanField, CharField, DateTimeField, DeferredForeignKey, TextField,
                    ForeignKeyField, IntegerField, Model, PostgresqlDatabase)


def up(migrator, db):
    class Team(Model):
        name = CharField(max_length=100, unique=True)
        manager = DeferredForeignKey("User", null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            database = db
            table_name = "team"

    class User(Model):
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=100)
        role = CharField(max_length=16, index=True)
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        reports_to = ForeignKeyField("self", null=True, on_delete="SET NULL")
        active = BooleanField(default=True)
        locale = CharField(max_length=8, null=True)
        password_hash = CharField(max_length=255)
        session_version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        last_login_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "user"

    class LoginAttempt(Model):
        at = DateTimeField()
        email = CharField(max_length=254)
        ip = CharField(max_length=64)
        success = BooleanField()

        class Meta:
            database = db
            table_name = "login_attempt"
            indexes = ((("email", "at"), False), (("ip", "at"), False))

    class AuditEvent(Model):
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        action = CharField(max_length=40, index=True)
        object_type = CharField(max_length=40, null=True)
        object_id = IntegerField(null=True)
        summary = CharField(max_length=500, default="")
        ip = CharField(max_length=64, null=True)

        class Meta:
            database = db
            table_name = "audit_event"
            indexes = ((("object_type", "object_id"), False),)

    class Setting(Model):
        key = CharField(max_length=64, primary_key=True)
        value = TextField()
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "setting"

    db.create_tables([Team, User, LoginAttempt, AuditEvent, Setting])
    if isinstance(db, PostgresqlDatabase):
        # SQLite cannot add a constraint to an existing table; PostgreSQL can.
        Team._schema.create_foreign_key(Team.manager)
