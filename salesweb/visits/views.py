"""This package's views, joined to its blueprint: what the app registers (salesweb/app.py)."""
from . import feed_routes, routes, task_routes  # noqa: F401 (the views join the blueprints)
from .blueprint import bp, feeds
