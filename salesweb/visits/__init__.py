"""Visits and tasks, seen by every role through the one scope rule: log, plan, list, comment; my tasks."""
from . import routes, tasks  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
