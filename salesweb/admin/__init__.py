"""Administration under /admin/: users, teams, settings."""
