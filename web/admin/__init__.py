"""System administration pages: users and roles, organisations, holidays, the reminder outbox."""
