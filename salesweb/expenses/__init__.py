"""Expense claims (/expenses) and team budgets (/budgets): each view checks role and scope."""
