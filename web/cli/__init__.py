"""Command-line commands, one module per topic, each with register(app); app.py calls them."""
