"""The manager's desk under /manager/."""
