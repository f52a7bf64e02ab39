"""This package's views, joined to its blueprint: what the app registers (salesweb/app.py)."""
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
