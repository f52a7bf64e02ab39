"""In-app notifications: something happened that a person should look at, with a link to it."""
from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from ..core.db import BaseModel, utcnow
from .people import User


class Notification(BaseModel):
    user = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=24)  # what happened; the text is written in the reader's language when shown
    params = TextField(default="{}")  # JSON: the names and numbers the text needs
    link = CharField(max_length=300, default="")
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "created_at"), False),)


# Unread ones are few: the bell counts them in a partial index.
Notification.add_index(Notification.index(Notification.user, name="notification_unread",
                                          where=Notification.read_at.is_null()))
