"""Customers, seen by every role through the one scope rule: the tier views, a customer's page, the pool."""
