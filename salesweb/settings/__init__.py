"""The install's settings pages (admin and ops)."""
