"""The manager's desk under /manager/."""
from . import reports, routes, targets  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
