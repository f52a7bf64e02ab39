"""Targets: the sheet where managers and ops set revenue targets per person and period."""
