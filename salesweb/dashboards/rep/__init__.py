"""The rep's day under /rep/."""
