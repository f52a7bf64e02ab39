"""Infrastructure: file storage, backups, mail and its outbox, exports, the calendar feed, the schema and rate limits."""
