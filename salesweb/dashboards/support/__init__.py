"""Sales support's desk under /support/."""
