"""The audit log page, for admin and ops."""
