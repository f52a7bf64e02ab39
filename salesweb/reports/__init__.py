"""Weekly reports: a rep writes one each week (`own`), their manager reads and comments on it (`team`)."""
