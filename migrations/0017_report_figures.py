"""A submitted weekly report keeps the figures it was submitted with (weekly_report.figures), so that what its
manager reads is what its rep sent, whatever is logged or changed in that week afterwards.

Reports submitted before this migration never stored theirs: they are frozen here from the data as it stands
when the migration runs. That is the best available, not necessarily what their reps saw."""
from flask import current_app, has_app_context
from peewee import TextField


def up(migrator, db):
    migrator.migrate(migrator.add_column("weekly_report", "figures", TextField(null=True)))
    from salesweb.reports import rules as reports
    from salesweb.core import settings
    fallbacks = {"timezone": current_app.config["TIMEZONE"]} if has_app_context() else {}
    reports.freeze_submitted(settings.current(fallbacks))
