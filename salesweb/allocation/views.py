"""This package's views, joined to its blueprint: what the app registers (salesweb/app.py)."""
from . import routes  # noqa: F401 (the views join the blueprints)
from .blueprint import manager_bp, ops_bp
