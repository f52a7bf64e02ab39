"""Expense claims (/expenses) and team budgets (/budgets): each view checks role and scope."""
from . import budgets, routes  # noqa: F401 (the views join the blueprint)
from .blueprint import bp  # noqa: F401
