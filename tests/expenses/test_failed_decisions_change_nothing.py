"""An expense decision that fails after its write leaves the claim as it was: the request answers in the write's
transaction, so nothing it wrote outlives the failure."""
import pytest

from salesweb.models import AuditEvent, Expense, Notification
from salesweb.expenses import rules as expenses
from tests.conftest import login, post
from tests.expenses.test_expenses import claim


@pytest.fixture
def east(app, make):
    manager = make.user("manager", team="East")
    rep = make.user("rep", team="East", reports_to=manager)
    return manager, rep


def test_an_approval_that_fails_after_writing_is_undone(app, east, monkeypatch):
    manager, rep = east
    item = claim(app, rep)
    client = app.test_client()
    assert login(client, manager.email).status_code == 302
    audits, notices = AuditEvent.select().count(), Notification.select().count()
    approve = expenses.approve

    def approve_then_fail(*args, **kwargs):
        approve(*args, **kwargs)
        raise RuntimeError("failed after the write")
    monkeypatch.setattr(expenses, "approve", approve_then_fail)
    failed = post(client, f"/expenses/{item.id}/approve", {"version": str(item.version)})
    assert failed.status_code == 500
    kept = Expense.get_by_id(item.id)
    assert (kept.status, kept.version) == ("submitted", item.version)
    assert (AuditEvent.select().count(), Notification.select().count()) == (audits, notices)
