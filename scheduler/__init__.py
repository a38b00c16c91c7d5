"""The scheduler edge: APScheduler jobs over deadline rows and the reminder outbox."""
