"""Accounts and access: users, passwords, sign-in and throttling, API tokens, and system administration (users, roles, organisations, calendar, outbox)."""
