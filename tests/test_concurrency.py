"""Concurrent read-then-write transactions queue for the lock; none fails with "database is locked"."""
import threading

from salesweb.core.db import db
from salesweb.models import AuditEvent, User
from salesweb.core import audit
from tests.conftest import ON_POSTGRES


def test_concurrent_read_then_write_transactions_all_succeed(app, make):
    user = make.user("rep")
    errors, rounds, workers = [], 15, 6

    def work():
        try:
            for _ in range(rounds):
                with db.connection_context():
                    with db.atomic():
                        query = User.select().where(User.id == user.id)
                        if ON_POSTGRES:  # PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE locks the database
                            query = query.for_update()
                        current = query.get().session_version  # read ...
                        User.update(session_version=current + 1).where(User.id == user.id).execute()  # ... write
                        audit.record("edit", actor=user, summary="concurrent")
        except Exception as exc:  # collected, asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # No lost update: every increment is there.
    assert User.get_by_id(user.id).session_version == user.session_version + rounds * workers
    assert AuditEvent.select().where(AuditEvent.summary == "concurrent").count() == rounds * workers
