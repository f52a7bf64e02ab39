"""Customers, seen by every role through the one scope rule: the tier views, a customer's page, the pool."""
from . import imports, picker, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
