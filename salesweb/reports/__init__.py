"""Weekly reports: a rep writes one each week, their manager reads and comments on it."""
