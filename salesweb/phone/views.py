"""This package's views, joined to their blueprints: what the app registers (salesweb/app.py)."""
from . import routes  # noqa: F401 (the views join the blueprints)
from .blueprint import bp, signed_in  # noqa: F401
