"""Signing in and out, one's own password and language."""
from . import routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
