"""Notifications by e-mail, when MAIL_HOST is set; links start with BASE_URL, never with a request's address.

A request takes note of the notifications it writes; once it has answered successfully, one background thread
reads them back (a notification whose transaction rolled back is not there to read) with each reader's address
and language, and mails each one. A slow or failing mail server never holds up or breaks a request."""
import atexit
import logging
import os
import queue
import threading
import time

from flask import current_app, g, has_app_context, has_request_context

from ..core.db import db
from ..core.i18n import _, force_locale
from ..models import Notification, User
from . import mail
from ..core import notifications
from ..core.settings import current_settings

log = logging.getLogger(__name__)
SUBJECT_CHARS = 150


def init_app(app):
    notifications.listen(_note)
    app.after_request(_after_request)
    app.teardown_appcontext(_after_context)


def _note(written):
    if has_app_context() and current_app.config["MAIL_HOST"]:
        g.setdefault("mail_pending", {"written": [], "in_request": has_request_context()})["written"].extend(written)


def _after_request(response):
    pending = g.pop("mail_pending", None)
    if pending and response.status_code < 400:
        _queue(pending["written"], current_app.config["BASE_URL"])
    return response


def _after_context(exc):
    """Notifications written outside a request (a command) go when its app context ends without an error."""
    pending = g.pop("mail_pending", None)
    if pending and exc is None and not pending["in_request"]:
        _queue(pending["written"], current_app.config["BASE_URL"])


def _queue(written, base_url):
    app = current_app._get_current_object()
    worker.put(lambda: deliver(app, written, base_url))


def deliver(app, written, base_url):
    """Mail the notifications `written` ((id, created_at) pairs) to their readers, each in the reader's language."""
    wanted = set(written)
    with app.app_context():
        try:
            rows = [row for row in Notification.select(Notification, User).join(User)
                    .where(Notification.id.in_([i for i, _at in wanted]) & (User.active == True)  # noqa: E712
                           & (User.email != "")).order_by(Notification.id)
                    if (row.id, row.created_at) in wanted]
            values = current_settings() if rows else {}
        finally:
            db.close()  # the connection is not kept while the mail server is talked to
        messages = []
        for item in rows:
            locale = item.user.locale if item.user.locale in app.config["LANGUAGES"] else values["default_locale"]
            with force_locale(locale):
                messages.append(_message(item, base_url.rstrip("/"), values["company_name"], app.config["MAIL_FROM"]))
    mail.send(mail.Server.from_config(app.config), messages)


def _message(item, base_url, company, sender):
    sentence = " ".join(notifications.text(item).split())
    subject = sentence if len(sentence) <= SUBJECT_CHARS else sentence[:SUBJECT_CHARS - 1] + "…"
    lines = [sentence, ""]
    if item.link:
        lines += [base_url + item.link, ""]
    lines += [_("All your notifications: %(url)s", url=base_url + "/notifications"), "", "-- ", company]
    return mail.message(sender, company, item.user.email, item.user.name, subject, "\n".join(lines) + "\n")


class Worker:
    """One thread per process, started by the first job (again in a forked child); jobs run one after another and
    a failing one is logged."""

    def __init__(self):
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self):
        self._lock, self._done, self._jobs, self._unfinished, self._running = (
            threading.Lock(), threading.Condition(), queue.SimpleQueue(), 0, False)

    def put(self, job):
        with self._lock:
            if not self._running:
                threading.Thread(target=self._run, name="salesweb-mail", daemon=True).start()
                self._running = True
        with self._done:
            self._unfinished += 1
        self._jobs.put(job)

    def _run(self):
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # a bad job must not stop the mail of those after it
                log.exception("notification e-mail failed")
            finally:
                with self._done:
                    self._unfinished -= 1
                    self._done.notify_all()

    def wait(self, timeout=10.0):
        """True once every job given so far is done; False when `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self._unfinished:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True


worker = Worker()
atexit.register(worker.wait, 20.0)  # a stopping server or command sends what it has queued first
