"""Who is signed in: Flask-Login wiring and access decorators (auth), signing in and out and one's own account (account)."""
