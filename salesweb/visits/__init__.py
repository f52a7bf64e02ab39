"""Visits and tasks, seen by every role through the one scope rule: log, plan, list, comment; my tasks (`bp`). The
planned visits as a calendar feed, read by a phone's calendar without a sign-in (`feeds`)."""
